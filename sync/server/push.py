"""Applying what offices push: each mutation exactly once, checked as the centre sees it.

A batch is one transaction:

1. every mutation id is *claimed* with one ``INSERT … ON CONFLICT DO NOTHING`` of its
   :class:`AppliedMutation` row.  An id that is there already is a replay and gets
   the stored answer; a twin batch racing in another transaction on PostgreSQL makes
   the insert wait for it, and its ids then count as replays — so a mutation is never
   applied twice;
2. the rows the batch may change are locked, in id order (two batches never wait on
   each other in a circle), so each check below sees what others committed;
3. each claimed mutation is applied by the handler of its op, which checks it
   against the centre's current row, the office's scope and the lifecycle
   (:mod:`sync.workflow`, with the role the person had) *before* it changes anything,
   and raises :class:`Refusal` for a business rejection.  Should the database still
   refuse the batch (a check missing somewhere), it runs again with a savepoint per
   mutation, and the culprit alone is answered as rejected: one bad change must not
   block an office's outbox for good;
4. the answers are stored with the claims: ``applied``, ``rejected`` (illegal move,
   out of scope, invalid) or ``conflict`` (a stale edit of a plain field or crew).

Writes append centre events that keep the office's event id (so pulling them back
does not double them), stamped with the centre's clock; every row written — and the
entity of every answer, see :meth:`_Batch.run` — is logged for pull.  Change-log
numbers are taken once, at the end of the batch, so the counter lock that orders the
log is held only for the last moment of the transaction.

Where the office's clock enters the projection (``closed_at``, ``assigned_at``,
``received_at`` of a walk-in) it is the time the clerk recorded the fact — an
office can be offline for days — but never later than the centre's clock.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from sync import workflow
from sync.dates import utcnow
from sync.protocol import (
    EDITABLE_FIELDS,
    PAYLOADS,
    AddNotePayload,
    AssignPayload,
    ChangeStatusPayload,
    CreateRequestPayload,
    EditRequestPayload,
    Mutation,
    MutationResult,
    Op,
    Outcome,
    RequestPayload,
    UpsertCrewPayload,
    parse_time,
)
from sync.server import operations as ops
from sync.server.auth import Scope
from sync.server.changes import Entry, log_changes
from sync.server.models import (
    AppliedMutation,
    Category,
    Crew,
    District,
    Event,
    Neighbourhood,
    ServiceRequest,
)
from sync.text import PhoneError, clean, parse_phone
from sync.workflow import EventKind, Role, Status, TransitionError

log = logging.getLogger("daftar.server.push")

#: Roles an office's people have; ``centre`` moves are the centre's own.
OFFICE_ROLES = frozenset({Role.CLERK, Role.SUPERVISOR, Role.MANAGER})
#: Column widths of the shared schema that PostgreSQL enforces.
_MAX_LENGTH = {"citizen_name": 200, "citizen_phone": 20, "tracking_code": 32, "name": 100,
               "supervisor": 100}
#: A batch that loses a deadlock or a serialization race on PostgreSQL is run again.
_RETRIES = 3


class Refusal(Exception):
    """A business answer other than ``applied``: rolls back the mutation's savepoint."""

    def __init__(self, code: str, message: str, outcome: Outcome = Outcome.REJECTED):
        self.code = code
        self.outcome = outcome
        super().__init__(message)


