"""Model-based test of sync: offices and the centre change things at random while the
network misbehaves and offices crash; after quiescence nothing is lost, doubled,
out of scope or out of step.

Photos travel too: offices attach them (kinds, sizes of one to several upload
pieces) and take them back; the bytes go up and down by hash after each round's rows,
through the same faulty network (a "cut" breaks an answer's body partway — an
upload's answer or a download's bytes — so transfers stop at random points and
resume), with offices crashing mid-transfer.

The cast: office **A** serves district D1, **B** serves D1 and D2 (overlapping A),
**C** serves D3 (disjoint), **Z** serves every district (the centre's managers).  The
centre takes requests in, closes and reopens them, moves them between districts and
adds crews.  Offices assign, change statuses (the desk's checks), note, edit, register
walk-ins, keep crews, and — like a buggy or outdated app — queue lifecycle moves the
desk would refuse, which only the centre can stop.  People settle sync problems.

Every sync round goes through a fault-injecting transport, driven by a plan drawn
per round: a request dropped before it reaches the centre, a response lost after the
centre committed, a request delivered twice, a request held back and delivered later
(after newer ones), and the office process dying right before or after a call.  An
office also "crashes" between any two steps: its database is closed and opened again.

After every step: no office holds a row outside its districts, and cursors never go
back.  After quiescence (delayed requests delivered, faults off, rounds until nothing
moves): every mutation any office made is in the centre's audit with an answer, none
was applied twice, every refused one waits as a problem in its office (or was
settled), no office has anything left to send, each office's requests, histories and
crews equal the centre's view of its districts, each office's pages chained cursor to
cursor up to the centre's last change, and every request's history is a lawful walk
through the lifecycle.  Photos: every attachment the centre holds reaches every
office that holds its request, with its bytes byte-identical, exactly once (each
blob fetched once by an office, each row once), and none reaches an office
outside its districts (checked on every page and every fetched blob).

Runs in the default suite with a budget of well under a minute.  For a soak run::

    DAFTAR_SYNC_SOAK=1 .venv/bin/pytest tests/sync/test_model_based.py -q

(``DAFTAR_SYNC_SOAK=N`` runs N examples; the default soak is 500 examples of up to 80
steps, several minutes.)
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from desktop_app.errors import ServiceError
from desktop_app.services import sync_service
from desktop_app.services.attachments import Attachments
from desktop_app.services.photo_sync import OfficeBlobs
from desktop_app.services.replica import OfficeReplica
from desktop_app.services.requests import Actor, Desk, WalkIn
from desktop_app.store import models as m
from desktop_app.store.db import DB_NAME, Store, backup_file, open_store
from desktop_app.store.photos import PhotoFolder
from sync import workflow
from sync.client import HttpTransport, RetryPolicy, SyncEngine, SyncError
from sync.dates import utcnow
from sync.protocol import CREW_COLUMNS, EVENT_COLUMNS, REQUEST_COLUMNS, Op, PullResponse
from sync.rules import OFFICE_ROLES
from sync.schema import new_id
from sync.server import db as centre_db
from sync.server import operations as ops
from sync.server.auth import Scope
from sync.server.models import AppliedMutation, Attachment, ChangeLog, Crew, Event, ServiceRequest
from sync.server.pull import has_changes
from sync.workflow import EventKind, Role, Status, TransitionError
from tests.sync.client.harness import CENTRE_ACTOR, D1, D2, D3, Centre, neighbourhood_of

SCOPES: dict[str, frozenset[str] | None] = {
    "A": frozenset({D1}), "B": frozenset({D1, D2}), "C": frozenset({D3}), "Z": None,
}
DISTRICTS = (D1, D2, D3)
#: What may happen to one call (besides nothing, as likely as any of these).
FAULTS = ("drop_request", "drop_response", "duplicate", "delay", "crash_before", "crash_after",
          "cut")
#: The photos offices attach: from one upload piece (:data:`BLOB_CHUNK`) to several.
BLOB_CHUNK = 8192
_photo_bytes = random.Random(17)
PHOTOS = tuple(b"\xff\xd8\xff\xe0" + _photo_bytes.randbytes(size) for size in (1500, 6000, 20000))
ADDRESSES = ("کوچه ۱", "کوچه ۲", "خیابان فین", "")
REASONS = (None, "duplicate", "out_of_jurisdiction")

_soak = os.environ.get("DAFTAR_SYNC_SOAK", "")
SETTINGS = settings(
    max_examples=(int(_soak) if _soak.isdigit() and int(_soak) > 1 else 500) if _soak else 20,
    stateful_step_count=80 if _soak else 50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.data_too_large],
)


POSTGRESQL_EXAMPLES = 6
#: The fates of a round's first calls (hello, pushes, pulls and their retries); the
#: calls after them all go well.  "ok" is the simplest fate (a failing run shrinks
#: towards a healthy network), yet drawn about as often as a fault: hypothesis would
#: otherwise favour the first choice.
CALLS = 10
_FATE = st.booleans().flatmap(lambda faulty: st.sampled_from(FAULTS) if faulty else st.just("ok"))


#: Ops that write no history event, and the photo ops.
_PHOTO_OPS = frozenset({Op.ADD_ATTACHMENT, Op.REMOVE_ATTACHMENT})
_WITHOUT_EVENT = frozenset({Op.UPSERT_CREW, Op.UPSERT_USER}) | _PHOTO_OPS


class Crash(BaseException):
    """The office process dies here (a BaseException: nothing in the app catches it)."""


class FaultyTransport(httpx.BaseTransport):
    """Between one office and the centre: each call meets the next fault of ``plan``
    (none once the plan is used up)."""

    def __init__(self, centre: TestClient):
        self.centre = centre
        self.plan: list[str] = []
        self.delayed: list[httpx.Request] = []

    def _send(self, request: httpx.Request) -> httpx.Response:
        answer = self.centre.request(request.method, str(request.url), content=request.content,
                                     headers=dict(request.headers))
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        fault = self.plan.pop(0) if self.plan else "ok"
        request.read()
        if fault == "drop_request":
            raise httpx.ConnectError("dropped on the way", request=request)
        if fault == "delay":
            self.delayed.append(request)
            raise httpx.ReadTimeout("no answer yet", request=request)
        if fault == "crash_before":
            raise Crash
        response = self._send(request)
        if fault == "cut":  # the answer's body breaks a third of the way in
            body, at = response.content, len(response.content) // 3

            def broken() -> Iterator[bytes]:
                yield body[:at]
                raise httpx.ReadError("the line broke", request=request)

            return httpx.Response(response.status_code, headers=response.headers,
                                  stream=_BrokenStream(broken()))
        if fault == "drop_response":
            raise httpx.ReadTimeout("the answer was lost", request=request)
        if fault == "duplicate":
            response = self._send(request)
        if fault == "crash_after":
            raise Crash
        return response

    def deliver_delayed(self) -> None:
        while self.delayed:
            self._send(self.delayed.pop(0))


class _BrokenStream(httpx.SyncByteStream):
    def __init__(self, parts: Iterator[bytes]):
        self.parts = parts

    def __iter__(self) -> Iterator[bytes]:
        yield from self.parts


class RecordingBlobs(OfficeBlobs):
    """The office's photos, checking that every blob it fetches is one it holds an
    attachment of (pulled in scope) and that it fetches each blob once."""

    def __init__(self, office: Office):
        super().__init__(office.store.sessions, PhotoFolder.beside(office.store.db_path))
        self.office = office

    def finish_part(self, sha256: str) -> bool:
        with self.office.store.sessions() as session:
            districts = set(session.scalars(sa.select(m.ServiceRequest.district_code).join(
                m.Attachment, m.Attachment.request_id == m.ServiceRequest.id)
                .where(m.Attachment.sha256 == sha256)))
        assert districts and all(self.office.covers(d) for d in districts), "a blob outside the scope"
        assert sha256 not in self.office.fetched, "a blob fetched twice"
        done = super().finish_part(sha256)
        assert done, "the centre sent bytes that do not match their hash"
        self.office.fetched.add(sha256)
        return done


class RecordingReplica(OfficeReplica):
    """The office's replica, checking that no page carries another district's rows (the
    office would drop some of them anyway) and noting every page it applies (for the
    gap-free check)."""

    def __init__(self, office: Office):
        super().__init__(office.store.sessions)
        self.office = office

    def apply_page(self, page: PullResponse) -> int | None:
        requests = {row["id"]: row["district_code"] for row in page.requests.dicts()}
        assert all(self.office.covers(d) for d in requests.values()), "another district's request"
        assert all(self.office.covers(row["district_code"]) for row in page.crews.dicts())
        with self.office.store.sessions() as session:
            known = {str(i) for i, d in session.execute(
                sa.select(m.ServiceRequest.id, m.ServiceRequest.district_code)) if self.office.covers(d)}
        histories = {row["request_id"] for row in page.events.dicts()}
        assert histories <= known | set(requests), "another district's history"
        photos = {row["request_id"] for row in page.attachments.dicts()}
        assert photos <= known | set(requests), "another district's photo"
        assert not histories & {str(i) for i in page.removed_requests}, "a moved request's history"
        applied = super().apply_page(page)
        if applied is not None:
            self.office.pages.append((page.cursor, page.next_cursor))
        return applied


@dataclass
class Office:
    name: str
    folder: Path
    store: Store
    transport: FaultyTransport
    client: httpx.Client
    credential: str
    actor: Actor
    scope: frozenset[str] | None
    pages: list[tuple[int, int]] = field(default_factory=list)
    #: Blobs fetched (each once).
    fetched: set[str] = field(default_factory=set)
    start_cursor: int = 0
    last_cursor: int = 0

    def pull_scope(self) -> Scope:
        """What the centre's hello and pull read for this office (its ids do not matter
        to them: only its districts)."""
        return Scope(office_id=uuid.UUID(int=0), device_id=uuid.UUID(int=0), name=self.name,
                     number=0, all_districts=self.scope is None, districts=self.scope or frozenset())

    def covers(self, district: str) -> bool:
        return self.scope is None or district in self.scope

    def reopen(self) -> None:
        self.store.close()
        self.store = open_store(self.folder)

    def desk(self, role: Role = Role.CLERK) -> Desk:
        return Desk(self.store.sessions, Actor(username=f"{self.name.lower()}-{role}", role=role,
                                               office_id=self.actor.office_id,
                                               office_number=self.actor.office_number))

    def cursor(self) -> int:
        with self.store.sessions() as session:
            return int(session.get(m.SyncState, "cursor").value)

    def mutation_ids(self) -> set[uuid.UUID]:
        with self.store.sessions() as session:
            return set(session.scalars(sa.select(m.OutboxEntry.mutation_id)))


@dataclass
class Template:
    """A centre with a few requests and crews in each district and four offices,
    enrolled and synced once; every example starts from a copy of it."""

    folder: Path
    centre_url: str
    credentials: dict[str, str]
    requests: list[uuid.UUID]
    crews: list[uuid.UUID]

    @property
    def on_postgresql(self) -> bool:
        return self.centre_url.startswith("postgresql")

    def new_centre(self, folder: Path) -> str:
        """A fresh copy of the template centre: a file, or a PostgreSQL database made
        from the template one (``CREATE DATABASE … TEMPLATE``, a file copy too)."""
        if not self.on_postgresql:
            target = folder / "centre.sqlite3"
            copy_sqlite(Path(sa.make_url(self.centre_url).database or ""), target)
            return f"sqlite:///{target}"
        name = f"daftar_model_{uuid.uuid4().hex[:10]}"
        template = sa.make_url(self.centre_url).database
        with _admin(self.centre_url) as admin:
            admin.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        return sa.make_url(self.centre_url).set(database=name).render_as_string(hide_password=False)

    def drop_centre(self, url: str) -> None:
        if url.startswith("postgresql"):
            with _admin(url) as admin:
                admin.execute(sa.text(f'DROP DATABASE IF EXISTS "{sa.make_url(url).database}"'))


@contextmanager
def _admin(url: str) -> Iterator[sa.Connection]:
    """A connection for CREATE/DROP DATABASE: autocommit, to the server's own database."""
    engine = sa.create_engine(sa.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def copy_sqlite(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    backup_file(source, target)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def template(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    folder = tmp_path_factory.mktemp("sync-model")
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'centre.sqlite3'}"
    else:
        server = request.getfixturevalue("postgres_url")
        url = sa.make_url(server).set(database=f"daftar_model_tpl_{uuid.uuid4().hex[:8]}") \
            .render_as_string(hide_password=False)
        with _admin(url) as admin:
            admin.execute(sa.text(f'CREATE DATABASE "{sa.make_url(url).database}"'))
    engine = centre_db.open_engine(url)
    centre_db.upgrade(engine)
    centre = Centre.on(engine)
    requests = [centre.intake(district) for district in DISTRICTS for _ in range(2)]
    crews = [centre.add_crew(district) for district in DISTRICTS]
    credentials = {}
    with centre.client() as client:
        for name, scope in SCOPES.items():
            # The people who act at each office (Office.desk) are its users at the centre.
            staff = {f"{name.lower()}-{role}": role for role in OFFICE_ROLES}
            code = centre.add_office(name, sorted(scope or ()), all_districts=scope is None,
                                     users={name.lower(): Role.CLERK, **staff})
            store = open_store(folder / name)
            sync_service.enroll(store, "http://localhost", code, client=client)
            sync_service.sync_once(store, client=client)
            with store.sessions() as session:
                credentials[name] = session.get(m.SyncState, "credential").value
            store.close()
    engine.dispose()
    template = Template(folder, url, credentials, requests, crews)
    yield template
    template.drop_centre(url)


class SyncMachine(RuleBasedStateMachine):
    """Offices and the centre, with a misbehaving network between them."""

    template: Template
    workdir: Path

    requests = Bundle("requests")
    crews = Bundle("crews")

    def __init__(self) -> None:
        super().__init__()
        folder = self.workdir / uuid.uuid4().hex[:8]
        folder.mkdir()
        self.centre_url = self.template.new_centre(folder)
        self.engine = centre_db.open_engine(self.centre_url)
        self.centre = Centre(self.engine, folder / "blobs")
        self.centre_client = self.centre.client().__enter__()
        self.offices: dict[str, Office] = {}
        for name, scope in SCOPES.items():
            copy_sqlite(self.template.folder / name / DB_NAME, folder / name / DB_NAME)
            store = open_store(folder / name)
            transport = FaultyTransport(self.centre_client)
            identity = sync_service.office_identity(store)
            assert identity is not None
            office = Office(
                name=name, folder=folder / name, store=store, transport=transport,
                client=httpx.Client(transport=transport, base_url="http://localhost"),
                credential=self.template.credentials[name], scope=scope,
                actor=Actor(username=name.lower(), role=Role.CLERK, office_id=identity.office_id,
                            office_number=identity.number),
            )
            office.start_cursor = office.last_cursor = office.cursor()
            self.offices[name] = office
        self.folder = folder
        #: Every mutation id an office queued (read from its outbox after each action).
        self.made: set[uuid.UUID] = set()

    # ------------------------------------------------------------------ helpers

    def office(self, name: str) -> Office:
        return self.offices[name]

    def act(self, office: Office, action: Any) -> Any:
        """Run a desk action; note the mutations it queued.  A refusal by the desk
        itself (illegal here, unknown here) is a step that changes nothing."""
        before = office.mutation_ids()
        try:
            return action()
        except (ServiceError, TransitionError):
            return None
        finally:
            self.made |= office.mutation_ids() - before

    # -------------------------------------------------------------- the centre

    @initialize(target=requests)
    def known_requests(self) -> Any:
        return multiple(*self.template.requests)

    @initialize(target=crews)
    def known_crews(self) -> Any:
        return multiple(*self.template.crews)

    @rule(target=requests, district=st.sampled_from(DISTRICTS), refer=st.booleans())
    def centre_intake(self, district: str, refer: bool) -> uuid.UUID:
        return self.centre.intake(district, refer=refer)

    @rule(request=requests, status=st.sampled_from(list(Status)), reason=st.sampled_from(REASONS))
    def centre_changes_status(self, request: uuid.UUID, status: Status, reason: str | None) -> None:
        try:
            with self.centre.sessions.begin() as session:
                ops.change_status(session, request, status, actor=CENTRE_ACTOR, reason=reason)
        except ops.OperationError:
            pass

    @rule(request=requests, district=st.sampled_from(DISTRICTS))
    def centre_moves(self, request: uuid.UUID, district: str) -> None:
        try:
            with self.centre.sessions.begin() as session:
                ops.move(session, request, district, actor=CENTRE_ACTOR,
                         neighbourhood_code=neighbourhood_of(district))
        except ops.OperationError:
            pass

    @rule(target=crews, district=st.sampled_from(DISTRICTS))
    def centre_adds_crew(self, district: str) -> uuid.UUID:
        return self.centre.add_crew(district)

    # -------------------------------------------------------------- the offices

    names = st.sampled_from(sorted(SCOPES))

    @rule(name=names, request=requests, crew=crews)
    def office_assigns(self, name: str, request: uuid.UUID, crew: uuid.UUID) -> None:
        office = self.office(name)
        self.act(office, lambda: office.desk().assign([request], crew))

    @rule(name=names, request=requests, status=st.sampled_from(list(Status)), reason=st.sampled_from(REASONS))
    def office_changes_status(self, name: str, request: uuid.UUID, status: Status, reason: str | None) -> None:
        office = self.office(name)
        self.act(office, lambda: office.desk(Role.MANAGER).change_status([request], status, reason=reason))

    @rule(name=names, request=requests)
    def office_notes(self, name: str, request: uuid.UUID) -> None:
        office = self.office(name)
        self.act(office, lambda: office.desk().add_note(request, f"یادداشت {office.name}"))

    @rule(name=names, request=requests, address=st.sampled_from(ADDRESSES),
          description=st.sampled_from(("", "شرح تازه")))
    def office_edits(self, name: str, request: uuid.UUID, address: str, description: str) -> None:
        office = self.office(name)
        changes = {"address": address} | ({"description": description} if description else {})
        self.act(office, lambda: office.desk().edit(request, **changes))

    @rule(target=requests, name=names, district=st.sampled_from(DISTRICTS))
    def office_registers_walk_in(self, name: str, district: str) -> Any:
        office = self.office(name)
        form = WalkIn(citizen_phone="09121234567", neighbourhood_code=neighbourhood_of(district),
                      category_code="garbage", description="مراجعه حضوری")
        request = self.act(office, lambda: office.desk().register_walk_in(form))
        return multiple(request.id) if request is not None else multiple()

    @rule(target=crews, name=names, district=st.sampled_from(DISTRICTS))
    def office_adds_crew(self, name: str, district: str) -> Any:
        office = self.office(name)
        crew = self.act(office, lambda: office.desk(Role.MANAGER).save_crew(name=f"اکیپ {name}",
                                                                            district_code=district))
        return multiple(crew.id) if crew is not None else multiple()

    @rule(name=names, crew=crews, label=st.sampled_from(("الف", "ب")), active=st.booleans())
    def office_edits_crew(self, name: str, crew: uuid.UUID, label: str, active: bool) -> None:
        office = self.office(name)
        with office.store.sessions() as session:
            local = session.get(m.Crew, crew)
        if local is not None:
            self.act(office, lambda: office.desk(Role.MANAGER).save_crew(
                name=f"اکیپ {label}", district_code=local.district_code, active=active, crew_id=crew))

    @rule(name=names, request=requests, source=st.sampled_from(list(Status)),
          status=st.sampled_from(list(Status)), role=st.sampled_from(list(Role)))
    def office_queues_an_unchecked_move(self, name: str, request: uuid.UUID, source: Status,
                                        status: Status, role: Role) -> None:
        """What a buggy or outdated app might send: a move the desk never checked,
        in any role, written with its event and outbox entry like the desk writes them."""
        office = self.office(name)
        now = utcnow()
        with office.store.sessions.begin() as session:
            if session.get(m.ServiceRequest, request) is None:
                return
            event = m.Event(id=new_id(), request_id=request, kind=EventKind.STATUS.value,
                            from_status=source.value, to_status=status.value, actor="buggy",
                            actor_role=role.value, office_id=office.actor.office_id, client_time=now,
                            data={}, note="")
            session.add(event)
            mutation_id = new_id()
            session.add(m.OutboxEntry(mutation_id=mutation_id, entity="request", entity_id=request,
                                      op=Op.CHANGE_STATUS.value, base_version=None, created_at=now,
                                      actor="buggy", payload={"event_id": str(event.id),
                                                              "from_status": source.value,
                                                              "to_status": status.value}))
        self.made.add(mutation_id)

    @rule(name=names, request=requests, photo=st.sampled_from(range(len(PHOTOS))),
          kind=st.sampled_from(("citizen", "before", "after")), internal=st.booleans())
    def office_attaches_a_photo(self, name: str, request: uuid.UUID, photo: int, kind: str,
                                internal: bool) -> None:
        office = self.office(name)
        shelf = Attachments(office.store.sessions, office.desk().actor)
        self.act(office, lambda: shelf.attach(request, filename=f"{photo}.jpg", media_type="image/jpeg",
                                              content=PHOTOS[photo], kind=kind, internal=internal))

    @rule(name=names, request=requests)
    def office_removes_a_photo(self, name: str, request: uuid.UUID) -> None:
        office = self.office(name)
        shelf = Attachments(office.store.sessions, office.desk(Role.MANAGER).actor)
        held = shelf.of_request(request)
        if held:
            self.act(office, lambda: shelf.remove(held[0].id))

    @rule(name=names, reapply=st.booleans())
    def person_settles_a_problem(self, name: str, reapply: bool) -> None:
        office = self.office(name)
        # Oldest first: mutation ids (UUIDv7) are made in order, so a replay picks the same.
        problems = sorted(sync_service.open_problems(office.store), key=lambda p: p.mutation_id)
        if not problems:
            return
        manager = office.desk(Role.MANAGER).actor
        settle = sync_service.reapply_problem if reapply else sync_service.discard_problem
        self.act(office, lambda: settle(office.store, problems[0].id, manager))

    # ------------------------------------------------------ network and crashes

    @rule(name=names, plan=st.lists(_FATE, min_size=CALLS, max_size=CALLS))
    def office_syncs(self, name: str, plan: list[str]) -> None:
        office = self.office(name)
        office.transport.plan = plan
        try:
            self.round(office)
            event("round: completed")
        except SyncError as exc:
            event(f"round: failed ({exc.code})")
        except Crash:
            event("round: the office crashed")
            office.reopen()
        finally:
            office.transport.plan = []

    @rule(name=names)
    def office_syncs_on_a_good_day(self, name: str) -> None:
        self.round(self.office(name))

    @rule(name=names)
    def office_crashes(self, name: str) -> None:
        self.office(name).reopen()

    @rule(name=names)
    def late_requests_arrive(self, name: str) -> None:
        self.office(name).transport.deliver_delayed()

    def round(self, office: Office) -> None:
        with HttpTransport("http://localhost", office.credential, client=office.client) as transport:
            SyncEngine(RecordingReplica(office), transport, retry=RetryPolicy(attempts=3, first_delay=0.001),
                       sleep=lambda _seconds: None, page_size=7, blobs=RecordingBlobs(office),
                       blob_chunk=BLOB_CHUNK).run_round()

    # ------------------------------------------------------- after every step

    @invariant()
    def cursors_never_go_back(self) -> None:
        for office in self.offices.values():
            cursor = office.cursor()
            assert cursor >= office.last_cursor, office.name
            office.last_cursor = cursor

    @invariant()
    def no_office_holds_another_districts_rows(self) -> None:
        for office in self.offices.values():
            if office.scope is None:
                continue
            with office.store.sessions() as session:
                state = session.get(m.SyncState, "moved_out_pending")
                waiting = [uuid.UUID(i) for i in state.value] if state else []
                # Kept only while the office's own unanswered changes need it.
                kept = sa.select(m.OutboxEntry.entity_id)
                for model in (m.ServiceRequest, m.Crew):
                    outside = session.scalar(sa.select(sa.func.count()).select_from(model).where(
                        model.district_code.not_in(sorted(office.scope)), model.id.not_in(kept),
                        model.id.not_in(waiting)))
                    assert outside == 0, (office.name, model.__tablename__)

    # -------------------------------------------------------------- quiescence

    def quiesce(self) -> None:
        for office in self.offices.values():
            office.transport.deliver_delayed()
        for _ in range(4):
            for office in self.offices.values():
                self.round(office)
            with self.centre.sessions() as session:
                last = centre_db.last_seq(session)
                # An idle office's round is only a hello: its cursor stays where it was
                # when nothing after it is for its districts (issue 15, fast delivery).
                behind = [o.name for o in self.offices.values()
                          if has_changes(session, o.pull_scope(), o.cursor(), last)]
            if not behind and all(not o.mutation_ids() and not RecordingBlobs(o).to_upload()
                                  and not RecordingBlobs(o).to_download()
                                  for o in self.offices.values()):
                return
        raise AssertionError("no quiescence after four rounds of every office")

    def teardown(self) -> None:
        try:
            self.quiesce()
            self.check_every_write_answered_once()
            self.check_offices_equal_the_centres_view()
            self.check_pages_chain()
            self.check_lawful_histories()
            self.check_photos()
        finally:
            self.centre_client.__exit__(None, None, None)
            for office in self.offices.values():
                office.client.close()
                office.store.close()
            self.engine.dispose()
            self.template.drop_centre(self.centre_url)
            shutil.rmtree(self.folder, ignore_errors=True)

    def check_every_write_answered_once(self) -> None:
        with self.centre.sessions() as session:
            audit = {a.mutation_id: a for a in session.scalars(sa.select(AppliedMutation))}
            event_mutations = session.scalars(sa.select(Event.mutation_id)
                                              .where(Event.mutation_id.is_not(None))).all()
        with self.centre.sessions() as session:
            requests = set(session.scalars(sa.select(ServiceRequest.id)))

        def quiet_photo_refusal(applied: AppliedMutation) -> bool:
            """A photo refused as a duplicate, or as a photo of a walk-in the centre
            never took (that walk-in's refusal is the problem to settle)."""
            code = applied.result.get("code")
            return code == "attachment_duplicate" or (
                code == "not_in_scope" and uuid.UUID(applied.payload["entity_id"]) not in requests)

        assert self.made <= set(audit), "a write the centre never saw: lost"
        assert all(a.outcome in ("applied", "rejected", "conflict") for a in audit.values())
        assert len(event_mutations) == len(set(event_mutations)), "a mutation applied twice"
        applied_with_event = {i for i, a in audit.items()
                              if a.outcome == "applied" and a.payload["op"] not in _WITHOUT_EVENT}
        assert set(event_mutations) == applied_with_event
        for office in self.offices.values():
            with office.store.sessions() as session:
                problems = set(session.scalars(sa.select(m.SyncProblem.mutation_id)))
            refused = {i for i, a in audit.items()
                       if a.outcome != "applied" and a.office_id == office.actor.office_id
                       and not (a.payload["op"] in _PHOTO_OPS and quiet_photo_refusal(a))}
            assert refused == problems, f"{office.name}: a refusal not kept as a problem"

    def check_offices_equal_the_centres_view(self) -> None:
        def table(session: Any, model: Any, columns: tuple[str, ...], where: Any) -> dict[Any, tuple]:
            rows = session.execute(sa.select(*(getattr(model, c) for c in columns)).where(where))
            return {row[0]: tuple(row) for row in rows}

        for office in self.offices.values():
            scope = sorted(office.scope or ())
            with self.centre.sessions() as session:
                in_scope = ServiceRequest.district_code.in_(scope) if office.scope is not None else sa.true()
                crews = Crew.district_code.in_(scope) if office.scope is not None else sa.true()
                want = (table(session, ServiceRequest, REQUEST_COLUMNS, in_scope),
                        table(session, Event, EVENT_COLUMNS, Event.request_id.in_(
                            sa.select(ServiceRequest.id).where(in_scope))),
                        table(session, Crew, CREW_COLUMNS, crews))
            with office.store.sessions() as session:
                have = (table(session, m.ServiceRequest, REQUEST_COLUMNS, sa.true()),
                        table(session, m.Event, EVENT_COLUMNS, sa.true()),
                        table(session, m.Crew, CREW_COLUMNS, sa.true()))
                waiting = session.get(m.SyncState, "moved_out_pending")
            assert waiting is None or waiting.value == [], office.name
            for name, theirs, ours in zip(("requests", "events", "crews"), want, have):
                assert ours == theirs, f"{office.name}: {name} differ from the centre's"

    def check_photos(self) -> None:
        """Every attachment the centre holds reaches every office that holds its
        request: the same rows, once, and the bytes byte-identical."""
        with self.centre.sessions() as session:
            kept = session.execute(
                sa.select(Attachment.id, Attachment.request_id, Attachment.sha256, Attachment.size,
                          Attachment.kind, Attachment.internal, ServiceRequest.district_code)
                .join(ServiceRequest, ServiceRequest.id == Attachment.request_id)
                .where(Attachment.removed_at.is_(None))).all()
        blobs = self.centre.app.state.blobs
        for row in kept:
            assert blobs.read(row.sha256) is not None and \
                hashlib.sha256(blobs.read(row.sha256)).hexdigest() == row.sha256, "a blob never sent"
        for office in self.offices.values():
            want = {r.id: tuple(r[:6]) for r in kept if office.covers(r.district_code)}
            with office.store.sessions() as session:
                have = session.execute(sa.select(
                    m.Attachment.id, m.Attachment.request_id, m.Attachment.sha256, m.Attachment.size,
                    m.Attachment.kind, m.Attachment.internal)).all()
            assert len(have) == len({r.id for r in have})
            assert {r.id: tuple(r) for r in have} == want, f"{office.name}: photos differ from the centre's"
            folder = PhotoFolder.beside(office.store.db_path)
            for _, _, sha, size, _, _ in want.values():
                content = folder.read(sha)
                assert content is not None and len(content) == size \
                    and hashlib.sha256(content).hexdigest() == sha, f"{office.name}: a photo's bytes"

    def check_pages_chain(self) -> None:
        with self.centre.sessions() as session:
            last = centre_db.last_seq(session)
        for office in self.offices.values():
            cursor = office.start_cursor
            for start, end in office.pages:
                assert start == cursor and end >= start, f"{office.name}: a gap in the pages"
                cursor = end
            assert cursor == office.cursor(), f"{office.name}: the cursor is not its last page's end"
            # Behind the centre's last entry only where nothing after it is the office's.
            with self.centre.sessions() as session:
                assert not has_changes(session, office.pull_scope(), cursor, last), office.name

    def check_lawful_histories(self) -> None:
        with self.centre.sessions() as session:
            first_logged = dict(session.execute(
                sa.select(ChangeLog.entity_key, sa.func.min(ChangeLog.seq))
                .where(ChangeLog.entity == "event").group_by(ChangeLog.entity_key)).all())
            events: dict[uuid.UUID, list[Event]] = {}
            for event in session.scalars(sa.select(Event)):
                events.setdefault(event.request_id, []).append(event)
            for request in session.scalars(sa.select(ServiceRequest)):
                history = sorted(events[request.id], key=lambda e: (e.server_time, first_logged[str(e.id)]))
                assert history[0].kind == EventKind.CREATED
                status = Status(history[0].to_status)
                for event in history[1:]:
                    if event.kind == EventKind.STATUS:
                        source, target = Status(event.from_status), Status(event.to_status)
                        assert source == status, (request.tracking_code, event.kind)
                        workflow.check_transition(source, target, Role(event.actor_role), reason=event.reason)
                        status = target
                    elif event.kind == EventKind.ASSIGNED:
                        assert Status(event.from_status) == status
                        if status == Status.REFERRED:
                            assert workflow.can_transition(status, Status.ASSIGNED, Role(event.actor_role))
                            status = Status.ASSIGNED
                        assert status in (Status.ASSIGNED, Status.IN_PROGRESS)
                    elif event.kind == EventKind.MOVED:
                        assert event.from_status == event.to_status
                assert request.status == status, request.tracking_code


@pytest.fixture
def machine(template: Template, tmp_path: Path) -> type[SyncMachine]:
    SyncMachine.template = template
    SyncMachine.workdir = tmp_path
    return SyncMachine


# With photos, a default run took 301 s at load 15 on two cores: the
# limit is there to catch a hang, not to time it.
@pytest.mark.timeout(0 if _soak else 900)  # a soak runs as long as it takes
def test_offices_and_the_centre_stay_in_step(machine: type[SyncMachine]) -> None:
    # PostgreSQL examples cost a database each: fewer of them, the same rules.
    examples = SETTINGS.max_examples if not machine.template.on_postgresql or _soak \
        else POSTGRESQL_EXAMPLES
    run_state_machine_as_test(machine, settings=settings(SETTINGS, max_examples=examples))
