"""The office database as the sync engine's replica (:class:`sync.client.Replica`).

The centre is the truth; the office holds its districts' share, plus its own changes
the centre has not answered yet (the outbox).  Three rules keep the two in step:

* **A pulled row never hides an unanswered change.**  Requests and crews with
  entries in the outbox keep the office's version when a page brings the centre's;
  the centre logs the entity again with every answer it gives, so the pull after
  the last answer brings the centre's row back, after every row it refers to.  Rows
  only move forward: an older ``version`` never overwrites a newer one.
* **A refused change is undone locally and kept as a problem.**  Its history entry
  goes, the centre's row comes back with the next pull, and a
  :class:`~desktop_app.store.models.SyncProblem` keeps the office's intent, the
  reason and the centre's value until a person settles it
  (:mod:`desktop_app.services.sync_problems`).  Nothing is dropped silently.
* **What is no longer the office's leaves once it has been answered.**  A request
  the centre moved to another district is deleted with its history, at once or
  as soon as its last unsent change is answered; a walk-in or a crew the centre
  never accepted goes the same way.

A page is prepared (:mod:`desktop_app.store.bulk`) before the transaction that
writes it, and the search index follows in bulk.  A pull much bigger than what the
office holds writes without the plain indexes of requests and events, the search
index and the status counters, and makes them once after its last page, one
transaction an index (the search index: a range of rows a transaction), so the desk
never waits long for the write lock and an office opened after a crash gets its
indexes back at once.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.services import sync_state as state
from desktop_app.services.attachments import keep_departing
from desktop_app.store import models as m
from desktop_app.store.bulk import SEARCH_TEXT, Rows, prepare_rows, table_of, upsert
from desktop_app.store.db import indexes_suspended, restore_indexes, suspend_indexes
from desktop_app.store.fts import built_to, indexing_in_bulk
from sync.batching import chunks
from sync.client import SyncError, SyncReport
from sync.dates import utcnow
from sync.protocol import (
    REFERENCE_KINDS,
    Mutation,
    MutationResult,
    OfficeInfo,
    Op,
    Outcome,
    PullResponse,
    Table,
)
from sync.text import SEARCH_TEXT_RULES
from sync.workflow import Status

#: Local tables by reference kind (:data:`sync.protocol.REFERENCE_KINDS`).
_REFERENCE_TABLES = {
    "region": "regions", "category_family": "category_families", "district": "districts",
    "neighbourhood": "neighbourhoods", "category": "categories", "channel": "channels",
    "reason": "reasons",
}
_ATTACHMENT_OPS = frozenset({Op.ADD_ATTACHMENT.value, Op.REMOVE_ATTACHMENT.value})
#: A pull of at least this many log entries may write without indexes (``_worth_bulk``).
BULK_PULL_ENTRIES = 30_000
_BULK_TABLES = ("requests", "events")


@dataclass(frozen=True)
class PreparedPage:
    """A pulled page in the office's storage form (:meth:`OfficeReplica._prepare_page`)."""

    cursor: int
    next_cursor: int
    last_seq: int
    has_more: bool
    reference: list[Rows]
    crews: Rows
    requests: Rows
    events: Rows
    removed: list[uuid.UUID]
    #: Attachments' metadata to keep, and the ids of those taken back at the centre.
    attachments: Rows
    attachments_removed: list[str]


