"""The office end of sync: the engine's :class:`~sync.client.engine.LocalStore` over
the office database, and what the window and the command line call.

Where the office's copy comes from
----------------------------------
The centre is the truth; the office holds its districts' share, plus its own changes
the centre has not answered yet (the outbox).  Three rules keep the two in step:

* **A pulled row never hides an unanswered change.**  Requests and crews with
  entries in the outbox keep the office's version when a page brings the centre's.
  The centre logs the entity again with every answer it gives, so the pull after
  the last answer brings the centre's row back — in the log's order, after every
  row it refers to (a crew it names, say).  Rows only move forward: an older
  ``version`` never overwrites a newer one.
* **A refused change is undone locally and kept as a problem.**  Its history entry
  (written optimistically) goes, the centre's row comes back with the next pull,
  and a :class:`~desktop_app.store.models.SyncProblem` keeps the office's intent,
  the reason and the centre's value until a person re-applies or discards it (both
  audited).  Nothing is dropped silently.
* **What is no longer the office's leaves once it has been answered.**  A request
  the centre moved to another district is deleted with its history — at once, or,
  when the office still has unsent changes to it, as soon as the last of them is
  answered (the request waits in ``moved_out_pending`` meanwhile).  A walk-in or a
  crew the centre never accepted goes the same way.

Speed
-----
A first sync brings every request of the office's districts: 100,000 rows and more.
Pages are written with ``executemany`` on the raw SQLite connection — a plain
``INSERT`` for the rows the office does not have, ``INSERT … ON CONFLICT DO UPDATE``
for those it has — with values turned into SQLAlchemy's SQLite storage form
directly, a column at a time (UUIDs as 32 hex digits, instants as naive UTC text).
tests/desktop_app/services/test_sync_service.py reads such rows back through the ORM
to hold this form to SQLAlchemy's.  Each request's search text comes with it from
the centre when both ends make it by the same rules (:data:`sync.text.SEARCH_TEXT_RULES`;
a first sync would otherwise make 100,000 of them on the office's one busy core),
and is made here otherwise.  The search index follows a page in two
statements (:func:`~desktop_app.store.fts.indexing_in_bulk`), and a pull bigger than
what the office holds writes without the plain indexes of requests and events and
makes them once, after its last page, one transaction an index
(:func:`~desktop_app.store.db.suspend_indexes`): every page is still one transaction
with its cursor, the desk never waits for more than one index (or one bounded step
of merging the search index), and an office opened after a crash in the middle gets
its indexes back at once.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import sys
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

import httpx
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.services.attachments import bring_back, keep_departing
from desktop_app.errors import ServiceError
from desktop_app.services.requests import Actor, Changes, Desk, WalkIn
from desktop_app.store import models as m
from desktop_app.store.db import Store, indexes_suspended, restore_indexes, suspend_indexes
from desktop_app.store.fts import indexing_in_bulk
from sync.batching import chunks
from sync.client import HttpTransport, RetryPolicy, SyncEngine, SyncError, SyncReport, check_url
from sync.dates import UTC, utcnow
from sync.protocol import (
    PROTOCOL_VERSION,
    REFERENCE_KINDS,
    TIME_COLUMNS,
    UUID_COLUMNS,
    EnrolRequest,
    EnrolResponse,
    Mutation,
    MutationResult,
    OfficeInfo,
    Op,
    Outcome,
    PullResponse,
    Table,
)
from sync.text import SEARCH_TEXT_FIELDS, SEARCH_TEXT_RULES, search_text
from sync.workflow import Status

__all__ = [
    "OfficeIdentity", "OfficeStore", "SyncError", "SyncReport", "cli_enroll", "cli_sync",
    "discard_problem", "enroll", "is_enrolled", "last_sync_at", "office_identity",
    "open_problems", "pending_count", "reapply_problem", "sync_once",
]

# SyncState keys.
CENTRE_URL = "centre_url"
ALLOW_INSECURE = "allow_insecure"
CREDENTIAL = "credential"
OFFICE = "office"
CURSOR = "cursor"
LAST_SYNC_AT = "last_sync_at"
ENROLLED_AT = "enrolled_at"
#: Requests moved to another district that still have unsent changes.
MOVED_OUT_PENDING = "moved_out_pending"
#: The desk's walk-in serial per Jalali year (``Desk._next_walk_in_code``).
WALK_IN_SERIAL = "walk_in_serial:{year}"

#: Local tables by reference kind (:data:`sync.protocol.REFERENCE_KINDS`).
_REFERENCE_TABLES = {
    "region": "regions", "category_family": "category_families", "district": "districts",
    "neighbourhood": "neighbourhoods", "category": "categories", "channel": "channels",
    "reason": "reasons",
}
#: A pull of at least this many log entries may write without indexes (``_worth_bulk``).
BULK_PULL_ENTRIES = 30_000
_BULK_TABLES = ("requests", "events")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OfficeIdentity:
    """Which office this data folder is, as the centre last said."""

    office_id: uuid.UUID
    name: str
    number: int
    districts: tuple[str, ...]
    all_districts: bool

    def covers(self, district_code: str) -> bool:
        return self.all_districts or district_code in self.districts

    @classmethod
    def of(cls, info: OfficeInfo) -> OfficeIdentity:
        return cls(info.office_id, info.name, info.number, tuple(info.districts), info.all_districts)


# ------------------------------------------------------------------ sync state


def _get(session: Session, key: str, default: Any = None) -> Any:
    value = session.scalar(sa.select(m.SyncState.value).where(m.SyncState.key == key))
    return default if value is None else value


def _put(session: Session, key: str, value: Any) -> None:
    session.merge(m.SyncState(key=key, value=value))


def _identity(raw: dict[str, Any] | None) -> OfficeIdentity | None:
    return OfficeIdentity.of(OfficeInfo.model_validate(raw)) if raw else None


# ------------------------------------------------------------ rows, fast and typed


def _sqlite_uuids(values: Sequence[str | None]) -> list[str | None]:
    # The wire's canonical form, minus dashes: what sa.Uuid stores on SQLite.
    return [None if v is None else v.replace("-", "").lower() for v in values]


def _sqlite_time(value: str | None) -> str | None:
    if value is None:
        return None
    if value[-1:] == "Z" and value[10:11] == "T" and len(value) == 20:
        return f"{value[:10]} {value[11:19]}.000000"
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"instant without an offset: {value!r}")
    # UTCDateTime stores naive UTC; SQLAlchemy's SQLite DATETIME text form.
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_times(values: Sequence[str | None]) -> list[str | None]:
    # The centre's own form (UTC, ``Z``, microseconds) by slicing, in the loop itself:
    # a first sync meets half a million of these.  Anything else the long way.
    return [v[:10] + " " + v[11:26] if v is not None and len(v) == 27 and v[26] == "Z" and v[10] == "T"
            else _sqlite_time(v) for v in values]


def _sqlite_jsons(values: Sequence[Any]) -> list[str]:
    return [json.dumps(v) if v else "{}" for v in values]


def _converter(column: str, table: sa.Table) -> Callable[[Sequence[Any]], list[Any]] | None:
    """What turns a column of wire values into SQLite's storage form, if anything."""
    if column in UUID_COLUMNS:
        return _sqlite_uuids
    if column in TIME_COLUMNS:
        return _sqlite_times
    if isinstance(table.c[column].type, sa.JSON):
        return _sqlite_jsons
    return None


