"""The rule book: one set of checks the office's Desk and the centre's push both apply,
so a change the office allows is one the centre accepts — here walked move by move
through both ends."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from desktop_app.errors import ServiceError
from desktop_app.services.requests import Actor, Desk
from sync import rules, workflow
from sync.protocol import EDITABLE_FIELDS, Op
from sync.rules import RuleError
from sync.server.models import ServiceRequest
from sync.workflow import Role, Status
from tests.factories import CREW_A, make_request, office
from tests.sync.client.harness import D1, Centre, mutation, push

# ------------------------------------------------------------------ both ends


def _reason(target: Status) -> str | None:
    return "duplicate" if target == Status.NOT_ACTIONABLE else None


def _crewed(status: Status) -> bool:
    return status in (Status.ASSIGNED, Status.IN_PROGRESS)


def _office_request(store, source: Status) -> uuid.UUID:  # type: ignore[no-untyped-def]
    return make_request(store, status=source.value, crew_id=CREW_A if _crewed(source) else None,
                        outcome_reason=_reason(source)).id


def _centre_request(centre: Centre, source: Status, crew: uuid.UUID) -> uuid.UUID:
    request_id = centre.intake(D1, refer=False)
    with centre.sessions.begin() as session:
        row = session.get(ServiceRequest, request_id)
        row.status = source.value
        row.crew_id = crew if _crewed(source) else None
        row.outcome_reason = _reason(source)
    return request_id


def _office_verdict(action) -> str:  # type: ignore[no-untyped-def]
    try:
        action()
    except ServiceError as refused:
        return refused.code
    return "applied"


def _centre_verdict(result: dict) -> str:
    return "applied" if result["outcome"] == "applied" else result["code"]


@pytest.fixture
def centre(centre_engine: sa.Engine) -> Centre:
    return Centre.on(centre_engine)


def test_every_move_gets_the_same_verdict_at_the_office_and_at_the_centre(
        tmp_path: Path, centre: Centre) -> None:
    store = office(tmp_path)
    credential = centre.enrol(centre.add_office("A", [D1]))
    crew = centre.add_crew(D1)
    at_office: dict[tuple[Status, Status, Role], str] = {}
    at_centre: dict[tuple[Status, Status, Role], str] = {}
    for source, target, role in itertools.product(Status, Status, Role):
        desk = Desk(store.sessions, Actor(username="u", role=role, office_number=1))
        request = _office_request(store, source)
        at_office[source, target, role] = _office_verdict(
            lambda: desk.change_status([request], target, reason=_reason(target)))
        request = _centre_request(centre, source, crew)
        (result,) = push(centre.client(), credential, mutation(
            Op.CHANGE_STATUS, request, {"from_status": source.value, "to_status": target.value,
                                        "reason": _reason(target)}, role=role.value))
        at_centre[source, target, role] = _centre_verdict(result)
    assert at_office == at_centre
    # Both ends allow exactly the lifecycle's moves made by an office's people.
    assert {key for key, verdict in at_office.items() if verdict == "applied"} == {
        (source, target, role) for (source, target), roles in workflow.TRANSITIONS.items()
        for role in roles & rules.OFFICE_ROLES}


def test_assigning_gets_the_same_verdict_at_the_office_and_at_the_centre(
        tmp_path: Path, centre: Centre) -> None:
    store = office(tmp_path)
    credential = centre.enrol(centre.add_office("A", [D1]))
    crew = centre.add_crew(D1)
    at_office: dict[tuple[Status, Role], str] = {}
    at_centre: dict[tuple[Status, Role], str] = {}
    for source, role in itertools.product(Status, Role):
        desk = Desk(store.sessions, Actor(username="u", role=role, office_number=1))
        request = _office_request(store, source)
        at_office[source, role] = _office_verdict(lambda: desk.assign([request], CREW_A))
        request = _centre_request(centre, source, crew)
        (result,) = push(centre.client(), credential, mutation(
            Op.ASSIGN, request, {"crew_id": str(crew), "from_status": source.value},
            role=role.value))
        at_centre[source, role] = _centre_verdict(result)
    assert at_office == at_centre
    assert {key for key, verdict in at_office.items() if verdict == "applied"} == {
        (source, role) for source in (Status.REFERRED, Status.ASSIGNED, Status.IN_PROGRESS)
        for role in rules.OFFICE_ROLES}


# ------------------------------------------------------------------ the rules


class FakeLookup:
    """A database of one reason, one request, one category and one neighbourhood."""

    known = uuid.uuid4()

    def reason_exists(self, code: str) -> bool:
        return code == "duplicate"

    def request_exists(self, request_id: uuid.UUID) -> bool:
        return request_id == self.known

    def category_exists(self, code: str) -> bool:
        return code == "garbage"

    def district_of(self, neighbourhood_code: str) -> str | None:
        return "1-1" if neighbourhood_code == "bazaar" else None


@pytest.mark.parametrize("reason, original, code", [
    ("no_such_reason", None, "unknown_reason"),
    ("duplicate", "self", "bad_original"),
    ("duplicate", "unknown", "bad_original"),
    (None, "known", "reason_required"),  # the lifecycle speaks first
])
def test_a_status_change_is_refused_with_its_code(reason: str | None, original: str | None,
                                                  code: str) -> None:
    me = uuid.uuid4()
    duplicate_of = {"self": me, "unknown": uuid.uuid4(), "known": FakeLookup.known, None: None}[original]
    with pytest.raises(RuleError) as refused:
        rules.check_status_change(FakeLookup(), me, Status.REFERRED, Status.NOT_ACTIONABLE,
                                  Role.CLERK, reason=reason, duplicate_of=duplicate_of)
    assert (refused.value.code, refused.value.field) == (code, None)


def test_only_a_duplicate_links_to_an_original() -> None:
    with pytest.raises(RuleError) as refused:
        rules.check_status_change(FakeLookup(), uuid.uuid4(), Status.REFERRED,
                                  Status.ASSIGNED, Role.CLERK, duplicate_of=FakeLookup.known)
    assert refused.value.code == "duplicate_needs_reason"
    rules.check_status_change(FakeLookup(), uuid.uuid4(), Status.REFERRED, Status.NOT_ACTIONABLE,
                              Role.CLERK, reason="duplicate", duplicate_of=FakeLookup.known)


def test_closing_records_the_outcome_and_reopening_clears_it() -> None:
    at = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    crew = uuid.uuid4()
    row = SimpleNamespace(status="in_progress", crew_id=crew, assigned_at=at, closed_at=None,
                          outcome_reason=None, outcome_note="", duplicate_of=None)
    rules.project_status(row, Status.NOT_ACTIONABLE, at=at, reason="duplicate", note="همان",
                         duplicate_of=FakeLookup.known)
    assert (row.status, row.closed_at, row.outcome_reason, row.outcome_note, row.duplicate_of,
            row.crew_id) == ("not_actionable", at, "duplicate", "همان", FakeLookup.known, crew)
    rules.project_status(row, Status.REFERRED, at=at)
    assert (row.status, row.closed_at, row.outcome_reason, row.outcome_note, row.duplicate_of,
            row.crew_id, row.assigned_at) == ("referred", None, None, "", None, None, None)


@pytest.mark.parametrize("role", list(Role))
def test_only_an_offices_people_act_for_an_office(role: Role) -> None:
    if role in (Role.CLERK, Role.SUPERVISOR, Role.MANAGER):
        assert rules.office_role(role.value) is role
    else:
        with pytest.raises(RuleError, match="cannot act as"):
            rules.office_role(role)
    with pytest.raises(RuleError):
        rules.office_role("janitor")


def test_a_walk_in_names_every_field_to_fix() -> None:
    values, problems = rules.check_walk_in({}, FakeLookup(), district_code="1-1")
    assert {(p.field, p.code) for p in problems} == {
        ("description", "required"), ("citizen_phone", "required"),
        ("neighbourhood_code", "required"), ("category_code", "required")}
    values, problems = rules.check_walk_in(
        {"description": " سد  معبر ", "citizen_phone": "۰۹۱۲ ۱۲۳ ۴۵۶۷",
         "neighbourhood_code": "bazaar", "category_code": "garbage", "latitude": 34},
        FakeLookup(), district_code="1-1")
    assert problems == []
    assert values == {"description": "سد معبر", "citizen_name": "", "citizen_phone": "09121234567",
                      "address": "", "latitude": 34.0, "longitude": None,
                      "neighbourhood_code": "bazaar", "category_code": "garbage"}


@pytest.mark.parametrize("name, value, code", [
    ("citizen_name", "ن" * (rules.CITIZEN_NAME_LENGTH + 1), "too_long"),
    ("citizen_name", None, "not_text"),
    ("citizen_phone", "12", "wrong_length"),
    ("citizen_phone", 9121234567, "not_text"),
    ("latitude", 91, "out_of_range"),
    ("longitude", True, "out_of_range"),
    ("neighbourhood_code", "elsewhere", "required"),
    ("category_code", "", "required"),
    ("description", " \u200c ", "required"),
])
def test_an_edit_is_checked_field_by_field(name: str, value: object, code: str) -> None:
    _, problems = rules.check_request_edit({name: value}, FakeLookup(), district_code="1-1")
    assert [(p.field, p.code) for p in problems] == [(name, code)]


def test_an_edit_keeps_the_neighbourhood_in_the_district_and_edits_only_plain_fields() -> None:
    _, problems = rules.check_request_edit({"neighbourhood_code": "bazaar"}, FakeLookup(),
                                           district_code="1-2")
    assert [(p.field, p.code) for p in problems] == [("neighbourhood_code", "wrong_district")]
    with pytest.raises(RuleError) as refused:
        rules.check_request_edit({"status": "done"}, FakeLookup(), district_code="1-1")
    assert refused.value.code == "not_editable"
    assert EDITABLE_FIELDS == tuple(rules.REQUEST_FIELDS)


@pytest.mark.parametrize("role, status, code", [
    (Role.SUPERVISOR, Status.REFERRED, "role_not_allowed"),
    (Role.CLERK, Status.DONE, "not_editable_now"),
    (Role.MANAGER, Status.RECEIVED, "not_editable_now"),
])
def test_who_edits_what(role: Role, status: Status, code: str) -> None:
    assert not rules.may_edit(role, status)
    with pytest.raises(RuleError) as refused:
        rules.check_edit(role, status)
    assert refused.value.code == code
    rules.check_edit(Role.CLERK, "in_progress")


def test_a_crew_needs_a_name_and_a_phone_that_is_one() -> None:
    values, problems = rules.check_crew({"name": " ", "phone": "12"})
    assert [(p.field, p.code) for p in problems] == [("name", "required"), ("phone", "wrong_length")]
    values, problems = rules.check_crew({"name": " اکیپ  ۱ ", "phone": ""})
    assert (values, problems) == ({"name": "اکیپ ۱", "supervisor": "", "phone": None}, [])
    _, problems = rules.check_crew({"name": "ا" * 101})
    assert [(p.field, p.code) for p in problems] == [("name", "too_long")]


def test_a_note_needs_text() -> None:
    assert rules.check_note("  تماس  ") == "تماس"
    with pytest.raises(RuleError) as refused:
        rules.check_note(" \u200c ")
    assert (refused.value.field, refused.value.code) == ("note", "required")


#: A value one past each text field's limit, for the table of every text field.
TOO_LONG = {name: "ن" * (rule.max_length + 1)
            for name, rule in {**rules.REQUEST_FIELDS, **rules.CREW_FIELDS}.items()
            if rule.kind is rules.Kind.TEXT}


def test_every_text_field_and_the_notes_have_a_limit() -> None:
    """A push can carry no text the rule book does not bound."""
    assert set(TOO_LONG) == {"description", "citizen_name", "address", "name", "supervisor"}
    for name, value in TOO_LONG.items():
        fields = rules.REQUEST_FIELDS if name in rules.REQUEST_FIELDS else rules.CREW_FIELDS
        _, problems = rules.check_fields(fields, {name: value}, FakeLookup())
        assert [(p.field, p.code, p.params) for p in problems] == [
            (name, "too_long", {"limit": fields[name].max_length})]
        _, problems = rules.check_fields(fields, {name: value[:-1]}, FakeLookup())
        assert problems == []
    for required in (True, False):
        assert rules.check_note("ن" * rules.NOTE_LENGTH, required=required)
        with pytest.raises(RuleError) as refused:
            rules.check_note("ن" * (rules.NOTE_LENGTH + 1), required=required)
        assert (refused.value.field, refused.value.code) == ("note", "too_long")
    assert rules.check_note("", required=False) == ""


@pytest.mark.parametrize("value", ["bazaar\x00", "b" * 49, "baz\naar", 17])
def test_a_code_that_cannot_be_one_is_refused_before_any_lookup(value: object) -> None:
    class Asked(FakeLookup):
        def district_of(self, neighbourhood_code: str) -> str | None:
            raise AssertionError("asked the database")

        def category_exists(self, code: str) -> bool:
            raise AssertionError("asked the database")

        def reason_exists(self, code: str) -> bool:
            raise AssertionError("asked the database")

    _, problems = rules.check_request_edit({"neighbourhood_code": value, "category_code": value},
                                           Asked(), district_code="1-1")
    assert {(p.field, p.code) for p in problems} <= {
        ("neighbourhood_code", "required"), ("category_code", "required"),
        ("neighbourhood_code", "not_text"), ("category_code", "not_text")}
    assert len(problems) == 2
    if isinstance(value, str):
        with pytest.raises(RuleError) as refused:
            rules.check_status_change(Asked(), uuid.uuid4(), Status.REFERRED,
                                      Status.NOT_ACTIONABLE, Role.CLERK, reason=value)
        assert refused.value.code == "unknown_reason"
