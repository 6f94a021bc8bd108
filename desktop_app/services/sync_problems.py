"""Settling sync problems: the changes the centre refused or found stale.

A refused change is kept (:class:`~desktop_app.store.models.SyncProblem`) until a
person decides.  Re-applying does the change again through the
:class:`~desktop_app.services.requests.Desk`, on the office's current copy (the
centre's since the refusal), so it is checked afresh and queued anew; discarding
accepts the centre's value.  Both are audited, and a re-applied change and the
settling of its problem commit together or not at all: the desk works in a real
savepoint inside the settling transaction.

How each operation is done again is one table, :data:`REAPPLY`, keyed by
:class:`~sync.protocol.Op`; a new operation is not re-appliable until it has an
entry (a test holds the table to ``set(Op)``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.errors import ServiceError
from desktop_app.services.attachments import bring_back
from desktop_app.services.centre import Call, CentreDesk
from desktop_app.services.requests import Actor, Changes, Desk, WalkIn
from desktop_app.services.users import resend_user
from desktop_app.store import models as m
from desktop_app.store.db import Store
from sync.dates import utcnow
from sync.protocol import Op, parse_time

#: Does a refused change again with the desk given (in the settling transaction),
#: and says what it changed.
Reapply = Callable[[Session, Desk, m.SyncProblem], Changes]


def _change_status(session: Session, desk: Desk, problem: m.SyncProblem) -> Changes:
    p, original = problem.payload, problem.payload.get("duplicate_of")
    return desk.change_status([problem.entity_id], p["to_status"], reason=p.get("reason"),
                              note=p.get("note") or "",
                              duplicate_of=uuid.UUID(original) if original else None)


def _assign(session: Session, desk: Desk, problem: m.SyncProblem) -> Changes:
    return desk.assign([problem.entity_id], uuid.UUID(problem.payload["crew_id"]))


def _add_note(session: Session, desk: Desk, problem: m.SyncProblem) -> Changes:
    if problem.payload.get("purpose") == "ask_citizen":
        return _centre(desk).ask_citizen(problem.entity_id, problem.payload["note"])
    return desk.add_note(problem.entity_id, problem.payload["note"])


def _work_order_issued(session: Session, desk: Desk, problem: m.SyncProblem) -> Changes:
    return desk.record_work_orders_issued([problem.entity_id])


def _edit_request(session: Session, desk: Desk, problem: m.SyncProblem) -> Changes:
    return desk.edit(problem.entity_id, **problem.payload["changes"])


def _save_crew(session: Session, desk: Desk, problem: m.SyncProblem) -> Changes:
    crew = problem.payload["crew"]
    return desk.save_crew(name=crew["name"], supervisor=crew.get("supervisor") or "",
                          phone=crew.get("phone") or "", district_code=crew["district_code"],
                          active=bool(crew.get("active", True)), crew_id=problem.entity_id).changes


def _resend_user(session: Session, desk: Desk, problem: m.SyncProblem) -> Changes:
    """A refused user change: the office's user as it stands now goes again (by a
    manager: the centre takes users only from one)."""
    resend_user(desk.sessions, desk.actor, problem.payload["username"])
    return Changes()


def _register_walk_in(session: Session, desk: Desk, problem: m.SyncProblem) -> Changes:
    """A refused walk-in is registered again, as a new request with a new code, and
    the photos it had come back to it (from the data folder, once it has left).  A
    refused call of the centre's office is taken again the same way."""
    row = problem.payload["request"]
    if row.get("channel", "walk_in") != "walk_in":
        result = _centre(desk).take_call(Call.from_row(row))
    else:
        result = desk.register_walk_in(WalkIn.from_row(row))
    bring_back(session, problem.entity_id, result.id, desk.actor)
    return result.changes


def _centre(desk: Desk) -> CentreDesk:
    """The centre's desk on the same savepoint sessions (it refuses anyone else)."""
    return CentreDesk(desk.sessions, desk.actor)


def _refer(session: Session, desk: Desk, problem: m.SyncProblem) -> Changes:
    """Referred again, to the same district; the deadline chosen stays if it is still
    ahead, else the category's default from now."""
    p = problem.payload
    due = parse_time(p.get("due_at"))
    if due is not None and due <= utcnow():
        due = None
    return _centre(desk).refer([problem.entity_id], p["district_code"], due_at=due,
                               note=p.get("note") or "")


def _move_district(session: Session, desk: Desk, problem: m.SyncProblem) -> Changes:
    p = problem.payload
    return _centre(desk).move_district(problem.entity_id, p["district_code"], p["reason"],
                                       neighbourhood_code=p.get("neighbourhood_code"))


def _repeat_call(session: Session, desk: Desk, problem: m.SyncProblem) -> Changes:
    p = problem.payload
    return _centre(desk).attach_repeat_call(problem.entity_id, p.get("phone") or "",
                                            p.get("note") or "")


