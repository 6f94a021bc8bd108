"""Applying what offices push: each mutation exactly once, in one transaction per batch.

1. every mutation id is *claimed* with one ``INSERT … ON CONFLICT DO NOTHING`` of its
   :class:`AppliedMutation` row.  An id that is there already is a replay and gets
   the stored answer; a twin batch racing on PostgreSQL makes the insert wait for it,
   and its ids then count as replays — so a mutation is never applied twice;
2. the rows the batch may change are locked, in id order (two batches never wait on
   each other in a circle), so each check sees what others committed;
3. each claimed mutation's actor is checked (an active user of the office, with the
   role the centre holds for it: :meth:`MutationBeingApplied.check_actor`), then it
   is applied by the handler of its op
   (:data:`sync.server.mutations.HANDLERS`), which checks before it changes anything
   and refuses with a :class:`Refusal`.  Should the database still refuse the batch
   (a check missing somewhere), it runs again with a savepoint per mutation, and the
   culprit alone is answered as rejected: one bad change must not block an office's
   outbox for good;
4. the answers are stored with the claims: ``applied``, ``rejected`` or ``conflict``.

Every row written — and the entity of every answer, see :meth:`_Batch.run` — is
logged for pull.  Change-log numbers are taken once, at the end of the batch, so the
counter lock that orders the log is held only for its last moment.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from sync import rules
from sync.dates import utcnow
from sync.protocol import Mutation, MutationResult, Op, Outcome
from sync.rules import RuleError
from sync.schema import UTCDateTime
from sync.server import operations as ops
from sync.server.auth import Scope
from sync.server.changes import Entry, log_changes
from sync.server.models import AppliedMutation, Crew, Event, OfficeUser, ServiceRequest
from sync.server.mutations import HANDLERS, MutationBeingApplied, Refusal, check_envelope, refusal

__all__ = ["Refusal", "apply_batch"]

log = logging.getLogger("daftar.server.push")

#: A batch that loses a deadlock or a serialization race on PostgreSQL is run again.
_RETRIES = 3


# ------------------------------------------------------------------------ batches


def _entity(mutation: Mutation) -> str:
    """What a mutation changes, by its op (the ``entity`` an office names is not trusted)."""
    return {Op.UPSERT_CREW: "crew", Op.UPSERT_USER: "user"}.get(mutation.op, "request")


def _server_value(session: Session, scope: Scope, mutation: Mutation) -> dict[str, Any] | None:
    """The centre's copy of the mutation's entity, if the office may see it.  (After a
    refusal the session has expired what the savepoint wrote, so this reads the
    database's values.)"""
    if _entity(mutation) == "user":
        return None  # an office's users are its own: nothing to pull back
    if _entity(mutation) == "crew":
        crew = session.get(Crew, mutation.entity_id)
        return ops.crew_row(crew) if crew and scope.covers(crew.district_code) else None
    request = session.get(ServiceRequest, mutation.entity_id)
    return ops.request_row(request) if request and scope.covers(request.district_code) else None


#: The widest user name the centre stores (``office_users.username``).
_USERNAME_LENGTH = OfficeUser.__table__.c.username.type.length

#: Claims and answers are written through the table, not the ORM: one statement,
#: compiled once, for any number of rows.
_APPLIED = AppliedMutation.__table__


#: On PostgreSQL the claims and the answers travel as one JSON document each, which
#: the database takes apart (``json_to_recordset``): one short statement with one
#: parameter, whatever the batch's size.  (A multi-row ``VALUES`` of 200 claims has
#: 1,400 placeholders, and the driver spends longer parsing that statement, in
#: Python, than the database spends on the rows; arrays of text are escaped by the
#: driver element by element, in Python too.)  A ``json`` value keeps its text as
#: written, so what is stored is the text SQLAlchemy's ``JSON`` type would send
#: (``json.dumps``).
#: PostgreSQL takes a JSON document apart only without NUL (``\u0000``), which a
#: forged payload may hold (a ``json`` value keeps it): such a batch goes the
#: multi-row way.
_NUL = "\\u0000"
_PG_CLAIM = sa.text(
    f"INSERT INTO {_APPLIED.name} (mutation_id, office_id, device_id, received_at, outcome, result, payload) "
    "SELECT claimed.mutation_id, CAST(:office_id AS uuid), CAST(:device_id AS uuid), "
    "CAST(:received_at AS timestamptz), 'claimed', CAST('{}' AS json), claimed.payload "
    "FROM json_to_recordset(CAST(:claims AS json)) AS claimed(mutation_id uuid, payload json) "
    "ON CONFLICT (mutation_id) DO NOTHING RETURNING mutation_id"
).bindparams(sa.bindparam("received_at", type_=UTCDateTime()))
_PG_ANSWER = sa.text(
    f"UPDATE {_APPLIED.name} AS claim SET outcome = answered.outcome, result = answered.result "
    "FROM json_to_recordset(CAST(:answers AS json)) AS answered(mutation_id uuid, outcome text, result json) "
    "WHERE claim.mutation_id = answered.mutation_id")


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
            self._answer(answers)
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
                             "outcome": "claimed", "result": {},
                             "payload": _kept(m.model_dump(mode="json"))})
        claims = json.dumps([{"mutation_id": str(row["mutation_id"]), "payload": row["payload"]}
                             for row in rows]) if self._postgresql() else _NUL
        if _NUL not in claims:
            return set(self.session.execute(_PG_CLAIM, {
                "claims": claims, "office_id": self.scope.office_id,
                "device_id": self.scope.device_id, "received_at": now}).scalars())
        statement = _insert(self.session).on_conflict_do_nothing(
            index_elements=["mutation_id"]).returning(_APPLIED.c.mutation_id)
        return set(self.session.execute(statement, rows).scalars())

    def _postgresql(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    def _answer(self, answers: dict[uuid.UUID, MutationResult]) -> None:
        """Store the answers with their claims, in one statement."""
        document = json.dumps([
            {"mutation_id": str(i), "outcome": r.outcome.value, "result": r.model_dump(mode="json")}
            for i, r in answers.items()]) if self._postgresql() else _NUL
        if _NUL not in document:
            self.session.execute(_PG_ANSWER, {"answers": document})
            return
        self.session.execute(
            sa.update(_APPLIED).where(_APPLIED.c.mutation_id == sa.bindparam("claimed"))
            .values(outcome=sa.bindparam("outcome"), result=sa.bindparam("result")),
            [{"claimed": i, "outcome": r.outcome.value, "result": r.model_dump(mode="json")}
             for i, r in answers.items()])

    def _lock(self, mutations: Iterator[Mutation]) -> None:
        """Lock every row the batch may change, in id order (two batches never wait on
        each other in a circle), and learn which of its event ids exist already."""
        batch = list(mutations)
        for model, entity in ((ServiceRequest, "request"), (Crew, "crew")):
            ids = sorted({m.entity_id for m in batch if _entity(m) == entity})
            if ids:
                self.locked += self.session.scalars(sa.select(model).where(model.id.in_(ids))
                                                    .order_by(model.id).with_for_update()).all()
        # The batch's actors, in one query: each handler's check of who acts
        # (:meth:`MutationBeingApplied.check_actor`) then finds them in the session
        # without a round trip of its own — held here, since the session holds the
        # rows it loaded only weakly.  (Only names a column can hold are asked
        # about; the envelope check refuses the others.)
        actors = sorted({m.actor for m in batch if rules.is_code(m.actor, _USERNAME_LENGTH)})
        if actors:
            self.locked += self.session.scalars(sa.select(OfficeUser).where(
                OfficeUser.office_id == self.scope.office_id, OfficeUser.username.in_(actors))).all()
        event_ids = [m.payload.get("event_id") for m in batch if _entity(m) == "request"]
        wanted = [uuid.UUID(i) for i in event_ids if isinstance(i, str) and _is_uuid(i)]
        if wanted:
            self.existing_events = set(self.session.scalars(sa.select(Event.id).where(Event.id.in_(wanted))))

    def _apply(self, mutation: Mutation) -> MutationResult:
        ctx = MutationBeingApplied(self.session, self.scope, mutation, utcnow(), self.existing_events)
        try:
            check_envelope(mutation)
            # Who acts is checked for every op, before its handler reads anything.
            ctx.check_actor()
            if self.careful:
                with self.session.begin_nested():
                    HANDLERS[mutation.op](ctx)
                    self.session.flush()
            else:
                HANDLERS[mutation.op](ctx)
        except Refusal as refused:
            return self._refused(mutation, refused)
        except RuleError as error:
            return self._refused(mutation, refusal(error))
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
                              code=refusal.code, message=str(refusal)[:_MESSAGE_LENGTH],
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


#: An answer's message is for a log: what it quotes of a payload is cut to this.
_MESSAGE_LENGTH = 500
#: The audit keeps a pushed text up to the longest any field may hold; anything
#: longer is refused by the field it is in (or ignored, outside every field), and
#: the audit keeps only its length.
_KEPT_TEXT = rules.NOTE_LENGTH


def _kept(value: Any) -> Any:
    """A mutation as the audit keeps it: every text longer than :data:`_KEPT_TEXT`
    (a key too) replaced by its length, so that a 50 MB note is stored nowhere.
    Its JSON, which holds each of its texts whole, and escapes only by lengthening,
    tells at once whether there is any to cut (nearly always none)."""
    if len(json.dumps(value, ensure_ascii=False)) <= _KEPT_TEXT:
        return value
    return _cut(value)


def _cut(value: Any) -> Any:
    if isinstance(value, str):
        return value if len(value) <= _KEPT_TEXT else f"<{len(value)} characters, not kept>"
    if isinstance(value, dict):
        return {_cut(k): _cut(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cut(v) for v in value]
    return value


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

