"""The requests table's read side: filtered, sorted pages of requests and the
counts beside them, fast on a million rows.

Why it looks like this:

* **Keyset paging.**  A page continues from the last row shown (its sort key,
  ``received_at`` and ``rowid``), never ``OFFSET``: the ten-thousandth page costs
  what the first one does (platform.md: 0.3 ms against 21 ms at offset 500,000).
  Sorting is offered only on columns with an index, so that the first page of any
  sort is read in index order instead of sorting the whole table.  ``rowid`` is
  the tie-breaker because every index already ends with it.
* **A reader of its own.**  :class:`RequestQueries` opens its own read-only engine
  with deferred transactions (``make_engine(..., immediate=False)``): in WAL mode a
  reader never waits for the desk or for sync writing, and never blocks them.
* **Interruptible.**  Search-as-you-type makes most queries obsolete before they
  finish; :meth:`RequestQueries.interrupt` stops the running statement so the
  newest keystroke is answered next.
* **Every filter inside an index.**  The desk filters by status, category,
  neighbourhood, crew, channel and period; a filter tested on the request row itself
  costs a row read (the rows are wide: address, description, search text) for every
  request it rejects, which for a rare combination is the whole table, seconds.  Two
  indexes hold all of those columns: ``ix_requests_report`` (the reports', by
  ``received_at``) is walked newest first for a page, stopping when the page is
  full, so a page never costs more than one pass over that index (~70 ms for a
  million, for a combination that matches nothing); ``ix_requests_by_status`` (the
  desk's own, :data:`desktop_app.store.models.LIST_INDEXES`) gives the status counts
  as one seek per status and category, in status order, with nothing to sort.
  SQLite without statistics (an office never runs ``ANALYZE``) would rather take the
  narrow single-column indexes and read rows, so the plan is named
  (``INDEXED BY``) whenever the index is there — it may not be, while a first sync
  rebuilds the indexes, and then the query runs unhinted.
* **Search** has three plans, chosen by how many requests a term is in.  Few
  (under :data:`SMALL_HITS`): those rows are looked up and sorted.  Many: the hits
  are gathered once and each row of the walk is probed among them, without reading
  the row.  Very many (:data:`ROW_TEST_SHARE` of all requests or more; «کاشان» is
  in every address): gathering them would cost more than the page, so each row of
  the walk that passes the filters is read and its search text tested (``instr``),
  and a page is found after a few thousand.  How many is judged from the first
  :data:`SMALL_HITS` hits alone: how far into the table (by rowid) they reach.
  Input too short for trigrams also matches a tracking-code prefix, classified the
  same way.  Counting needs every hit, so a search in most requests takes most of a
  second to count (~0.8 s for «کاشان» on a million: gathering and probing them);
  the counts run on their own thread, after the page, and a keystroke stops them.
* **Few candidates** — chosen statuses, or a chosen category, holding fewer than
  :data:`FEW_CANDIDATES` requests that pass the filter — are read whole from the
  status index and sorted, in any sort order: a walk would read much more.
* **Other sort orders** walk their own index (``tracking_code``, ``category_code``
  …), which knows nothing of the filters: the walk is cut after
  :data:`WALK_BUDGET` rows, and a filter too rare to fill the page by then is
  answered from the covering index instead, sorted.

On the million-request bench (tests/bench/bench_ui.py) every page of every filter,
sort and search is under 50 ms, the counts of any filter under ~120 ms.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from desktop_app.store import models as m
from desktop_app.store.fts import FTS_TABLE, MIN_TRIGRAM, match_expression, phrases
from sync.dates import day_start, utcnow
from sync.db import make_engine
from sync.schema import UTCDateTime
from sync.text import search_key
from sync.workflow import OPEN_STATUSES, Status

REQUESTS = m.ServiceRequest.__table__
ROWID = sa.literal_column("requests.rowid", sa.Integer)

#: Rows per page: enough to fill a tall window twice, small enough to come back
#: in a few milliseconds.
PAGE_SIZE = 200

#: Columns the table can be sorted by: each has an index, so the first page of a
#: sort is read in index order (``crew_id`` and ``neighbourhood_code`` group rows
#: by crew and neighbourhood; within a group the newest arrivals come first).
SORT_KEYS = ("received_at", "tracking_code", "category_code", "neighbourhood_code", "crew_id")
#: Keys that are unique by themselves need no tie-breaker.
_UNIQUE_KEYS = frozenset({"tracking_code"})

#: Longest description kept per row: the table shows one line of it.
_DESCRIPTION_CHARS = 300

_OPEN = sorted(s.value for s in OPEN_STATUSES)

#: The desk's status index (models.LIST_INDEXES) and the reports' index by time,
#: which holds every column the desk filters by (models.REPORT_INDEXES).
BY_STATUS = "ix_requests_by_status"
BY_TIME = "ix_requests_report"
#: A search part with fewer hits than this is answered by looking its hits up
#: (a few milliseconds); with more, the walk probes each row among the hits.
SMALL_HITS = 2_000
#: A search part in at least this share of the requests is tested row by row as the
#: walk reads them: a page then needs at most ~20,000 rows read (~50 ms), where
#: gathering the hits costs up to ~250 ms (every request) — and more for a phrase of
#: common trigrams («امیرکبیر کوچه ۱»), which FTS5 checks position by position.
ROW_TEST_SHARE = 0.01
#: Rows of a sort key's index walked before a rarer filter is answered otherwise.
WALK_BUDGET = 10_000
#: Chosen statuses holding fewer requests than this are read whole from the status
#: index and sorted, rather than found by a walk (one request in fifty on a million).
FEW_CANDIDATES = 20_000


@dataclass(frozen=True)
class RequestFilter:
    """What the clerk narrowed the table to.  Empty or ``None`` means "any".

    ``first_day``/``last_day`` are whole days in Tehran time, both inclusive.
    """

    statuses: frozenset[str] = frozenset()
    category: str | None = None
    neighbourhood: str | None = None
    crew: uuid.UUID | None = None
    channel: str | None = None
    overdue: bool = False
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    text: str = ""


@dataclass(frozen=True)
class Sort:
    key: str = "received_at"
    descending: bool = True

    def __post_init__(self) -> None:
        if self.key not in SORT_KEYS:
            raise ValueError(f"cannot sort by {self.key!r}: no index (sortable: {SORT_KEYS})")


#: Where a page ends: (sort key value, received_at, rowid) of its last row.
Cursor = tuple[Any, dt.datetime, int]


@dataclass(frozen=True)
class RequestRow:
    """One line of the table, as read; names are resolved by the UI."""

    rowid: int
    id: uuid.UUID
    tracking_code: str
    received_at: dt.datetime
    status: str
    channel: str
    district_code: str
    neighbourhood_code: str | None
    category_code: str
    description: str
    citizen_name: str
    citizen_phone: str | None
    address: str
    crew_id: uuid.UUID | None
    #: When the category's target days run out (received_at + target days).
    due_at: dt.datetime

    @property
    def is_open(self) -> bool:
        return self.status in _OPEN

    def is_overdue(self, now: dt.datetime) -> bool:
        """Open and past its category's target days."""
        return self.is_open and self.due_at < now

    def cursor(self, sort: Sort) -> Cursor:
        return (getattr(self, sort.key), self.received_at, self.rowid)