@dataclass
class _Context:
    session: Session
    scope: Scope
    mutation: Mutation
    now: dt.datetime
    #: Event ids the centre holds already (the batch reads them in one query).
    existing_events: set[uuid.UUID]
    entries: list[Entry] = field(default_factory=list)
    event: Event | None = None

    @property
    def office_time(self) -> dt.datetime:
        """When the office says it happened, but never in the centre's future."""
        return min(self.mutation.client_time, self.now)

    def role(self) -> Role:
        """The acting person's role; refused unless it is an office role."""
        try:
            role = Role(self.mutation.actor_role or "")
        except ValueError:
            raise Refusal("role_not_allowed", f"unknown role {self.mutation.actor_role!r}") from None
        if role not in OFFICE_ROLES:
            raise Refusal("role_not_allowed", f"an office cannot act as {role}")
        return role

    def payload(self) -> Any:
        """The op's payload, read and checked; the first thing every handler does."""
        try:
            payload = PAYLOADS[self.mutation.op].model_validate(self.mutation.payload)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise Refusal("invalid_payload", f"payload {where}: {first['msg']}") from None
        if isinstance(payload, RequestPayload) and payload.event_id in self.existing_events:
            raise Refusal("duplicate_event", "an event with this id already exists")
        return payload

    def request(self) -> ServiceRequest:
        """The mutation's request, locked, if this office may write it."""
        request = self.session.get(ServiceRequest, self.mutation.entity_id)  # locked by the batch
        if request is None or not self.scope.covers(request.district_code):
            # One answer for "unknown" and "another district's": it tells nothing.
            raise Refusal("not_in_scope", "the request is not in this office's districts")
        return request

    def add_event(self, request: ServiceRequest, payload: RequestPayload, kind: EventKind,
                  **values: Any) -> Event:
        self.event = ops.add_event(
            self.session, request, kind, actor=self.mutation.actor,
            role=self.mutation.actor_role or "", at=self.now, event_id=payload.event_id,
            office_id=self.scope.office_id, client_time=self.mutation.client_time,
            mutation_id=self.mutation.mutation_id, **values,
        )
        self.entries.append(ops.event_entry(self.event, request.district_code))
        return self.event

    def changed(self, request: ServiceRequest) -> None:
        ops.touch(request, self.now)
        self.entries.append(ops.request_entry(request))


# ---------------------------------------------------------------------- handlers


def _transition(source: Status, target: Status, role: Role, reason: str | None) -> None:
    try:
        workflow.check_transition(source, target, role, reason=reason)
    except TransitionError as exc:
        raise Refusal(exc.code, f"{exc} (the request is {source} at the centre)") from None


def _change_status(ctx: _Context) -> None:
    p: ChangeStatusPayload = ctx.payload()
    role = ctx.role()
    request = ctx.request()
    source = Status(request.status)
    _transition(source, p.to_status, role, p.reason)
    try:
        ops.check_reason(ctx.session, p.reason)
    except ops.OperationError as exc:
        raise Refusal(exc.code, str(exc)) from None
    if p.duplicate_of is not None:
        if p.reason != "duplicate":
            raise Refusal("duplicate_needs_reason", "only a duplicate links to an original")
        if p.duplicate_of == request.id or ctx.session.get(ServiceRequest, p.duplicate_of) is None:
            raise Refusal("bad_original", "the original must be another known request")
    data: dict[str, Any] = {"duplicate_of": str(p.duplicate_of)} if p.duplicate_of else {}
    if p.from_status is not None and p.from_status != source:
        # Accepted from where the centre stands (the move is legal from there), and
        # flagged: the office made it on an older picture (sync.md, "Conflicts").
        data["office_from_status"] = p.from_status.value
    note = clean(p.note)
    ctx.add_event(request, p, EventKind.STATUS, from_status=source.value,
                  to_status=p.to_status.value, reason=p.reason, note=note, data=data)
    ops.set_status(request, p.to_status, at=ctx.office_time, reason=p.reason, note=note,
                   duplicate_of=p.duplicate_of)
    ctx.changed(request)


def _assign(ctx: _Context) -> None:
    p: AssignPayload = ctx.payload()
    role = ctx.role()
    if role not in workflow.ASSIGN_ROLES:
        raise Refusal("role_not_allowed", f"{role} may not assign crews")
    request = ctx.request()
    crew = ctx.session.get(Crew, p.crew_id)
    if crew is None or not ctx.scope.covers(crew.district_code):
        raise Refusal("unknown_crew", "no such crew in this office's districts")
    if crew.district_code != request.district_code:
        raise Refusal("crew_not_in_district", "the crew works in another district")
    if not crew.active:
        raise Refusal("crew_inactive", "the crew is no longer active")
    source = Status(request.status)
    if source == Status.REFERRED:
        _transition(source, Status.ASSIGNED, role, None)
        request.status = Status.ASSIGNED.value
    elif source not in (Status.ASSIGNED, Status.IN_PROGRESS):
        raise Refusal("cannot_assign", f"a {source} request cannot be assigned")
    ctx.add_event(request, p, EventKind.ASSIGNED, from_status=source.value,
                  to_status=request.status,
                  data={"crew_id": str(crew.id), "crew_name": crew.name,
                        "previous_crew_id": str(request.crew_id) if request.crew_id else None})
    request.crew_id = crew.id
    request.assigned_at = ctx.office_time
    ctx.changed(request)