#: How each operation's refused change is done again.
REAPPLY: Mapping[Op, Reapply] = {
    Op.CREATE_REQUEST: _register_walk_in,
    Op.CHANGE_STATUS: _change_status,
    Op.ASSIGN: _assign,
    Op.ADD_NOTE: _add_note,
    Op.WORK_ORDER_ISSUED: _work_order_issued,
    Op.EDIT_REQUEST: _edit_request,
    Op.UPSERT_CREW: _save_crew,
    Op.UPSERT_USER: _resend_user,
    Op.REFER: _refer,
    Op.MOVE_DISTRICT: _move_district,
    Op.REPEAT_CALL: _repeat_call,
}


def open_problems(store: Store) -> list[m.SyncProblem]:
    """Changes the centre refused or found stale, oldest first, until a person settles them."""
    with store.sessions() as session:
        return list(session.scalars(sa.select(m.SyncProblem).where(m.SyncProblem.resolved_at.is_(None))
                                    .order_by(m.SyncProblem.created_at, m.SyncProblem.mutation_id)))


@dataclass(frozen=True)
class ProblemRow:
    """One unsettled problem, with what a clerk needs to recognise it."""

    id: uuid.UUID
    kind: str
    op: str
    entity: str
    entity_id: uuid.UUID
    #: The request's tracking code ("" for a crew, or a request no longer here).
    tracking_code: str
    payload: dict[str, Any]
    reason_code: str
    message: str
    server_value: dict[str, Any] | None
    created_at: dt.datetime
    #: Crew names by id, for payloads that name a crew.
    crews: dict[str, str]


def problem_rows(store: Store) -> tuple[ProblemRow, ...]:
    """The open problems as plain data for the window, oldest first."""
    problems = open_problems(store)
    with store.sessions() as session:
        ids = [p.entity_id for p in problems if p.entity == "request"]
        codes = dict(session.execute(
            sa.select(m.ServiceRequest.id, m.ServiceRequest.tracking_code)
            .where(m.ServiceRequest.id.in_(ids))).all()) if ids else {}
        crews = {str(c.id): c.name for c in session.scalars(sa.select(m.Crew))}
    return tuple(
        ProblemRow(p.id, p.kind, p.op, p.entity, p.entity_id,
                   codes.get(p.entity_id, "") if p.entity == "request" else "",
                   dict(p.payload or {}), p.reason_code, p.message or "",
                   dict(p.server_value) if p.server_value is not None else None,
                   p.created_at, crews)
        for p in problems)


def _open_problem(session: Session, problem_id: uuid.UUID) -> m.SyncProblem:
    problem = session.get(m.SyncProblem, problem_id)
    if problem is None:
        raise ServiceError("unknown_problem", f"no such sync problem: {problem_id}")
    if problem.resolved_at is not None:
        raise ServiceError("problem_settled", f"this problem was settled ({problem.resolution})")
    return problem


def _settle(session: Session, problem: m.SyncProblem, how: str, actor: Actor, **details: Any) -> None:
    now = utcnow()
    problem.resolved_at, problem.resolution, problem.resolved_by = now, how, actor.username
    session.add(m.AuditEntry(
        at=now, actor=actor.username, action=f"sync_problem_{how}", entity=problem.entity,
        entity_key=str(problem.entity_id),
        details={"problem_id": str(problem.id), "mutation_id": str(problem.mutation_id),
                 "op": problem.op, "reason_code": problem.reason_code, **details},
    ))


def _savepoints(session: Session) -> sessionmaker[Session]:
    """Sessions on ``session``'s connection whose transactions are savepoints inside
    its own: what the desk commits there is committed, or rolled back, with it."""
    return sessionmaker(bind=session.connection(), join_transaction_mode="create_savepoint",
                        expire_on_commit=False)


def reapply_problem(store: Store, problem_id: uuid.UUID, actor: Actor) -> Changes:
    """Do the refused change again, as ``actor``, on the centre's current values; it
    goes out with the next round.  Raises the desk's :class:`ServiceError` when the
    change no longer makes sense (then the problem stays open)."""
    with store.sessions.begin() as session:
        problem = _open_problem(session, problem_id)
        before = set(session.scalars(sa.select(m.OutboxEntry.mutation_id)))
        changes = REAPPLY[Op(problem.op)](session, Desk(_savepoints(session), actor), problem)
        queued = set(session.scalars(sa.select(m.OutboxEntry.mutation_id))) - before
        _settle(session, problem, "reapplied", actor, new_mutation_ids=sorted(str(i) for i in queued))
    return changes


def discard_problem(store: Store, problem_id: uuid.UUID, actor: Actor) -> None:
    """Accept the centre's value: the office's change is dropped, and the audit says who
    decided so.  (The office's copy already shows the centre's value.)"""
    with store.sessions.begin() as session:
        _settle(session, _open_problem(session, problem_id), "discarded", actor)
