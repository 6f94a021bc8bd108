"""What a push may carry: rows within the office's scope, text within the rule book's
limits, no character a database chokes on.  Forged pushes — an office device whose
database was edited, or a client speaking the protocol directly — get a refusal
with a stable code, on SQLite and on PostgreSQL; nothing of them is stored at the
centre, and the office keeps each refusal in its sync-problems inbox.

"Nothing stored" is read against the centre's design: an answer, refusals too,
logs the office's *own* entity once more (push.py), so that its copy comes back to
the office; no event is written, no foreign row changes and no change-log entry
names a row the office may not see.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from desktop_app.services import sync_problems, sync_service
from desktop_app.services.requests import Desk, WalkIn
from desktop_app.store import models as m
from desktop_app.store.db import Store, open_store
from sync import reference, rules
from sync.dates import utcnow
from sync.protocol import Mutation, Op
from sync.server import db as centre_db
from sync.server.auth import scope_of
from sync.server.models import (
    AppliedMutation,
    ChangeLog,
    Crew,
    Device,
    Event,
    Office,
    ServiceRequest,
)
from sync.server.push import apply_batch
from sync.workflow import Role
from tests.sync.client.harness import D1, D2, Centre, mutation, neighbourhood_of, office_actor, push


@pytest.fixture
def centre(centre_engine: sa.Engine) -> Centre:
    return Centre.on(centre_engine)


@pytest.fixture
def credential(centre: Centre) -> str:
    return centre.enrol(centre.add_office("A", [D1]))


def last_seq(centre: Centre) -> int:
    with centre.sessions() as session:
        return centre_db.last_seq(session)


def log_since(centre: Centre, seq: int) -> list[tuple[str, str]]:
    with centre.sessions() as session:
        return [tuple(row) for row in session.execute(
            sa.select(ChangeLog.entity, ChangeLog.entity_key).where(ChangeLog.seq > seq))]


def event_ids(centre: Centre) -> set[uuid.UUID]:
    with centre.sessions() as session:
        return set(session.scalars(sa.select(Event.id)))


def hood_elsewhere() -> str:
    return neighbourhood_of(D2)


def other_hood_in(district: str) -> str:
    return reference.default().neighbourhoods_of(district)[1].code


# ---------------------------------------------------------------------- scope


def test_a_duplicate_link_into_another_district_gets_the_answer_an_unknown_one_gets(
        centre: Centre, credential: str) -> None:
    request, foreign = centre.intake(D1), centre.intake(D2)
    before, seq = centre.request(foreign), last_seq(centre)
    answers = push(centre.client(), credential, *(
        mutation(Op.CHANGE_STATUS, request, {"to_status": "not_actionable", "reason": "duplicate",
                                             "duplicate_of": str(original)})
        for original in (foreign, uuid.uuid4())))
    assert [(a["outcome"], a["code"]) for a in answers] == [("rejected", "bad_original")] * 2
    assert answers[0]["message"] == answers[1]["message"]  # no existence oracle
    assert centre.request(request).status == "referred"
    assert centre.request(foreign).version == before.version
    assert log_since(centre, seq) == [("request", str(request))]


def test_a_crew_of_another_district_gets_the_answer_an_unknown_one_gets(
        centre: Centre, credential: str) -> None:
    request, foreign = centre.intake(D1), centre.add_crew(D2)
    seq = last_seq(centre)
    answers = push(centre.client(), credential, *(
        mutation(Op.ASSIGN, request, {"crew_id": str(crew)}, role="supervisor")
        for crew in (foreign, uuid.uuid4())))
    assert [(a["outcome"], a["code"]) for a in answers] == [("rejected", "unknown_crew")] * 2
    assert answers[0]["message"] == answers[1]["message"]
    assert centre.request(request).crew_id is None
    assert log_since(centre, seq) == [("request", str(request))]


def test_a_walk_in_takes_none_of_the_other_rows_its_columns_name(
        centre: Centre, credential: str) -> None:
    """A walk-in's row is read field by field from the rule book's table: a crew, an
    original or a status it names are not taken (a walk-in starts referred, alone)."""
    foreign_request, foreign_crew = centre.intake(D2), centre.add_crew(D2)
    new = uuid.uuid4()
    row = {"id": str(new), "tracking_code": "1405-1-7", "channel": "walk_in", "district_code": D1,
           "neighbourhood_code": neighbourhood_of(D1), "category_code": "garbage",
           "description": "زباله", "citizen_phone": "09121234567",
           "received_at": utcnow().isoformat(), "crew_id": str(foreign_crew),
           "duplicate_of": str(foreign_request), "status": "done"}
    (answer,) = push(centre.client(), credential, mutation(Op.CREATE_REQUEST, new, {"request": row}))
    assert answer["outcome"] == "applied", answer
    stored = centre.request(new)
    assert (stored.crew_id, stored.duplicate_of, stored.status) == (None, None, "referred")


# --------------------------------------------------- forged at the office itself


@pytest.fixture
def office(tmp_path: Path, centre: Centre) -> Iterator[tuple[Store, TestClient]]:
    client = centre.client()
    store = open_store(tmp_path / "office")
    sync_service.enroll(store, "http://localhost", centre.add_office("B", [D1]), client=client)
    yield store, client
    store.close()


Forge = Callable[[Desk, dict[str, uuid.UUID]], None]


def _status(desk: Desk, ids: dict[str, uuid.UUID]) -> None:
    desk.change_status([ids["request"]], "not_actionable", reason="duplicate",
                       duplicate_of=ids["sibling"])


def _assign(desk: Desk, ids: dict[str, uuid.UUID]) -> None:
    desk.assign([ids["request"]], ids["crew"])


def _edit(desk: Desk, ids: dict[str, uuid.UUID]) -> None:
    desk.edit(ids["request"], neighbourhood_code=other_hood_in(D1))


def _walk_in(desk: Desk, ids: dict[str, uuid.UUID]) -> None:
    desk.register_walk_in(WalkIn(citizen_phone="09121234567", district_code=D1,
                                 neighbourhood_code=neighbourhood_of(D1), category_code="garbage",
                                 description="زباله"))


def _crew(desk: Desk, ids: dict[str, uuid.UUID]) -> None:
    desk.save_crew(name="اکیپ تازه", district_code=D1)


def _note(desk: Desk, ids: dict[str, uuid.UUID]) -> None:
    desk.add_note(ids["request"], "تماس گرفته شد")


def _work_order(desk: Desk, ids: dict[str, uuid.UUID]) -> None:
    desk.record_work_orders_issued([ids["request"]])


def _payload(**changes: str) -> Callable[[m.OutboxEntry, dict[str, uuid.UUID]], None]:
    def tamper(entry: m.OutboxEntry, foreign: dict[str, uuid.UUID]) -> None:
        entry.payload = {**entry.payload, **{k: str(foreign[v]) if v in foreign else v
                                             for k, v in changes.items()}}
    return tamper


def _inner(key: str, **changes: str) -> Callable[[m.OutboxEntry, dict[str, uuid.UUID]], None]:
    def tamper(entry: m.OutboxEntry, foreign: dict[str, uuid.UUID]) -> None:
        entry.payload = {**entry.payload, key: {**entry.payload[key], **changes}}
    return tamper


def _entity(entry: m.OutboxEntry, foreign: dict[str, uuid.UUID]) -> None:
    entry.entity_id = foreign["request"]


#: For every op, a change the office's Desk makes, and the edit of its outbox entry
#: that makes it name a row of another district; then the answer the centre gives.
FORGED: dict[str, tuple[Op, Forge, Callable[[m.OutboxEntry, dict[str, uuid.UUID]], None], str]] = {
    "duplicate_of": (Op.CHANGE_STATUS, _status, _payload(duplicate_of="request"), "bad_original"),
    "crew_id": (Op.ASSIGN, _assign, _payload(crew_id="crew"), "unknown_crew"),
    "edited neighbourhood": (Op.EDIT_REQUEST, _edit, _inner("changes", neighbourhood_code=hood_elsewhere()),
                             "invalid_value"),
    "walk-in district": (Op.CREATE_REQUEST, _walk_in,
                         _inner("request", district_code=D2, neighbourhood_code=hood_elsewhere()),
                         "not_in_scope"),
    "walk-in neighbourhood": (Op.CREATE_REQUEST, _walk_in,
                              _inner("request", neighbourhood_code=hood_elsewhere()), "invalid_value"),
    "crew district": (Op.UPSERT_CREW, _crew, _inner("crew", district_code=D2), "not_in_scope"),
    "status of a foreign request": (Op.CHANGE_STATUS, _status, _entity, "not_in_scope"),
    "assign a foreign request": (Op.ASSIGN, _assign, _entity, "not_in_scope"),
    "edit a foreign request": (Op.EDIT_REQUEST, _edit, _entity, "not_in_scope"),
    "note on a foreign request": (Op.ADD_NOTE, _note, _entity, "not_in_scope"),
    "work order of a foreign request": (Op.WORK_ORDER_ISSUED, _work_order, _entity, "not_in_scope"),
}


def test_every_op_is_forged_somewhere() -> None:
    """Every op that can name a row names one out of scope above.  A user change names
    none: its user is the credential's office's by construction (who may make one is
    tests/sync/server/test_forged_push.py's).  The centre's own moves come only from
    the centre's office, which sees every district: from a district office they are
    refused before any row is looked at (tests/sync/server/test_centre_push.py)."""
    centre_moves = {Op.REFER, Op.MOVE_DISTRICT, Op.REPEAT_CALL}
    assert {op for op, *_ in FORGED.values()} == set(Op) - {Op.UPSERT_USER} - centre_moves


@pytest.mark.parametrize("case", FORGED)
def test_a_push_naming_a_row_out_of_scope_is_refused_and_kept_in_the_office_inbox(
        centre: Centre, office: tuple[Store, TestClient], case: str) -> None:
    op, act, tamper, code = FORGED[case]
    store, client = office
    ids = {"request": centre.intake(D1), "sibling": centre.intake(D1), "crew": centre.add_crew(D1)}
    foreign = {"request": centre.intake(D2), "crew": centre.add_crew(D2)}
    with centre.sessions() as session:
        foreign_rows = (session.get(ServiceRequest, foreign["request"]).version,
                        session.get(Crew, foreign["crew"]).version)
    sync_service.sync_once(store, client=client)
    act(Desk(store.sessions, office_actor(store, Role.MANAGER)), ids)
    with store.sessions.begin() as session:  # the office's database, edited by hand
        (entry,) = session.scalars(sa.select(m.OutboxEntry)).all()
        assert entry.op == op.value
        tamper(entry, foreign)
        mutation_id, forged = entry.mutation_id, dict(entry.payload)
    events, seq = event_ids(centre), last_seq(centre)

    sync_service.sync_once(store, client=client)

    (problem,) = sync_problems.open_problems(store)
    assert (problem.mutation_id, problem.kind, problem.reason_code, problem.op) == (
        mutation_id, "rejected", code, op.value)
    assert problem.payload == forged
    assert event_ids(centre) == events
    logged = log_since(centre, seq)
    assert logged in ([], [("request", str(ids["request"]))]), logged
    assert not {key for _, key in logged} & {str(i) for i in foreign.values()}
    with centre.sessions() as session:
        assert (session.get(ServiceRequest, foreign["request"]).version,
                session.get(Crew, foreign["crew"]).version) == foreign_rows
        assert session.get(AppliedMutation, mutation_id).outcome == "rejected"
        assert session.scalar(sa.select(sa.func.count()).select_from(ServiceRequest)) == 3
        assert session.scalar(sa.select(sa.func.count()).select_from(Crew)) == 2


# --------------------------------------------------------------------- limits


def _too_long(limit: int) -> str:
    return "ن" * (limit + 1)


def _walk_in_row(new: uuid.UUID, **values: Any) -> dict[str, Any]:
    return {"id": str(new), "tracking_code": "1405-1-9", "channel": "walk_in", "district_code": D1,
            "neighbourhood_code": neighbourhood_of(D1), "category_code": "garbage",
            "description": "زباله", "citizen_phone": "09121234567",
            "received_at": utcnow().isoformat(), **values}


def _crew_row(new: uuid.UUID, **values: Any) -> dict[str, Any]:
    return {"id": str(new), "name": "اکیپ", "supervisor": "", "phone": "", "district_code": D1,
            "active": True, **values}


#: Every text a push carries past its limit: (op, the payload, the field, the limit).
LONG: dict[str, tuple[Op, Callable[[uuid.UUID], dict[str, Any]], str, int]] = {
    "note": (Op.ADD_NOTE, lambda r: {"note": _too_long(rules.NOTE_LENGTH)}, "note", rules.NOTE_LENGTH),
    "status note": (Op.CHANGE_STATUS, lambda r: {"to_status": "not_actionable", "reason": "not_found",
                                                 "note": _too_long(rules.NOTE_LENGTH)},
                    "note", rules.NOTE_LENGTH),
    **{f"edited {name}": (Op.EDIT_REQUEST,
                          lambda r, name=name, limit=limit: {"changes": {name: _too_long(limit)},
                                                             "base": {name: ""}},
                          name, limit)
       for name, limit in (("description", rules.DESCRIPTION_LENGTH),
                           ("address", rules.ADDRESS_LENGTH),
                           ("citizen_name", rules.CITIZEN_NAME_LENGTH))},
    **{f"walk-in {name}": (Op.CREATE_REQUEST,
                           lambda r, name=name, limit=limit: {
                               "request": _walk_in_row(r, **{name: _too_long(limit)})},
                           name, limit)
       for name, limit in (("description", rules.DESCRIPTION_LENGTH),
                           ("address", rules.ADDRESS_LENGTH),
                           ("citizen_name", rules.CITIZEN_NAME_LENGTH))},
    **{f"crew {name}": (Op.UPSERT_CREW,
                        lambda r, name=name: {
                            "crew": _crew_row(r, **{name: _too_long(rules.CREW_NAME_LENGTH)})},
                        name, rules.CREW_NAME_LENGTH)
       for name in ("name", "supervisor")},
}


@pytest.mark.parametrize("case", LONG)
def test_a_text_past_its_limit_is_refused_naming_the_field_and_the_limit(
        centre: Centre, credential: str, case: str) -> None:
    op, payload, name, limit = LONG[case]
    entity = centre.intake(D1) if op not in (Op.CREATE_REQUEST, Op.UPSERT_CREW) else uuid.uuid4()
    events = event_ids(centre)
    crew = op == Op.UPSERT_CREW  # a crew is changed by a manager (no role claimed)
    (answer,) = push(centre.client(), credential, mutation(
        op, entity, payload(entity), entity="crew" if crew else "request",
        **({"role": None} if crew else {})))
    assert (answer["outcome"], answer["code"]) == ("rejected", "invalid_value")
    assert name in answer["message"] and str(limit) in answer["message"]
    assert event_ids(centre) == events


def test_a_50_mb_note_is_refused_and_stored_nowhere(centre: Centre, credential: str) -> None:
    """Straight to the push machinery: the HTTP layer's body limit is another guard."""
    request = centre.intake(D1)
    note = mutation(Op.ADD_NOTE, request, {"note": "ن" * 50_000_000})
    with centre.sessions() as session:
        office = session.scalars(sa.select(Office).where(Office.name == "A")).one()
        device = session.scalars(sa.select(Device.id).where(Device.office_id == office.id)).one()
        scope = scope_of(session, office, device)
    (answer,) = apply_batch(centre.sessions, scope, [Mutation.model_validate(note)])
    assert (answer.outcome, answer.code) == ("rejected", "invalid_value")
    assert "note" in answer.message and str(rules.NOTE_LENGTH) in answer.message
    with centre.sessions() as session:
        assert session.get(Event, uuid.UUID(note["payload"]["event_id"])) is None
        kept = session.get(AppliedMutation, uuid.UUID(note["mutation_id"]))
        assert kept.outcome == "rejected"
        assert len(str(kept.payload)) < 10_000 and len(str(kept.result)) < 10_000


# ----------------------------------------------------------- control characters


def test_control_characters_in_text_are_dropped_as_the_desk_drops_them(
        centre: Centre, credential: str) -> None:
    """Not a 500, not a database's refusal: stored through clean(), on both databases."""
    request = centre.intake(D1)
    crew = uuid.uuid4()
    nul = "\x00\x1b\x7f\x9f"
    answers = push(centre.client(), credential,
                   mutation(Op.ADD_NOTE, request, {"note": f"تماس{nul} گرفته شد"}),
                   mutation(Op.EDIT_REQUEST, request, {"changes": {"address": f"کوچه{nul} ۱۴"},
                                                       "base": {"address": ""}}),
                   mutation(Op.UPSERT_CREW, crew, {"crew": _crew_row(crew, name=f"اکیپ{nul} ۱")},
                            entity="crew", role=None),
                   mutation(Op.CHANGE_STATUS, request, {"to_status": "not_actionable",
                                                        "reason": "not_found", "note": f"نبود{nul}"}))
    assert [a["outcome"] for a in answers] == ["applied"] * 4, answers
    assert answers[0]["event"]["note"] == "تماس گرفته شد"
    stored = centre.request(request)
    assert (stored.address, stored.outcome_note) == ("کوچه ۱۴", "نبود")
    with centre.sessions() as session:
        assert session.get(Crew, crew).name == "اکیپ ۱"


@pytest.mark.parametrize("case", ["reason", "neighbourhood", "category", "walk-in district",
                                  "crew district", "actor", "actor_role"])
def test_a_control_character_in_a_code_or_a_name_is_refused_with_a_stable_code(
        centre: Centre, credential: str, case: str) -> None:
    request, new = centre.intake(D1), uuid.uuid4()
    hood = neighbourhood_of(D1)
    forged, code = {
        "reason": (mutation(Op.CHANGE_STATUS, request, {"to_status": "not_actionable",
                                                        "reason": "not_found\x00"}), "unknown_reason"),
        "neighbourhood": (mutation(Op.EDIT_REQUEST, request,
                                   {"changes": {"neighbourhood_code": hood + "\x00"},
                                    "base": {"neighbourhood_code": hood}}), "invalid_value"),
        "category": (mutation(Op.CREATE_REQUEST, new,
                              {"request": _walk_in_row(new, category_code="garbage\x00")}),
                     "invalid_value"),
        "walk-in district": (mutation(Op.CREATE_REQUEST, new,
                                      {"request": _walk_in_row(new, district_code=D1 + "\x00")}),
                             "not_in_scope"),
        "crew district": (mutation(Op.UPSERT_CREW, new, {"crew": _crew_row(new, district_code=D1 + "\x00")},
                                   entity="crew"), "not_in_scope"),
        "actor": ({**mutation(Op.ADD_NOTE, request, {"note": "ن"}), "actor": "clerk\x00"}, "invalid_value"),
        "actor_role": ({**mutation(Op.ADD_NOTE, request, {"note": "ن"}), "actor_role": "clerk\x00"},
                       "invalid_value"),
    }[case]
    events = event_ids(centre)
    (answer,) = push(centre.client(raise_server_exceptions=False), credential, forged)
    assert (answer["outcome"], answer["code"]) == ("rejected", code), answer
    assert event_ids(centre) == events
