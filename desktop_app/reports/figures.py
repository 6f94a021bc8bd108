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
* **repeat calls** — calls attached to one of those requests as a repeat call
  (the caller rang again), counted in the request's group.

Every figure comes from two aggregate queries
(:mod:`desktop_app.reports.summary_queries`: the counting pass, whose requests look
their repeat calls and answers up in a partial index of events, and the pick of the
percentiles); this module only folds their rows (a few per group) and merges in
the groups that had no requests, so that a quiet neighbourhood shows zeros instead
of vanishing.  The values are
:mod:`desktop_app.reports.summary_data`'s, re-exported here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop_app.reports.groupings import GROUPING, GROUPINGS
from desktop_app.reports.summary_data import (
    GROUPING_LABELS_FA, MONTH, NO_REASON_FA, NeighbourhoodCalls, ReasonCount, ReportError,
    Satisfaction, SummaryReport, SummaryRow, period_label, period_range_label,
)
from desktop_app.reports.summary_queries import (
    NO_TIMES, Times, as_key, close_times, in_period, outcome_counts_query,
)
from desktop_app.store import models as m
from sync.dates import JALALI_MONTHS_FA, Period, jalali, utcnow
from sync.text import to_persian_digits
from sync.workflow import BUCKETS, Bucket, Status

__all__ = [
    "GROUPINGS", "GROUPING_LABELS_FA", "MONTH", "NO_REASON_FA", "NeighbourhoodCalls",
    "ReasonCount", "ReportError", "SummaryReport", "SummaryRow", "compute_summary",
    "least_calling", "monthly_figures", "monthly_trend", "period_label", "period_range_label",
    "scope_label",
]

_R = m.ServiceRequest.__table__
_D = m.District.__table__


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


def _members(session: Session, stmt: sa.Select[Any]) -> list[tuple[str, str, str]]:
    return [(as_key(code), as_key(code), name) for code, name in session.execute(stmt)]


def _groups(session: Session, by: str, scope: Collection[str] | None) -> _Groups:
    """The key expression and the member list of grouping ``by`` for the scope."""

    def in_scope(column: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
        return sa.true() if scope is None else column.in_(sorted(scope))

    grouping = GROUPING.get(by)
    if grouping is None:
        raise ReportError(f"unknown grouping {by!r}: use one of {', '.join(GROUPINGS)}")
    others = {} if grouping.other_names is None else {
        as_key(k): name for k, name in session.execute(grouping.other_names())}
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

    def row(self, group: str, name: str, times: Times, repeat_calls: int = 0,
            satisfaction: Satisfaction | None = None) -> SummaryRow:
        return SummaryRow(group, name, self.received, self.done, self.not_actionable,
                          self.in_progress, self.overdue, times[0], times[1], dict(self.reasons),
                          repeat_calls, satisfaction or Satisfaction())


def _report(session: Session, period: Period, groups: _Groups, scope: Collection[str] | None,
            as_of: dt.datetime | None) -> SummaryReport:
    as_of = as_of or utcnow()
    label = scope_label(session, scope)
    tallies: dict[str, _Tally] = {}
    total = _Tally()
    histograms: dict[str, dict[int, int]] = {}
    answers: dict[str, Satisfaction] = {}
    repeats: dict[str, int] = {}
    for key, status, reason, bucket, count, overdue, repeat_calls, *satisfaction in session.execute(
        outcome_counts_query(session, period, groups.key, scope, as_of)
    ):
        key = as_key(key)
        tallies.setdefault(key, _Tally()).add(status, reason, count, overdue)
        total.add(status, reason, count, overdue)
        if bucket is not None:
            histogram = histograms.setdefault(key, {})
            histogram[bucket] = histogram.get(bucket, 0) + count
        if repeat_calls:
            repeats[key] = repeats.get(key, 0) + repeat_calls
        if any(satisfaction):
            answers[key] = answers.get(key, Satisfaction()) + Satisfaction(*satisfaction)
    times, total_times = close_times(session, period, groups.key, scope, histograms)

    rows = [tallies.get(key, _Tally()).row(group, name, times.get(key, NO_TIMES),
                                           repeats.get(key, 0), answers.get(key))
            for key, group, name in groups.members]
    # Requests whose key is not a member: no neighbourhood, no crew, a crew of
    # another district.  They are counted, so they are shown.
    for key in sorted(tallies.keys() - {key for key, _, _ in groups.members}):
        if key == "":
            name = GROUPING[groups.name].unset_fa if groups.name in GROUPING else "—"
        else:
            name = groups.other_names.get(key, key)
        rows.append(tallies[key].row(key, name, times.get(key, NO_TIMES), repeats.get(key, 0),
                                     answers.get(key)))

    totals = total.row("", "جمع", total_times, sum(repeats.values()),
                       sum(answers.values(), Satisfaction()))

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
        .where(*in_period(period, districts), _R.c.neighbourhood_code.is_not(None))
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
