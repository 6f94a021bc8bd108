"""The 137 centre's desk at the office end: calls, duplicates, the verification queue,
referral with deadlines, moves — and its refusals anywhere but the centre's office."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop_app.errors import ServiceError, ValidationFailed
from desktop_app.services import centre as c
from desktop_app.services.centre import Call, CentreDesk
from desktop_app.services.requests import Actor, Desk
from desktop_app.store import models as m
from desktop_app.store.db import Store
from sync.dates import UTC, utcnow
from sync.protocol import Op
from sync.workflow import EventKind, Role, Status
from tests.desktop_app.services.test_requests import walk_in
from tests.factories import CLERK as DISTRICT_CLERK
from tests.factories import CREW_A, desk, enrol_as, make_request, office

OPERATOR = Actor(username="operator137", role=Role.CENTRE, display_name="اپراتور", office_number=7)
CLERK = Actor(username="clerk", role=Role.CLERK, office_number=7)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """The centre's office: enrolled with every district."""
    return enrol_as(office(tmp_path), everywhere=True)


@pytest.fixture
def district_store(tmp_path: Path) -> Store:
    return enrol_as(office(tmp_path / "district"), everywhere=False)


def _desk(store: Store, actor: Actor = OPERATOR) -> CentreDesk:
    return CentreDesk(store.sessions, actor)


def _call(**values: object) -> Call:
    base: dict[str, object] = {"citizen_phone": "۰۹۱۲ ۳۴۵ ۶۷۸۹", "category_code": "garbage",
                               "neighbourhood_code": "fin", "description": "زباله جمع نشده"}
    base.update(values)
    return Call(**base)  # type: ignore[arg-type]


def _outbox(store: Store) -> list[m.OutboxEntry]:
    with store.sessions() as session:
        return list(session.scalars(sa.select(m.OutboxEntry).order_by(m.OutboxEntry.seq)))


def _events(store: Store, request_id: uuid.UUID) -> list[m.Event]:
    with store.sessions() as session:
        return list(session.scalars(sa.select(m.Event).where(m.Event.request_id == request_id)
                                    .order_by(m.Event.client_time)))


def _row(store: Store, request_id: uuid.UUID) -> m.ServiceRequest:
    with store.sessions() as session:
        row = session.get(m.ServiceRequest, request_id)
        assert row is not None
        return row


# ----------------------------------------------------------------- where we are


def test_only_an_office_of_every_district_is_the_centres_desk(
        store: Store, district_store: Store, tmp_path: Path) -> None:
    assert c.is_centre_office(store)
    assert not c.is_centre_office(district_store)
    assert not c.is_centre_office(office(tmp_path / "new"))  # not enrolled: no centre moves


def test_the_centres_moves_are_refused_at_a_district_office_and_to_others(
        store: Store, district_store: Store) -> None:
    request = make_request(district_store, status="received")
    for action in (lambda d: d.take_call(_call(neighbourhood_code="bazaar")),
                   lambda d: d.refer([request.id]),
                   lambda d: d.attach_repeat_call(request.id, "09121234567"),
                   lambda d: d.ask_citizen(request.id, "آدرس دقیق؟"),
                   lambda d: d.close_not_actionable(request.id, "false_report")):
        with pytest.raises(ServiceError) as refused:
            action(_desk(district_store))
        assert refused.value.code == "not_centre_office"
    ours = make_request(store, status="received")
    with pytest.raises(ServiceError) as refused:
        _desk(store, CLERK).refer([ours.id])
    assert refused.value.code == "role_not_allowed"
    assert _outbox(district_store) == [] and _outbox(store) == []


def test_a_centre_user_at_a_district_office_is_refused_by_the_office_itself(
        district_store: Store) -> None:
    request = make_request(district_store)
    desk = Desk(district_store.sessions, OPERATOR)
    for action in (lambda: desk.add_note(request.id, "سلام"),
                   lambda: desk.change_status([request.id], Status.NOT_ACTIONABLE, reason="not_found"),
                   lambda: desk.assign([request.id], CREW_A),
                   lambda: desk.record_work_orders_issued([request.id])):
        with pytest.raises(ServiceError) as refused:
            action()
        assert refused.value.code == "centre_user_at_district_office"
    assert _outbox(district_store) == []


# ------------------------------------------------------------- typed lookups


def test_a_category_is_found_by_a_few_letters_with_arabic_ye_and_kaf(store: Store) -> None:
    found = c.find_categories(store, "جمع")
    assert found[0].code == "garbage" and found[0].target_days == 1
    # Arabic kaf and ye, as a keyboard may type them, find the Persian names.
    assert [x.code for x in c.find_categories(store, "ترمیم بلو")] == ["block_paving"]
    assert "block_paving" in [x.code for x in c.find_categories(store, "بلوك")]
    assert c.find_categories(store, "zzz") == ()


