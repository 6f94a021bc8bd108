"""Push: every mutation applied once, checked as the centre sees it, answered always."""

from __future__ import annotations

import threading
import uuid

import pytest
import sqlalchemy as sa

from sync.dates import utcnow
from sync.protocol import Op
from sync.server import db as centre_db
from sync.server import operations as ops
from sync.server.models import AppliedMutation, ChangeLog, Crew, Event
from tests.sync.client.harness import D1, D2, Centre, mutation, neighbourhood_of, push


@pytest.fixture
def centre(centre_engine: sa.Engine) -> Centre:
    return Centre.on(centre_engine)


@pytest.fixture
def office(centre: Centre) -> str:
    return centre.enrol(centre.add_office("A", [D1]))


def events_of(centre: Centre, request_id: uuid.UUID) -> list[Event]:
    with centre.sessions() as session:
        return list(session.scalars(sa.select(Event).where(Event.request_id == request_id)
                                    .order_by(Event.server_time)))


def test_a_status_change_is_applied_with_the_offices_event_id_and_the_centres_clock(
        centre: Centre, office: str) -> None:
    request, crew = centre.intake(D1), centre.add_crew(D1)
    before = centre.request(request).version
    assign = mutation(Op.ASSIGN, request, {"crew_id": str(crew), "from_status": "referred"})
    start = mutation(Op.CHANGE_STATUS, request, {"from_status": "assigned", "to_status": "in_progress"})
    results = push(centre.client(), office, assign, start)
    assert [r["outcome"] for r in results] == ["applied", "applied"]
    row = centre.request(request)
    assert (row.status, row.crew_id, row.version) == ("in_progress", crew, before + 2)
    assert results[1]["server_value"]["status"] == "in_progress"
    history = events_of(centre, request)
    assert [str(e.id) for e in history[-2:]] == [assign["payload"]["event_id"], start["payload"]["event_id"]]
    assert all(e.server_time is not None and e.mutation_id is not None for e in history[-2:])
    assert results[1]["event"]["id"] == start["payload"]["event_id"]
    assert results[1]["event"]["from_status"] == "assigned"


def test_a_replay_gets_the_stored_answer_and_changes_nothing(centre: Centre, office: str) -> None:
    request = centre.intake(D1)
    close = mutation(Op.CHANGE_STATUS, request, {"to_status": "not_actionable", "reason": "duplicate"})
    note = mutation(Op.ADD_NOTE, request, {"note": "یادداشت"})
    first = push(centre.client(), office, close, note)
    with centre.sessions() as session:
        log_end = centre_db.last_seq(session)
    again = push(centre.client(), office, close, note)
    assert again == first
    assert [e.kind for e in events_of(centre, request)].count("note") == 1
    assert centre.request(request).version == first[0]["server_value"]["version"]
    with centre.sessions() as session:
        # Only the request is logged again (so an office that passed it over while
        # waiting for this answer pulls it back), once for the batch.
        logged = session.execute(sa.select(ChangeLog.entity, ChangeLog.entity_key)
                                 .where(ChangeLog.seq > log_end)).all()
        assert logged == [("request", str(request))]
        assert session.scalar(sa.select(sa.func.count()).select_from(AppliedMutation)) == 2


@pytest.mark.parametrize("payload, role, code", [
    ({"to_status": "done"}, "clerk", "not_a_move"),  # referred -> done skips the crew
    ({"to_status": "not_actionable"}, "clerk", "reason_required"),
    ({"to_status": "assigned", "reason": "duplicate"}, "clerk", "reason_not_expected"),
    ({"to_status": "not_actionable", "reason": "no_such_reason"}, "clerk", "unknown_reason"),
    ({"to_status": "not_actionable", "reason": "duplicate"}, "centre", "role_not_allowed"),
    ({"to_status": "not_actionable", "reason": "duplicate"}, "janitor", "role_not_allowed"),
    ({"to_status": "flying"}, "clerk", "invalid_payload"),
])
def test_an_illegal_move_is_rejected_with_the_centres_value(
        centre: Centre, office: str, payload: dict, role: str, code: str) -> None:
    request = centre.intake(D1)
    (result,) = push(centre.client(), office, mutation(Op.CHANGE_STATUS, request, payload, role=role))
    assert (result["outcome"], result["code"]) == ("rejected", code)
    assert result["server_value"]["status"] == "referred"
    assert result["event"] is None
    assert [e.kind for e in events_of(centre, request)] == ["created", "status"]
    with centre.sessions() as session:  # the rejection is in the audit too
        stored = session.get(AppliedMutation, uuid.UUID(result["mutation_id"]))
        assert stored.outcome == "rejected" and stored.payload["payload"] == payload | {
            "event_id": stored.payload["payload"]["event_id"]}


