"""The office's use cases (Desk): each action is one transaction holding the change,
its history event and its outbox entry; a refused action leaves no trace; roles
decide who may do what; walk-in forms name every field to fix."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop_app.errors import ServiceError, ValidationFailed
from desktop_app.services.requests import Changes, Desk, WalkIn
from desktop_app.store import models as m
from desktop_app.store.db import Store
from sync import rules
from sync.protocol import Op
from sync.workflow import EventKind, Status
from tests.factories import CLERK, CREW_A, CREW_B, MANAGER, SUPERVISOR, desk, make_request, office


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    office_store = office(tmp_path)
    yield office_store
    office_store.close()


def trail(store: Store) -> tuple[list[m.Event], list[m.OutboxEntry]]:
    """The events written by the office (not the centre's) and the outbox, in order."""
    with store.sessions() as session:
        events = session.scalars(sa.select(m.Event).where(m.Event.actor != "centre")
                                 .order_by(m.Event.id)).all()
        outbox = session.scalars(sa.select(m.OutboxEntry).order_by(m.OutboxEntry.seq)).all()
        return list(events), list(outbox)


def request_row(store: Store, request_id: uuid.UUID) -> m.ServiceRequest:
    with store.sessions() as session:
        request = session.get(m.ServiceRequest, request_id)
        assert request is not None
        return request


def assert_paired(events: list[m.Event], outbox: list[m.OutboxEntry], op: Op, actor: str) -> None:
    """Every event has exactly its outbox entry, both naming the person."""
    assert len(events) == len(outbox)
    for event, entry in zip(events, outbox, strict=True):
        assert entry.op == op.value
        assert entry.entity_id == event.request_id
        assert entry.payload["event_id"] == str(event.id)
        assert event.actor == entry.actor == actor
        assert event.server_time is None  # not yet accepted by the centre


# --------------------------------------------------------------------- assigning


def test_bulk_assign_writes_one_event_and_one_outbox_entry_per_request(store: Store) -> None:
    requests = [make_request(store) for _ in range(3)]
    changes = desk(store, SUPERVISOR).assign([r.id for r in requests], CREW_A)

    assert changes.request_ids == [r.id for r in requests]
    events, outbox = trail(store)
    assert [e.kind for e in events] == [EventKind.ASSIGNED.value] * 3
    assert_paired(events, outbox, Op.ASSIGN, SUPERVISOR.username)
    for request in requests:
        row = request_row(store, request.id)
        assert (row.status, row.crew_id) == (Status.ASSIGNED.value, CREW_A)
        assert row.assigned_at is not None


def test_bulk_assign_is_all_or_nothing(store: Store) -> None:
    open_one = make_request(store)
    closed = make_request(store, status=Status.DONE.value)

    with pytest.raises(ServiceError) as refused:
        desk(store).assign([open_one.id, closed.id], CREW_A)

    assert refused.value.code == "cannot_assign"
    assert refused.value.params["tracking_code"] == closed.tracking_code
    assert request_row(store, open_one.id).status == Status.REFERRED.value
    assert request_row(store, open_one.id).crew_id is None
    assert trail(store) == ([], [])


def test_reassigning_keeps_the_status_and_records_the_previous_crew(store: Store) -> None:
    request = make_request(store)
    clerk = desk(store)
    clerk.assign([request.id], CREW_A)
    clerk.change_status([request.id], Status.IN_PROGRESS)
    clerk.assign([request.id], CREW_B)

    row = request_row(store, request.id)
    assert (row.status, row.crew_id) == (Status.IN_PROGRESS.value, CREW_B)
    last = trail(store)[0][-1]
    assert last.data["previous_crew_id"] == str(CREW_A)
    assert last.from_status == last.to_status == Status.IN_PROGRESS.value


def test_an_inactive_crew_gets_no_work(store: Store) -> None:
    request = make_request(store)
    with store.sessions.begin() as session:
        session.get(m.Crew, CREW_B).active = False

    with pytest.raises(ServiceError) as refused:
        desk(store).assign([request.id], CREW_B)
    assert refused.value.code == "unknown_crew"
    assert trail(store) == ([], [])


# ------------------------------------------------------------------- outcomes


def test_done_closes_the_request_with_its_note(store: Store) -> None:
    request = make_request(store, status=Status.IN_PROGRESS.value, crew_id=CREW_A)
    desk(store, SUPERVISOR).change_status([request.id], Status.DONE, note="جمع‌آوری شد")

    row = request_row(store, request.id)
    assert row.status == Status.DONE.value
    assert row.closed_at is not None
    assert row.outcome_note == "جمع‌آوری شد"
    events, outbox = trail(store)
    assert_paired(events, outbox, Op.CHANGE_STATUS, SUPERVISOR.username)
    assert outbox[0].payload["to_status"] == Status.DONE.value


def test_not_actionable_needs_a_reason(store: Store) -> None:
    request = make_request(store)
    with pytest.raises(ServiceError) as refused:
        desk(store).change_status([request.id], Status.NOT_ACTIONABLE)
    assert refused.value.code == "reason_required"
    assert trail(store) == ([], [])


def test_a_duplicate_links_to_its_original(store: Store) -> None:
    original = make_request(store)
    copy = make_request(store)
    desk(store).change_status([copy.id], Status.NOT_ACTIONABLE, reason="duplicate",
                              duplicate_of=original.id)

    row = request_row(store, copy.id)
    assert (row.outcome_reason, row.duplicate_of) == ("duplicate", original.id)
    events, outbox = trail(store)
    assert events[0].data["duplicate_of"] == str(original.id)
    assert outbox[0].payload["duplicate_of"] == str(original.id)


@pytest.mark.parametrize("reason, original", [
    ("not_found", "other"),  # only a duplicate links to an original
    ("duplicate", "self"),  # a request is not its own original
    ("duplicate", "unknown"),
])
def test_a_bad_duplicate_link_is_refused(store: Store, reason: str, original: str) -> None:
    other = make_request(store)
    request = make_request(store)
    target = {"other": other.id, "self": request.id, "unknown": uuid.uuid4()}[original]
    with pytest.raises(ServiceError) as refused:
        desk(store).change_status([request.id], Status.NOT_ACTIONABLE, reason=reason,
                                  duplicate_of=target)
    assert refused.value.code in ("duplicate_needs_reason", "bad_original")
    assert request_row(store, request.id).status == Status.REFERRED.value
    assert trail(store) == ([], [])


def test_bulk_status_change_is_all_or_nothing(store: Store) -> None:
    assigned = make_request(store, status=Status.ASSIGNED.value, crew_id=CREW_A)
    referred = make_request(store)  # cannot start: no crew yet

    with pytest.raises(ServiceError) as refused:
        desk(store).change_status([assigned.id, referred.id], Status.IN_PROGRESS)
    assert refused.value.code == "not_a_move"
    assert refused.value.params["tracking_code"] == referred.tracking_code
    assert request_row(store, assigned.id).status == Status.ASSIGNED.value
    assert trail(store) == ([], [])


def test_reopening_returns_to_the_desk_and_clears_the_outcome(store: Store) -> None:
    request = make_request(store, status=Status.IN_PROGRESS.value, crew_id=CREW_A)
    clerk = desk(store)
    clerk.change_status([request.id], Status.NOT_ACTIONABLE, reason="not_found", note="پیدا نشد")
    clerk.change_status([request.id], Status.REFERRED, note="شهروند دوباره تماس گرفت")

    row = request_row(store, request.id)
    assert (row.status, row.closed_at, row.outcome_reason, row.crew_id) == (
        Status.REFERRED.value, None, None, None)
    assert [e.to_status for e in trail(store)[0]] == [Status.NOT_ACTIONABLE.value,
                                                      Status.REFERRED.value]


# ------------------------------------------------------------------------ roles


def test_a_supervisor_may_not_reopen(store: Store) -> None:
    request = make_request(store, status=Status.DONE.value)
    with pytest.raises(ServiceError) as refused:
        desk(store, SUPERVISOR).change_status([request.id], Status.REFERRED)
    assert refused.value.code == "role_not_allowed"
    desk(store, MANAGER).change_status([request.id], Status.REFERRED)
    assert request_row(store, request.id).status == Status.REFERRED.value


def test_a_clerk_may_not_manage_crews(store: Store) -> None:
    with pytest.raises(ServiceError) as refused:
        desk(store, CLERK).save_crew(name="اکیپ شب", district_code="1-1")
    assert refused.value.code == "role_not_allowed"


def test_saving_a_crew_is_audited_and_sent(store: Store) -> None:
    saved = desk(store, SUPERVISOR).save_crew(name=" اکیپ  شب ", supervisor="رضا",
                                              phone="۰۹۱۳۱۲۳۴۵۶۷", district_code="1-1")
    assert saved.changes == Changes(crews=True)
    with store.sessions() as session:
        crew = session.get(m.Crew, saved.id)
    assert (crew.name, crew.phone) == ("اکیپ شب", "09131234567")
    with store.sessions() as session:
        audit = session.scalars(sa.select(m.AuditEntry)).one()
        entry = session.scalars(sa.select(m.OutboxEntry)).one()
    assert (audit.actor, audit.action, audit.entity_key) == (SUPERVISOR.username, "crew_created",
                                                             str(crew.id))
    assert (entry.op, entry.entity, entry.payload["crew"]["name"]) == (
        Op.UPSERT_CREW.value, "crew", "اکیپ شب")


def test_a_crew_form_names_each_field_to_fix(store: Store) -> None:
    with pytest.raises(ValidationFailed) as refused:
        desk(store, MANAGER).save_crew(name="  ", phone="12", district_code="1-1")
    assert {(p.field, p.code) for p in refused.value.problems} == {
        ("name", "required"), ("citizen_phone", "wrong_length")}


# ------------------------------------------------------------------------ notes


def test_a_note_is_an_event_and_an_outbox_entry(store: Store) -> None:
    request = make_request(store)
    desk(store).add_note(request.id, "  با شهروند تماس گرفته شد  ")
    events, outbox = trail(store)
    assert [(e.kind, e.note) for e in events] == [(EventKind.NOTE.value, "با شهروند تماس گرفته شد")]
    assert_paired(events, outbox, Op.ADD_NOTE, CLERK.username)


def test_an_empty_note_is_refused(store: Store) -> None:
    request = make_request(store)
    with pytest.raises(ValidationFailed) as refused:
        desk(store).add_note(request.id, " \u200c ")
    assert [(p.field, p.code) for p in refused.value.problems] == [("note", "required")]


def test_a_note_past_the_limit_is_refused_on_its_own_and_with_a_status_change(store: Store) -> None:
    request = make_request(store)
    too_long = "ن" * (rules.NOTE_LENGTH + 1)
    with pytest.raises(ValidationFailed) as refused:
        desk(store).add_note(request.id, too_long)
    assert [(p.field, p.code) for p in refused.value.problems] == [("note", "too_long")]
    with pytest.raises(ValidationFailed) as refused:
        desk(store).change_status([request.id], Status.NOT_ACTIONABLE, reason="not_found",
                                  note=too_long)
    assert [(p.field, p.code) for p in refused.value.problems] == [("note", "too_long")]
    assert trail(store) == ([], [])
    assert request_row(store, request.id).status == request.status


def test_control_characters_are_dropped_from_what_the_desk_stores_and_sends(store: Store) -> None:
    """The centre cleans the same way: what the office sends is stored as sent."""
    request = make_request(store)
    desk(store).add_note(request.id, "تماس\x00 گرفته\x1b شد\x7f")
    desk(store).edit(request.id, address="کوچه\x00 ۱۴")
    events, outbox = trail(store)
    assert events[0].note == outbox[0].payload["note"] == "تماس گرفته شد"
    assert outbox[1].payload["changes"] == {"address": "کوچه ۱۴"}


def test_a_duplicate_links_only_to_a_request_the_office_holds(store: Store) -> None:
    """The office holds only its districts' requests: another district's, or an
    unknown one, gets the one answer the centre gives (``bad_original``)."""
    request = make_request(store)
    with pytest.raises(ServiceError) as refused:
        desk(store).change_status([request.id], Status.NOT_ACTIONABLE, reason="duplicate",
                                  duplicate_of=uuid.uuid4())
    assert refused.value.code == "bad_original"
    assert trail(store) == ([], [])


def test_printing_work_orders_is_recorded(store: Store) -> None:
    requests = [make_request(store, status=Status.ASSIGNED.value, crew_id=CREW_A) for _ in range(2)]
    desk(store, SUPERVISOR).record_work_orders_issued([r.id for r in requests])
    events, outbox = trail(store)
    assert [e.kind for e in events] == [EventKind.WORK_ORDER_ISSUED.value] * 2
    assert_paired(events, outbox, Op.WORK_ORDER_ISSUED, SUPERVISOR.username)


def test_an_edit_carries_the_values_it_was_made_from(store: Store) -> None:
    request = make_request(store)
    desk(store).edit(request.id, address="کوچه ۱۴", citizen_phone="۰۹۱۲ ۷۶۵ ۴۳۲۱")
    row = request_row(store, request.id)
    assert (row.address, row.citizen_phone) == ("کوچه ۱۴", "09127654321")
    (entry,) = trail(store)[1]
    assert entry.payload["base"] == {"address": request.address,
                                     "citizen_phone": request.citizen_phone}
    assert entry.base_version == request.version


def test_an_edit_is_one_event_and_one_outbox_entry_naming_the_clerk(store: Store) -> None:
    request = make_request(store, status=Status.ASSIGNED.value, crew_id=CREW_A)
    changes = desk(store, MANAGER).edit(
        request.id, citizen_name=" فاطمه  نوري ", neighbourhood_code="sabze-meydan",
        category_code="asphalt", description="چاله بزرگ", latitude=33.98, longitude=51.43)

    assert changes.request_ids == [request.id]
    row = request_row(store, request.id)
    assert (row.citizen_name, row.neighbourhood_code, row.category_code) == (
        "فاطمه نوری", "sabze-meydan", "asphalt")
    assert (row.latitude, row.longitude, row.status) == (33.98, 51.43, "assigned")
    assert "چاله" in row.search_text
    events, outbox = trail(store)
    assert [(e.kind, e.data) for e in events] == [(EventKind.NOTE.value, {"edited": [
        "category_code", "citizen_name", "description", "latitude", "longitude",
        "neighbourhood_code"]})]
    assert_paired(events, outbox, Op.EDIT_REQUEST, MANAGER.username)
    assert outbox[0].payload["changes"]["citizen_name"] == "فاطمه نوری"


def test_an_edit_that_changes_nothing_writes_nothing(store: Store) -> None:
    request = make_request(store)
    assert desk(store).edit(request.id, citizen_phone="۰۹۱۲۱۲۳۴۵۶۷").request_ids == []
    assert trail(store) == ([], [])


@pytest.mark.parametrize("values, problems", [
    ({"citizen_phone": "۰۹۱۲۱۲۳"}, [("citizen_phone", "wrong_length")]),
    ({"description": " \u200c "}, [("description", "required")]),
    ({"neighbourhood_code": "no-such-place"}, [("neighbourhood_code", "required")]),
    ({"category_code": ""}, [("category_code", "required")]),
    ({"latitude": 91.0, "longitude": -181.0}, [("latitude", "out_of_range"),
                                                ("longitude", "out_of_range")]),
    ({"citizen_name": "ن" * 201}, [("citizen_name", "too_long")]),
    ({"description": "ن" * (rules.DESCRIPTION_LENGTH + 1), "address": "ن" * (rules.ADDRESS_LENGTH + 1)},
     [("description", "too_long"), ("address", "too_long")]),
])
def test_an_edit_names_every_field_to_fix_and_changes_nothing(
        store: Store, values: dict[str, object], problems: list[tuple[str, str]]) -> None:
    request = make_request(store)
    with pytest.raises(ValidationFailed) as refused:
        desk(store).edit(request.id, **values)
    assert [(p.field, p.code) for p in refused.value.problems] == problems
    assert trail(store) == ([], [])


def test_an_edit_keeps_the_request_in_its_district(store: Store) -> None:
    """Moving a request to another district is the centre's decision."""
    request = make_request(store)  # district 1-1
    with store.sessions() as session:
        elsewhere = session.scalars(sa.select(m.Neighbourhood.code)
                                    .where(m.Neighbourhood.district_code != "1-1")).first()
    with pytest.raises(ValidationFailed) as refused:
        desk(store).edit(request.id, neighbourhood_code=elsewhere)
    assert [(p.field, p.code) for p in refused.value.problems] == [
        ("neighbourhood_code", "wrong_district")]


@pytest.mark.parametrize("status", [Status.DONE, Status.NOT_ACTIONABLE, Status.RECEIVED])
def test_only_a_request_the_district_works_on_is_edited(store: Store, status: Status) -> None:
    request = make_request(store, status=status.value,
                           outcome_reason="not_found" if status is Status.NOT_ACTIONABLE else None)
    with pytest.raises(ServiceError) as refused:
        desk(store).edit(request.id, address="کوچه ۳")
    assert refused.value.code == "not_editable_now"
    assert request_row(store, request.id).address == request.address


def test_a_supervisor_does_not_edit_requests(store: Store) -> None:
    request = make_request(store, status=Status.ASSIGNED.value, crew_id=CREW_A)
    with pytest.raises(ServiceError) as refused:
        desk(store, SUPERVISOR).edit(request.id, address="کوچه ۳")
    assert refused.value.code == "role_not_allowed"
    assert trail(store) == ([], [])


# --------------------------------------------------------------------- walk-ins


def walk_in(**values: object) -> WalkIn:
    form = dict(citizen_name="فاطمه نوری", citizen_phone="۰۹۱۳ ۱۲۳ ۴۵۶۷", district_code="1-1",
                neighbourhood_code="bazaar", category_code="garbage",
                description="زباله جلوی خانه مانده است", address="کوچه ۵")
    form.update(values)
    return WalkIn(**form)  # type: ignore[arg-type]


def test_a_walk_in_is_registered_with_an_office_numbered_code(store: Store) -> None:
    clerk = desk(store)
    first = clerk.register_walk_in(walk_in())
    second = clerk.register_walk_in(walk_in())

    year = first.tracking_code.split("-")[0]
    assert first.tracking_code == f"{year}-{CLERK.office_number}-1"
    assert second.tracking_code == f"{year}-{CLERK.office_number}-2"
    row = request_row(store, first.id)
    assert (row.channel, row.status, row.citizen_phone) == ("walk_in", "referred", "09131234567")
    events, outbox = trail(store)
    assert [e.kind for e in events] == [EventKind.CREATED.value] * 2
    assert_paired(events, outbox, Op.CREATE_REQUEST, CLERK.username)
    assert outbox[0].payload["request"]["tracking_code"] == first.tracking_code


def test_a_walk_in_form_names_every_field_to_fix(store: Store) -> None:
    with pytest.raises(ValidationFailed) as refused:
        desk(store).register_walk_in(WalkIn())
    assert {(p.field, p.code) for p in refused.value.problems} == {
        ("citizen_phone", "required"), ("neighbourhood_code", "required"),
        ("category_code", "required"), ("description", "required")}
    assert trail(store) == ([], [])


@pytest.mark.parametrize("values, problem", [
    ({"citizen_phone": "۰۹۱۲۱۲۳"}, ("citizen_phone", "wrong_length")),
    ({"citizen_phone": "+44 20 7946 0000"}, ("citizen_phone", "not_iranian")),
    ({"citizen_phone": "09١٢abc"}, ("citizen_phone", "bad_characters")),
    ({"district_code": "1-2"}, ("neighbourhood_code", "wrong_district")),
    ({"category_code": "no-such-category"}, ("category_code", "required")),
    ({"latitude": 123.0}, ("latitude", "out_of_range")),
])
def test_a_walk_in_problem_is_tied_to_its_field(store: Store, values: dict[str, object],
                                                problem: tuple[str, str]) -> None:
    with pytest.raises(ValidationFailed) as refused:
        desk(store).register_walk_in(walk_in(**values))
    assert [(p.field, p.code) for p in refused.value.problems] == [problem]


def test_the_desk_acts_for_its_actor_only(store: Store) -> None:
    request = make_request(store)
    Desk(store.sessions, MANAGER).add_note(request.id, "پیگیری شود")
    events, outbox = trail(store)
    assert (events[0].actor, events[0].actor_role, outbox[0].actor) == (
        MANAGER.username, MANAGER.role.value, MANAGER.username)


def test_outbox_payloads_keep_the_shape_older_centres_read(store: Store) -> None:
    """Built from the protocol's payload models, the JSON is what it was as raw dicts."""
    clerk, manager = desk(store), desk(store, MANAGER)
    request, original = make_request(store), make_request(store)
    clerk.assign([request.id], CREW_A)
    clerk.add_note(request.id, "یادداشت")
    clerk.record_work_orders_issued([request.id])
    clerk.edit(request.id, address="کوچه ۹", latitude=34.0)
    clerk.change_status([request.id], Status.NOT_ACTIONABLE, reason="duplicate",
                        duplicate_of=original.id)
    registered = clerk.register_walk_in(walk_in())
    manager.save_crew(name="اکیپ شب", district_code="1-1")
    with store.sessions() as session:
        outbox = session.scalars(sa.select(m.OutboxEntry).order_by(m.OutboxEntry.seq)).all()
    payloads = {entry.op: entry.payload for entry in outbox}
    assert {op: set(payload) for op, payload in payloads.items()} == {
        "assign": {"event_id", "crew_id", "from_status"},
        "add_note": {"event_id", "note"},
        "work_order_issued": {"event_id"},
        "edit_request": {"event_id", "changes", "base"},
        "change_status": {"event_id", "from_status", "to_status", "reason", "note", "duplicate_of"},
        "create_request": {"event_id", "request"},
        "upsert_crew": {"crew"},
    }
    assert payloads["assign"]["crew_id"] == str(CREW_A)
    assert payloads["change_status"] | {"event_id": None} == {
        "event_id": None, "from_status": "assigned", "to_status": "not_actionable",
        "reason": "duplicate", "note": "", "duplicate_of": str(original.id)}
    assert payloads["edit_request"]["changes"] == {"address": "کوچه ۹", "latitude": 34.0}
    assert payloads["create_request"]["request"]["id"] == str(registered.id)
    assert set(payloads["upsert_crew"]["crew"]) == {"id", "name", "supervisor", "phone",
                                                    "district_code", "active"}
    assert all(isinstance(p["event_id"], str) for p in payloads.values() if "event_id" in p)


def test_a_walk_in_form_is_filled_from_a_wire_row() -> None:
    form = WalkIn.from_row({"id": "x", "citizen_phone": "09121234567", "citizen_name": None,
                            "latitude": 0.0, "neighbourhood_code": "bazaar"})
    assert form == WalkIn(citizen_phone="09121234567", neighbourhood_code="bazaar", latitude=0.0)