class OfficeReplica:
    """The office database as the engine's :class:`~sync.client.Replica`: each method
    one transaction of its own."""

    def __init__(self, sessions: sessionmaker[Session]):
        self.sessions = sessions

    # ----------------------------------------------------------- identity

    def set_identity(self, office: OfficeInfo) -> None:
        with self.sessions.begin() as session:
            known = state.stored_identity(session)
            if known is not None and known.office_id != office.office_id:
                raise SyncError("wrong_office", f"this data folder belongs to office {known.name}, "
                                f"but the credential is office {office.name}'s")
            state.write(session, state.OFFICE, office.model_dump(mode="json"))
            new = state.OfficeIdentity.of(office)
            if known is None or (set(known.districts), known.all_districts) \
                    == (set(new.districts), new.all_districts):
                return
            # The centre changed the office's districts: forget what is no longer ours
            # and pull everything again (pages are upserts: nothing doubles).
            state.write(session, state.CURSOR, 0)
            outside = [i for i, d in session.execute(
                sa.select(m.ServiceRequest.id, m.ServiceRequest.district_code)) if not new.covers(d)]
            self._remove_requests(session, outside)
            if not new.all_districts:
                session.execute(sa.delete(m.Crew).where(
                    m.Crew.district_code.not_in(new.districts),
                    m.Crew.id.not_in(sa.select(m.OutboxEntry.entity_id)),
                    m.Crew.id.not_in(sa.select(m.ServiceRequest.crew_id)
                                     .where(m.ServiceRequest.crew_id.is_not(None)))))

    # ---------------------------------------------------------------- push

    def outbox_end(self) -> int | None:
        with self.sessions() as session:
            return session.scalar(sa.select(sa.func.max(m.OutboxEntry.seq)))

    def count_pending(self, up_to: int) -> int:
        with self.sessions() as session:
            return session.scalar(sa.select(sa.func.count()).where(m.OutboxEntry.seq <= up_to)) or 0

    def pending(self, limit: int, up_to: int, after: int | None = None) -> list[Mutation]:
        """The next batch (after ``after``, if given).  It ends before a second edit
        of one crew: a crew edit is based on a version, and the version the first
        edit makes is known only from its answer, which :meth:`store_results` then
        writes into the second."""
        with self.sessions() as session:
            query = sa.select(m.OutboxEntry).where(m.OutboxEntry.seq <= up_to)
            if after is not None:
                query = query.where(m.OutboxEntry.seq > after)
            entries = list(session.scalars(query.order_by(m.OutboxEntry.seq).limit(limit)))
            crews: set[uuid.UUID] = set()
            for at, entry in enumerate(entries):
                if entry.op == Op.UPSERT_CREW:
                    if entry.entity_id in crews:
                        del entries[at:]
                        break
                    crews.add(entry.entity_id)
            event_ids = [uuid.UUID(e.payload["event_id"]) for e in entries if e.payload.get("event_id")]
            # The role the person had when acting is on the history entry they wrote.
            roles = dict(session.execute(sa.select(m.Event.id, m.Event.actor_role)
                                         .where(m.Event.id.in_(event_ids))).all()) if event_ids else {}
        return [
            Mutation(
                mutation_id=e.mutation_id, office_seq=e.seq, op=Op(e.op), entity=e.entity,
                entity_id=e.entity_id, base_version=e.base_version, client_time=e.created_at,
                actor=e.actor, payload=e.payload,
                actor_role=roles.get(uuid.UUID(e.payload["event_id"])) if e.payload.get("event_id") else None,
            )
            for e in entries
        ]

    def store_results(self, results: Sequence[MutationResult]) -> None:
        with self.sessions.begin() as session:
            ids = [r.mutation_id for r in results]
            entries = {e.mutation_id: e for e in session.scalars(
                sa.select(m.OutboxEntry).where(m.OutboxEntry.mutation_id.in_(ids)))}
            # An entry already gone was answered by another round running meanwhile.
            answered = [(entries[r.mutation_id], r) for r in results if r.mutation_id in entries]
            if answered:
                self._store(session, answered)

    def _store(self, session: Session, answered: list[tuple[m.OutboxEntry, MutationResult]]) -> None:
        now = utcnow()
        newest = dict(session.execute(
            sa.select(m.OutboxEntry.entity_id, sa.func.max(m.OutboxEntry.seq))
            .where(m.OutboxEntry.entity_id.in_({e.entity_id for e, _ in answered}))
            .group_by(m.OutboxEntry.entity_id)).all())
        # The centre's history entries for the changes it applied (with its clock).
        upsert(session, "events", table_of([r.event for _, r in answered if r.event is not None]))
        settled: list[uuid.UUID] = []
        for entry, result in answered:
            applied = result.outcome == Outcome.APPLIED
            if not applied and entry.op in _ATTACHMENT_OPS and _photo_goes_along(session, entry, result):
                # A photo of a walk-in the centre refused: no problem of its own (the
                # walk-in's is the one to settle).  Or the same file another office
                # attached first: that one is kept.
                session.add(m.AuditEntry(
                    at=now, actor=entry.actor, action="sync_rejected", entity=entry.entity,
                    entity_key=str(entry.entity_id),
                    details={"mutation_id": str(entry.mutation_id), "op": entry.op,
                             "code": result.code}))
            elif not applied:
                self._keep_problem(session, entry, result, now)
            elif entry.op in (Op.CREATE_REQUEST, Op.UPSERT_CREW) and result.server_value is not None:
                # Accepted: no longer a version-0 row the centre may yet refuse.  The
                # row itself comes with the next pull, in the log's order.
                model = m.Crew if entry.op == Op.UPSERT_CREW else m.ServiceRequest
                session.execute(sa.update(model).where(model.id == entry.entity_id, model.version == 0)
                                .values(version=result.server_value["version"]))
            if newest[entry.entity_id] == entry.seq:
                if entry.entity == "request":
                    settled.append(entry.entity_id)
            elif entry.op == Op.UPSERT_CREW and applied and result.server_value is not None:
                # Later edits of this crew were made on top of this one, which the
                # centre has now made version N: they are based on N, not a conflict.
                session.execute(sa.update(m.OutboxEntry).where(
                    m.OutboxEntry.entity_id == entry.entity_id, m.OutboxEntry.seq > entry.seq,
                    m.OutboxEntry.base_version == entry.base_version,
                ).values(base_version=result.server_value["version"]))
        session.execute(sa.delete(m.OutboxEntry).where(
            m.OutboxEntry.mutation_id.in_([e.mutation_id for e, _ in answered]))
            .execution_options(synchronize_session=False))
        self._settle_requests(session, settled)
        # Crews the centre never accepted, once nothing refers to them any more.
        session.execute(sa.delete(m.Crew).where(
            m.Crew.version == 0, m.Crew.id.not_in(sa.select(m.OutboxEntry.entity_id)),
            m.Crew.id.not_in(sa.select(m.ServiceRequest.crew_id)
                             .where(m.ServiceRequest.crew_id.is_not(None)))))

    @staticmethod
    def _keep_problem(session: Session, entry: m.OutboxEntry, result: MutationResult,
                      now: dt.datetime) -> None:
        session.add(m.SyncProblem(
            mutation_id=entry.mutation_id, kind=result.outcome.value, entity=entry.entity,
            entity_id=entry.entity_id, op=entry.op, payload=entry.payload,
            reason_code=result.code or result.outcome.value, message=result.message,
            server_value=result.server_value, created_at=now,
        ))
        session.add(m.AuditEntry(
            at=now, actor=entry.actor, action=f"sync_{result.outcome.value}", entity=entry.entity,
            entity_key=str(entry.entity_id),
            details={"mutation_id": str(entry.mutation_id), "op": entry.op, "code": result.code},
        ))
        event_id = entry.payload.get("event_id")
        if event_id:
            # The history entry written with the change was never the centre's.
            session.execute(sa.delete(m.Event).where(m.Event.id == uuid.UUID(event_id),
                                                     m.Event.server_time.is_(None)))

    @staticmethod
    def _settle_requests(session: Session, request_ids: Sequence[uuid.UUID]) -> None:
        """These requests' last changes are answered: drop those that have left the
        office meanwhile (moved away) or were never accepted (a refused walk-in)."""
        if not request_ids:
            return
        waiting = set(state.read(session, state.MOVED_OUT_PENDING, []))
        gone = [i for i in request_ids if str(i) in waiting]
        if gone:
            state.write(session, state.MOVED_OUT_PENDING, sorted(waiting - {str(i) for i in gone}))
        refused = session.scalars(sa.select(m.ServiceRequest.id).where(
            m.ServiceRequest.id.in_(request_ids), m.ServiceRequest.version == 0)).all()
        _delete_requests(session, gone + list(refused))

    # ---------------------------------------------------------------- pull

    def cursor(self) -> int:
        with self.sessions() as session:
            return int(state.read(session, state.CURSOR, 0))

    def reset_cursor(self) -> None:
        with self.sessions.begin() as session:
            state.write(session, state.CURSOR, 0)

    @staticmethod
    def _prepare_page(page: PullResponse) -> PreparedPage:
        """The page's rows in storage form, search text included: the costly part of
        applying a page, done before the transaction so that it holds the database's
        write lock only for the writing."""
        return PreparedPage(
            cursor=page.cursor, next_cursor=page.next_cursor, last_seq=page.last_seq,
            has_more=page.has_more,
            reference=[prepare_rows(_REFERENCE_TABLES[kind], page.reference[kind])
                       for kind in REFERENCE_KINDS if kind in page.reference],
            crews=prepare_rows("crews", page.crews, versioned=True),
            # The centre's search texts when made by the office's own rules (asked for
            # by the engine: a first sync need not make 100,000 of them), else ours.
            requests=prepare_rows("requests", page.requests, versioned=True,
                                  derived=None if page.search_text_rules == SEARCH_TEXT_RULES
                                  and SEARCH_TEXT.column in page.requests.columns else SEARCH_TEXT),
            events=prepare_rows("events", page.events),
            removed=list(page.removed_requests),
            **_prepare_attachments(page),
        )

    def apply_page(self, pulled: PullResponse) -> int | None:
        page = self._prepare_page(pulled)
        referred = self._apply(page)
        if referred is not None and not page.has_more:
            # The pull's last page is in: indexes it set aside are made again, one
            # transaction each (restore_indexes), while the round still runs.
            with self.sessions() as session:
                restore_indexes(cast(sa.Engine, session.get_bind()))
        return referred

    def _apply(self, page: PreparedPage) -> int | None:
        """:meth:`apply_page`'s one transaction."""
        with self.sessions.begin() as session:
            if int(state.read(session, state.CURSOR, 0)) != page.cursor:
                return None  # another round moved on meanwhile; this page is stale
            conn = session.connection()
            if page.next_cursor == page.cursor:
                return 0  # nothing new: nothing to write
            if not indexes_suspended(conn) and self._worth_bulk(session, page):
                suspend_indexes(conn, _BULK_TABLES)
            pending = {i.hex for i in _pending_ids(session)}
            for rows in page.reference:
                rows.write(session)
            page.crews.without(pending).write(session)
            requests = page.requests.without(pending)
            known = requests.known(session)
            referred = self._newly_referred(session, requests, known)
            ids = requests.column("id")
            texts = {i: t for i, t in zip(ids, requests.column("search_text")) if i in known}
            if built_to(conn) is None:
                with indexing_in_bulk(conn, texts, new=[i for i in ids if i not in known]):
                    requests.write(session, known)
            else:  # set aside (a first sync): made again once the pull is in
                requests.write(session, known)
            page.events.write(session)
            # (A photo whose own change is unanswered keeps the office's values; the
            # centre logs it again when it answers.)
            _write_attachments(session, page.attachments.without(_pending_attachments(session)),
                               page.attachments_removed)
            self._remove_requests(session, page.removed)
            waiting = set(state.read(session, state.MOVED_OUT_PENDING, []))
            arrived = {str(uuid.UUID(i)) for i in page.requests.column("id")} if waiting else set()
            if waiting & arrived:  # moved back before its changes were answered
                state.write(session, state.MOVED_OUT_PENDING, sorted(waiting - arrived))
            state.write(session, state.CURSOR, page.next_cursor)
            return referred

    @staticmethod
    def _worth_bulk(session: Session, page: PreparedPage) -> bool:
        """Whether the pull this page begins should write without the plain indexes of
        requests and events (:func:`~desktop_app.store.db.suspend_indexes`) and make
        them once at its last page: when it brings at least :data:`BULK_PULL_ENTRIES`
        log entries, and more than the rows the office holds — building an index
        reads every row, keeping it up to date costs each new row far more."""
        backlog = page.last_seq - page.cursor
        if backlog < BULK_PULL_ENTRIES or not page.has_more:
            return False
        held = sum(session.connection().exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()
                   for table in _BULK_TABLES)
        return backlog > held

    @staticmethod
    def _newly_referred(session: Session, requests: Rows, known: set[str]) -> int:
        """How many of these requests become ``referred`` here: new work for the desk
        (``known``: those of them the office has already)."""
        if not requests.values:
            return 0
        incoming = dict(zip(requests.column("id"), requests.column("status")))
        before: dict[str, str] = {}
        for chunk in chunks([i for i in incoming if i in known]):
            before.update(session.connection().exec_driver_sql(
                f"SELECT id, status FROM requests WHERE id IN ({', '.join('?' * len(chunk))})",
                tuple(chunk)).all())
        return sum(1 for key, status in incoming.items()
                   if status == Status.REFERRED and before.get(key) != Status.REFERRED)

    @staticmethod
    def _remove_requests(session: Session, ids: Sequence[uuid.UUID]) -> None:
        """Requests that are no longer the office's: gone with their history now, or
        once their unsent changes are answered."""
        if not ids:
            return
        pending = _pending_ids(session)
        keep = {str(i) for i in ids if i in pending}
        _delete_requests(session, [i for i in ids if i not in pending])
        if keep:
            waiting = set(state.read(session, state.MOVED_OUT_PENDING, []))
            state.write(session, state.MOVED_OUT_PENDING, sorted(waiting | keep))

    def finish_round(self, report: SyncReport) -> None:
        with self.sessions.begin() as session:
            state.write(session, state.LAST_SYNC_AT, (report.finished_at or utcnow()).isoformat())


