"""The lifecycle across the two ends, move by move and role by role: what the centre
may do (from its own office, enrolled with every district) and a district may not.

For every pair of :data:`sync.workflow.TRANSITIONS` and every role, the move is made
at an office (the desk's service) and pushed to the centre (from that office's
device), once from the centre's office and once from a district office; both ends
must give the same verdict, and the verdicts must be the table's."""

from __future__ import annotations

import itertools
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop_app.errors import ServiceError
from desktop_app.services.centre import CentreDesk
from desktop_app.services.requests import Actor, Desk
from desktop_app.store.db import Store
from sync import workflow
from sync.protocol import Op
from sync.server.models import ServiceRequest
from sync.workflow import Role, Status
from tests.factories import CREW_A, enrol_as, make_request, office
from tests.sync.client.harness import D1, STAFF_BY_ROLE, Centre, mutation, push

#: Where a move is made: the centre's own office, or a district office.
PLACES = ("centre_office", "district_office")


def _reason(status: Status) -> str | None:
    return "false_report" if status == Status.NOT_ACTIONABLE else None


def _crewed(status: Status) -> bool:
    return status in (Status.ASSIGNED, Status.IN_PROGRESS)


@pytest.fixture
def centre(centre_engine: sa.Engine) -> Centre:
    return Centre.on(centre_engine)


def _at_office(store: Store, place: str, source: Status, target: Status, role: Role) -> str:
    request = make_request(store, status=source.value, crew_id=CREW_A if _crewed(source) else None,
                           outcome_reason=_reason(source)).id
    actor = Actor(username=STAFF_BY_ROLE[role.value], role=role, office_number=7)
    desk = Desk(store.sessions, actor)
    try:
        if target == Status.ASSIGNED:
            desk.assign([request], CREW_A)
        elif (source, target) == (Status.RECEIVED, Status.REFERRED) and place == "centre_office":
            # The centre's desk refers with a deadline (its own op).
            CentreDesk(store.sessions, actor).refer([request])
        else:
            desk.change_status([request], target, reason=_reason(target))
    except ServiceError as refused:
        return refused.code
    return "applied"


def _at_centre(centre: Centre, credential: str, place: str, source: Status, target: Status,
               role: Role, crew: uuid.UUID) -> str:
    request = centre.intake(D1, refer=False)
    with centre.sessions.begin() as session:
        row = session.get(ServiceRequest, request)
        row.status = source.value
        row.crew_id = crew if _crewed(source) else None
        row.outcome_reason = _reason(source)
    if target == Status.ASSIGNED:
        sent = mutation(Op.ASSIGN, request, {"crew_id": str(crew), "from_status": source.value},
                        role=role.value)
    elif (source, target) == (Status.RECEIVED, Status.REFERRED) and place == "centre_office":
        sent = mutation(Op.REFER, request, {"district_code": D1, "from_status": source.value},
                        role=role.value)
    else:
        sent = mutation(Op.CHANGE_STATUS, request, {"from_status": source.value,
                                                    "to_status": target.value,
                                                    "reason": _reason(target)}, role=role.value)
    (result,) = push(centre.client(), credential, sent)
    return "applied" if result["outcome"] == "applied" else result["code"]


def _expected(place: str, pair: tuple[Status, Status], role: Role) -> bool:
    """The table's answer: the role may make the move, and a centre user acts only at
    the centre's office."""
    if role == Role.CENTRE and place != "centre_office":
        return False
    return role in workflow.TRANSITIONS[pair]


def test_every_move_by_every_role_at_both_ends_and_both_kinds_of_office(
        tmp_path: Path, centre: Centre) -> None:
    stores = {"centre_office": enrol_as(office(tmp_path / "c"), everywhere=True),
              "district_office": enrol_as(office(tmp_path / "d"), everywhere=False)}
    credentials = {
        "centre_office": centre.enrol(centre.add_office("مرکز", all_districts=True)),
        "district_office": centre.enrol(centre.add_office("ناحیه", [D1])),
    }
    crew = centre.add_crew(D1)
    at_office: dict[tuple[str, Status, Status, Role], str] = {}
    at_centre: dict[tuple[str, Status, Status, Role], str] = {}
    for place, (source, target), role in itertools.product(PLACES, workflow.TRANSITIONS, Role):
        key = (place, source, target, role)
        at_office[key] = _at_office(stores[place], place, source, target, role)
        at_centre[key] = _at_centre(centre, credentials[place], place, source, target, role, crew)
    # The same verdict, code for code, at both ends …
    assert at_office == at_centre
    # … and it is the table's.
    assert {key for key, verdict in at_office.items() if verdict == "applied"} == {
        key for key in at_office if _expected(key[0], (key[1], key[2]), key[3])}
    # A centre user at a district office is refused as such, at both ends.
    assert {v for k, v in at_office.items() if k[0] == "district_office" and k[3] == Role.CENTRE} \
        == {"centre_user_at_district_office"}
    # What the centre may do and no district may: verify what came in.
    centre_may = {(s, t) for (p, s, t, r), v in at_office.items()
                  if p == "centre_office" and r == Role.CENTRE and v == "applied"}
    district_may = {(s, t) for (p, s, t, r), v in at_office.items()
                    if p == "district_office" and v == "applied"}
    assert centre_may - district_may == {(Status.RECEIVED, Status.REFERRED),
                                         (Status.RECEIVED, Status.NOT_ACTIONABLE)}