@dataclass(frozen=True)
class _Rows:
    """Rows for one local table, already in SQLite's storage form: one
    ``INSERT`` (and ``ON CONFLICT DO UPDATE`` for the rows the office has) away from
    the database.  Made without touching the database, so a page can be prepared
    while the one before it is written."""

    table: str
    columns: tuple[str, ...]
    values: list[tuple[Any, ...]]
    #: Overwrite a known row only by one at least as new (requests, crews).
    versioned: bool = False

    def column(self, name: str) -> list[Any]:
        at = self.columns.index(name)
        return [row[at] for row in self.values]

    def without(self, ids: set[str]) -> _Rows:
        """These rows minus those whose id (UUID hex) is in ``ids``."""
        if not ids or not self.values:
            return self
        at = self.columns.index("id")
        return replace(self, values=[row for row in self.values if row[at] not in ids])

    def known(self, session: Session) -> set[str]:
        """The keys of these rows that the office's table holds already."""
        if not self.values:
            return set()
        key = self._key()
        at = self.columns.index(key)
        return set(session.connection().exec_driver_sql(
            f"SELECT {key} FROM {self.table} WHERE {key} IN (SELECT value FROM json_each(?))",
            (json.dumps([row[at] for row in self.values]),)).scalars())

    def _key(self) -> str:
        (key,) = [c.name for c in m.Base.metadata.tables[self.table].primary_key.columns]
        return key

    def write(self, session: Session, known: set[str] | None = None) -> None:
        """Insert the rows the office does not have and update those it has (``known``,
        if the caller has asked already).  Two statements rather than one upsert for
        all: SQLite's upsert costs half as much again as a plain insert for a new
        row, and a first sync's rows are all new."""
        if not self.values:
            return
        conn = session.connection()
        key = self._key()
        at = self.columns.index(key)
        known = set(self.known(session) if known is None else known)
        new: list[tuple[Any, ...]] = []
        old: list[tuple[Any, ...]] = []
        for row in self.values:
            if row[at] in known:
                old.append(row)
            else:
                new.append(row)
                known.add(row[at])  # the same key twice: the second one updates
        insert = (f"INSERT INTO {self.table} ({', '.join(self.columns)}) "
                  f"VALUES ({', '.join('?' * len(self.columns))})")
        if new:
            conn.exec_driver_sql(insert, new)
        if old:
            others = [c for c in self.columns if c != key]
            updates = ", ".join(f"{c} = excluded.{c}" for c in others)
            # A row that comes back as it is (the centre logs an entity again with
            # every answer it gives) is left alone: an update rewrites the row's
            # entry in every index, changed or not.
            where = [f"({' OR '.join(f'{self.table}.{c} IS NOT excluded.{c}' for c in others)})"]
            if self.versioned:
                where.insert(0, f"excluded.version >= {self.table}.version")
            conn.exec_driver_sql(
                f"{insert} ON CONFLICT ({key}) DO UPDATE SET {updates} WHERE {' AND '.join(where)}", old)