def _delete_requests(session: Session, ids: Sequence[uuid.UUID]) -> None:
    """Remove requests that are no longer the office's, with their history.  Their
    photos never reached the centre, so they are written out first."""
    for chunk in chunks(ids):
        keep_departing(session, chunk)
        # Their photos whose bytes the centre still lacks go up all the same.
        unsent = session.scalars(sa.select(m.Attachment.sha256).where(
            m.Attachment.request_id.in_(chunk), m.Attachment.needs_upload.is_(True))).all()
        if unsent:
            behind = state.read(session, state.UPLOADS_LEFT_BEHIND, [])
            state.write(session, state.UPLOADS_LEFT_BEHIND, sorted(set(behind) | set(unsent)))
        session.execute(sa.delete(m.Event).where(m.Event.request_id.in_(chunk)))
        session.execute(sa.delete(m.ServiceRequest).where(m.ServiceRequest.id.in_(chunk)))


def _prepare_attachments(page: PullResponse) -> dict[str, Any]:
    """A page's attachments: those to keep (in storage form; keyed by their request,
    so that a request with unanswered changes keeps its own photos' metadata) and
    the ids of those the centre took back."""
    table = page.attachments
    if "removed_at" not in table.columns:
        return {"attachments": prepare_rows("attachments", table), "attachments_removed": []}
    at = table.columns.index("removed_at")
    key = table.columns.index("id")
    kept = Table(columns=table.columns, rows=[r for r in table.rows if r[at] is None])
    removed = [uuid.UUID(r[key]).hex for r in table.rows if r[at] is not None]
    rows = prepare_rows("attachments", kept)
    return {"attachments": rows, "attachments_removed": removed}