@dataclass(frozen=True)
class Page:
    rows: list[RequestRow]
    #: True when at least one more row follows the last one.
    has_more: bool


@dataclass(frozen=True)
class Counts:
    """Counts beside the table, under the current filter *except* its status and
    overdue choices: the clerk sees how the filtered work splits by status."""

    by_status: dict[str, int] = field(default_factory=dict)
    overdue: int = 0

    def total(self, statuses: frozenset[str] = frozenset()) -> int:
        return sum(n for s, n in self.by_status.items() if not statuses or s in statuses)


def _columns() -> list[sa.ColumnElement[Any]]:
    t = REQUESTS.c
    return [
        ROWID.label("rowid"), t.id, t.tracking_code, t.received_at, t.status, t.channel,
        t.district_code, t.neighbourhood_code, t.category_code,
        sa.func.substr(t.description, 1, _DESCRIPTION_CHARS).label("description"),
        t.citizen_name, t.citizen_phone, t.address, t.crew_id,
    ]


def _rowid_in(rowids: Sequence[int]) -> sa.ColumnElement[bool]:
    """``rowid IN (…)`` for any number of rowids: one JSON parameter, not one
    parameter each (SQLite limits those)."""
    listed = sa.select(sa.column("value", sa.Integer)).select_from(
        sa.func.json_each(sa.literal(json.dumps(list(rowids)))))
    return ROWID.in_(listed)