def test_a_neighbourhood_is_found_by_letters_and_fills_its_district(store: Store) -> None:
    (fin, *_) = c.find_neighbourhoods(store, "في")  # Arabic ye
    assert (fin.code, fin.district_code) == ("fin", "2-1")
    assert c.suggested_district(store, "baba-afzal") == "3-2"
    assert c.suggested_district(store, None) is None


# -------------------------------------------------------------- the caller


def test_the_callers_earlier_requests_come_newest_first_with_their_status(store: Store) -> None:
    old = make_request(store, citizen_phone="09123456789", status="done",
                       received_at=dt.datetime(2026, 1, 1, tzinfo=UTC))
    new = make_request(store, citizen_phone="09123456789", status="referred",
                       received_at=dt.datetime(2026, 3, 1, tzinfo=UTC))
    make_request(store, citizen_phone="09120000000")
    history = c.caller_history(store, "+98 912 345 6789")
    assert [(h.id, h.status) for h in history] == [(new.id, Status.REFERRED), (old.id, Status.DONE)]
    assert c.caller_history(store, "۰۹۱۲۳۴۵") == ()  # not a whole number yet


# ------------------------------------------------------------------- calls


def test_a_call_is_registered_received_with_a_final_code_and_goes_out(store: Store) -> None:
    registered = _desk(store).take_call(_call())
    assert registered.status == Status.RECEIVED
    assert registered.tracking_code.endswith("-7-1")
    row = _row(store, registered.id)
    assert (row.channel, row.district_code, row.citizen_phone, row.due_at) == (
        "phone", "2-1", "09123456789", None)
    (entry,) = _outbox(store)
    assert entry.op == Op.CREATE_REQUEST.value
    assert entry.payload["request"]["status"] == "received"
    (event,) = _events(store, registered.id)
    assert (event.kind, event.actor_role, event.data) == ("created", "centre", {"source": "phone"})
    second = _desk(store).take_call(_call(channel="web", citizen_phone=""))
    assert second.tracking_code.endswith("-7-2") and _row(store, second.id).channel == "web"


def test_a_call_form_names_every_field_to_fix(store: Store) -> None:
    with pytest.raises(ValidationFailed) as failed:
        _desk(store).take_call(Call(channel="walk_in"))
    assert {p.field for p in failed.value.problems} == {
        "description", "neighbourhood_code", "category_code", "channel"}
    with pytest.raises(ValidationFailed) as failed:
        _desk(store).take_call(_call(citizen_phone=""))
    assert [p.field for p in failed.value.problems] == ["citizen_phone"]
    assert _outbox(store) == []


# ------------------------------------------------------------- duplicates


def test_possible_duplicates_are_open_same_category_and_place_recent_and_near(store: Store) -> None:
    now = utcnow()
    recent = now - dt.timedelta(days=2)
    near = make_request(store, neighbourhood_code="fin", district_code="2-1", received_at=recent,
                        latitude=33.9500, longitude=51.4000)
    no_point = make_request(store, neighbourhood_code="fin", district_code="2-1",
                            received_at=recent - dt.timedelta(hours=1))
    # Each of these differs in one thing.
    make_request(store, neighbourhood_code="fin", district_code="2-1", received_at=recent,
                 latitude=33.9600, longitude=51.4000)  # 1.1 km away
    make_request(store, neighbourhood_code="fin", district_code="2-1", received_at=recent,
                 status="done")
    make_request(store, neighbourhood_code="sarsiab", district_code="2-1", received_at=recent)
    make_request(store, neighbourhood_code="fin", district_code="2-1", received_at=recent,
                 category_code="asphalt")
    make_request(store, neighbourhood_code="fin", district_code="2-1",
                 received_at=now - dt.timedelta(days=40))
    found = c.possible_duplicates(store, "garbage", "fin", 33.9510, 51.4000, now=now)
    assert [d.id for d in found] == [near.id, no_point.id]
    assert 100 < (found[0].distance_m or 0) < 120
    without_point = c.possible_duplicates(store, "garbage", "fin", now=now)
    assert len(without_point) == 3  # the far one too, when the call has no point
    assert len(c.possible_duplicates(store, "garbage", "fin", now=now, days=60)) == 4


