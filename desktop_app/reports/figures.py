"""The figures of the managers' summary report, computed by SQL aggregates.

What is counted is the seed's table (shared/seed/README.md, DESIGN.md):

* **received** — requests whose ``received_at`` lies inside the period.  Periods are
  whole days in Asia/Tehran time (:class:`sync.dates.Period` turns them into a
  half-open UTC interval), so a call at 00:10 on 1 Farvardin belongs to the new year
  although UTC still says 20 March.
* **done / not actionable / in progress** — the *current* status of those requests,
  bucketed by :data:`sync.workflow.BUCKETS` (every open status is "in progress").
  That is how the seed counts: of the calls received in the six months, how many are
  done, not actionable, still being worked on *now*.
* **share done** — done / received.
* **time to close** — hours from ``received_at`` to ``closed_at`` over the requests
  received in the period that are closed now; the median, and the 90th percentile
  by nearest rank (the smallest time that at least 90 % of closings meet).
* **overdue** — of the in-progress ones, those whose ``received_at`` plus their
  category's ``target_days`` lies before the report time.  Report time, not the end
  of the period: the buckets are current statuses, so "overdue" is measured on the
  same clock — a request of last spring still open today is overdue today even if
  it was not yet overdue when spring ended, and that is the work a manager must chase.
* **reasons** — not-actionable requests by outcome reason.

Every figure comes from two aggregate queries over the period's slice of
``ix_requests_report`` — an index of ``received_at`` followed by every column a
report reads, so the wide request rows are never visited: one pass counts and
builds a histogram of times to close, the other picks the percentiles out of it
with window functions (SQLite has no percentile aggregate, see :func:`_close_times`).  Python
only folds aggregated rows (a few per group) and merges in the groups that had no
requests, so that a quiet neighbourhood shows zeros instead of vanishing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop_app.reports.groupings import GROUPING, GROUPINGS
from desktop_app.store import models as m
from sync.dates import JALALI_MONTHS_FA, Period, format_jalali_long, jalali, utcnow
from sync.schema import UTCDateTime
from sync.text import to_persian_digits
from sync.workflow import BUCKETS, CLOSED_STATUSES, OPEN_STATUSES, Bucket, Status

#: The grouping of a trend report: one row per Jalali month.
MONTH = "month"

GROUPING_LABELS_FA: Mapping[str, str] = {
    **{code: g.label_fa for code, g in GROUPING.items()}, MONTH: "ماه",
}

#: The name of not-actionable requests that carry no reason code (old archives).
NO_REASON_FA = "بدون دلیل ثبت‌شده"

_R = m.ServiceRequest.__table__
_D = m.District.__table__
_C = m.Category.__table__
_OPEN = sorted(OPEN_STATUSES)
_CLOSED = sorted(CLOSED_STATUSES)


class ReportError(ValueError):
    """A report asked for something that cannot be reported; the text says what to fix."""


# ------------------------------------------------------------------------- DTOs


@dataclass(frozen=True)
class SummaryRow:
    """The figures of one group (or of the whole report, for the totals row)."""

    #: The CSV ``group``: region number, district / neighbourhood / category /
    #: channel code, crew id, or ``YYYY-MM`` (Jalali) for a month; ``""`` for the
    #: requests that have no neighbourhood or no crew.
    group: str
    name: str
    received: int = 0
    done: int = 0
    not_actionable: int = 0
    in_progress: int = 0
    overdue: int = 0
    median_hours_to_close: float | None = None
    p90_hours_to_close: float | None = None
    #: Not-actionable requests by reason code (``""``: no reason recorded).
    reasons: Mapping[str, int] = field(default_factory=dict)

    @property
    def share_done(self) -> float | None:
        """Done / received; ``None`` for a group that received nothing."""
        return self.done / self.received if self.received else None


@dataclass(frozen=True)
class ReasonCount:
    code: str
    name: str
    count: int


@dataclass(frozen=True)
class SummaryReport:
    period: Period
    #: One of :data:`GROUPINGS`, or :data:`MONTH` for a trend.
    grouping: str
    #: Whose requests: "all regions", or the districts of the office.
    scope_label: str
    #: Every group of the scope, those without requests included, in display order.
    rows: tuple[SummaryRow, ...]
    totals: SummaryRow
    #: Not-actionable requests by reason over the whole report: every reason of the
    #: reference data (zeros included), largest first.
    reasons: tuple[ReasonCount, ...]
    #: The instant (UTC) the current statuses and "overdue" were read at.
    generated_at: dt.datetime

    @property
    def grouping_label(self) -> str:
        return GROUPING_LABELS_FA[self.grouping]

    @property
    def period_label(self) -> str:
        return period_label(self.period)


@dataclass(frozen=True)
class NeighbourhoodCalls:
    """One line of "who calls least"."""

    #: Competition rank, 1 = fewest requests; equal counts share a rank.
    rank: int
    code: str
    name: str
    district_code: str
    district_name: str
    region_number: int
    received: int


# ------------------------------------------------------------------ labels


_SEASONS_FA = ("بهار", "تابستان", "پاییز", "زمستان")


def period_label(period: Period) -> str:
    """How a manager names the period: «فروردین ۱۴۰۵», «بهار ۱۴۰۵», «نیمهٔ نخست ۱۴۰۵»,
    «سال ۱۴۰۵», «فروردین تا خرداد ۱۴۰۵», else the two days «۱ فروردین ۱۴۰۵ تا …»."""
    first, last = jalali(period.first), jalali(period.last)
    whole_months = (
        first.year == last.year
        and first.day == 1
        and period == Period.jalali_months(first.year, first.month, last.month)
    )
    if not whole_months:
        return f"{format_jalali_long(period.first)} تا {format_jalali_long(period.last)}"
    year = to_persian_digits(first.year)
    count = last.month - first.month + 1
    if count == 12:
        return f"سال {year}"
    if count == 6 and first.month in (1, 7):
        return f"نیمهٔ {'نخست' if first.month == 1 else 'دوم'} سال {year}"
    if count == 3 and first.month % 3 == 1:
        return f"{_SEASONS_FA[first.month // 3]} {year}"
    if count == 1:
        return f"{JALALI_MONTHS_FA[first.month - 1]} {year}"
    return f"{JALALI_MONTHS_FA[first.month - 1]} تا {JALALI_MONTHS_FA[last.month - 1]} {year}"


def period_range_label(period: Period) -> str:
    """«از ۱ فروردین ۱۴۰۵ تا ۳۱ شهریور ۱۴۰۵» — the exact days, both inclusive."""
    return f"از {format_jalali_long(period.first)} تا {format_jalali_long(period.last)}"


def scope_label(session: Session, districts: Collection[str] | None) -> str:
    """Whose requests a report covers: every district, or the named ones."""
    if districts is None:
        return "همهٔ مناطق"
    names = dict(session.execute(sa.select(_D.c.code, _D.c.name_fa)).all())
    unknown = sorted(set(districts) - names.keys())
    if unknown:
        raise ReportError(f"unknown district code(s): {', '.join(unknown)} "
                          f"(known: {', '.join(sorted(names))})")
    return "، ".join(names[code] for code in sorted(districts))


# ------------------------------------------------------------------ groupings


@dataclass(frozen=True)
class _Groups:
    """How one grouping maps to SQL and to the rows of the report."""

    name: str
    #: The group key of a request row, as an SQL expression.
    key: sa.ColumnElement[Any]
    #: Every group of the scope as (key as text, CSV group, name), in display order.
    #: Key and group are the same code except for months, keyed by a CASE index.
    members: list[tuple[str, str, str]]
    #: Names of keys that are not members (a crew of another district …).
    other_names: Mapping[str, str] = field(default_factory=dict)


def _as_key(value: object) -> str:
    return "" if value is None else str(value)


def _members(session: Session, stmt: sa.Select[Any]) -> list[tuple[str, str, str]]:
    return [(_as_key(code), _as_key(code), name) for code, name in session.execute(stmt)]


def _groups(session: Session, by: str, scope: Collection[str] | None) -> _Groups:
    """The key expression and the member list of grouping ``by`` for the scope."""

    def in_scope(column: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
        return sa.true() if scope is None else column.in_(sorted(scope))

    grouping = GROUPING.get(by)
    if grouping is None:
        raise ReportError(f"unknown grouping {by!r}: use one of {', '.join(GROUPINGS)}")
    others = {} if grouping.other_names is None else {
        _as_key(k): name for k, name in session.execute(grouping.other_names())}
    return _Groups(by, grouping.key(), _members(session, grouping.members(in_scope)), others)


def _month_groups(period: Period) -> _Groups:
    """One group per Jalali month of ``period``.  The key is a CASE over the month
    boundaries (UTC instants), so the month of a request is decided in Tehran time
    by the same comparison as the period itself."""
    months = period.months()
    key: sa.ColumnElement[Any] = sa.literal(0)
    if len(months) > 1:
        key = sa.case(*((_R.c.received_at < month.end, i) for i, month in enumerate(months[:-1])),
                      else_=len(months) - 1)
    members = []
    for i, month in enumerate(months):
        j = jalali(month.first)
        name = f"{JALALI_MONTHS_FA[j.month - 1]} {to_persian_digits(j.year)}"
        members.append((str(i), j.strftime("%Y-%m"), name))
    return _Groups(MONTH, key, members)


# ------------------------------------------------------------------ queries


def _where(period: Period, scope: Collection[str] | None) -> list[sa.ColumnElement[bool]]:
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


def _source(key: sa.ColumnElement[Any]) -> sa.FromClause:
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
        return sa.null()
    return sa.case(
        {code: sa.literal(as_of - dt.timedelta(days=days), UTCDateTime()) for code, days in targets},
        value=_R.c.category_code,
    )


def outcome_counts_query(session: Session, period: Period, key: sa.ColumnElement[Any],
                         scope: Collection[str] | None, as_of: dt.datetime) -> sa.Select[Any]:
    """One pass over the period: requests by (group, status, reason, bucket of time to
    close), with how many of them are overdue.

    The counts and the histogram of times to close (the first pass of
    :func:`_close_times`) come from the same rows, so one scan of the period's slice
    of the report index answers both.  Grouping by status rather than summing per
    bucket keeps the status → bucket rule in one place (:data:`sync.workflow.BUCKETS`).
    ``bucket`` is NULL for requests that are not closed."""
    overdue = sa.case(
        (sa.and_(_R.c.status.in_(_OPEN), _R.c.received_at < _overdue_cutoff(session, as_of)), 1),
        else_=0,
    )
    reason = sa.case((_R.c.status == Status.NOT_ACTIONABLE.value, _R.c.outcome_reason))
    bucket = sa.case(
        (sa.and_(_R.c.status.in_(_CLOSED), _R.c.closed_at.is_not(None)),
         sa.cast(_days_to_close() * BUCKETS_PER_DAY, sa.Integer)),
    )
    return (
        sa.select(key.label("k"), _R.c.status, reason.label("reason"), bucket.label("bucket"),
                  sa.func.count().label("n"), sa.func.sum(overdue).label("overdue"))
        .select_from(_source(key))
        .where(*_where(period, scope))
        .group_by(key, _R.c.status, reason, bucket)
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
        .select_from(_source(key))
        # ``status || ''``: as in :func:`_where` — the desk's status index would
        # otherwise be taken for the closed statuses of every year, not the period.
        .where(*_where(period, scope), (_R.c.status + sa.literal("")).in_(_CLOSED),
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


_Times = tuple[float | None, float | None]
_NO_TIMES: _Times = (None, None)


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


def _close_times(session: Session, period: Period, key: sa.ColumnElement[Any],
                 scope: Collection[str] | None,
                 histograms: Mapping[str, Mapping[int, int]]) -> tuple[dict[str, _Times], _Times]:
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
        return {}, _NO_TIMES
    sought = {k: _locate(histogram) for k, histogram in histograms.items()}
    sought_overall = _locate(overall)
    buckets = {b for places in [*sought.values(), sought_overall] for b, _ in places}
    group_ranks = {rank for places in sought.values() for _, rank in places}
    found: dict[tuple[str, int, int], float] = {}
    found_overall: dict[tuple[int, int], float] = {}
    for k, bucket, days, in_group, in_bucket in session.execute(close_times_pick_query(
            period, key, scope, buckets, group_ranks, {rank for _, rank in sought_overall})):
        found[(_as_key(k), bucket, in_group)] = days
        found_overall[(bucket, in_bucket)] = days

    def hours(lower: float, upper: float, p90: float) -> _Times:
        return (lower + upper) / 2 * 24, p90 * 24

    by_group = {k: hours(*(found[(k, *place)] for place in places))
                for k, places in sought.items()}
    return by_group, hours(*(found_overall[place] for place in sought_overall))


def _reason_names(session: Session) -> dict[str, str]:
    reasons = m.Reason.__table__
    return dict(session.execute(sa.select(reasons.c.code, reasons.c.name_fa)
                                .order_by(reasons.c.code)).all())


@dataclass
class _Tally:
    received: int = 0
    done: int = 0
    not_actionable: int = 0
    in_progress: int = 0
    overdue: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def add(self, status: str, reason: str | None, count: int, overdue: int) -> None:
        self.received += count
        self.overdue += overdue
        bucket = BUCKETS[Status(status)]
        if bucket is Bucket.DONE:
            self.done += count
        elif bucket is Bucket.NOT_ACTIONABLE:
            self.not_actionable += count
            self.reasons[reason or ""] = self.reasons.get(reason or "", 0) + count
        else:
            self.in_progress += count

    def row(self, group: str, name: str, times: _Times) -> SummaryRow:
        return SummaryRow(group, name, self.received, self.done, self.not_actionable,
                          self.in_progress, self.overdue, times[0], times[1], dict(self.reasons))


def _report(session: Session, period: Period, groups: _Groups, scope: Collection[str] | None,
            as_of: dt.datetime | None) -> SummaryReport:
    as_of = as_of or utcnow()
    label = scope_label(session, scope)
    tallies: dict[str, _Tally] = {}
    total = _Tally()
    histograms: dict[str, dict[int, int]] = {}
    for key, status, reason, bucket, count, overdue in session.execute(
        outcome_counts_query(session, period, groups.key, scope, as_of)
    ):
        tallies.setdefault(_as_key(key), _Tally()).add(status, reason, count, overdue)
        total.add(status, reason, count, overdue)
        if bucket is not None:
            histogram = histograms.setdefault(_as_key(key), {})
            histogram[bucket] = histogram.get(bucket, 0) + count
    times, total_times = _close_times(session, period, groups.key, scope, histograms)

    rows = [tallies.get(key, _Tally()).row(group, name, times.get(key, _NO_TIMES))
            for key, group, name in groups.members]
    # Requests whose key is not a member: no neighbourhood, no crew, a crew of
    # another district.  They are counted, so they are shown.
    for key in sorted(tallies.keys() - {key for key, _, _ in groups.members}):
        if key == "":
            name = GROUPING[groups.name].unset_fa if groups.name in GROUPING else "—"
        else:
            name = groups.other_names.get(key, key)
        rows.append(tallies[key].row(key, name, times.get(key, _NO_TIMES)))

    totals = total.row("", "جمع", total_times)

    names = _reason_names(session)
    reasons = [ReasonCount(code, name, total.reasons.get(code, 0)) for code, name in names.items()]
    reasons += [ReasonCount(code, NO_REASON_FA if code == "" else code, count)
                for code, count in total.reasons.items() if code not in names]
    reasons.sort(key=lambda r: -r.count)
    return SummaryReport(period, groups.name, label, tuple(rows), totals, tuple(reasons), as_of)


# ------------------------------------------------------------------ public API


def compute_summary(session: Session, period: Period, by: str, *,
                    districts: Collection[str] | None = None,
                    as_of: dt.datetime | None = None) -> SummaryReport:
    """The summary of requests received in ``period``, one row per group of ``by``.

    ``districts`` limits the report to those districts (``None``: every district in
    the database); ``as_of`` is the report time (default now) — pass it to make a
    report reproducible."""
    return _report(session, period, _groups(session, by, districts), districts, as_of)


def monthly_figures(session: Session, period: Period, *,
                    districts: Collection[str] | None = None,
                    as_of: dt.datetime | None = None) -> SummaryReport:
    """The same figures month by month over ``period`` (each Jalali month it
    touches, clipped to it): a report grouped by :data:`MONTH`."""
    return _report(session, period, _month_groups(period), districts, as_of)


def monthly_trend(session: Session, jalali_year: int, *,
                  districts: Collection[str] | None = None,
                  as_of: dt.datetime | None = None) -> SummaryReport:
    """The twelve months of a Jalali year, Farvardin to Esfand."""
    return monthly_figures(session, Period.jalali_year(jalali_year), districts=districts,
                           as_of=as_of)


def least_calling(session: Session, period: Period, limit: int | None = None, *,
                  districts: Collection[str] | None = None) -> list[NeighbourhoodCalls]:
    """Neighbourhoods ranked by requests received in ``period``, fewest first —
    those with none included (they are the first to aim outreach at)."""
    n = m.Neighbourhood.__table__
    counts = dict(session.execute(
        sa.select(_R.c.neighbourhood_code, sa.func.count())
        .where(*_where(period, districts), _R.c.neighbourhood_code.is_not(None))
        .group_by(_R.c.neighbourhood_code)
    ).all())
    stmt = (sa.select(n.c.code, n.c.name_fa, _D.c.code, _D.c.name_fa, _D.c.region_number)
            .join(_D, n.c.district_code == _D.c.code))
    if districts is not None:
        stmt = stmt.where(n.c.district_code.in_(sorted(districts)))
    places = sorted(session.execute(stmt), key=lambda p: (counts.get(p[0], 0), p[2], p[0]))
    ranked: list[NeighbourhoodCalls] = []
    for position, (code, name, district, district_name, region) in enumerate(places, 1):
        received = counts.get(code, 0)
        rank = ranked[-1].rank if ranked and ranked[-1].received == received else position
        ranked.append(NeighbourhoodCalls(rank, code, name, district, district_name, region,
                                         received))
    return ranked[:limit] if limit is not None else ranked