def _probe(rowids: Sequence[int] | sa.Select[Any] | sa.TextClause) -> sa.ColumnElement[bool]:
    """``+rowid IN (…)``: a test of each row the walk reads, never the plan's driver
    (the unary ``+`` keeps SQLite from looking the rows up by these rowids)."""
    listed: Any = rowids
    if isinstance(rowids, Sequence):
        listed = sa.select(sa.column("value", sa.Integer)).select_from(
            sa.func.json_each(sa.literal(json.dumps(list(rowids)))))
    return sa.literal_column("+requests.rowid", sa.Integer).in_(listed)


@dataclass(frozen=True)
class _Search:
    """How a search is answered (see the module docstring): either exactly these
    ``rowids`` (few hits), or a ``test`` of each row the walk reads."""

    rowids: list[int] | None = None
    test: sa.ColumnElement[bool] | None = None


def _row(row: sa.Row[Any], target_days: dict[str, int]) -> RequestRow:
    due = row.received_at + dt.timedelta(days=target_days.get(row.category_code, 0))
    return RequestRow(**row._mapping, due_at=due)


#: A reference name as ``(name_fa, name_en)``.
NamePair = tuple[str, str]


@dataclass(frozen=True)
class Crew:
    id: uuid.UUID
    name: str
    district_code: str
    active: bool


@dataclass(frozen=True)
class Names:
    """The words behind the codes a row holds, and the choices of the filters."""

    categories: dict[str, NamePair]
    neighbourhoods: dict[str, NamePair]
    #: neighbourhood code -> district code, to group the neighbourhood choices.
    neighbourhood_district: dict[str, str]
    districts: dict[str, NamePair]
    channels: dict[str, NamePair]
    crews: dict[uuid.UUID, Crew]


class Interrupted(Exception):
    """The running query was stopped by :meth:`RequestQueries.interrupt`."""