@dataclass(frozen=True)
class _Derived:
    """A local column computed from travelling ones: ``function(*arguments)``."""

    column: str
    arguments: tuple[str, ...]
    function: Callable[..., Any]


#: The office's search column, from the fields a clerk searches by.
_SEARCH_TEXT = _Derived("search_text", SEARCH_TEXT_FIELDS, search_text)


def _prepare(table_name: str, table: Table, *, versioned: bool = False,
             derived: _Derived | None = None) -> _Rows:
    """``table``'s rows for the local table of that name.  Columns the office does not
    know (a newer centre's) are left out.  Worked column by column: a converter runs
    over one column's values, and the rows are taken apart and put together again
    by ``zip`` (a first sync meets two million values)."""
    local = m.Base.metadata.tables[table_name]
    # A derived column is made here, whatever a column of that name says.
    keep = [i for i, c in enumerate(table.columns) if c in local.c and not (derived and c == derived.column)]
    names = tuple([table.columns[i] for i in keep] + ([derived.column] if derived else []))
    if not table.rows:
        return _Rows(table_name, names, [], versioned)
    try:
        given = list(zip(*table.rows, strict=True))
    except ValueError:
        given = []
    if len(given) != len(table.columns):
        raise SyncError("bad_response", f"the centre's {table_name} rows do not match their columns")
    columns: list[Sequence[Any]] = []
    for i in keep:
        convert = _converter(table.columns[i], local)
        columns.append(given[i] if convert is None else convert(given[i]))
    if derived:
        arguments = [given[table.columns.index(c)] for c in derived.arguments]
        columns.append([derived.function(*values) for values in zip(*arguments)])
    return _Rows(table_name, names, list(zip(*columns)), versioned)


