"""Forged pushes: the centre checks who acts, whatever the device claims.

For every :class:`~sync.protocol.Op`, a mutation that an office's rightful user gets
applied is refused when it comes from a role that may not make it, from a name that
is no user of the office, or from a user the office has deactivated: each with its
stable code, and nothing stored — no history entry, the row as it was, and in the
change log only the entity logged again as it stands (which brings an office that
changed it locally back to the centre's copy).  The office's end (the refusal kept
in its inbox) is in tests/desktop_app/services/test_forged_changes.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from sync.dates import utcnow
from sync.protocol import Op
from sync.server import db as centre_db
from sync.server import operations as ops
from sync.server.models import ChangeLog, Crew, Event, OfficeUser, ServiceRequest
from sync.workflow import Role
from tests.sync.client.harness import D1, D2, STAFF, Centre, mutation, neighbourhood_of, push

OFFICE = "A"


@pytest.fixture
def centre(centre_engine: sa.Engine) -> Centre:
    return Centre.on(centre_engine)


@pytest.fixture
def office(centre: Centre) -> str:
    return centre.enrol(centre.add_office(OFFICE, [D1]))


@dataclass(frozen=True)
class Case:
    """An op's mutation: who may make it (``rightful``), one who may not
    (``forbidden``: an actor and the role they claim), and how to make it."""

    rightful: tuple[str, str | None]
    forbidden: tuple[str, str | None]
    make: Callable[[Centre, str, str | None], dict[str, Any]]
    #: Made at the centre's own office (every district): the centre's moves.
    everywhere: bool = False


def office_for(centre: Centre, op: Op) -> str:
    """The office an op's case is pushed from: the centre's own for its moves."""
    everywhere = CASES[op].everywhere
    return centre.enrol(centre.add_office(OFFICE, [] if everywhere else [D1],
                                          all_districts=everywhere))


def _closed_request(centre: Centre) -> uuid.UUID:
    request = centre.intake(D1)
    with centre.sessions.begin() as session:
        row = session.get(ServiceRequest, request)
        row.status, row.closed_at, row.version = "done", utcnow(), row.version + 1
    return request


def _walk_in(centre: Centre, actor: str, role: str | None) -> dict[str, Any]:
    request = uuid.uuid4()
    row = {"id": str(request), "tracking_code": "1405-1-1", "received_at": utcnow().isoformat(),
           "channel": "walk_in", "district_code": D1, "neighbourhood_code": neighbourhood_of(D1),
           "category_code": "garbage", "description": "سد معبر", "citizen_name": "مینا",
           "citizen_phone": "09121234567", "address": "", "status": "referred"}
    return mutation(Op.CREATE_REQUEST, request, {"request": row}, role=role, actor=actor)


def _crew_values(crew: uuid.UUID) -> dict[str, Any]:
    return {"id": str(crew), "name": "اکیپ یک", "supervisor": "", "phone": None,
            "district_code": D1, "active": True}


CASES: dict[Op, Case] = {
    Op.CREATE_REQUEST: Case(("clerk", "clerk"), ("cli", "supervisor"), _walk_in),
    # Reopening is the desk's (clerk, manager), not a crew supervisor's.
    Op.CHANGE_STATUS: Case(("clerk", "clerk"), ("super", "supervisor"), lambda c, a, r: mutation(
        Op.CHANGE_STATUS, _closed_request(c), {"from_status": "done", "to_status": "referred"},
        role=r, actor=a)),
    Op.ASSIGN: Case(("super", "supervisor"), ("cli", "supervisor"), lambda c, a, r: mutation(
        Op.ASSIGN, c.intake(D1), {"crew_id": str(c.add_crew(D1)), "from_status": "referred"},
        role=r, actor=a)),
    Op.ADD_NOTE: Case(("clerk", "clerk"), ("cli", "supervisor"), lambda c, a, r: mutation(
        Op.ADD_NOTE, c.intake(D1), {"note": "یادداشت"}, role=r, actor=a)),
    # Anyone at the office, and its command line, records a printed work order: the
    # one who may not is the centre, whose role no office user has.
    Op.WORK_ORDER_ISSUED: Case(("cli", "supervisor"), ("clerk", "centre"), lambda c, a, r: mutation(
        Op.WORK_ORDER_ISSUED, c.intake(D1), role=r, actor=a)),
    # Correcting a request is the desk's, not a crew supervisor's.
    Op.EDIT_REQUEST: Case(("clerk", "clerk"), ("super", "supervisor"), lambda c, a, r: mutation(
        Op.EDIT_REQUEST, c.intake(D1), {"changes": {"address": "کوچه ۳"}, "base": {"address": ""}},
        role=r, actor=a)),
    # Crews are a manager's or a supervisor's (the office sends no role with them).
    Op.UPSERT_CREW: Case(("super", None), ("clerk", None), lambda c, a, r: mutation(
        Op.UPSERT_CREW, (crew := c.add_crew(D1)), {"crew": _crew_values(crew)}, entity="crew",
        base_version=1, role=r, actor=a)),
    # People are a manager's.
    Op.UPSERT_USER: Case(("boss", None), ("clerk", None), lambda c, a, r: mutation(
        Op.UPSERT_USER, uuid.uuid4(), {"username": "neda", "display_name": "ندا", "role": "manager",
                                       "active": True}, entity="user", role=r, actor=a)),
    # The centre's moves are its operators' (at its own office), not an office manager's.
    Op.REFER: Case(("operator137", "centre"), ("boss", "manager"), lambda c, a, r: mutation(
        Op.REFER, c.intake(D1, refer=False), {"district_code": D1}, role=r, actor=a), True),
    Op.MOVE_DISTRICT: Case(("operator137", "centre"), ("boss", "manager"), lambda c, a, r: mutation(
        Op.MOVE_DISTRICT, c.intake(D1), {"district_code": D2, "reason": "محل"}, role=r, actor=a),
        True),
    Op.REPEAT_CALL: Case(("operator137", "centre"), ("clerk", "clerk"), lambda c, a, r: mutation(
        Op.REPEAT_CALL, c.intake(D1), {"phone": "09121234567"}, role=r, actor=a), True),
}


def test_every_op_has_its_forged_case() -> None:
    assert set(CASES) == set(Op)


@dataclass(frozen=True)
class Snapshot:
    log_end: int
    requests: dict[uuid.UUID, dict[str, Any]]
    crews: dict[uuid.UUID, dict[str, Any]]
    events: int
    users: dict[str, tuple[str, str, bool]]


def snapshot(centre: Centre) -> Snapshot:
    users = centre.users(OFFICE)
    with centre.sessions() as session:
        return Snapshot(
            log_end=centre_db.last_seq(session),
            requests={r.id: ops.request_row(r) for r in session.scalars(sa.select(ServiceRequest))},
            crews={c.id: ops.crew_row(c) for c in session.scalars(sa.select(Crew))},
            events=session.scalar(sa.select(sa.func.count()).select_from(Event)),
            users=users,
        )


def assert_nothing_stored(centre: Centre, before: Snapshot, forged: dict[str, Any]) -> None:
    after = snapshot(centre)
    assert after.requests == before.requests
    assert after.crews == before.crews
    assert after.events == before.events
    assert after.users == before.users
    event_id = forged["payload"].get("event_id")
    with centre.sessions() as session:
        if event_id:
            assert session.get(Event, uuid.UUID(event_id)) is None
        logged = session.execute(sa.select(ChangeLog.entity, ChangeLog.entity_key)
                                 .where(ChangeLog.seq > before.log_end)).all()
    # Only an entity the centre has, logged again as it stands; never a new one.
    known = {str(i) for i in (*before.requests, *before.crews)}
    assert all(key in known and key == forged["entity_id"] for _, key in logged), logged


@pytest.mark.parametrize("op", list(Op))
def test_the_rightful_user_gets_it_applied(centre: Centre, op: Op) -> None:
    """The control: each forged case below differs from this one only in who acts."""
    case, office = CASES[op], office_for(centre, op)
    (result,) = push(centre.client(), office, case.make(centre, *case.rightful))
    assert (result["outcome"], result["code"]) == ("applied", None), result


@pytest.mark.parametrize("op", list(Op))
def test_a_role_that_may_not_is_refused(centre: Centre, op: Op) -> None:
    case, office = CASES[op], office_for(centre, op)
    forged = case.make(centre, *case.forbidden)
    before = snapshot(centre)
    (result,) = push(centre.client(), office, forged)
    assert (result["outcome"], result["code"]) == ("rejected", "role_not_allowed"), result
    assert_nothing_stored(centre, before, forged)


@pytest.mark.parametrize("op", list(Op))
def test_an_unknown_actor_is_refused(centre: Centre, op: Op) -> None:
    case, office = CASES[op], office_for(centre, op)
    forged = case.make(centre, "mallory", case.rightful[1])
    before = snapshot(centre)
    (result,) = push(centre.client(), office, forged)
    assert (result["outcome"], result["code"]) == ("rejected", "unknown_actor"), result
    assert_nothing_stored(centre, before, forged)


@pytest.mark.parametrize("op", list(Op))
def test_a_deactivated_user_is_refused(centre: Centre, op: Op) -> None:
    case, office = CASES[op], office_for(centre, op)
    actor, role = case.rightful
    if actor == "cli":  # the system user cannot be deactivated: a person instead
        actor, role = "clerk", "clerk"
    if actor == "boss":  # the last manager cannot go: another keeps the office
        centre.set_user(OFFICE, "boss2", Role.MANAGER)
    centre.set_user(OFFICE, actor, active=False)
    forged = case.make(centre, actor, role)
    before = snapshot(centre)
    (result,) = push(centre.client(), office, forged)
    assert (result["outcome"], result["code"]) == ("rejected", "actor_inactive"), result
    assert_nothing_stored(centre, before, forged)


def test_another_offices_user_is_unknown_here(centre: Centre, office: str) -> None:
    """A user is a user of one office: a name known elsewhere proves nothing here."""
    centre.add_office("B", [D1], users={"zahra": Role.MANAGER})
    forged = mutation(Op.ADD_NOTE, centre.intake(D1), {"note": "x"}, role="manager", actor="zahra")
    (result,) = push(centre.client(), office, forged)
    assert result["code"] == "unknown_actor"


# The issue's probes, each with the device's word against the centre's.

def test_a_claimed_manager_role_does_not_make_a_clerk_one(centre: Centre, office: str) -> None:
    request = _closed_request(centre)
    forged = mutation(Op.CHANGE_STATUS, request, {"from_status": "done", "to_status": "referred"},
                      role="manager", actor="super")
    before = snapshot(centre)
    (result,) = push(centre.client(), office, forged)
    assert result["code"] == "role_not_allowed"
    assert_nothing_stored(centre, before, forged)


def test_a_supervisor_cannot_edit_a_closed_request(centre: Centre, office: str) -> None:
    request = _closed_request(centre)
    (result,) = push(centre.client(), office, mutation(
        Op.EDIT_REQUEST, request, {"changes": {"address": "کوچه ۳"}, "base": {"address": ""}},
        role="supervisor", actor="super"))
    assert result["code"] == "role_not_allowed"
    assert centre.request(request).address == ""


def test_a_clerk_cannot_rename_a_crew(centre: Centre, office: str) -> None:
    crew = centre.add_crew(D1)
    (result,) = push(centre.client(), office, mutation(
        Op.UPSERT_CREW, crew, {"crew": {**_crew_values(crew), "name": "دیگر"}}, entity="crew",
        base_version=1, role=None, actor="clerk"))
    assert result["code"] == "role_not_allowed"
    with centre.sessions() as session:
        assert session.get(Crew, crew).name == "اکیپ مرکز"


def test_the_history_names_the_role_the_centre_holds(centre: Centre, office: str) -> None:
    """A device that sends no role gets the centre's in the history, not a blank."""
    request = centre.intake(D1)
    (result,) = push(centre.client(), office,
                     mutation(Op.ADD_NOTE, request, {"note": "x"}, role=None, actor="super"))
    assert result["event"]["actor_role"] == "supervisor"
    with centre.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(OfficeUser)) == len(STAFF)


def test_the_centre_counts_what_it_refused_per_office(
        centre: Centre, office: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The trace a compromised device leaves: its refusals, by code, for the admin."""
    from sync.server import cli
    from sync.server.refusals import refusals

    request = centre.intake(D1)
    push(centre.client(), office,
         mutation(Op.ADD_NOTE, request, {"note": "x"}, actor="mallory"),
         mutation(Op.ADD_NOTE, request, {"note": "x"}, actor="ghost"),
         mutation(Op.ADD_NOTE, request, {"note": "x"}, role="manager", actor="clerk"),
         mutation(Op.ADD_NOTE, request, {"note": "x"}, role="clerk", actor="clerk"))
    with centre.sessions() as session:
        counted = [(r.office, r.code, r.count) for r in refusals(session)]
    assert counted == [(OFFICE, "unknown_actor", 2), (OFFICE, "role_not_allowed", 1)]
    url = centre.engine.url.render_as_string(hide_password=False)
    assert cli.main(["--database-url", url, "office", "refusals"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:3] for line in lines] == [
        [OFFICE, "unknown_actor", "2"], [OFFICE, "role_not_allowed", "1"]]
    assert all(line.endswith("(who acted)") for line in lines)