def test_a_move_made_on_an_older_picture_is_checked_from_the_centres_status(centre: Centre, office: str) -> None:
    request = centre.intake(D1)
    with centre.sessions.begin() as session:
        ops.change_status(session, request, "not_actionable", actor="op", reason="duplicate")
    stale_close = mutation(Op.CHANGE_STATUS, request, {"from_status": "referred", "to_status": "not_actionable",
                                                       "reason": "out_of_jurisdiction"})
    stale_start = mutation(Op.CHANGE_STATUS, request, {"from_status": "assigned", "to_status": "in_progress"})
    closed, started = push(centre.client(), office, stale_close, stale_start)
    assert (closed["code"], started["code"]) == ("not_a_move", "not_a_move")
    assert closed["server_value"]["outcome_reason"] == "duplicate"
    take_back = mutation(Op.CHANGE_STATUS, request, {"from_status": "done", "to_status": "referred"})
    (result,) = push(centre.client(), office, take_back)
    assert result["outcome"] == "applied"  # legal from where the centre stands: not_actionable
    assert result["event"]["from_status"] == "not_actionable"
    assert result["event"]["data"] == {"office_from_status": "done"}


def test_notes_and_work_orders_only_append(centre: Centre, office: str) -> None:
    request = centre.intake(D1)
    note = mutation(Op.ADD_NOTE, request, {"note": "  تماس   گرفته شد "})
    printed = mutation(Op.WORK_ORDER_ISSUED, request)
    same_event = mutation(Op.ADD_NOTE, request, {"note": "again", "event_id": note["payload"]["event_id"]})
    empty = mutation(Op.ADD_NOTE, request, {"note": "   "})
    results = push(centre.client(), office, note, printed, same_event, empty)
    assert [r["outcome"] for r in results] == ["applied", "applied", "rejected", "rejected"]
    assert [r["code"] for r in results[2:]] == ["duplicate_event", "note_empty"]
    history = events_of(centre, request)
    assert [e.kind for e in history][-2:] == ["note", "work_order_issued"]
    assert history[-2].note == "تماس گرفته شد"
    assert centre.request(request).version == 2  # history grew, the request did not change


def test_an_edit_applies_where_the_centre_still_has_the_base_and_is_a_conflict_elsewhere(
        centre: Centre, office: str) -> None:
    request = centre.intake(D1, address="کوچه ۱")
    base = centre.request(request)
    edit = mutation(Op.EDIT_REQUEST, request, {"changes": {"address": "کوچه ۲", "citizen_phone": "۰۹۱۲ ۱۱۱ ۲۲۳۳"},
                                               "base": {"address": base.address,
                                                        "citizen_phone": base.citizen_phone}})
    (applied,) = push(centre.client(), office, edit)
    assert applied["outcome"] == "applied"
    row = centre.request(request)
    assert (row.address, row.citizen_phone, row.version) == ("کوچه ۲", "09121112233", base.version + 1)
    stale = mutation(Op.EDIT_REQUEST, request, {"changes": {"address": "کوچه ۳", "description": "تازه"},
                                                "base": {"address": "کوچه ۱", "description": base.description}})
    (conflict,) = push(centre.client(), office, stale)
    assert (conflict["outcome"], conflict["code"]) == ("conflict", "stale_edit")
    assert "address" in conflict["message"] and "description" not in conflict["message"]
    assert conflict["server_value"]["address"] == "کوچه ۲"
    assert centre.request(request).description == base.description  # nothing of a conflict applied
    wrong = push(centre.client(), office,
                 mutation(Op.EDIT_REQUEST, request, {"changes": {"status": "done"}, "base": {"status": "referred"}}),
                 mutation(Op.EDIT_REQUEST, request, {"changes": {"neighbourhood_code": neighbourhood_of(D2)},
                                                     "base": {"neighbourhood_code": base.neighbourhood_code}}),
                 mutation(Op.EDIT_REQUEST, request, {"changes": {"latitude": 200}, "base": {"latitude": None}}),
                 mutation(Op.EDIT_REQUEST, request, {"changes": {"citizen_name": "x" * 201},
                                                     "base": {"citizen_name": ""}}))
    assert [r["code"] for r in wrong] == ["not_editable", "invalid_value", "invalid_value", "invalid_value"]


def walk_in(request_id: uuid.UUID, code: str, **values: object) -> dict:
    return {"request": {"id": str(request_id), "tracking_code": code, "received_at": utcnow().isoformat(),
                        "channel": "walk_in", "district_code": D1, "neighbourhood_code": neighbourhood_of(D1),
                        "category_code": "garbage", "description": "سد معبر", "citizen_name": "مینا",
                        "citizen_phone": "09121234567", "address": "", "status": "referred", **values}}


def test_a_walk_in_keeps_its_office_numbered_code(centre: Centre, office: str) -> None:
    first, second, third, fourth = (uuid.uuid4() for _ in range(4))
    results = push(centre.client(), office,
                   mutation(Op.CREATE_REQUEST, first, walk_in(first, "1405-1-1")),
                   mutation(Op.CREATE_REQUEST, second, walk_in(second, "1405-1-1")),
                   mutation(Op.CREATE_REQUEST, third, walk_in(third, "1405-2-1")),
                   mutation(Op.CREATE_REQUEST, fourth, walk_in(fourth, "1405-1-2", channel="phone")))
    assert [r["outcome"] for r in results] == ["applied", "rejected", "rejected", "rejected"]
    # (A phone request is the centre office's to type in, not a district office's.)
    assert [r["code"] for r in results[1:]] == ["tracking_code_taken", "bad_tracking_code",
                                                "not_centre_office"]
    row = centre.request(first)
    assert (row.tracking_code, row.status, row.version) == ("1405-1-1", "referred", 1)
    assert results[0]["server_value"]["tracking_code"] == "1405-1-1"
    assert results[0]["event"]["kind"] == "created"


