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
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from sync import rules
from sync.dates import utcnow
from sync.protocol import Mutation, Op
from sync.server.auth import scope_of
from sync.server.models import AppliedMutation, Crew, Device, Event, Office
from sync.server.push import apply_batch
from tests.sync.client.harness import D1, Centre, mutation, neighbourhood_of, push


@pytest.fixture
def centre(centre_engine: sa.Engine) -> Centre:
    return Centre.on(centre_engine)


@pytest.fixture
def credential(centre: Centre) -> str:
    return centre.enrol(centre.add_office("A", [D1]))


def event_ids(centre: Centre) -> set[uuid.UUID]:
    with centre.sessions() as session:
        return set(session.scalars(sa.select(Event.id)))


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
                        lambda r, name=name: {"crew": _crew_row(r, **{name: _too_long(rules.CREW_NAME_LENGTH)})},
                        name, rules.CREW_NAME_LENGTH)
       for name in ("name", "supervisor")},
}


@pytest.mark.parametrize("case", LONG)
def test_a_text_past_its_limit_is_refused_naming_the_field_and_the_limit(
        centre: Centre, credential: str, case: str) -> None:
    op, payload, name, limit = LONG[case]
    entity = centre.intake(D1) if op not in (Op.CREATE_REQUEST, Op.UPSERT_CREW) else uuid.uuid4()
    events = event_ids(centre)
    (answer,) = push(centre.client(), credential, mutation(
        op, entity, payload(entity), entity="crew" if op == Op.UPSERT_CREW else "request"))
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
                            entity="crew"),
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
        "neighbourhood": (mutation(Op.EDIT_REQUEST, request, {"changes": {"neighbourhood_code": hood + "\x00"},
                                                              "base": {"neighbourhood_code": hood}}),
                          "invalid_value"),
        "category": (mutation(Op.CREATE_REQUEST, new, {"request": _walk_in_row(new, category_code="garbage\x00")}),
                     "invalid_value"),
        "walk-in district": (mutation(Op.CREATE_REQUEST, new, {"request": _walk_in_row(new, district_code=D1 + "\x00")}),
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
