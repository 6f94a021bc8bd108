"""The SQL of the summary report's figures: one counting pass and a percentile pick.

Every figure comes from two aggregate queries over the period's slice of
``ix_requests_report`` — an index of ``received_at`` followed by every column a
report reads, so the wide request rows are never visited: one pass counts and builds
a histogram of times to close (:func:`outcome_counts_query`), the other picks the
percentiles out of it with window functions (SQLite has no percentile aggregate, see
:func:`close_times`).  :mod:`desktop_app.reports.figures` folds the rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop_app.store import models as m
from sync.dates import Period
from sync.schema import UTCDateTime
from sync.workflow import CLOSED_STATUSES, OPEN_STATUSES, EventKind, Status

_R = m.ServiceRequest.__table__
_E = m.Event.__table__
_D = m.District.__table__
_C = m.Category.__table__
_OPEN = sorted(OPEN_STATUSES)
_CLOSED = sorted(CLOSED_STATUSES)


def as_key(value: object) -> str:
    """A group key as text (``""`` for requests without a value)."""
    return "" if value is None else str(value)


def in_period(period: Period, scope: Collection[str] | None) -> list[sa.ColumnElement[bool]]:
    """Received in the period (and in the scope).  On SQLite the instants are text
    in one fixed form (``UTCDateTime``: ``YYYY-MM-DD HH:MM:SS.ffffff``, UTC) and the
    bounds are bound through the same type, so the text comparison is exact and is
    answered by the ``received_at`` index."""
    conditions = [_R.c.received_at >= period.start, _R.c.received_at < period.end]
    if scope is not None:
        # ``district_code || ''``: the same test, but one the planner cannot answer
        # from the (district, status) index — given the choice, SQLite took that
        # index and scanned a whole district's years (6 s on a million requests)
        # instead of the period's slice of ``received_at``.
        conditions.append((_R.c.district_code + sa.literal("")).in_(sorted(scope)))
    return conditions


def source_of(key: sa.ColumnElement[Any]) -> sa.FromClause:
    """``requests``, joined to ``districts`` when the key is the region (a
    primary-key lookup in a table of a few rows, while ``requests`` is read through
    its ``received_at`` index)."""
    if key is _D.c.region_number:
        return _R.join(_D, _R.c.district_code == _D.c.code)
    return _R


#: Histogram buckets of time to close per day: six-hour buckets.  Any width gives
#: exact percentiles; this one keeps both passes small for times from hours to weeks.
BUCKETS_PER_DAY = 4


def _days_to_close() -> sa.ColumnElement[Any]:
    return sa.func.julianday(_R.c.closed_at) - sa.func.julianday(_R.c.received_at)


def _overdue_cutoff(session: Session, as_of: dt.datetime) -> sa.ColumnElement[Any]:
    """The instant before which a request of its category is overdue at ``as_of``:
    ``as_of`` minus the category's target days, one literal per category.

    Comparing ``received_at`` with it is a text comparison of two ``UTCDateTime``
    values — the same test as "received plus target days lies before the report
    time", without date arithmetic on every open request of the period."""
    targets = session.execute(sa.select(_C.c.code, _C.c.target_days)).all()
    if not targets:
        # No category, so no target: a typed NULL, with which ``<`` is simply not true.
        return sa.literal(None, UTCDateTime())
    return sa.case(
        {code: sa.literal(as_of - dt.timedelta(days=days), UTCDateTime()) for code, days in targets},
        value=_R.c.category_code,
    )


#: A score that counts as satisfied (the citizen's answer to the closing SMS, 1-5).
SATISFIED_FROM = 4

#: Bit fields of :func:`events_of_request`'s number, lowest first: the request's
#: closing SMS, its answers, its answers of ``SATISFIED_FROM`` or more, its repeat
#: calls, and the sum of the scores.
_FIELD = 12
SENT, ANSWERS, SATISFIED_ANSWERS, REPEATS, SCORE_SUM = (i * _FIELD for i in range(5))


