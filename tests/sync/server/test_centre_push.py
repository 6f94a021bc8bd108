"""The centre's own moves pushed from its office (enrolled with every district, users of
role centre): applied there, refused from anywhere else and to anyone else, once only."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa

from sync.dates import utcnow
from sync.protocol import Op, parse_time
from sync.server.models import Event, Office, ServiceRequest
from tests.sync.client.harness import (
    D1,
    D2,
    Centre,
    mutation,
    neighbourhood_of,
    pull_all,
    push,
    rows,
)

CENTRE = "centre"  # the role; its staff member is ``operator137``


@pytest.fixture
def centre(centre_engine: sa.Engine) -> Centre:
    return Centre.on(centre_engine)


@pytest.fixture
def desk(centre: Centre) -> str:
    """The centre's own office: every district."""
    return centre.enrol(centre.add_office("مرکز ۱۳۷", all_districts=True))


@pytest.fixture
def district(centre: Centre) -> str:
    return centre.enrol(centre.add_office("ناحیه ۱", [D1]))


def _events(centre: Centre, request_id: uuid.UUID) -> list[Event]:
    with centre.sessions() as session:
        return list(session.scalars(sa.select(Event).where(Event.request_id == request_id)
                                    .order_by(Event.server_time, Event.id)))


def _number(centre: Centre, name: str) -> int:
    with centre.sessions() as session:
        return session.scalar(sa.select(Office.number).where(Office.name == name))  # type: ignore[return-value]


def _refer(request: uuid.UUID, district: str = D1, **payload: object) -> dict:
    return mutation(Op.REFER, request, {"district_code": district, "from_status": "received",
                                        **payload}, role=CENTRE)


# ----------------------------------------------------------------- referral


def test_a_referral_from_the_centres_office_carries_its_deadline(centre: Centre, desk: str) -> None:
    request = centre.intake(D1, refer=False)
    due = (utcnow() + dt.timedelta(days=3)).replace(microsecond=0)
    (result,) = push(centre.client(), desk, _refer(request, due_at=due.isoformat(), note="فوری"))
    assert result["outcome"] == "applied", result
    row = centre.request(request)
    assert (row.status, row.due_at) == ("referred", due)
    assert parse_time(result["server_value"]["due_at"]) == due
    event = _events(centre, request)[-1]
    assert (event.to_status, event.actor_role, event.note) == ("referred", "centre", "فوری")


def test_a_referral_without_a_deadline_gets_the_categorys(centre: Centre, desk: str) -> None:
    request = centre.intake(D1, refer=False)  # garbage: one day
    sent = mutation(Op.REFER, request, {"district_code": D1}, role=CENTRE)
    (result,) = push(centre.client(), desk, sent)
    assert result["outcome"] == "applied"
    assert centre.request(request).due_at == parse_time(sent["client_time"]) + dt.timedelta(days=1)


def test_a_plain_referral_by_status_change_gets_the_default_deadline_too(
        centre: Centre, desk: str) -> None:
    request = centre.intake(D1, refer=False)
    (result,) = push(centre.client(), desk, mutation(
        Op.CHANGE_STATUS, request, {"from_status": "received", "to_status": "referred"}, role=CENTRE))
    assert result["outcome"] == "applied" and centre.request(request).due_at is not None


def test_a_referral_to_another_district_reaches_its_offices_with_the_history(
        centre: Centre, desk: str) -> None:
    d1 = centre.enrol(centre.add_office("ناحیه ۱", [D1]))
    d2 = centre.enrol(centre.add_office("ناحیه ۲", [D2]))
    request = centre.intake(D1, refer=False)
    assert [r["id"] for r in rows(pull_all(centre.client(), d1), "requests")] == [str(request)]
    (result,) = push(centre.client(), desk, _refer(request, D2))
    assert result["outcome"] == "applied"
    row = centre.request(request)
    assert (row.district_code, row.neighbourhood_code) == (D2, None)
    pages = pull_all(centre.client(), d2)
    (got,) = rows(pages, "requests")
    assert (got["status"], got["district_code"]) == ("referred", D2) and got["due_at"]
    assert {e["kind"] for e in rows(pages, "events")} == {"created", "status"}
    assert str(request) in {i for p in pull_all(centre.client(), d1) for i in p["removed_requests"]}