def _add_note(ctx: _Context) -> None:
    p: AddNotePayload = ctx.payload()
    ctx.role()
    note = clean(p.note)
    if not note:
        raise Refusal("note_empty", "a note needs text")
    ctx.add_event(ctx.request(), p, EventKind.NOTE, note=note)


def _work_order_issued(ctx: _Context) -> None:
    p: RequestPayload = ctx.payload()
    ctx.role()
    ctx.add_event(ctx.request(), p, EventKind.WORK_ORDER_ISSUED)


def _text(name: str, value: Any, *, nullable: bool = False) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        raise Refusal("invalid_value", f"{name} must be text")
    value = clean(value)
    if len(value) > _MAX_LENGTH.get(name, math.inf):
        raise Refusal("invalid_value", f"{name} is longer than {_MAX_LENGTH[name]} characters")
    return value


def _phone(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise Refusal("invalid_value", "citizen_phone must be text")
    try:
        return parse_phone(value)
    except PhoneError as exc:
        raise Refusal("invalid_value", f"citizen_phone: {exc.message}") from None


def _coordinate(name: str, value: Any) -> float | None:
    if value is None:
        return None
    limit = 90 if name == "latitude" else 180
    if isinstance(value, bool) or not isinstance(value, int | float) or not -limit <= value <= limit:
        raise Refusal("invalid_value", f"{name} must be a number from -{limit} to {limit}")
    return float(value)


def _field_value(ctx: _Context, name: str, value: Any, district_code: str) -> Any:
    """A plain request field as the centre stores it, or :class:`Refusal`."""
    if name in ("latitude", "longitude"):
        return _coordinate(name, value)
    if name == "citizen_phone":
        return _phone(value)
    if name == "neighbourhood_code":
        hood = ctx.session.get(Neighbourhood, value) if isinstance(value, str) else None
        if value is not None and (hood is None or hood.district_code != district_code):
            raise Refusal("invalid_value", "the neighbourhood is not in the request's district")
        return value
    if name == "category_code":
        if not isinstance(value, str) or ctx.session.get(Category, value) is None:
            raise Refusal("invalid_value", "no such category")
        return value
    return _text(name, value)


def _edit_request(ctx: _Context) -> None:
    p: EditRequestPayload = ctx.payload()
    ctx.role()
    unknown = sorted((set(p.changes) | set(p.base)) - set(EDITABLE_FIELDS))
    if unknown or set(p.base) != set(p.changes):
        raise Refusal("not_editable", f"not editable, or without a base: {unknown or sorted(p.changes)}")
    request = ctx.request()
    wanted = {name: _field_value(ctx, name, value, request.district_code)
              for name, value in p.changes.items()}
    # Field by field: a field the centre still holds at the office's base takes the
    # office's value; one that already holds it is fine; any other is a stale edit.
    stale = sorted(name for name, value in wanted.items()
                   if getattr(request, name) not in (value, p.base[name]))
    if stale:
        raise Refusal("stale_edit", f"changed at the centre since the office read it: "
                      f"{', '.join(stale)}", Outcome.CONFLICT)
    for name, value in wanted.items():
        setattr(request, name, value)
    ctx.add_event(request, p, EventKind.NOTE, data={"edited": sorted(wanted)})
    ctx.changed(request)


_WALK_IN_CODE = re.compile(r"^(\d{4})-(\d+)-(\d+)$")


def _create_request(ctx: _Context) -> None:
    p: CreateRequestPayload = ctx.payload()
    ctx.role()
    row = p.request
    session = ctx.session
    district = row.get("district_code")
    if not isinstance(district, str) or not ctx.scope.covers(district) \
            or session.get(District, district) is None:
        raise Refusal("not_in_scope", "the request's district is not one of this office's")
    if str(row.get("id")) != str(ctx.mutation.entity_id):
        raise Refusal("invalid_payload", "the request's id is not the mutation's entity")
    if session.get(ServiceRequest, ctx.mutation.entity_id) is not None:
        raise Refusal("already_exists", "a request with this id already exists")
    code = _text("tracking_code", row.get("tracking_code")) or ""
    match = _WALK_IN_CODE.match(code)
    if match is None or int(match[2]) != ctx.scope.number:
        raise Refusal("bad_tracking_code", f"a walk-in's code is YEAR-{ctx.scope.number}-SERIAL")
    if session.scalar(sa.select(ServiceRequest.id).where(ServiceRequest.tracking_code == code)):
        raise Refusal("tracking_code_taken", f"tracking code {code} is already in use")
    if row.get("channel") != "walk_in":
        raise Refusal("invalid_value", "an office registers walk-ins only")
    if _field_value(ctx, "neighbourhood_code", row.get("neighbourhood_code"), district) is None:
        raise Refusal("invalid_value", "a walk-in needs its neighbourhood")
    try:
        received = parse_time(row.get("received_at"))
    except (TypeError, ValueError):
        received = None
    if received is None:
        raise Refusal("invalid_value", "received_at must be an instant with its offset")
    request = ServiceRequest(
        id=ctx.mutation.entity_id, tracking_code=code, received_at=min(received, ctx.now),
        channel="walk_in", district_code=district, neighbourhood_code=row["neighbourhood_code"],
        category_code=_field_value(ctx, "category_code", row.get("category_code"), district),
        description=_text("description", row.get("description", "")),
        citizen_name=_text("citizen_name", row.get("citizen_name", "")),
        citizen_phone=_phone(row.get("citizen_phone")),
        address=_text("address", row.get("address", "")),
        latitude=_coordinate("latitude", row.get("latitude")),
        longitude=_coordinate("longitude", row.get("longitude")),
        # Registered at the district that acts on it: no referral needed (the desk's rule).
        status=Status.REFERRED.value, outcome_note="", version=1, updated_at=ctx.now,
    )
    session.add(request)
    ctx.entries.append(ops.request_entry(request))
    ctx.add_event(request, p, EventKind.CREATED, to_status=request.status,
                  data={"source": "walk_in"})


def _upsert_crew(ctx: _Context) -> None:
    p: UpsertCrewPayload = ctx.payload()
    values = p.crew
    if str(values.get("id")) != str(ctx.mutation.entity_id):
        raise Refusal("invalid_payload", "the crew's id is not the mutation's entity")
    district = values.get("district_code")
    if not isinstance(district, str) or not ctx.scope.covers(district) \
            or ctx.session.get(District, district) is None:
        raise Refusal("not_in_scope", "the crew's district is not one of this office's")
    name = _text("name", values.get("name"))
    if not name:
        raise Refusal("invalid_value", "a crew needs a name")
    supervisor = _text("supervisor", values.get("supervisor", ""))
    phone = _phone(values.get("phone"))
    active = values.get("active", True)
    if not isinstance(active, bool):
        raise Refusal("invalid_value", "active must be true or false")
    crew = ctx.session.get(Crew, ctx.mutation.entity_id)  # locked by the batch
    if crew is None:
        crew = Crew(id=ctx.mutation.entity_id, district_code=district, version=0)
        ctx.session.add(crew)
    elif not ctx.scope.covers(crew.district_code):
        raise Refusal("not_in_scope", "the crew is not in this office's districts")
    elif crew.district_code != district:
        raise Refusal("crew_district_fixed", "a crew stays in its district; add a new crew")
    elif ctx.mutation.base_version != crew.version:
        raise Refusal("stale_crew", "the crew was changed at the centre since the office read it",
                      Outcome.CONFLICT)
    crew.name, crew.supervisor, crew.phone, crew.active = name, supervisor, phone, active
    ops.touch(crew, ctx.now)
    ctx.entries.append(Entry("crew", str(crew.id), crew.district_code))


_HANDLERS: dict[Op, Callable[[_Context], None]] = {
    Op.CREATE_REQUEST: _create_request,
    Op.CHANGE_STATUS: _change_status,
    Op.ASSIGN: _assign,
    Op.ADD_NOTE: _add_note,
    Op.WORK_ORDER_ISSUED: _work_order_issued,
    Op.EDIT_REQUEST: _edit_request,
    Op.UPSERT_CREW: _upsert_crew,
}


# ------------------------------------------------------------------------ batches


def _entity(mutation: Mutation) -> str:
    """What a mutation changes, by its op (the ``entity`` an office names is not trusted)."""
    return "crew" if mutation.op == Op.UPSERT_CREW else "request"


def _server_value(session: Session, scope: Scope, mutation: Mutation) -> dict[str, Any] | None:
    """The centre's copy of the mutation's entity, if the office may see it.  (After a
    refusal the session has expired what the savepoint wrote, so this reads the
    database's values.)"""
    if _entity(mutation) == "crew":
        crew = session.get(Crew, mutation.entity_id)
        return ops.crew_row(crew) if crew and scope.covers(crew.district_code) else None
    request = session.get(ServiceRequest, mutation.entity_id)
    return ops.request_row(request) if request and scope.covers(request.district_code) else None


#: Claims and answers are written through the table, not the ORM: one statement,
#: compiled once, for any number of rows.
_APPLIED = AppliedMutation.__table__


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_APPLIED)