def events_of_request() -> sa.ColumnElement[int]:
    """What the summary counts of one request's events, packed in one integer (0
    for a request without any): its repeat calls (a caller who rang again), how
    many closing SMS went to the citizen, how many ``satisfaction`` answers came
    back, how many of them scored ``SATISFIED_FROM`` or more, and the sum of their
    scores (each answer counts in the mean), in bit fields of one ``sum``.

    A correlated subquery of the counting pass (:func:`outcome_counts_query`): each
    request of the period looks its few such events up in the partial index
    ``ix_events_summary`` (:data:`desktop_app.store.models.SUMMARY_EVENTS`, which
    holds the repeat calls, the closing SMS and the answers — not the other two SMS
    of every request), so the cost follows the period's requests, and they are read
    once for every figure.  Before, two more queries joined ``events`` to
    ``requests``: the satisfaction one started from every SMS ever sent (3.1-4.3 s
    CPU for a year of a million-request office with its SMS history), the repeat
    calls one from every repeat call ever made."""
    e = _E.alias("event")
    score = sa.cast(sa.func.json_extract(e.c.data, "$.score"), sa.Integer)
    one = sa.case(
        (e.c.kind == EventKind.SMS_SENT.value, 1 << SENT),
        (e.c.kind == EventKind.REPEAT_CALL.value, 1 << REPEATS),
        else_=(1 << ANSWERS) + sa.case((score >= SATISFIED_FROM, 1 << SATISFIED_ANSWERS),
                                       else_=0) + score * (1 << SCORE_SUM),
    )
    # The index's own condition, word for word: SQLite uses a partial index only
    # for a query whose WHERE holds its condition as written.
    counted = (sa.select(sa.func.sum(one)).select_from(e)
               .where(e.c.request_id == _R.c.id, sa.text(f"({m.SUMMARY_EVENTS})"))
               .scalar_subquery())
    return sa.func.coalesce(counted, 0)


def _field(packed: sa.ColumnElement[int], offset: int) -> sa.ColumnElement[int]:
    """One bit field of :func:`events_of_request`'s number (``SCORE_SUM``: the rest)."""
    shifted = packed.op(">>")(offset) if offset else packed
    return shifted if offset == SCORE_SUM else shifted.op("&")((1 << _FIELD) - 1)


def outcome_counts_query(session: Session, period: Period, key: sa.ColumnElement[Any],
                         scope: Collection[str] | None, as_of: dt.datetime) -> sa.Select[Any]:
    """One pass over the period: requests by (group, status, reason, bucket of time to
    close), with how many of them are overdue, their repeat calls and their
    satisfaction (:func:`events_of_request`): ``repeats``, then ``asked``,
    ``answered``, ``satisfied`` (requests: one however many messages it has),
    ``score_sum`` and ``scores`` (answers: each counts in the mean).

    The counts and the histogram of times to close (the first pass of
    :func:`close_times`) come from the same rows, so one scan of the period's slice
    of the report index answers both.  Grouping by status rather than summing per
    bucket keeps the status → bucket rule in one place (:data:`sync.workflow.BUCKETS`).
    ``bucket`` is NULL for requests that are not closed.

    The requests are read in a subquery that ``LIMIT -1`` keeps SQLite from
    flattening into the aggregate: flattened, the events' correlated subquery would
    be copied into each sum that reads one of its fields, and run that many times a
    request.  So the events are looked up once a request and summed rather than
    being a term of the ``GROUP BY``: grouping by the packed number too sorted every
    request on five terms and returned 11,515 rows for a year by region instead of
    2,978 (0.62 → 0.52 s CPU for that statement on a million-request office)."""
    overdue = sa.case(
        (sa.and_(_R.c.status.in_(_OPEN), _R.c.received_at < _overdue_cutoff(session, as_of)), 1),
        else_=0,
    )
    reason = sa.case((_R.c.status == Status.NOT_ACTIONABLE.value, _R.c.outcome_reason))
    bucket = sa.case(
        (sa.and_(_R.c.status.in_(_CLOSED), _R.c.closed_at.is_not(None)),
         sa.cast(_days_to_close() * BUCKETS_PER_DAY, sa.Integer)),
    )
    rows = (
        sa.select(key.label("k"), _R.c.status.label("status"), reason.label("reason"),
                  bucket.label("bucket"), overdue.label("overdue"),
                  events_of_request().label("events"))
        .select_from(source_of(key))
        .where(*in_period(period, scope))
        .limit(-1)
        .subquery()
    )
    packed = rows.c.events

    def requests_with(offset: int) -> sa.ColumnElement[Any]:
        return sa.func.sum(sa.case((_field(packed, offset) > 0, 1), else_=0))

    return (
        sa.select(rows.c.k, rows.c.status, rows.c.reason, rows.c.bucket,
                  sa.func.count().label("n"), sa.func.sum(rows.c.overdue).label("overdue"),
                  sa.func.sum(_field(packed, REPEATS)).label("repeats"),
                  requests_with(SENT).label("asked"), requests_with(ANSWERS).label("answered"),
                  requests_with(SATISFIED_ANSWERS).label("satisfied"),
                  sa.func.sum(_field(packed, SCORE_SUM)).label("score_sum"),
                  sa.func.sum(_field(packed, ANSWERS)).label("scores"))
        .group_by(rows.c.k, rows.c.status, rows.c.reason, rows.c.bucket)
    )