def _write_attachments(session: Session, rows: Rows, removed: Sequence[str]) -> None:
    """Keep the centre's attachments (the bytes follow: the engine fetches what the
    photo folder lacks) and drop those taken back.  A photo this office holds under
    another id on the same request (two offices attached the same file) is kept once,
    as the centre's: the office's own is refused as a duplicate when it arrives."""
    conn = session.connection()
    if removed:
        conn.exec_driver_sql("DELETE FROM attachments WHERE id IN (SELECT value FROM json_each(?))",
                             (json.dumps(list(removed)),))
    if not rows.values:
        return
    ids, requests, hashes = rows.column("id"), rows.column("request_id"), rows.column("sha256")
    twins = set(conn.exec_driver_sql(
        "SELECT a.request_id || a.sha256 FROM attachments a JOIN json_each(?) j "
        "ON a.request_id = json_extract(j.value, '$[0]') AND a.sha256 = json_extract(j.value, '$[1]') "
        "AND a.id != json_extract(j.value, '$[2]')",
        (json.dumps([[r, h, i] for i, r, h in zip(ids, requests, hashes)]),)).scalars())
    if twins:
        conn.exec_driver_sql(
            "DELETE FROM attachments WHERE request_id || sha256 IN (SELECT value FROM json_each(?)) "
            "AND id NOT IN (SELECT value FROM json_each(?))", (json.dumps(sorted(twins)), json.dumps(ids)))
    rows.write(session)
    # The centre has these bytes (or will have them from whoever added them).
    conn.exec_driver_sql("UPDATE attachments SET needs_upload = 0 WHERE needs_upload IS NULL "
                         "AND id IN (SELECT value FROM json_each(?))", (json.dumps(rows.column("id")),))