@dataclass
class _Batch:
    session: Session
    scope: Scope
    mutations: list[Mutation]
    entries: list[Entry] = field(default_factory=list)
    existing_events: set[uuid.UUID] = field(default_factory=set)
    #: The rows locked for the batch, held so that the session's identity map (which
    #: holds rows weakly) keeps them and handlers find them without a query.
    locked: list[Any] = field(default_factory=list)
    #: Each mutation in a savepoint of its own, so that one the database refuses
    #: (which the checks should have stopped) is answered alone.  The first try of a
    #: batch goes without: handlers check everything before they change anything, so
    #: a refusal leaves nothing to roll back.
    careful: bool = False

    def run(self) -> list[MutationResult]:
        claimed = self._claim()
        self._lock(m for m in self.mutations if m.mutation_id in claimed)
        answers: dict[uuid.UUID, MutationResult] = {}
        for mutation in self.mutations:
            # (The same id twice in one batch is applied once.)
            if mutation.mutation_id in claimed and mutation.mutation_id not in answers:
                answers[mutation.mutation_id] = self._apply(mutation)
        if answers:
            self.session.execute(
                sa.update(_APPLIED).where(_APPLIED.c.mutation_id == sa.bindparam("claimed"))
                .values(outcome=sa.bindparam("outcome"), result=sa.bindparam("result")),
                [{"claimed": i, "outcome": r.outcome.value, "result": r.model_dump(mode="json")}
                 for i, r in answers.items()])
        # Every answer, replays and refusals too, logs its entity once more: an office
        # keeps its own version of an entity while a change to it is unanswered and
        # passes over the centre's in pulls meanwhile; this entry brings the centre's
        # back to it, in log order (after every row it refers to).
        for mutation in {m.mutation_id: m for m in self.mutations}.values():
            answer = answers.get(mutation.mutation_id)
            value = answer.server_value if answer else _server_value(self.session, self.scope, mutation)
            if value is not None:
                self.entries.append(Entry(_entity(mutation), str(mutation.entity_id), value["district_code"]))
        answers.update(self._replays([m.mutation_id for m in self.mutations if m.mutation_id not in answers]))
        # An entity once per batch, at its first place: a request before its history.
        log_changes(self.session, dict.fromkeys(self.entries))
        return [answers[m.mutation_id] for m in self.mutations]

    def _claim(self) -> set[uuid.UUID]:
        """Insert the record of every mutation not seen before, in one statement; the
        ids this transaction inserted are the ones it applies.  On PostgreSQL a twin
        batch in flight makes this wait for it, then skip what it inserted."""
        rows, seen = [], set()
        now = utcnow()
        for m in self.mutations:
            if m.mutation_id not in seen:
                seen.add(m.mutation_id)
                rows.append({"mutation_id": m.mutation_id, "office_id": self.scope.office_id,
                             "device_id": self.scope.device_id, "received_at": now,
                             "outcome": "claimed", "result": {}, "payload": m.model_dump(mode="json")})
        statement = _insert(self.session).on_conflict_do_nothing(
            index_elements=["mutation_id"]).returning(_APPLIED.c.mutation_id)
        return set(self.session.execute(statement, rows).scalars())

    def _lock(self, mutations: Iterator[Mutation]) -> None:
        """Lock every row the batch may change, in id order (two batches never wait on
        each other in a circle), and learn which of its event ids exist already."""
        batch = list(mutations)
        for model, entity in ((ServiceRequest, "request"), (Crew, "crew")):
            ids = sorted({m.entity_id for m in batch if _entity(m) == entity})
            if ids:
                self.locked += self.session.scalars(sa.select(model).where(model.id.in_(ids))
                                                    .order_by(model.id).with_for_update()).all()
        event_ids = [m.payload.get("event_id") for m in batch if _entity(m) == "request"]
        wanted = [uuid.UUID(i) for i in event_ids if isinstance(i, str) and _is_uuid(i)]
        if wanted:
            self.existing_events = set(self.session.scalars(sa.select(Event.id).where(Event.id.in_(wanted))))

    def _apply(self, mutation: Mutation) -> MutationResult:
        ctx = _Context(self.session, self.scope, mutation, utcnow(), self.existing_events)
        try:
            if self.careful:
                with self.session.begin_nested():
                    _HANDLERS[mutation.op](ctx)
                    self.session.flush()
            else:
                _HANDLERS[mutation.op](ctx)
        except Refusal as refusal:
            return self._refused(mutation, refusal)
        except (sa.exc.IntegrityError, sa.exc.DataError) as exc:
            # A mutation the checks let through but the database refuses would fail the
            # same way on every retry and block the office's outbox behind it: it is
            # answered as rejected instead, and logged here for a developer.
            log.error("mutation %s refused by the database: %s", mutation.mutation_id, exc)
            return self._refused(mutation, Refusal("invalid_payload", "the centre cannot store this change"))
        self.entries.extend(ctx.entries)
        if ctx.event is not None:
            self.existing_events.add(ctx.event.id)
        return MutationResult(
            mutation_id=mutation.mutation_id, outcome=Outcome.APPLIED,
            server_value=_server_value(self.session, self.scope, mutation),
            event=ops.event_row(ctx.event) if ctx.event is not None else None,
        )

    def _refused(self, mutation: Mutation, refusal: Refusal) -> MutationResult:
        return MutationResult(mutation_id=mutation.mutation_id, outcome=refusal.outcome,
                              code=refusal.code, message=str(refusal),
                              server_value=_server_value(self.session, self.scope, mutation))

    def _replays(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, MutationResult]:
        """Answers to mutations applied before (or by a twin batch): as stored, and
        never another office's."""
        if not ids:
            return {}
        stored = self.session.execute(
            sa.select(AppliedMutation.mutation_id, AppliedMutation.office_id, AppliedMutation.result)
            .where(AppliedMutation.mutation_id.in_(ids))).all()
        out = {}
        for mutation_id, office_id, result in stored:
            if office_id == self.scope.office_id:
                out[mutation_id] = MutationResult.model_validate(result)
            else:
                out[mutation_id] = MutationResult(
                    mutation_id=mutation_id, outcome=Outcome.REJECTED, code="mutation_id_taken",
                    message="this mutation id is taken")
        return out


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def apply_batch(sessions: sessionmaker[Session], scope: Scope,
                mutations: list[Mutation]) -> list[MutationResult]:
    """Apply ``mutations`` in order, in one transaction; one answer per mutation."""
    if not mutations:
        return []
    careful = False
    for attempt in range(_RETRIES):
        try:
            with sessions.begin() as session:
                return _Batch(session, scope, mutations, careful=careful).run()
        except (sa.exc.IntegrityError, sa.exc.DataError):
            if careful:
                raise
            careful = True  # again, to find the mutation the database refuses
        except sa.exc.OperationalError as exc:
            if attempt + 1 == _RETRIES or not _is_retryable(exc):
                raise
    raise AssertionError("unreachable")


def _is_retryable(exc: sa.exc.OperationalError) -> bool:
    """PostgreSQL's deadlock and serialization failures: run the batch again."""
    return getattr(exc.orig, "sqlstate", None) in ("40P01", "40001")