def _upsert(session: Session, table_name: str, table: Table, *, versioned: bool = False) -> None:
    _prepare(table_name, table, versioned=versioned).write(session)


def _rows(rows: Sequence[dict[str, Any]]) -> Table:
    """Rows given as dicts (the centre's answers), as a :class:`Table`."""
    columns = list(rows[0]) if rows else []
    return Table(columns=columns, rows=[[row.get(c) for c in columns] for row in rows])


@dataclass(frozen=True)
class PreparedPage:
    """A pulled page in the office's storage form (:meth:`OfficeStore._prepare_page`)."""

    cursor: int
    next_cursor: int
    last_seq: int
    has_more: bool
    reference: list[_Rows]
    crews: _Rows
    requests: _Rows
    events: _Rows
    removed: list[uuid.UUID]


def _delete_requests(session: Session, ids: Sequence[uuid.UUID]) -> None:
    """Remove requests that are no longer the office's, with their history.  Their
    photos never reached the centre, so they are written out first."""
    for chunk in chunks(ids):
        keep_departing(session, chunk)
        session.execute(sa.delete(m.Event).where(m.Event.request_id.in_(chunk)))
        session.execute(sa.delete(m.ServiceRequest).where(m.ServiceRequest.id.in_(chunk)))


def _pending_ids(session: Session) -> set[uuid.UUID]:
    return set(session.scalars(sa.select(m.OutboxEntry.entity_id).distinct()))


# ------------------------------------------------------------------ local store