def test_a_repeat_call_is_attached_to_an_open_request_not_made_again(store: Store) -> None:
    request = make_request(store, neighbourhood_code="fin", district_code="2-1")
    _desk(store).attach_repeat_call(request.id, "۰۹۱۲۱۱۱۲۲۳۳", "دوباره زنگ زد")
    event = _events(store, request.id)[-1]
    assert (event.kind, event.data, event.note) == (
        EventKind.REPEAT_CALL.value, {"phone": "09121112233"}, "دوباره زنگ زد")
    (entry,) = _outbox(store)
    assert (entry.op, entry.payload["phone"]) == (Op.REPEAT_CALL.value, "09121112233")
    closed = make_request(store, status="done")
    with pytest.raises(ServiceError) as refused:
        _desk(store).attach_repeat_call(closed.id, "09121112233")
    assert refused.value.code == "not_open"


# ------------------------------------------------------- verification queue


def test_the_queue_holds_received_requests_oldest_first_with_their_age(store: Store) -> None:
    now = dt.datetime(2026, 5, 1, tzinfo=UTC)
    ids = [make_request(store, status="received", neighbourhood_code="fin", district_code="2-1",
                        received_at=now - dt.timedelta(hours=h)).id for h in (1, 5, 3)]
    make_request(store, status="referred", received_at=now - dt.timedelta(days=9))
    page = c.verification_queue(store, limit=2, now=now)
    assert page.total == 3
    assert [r.id for r in page.rows] == [ids[1], ids[2]]
    assert page.rows[0].age == dt.timedelta(hours=5) and page.rows[0].suggested_district == "2-1"
    assert [r.id for r in c.verification_queue(store, limit=2, offset=2, now=now).rows] == [ids[0]]


# ---------------------------------------------------------------- referral


def test_referral_sets_the_categorys_deadline_or_the_one_chosen(store: Store) -> None:
    a = make_request(store, status="received", category_code="asphalt")
    b = make_request(store, status="received")
    before = utcnow()
    _desk(store).refer([a.id])
    due = _row(store, a.id).due_at
    assert due is not None and before + dt.timedelta(days=14) <= due <= utcnow() + dt.timedelta(days=14)
    chosen = utcnow() + dt.timedelta(days=3)
    _desk(store).refer([b.id], "1-1", due_at=chosen, note="فوری")
    assert _row(store, b.id).due_at == chosen
    event = _events(store, b.id)[-1]
    assert (event.from_status, event.to_status, event.note) == ("received", "referred", "فوری")
    entry = _outbox(store)[-1]
    assert entry.op == Op.REFER.value
    assert (entry.payload["district_code"], entry.payload["due_at"]) == ("1-1", chosen.isoformat()
                                                                         .replace("+00:00", "Z"))


def test_referral_to_another_district_takes_the_request_there(store: Store) -> None:
    request = make_request(store, status="received")  # bazaar, in 1-1
    _desk(store).refer([request.id], "2-1")
    row = _row(store, request.id)
    assert (row.status, row.district_code, row.neighbourhood_code) == ("referred", "2-1", None)
    assert _events(store, request.id)[-1].data["from_district"] == "1-1"


def test_a_bulk_referral_is_all_or_nothing(store: Store) -> None:
    good = [make_request(store, status="received").id for _ in range(3)]
    done = make_request(store, status="referred").id
    with pytest.raises(ServiceError) as refused:
        _desk(store).refer([*good, done])
    assert refused.value.code == "not_a_move"
    assert {_row(store, i).status for i in good} == {"received"} and _outbox(store) == []
    _desk(store).refer(good)
    assert {_row(store, i).status for i in good} == {"referred"} and len(_outbox(store)) == 3


def test_only_a_received_request_is_referred_here_too(store: Store) -> None:
    request = make_request(store, status="assigned")
    with pytest.raises(ServiceError) as refused:
        _desk(store).refer([request.id], "2-1")
    assert refused.value.code == "not_received"
    assert (_row(store, request.id).status, _outbox(store)) == ("assigned", [])


def test_a_deadline_before_the_referral_is_refused(store: Store) -> None:
    request = make_request(store, status="received")
    with pytest.raises(ValidationFailed) as failed:
        _desk(store).refer([request.id], due_at=utcnow() - dt.timedelta(hours=1))
    assert [(p.field, p.code) for p in failed.value.problems] == [("due_at", "due_in_past")]


# --------------------------------------------------- close, ask, move


def test_closing_as_a_duplicate_links_the_original(store: Store) -> None:
    original = make_request(store)
    copy = make_request(store, status="received")
    _desk(store).close_not_actionable(copy.id, "duplicate", duplicate_of=original.id)
    row = _row(store, copy.id)
    assert (row.status, row.outcome_reason, row.duplicate_of) == (
        "not_actionable", "duplicate", original.id)
    with pytest.raises(ServiceError):
        _desk(store).close_not_actionable(make_request(store, status="received").id, "")