def test_a_deadline_before_the_referral_is_refused(centre: Centre, desk: str) -> None:
    request = centre.intake(D1, refer=False)
    (result,) = push(centre.client(), desk, _refer(
        request, due_at=(utcnow() - dt.timedelta(days=1)).isoformat()))
    assert (result["outcome"], result["code"]) == ("rejected", "invalid_value")
    assert centre.request(request).status == "received"


def test_only_a_received_request_is_referred(centre: Centre, desk: str) -> None:
    """Work a district holds moves by MOVE_DISTRICT (which takes back the crew's work);
    REFER on it would move it while skipping that."""
    request = centre.intake(D1)  # referred
    with centre.sessions.begin() as session:  # a district's supervisor gave it to a crew
        session.get(ServiceRequest, request).status = "assigned"
    (result,) = push(centre.client(), desk, _refer(request, D2, from_status="assigned"))
    assert (result["outcome"], result["code"]) == ("rejected", "not_received"), result
    row = centre.request(request)
    assert (row.status, row.district_code) == ("assigned", D1)


# ------------------------------------------------------- who may, from where


@pytest.mark.parametrize("op, payload", [
    (Op.REFER, {"district_code": D1}),
    (Op.MOVE_DISTRICT, {"district_code": D2, "reason": "x"}),
    (Op.REPEAT_CALL, {"phone": "09121234567"}),
    (Op.ADD_NOTE, {"note": "آدرس؟", "purpose": "ask_citizen"}),
])
def test_a_centre_move_from_a_district_device_is_refused(
        centre: Centre, district: str, op: Op, payload: dict) -> None:
    request = centre.intake(D1, refer=op != Op.REFER)
    before = centre.request(request)
    for role in ("clerk", "manager"):
        (result,) = push(centre.client(), district, mutation(op, request, payload, role=role))
        assert (result["outcome"], result["code"]) == ("rejected", "not_centre_office"), result
    # A centre user the centre (wrongly) held for a district office is refused as well.
    (result,) = push(centre.client(), district, mutation(op, request, payload, role=CENTRE))
    assert (result["outcome"], result["code"]) == ("rejected", "centre_user_at_district_office")
    after = centre.request(request)
    assert (after.status, after.district_code, after.version) == (
        before.status, before.district_code, before.version)


@pytest.mark.parametrize("op, payload", [
    (Op.REFER, {"district_code": D1}),
    (Op.MOVE_DISTRICT, {"district_code": D2, "reason": "x"}),
    (Op.REPEAT_CALL, {"phone": "09121234567"}),
])
def test_a_centre_move_by_anyone_but_a_centre_user_is_refused(
        centre: Centre, desk: str, op: Op, payload: dict) -> None:
    request = centre.intake(D1, refer=op != Op.REFER)
    (result,) = push(centre.client(), desk, mutation(op, request, payload, role="manager"))
    assert (result["outcome"], result["code"]) == ("rejected", "role_not_allowed")


def test_a_replayed_centre_move_is_applied_once(centre: Centre, desk: str) -> None:
    request = centre.intake(D1)
    move = mutation(Op.MOVE_DISTRICT, request, {"district_code": D2, "reason": "محل اشتباه"},
                    role=CENTRE)
    call = mutation(Op.REPEAT_CALL, request, {"phone": "09120001122"}, role=CENTRE)
    first = push(centre.client(), desk, move, call)
    again = push(centre.client(), desk, move, call)
    assert [r["outcome"] for r in first] == ["applied", "applied"] and again == first
    kinds = [e.kind for e in _events(centre, request)]
    assert kinds.count("moved") == 1 and kinds.count("repeat_call") == 1


def test_a_centre_user_belongs_only_to_the_centres_office(
        centre: Centre, desk: str, district: str) -> None:
    user = {"username": "ops2", "display_name": "اپراتور ۲", "role": "centre", "active": True}
    (at_district,) = push(centre.client(), district, mutation(
        Op.UPSERT_USER, uuid.uuid4(), user, entity="user", role=None))
    assert (at_district["outcome"], at_district["code"]) == ("rejected", "invalid_value")
    (at_centre,) = push(centre.client(), desk, mutation(
        Op.UPSERT_USER, uuid.uuid4(), user, entity="user", role=None))
    assert at_centre["outcome"] == "applied"


# ---------------------------------------------------------------- the rest