class OfficeStore:
    """The engine's view of the office database (:class:`sync.client.LocalStore`)."""

    def __init__(self, sessions: sessionmaker[Session]):
        self.sessions = sessions

    # ----------------------------------------------------------- identity

    def set_identity(self, office: OfficeInfo) -> None:
        with self.sessions.begin() as session:
            known = _identity(_get(session, OFFICE))
            if known is not None and known.office_id != office.office_id:
                raise SyncError("wrong_office", f"this data folder belongs to office {known.name}, "
                                f"but the credential is office {office.name}'s")
            _put(session, OFFICE, office.model_dump(mode="json"))
            new = OfficeIdentity.of(office)
            if known is None or (set(known.districts), known.all_districts) \
                    == (set(new.districts), new.all_districts):
                return
            # The centre changed the office's districts: forget what is no longer ours
            # and pull everything again (pages are upserts: nothing doubles).
            _put(session, CURSOR, 0)
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
        _upsert(session, "events", _rows([r.event for _, r in answered if r.event is not None]))
        settled: list[uuid.UUID] = []
        for entry, result in answered:
            applied = result.outcome == Outcome.APPLIED
            if not applied:
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
        waiting = set(_get(session, MOVED_OUT_PENDING, []))
        gone = [i for i in request_ids if str(i) in waiting]
        if gone:
            _put(session, MOVED_OUT_PENDING, sorted(waiting - {str(i) for i in gone}))
        refused = session.scalars(sa.select(m.ServiceRequest.id).where(
            m.ServiceRequest.id.in_(request_ids), m.ServiceRequest.version == 0)).all()
        _delete_requests(session, gone + list(refused))

    # ---------------------------------------------------------------- pull

    def cursor(self) -> int:
        with self.sessions() as session:
            return int(_get(session, CURSOR, 0))

    def reset_cursor(self) -> None:
        with self.sessions.begin() as session:
            _put(session, CURSOR, 0)

    @staticmethod
    def _prepare_page(page: PullResponse) -> PreparedPage:
        """The page's rows in storage form, search text included: the costly part of
        applying a page, done before the transaction so that it holds the database's
        write lock only for the writing."""
        return PreparedPage(
            cursor=page.cursor, next_cursor=page.next_cursor, last_seq=page.last_seq,
            has_more=page.has_more,
            reference=[_prepare(_REFERENCE_TABLES[kind], page.reference[kind])
                       for kind in REFERENCE_KINDS if kind in page.reference],
            crews=_prepare("crews", page.crews, versioned=True),
            # The centre's search texts when made by the office's own rules (asked for
            # by the engine: a first sync need not make 100,000 of them), else ours.
            requests=_prepare("requests", page.requests, versioned=True,
                              derived=None if page.search_text_rules == SEARCH_TEXT_RULES
                              and _SEARCH_TEXT.column in page.requests.columns else _SEARCH_TEXT),
            events=_prepare("events", page.events),
            removed=list(page.removed_requests),
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
            if int(_get(session, CURSOR, 0)) != page.cursor:
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
            with indexing_in_bulk(conn, texts, new=[i for i in ids if i not in known]):
                requests.write(session, known)
            page.events.write(session)
            self._remove_requests(session, page.removed)
            waiting = set(_get(session, MOVED_OUT_PENDING, []))
            arrived = {str(uuid.UUID(i)) for i in page.requests.column("id")} if waiting else set()
            if waiting & arrived:  # moved back before its changes were answered
                _put(session, MOVED_OUT_PENDING, sorted(waiting - arrived))
            _put(session, CURSOR, page.next_cursor)
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
    def _newly_referred(session: Session, requests: _Rows, known: set[str]) -> int:
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
            _put(session, MOVED_OUT_PENDING, sorted(set(_get(session, MOVED_OUT_PENDING, [])) | keep))

    def finish_round(self, report: SyncReport) -> None:
        with self.sessions.begin() as session:
            _put(session, LAST_SYNC_AT, (report.finished_at or utcnow()).isoformat())


# ------------------------------------------------------------- the app's calls


def is_enrolled(store: Store) -> bool:
    with store.sessions() as session:
        return bool(_get(session, CREDENTIAL))


def office_identity(store: Store) -> OfficeIdentity | None:
    """The office this folder belongs to (id, name, number, districts), if enrolled."""
    with store.sessions() as session:
        return _identity(_get(session, OFFICE))


def enroll(store: Store, url: str, code: str, *, allow_insecure: bool = False,
           client: httpx.Client | None = None) -> OfficeIdentity:
    """Join the centre at ``url`` with a one-time code from ``daftar-server office add``.

    Refuses plain ``http://`` to another computer unless ``allow_insecure``; refuses a
    data folder that already belongs to another office — the centre checks that
    before it uses the code up, so the code still serves the office it is for.
    Enrolling again (after the centre revoked this device) keeps the folder's data
    and its place in the log."""
    base = check_url(url, allow_insecure=allow_insecure)
    mine = office_identity(store)
    with HttpTransport(base, client=client) as transport:
        answer = transport.call("POST", "/sync/enrol", EnrolResponse,
                                body=EnrolRequest(protocol_version=PROTOCOL_VERSION, code=code,
                                                  office_id=mine.office_id if mine else None))
    with store.sessions.begin() as session:
        known = _identity(_get(session, OFFICE))
        if known is not None and known.office_id != answer.office.office_id:
            # Only a centre too old to check first gets here (the code is used up).
            raise SyncError("enrolled_elsewhere",
                            f"this data folder belongs to office {known.name}; enrol "
                            f"{answer.office.name} with another folder (--data-dir)")
        _put(session, CENTRE_URL, base)
        _put(session, ALLOW_INSECURE, allow_insecure)
        _put(session, CREDENTIAL, answer.credential)
        _put(session, OFFICE, answer.office.model_dump(mode="json"))
        _put(session, ENROLLED_AT, utcnow().isoformat())
        for year, serial in answer.walk_in_serials.items():
            key = WALK_IN_SERIAL.format(year=year)
            _put(session, key, max(int(_get(session, key, 0)), serial))
    return OfficeIdentity.of(answer.office)


def sync_once(store: Store, *, progress: Callable[[str, int, int], None] | None = None,
              cancel: Callable[[], bool] | None = None, client: httpx.Client | None = None,
              retry: RetryPolicy | None = None) -> SyncReport:
    """One full round (push, then pull).  :class:`SyncError` unless it completed;
    whatever it stored before failing stays stored, and the next round goes on from there."""
    with store.sessions() as session:
        url, credential = _get(session, CENTRE_URL), _get(session, CREDENTIAL)
        allow_insecure = bool(_get(session, ALLOW_INSECURE, False))
    if not url or not credential:
        raise SyncError("not_enrolled", "this office has not joined a centre: run `daftar enroll URL CODE`")
    base = check_url(url, allow_insecure=allow_insecure)
    with HttpTransport(base, credential, client=client) as transport:
        engine = SyncEngine(OfficeStore(store.sessions), transport, retry=retry or RetryPolicy(),
                            progress=progress, cancel=cancel)
        try:
            return engine.run_round()
        except Exception:
            _restore_set_aside(store)
            raise


def _restore_set_aside(store: Store) -> None:
    """A first pull that stopped midway (the network went, the clerk cancelled) must
    not leave the office working without the indexes it set aside until some later
    round completes — hours, on a bad line.  They are made again now, over what has
    arrived so far; the next round sets them aside again if still worth it.  A
    failure here is logged: the caller must hear the round's own failure."""
    try:
        restore_indexes(store.engine)
    except Exception:  # noqa: BLE001 - see above; open_store makes them at the latest
        log.warning("could not make again the indexes a stopped pull set aside", exc_info=True)


def pending_count(store: Store) -> int:
    """Local changes the centre has not answered yet."""
    with store.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(m.OutboxEntry)) or 0


