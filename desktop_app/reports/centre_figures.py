"""The 137 centre's own report: how every district answers the centre's referrals.

The centre's office (scope: every district) has every district report already (the
summary by any grouping, over every district).  This report adds what only the
centre asks:

* **the seed's view** — calls per region, done / not actionable / in progress: the
  summary by region (:func:`~desktop_app.reports.figures.compute_summary`), so it
  reproduces the seed's table exactly when the data do;
* **repeat calls** — per district (and in every summary, per group): calls attached
  to a request of the period as "called again" (:attr:`~sync.workflow.EventKind.REPEAT_CALL`);
* **speed** — per district, over the requests received in the period:
  *receipt to referral*, hours from ``received_at`` to the centre's first referral
  (the first ``status`` event ``received → referred``; the centre's clock,
  ``server_time``, else the clock of the machine it was made on), and *referral to
  close*, hours from that referral to ``closed_at``, for those closed now.  Median
  and mean of each, and how many requests each is over.  A request that came in
  referred already (an imported archive: no such event) has neither;
* **overdue share** — per district, at the report time: of its open requests that
  have a deadline (``due_at``: set at referral, so a request still waiting for
  verification has none and is the centre's, not the district's), those past it.
  This is the backlog now, whenever its requests arrived: the work to chase today.
  Districts are ranked by it, the largest share first (equal shares rank by the
  number overdue, then by code; equal share and number share a rank).

Every figure is SQL over the office database; this module folds a few rows per
district, plus one row per referred request of the period for the medians.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop_app.reports.figures import compute_summary, scope_label
from desktop_app.reports.summary_data import SummaryReport, period_label, period_range_label
from desktop_app.reports.summary_queries import in_period
from desktop_app.store import models as m
from sync.dates import Period, utcnow
from sync.workflow import CLOSED_STATUSES, OPEN_STATUSES, EventKind, Status

__all__ = ["CentreReport", "DistrictFigures", "Hours", "compute_centre_report", "rank_by_overdue"]

_R = m.ServiceRequest.__table__
_E = m.Event.__table__
_D = m.District.__table__


@dataclass(frozen=True)
class Hours:
    """A duration over a set of requests: how many, their median and mean, in hours."""

    count: int = 0
    median: float | None = None
    mean: float | None = None

    @classmethod
    def of(cls, values: list[float]) -> Hours:
        if not values:
            return cls()
        return cls(len(values), statistics.median(values), statistics.fmean(values))


@dataclass(frozen=True)
class DistrictFigures:
    """One district's line of the centre's report (or the whole city's, for totals)."""

    code: str
    name: str
    region_number: int | None
    received: int = 0
    done: int = 0
    not_actionable: int = 0
    in_progress: int = 0
    repeat_calls: int = 0
    to_referral: Hours = Hours()
    referral_to_close: Hours = Hours()
    #: At the report time: open requests that have a deadline, and those past it.
    open_with_deadline: int = 0
    overdue: int = 0
    #: Competition rank by overdue share, 1 = the largest; 0 for the totals line.
    rank: int = 0

    @property
    def overdue_share(self) -> float | None:
        """Overdue / open with a deadline; ``None`` for a district with no open work."""
        return self.overdue / self.open_with_deadline if self.open_with_deadline else None


@dataclass(frozen=True)
class CentreReport:
    period: Period
    scope_label: str
    #: The seed's table: the summary by region (its rows and totals).
    regions: SummaryReport
    #: One line per district of the scope, zeros included, in code order.
    districts: tuple[DistrictFigures, ...]
    totals: DistrictFigures
    #: The report time (UTC): current statuses and "overdue" are read at it.
    generated_at: dt.datetime

    @property
    def ranking(self) -> tuple[DistrictFigures, ...]:
        """The districts by overdue share, the largest first (see :func:`rank_by_overdue`)."""
        return tuple(sorted(self.districts, key=lambda d: (d.rank, d.code)))

    @property
    def period_label(self) -> str:
        return period_label(self.period)

    @property
    def period_range_label(self) -> str:
        return period_range_label(self.period)


def _sort_key(d: DistrictFigures) -> tuple[float, int]:
    share = d.overdue_share
    return (-(share if share is not None else -1.0), -d.overdue)


def rank_by_overdue(districts: Iterable[DistrictFigures]) -> list[DistrictFigures]:
    """The districts with their rank by overdue share, largest first; a district
    without open work comes last.  Equal share and overdue count share a rank."""
    ordered = sorted(districts, key=lambda d: (*_sort_key(d), d.code))
    ranked: list[DistrictFigures] = []
    for position, district in enumerate(ordered, 1):
        same = ranked and _sort_key(ranked[-1]) == _sort_key(district)
        ranked.append(replace(district, rank=ranked[-1].rank if same else position))
    return ranked


# ------------------------------------------------------------------ queries


def _event_time() -> sa.ColumnElement[dt.datetime]:
    """When an event happened: the centre's clock, else the machine's it was made on."""
    return sa.func.coalesce(_E.c.server_time, _E.c.client_time)


def _hours(later: sa.ColumnElement[object], earlier: sa.ColumnElement[object]) -> sa.ColumnElement[float]:
    return (sa.func.julianday(later) - sa.func.julianday(earlier)) * 24


def _speeds(session: Session, period: Period, scope: Collection[str] | None,
            ) -> dict[str, tuple[list[float], list[float]]]:
    """District -> (hours receipt → first referral, hours first referral → close) of
    the period's requests that were referred by the centre (one row per request)."""
    referred_at = sa.func.min(_event_time())
    closed = sa.and_(_R.c.status.in_(sorted(CLOSED_STATUSES)), _R.c.closed_at.is_not(None))
    query = (
        sa.select(_R.c.district_code, _hours(referred_at, _R.c.received_at),
                  sa.case((closed, _hours(_R.c.closed_at, referred_at))))
        .select_from(_R.join(_E, _E.c.request_id == _R.c.id))
        .where(*in_period(period, scope), _E.c.kind == EventKind.STATUS.value,
               _E.c.from_status == Status.RECEIVED.value, _E.c.to_status == Status.REFERRED.value)
        .group_by(_R.c.id)
    )
    speeds: dict[str, tuple[list[float], list[float]]] = {}
    for district, to_referral, to_close in session.execute(query):
        referral, close = speeds.setdefault(district, ([], []))
        if to_referral is not None:
            referral.append(float(to_referral))
        if to_close is not None:
            close.append(float(to_close))
    return speeds


def _overdue(session: Session, scope: Collection[str] | None,
             as_of: dt.datetime) -> dict[str, tuple[int, int]]:
    """District -> (open with a deadline, of which past it) at ``as_of``: one seek per
    open status in ``ix_requests_status_due``."""
    late = sa.func.sum(sa.case((_R.c.due_at < as_of, 1), else_=0))
    query = (sa.select(_R.c.district_code, sa.func.count(), late)
             .where(_R.c.status.in_(sorted(OPEN_STATUSES)), _R.c.due_at.is_not(None))
             .group_by(_R.c.district_code))
    if scope is not None:
        query = query.where(_R.c.district_code.in_(sorted(scope)))
    return {code: (int(total), int(overdue or 0)) for code, total, overdue in session.execute(query)}


# ------------------------------------------------------------------ the report


def compute_centre_report(session: Session, period: Period, *,
                          districts: Collection[str] | None = None,
                          as_of: dt.datetime | None = None) -> CentreReport:
    """The centre's report of ``period`` over ``districts`` (``None``: every district);
    ``as_of`` is the report time (default now) — pass it to make a report reproducible."""
    as_of = as_of or utcnow()
    regions = compute_summary(session, period, "region", districts=districts, as_of=as_of)
    by_district = compute_summary(session, period, "district", districts=districts, as_of=as_of)
    region_of = dict(session.execute(sa.select(_D.c.code, _D.c.region_number)).all())
    speeds = _speeds(session, period, districts)
    overdue = _overdue(session, districts, as_of)

    lines = []
    for row in by_district.rows:
        referral, close = speeds.get(row.group, ([], []))
        open_, late = overdue.get(row.group, (0, 0))
        lines.append(DistrictFigures(
            row.group, row.name, region_of.get(row.group), row.received, row.done,
            row.not_actionable, row.in_progress, row.repeat_calls, Hours.of(referral),
            Hours.of(close), open_, late))
    every_referral = [h for referral, _ in speeds.values() for h in referral]
    every_close = [h for _, close in speeds.values() for h in close]
    t = by_district.totals
    totals = DistrictFigures(
        "", "جمع", None, t.received, t.done, t.not_actionable, t.in_progress, t.repeat_calls,
        Hours.of(every_referral), Hours.of(every_close),
        sum(d.open_with_deadline for d in lines), sum(d.overdue for d in lines))
    ranks = {d.code: d.rank for d in rank_by_overdue(lines)}
    lines = [replace(d, rank=ranks[d.code]) for d in lines]
    return CentreReport(period, scope_label(session, districts), regions, tuple(lines), totals,
                        as_of)
