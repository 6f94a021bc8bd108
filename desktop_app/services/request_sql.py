"""The requests table's filters and sort orders as SQL: which index answers a page
or a count, and how a search is planned, so that every page costs about what the
first one does on a million requests.

A page continues from the last row shown (keyset paging on the sort key,
``received_at`` and ``rowid``, never ``OFFSET``), and only indexed columns sort.
Every filter is a column of the two list indexes: ``ix_requests_report`` (by
``received_at``) is walked newest first until the page is full, and
``ix_requests_by_status`` answers the counts as one seek per status and category,
and the pages of a few chosen statuses or of one category.  The counts without a
search or a period come from the status counters instead (:func:`counters_answer`),
and few late requests from the open requests' deadline index (:func:`few_late`).  SQLite without
statistics (an office never runs ``ANALYZE``) would rather take a narrow index and
read wide rows, so the plan is named (``INDEXED BY``) whenever the index is there —
it may not be while a first sync rebuilds the indexes.  A search is answered by
how many requests a term is in: few hits are looked up and sorted; many are
gathered once and probed for each row the walk reads; very many (a city's name in
every address) are tested on the rows the walk reads anyway, since gathering them
would cost more than the page.  Another sort order walks its own index for at most
:data:`WALK_BUDGET` rows, then answers a rarer filter from the covering index.
:mod:`desktop_app.services.request_queries` runs these statements.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from desktop_app.services.request_list import Cursor, RequestFilter, Sort
from desktop_app.store import models as m
from desktop_app.store.fts import FTS_TABLE, MIN_TRIGRAM, built_to, match_expression, phrases
from desktop_app.store.status_counts import counts_ready
from sync.dates import day_start
from sync.schema import OPEN_STATUS_SQL, UTCDateTime
from sync.text import search_key
from sync.workflow import OPEN_STATUSES, Status

REQUESTS = m.ServiceRequest.__table__
ROWID = sa.literal_column("requests.rowid", sa.Integer)

#: Keys that are unique by themselves need no tie-breaker.
_UNIQUE_KEYS = frozenset({"tracking_code"})

#: Longest description kept per row: the table shows one line of it.
_DESCRIPTION_CHARS = 300

_OPEN = sorted(s.value for s in OPEN_STATUSES)

#: The desk's status index (models.LIST_INDEXES) and the reports' index by time,
#: which holds every column the desk filters by (models.REPORT_INDEXES).
BY_STATUS = "ix_requests_by_status"
BY_TIME = "ix_requests_report"
#: The open requests by deadline (``sync.schema``): the late ones are a range of it.
OPEN_DUE = "ix_requests_open_due"
#: A search part with fewer hits than this is answered by looking its hits up;
#: with more, the walk probes each row among the hits.
SMALL_HITS = 2_000
#: A search part in at least this share of the requests is tested row by row as the
#: walk reads them: a page then needs a few thousand rows read, where gathering the
#: hits means every request — and more for a phrase of common trigrams
#: («امیرکبیر کوچه ۱»), which FTS5 checks position by position.
ROW_TEST_SHARE = 0.01
#: Rows of a sort key's index walked before a rarer filter is answered otherwise.
WALK_BUDGET = 10_000
#: Chosen statuses holding fewer requests than this are read whole from the status
#: index and sorted, rather than found by a walk (one request in fifty on a million).
FEW_CANDIDATES = 20_000


def row_columns() -> list[sa.ColumnElement[Any]]:
    """The columns of a :class:`~desktop_app.services.request_list.RequestRow`."""
    t = REQUESTS.c
    return [
        ROWID.label("rowid"), t.id, t.tracking_code, t.received_at, t.status, t.channel,
        t.district_code, t.neighbourhood_code, t.category_code,
        sa.func.substr(t.description, 1, _DESCRIPTION_CHARS).label("description"),
        t.citizen_name, t.citizen_phone, t.address, t.crew_id, t.due_at,
    ]


def _listed(rowids: Sequence[int]) -> sa.Select[Any]:
    """Any number of rowids as one JSON parameter, not one parameter each (SQLite
    limits those)."""
    return sa.select(sa.column("value", sa.Integer)).select_from(
        sa.func.json_each(sa.literal(json.dumps(list(rowids)))))


def rowid_in(rowids: Sequence[int]) -> sa.ColumnElement[bool]:
    """``rowid IN (…)`` for any number of rowids."""
    return ROWID.in_(_listed(rowids))


def probe(rowids: Sequence[int] | sa.Select[Any] | sa.TextClause) -> sa.ColumnElement[bool]:
    """``+rowid IN (…)``: a test of each row the walk reads, never the plan's driver
    (the unary ``+`` keeps SQLite from looking the rows up by these rowids)."""
    listed = _listed(rowids) if isinstance(rowids, Sequence) else rowids
    return sa.literal_column("+requests.rowid", sa.Integer).in_(listed)


@dataclass(frozen=True)
class SearchPlan:
    """How a search is answered (see the module docstring): either exactly these
    ``rowids`` (few hits), or a ``test`` of each row the walk reads."""

    rowids: list[int] | None = None
    test: sa.ColumnElement[bool] | None = None


def target_days(conn: sa.Connection) -> dict[str, int]:
    """Each category's target days, by code."""
    # Thirteen rows: read each time, so a reference update from sync is seen.
    return {code: days for code, days in conn.execute(sa.select(m.Category.code, m.Category.target_days))}