def open_read_engine(db_path: Path) -> sa.Engine:
    """A read-only engine on the office database, tuned for scanning indexes.

    Its dialect writes SQLite's ``INDEXED BY``/``NOT INDEXED`` table hints
    (``Select.with_hint``), which SQLAlchemy's SQLite compiler otherwise drops."""
    engine = make_engine(f"sqlite:///{db_path}", immediate=False)
    compiler = engine.dialect.statement_compiler

    class _HintingCompiler(compiler):  # type: ignore[valid-type,misc]
        def get_from_hint_text(self, table: Any, text: str | None) -> str | None:
            return text

    engine.dialect.statement_compiler = _HintingCompiler

    @event.listens_for(engine, "connect")
    def _reader_pragmas(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA query_only=ON")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB of pages stay warm
        cursor.execute("PRAGMA temp_store=MEMORY")  # partial sorts never touch disk
        cursor.close()

    return engine


class RequestQueries:
    """Read-only queries for the requests table.  Call from one worker thread;
    :meth:`interrupt` may be called from any thread."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self._lock = threading.Lock()
        self._active: Any = None  # the sqlite3 connection running a statement

    @classmethod
    def for_database(cls, db_path: Path) -> RequestQueries:
        return cls(open_read_engine(db_path))

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------ connection

    @contextmanager
    def _connect(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as conn:
            raw = conn.connection.driver_connection
            with self._lock:
                self._active = raw
            try:
                yield conn
            except sa.exc.OperationalError as exc:
                if "interrupted" in str(exc.orig):
                    raise Interrupted from None
                raise
            finally:
                with self._lock:
                    self._active = None

    def interrupt(self) -> None:
        """Stop the statement now running, if any (it raises :class:`Interrupted`).

        SQLite ignores an interrupt when no statement runs, so a call that comes
        just after a query finished cannot hit the next one."""
        with self._lock:
            if self._active is not None:
                self._active.interrupt()

    # -------------------------------------------------------------- filters

    def _target_days(self, conn: sa.Connection) -> dict[str, int]:
        # Thirteen rows: read each time, so a reference update from sync is seen.
        return {code: days for code, days in conn.execute(sa.select(m.Category.code, m.Category.target_days))}

    @staticmethod
    def _indexes(conn: sa.Connection) -> set[str]:
        """The list indexes there now (a first sync may have dropped them a while)."""
        return set(conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'requests' "
            "AND name IN (?, ?)", (BY_STATUS, BY_TIME)).scalars())

    @staticmethod
    def _hinted(stmt: sa.Select[Any], hint: str | None) -> sa.Select[Any]:
        return stmt.with_hint(REQUESTS, hint, dialect_name="sqlite") if hint else stmt

    def _conditions(self, filt: RequestFilter, days: dict[str, int], *, now: dt.datetime,
                    with_status: bool = True, with_overdue: bool = True) -> list[sa.ColumnElement[bool]]:
        """The filter's tests, each on a column both list indexes hold (the search
        is planned apart: :meth:`_search`)."""
        t = REQUESTS.c
        out: list[sa.ColumnElement[bool]] = []
        if with_status and filt.statuses:
            out.append(t.status.in_(sorted(filt.statuses)))
        if filt.category:
            out.append(t.category_code == filt.category)
        if filt.neighbourhood:
            out.append(t.neighbourhood_code == filt.neighbourhood)
        if filt.crew:
            out.append(t.crew_id == filt.crew)
        if filt.channel:
            out.append(t.channel == filt.channel)
        if filt.first_day:
            out.append(t.received_at >= day_start(filt.first_day))
        if filt.last_day:
            out.append(t.received_at < day_start(filt.last_day + dt.timedelta(days=1)))
        if with_overdue and filt.overdue:
            out.append(self._overdue(days, now))
        return out

    @staticmethod
    def _overdue(days: dict[str, int], now: dt.datetime) -> sa.ColumnElement[bool]:
        """Open and received before ``now`` minus the category's target days.  The
        extra bound by the shortest target lets an index by ``received_at`` skip
        every request too young to be late."""
        t = REQUESTS.c
        if not days:
            return sa.false()
        cutoffs = {code: now - dt.timedelta(days=n) for code, n in days.items()}
        cutoff = sa.case(
            {code: sa.literal(moment, UTCDateTime()) for code, moment in cutoffs.items()},
            value=t.category_code,
        )
        return sa.and_(t.status.in_(_OPEN), t.received_at < max(cutoffs.values()),
                       t.received_at < cutoff)

    def _search(self, conn: sa.Connection, text: str, *, counting: bool = False) -> _Search | None:
        """How to answer a search, in the plan that costs least (module docstring);
        ``None`` when there is nothing to search for.

        Two parts may find a request: the trigram index, and — for input too short
        for trigrams — a tracking-code prefix.  Each part's hits are fetched up to
        :data:`SMALL_HITS`; if all fit, those rows are the answer.  Otherwise each
        part becomes a test: a probe among its hits, or (not when counting, which
        must see every hit anyway) a row test when it is in :data:`ROW_TEST_SHARE` of
        the requests or more.
        """
        key = search_key(text)
        if not key:
            return None
        t = REQUESTS.c
        # (its hits as a subquery, the same test on a row that is read anyway)
        parts: list[tuple[Any, sa.ColumnElement[bool]]] = []
        match = match_expression(key)
        if match is not None:
            parts.append((
                sa.text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match")
                .bindparams(match=match).columns(sa.column("rowid", sa.Integer)),
                sa.and_(*(sa.func.instr(t.search_text, phrase) > 0 for phrase in phrases(key))),
            ))
        if " " not in key and len(key) < MIN_TRIGRAM:
            # Too short for trigrams, but maybe the start of a tracking code: a range
            # of the tracking-code index.
            in_range = sa.and_(t.tracking_code >= key, t.tracking_code < key + "\U0010ffff")
            parts.append((sa.select(ROWID.label("rowid")).select_from(REQUESTS).where(in_range),
                          sa.func.substr(t.tracking_code, 1, len(key)) == key))
        if not parts:
            return _Search(rowids=[])  # only one-letter words: nothing could be found fast
        found: list[list[int]] = []
        for i, (hits, _row_test) in enumerate(parts):
            sub = hits.subquery()
            first = sa.select(sub.c.rowid).limit(SMALL_HITS)
            if i == 0 and match is not None:
                first = first.order_by(sub.c.rowid)  # the trigram index's own order
            found.append(list(conn.execute(first).scalars()))
        if all(len(rowids) < SMALL_HITS for rowids in found):
            return _Search(rowids=sorted(set().union(*found)))
        # Apart, so that each is one step down the table's b-tree (together they scan).
        lo, hi = conn.execute(sa.select(
            sa.select(sa.func.min(ROWID)).select_from(REQUESTS).scalar_subquery(),
            sa.select(sa.func.max(ROWID)).select_from(REQUESTS).scalar_subquery())).one()
        span = max(1, (hi or 0) - (lo or 0) + 1)
        tests: list[sa.ColumnElement[bool]] = []
        for (hits, row_test), rowids in zip(parts, found):
            if len(rowids) < SMALL_HITS:
                tests.append(_probe(rowids))
            elif counting:
                tests.append(_probe(hits))
            elif hits is not parts[0][0] or match is None:
                # A tracking-code prefix: count its run of the index, that far.
                need = max(SMALL_HITS, int(span * ROW_TEST_SHARE))
                many = conn.execute(sa.select(sa.func.count()).select_from(
                    sa.select(hits.subquery().c.rowid).limit(need).subquery())).scalar_one()
                tests.append(row_test if many >= need else _probe(hits))
            else:
                # The first SMALL_HITS hits, in rowid order, reach this far into the
                # table: that tells the share of the requests the term is in, without
                # the cost of counting them all.
                share = SMALL_HITS / max(1, rowids[-1] - (lo or 0) + 1)
                tests.append(row_test if share >= ROW_TEST_SHARE else _probe(hits))
        return _Search(test=sa.or_(*tests))

    # ----------------------------------------------------------------- pages

    @staticmethod
    def _order(sort: Sort, key: sa.ColumnElement[Any] | None = None,
               rowid: sa.ColumnElement[Any] | None = None) -> list[sa.ColumnElement[Any]]:
        """The sort key, then ``rowid`` newest first.  Within a crew, category or
        neighbourhood the newest arrivals come first: ``rowid`` is in every index,
        so ordering a group by it reads only the index — on the million-row bench
        75 ms, where ordering by ``received_at`` reads every row of the group
        (580 ms)."""
        key = REQUESTS.c[sort.key] if key is None else key
        rowid = ROWID if rowid is None else rowid
        first = key.desc() if sort.descending else key.asc()
        if sort.key in _UNIQUE_KEYS:
            return [first]
        if sort.key == "received_at":
            return [first, rowid.desc() if sort.descending else rowid.asc()]
        return [first, rowid.desc()]

    @staticmethod
    def _after(sort: Sort, cursor: Cursor) -> sa.ColumnElement[bool]:
        """Rows that come after ``cursor`` in ``sort`` order.  NULL keys (no crew,
        no neighbourhood) sort first ascending and last descending, as in SQLite."""
        t = REQUESTS.c
        value, received, rowid = cursor
        key = t[sort.key]
        if sort.key in _UNIQUE_KEYS:
            return key < value if sort.descending else key > value
        if sort.key == "received_at":
            pair = sa.tuple_(t.received_at, ROWID)
            bound = sa.tuple_(sa.literal(received, UTCDateTime()), sa.literal(rowid))
            return pair < bound if sort.descending else pair > bound
        tail = ROWID < rowid
        if sort.descending:
            if value is None:
                return sa.and_(key.is_(None), tail)
            return sa.or_(sa.and_(key <= value, sa.or_(key < value, tail)), key.is_(None))
        if value is None:
            return sa.or_(sa.and_(key.is_(None), tail), key.is_not(None))
        return sa.and_(key >= value, sa.or_(key > value, tail))

    def page(self, filt: RequestFilter, sort: Sort = Sort(), after: Cursor | None = None,
             limit: int = PAGE_SIZE, *, now: dt.datetime | None = None) -> Page:
        """Up to ``limit`` rows in ``sort`` order, after ``cursor`` if given."""
        now = now or utcnow()
        with self._connect() as conn:
            days = self._target_days(conn)
            conditions = self._conditions(filt, days, now=now)
            search = self._search(conn, filt.text)
            rowids = self._page_rowids(conn, filt, sort, conditions, search, limit + 1,
                                       None if after is None else self._after(sort, after), days)
            # Rowids first, then the rows: SQLite would otherwise carry every column
            # of every row it sorts through the sorter.
            result = conn.execute(sa.select(*_columns()).where(_rowid_in(rowids))
                                  .order_by(*self._order(sort))).all() if rowids else []
        return Page([_row(row, days) for row in result[:limit]], has_more=len(result) > limit)

    def _page_rowids(self, conn: sa.Connection, filt: RequestFilter, sort: Sort,
                     conditions: list[sa.ColumnElement[bool]], search: _Search | None,
                     limit: int, after: sa.ColumnElement[bool] | None,
                     days: dict[str, int]) -> list[int]:
        """The rowids of a page, in order, by the plan that suits the filter."""
        order = self._order(sort)
        start = [] if after is None else [after]
        if search is not None and search.rowids is not None:
            # Few hits: look each up (NOT INDEXED: by rowid, whatever the filter).
            if not search.rowids:
                return []
            stmt = sa.select(ROWID).select_from(REQUESTS).where(*start, *conditions,
                                                                _rowid_in(search.rowids))
            return list(conn.execute(self._hinted(stmt, "NOT INDEXED").order_by(*order).limit(limit))
                        .scalars())
        have = self._indexes(conn)
        few = self._few_candidates(conn, filt, have, conditions)
        if search is not None and search.test is not None:
            conditions = [*conditions, search.test]  # last: tested after the index's columns
        by_time = f"INDEXED BY {BY_TIME}" if BY_TIME in have else None
        if few:
            # The candidates are a few runs of the status index (chosen statuses,
            # or a chosen category): read them all and sort, in any order.
            every_status = [] if filt.statuses else [REQUESTS.c.status.in_([s.value for s in Status])]
            stmt = sa.select(ROWID).select_from(REQUESTS).where(
                *start, *every_status, *self._every_category(filt, days), *conditions)
            return list(conn.execute(self._hinted(stmt, f"INDEXED BY {BY_STATUS}").order_by(*order)
                                     .limit(limit)).scalars())
        if sort.key == "received_at" or not conditions:
            # Newest first: walk the covering index until the page is full.  No
            # filter at all: the sort key's own index, in order.
            hint = by_time if conditions and sort.key == "received_at" else None
            stmt = sa.select(ROWID).select_from(REQUESTS).where(*start, *conditions)
            return list(conn.execute(self._hinted(stmt, hint).order_by(*order).limit(limit)).scalars())
        # Another sort order: walk its index, testing the filter on each row read
        # (in the select list, so that nothing but the sort key can steer the plan),
        # for at most WALK_BUDGET rows.
        key = REQUESTS.c[sort.key]
        walk = (sa.select(ROWID.label("rid"), key.label("k"), sa.and_(*conditions).label("ok"))
                .select_from(REQUESTS).where(*start).order_by(*order).limit(WALK_BUDGET).subquery())
        found = list(conn.execute(
            sa.select(walk.c.rid).where(walk.c.ok)
            .order_by(*self._order(sort, walk.c.k, walk.c.rid)).limit(limit)).scalars())
        if len(found) == limit:
            return found
        # Too rare to fill the page early in this order: every candidate from the
        # covering index, sorted (only the sort key of a candidate is read).
        stmt = sa.select(ROWID).select_from(REQUESTS).where(*start, *conditions)
        return list(conn.execute(self._hinted(stmt, by_time).order_by(*order).limit(limit)).scalars())

    @staticmethod
    def _every_category(filt: RequestFilter, days: dict[str, int]) -> list[sa.ColumnElement[bool]]:
        """``category_code IN (every category)`` when a period is chosen and no
        category: a seek per (status, category) of the status index, from which
        the period is one range (SQLite skips no column of an index by itself
        without statistics)."""
        if filt.category or not (filt.first_day or filt.last_day) or not days:
            return []
        return [REQUESTS.c.category_code.in_(sorted(days))]

    @staticmethod
    def _few_candidates(conn: sa.Connection, filt: RequestFilter, have: set[str],
                        conditions: list[sa.ColumnElement[bool]]) -> bool:
        """True when the status index holds fewer than :data:`FEW_CANDIDATES`
        requests for the chosen statuses — or, with a category chosen, fewer that
        pass the whole filter in that category (a run of at most one category,
        a few milliseconds).  Counted at most that far.  Then reading them all
        beats a walk, which for a rare combination reads the whole index by time."""
        if not (filt.statuses or filt.category) or BY_STATUS not in have:
            return False
        t = REQUESTS.c
        statuses = sorted(filt.statuses) if filt.statuses else [s.value for s in Status]
        run = sa.select(sa.literal(1)).select_from(REQUESTS).where(t.status.in_(statuses))
        if filt.category:
            run = run.where(*conditions)  # its category is one of them
        run = run.with_hint(REQUESTS, f"INDEXED BY {BY_STATUS}", "sqlite").limit(FEW_CANDIDATES)
        found = conn.execute(sa.select(sa.func.count()).select_from(run.subquery())).scalar_one()
        return found < FEW_CANDIDATES

    def rows(self, request_ids: Sequence[uuid.UUID]) -> list[RequestRow]:
        """The current state of some requests, by id (after an action changed them)."""
        if not request_ids:
            return []
        with self._connect() as conn:
            result = conn.execute(sa.select(*_columns()).where(REQUESTS.c.id.in_(list(request_ids)))).all()
            days = self._target_days(conn)
        return [_row(row, days) for row in result]

    def names(self) -> Names:
        """Reference names and crews: a few dozen rows, read when the table opens
        and again when crews change."""
        def pairs(conn: sa.Connection, model: Any, key: str) -> dict[Any, NamePair]:
            query = sa.select(getattr(model, key), model.name_fa, model.name_en)
            return {code: (fa, en) for code, fa, en in conn.execute(query)}

        with self._connect() as conn:
            crews = {
                row.id: Crew(row.id, row.name, row.district_code, row.active)
                for row in conn.execute(sa.select(m.Crew.id, m.Crew.name, m.Crew.district_code,
                                                  m.Crew.active))
            }
            return Names(
                categories=pairs(conn, m.Category, "code"),
                neighbourhoods=pairs(conn, m.Neighbourhood, "code"),
                neighbourhood_district={code: district for code, district in conn.execute(
                    sa.select(m.Neighbourhood.code, m.Neighbourhood.district_code))},
                districts=pairs(conn, m.District, "code"),
                channels=pairs(conn, m.Channel, "code"),
                crews=crews,
            )

    # ---------------------------------------------------------------- counts

    def counts(self, filt: RequestFilter, *, now: dt.datetime | None = None) -> Counts:
        """Requests per status and overdue ones, under ``filt`` without its status
        and overdue choices.

        Both read ``ix_requests_by_status`` alone: naming every status (and, for a
        period without a category, every category) turns the counts into one seek
        per status (and category), each a run of exactly the requests counted, in
        status order — no row read, nothing sorted.  The overdue count seeks the
        open statuses the same way, up to the latest cutoff; with a search in many
        requests it is made in the same pass, so that the hits are gathered once."""
        now = now or utcnow()
        t = REQUESTS.c
        with self._connect() as conn:
            days = self._target_days(conn)
            base = self._conditions(filt, days, now=now, with_status=False, with_overdue=False)
            search = self._search(conn, filt.text, counting=True)
            hint = f"INDEXED BY {BY_STATUS}" if BY_STATUS in self._indexes(conn) else None
            if search is not None and search.rowids is not None:
                base.append(_rowid_in(search.rowids))
                hint = "NOT INDEXED"  # few hits: look each up by rowid
            elif search is not None and search.test is not None:
                base.append(search.test)
            every_status = t.status.in_([s.value for s in Status])
            # Naming every category makes a seek per (status, category) from which
            # a period is a range; without a period, the statuses alone do.
            every_category = [t.category_code.in_(sorted(days))] if days and not filt.category else []
            period = self._every_category(filt, days)
            late = self._overdue(days, now)
            by_status: dict[str, int]
            if search is not None and search.test is not None:
                # A search in many requests: its hits are gathered once, for both
                # counts in one pass (two statements would gather them twice).
                by_status, overdue = {}, 0
                for status, n, n_late in conn.execute(self._hinted(
                        sa.select(t.status, sa.func.count(),
                                  sa.func.sum(sa.case((late, 1), else_=0)))
                        .select_from(REQUESTS).where(every_status, *period, *base), hint)
                        .group_by(t.status)):
                    by_status[status], overdue = n, overdue + (n_late or 0)
            else:
                by_status = {status: n for status, n in conn.execute(self._hinted(
                    sa.select(t.status, sa.func.count()).select_from(REQUESTS)
                    .where(every_status, *period, *base), hint).group_by(t.status))}
                overdue = conn.execute(self._hinted(
                    sa.select(sa.func.count()).select_from(REQUESTS)
                    .where(*every_category, *base, late), hint)).scalar_one()
        return Counts({s.value: by_status.get(s.value, 0) for s in Status}, overdue)
