"""The summary report's values: its rows, totals, reasons and labels, as plain data.

:mod:`desktop_app.reports.figures` computes them, :mod:`desktop_app.reports.summary`
writes them as CSV and Excel, :mod:`desktop_app.reports.summary_pdf` prints them, and
the window shows them; none of these needs the database to read a report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from desktop_app.reports.groupings import GROUPING
from sync.dates import JALALI_MONTHS_FA, Period, format_jalali_long, jalali
from sync.text import to_persian_digits

#: The grouping of a trend report: one row per Jalali month.
MONTH = "month"

GROUPING_LABELS_FA: Mapping[str, str] = {
    **{code: g.label_fa for code, g in GROUPING.items()}, MONTH: "ماه",
}

#: The name of not-actionable requests that carry no reason code (old archives).
NO_REASON_FA = "بدون دلیل ثبت‌شده"


class ReportError(ValueError):
    """A report asked for something that cannot be reported; the text says what to fix."""


# ------------------------------------------------------------------------- DTOs


@dataclass(frozen=True)
class Satisfaction:
    """The citizens' answers to the closing SMS of a group's requests."""

    asked: int = 0
    answered: int = 0
    satisfied: int = 0
    score_sum: int = 0
    scores: int = 0

    @property
    def answer_rate(self) -> float | None:
        return self.answered / self.asked if self.asked else None

    @property
    def rate(self) -> float | None:
        return self.satisfied / self.answered if self.answered else None

    @property
    def mean_score(self) -> float | None:
        return self.score_sum / self.scores if self.scores else None

    def __add__(self, other: Satisfaction) -> Satisfaction:
        return Satisfaction(self.asked + other.asked, self.answered + other.answered,
                            self.satisfied + other.satisfied, self.score_sum + other.score_sum,
                            self.scores + other.scores)


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
    #: Calls that were attached to one of the group's requests as a repeat call
    #: (the caller rang again) rather than made into a request of their own.
    repeat_calls: int = 0
    #: The citizen's satisfaction (issue 16): requests whose closing SMS asked for a
    #: 1-5 score, those that answered, those that answered 4 or 5, and the scores.
    satisfaction: Satisfaction = field(default_factory=Satisfaction)

    @property
    def answer_rate(self) -> float | None:
        """Answered / asked; ``None`` when nobody was asked."""
        return self.satisfaction.answer_rate

    @property
    def satisfaction_rate(self) -> float | None:
        """Answers of 4 or 5 / answers; ``None`` when nobody answered."""
        return self.satisfaction.rate

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