def list_indexes(conn: sa.Connection) -> set[str]:
    """The list indexes there now (a first sync may have dropped them a while)."""
    return set(conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'requests' "
        "AND name IN (?, ?)", (BY_STATUS, BY_TIME)).scalars())


def hinted(stmt: sa.Select[Any], hint: str | None) -> sa.Select[Any]:
    """``stmt`` with SQLite's ``INDEXED BY``/``NOT INDEXED`` hint, if any."""
    return stmt.with_hint(REQUESTS, hint, dialect_name="sqlite") if hint else stmt


def filter_tests(filt: RequestFilter, days: dict[str, int], *, now: dt.datetime,
                 with_status: bool = True, with_overdue: bool = True) -> list[sa.ColumnElement[bool]]:
    """The filter's tests, each on a column both list indexes hold (the search
    is planned apart: :func:`plan_search`)."""
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
        out.append(overdue_test(days, now))
    return out


def overdue_test(days: dict[str, int], now: dt.datetime) -> sa.ColumnElement[bool]:
    """Open and past its deadline (``due_at``: set at referral — by the centre, or
    its category's target days from then — and at a walk-in's registration).  A
    request not yet referred has no deadline and is not late.  Both list indexes
    hold ``due_at`` (migration 7c2d9a4b1e60), so the test reads no request row.
    ``days`` is kept for the callers that plan with the categories."""
    del days
    t = REQUESTS.c
    return sa.and_(t.status.in_(_OPEN), t.due_at.is_not(None), t.due_at < now)


def plan_search(conn: sa.Connection, text: str, *, counting: bool = False) -> SearchPlan | None:
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
        return SearchPlan(rowids=[])  # only one-letter words: nothing could be found fast
    if match is not None and built_to(conn) is not None:
        # The search index is set aside by a bulk write (a first sync) or being made
        # again: it lacks rows, so every row is tested — exactly what it would find.
        return SearchPlan(test=sa.or_(*(row_test for _hits, row_test in parts)))
    found: list[list[int]] = []
    for i, (hits, _row_test) in enumerate(parts):
        sub = hits.subquery()
        first = sa.select(sub.c.rowid).limit(SMALL_HITS)
        if i == 0 and match is not None:
            first = first.order_by(sub.c.rowid)  # the trigram index's own order
        found.append(list(conn.execute(first).scalars()))
    if all(len(rowids) < SMALL_HITS for rowids in found):
        return SearchPlan(rowids=sorted(set().union(*found)))
    # Apart, so that each is one step down the table's b-tree (together they scan).
    lo, hi = conn.execute(sa.select(
        sa.select(sa.func.min(ROWID)).select_from(REQUESTS).scalar_subquery(),
        sa.select(sa.func.max(ROWID)).select_from(REQUESTS).scalar_subquery())).one()
    span = max(1, (hi or 0) - (lo or 0) + 1)
    tests: list[sa.ColumnElement[bool]] = []
    for (hits, row_test), rowids in zip(parts, found):
        if len(rowids) < SMALL_HITS:
            tests.append(probe(rowids))
        elif counting:
            tests.append(probe(hits))
        elif hits is not parts[0][0] or match is None:
            # A tracking-code prefix: count its run of the index, that far.
            need = max(SMALL_HITS, int(span * ROW_TEST_SHARE))
            many = conn.execute(sa.select(sa.func.count()).select_from(
                sa.select(hits.subquery().c.rowid).limit(need).subquery())).scalar_one()
            tests.append(row_test if many >= need else probe(hits))
        else:
            # The first SMALL_HITS hits, in rowid order, reach this far into the
            # table: that tells the share of the requests the term is in, without
            # the cost of counting them all.
            share = SMALL_HITS / max(1, rowids[-1] - (lo or 0) + 1)
            tests.append(row_test if share >= ROW_TEST_SHARE else probe(hits))
    return SearchPlan(test=sa.or_(*tests))