def _photo_goes_along(session: Session, entry: m.OutboxEntry, result: MutationResult) -> bool:
    """Whether a refused photo change needs no person of its own: the same file is
    on the request from another office already, or the request is a walk-in the
    centre refused (that refusal is the problem a person sees; its photos come back
    with it when it is registered again) and the photo is that request's.  A photo
    of a request moved away meanwhile is a problem like a note on it would be (the
    photo leaves with the request, written out to the data folder)."""
    if result.code == "attachment_duplicate":
        return True
    if result.code != "not_in_scope":
        return False
    request = session.get(m.ServiceRequest, entry.entity_id)
    if request is not None and request.version != 0:
        return False
    values = entry.payload.get("attachment")
    photo_id = values.get("id") if isinstance(values, dict) else entry.payload.get("attachment_id")
    try:
        photo = session.get(m.Attachment, uuid.UUID(str(photo_id)))
    except ValueError:
        return False
    if photo is not None:
        return photo.request_id == entry.entity_id
    # Gone from here (taken back, or left with its request): the audit says whose it was.
    owners = set(session.scalars(sa.select(m.AuditEntry.entity_key).where(
        m.AuditEntry.entity == "request",
        m.AuditEntry.action.in_(("attachment_added", "attachment_removed")),
        sa.func.json_extract(m.AuditEntry.details, "$.attachment_id") == str(photo_id))))
    return not owners or owners == {str(entry.entity_id)}


def _pending_attachments(session: Session) -> set[str]:
    """Attachments (ids, as stored) with a change in the outbox (a removal too: a
    photo taken back here does not come back with a page before the centre knows)."""
    return {uuid.UUID(str(payload["attachment"]["id"] if "attachment" in payload
                          else payload["attachment_id"])).hex
            for payload in session.scalars(sa.select(m.OutboxEntry.payload).where(
                m.OutboxEntry.op.in_(_ATTACHMENT_OPS)))}


def _pending_ids(session: Session) -> set[uuid.UUID]:
    return set(session.scalars(sa.select(m.OutboxEntry.entity_id).distinct()))