def last_sync_at(store: Store) -> dt.datetime | None:
    with store.sessions() as session:
        value = _get(session, LAST_SYNC_AT)
    return dt.datetime.fromisoformat(value) if value else None


def open_problems(store: Store) -> list[m.SyncProblem]:
    """Changes the centre refused or found stale, oldest first, until a person settles them."""
    with store.sessions() as session:
        return list(session.scalars(sa.select(m.SyncProblem).where(m.SyncProblem.resolved_at.is_(None))
                                    .order_by(m.SyncProblem.created_at, m.SyncProblem.mutation_id)))


class _Within:
    """Stands in for a sessionmaker: ``begin()`` joins an open transaction, so that a
    re-applied action and the settling of its problem commit together or not at all."""

    def __init__(self, session: Session):
        self._session = session

    def begin(self) -> contextlib.nullcontext[Session]:
        return contextlib.nullcontext(self._session)


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


def _redo(session: Session, desk: Desk, problem: m.SyncProblem) -> Changes | None:
    """The refused action done again by ``desk``, on the office's current copy (which
    is the centre's since the refusal): it is checked afresh and queued anew."""
    p, target = problem.payload, problem.entity_id
    op = Op(problem.op)
    if op == Op.CHANGE_STATUS:
        original = p.get("duplicate_of")
        return desk.change_status([target], p["to_status"], reason=p.get("reason"),
                                  note=p.get("note") or "",
                                  duplicate_of=uuid.UUID(original) if original else None)
    if op == Op.ASSIGN:
        return desk.assign([target], uuid.UUID(p["crew_id"]))
    if op == Op.ADD_NOTE:
        return desk.add_note(target, p["note"])
    if op == Op.WORK_ORDER_ISSUED:
        return desk.record_work_orders_issued([target])
    if op == Op.EDIT_REQUEST:
        return desk.edit(target, **p["changes"])
    if op == Op.UPSERT_CREW:
        crew = p["crew"]
        desk.save_crew(name=crew["name"], supervisor=crew.get("supervisor") or "",
                       phone=crew.get("phone") or "", district_code=crew["district_code"],
                       active=bool(crew.get("active", True)), crew_id=target)
        return Changes(crews=True)
    # A refused walk-in is registered again, as a new request with a new code, and
    # the photos it had come back to it (from the data folder, once it has left).
    row = p["request"]
    request = desk.register_walk_in(WalkIn(
        citizen_name=row.get("citizen_name") or "", citizen_phone=row.get("citizen_phone") or "",
        district_code=row.get("district_code") or "", neighbourhood_code=row.get("neighbourhood_code") or "",
        category_code=row.get("category_code") or "", description=row.get("description") or "",
        address=row.get("address") or "", latitude=row.get("latitude"), longitude=row.get("longitude"),
    ))
    bring_back(session, target, request.id, desk.actor)
    return Changes([request.id])


