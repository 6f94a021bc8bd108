"""A centre and offices to sync in tests: the real API in-process (FastAPI's test
client, which is an httpx client), real databases, real enrolment codes.

Shared by the sync tests (API, push, pull, auth, engine, office service, model-based).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.services import sync_service
from desktop_app.services.requests import Actor
from desktop_app.store.db import Store
from sync import reference
from sync.dates import Period, utcnow
from sync.protocol import CREDENTIAL_HEADER, PROTOCOL_HEADER, PROTOCOL_VERSION, Op
from sync.schema import new_id
from sync.server import db as centre_db
from sync.server import operations as ops
from sync.server.app import create_app
from sync.server.changes import Entry, log_changes
from sync.server.enrolment import hash_enrolment_code, new_enrolment_code
from sync.server.models import Crew, Event, Office, OfficeDistrict, OfficeUser, ServiceRequest
from sync.server.reference_io import load_reference
from sync.server.tracking import reserve_existing
from sync.workflow import Role

#: Districts of the Kashan reference set the sync tests use.
D1, D2, D3 = "1-1", "1-2", "2-1"
CENTRE_ACTOR = "operator"
#: The users an office of these tests has at the centre (user name -> role), as if
#: it had synced them (``upsert_user``): the centre accepts only its users as actors.
#: (``operator137``, of role centre, acts only at an office of every district: a
#: district office's is there to show that the centre refuses it all the same.)
STAFF: dict[str, Role] = {"clerk": Role.CLERK, "super": Role.SUPERVISOR, "boss": Role.MANAGER,
                          "operator137": Role.CENTRE}
#: Who acts in a test's mutation made with a role (the staff member with it).
STAFF_BY_ROLE: dict[str | None, str] = {role.value: name for name, role in STAFF.items()}


def neighbourhood_of(district: str) -> str:
    return reference.default().neighbourhoods_of(district)[0].code


def add_users(session: Session, office_id: uuid.UUID, users: Mapping[str, Role] = STAFF) -> None:
    """``users`` known at the centre as the office's, as if it had synced them."""
    session.add_all(OfficeUser(office_id=office_id, username=username, display_name=username,
                               role=role.value, active=True, version=1, updated_at=utcnow())
                    for username, role in users.items())


@dataclass
class Centre:
    """A migrated centre database with the Kashan reference data, and its API."""

    engine: sa.Engine
    app: FastAPI = field(init=False)
    sessions: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        self.app = create_app(self.engine)
        self.sessions = centre_db.session_factory(self.engine)

    @classmethod
    def on(cls, engine: sa.Engine, *, with_reference: bool = True) -> Centre:
        centre = cls(engine)
        if with_reference:
            with centre.sessions.begin() as session:
                load_reference(session, reference.default())
        return centre

    def client(self, **kwargs: Any) -> TestClient:
        return TestClient(self.app, base_url="http://localhost", **kwargs)

    def add_office(self, name: str, districts: Iterable[str] = (), *, all_districts: bool = False,
                   valid_for: dt.timedelta = dt.timedelta(days=7),
                   users: Mapping[str, Role] = STAFF) -> str:
        """What ``daftar-server office add`` does; returns the one-time code.  The
        office's ``users`` are known at the centre already (none: it introduces them)."""
        code = new_enrolment_code()
        with self.sessions.begin() as session:
            number = (session.scalar(sa.select(sa.func.max(Office.number))) or 0) + 1
            office = Office(name=name, number=number, all_districts=all_districts,
                            created_at=utcnow(), enrolment_code_hash=hash_enrolment_code(code),
                            enrolment_expires_at=utcnow() + valid_for)
            session.add(office)
            session.flush()
            session.add_all(OfficeDistrict(office_id=office.id, district_code=d) for d in districts)
            add_users(session, office.id, users)
        return code

    def set_user(self, office: str, username: str, role: Role | None = None, *,
                 active: bool = True) -> None:
        """An office's user as the centre holds it, changed (or added) behind its back."""
        with self.sessions.begin() as session:
            office_id = session.scalars(sa.select(Office.id).where(Office.name == office)).one()
            user = session.get(OfficeUser, (office_id, username))
            if user is None:
                user = OfficeUser(office_id=office_id, username=username, display_name=username,
                                  version=0)
                session.add(user)
            user.role = (role or Role(user.role)).value
            user.active, user.version, user.updated_at = active, user.version + 1, utcnow()

    def users(self, office: str) -> dict[str, tuple[str, str, bool]]:
        """The office's users at the centre: name -> (display name, role, active)."""
        with self.sessions() as session:
            return {u.username: (u.display_name, u.role, u.active) for u in session.scalars(
                sa.select(OfficeUser).join(Office, Office.id == OfficeUser.office_id)
                .where(Office.name == office))}

    def new_code(self, name: str) -> str:
        """What ``daftar-server office code NAME`` does: a fresh one-time code."""
        code = new_enrolment_code()
        with self.sessions.begin() as session:
            office = session.scalars(sa.select(Office).where(Office.name == name)).one()
            office.enrolment_code_hash = hash_enrolment_code(code)
            office.enrolment_expires_at = utcnow() + dt.timedelta(days=1)
        return code

    def enrol(self, code: str) -> str:
        """A device credential for ``code``, straight from the API."""
        response = self.client().post("/sync/enrol", json={"protocol_version": PROTOCOL_VERSION,
                                                            "code": code},
                                      headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION)})
        response.raise_for_status()
        return response.json()["credential"]

    def intake(self, district: str = D1, *, refer: bool = True, **values: Any) -> uuid.UUID:
        with self.sessions.begin() as session:
            request = ops.intake(session, district_code=district, category_code="garbage",
                                 description=values.pop("description", "زباله جمع نشده"),
                                 neighbourhood_code=neighbourhood_of(district), actor=CENTRE_ACTOR,
                                 citizen_phone="09121234567", **values)
            if refer:
                ops.refer(session, request.id, actor=CENTRE_ACTOR)
            return request.id

    def add_crew(self, district: str = D1, name: str = "اکیپ مرکز") -> uuid.UUID:
        with self.sessions.begin() as session:
            crew = Crew(district_code=district, name=name, supervisor="", active=True, version=1,
                        updated_at=utcnow())
            session.add(crew)
            session.flush()
            log_changes(session, [Entry("crew", str(crew.id), district)])
            return crew.id

    def request(self, request_id: uuid.UUID) -> ServiceRequest:
        with self.sessions() as session:
            request = session.get(ServiceRequest, request_id)
            assert request is not None
            return request