def test_a_crew_is_created_updated_and_a_stale_edit_is_a_conflict(centre: Centre, office: str) -> None:
    crew_id = uuid.uuid4()
    values = {"id": str(crew_id), "name": "اکیپ ۱", "supervisor": "", "phone": None,
              "district_code": D1, "active": True}
    create = mutation(Op.UPSERT_CREW, crew_id, {"crew": values}, entity="crew", role=None, base_version=0)
    rename = mutation(Op.UPSERT_CREW, crew_id, {"crew": {**values, "name": "اکیپ یک"}}, entity="crew",
                      role=None, base_version=1)
    stale = mutation(Op.UPSERT_CREW, crew_id, {"crew": {**values, "name": "دیگر"}}, entity="crew",
                     role=None, base_version=1)
    moved = mutation(Op.UPSERT_CREW, crew_id, {"crew": {**values, "district_code": D2}}, entity="crew",
                     role=None, base_version=2)
    results = push(centre.client(), office, create, rename, stale, moved)
    assert [r["outcome"] for r in results] == ["applied", "applied", "conflict", "rejected"]
    assert results[3]["code"] == "not_in_scope"
    with centre.sessions() as session:
        crew = session.get(Crew, crew_id)
        assert (crew.name, crew.version) == ("اکیپ یک", 2)
    assert results[2]["server_value"]["name"] == "اکیپ یک"


def test_a_broken_mutation_is_answered_and_does_not_block_the_ones_after_it(centre: Centre, office: str) -> None:
    request = centre.intake(D1)
    results = push(centre.client(), office,
                   mutation(Op.CHANGE_STATUS, request, {"to_status": None}),
                   mutation(Op.ASSIGN, request, {"crew_id": "not-a-uuid"}),
                   mutation(Op.ADD_NOTE, request, {"note": "ok"}, event=False),
                   mutation(Op.ADD_NOTE, request, {"note": "ok"}))
    assert [r["code"] for r in results] == ["invalid_payload"] * 3 + [None]
    assert results[3]["outcome"] == "applied"


def test_twin_batches_racing_on_postgresql_apply_each_mutation_once(centre_engine: sa.Engine) -> None:
    if centre_engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: batches cannot race there")
    centre = Centre.on(centre_engine)
    office = centre.enrol(centre.add_office("Twins", [D1]))
    requests = [centre.intake(D1) for _ in range(5)]
    batch = [mutation(Op.ADD_NOTE, r, {"note": f"n{i}"}) for i, r in enumerate(requests)] + [
        mutation(Op.CHANGE_STATUS, r, {"to_status": "not_actionable", "reason": "duplicate"})
        for r in requests]
    answers: list[list[dict]] = []
    start = threading.Barrier(4)

    def send() -> None:
        start.wait()
        answers.append(push(centre.client(), office, *batch))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 4 and all(a == answers[0] for a in answers)
    assert {r["outcome"] for r in answers[0]} == {"applied"}
    with centre.sessions() as session:
        for request in requests:
            kinds = session.scalars(sa.select(Event.kind).where(Event.request_id == request)).all()
            assert sorted(kinds) == ["created", "note", "status", "status"]


def test_a_change_the_database_refuses_is_answered_alone(
        centre: Centre, office: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Should a check be missing and the database refuse a change, the batch is run
    again a savepoint at a time: the others apply, the culprit is rejected, and the
    office's outbox moves on."""
    from sync.server import mutations

    first, second = centre.intake(D1), centre.intake(D1)

    def broken_note(ctx: mutations.MutationBeingApplied) -> None:
        payload = ctx.payload()
        ctx.session.add(Event(id=payload.event_id, request_id=uuid.uuid4(), kind="note", note="",
                              data={}, actor="x", actor_role="clerk", server_time=utcnow()))

    monkeypatch.setitem(mutations.HANDLERS, Op.WORK_ORDER_ISSUED, broken_note)
    results = push(centre.client(), office, mutation(Op.ADD_NOTE, first, {"note": "ok"}),
                   mutation(Op.WORK_ORDER_ISSUED, second),
                   mutation(Op.ADD_NOTE, second, {"note": "ok too"}))
    assert [r["outcome"] for r in results] == ["applied", "rejected", "applied"]
    assert results[1]["code"] == "invalid_payload"
    assert [e.kind for e in events_of(centre, second)].count("note") == 1


def test_every_op_has_its_handler_and_only_those() -> None:
    from sync.server.mutations import HANDLERS

    assert set(HANDLERS) == set(Op)