def test_a_move_takes_back_the_crews_work_and_arrives_whole(centre: Centre, desk: str) -> None:
    d2 = centre.enrol(centre.add_office("ناحیه ۲", [D2]))
    request, crew = centre.intake(D1), centre.add_crew(D1)
    district = centre.enrol(centre.add_office("ناحیه ۱", [D1]))
    assert push(centre.client(), district, mutation(Op.ASSIGN, request, {"crew_id": str(crew)}),
                mutation(Op.ADD_NOTE, request, {"note": "اکیپ رفت"}))[1]["outcome"] == "applied"
    (result,) = push(centre.client(), desk, mutation(
        Op.MOVE_DISTRICT, request, {"district_code": D2, "neighbourhood_code": neighbourhood_of(D2),
                                    "reason": "محل در ناحیه ۲"}, role=CENTRE))
    assert result["outcome"] == "applied", result
    row = centre.request(request)
    assert (row.status, row.crew_id, row.district_code) == ("referred", None, D2)
    moved = _events(centre, request)[-1]
    assert (moved.kind, moved.from_status, moved.to_status, moved.note, moved.data) == (
        "moved", "assigned", "referred", "محل در ناحیه ۲", {"from_district": D1, "to_district": D2})
    pages = pull_all(centre.client(), d2)
    assert {e["kind"] for e in rows(pages, "events")} == {
        "created", "status", "assigned", "note", "moved"}
    # Where it cannot go: a request still waiting, the same district, no reason.
    waiting = centre.intake(D1, refer=False)
    for target, payload, code in (
            (waiting, {"district_code": D2, "reason": "x"}, "cannot_move"),
            (request, {"district_code": D2, "reason": "x"}, "invalid_value"),
            (request, {"district_code": D1, "reason": " "}, "invalid_value")):
        (refused,) = push(centre.client(), desk, mutation(Op.MOVE_DISTRICT, target, payload,
                                                          role=CENTRE))
        assert (refused["outcome"], refused["code"]) == ("rejected", code)


def test_a_call_from_the_centres_office_is_received_with_its_code(centre: Centre, desk: str) -> None:
    number = _number(centre, "مرکز ۱۳۷")
    request = uuid.uuid4()
    row = {"id": str(request), "tracking_code": f"1405-{number}-1",
           "received_at": utcnow().isoformat(), "channel": "phone", "district_code": D2,
           "neighbourhood_code": neighbourhood_of(D2), "category_code": "asphalt",
           "description": "چاله", "citizen_phone": "09121234567", "status": "received"}
    event = str(uuid.uuid4())
    (result,) = push(centre.client(), desk, mutation(
        Op.CREATE_REQUEST, request, {"event_id": event, "request": row}, role=CENTRE))
    assert result["outcome"] == "applied", result
    stored = centre.request(request)
    assert (stored.status, stored.channel, stored.due_at) == ("received", "phone", None)
    (result,) = push(centre.client(), desk, mutation(
        Op.CREATE_REQUEST, uuid.uuid4(), {"request": {**row, "id": None}}, role="manager"))
    assert result["outcome"] == "rejected"


def test_a_call_pushed_by_a_district_office_is_refused(centre: Centre, district: str) -> None:
    number = _number(centre, "ناحیه ۱")
    request = uuid.uuid4()
    row = {"id": str(request), "tracking_code": f"1405-{number}-1",
           "received_at": utcnow().isoformat(), "channel": "phone", "district_code": D1,
           "neighbourhood_code": neighbourhood_of(D1), "category_code": "asphalt",
           "description": "چاله", "citizen_phone": "09121234567", "status": "received"}
    (result,) = push(centre.client(), district, mutation(
        Op.CREATE_REQUEST, request, {"request": row}, role="clerk"))
    assert (result["outcome"], result["code"]) == ("rejected", "not_centre_office")


def test_the_centre_closes_a_received_request_from_its_office(
        centre: Centre, desk: str, district: str) -> None:
    request = centre.intake(D1, refer=False)
    close = {"from_status": "received", "to_status": "not_actionable", "reason": "false_report"}
    (refused,) = push(centre.client(), district, mutation(Op.CHANGE_STATUS, request, close,
                                                          role="manager"))
    assert (refused["outcome"], refused["code"]) == ("rejected", "role_not_allowed")
    (result,) = push(centre.client(), desk, mutation(Op.CHANGE_STATUS, request, close, role=CENTRE))
    assert result["outcome"] == "applied"
    assert centre.request(request).status == "not_actionable"