# ------------------------------------------------------------------ bulk data

PHRASES = (
    "زباله‌ها دو روز است جمع‌آوری نشده", "آسفالت کوچه خراب شده", "چاله بزرگ وسط خیابان",
    "جدول کنار پیاده‌رو شکسته", "درخت خشک شده خطرناک است", "چراغ معبر روشن نمی‌شود",
    "آب باران جمع شده", "تابلوی خیابان افتاده", "سد معبر توسط مغازه", "نخاله ساختمانی رها شده",
)
FIRST = ("محمد", "زهرا", "علی", "فاطمه", "حسین", "مریم", "رضا", "سمیه", "مهدی", "نرگس")
LAST = ("حسینی", "احمدی", "کریمی", "رضایی", "محمدی", "صادقی", "کاشانی", "نراقی", "قمصری")
STREETS = ("بابا افضل", "امیرکبیر", "فین", "مطهری", "شهید بهشتی", "آیت‌الله کاشانی", "قطب راوندی")


def make_rows(n: int, districts: Iterable[str] | None = None, seed: int = 137,
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``n`` referred requests (in ``districts``, else anywhere in Kashan) with their
    created and referred history entries, as rows for :func:`fill_centre`."""
    rng = random.Random(seed)
    refset = reference.default()
    wanted = set(districts) if districts is not None else None
    hoods = [h for h in refset.neighbourhoods if wanted is None or h.district_code in wanted]
    categories = [c.code for c in refset.categories]
    period = Period.jalali_half(1405, 1)
    span = int((period.end - period.start).total_seconds())
    now = utcnow()
    requests, events = [], []
    for i in range(n):
        hood = rng.choice(hoods)
        received = period.start + dt.timedelta(seconds=rng.randrange(span))
        request = {
            "id": new_id(), "tracking_code": f"1405{i + 1:06d}", "received_at": received,
            "channel": rng.choice(("phone", "phone", "web", "sms")),
            "district_code": hood.district_code, "neighbourhood_code": hood.code,
            "category_code": rng.choice(categories),
            "description": "، ".join(rng.sample(PHRASES, rng.randint(1, 3))) + f" ({i})",
            "citizen_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "citizen_phone": f"0912{rng.randrange(10**7):07d}",
            "address": f"کاشان، خیابان {rng.choice(STREETS)}، کوچه {rng.randint(1, 60)}، پلاک {rng.randint(1, 200)}",
            "latitude": round(33.98 + rng.random() / 20, 6) if rng.random() < 0.4 else None,
            "longitude": round(51.43 + rng.random() / 20, 6) if rng.random() < 0.4 else None,
            "status": "referred", "closed_at": None, "outcome_reason": None, "outcome_note": "",
            "crew_id": None, "assigned_at": None, "duplicate_of": None, "version": 2,
            "updated_at": now,
        }
        requests.append(request)
        for kind, source, target, at in (("created", None, "received", received),
                                         ("status", "received", "referred", received + dt.timedelta(hours=2))):
            events.append({
                "id": new_id(), "request_id": request["id"], "kind": kind, "from_status": source,
                "to_status": target, "reason": None, "note": "", "data": {}, "actor": "operator",
                "actor_role": "centre", "office_id": None, "client_time": at, "server_time": at,
                "mutation_id": None,
            })
    return requests, events


def fill_centre(engine: sa.Engine, requests: list[dict[str, Any]], events: list[dict[str, Any]]) -> None:
    """Insert :func:`make_rows`' rows and their change-log entries in blocks (Core
    executemany, as the archive import does): a large centre in seconds.  The year's
    tracking-code counter moves past their codes, as after an import."""
    sessions = centre_db.session_factory(engine)
    by_request: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for event in events:
        by_request.setdefault(event["request_id"], []).append(event)
    block = 10_000
    for start in range(0, len(requests), block):
        chunk = requests[start:start + block]
        history = [e for r in chunk for e in by_request.get(r["id"], [])]
        with sessions.begin() as session:
            session.execute(sa.insert(ServiceRequest), chunk)
            if history:
                session.execute(sa.insert(Event), history)
            entries = []
            for r in chunk:
                entries.append(Entry("request", str(r["id"]), r["district_code"]))
                entries.extend(Entry("event", str(e["id"]), r["district_code"]) for e in by_request.get(r["id"], []))
            log_changes(session, entries)
            reserve_existing(session, (r["tracking_code"] for r in chunk))


def auth_headers(credential: str | None = None) -> dict[str, str]:
    headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
    if credential:
        headers[CREDENTIAL_HEADER] = credential
    return headers


def mutation(op: Op | str, entity_id: uuid.UUID, payload: dict[str, Any] | None = None, *,
             entity: str = "request", role: str | None = "clerk", base_version: int | None = None,
             mutation_id: uuid.UUID | None = None, event: bool = True,
             actor: str | None = None) -> dict[str, Any]:
    """A pushed mutation as JSON, with a fresh event id unless ``event`` is false.  It
    is made by ``actor``, else by the staff member (:data:`STAFF`) with ``role``
    (the manager when no role is claimed, the clerk for a role no staff has)."""
    if actor is None:
        actor = STAFF_BY_ROLE.get(role, "boss" if role is None else "clerk")
    body = dict(payload or {})
    if event and entity == "request":
        body.setdefault("event_id", str(uuid.uuid4()))
    return {"mutation_id": str(mutation_id or uuid.uuid4()), "office_seq": 1, "op": str(op),
            "entity": entity, "entity_id": str(entity_id), "base_version": base_version,
            "client_time": utcnow().isoformat(), "actor": actor, "actor_role": role,
            "payload": body}


def push(client: httpx.Client, credential: str, *mutations: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.post("/sync/push", headers=auth_headers(credential),
                           json={"protocol_version": PROTOCOL_VERSION, "mutations": list(mutations),
                                 "client_time": utcnow().isoformat()})
    assert response.status_code == 200, response.text
    return response.json()["results"]


def pull(client: httpx.Client, credential: str, cursor: int = 0, limit: int | None = None,
         **more: int) -> dict[str, Any]:
    params: dict[str, int] = {"cursor": cursor, **more}
    if limit is not None:
        params["limit"] = limit
    response = client.get("/sync/pull", headers=auth_headers(credential), params=params)
    assert response.status_code == 200, response.text
    return response.json()


def pull_all(client: httpx.Client, credential: str, cursor: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
    pages = []
    while True:
        page = pull(client, credential, cursor, limit)
        pages.append(page)
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return pages


def rows(pages: Iterable[dict[str, Any]], table: str) -> list[dict[str, Any]]:
    """Every row of ``table`` (``requests``, ``events``, ``crews``) in pulled pages."""
    return [dict(zip(page[table]["columns"], row)) for page in pages for row in page[table]["rows"]]


def office_actor(store: Store, role: Role = Role.CLERK, username: str | None = None) -> Actor:
    """Someone at ``store``'s office: by default the staff member with ``role``."""
    username = username or STAFF_BY_ROLE.get(role.value, "clerk")
    identity = sync_service.office_identity(store)
    assert identity is not None
    return Actor(username=username, role=role, office_id=identity.office_id,
                 office_number=identity.number)