def reapply_problem(store: Store, problem_id: uuid.UUID, actor: Actor) -> Changes | None:
    """Do the refused change again, as ``actor``, on the centre's current values; it
    goes out with the next round.  Raises the desk's :class:`ServiceError` when the
    change no longer makes sense (then the problem stays open)."""
    with store.sessions.begin() as session:
        problem = _open_problem(session, problem_id)
        before = set(session.scalars(sa.select(m.OutboxEntry.mutation_id)))
        changes = _redo(session, Desk(cast(sessionmaker[Session], _Within(session)), actor), problem)
        session.flush()
        queued = set(session.scalars(sa.select(m.OutboxEntry.mutation_id))) - before
        _settle(session, problem, "reapplied", actor, new_mutation_ids=sorted(str(i) for i in queued))
    return changes


def discard_problem(store: Store, problem_id: uuid.UUID, actor: Actor) -> None:
    """Accept the centre's value: the office's change is dropped, and the audit says who
    decided so.  (The office's copy already shows the centre's value.)"""
    with store.sessions.begin() as session:
        _settle(session, _open_problem(session, problem_id), "discarded", actor)


# ---------------------------------------------------------------- command line


def cli_enroll(store: Store, args: argparse.Namespace) -> int:
    """``daftar enroll URL CODE [--allow-insecure]``."""
    identity = enroll(store, args.url, args.code, allow_insecure=args.allow_insecure)
    scope = "every district" if identity.all_districts else "districts " + ", ".join(identity.districts)
    print(f"enrolled as office {identity.name} (number {identity.number}), for {scope}")
    print("run `daftar sync` to fetch the office's requests")
    return 0


def _print_progress(phase: str, done: int, total: int) -> None:
    if total > 0:
        print(f"\r{phase}: {min(100, 100 * done // total):3d}%", end="", file=sys.stderr, flush=True)


def cli_sync(store: Store, args: argparse.Namespace) -> int:
    """``daftar sync``: one round; exit 0 only when it completed (a failure raises, and
    the command line prints its one line and exits non-zero)."""
    interactive = sys.stderr.isatty()
    try:
        report = sync_once(store, progress=_print_progress if interactive else None)
    finally:
        if interactive:
            print(file=sys.stderr)
    print(f"sync: pushed {report.pushed} ({report.applied} applied, {report.rejected} rejected, "
          f"{report.conflicts} conflicts), pulled {report.pulled} rows, "
          f"{report.new_referrals} new referrals")
    if report.clock_skew_warning:
        print(f"warning: this computer's clock is {abs(report.clock_skew_seconds or 0):.0f} s "
              f"{'behind' if (report.clock_skew_seconds or 0) > 0 else 'ahead of'} the centre's; "
              "set the right time", file=sys.stderr)
    problems = len(open_problems(store))
    if problems:
        print(f"{problems} sync problems wait for a person (open the app: Sync problems)",
              file=sys.stderr)
    return 0
