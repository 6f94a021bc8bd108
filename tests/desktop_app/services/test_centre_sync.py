"""The centre's desk end to end: its office takes a call, refers it with a deadline,
moves it; district offices in other data folders sync and have what they must — and a
centre move a district office sends anyway is refused and kept in its inbox."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from desktop_app.services import sync_problems, sync_service
from desktop_app.services.centre import Call, CentreDesk
from desktop_app.services.requests import Desk
from desktop_app.store import models as m
from desktop_app.store.db import Store, open_store
from sync.dates import utcnow
from sync.protocol import Op, ReferPayload
from sync.schema import new_id
from sync.workflow import Role
from tests.desktop_app.services.sync_support import centre, client, history, local, office, sync
from tests.sync.client.harness import D1, D2, Centre, neighbourhood_of, office_actor

__all__ = ["centre", "client"]  # fixtures used by name


def _centre_office(tmp_path: Path, centre: Centre, client: TestClient) -> Store:
    store = open_store(tmp_path / "centre-office")
    sync_service.enroll(store, "http://localhost",
                        centre.add_office("مرکز ۱۳۷", all_districts=True), client=client)
    sync(store, client)
    return store


def test_a_referral_with_its_deadline_reaches_the_district_and_a_move_arrives_whole(
        tmp_path: Path, centre: Centre, client: TestClient) -> None:
    desk_store = _centre_office(tmp_path, centre, client)
    d1 = office(tmp_path, centre, client, (D1,), name="ناحیه ۱", folder="d1")
    d2 = office(tmp_path, centre, client, (D2,), name="ناحیه ۲", folder="d2")
    operator = CentreDesk(desk_store.sessions, office_actor(desk_store, Role.CENTRE))
    call = operator.take_call(Call(citizen_phone="09123334455", category_code="asphalt",
                                   neighbourhood_code=neighbourhood_of(D1),
                                   description="چاله بزرگ جلوی مدرسه"))
    operator.ask_citizen(call.id, "پلاک دقیق؟")
    due = (utcnow() + dt.timedelta(days=5)).replace(microsecond=0)
    operator.refer([call.id], D1, due_at=due, note="فوری")
    report = sync(desk_store, client)
    assert (report.pushed, report.applied, report.rejected) == (3, 3, 0)
    assert centre.request(call.id).due_at == due

    sync(d1, client)
    there = local(d1, call.id)
    assert there is not None
    assert (there.status, there.due_at, there.tracking_code) == ("referred", due, call.tracking_code)
    assert history(d1, call.id) == ["created", "note", "status"]

    # The district works on it, then the centre moves it to district 2 with a reason.
    Desk(d1.sessions, office_actor(d1, Role.CLERK)).add_note(call.id, "بازدید شد")
    sync(d1, client)
    sync(desk_store, client)
    operator.move_district(call.id, D2, "محل در ناحیه ۲ است", neighbourhood_code=neighbourhood_of(D2))
    sync(desk_store, client)
    sync(d2, client)
    moved = local(d2, call.id)
    assert moved is not None and (moved.district_code, moved.due_at) == (D2, due)
    assert history(d2, call.id) == ["created", "moved", "note", "note", "status"]
    with d2.sessions() as session:
        notes = set(session.scalars(sa.select(m.Event.note).where(m.Event.request_id == call.id)))
    assert {"پلاک دقیق؟", "بازدید شد", "محل در ناحیه ۲ است", "فوری"} <= notes
    sync(d1, client)
    assert local(d1, call.id) is None


def test_a_centre_move_sent_by_a_district_office_is_refused_and_kept_in_its_inbox(
        tmp_path: Path, centre: Centre, client: TestClient) -> None:
    request = centre.intake(D1, refer=False)
    d1 = office(tmp_path, centre, client, (D1,), name="ناحیه ۱", folder="d1")
    sync(d1, client)
    # What an older or tampered app might queue: the office's own desk never would.
    with d1.sessions.begin() as session:
        session.add(m.OutboxEntry(
            mutation_id=new_id(), entity="request", entity_id=request, op=Op.REFER.value,
            base_version=None, created_at=utcnow(), actor="boss",
            payload=ReferPayload(event_id=new_id(), district_code=D1).model_dump(mode="json")))
    sync(d1, client)
    (problem,) = sync_problems.problem_rows(d1)
    assert (problem.op, problem.reason_code, problem.kind) == ("refer", "not_centre_office", "rejected")
    assert centre.request(request).status == "received"
    # Re-applying it at the district office is refused by the office itself.
    try:
        sync_problems.reapply_problem(d1, problem.id, office_actor(d1, Role.MANAGER))
    except Exception as refused:  # noqa: BLE001 — the code is what matters
        assert getattr(refused, "code", None) == "not_centre_office"
    else:
        raise AssertionError("a district office re-applied a centre move")
    assert len(sync_problems.problem_rows(d1)) == 1
