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
* **Search** has two plans.  A term found in few requests goes through the FTS5
  trigram index (:mod:`desktop_app.store.fts`) and the hits are sorted.  A term
  found in very many («کاشان» is in every address) would make that plan fetch and
  sort them all, so instead the table is walked newest first and each row's
  search text is tested (``instr``) until the page is full: with at least
  :data:`FREQUENT_HITS` hits in a million, that is some tens of thousands of rows
  at most.  Fetching at most :data:`FREQUENT_HITS` hits tells them apart.  Input
  too short for trigrams also matches a tracking-code prefix, chosen the same way.
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

#: A search term with at least this many hits is "frequent": its page is found by
#: walking the table in order rather than by sorting every hit (see above).  On the
#: million-request bench 5,000 keeps both plans under ~100 ms per keystroke.
FREQUENT_HITS = 5_000


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
    """A read-only engine on the office database, tuned for scanning indexes."""
    engine = make_engine(f"sqlite:///{db_path}", immediate=False)

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

    def _conditions(self, conn: sa.Connection, filt: RequestFilter, *, now: dt.datetime,
                    with_status: bool = True, with_overdue: bool = True,
                    counting: bool = False) -> list[sa.ColumnElement[bool]]:
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
            out.append(self._overdue(conn, now))
        text = self._text_condition(conn, filt.text, counting=counting)
        if text is not None:
            out.append(text)
        return out

    def _overdue(self, conn: sa.Connection, now: dt.datetime) -> sa.ColumnElement[bool]:
        """Open and received before ``now`` minus the category's target days.  The
        extra bound by the shortest target lets the received_at index skip every
        request too young to be late."""
        t = REQUESTS.c
        days = self._target_days(conn)
        if not days:
            return sa.false()
        cutoffs = {code: now - dt.timedelta(days=n) for code, n in days.items()}
        cutoff = sa.case(
            {code: sa.literal(moment, UTCDateTime()) for code, moment in cutoffs.items()},
            value=t.category_code,
        )
        return sa.and_(t.status.in_(_OPEN), t.received_at < max(cutoffs.values()),
                       t.received_at < cutoff)

    def _text_condition(self, conn: sa.Connection, text: str, *,
                        counting: bool = False) -> sa.ColumnElement[bool] | None:
        """What a search matches, in the plan that fills a page fastest.

        Each part (the trigram index; a tracking-code prefix for input too short
        for trigrams) first fetches up to :data:`FREQUENT_HITS` of its hits.  Fewer:
        those rows are the answer, looked up by rowid and sorted.  As many: the term
        is frequent, and the same test is made row by row while walking the table in
        order, which fills a page after a few thousand rows.  Counting needs every
        hit, so it always takes the index (a row-by-row test of every row costs
        seconds where the index costs a fraction).
        """
        key = search_key(text)
        if not key:
            return None
        t = REQUESTS.c
        conditions: list[sa.ColumnElement[bool]] = []
        match = match_expression(key)
        if match is not None:
            if counting:
                conditions.append(ROWID.in_(
                    sa.text(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match")
                    .bindparams(match=match).columns(sa.column("rowid", sa.Integer))))
            else:
                hits = conn.exec_driver_sql(
                    f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ? LIMIT {FREQUENT_HITS}",
                    (match,)).scalars().all()
                if len(hits) < FREQUENT_HITS:
                    conditions.append(_rowid_in(hits))
                else:
                    conditions.append(sa.and_(*(sa.func.instr(t.search_text, phrase) > 0
                                                for phrase in phrases(key))))
        if " " not in key and len(key) < MIN_TRIGRAM:
            # Too short for trigrams, but maybe the start of a tracking code.
            in_range = sa.and_(t.tracking_code >= key, t.tracking_code < key + "\U0010ffff")
            if counting:
                conditions.append(in_range)
            else:
                found = conn.execute(sa.select(sa.func.count()).select_from(
                    sa.select(ROWID).where(in_range).limit(FREQUENT_HITS).subquery())).scalar_one()
                conditions.append(in_range if found < FREQUENT_HITS
                                  else sa.func.substr(t.tracking_code, 1, len(key)) == key)
        if not conditions:
            return sa.false()  # only one-letter words: nothing could be found fast
        return sa.or_(*conditions)

    # ----------------------------------------------------------------- pages

    @staticmethod
    def _order(sort: Sort) -> list[sa.ColumnElement[Any]]:
        """The sort key, then ``rowid`` newest first.  Within a crew, category or
        neighbourhood the newest arrivals come first: ``rowid`` is in every index,
        so ordering a group by it reads only the index — on the million-row bench
        75 ms, where ordering by ``received_at`` reads every row of the group
        (580 ms)."""
        key = REQUESTS.c[sort.key]
        first = key.desc() if sort.descending else key.asc()
        if sort.key in _UNIQUE_KEYS:
            return [first]
        if sort.key == "received_at":
            return [first, ROWID.desc() if sort.descending else ROWID.asc()]
        return [first, ROWID.desc()]

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
            conditions = self._conditions(conn, filt, now=now)
            if after is not None:
                conditions.append(self._after(sort, after))
            # Rowids first, then the rows: ordering by an index key and rowid needs
            # only the index, and SQLite would otherwise carry every column of every
            # row it sorts (a whole category, for a category sort) through the sorter.
            order = self._order(sort)
            page = (sa.select(ROWID).select_from(REQUESTS).where(*conditions).order_by(*order)
                    .limit(limit + 1).correlate(None))  # its own FROM, not the outer one
            result = conn.execute(sa.select(*_columns()).where(ROWID.in_(page)).order_by(*order)).all()
            days = self._target_days(conn)
        return Page([_row(row, days) for row in result[:limit]], has_more=len(result) > limit)

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

        Grouping by (district, status) follows ``ix_requests_district_status`` in
        order — no temporary sort of a million rows — and naming every district
        lets the open statuses be looked up in that index instead of scanned."""
        now = now or utcnow()
        t = REQUESTS.c
        districts = sa.select(m.District.code).scalar_subquery()
        with self._connect() as conn:
            base = self._conditions(conn, filt, now=now, with_status=False, with_overdue=False,
                                    counting=True)
            by_status: dict[str, int] = {}
            for status, n in conn.execute(
                    sa.select(t.status, sa.func.count()).where(*base)
                    .group_by(t.district_code, t.status)):
                by_status[status] = by_status.get(status, 0) + n
            overdue = conn.execute(
                sa.select(sa.func.count()).select_from(REQUESTS)
                .where(t.district_code.in_(districts), *base, self._overdue(conn, now))
            ).scalar_one()
        return Counts({s.value: by_status.get(s.value, 0) for s in Status}, overdue)