# ----------------------------------------------------------------- pages


def sort_order(sort: Sort, key: sa.ColumnElement[Any] | None = None,
               rowid: sa.ColumnElement[Any] | None = None) -> list[sa.ColumnElement[Any]]:
    """The sort key, then ``rowid`` newest first.  Within a crew, category or
    neighbourhood the newest arrivals come first: ``rowid`` is in every index,
    so ordering a group by it reads only the index, where ordering by
    ``received_at`` reads every row of the group."""
    key = REQUESTS.c[sort.key] if key is None else key
    rowid = ROWID if rowid is None else rowid
    first = key.desc() if sort.descending else key.asc()
    if sort.key in _UNIQUE_KEYS:
        return [first]
    if sort.key == "received_at":
        return [first, rowid.desc() if sort.descending else rowid.asc()]
    return [first, rowid.desc()]


def after_cursor(sort: Sort, cursor: Cursor) -> sa.ColumnElement[bool]:
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


def page_rowids(conn: sa.Connection, filt: RequestFilter, sort: Sort,
                conditions: list[sa.ColumnElement[bool]], search: SearchPlan | None,
                limit: int, after: sa.ColumnElement[bool] | None,
                days: dict[str, int], now: dt.datetime | None = None) -> list[int]:
    """The rowids of a page, in order, by the plan that suits the filter."""
    order = sort_order(sort)
    start = [] if after is None else [after]
    if search is not None and search.rowids is not None:
        # Few hits: look each up (NOT INDEXED: by rowid, whatever the filter).
        if not search.rowids:
            return []
        stmt = sa.select(ROWID).select_from(REQUESTS).where(*start, *conditions,
                                                            rowid_in(search.rowids))
        return list(conn.execute(hinted(stmt, "NOT INDEXED").order_by(*order).limit(limit))
                    .scalars())
    have = list_indexes(conn)
    if search is not None and search.test is not None:
        searched = [*conditions, search.test]  # last: tested after the index's columns
    else:
        searched = conditions
    if filt.overdue and now is not None and few_late(conn, now):
        # Few late requests (a district on top of its work): all of them from the
        # open requests' deadline index, sorted — not a walk of every request by
        # time that finds none.
        stmt = sa.select(ROWID).select_from(REQUESTS).where(
            *start, sa.text(OPEN_STATUS_SQL), REQUESTS.c.due_at < now, *searched)
        return list(conn.execute(hinted(stmt, f"INDEXED BY {OPEN_DUE}").order_by(*order)
                                 .limit(limit)).scalars())
    few = few_candidates(conn, filt, have, conditions)
    conditions = searched
    by_time = f"INDEXED BY {BY_TIME}" if BY_TIME in have else None
    if few:
        # The candidates are a few runs of the status index (chosen statuses,
        # or a chosen category): read them all and sort, in any order.
        every_status = [] if filt.statuses else [REQUESTS.c.status.in_([s.value for s in Status])]
        stmt = sa.select(ROWID).select_from(REQUESTS).where(
            *start, *every_status, *every_category(filt, days), *conditions)
        return list(conn.execute(hinted(stmt, f"INDEXED BY {BY_STATUS}").order_by(*order)
                                 .limit(limit)).scalars())
    if sort.key == "received_at" or not conditions:
        # Newest first: walk the covering index until the page is full.  No
        # filter at all: the sort key's own index, in order.
        hint = by_time if conditions and sort.key == "received_at" else None
        stmt = sa.select(ROWID).select_from(REQUESTS).where(*start, *conditions)
        return list(conn.execute(hinted(stmt, hint).order_by(*order).limit(limit)).scalars())
    # Another sort order: walk its index, testing the filter on each row read
    # (in the select list, so that nothing but the sort key can steer the plan),
    # for at most WALK_BUDGET rows.
    key = REQUESTS.c[sort.key]
    walk = (sa.select(ROWID.label("rid"), key.label("k"), sa.and_(*conditions).label("ok"))
            .select_from(REQUESTS).where(*start).order_by(*order).limit(WALK_BUDGET).subquery())
    found = list(conn.execute(
        sa.select(walk.c.rid).where(walk.c.ok)
        .order_by(*sort_order(sort, walk.c.k, walk.c.rid)).limit(limit)).scalars())
    if len(found) == limit:
        return found
    # Too rare to fill the page early in this order: every candidate from the
    # covering index, sorted (only the sort key of a candidate is read).
    stmt = sa.select(ROWID).select_from(REQUESTS).where(*start, *conditions)
    return list(conn.execute(hinted(stmt, by_time).order_by(*order).limit(limit)).scalars())