def test_asking_the_citizen_is_a_marked_note_and_the_request_waits(store: Store) -> None:
    request = make_request(store, status="received")
    _desk(store).ask_citizen(request.id, "پلاک منزل را بفرستید")
    event = _events(store, request.id)[-1]
    assert (event.kind, event.data) == ("note", {"purpose": "ask_citizen"})
    assert _outbox(store)[-1].payload["purpose"] == "ask_citizen"
    assert _row(store, request.id).status == "received"


def test_moving_a_request_takes_back_the_crews_work_and_keeps_a_reason(store: Store) -> None:
    request = make_request(store, status="assigned", crew_id=CREW_A)
    _desk(store).move_district(request.id, "2-1", "محل در ناحیه ۲ است", neighbourhood_code="fin")
    row = _row(store, request.id)
    assert (row.status, row.crew_id, row.district_code, row.neighbourhood_code) == (
        "referred", None, "2-1", "fin")
    event = _events(store, request.id)[-1]
    assert (event.kind, event.from_status, event.to_status, event.note, event.data) == (
        "moved", "assigned", "referred", "محل در ناحیه ۲ است",
        {"from_district": "1-1", "to_district": "2-1"})
    assert _outbox(store)[-1].op == Op.MOVE_DISTRICT.value
    for district, reason, code in (("2-1", "دوباره", "same_district"), ("3-1", "  ", "required"),
                                   ("9-9", "x", "unknown_district")):
        with pytest.raises(ValidationFailed) as failed:
            _desk(store).move_district(request.id, district, reason)
        assert failed.value.problems[0].code == code
    with pytest.raises(ServiceError) as refused:
        _desk(store).move_district(make_request(store, status="received").id, "2-1", "x")
    assert refused.value.code == "cannot_move"



def test_a_move_keeps_the_neighbourhood_when_it_lies_in_the_new_district(store: Store) -> None:
    # Referred to 1-1 by mistake, though Fin is in 2-1: moved without naming one,
    # it keeps Fin; one outside the new district (the bazaar, in 1-1) is not kept.
    wrong = make_request(store, status="referred", neighbourhood_code="fin")
    _desk(store).move_district(wrong.id, "2-1", "فین در ناحیه ۲ است")
    assert (_row(store, wrong.id).district_code, _row(store, wrong.id).neighbourhood_code) == (
        "2-1", "fin")
    assert _outbox(store)[-1].payload["neighbourhood_code"] == "fin"
    elsewhere = make_request(store, status="referred", neighbourhood_code="bazaar")
    _desk(store).move_district(elsewhere.id, "2-1", "محل در ناحیه ۲ است")
    assert _row(store, elsewhere.id).neighbourhood_code is None
    assert _outbox(store)[-1].payload["neighbourhood_code"] is None


# ----------------------------------------------------------------- overdue


def test_overdue_work_everywhere_latest_first_by_how_late(store: Store) -> None:
    now = dt.datetime(2026, 6, 1, tzinfo=UTC)
    late = make_request(store, district_code="2-1", neighbourhood_code="fin",
                        due_at=now - dt.timedelta(days=5))
    later = make_request(store, status="in_progress", crew_id=CREW_A,
                         due_at=now - dt.timedelta(days=9))
    make_request(store, due_at=now + dt.timedelta(days=1))
    make_request(store, status="done", due_at=now - dt.timedelta(days=30))
    make_request(store, status="received")
    rows = c.overdue_everywhere(store, now)
    assert [(r.id, r.late) for r in rows] == [(later.id, dt.timedelta(days=9)),
                                              (late.id, dt.timedelta(days=5))]
    assert [r.id for r in c.overdue_everywhere(store, now, districts=["2-1"])] == [late.id]
    assert c.overdue_by_district(store, now) == {"1-1": (1, 2), "2-1": (1, 1)}


def test_a_walk_in_gets_its_categorys_deadline(district_store: Store) -> None:
    registered = desk(district_store, DISTRICT_CLERK).register_walk_in(walk_in())
    row = _row(district_store, registered.id)
    assert row.due_at is not None and row.due_at - row.received_at == dt.timedelta(days=1)


def test_a_centre_user_is_made_only_at_the_centres_office(store: Store, district_store: Store) -> None:
    from desktop_app.services import users

    users.create_user(store.sessions, username="op", display_name="اپراتور", role="centre",
                      password="secret1")
    with pytest.raises(ValidationFailed) as failed:
        users.create_user(district_store.sessions, username="op", display_name="اپراتور",
                          role="centre", password="secret1")
    assert [(p.field, p.code) for p in failed.value.problems] == [
        ("role", "centre_user_at_district_office")]