def _ranks(count: int) -> tuple[int, int, int]:
    """1-based ranks, among ``count`` sorted times, of the lower and upper middle
    values (the median is their mean; one value twice when the count is odd) and of
    the 90th percentile (nearest rank, ceil(0.9 n): a time that really happened)."""
    return (count + 1) // 2, (count + 2) // 2, (9 * count + 9) // 10


def close_times_pick_query(period: Period, key: sa.ColumnElement[Any],
                           scope: Collection[str] | None, buckets: Collection[int],
                           group_ranks: Collection[int],
                           overall_ranks: Collection[int]) -> sa.Select[Any]:
    """Second pass: the closed requests of ``buckets`` numbered by time to close
    within (group, bucket) and within the bucket, keeping those whose number is one
    of the ranks sought (a few rows per group)."""
    days = _days_to_close()
    closed = (
        sa.select(key.label("k"), days.label("days"),
                  sa.cast(days * BUCKETS_PER_DAY, sa.Integer).label("bucket"))
        .select_from(source_of(key))
        # ``status || ''``: as in :func:`in_period` — the desk's status index would
        # otherwise be taken for the closed statuses of every year, not the period.
        .where(*in_period(period, scope), (_R.c.status + sa.literal("")).in_(_CLOSED),
               _R.c.closed_at.is_not(None))
        .subquery()
    )
    ranked = (
        sa.select(closed.c.k, closed.c.bucket, closed.c.days,
                  sa.func.row_number().over(partition_by=(closed.c.k, closed.c.bucket),
                                            order_by=closed.c.days).label("in_group"),
                  sa.func.row_number().over(partition_by=closed.c.bucket,
                                            order_by=closed.c.days).label("overall"))
        .where(closed.c.bucket.in_(sorted(buckets)))
        .subquery()
    )
    return sa.select(ranked).where(sa.or_(ranked.c.in_group.in_(sorted(group_ranks)),
                                          ranked.c.overall.in_(sorted(overall_ranks))))


Times = tuple[float | None, float | None]
NO_TIMES: Times = (None, None)


def _locate(histogram: Mapping[int, int]) -> list[tuple[int, int]]:
    """Where the sought ranks fall: (bucket, rank within the bucket) for each of
    :func:`_ranks`, walking the buckets in order of time."""
    places = []
    for rank in _ranks(sum(histogram.values())):
        before = 0
        for bucket in sorted(histogram):
            if before + histogram[bucket] >= rank:
                places.append((bucket, rank - before))
                break
            before += histogram[bucket]
    return places


def close_times(session: Session, period: Period, key: sa.ColumnElement[Any],
                 scope: Collection[str] | None,
                 histograms: Mapping[str, Mapping[int, int]]) -> tuple[dict[str, Times], Times]:
    """Median and 90th percentile of hours to close, by group key and overall.

    SQLite has no percentile aggregate, and numbering every closed request of a
    year in two windows (by group, and overall) took 1.2 s of the 1.5 s a year's
    report cost on a million-request office.  So the percentiles are found in two
    passes, exactly: ``histograms`` — the times by (group, six-hour bucket), from
    the counting pass (:func:`outcome_counts_query`) — say in which bucket, and at
    which place in it, each sought rank lies; then only the requests of those few
    buckets are numbered (``row_number``), and the ones at the sought places are
    returned.  The report's overall figures come from the same histograms, summed
    over the groups, and the same second pass."""
    overall: dict[int, int] = {}
    for histogram in histograms.values():
        for bucket, count in histogram.items():
            overall[bucket] = overall.get(bucket, 0) + count
    if not overall:
        return {}, NO_TIMES
    sought = {k: _locate(histogram) for k, histogram in histograms.items()}
    sought_overall = _locate(overall)
    buckets = {b for places in [*sought.values(), sought_overall] for b, _ in places}
    group_ranks = {rank for places in sought.values() for _, rank in places}
    found: dict[tuple[str, int, int], float] = {}
    found_overall: dict[tuple[int, int], float] = {}
    for k, bucket, days, in_group, in_bucket in session.execute(close_times_pick_query(
            period, key, scope, buckets, group_ranks, {rank for _, rank in sought_overall})):
        found[(as_key(k), bucket, in_group)] = days
        found_overall[(bucket, in_bucket)] = days

    def hours(lower: float, upper: float, p90: float) -> Times:
        return (lower + upper) / 2 * 24, p90 * 24

    by_group = {k: hours(*(found[(k, *place)] for place in places))
                for k, places in sought.items()}
    return by_group, hours(*(found_overall[place] for place in sought_overall))