def few_late(conn: sa.Connection, now: dt.datetime) -> bool:
    """True when the open requests' deadline index is there and holds fewer than
    :data:`FEW_CANDIDATES` requests late at ``now`` (counted at most that far)."""
    if conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?",
                            (OPEN_DUE,)).first() is None:
        return False
    run = (sa.select(sa.literal(1)).select_from(REQUESTS)
           .where(sa.text(OPEN_STATUS_SQL), REQUESTS.c.due_at < now)
           .with_hint(REQUESTS, f"INDEXED BY {OPEN_DUE}", "sqlite").limit(FEW_CANDIDATES))
    return conn.execute(sa.select(sa.func.count()).select_from(run.subquery())).scalar_one() < FEW_CANDIDATES


def every_category(filt: RequestFilter, days: dict[str, int]) -> list[sa.ColumnElement[bool]]:
    """``category_code IN (every category)`` when a period is chosen and no
    category: a seek per (status, category) of the status index, from which
    the period is one range (SQLite skips no column of an index by itself
    without statistics)."""
    if filt.category or not (filt.first_day or filt.last_day) or not days:
        return []
    return [REQUESTS.c.category_code.in_(sorted(days))]


def few_candidates(conn: sa.Connection, filt: RequestFilter, have: set[str],
                   conditions: list[sa.ColumnElement[bool]]) -> bool:
    """True when the status index holds fewer than :data:`FEW_CANDIDATES`
    requests for the chosen statuses — or, with a category chosen, fewer that
    pass the whole filter in that category (a run of at most one category).  Counted at most that far.  Then reading them all
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


# ---------------------------------------------------------------- counts

#: The status counters (:mod:`desktop_app.store.status_counts`).
COUNTERS = m.RequestCount.__table__


def counters_answer(conn: sa.Connection, filt: RequestFilter) -> bool:
    """Whether the counters can give this filter's counts by status: no search
    and no period (they hold neither text nor time), and kept right now."""
    return not (filt.text and search_key(filt.text)) and not filt.first_day \
        and not filt.last_day and counts_ready(conn)


def counted_by_status(conn: sa.Connection, filt: RequestFilter) -> dict[str, int]:
    """Requests per status under ``filt``'s category, neighbourhood, crew and
    channel, summed from the counters (a few thousand rows at most)."""
    c = COUNTERS.c
    tests: list[sa.ColumnElement[bool]] = []
    if filt.category:
        tests.append(c.category_code == filt.category)
    if filt.neighbourhood:
        tests.append(c.neighbourhood_code == filt.neighbourhood)
    if filt.crew:
        tests.append(c.crew_id == filt.crew.hex)  # SQLite's storage form of a UUID
    if filt.channel:
        tests.append(c.channel == filt.channel)
    return {status: int(n) for status, n in conn.execute(
        sa.select(c.status, sa.func.sum(c.n)).where(*tests).group_by(c.status))}


def overdue_count(conn: sa.Connection, filt: RequestFilter, days: dict[str, int],
                  now: dt.datetime) -> int:
    """How many requests under ``filt`` (its status and overdue choices aside, no
    search, no period) are overdue.  With nothing but a category chosen, or with
    few late requests, a range of the open requests' deadline index up to now: the
    late ones alone.  Otherwise the status index's open runs, as
    :meth:`RequestQueries.counts` reads them."""
    t = REQUESTS.c
    have = set(conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'requests' "
        "AND name IN (?, ?)", (BY_STATUS, OPEN_DUE)).scalars())
    narrow = filt.neighbourhood or filt.crew or filt.channel
    if not narrow or (OPEN_DUE in have and few_late(conn, now)):
        # The late range of the deadline index; a column it lacks is read from the
        # row, for few late requests only.
        tests = [sa.text(OPEN_STATUS_SQL), t.due_at < now]  # the partial index's own words
        tests += filter_tests(filt, days, now=now, with_status=False, with_overdue=False)
        stmt = sa.select(sa.func.count()).select_from(REQUESTS).where(*tests)
        hint = f"INDEXED BY {OPEN_DUE}" if OPEN_DUE in have else None
    else:
        base = filter_tests(filt, days, now=now, with_status=False, with_overdue=False)
        every = [t.category_code.in_(sorted(days))] if days and not filt.category else []
        stmt = sa.select(sa.func.count()).select_from(REQUESTS).where(
            *every, *base, overdue_test(days, now))
        hint = f"INDEXED BY {BY_STATUS}" if BY_STATUS in have else None
    return int(conn.execute(hinted(stmt, hint)).scalar_one())
