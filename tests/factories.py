"""Test data for the office database, shared by the test packages.

``office`` makes a migrated office store with the Kashan reference data and two
crews; ``make_request`` adds a request with sensible defaults that any test can
override, with its created event, as sync would have delivered it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from desktop_app.services.requests import Actor, Desk
from desktop_app.store import models as m
from desktop_app.store import reference as store_reference
from desktop_app.store.db import Store, open_store
from sync import reference
from sync.dates import UTC
from sync.schema import new_id
from sync.text import search_text
from sync.workflow import EventKind, Role

CLERK = Actor(username="clerk", role=Role.CLERK, display_name="زهرا احمدی", office_number=3)
SUPERVISOR = Actor(username="super", role=Role.SUPERVISOR, display_name="رضا کریمی", office_number=3)
MANAGER = Actor(username="boss", role=Role.MANAGER, display_name="مریم صادقی", office_number=3)

CREW_A = uuid.UUID("00000000-0000-7000-8000-00000000000a")
CREW_B = uuid.UUID("00000000-0000-7000-8000-00000000000b")


def office(folder: Path) -> Store:
    store = open_store(folder)
    now = dt.datetime(2026, 3, 1, tzinfo=UTC)
    with store.sessions.begin() as session:
        store_reference.install(session, reference.load())
        session.add_all([
            m.Crew(id=CREW_A, district_code="1-1", name="اکیپ تنظیف ۱", supervisor="حسین رضایی",
                   phone="09131112233", active=True, version=1, updated_at=now),
            m.Crew(id=CREW_B, district_code="1-1", name="اکیپ آسفالت", supervisor="علی محمدی",
                   phone="09134445566", active=True, version=1, updated_at=now),
        ])
    return store


_counter = iter(range(1, 10**9))


def make_request(store: Store, **values: Any) -> m.ServiceRequest:
    received = values.pop("received_at", dt.datetime(2026, 4, 1, 6, 30, tzinfo=UTC))
    row: dict[str, Any] = dict(
        id=new_id(), tracking_code=f"1405{next(_counter):06d}", received_at=received,
        channel="phone", district_code="1-1", neighbourhood_code="bazaar",
        category_code="garbage", description="زباله‌ها دو روز است جمع‌آوری نشده",
        citizen_name="محمد حسینی", citizen_phone="09121234567",
        address="کاشان، خیابان بابا افضل، کوچه ۱۲", status="referred", outcome_note="",
        version=1, updated_at=received,
    )
    row.update(values)
    request = m.ServiceRequest(**row)
    request.search_text = search_text(request.tracking_code, request.citizen_name,
                                      request.citizen_phone, request.address, request.description)
    with store.sessions.begin() as session:
        session.add(request)
        session.flush()
        session.add(m.Event(request_id=request.id, kind=EventKind.CREATED.value,
                            to_status=request.status, actor="centre", actor_role="centre",
                            server_time=received, data={}, note=""))
    return request


def enrol_as(store: Store, *, everywhere: bool, districts: tuple[str, ...] = ("1-1",),
             number: int = 7) -> Store:
    """``store`` as if enrolled: the centre's own office (every district) when
    ``everywhere``, else a district office of ``districts``."""
    from desktop_app.services import sync_state
    from sync.protocol import OfficeInfo

    info = OfficeInfo(office_id=uuid.uuid4(), name="مرکز ۱۳۷" if everywhere else "ناحیه",
                      number=number, districts=[] if everywhere else list(districts),
                      all_districts=everywhere)
    with store.sessions.begin() as session:
        sync_state.write(session, sync_state.OFFICE, info.model_dump(mode="json"))
    return store


def desk(store: Store, actor: Actor = CLERK) -> Desk:
    return Desk(store.sessions, actor)
