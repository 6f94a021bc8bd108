"""Jalali dates and Tehran time, for both ends.

Everything is *stored* as an aware UTC instant.  People think in Jalali days in
Asia/Tehran local time, so every period a person names (a day, a month, "the first
half of 1405") is turned into a half-open UTC interval here, and nowhere else.

jdatetime is the one calendar library for stored and reported dates
(shared/research/platform.md: Qt's Jalali rule parts from it after 2058; the UI
checks its own display against this module in a test).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import jdatetime

from sync.text import to_latin_digits, to_persian_digits

TEHRAN = ZoneInfo("Asia/Tehran")
UTC = dt.timezone.utc

JALALI_MONTHS_FA = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)
JALALI_MONTHS_EN = (
    "Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
    "Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand",
)

_DATE = re.compile(r"^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})\s*$")


class DateError(ValueError):
    pass


def parse_day(text: str) -> dt.date:
    """A day written as ``YYYY-MM-DD`` (or with ``/``): Jalali, or Gregorian when the
    year is 1900 or later.  Persian, Arabic-Indic and Latin digits are all accepted.
    Returns the Gregorian :class:`datetime.date` of that day."""
    match = _DATE.match(to_latin_digits(text or ""))
    if not match:
        raise DateError(f"not a date: {text!r} (write YYYY-MM-DD, e.g. 1405-01-01)")
    year, month, day = (int(g) for g in match.groups())
    try:
        if year >= 1900:
            return dt.date(year, month, day)
        return jdatetime.date(year, month, day).togregorian()
    except ValueError as exc:
        raise DateError(f"no such day: {text!r} ({exc})") from None


def jalali(day: dt.date | dt.datetime) -> jdatetime.date:
    """The Jalali date of a Gregorian day, or of an instant as seen in Tehran."""
    if isinstance(day, dt.datetime):
        day = to_tehran(day).date()
    return jdatetime.date.fromgregorian(date=day)


def to_tehran(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every stored instant must carry its offset")
    return moment.astimezone(TEHRAN)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """An aware instant in UTC.  Naive values are taken to be UTC already (SQLite
    hands timestamps back without their zone)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def day_start(day: dt.date) -> dt.datetime:
    """00:00 Tehran time on ``day``, as a UTC instant."""
    return dt.datetime.combine(day, dt.time(), TEHRAN).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    """A run of whole days in Tehran time, ``first`` to ``last`` inclusive."""

    first: dt.date
    last: dt.date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise DateError(f"the period ends ({self.last}) before it starts ({self.first})")

    @property
    def start(self) -> dt.datetime:
        """The first instant of the period (UTC)."""
        return day_start(self.first)

    @property
    def end(self) -> dt.datetime:
        """The first instant *after* the period (UTC): the interval is half-open."""
        return day_start(self.last + dt.timedelta(days=1))

    def contains(self, moment: dt.datetime) -> bool:
        return self.start <= as_utc(moment) < self.end

    @classmethod
    def days(cls, first: str | dt.date, last: str | dt.date) -> Period:
        first_day = parse_day(first) if isinstance(first, str) else first
        last_day = parse_day(last) if isinstance(last, str) else last
        return cls(first_day, last_day)

    @classmethod
    def jalali_month(cls, year: int, month: int) -> Period:
        first = jdatetime.date(year, month, 1)
        last_day = jdatetime.j_days_in_month[month - 1]
        if month == 12 and first.isleap():
            last_day = 30
        return cls(first.togregorian(), jdatetime.date(year, month, last_day).togregorian())

    @classmethod
    def jalali_months(cls, year: int, first_month: int, last_month: int) -> Period:
        return cls(
            cls.jalali_month(year, first_month).first, cls.jalali_month(year, last_month).last
        )

    @classmethod
    def jalali_season(cls, year: int, season: int) -> Period:
        """Season 1 is spring (Farvardin–Khordad) … 4 is winter (Dey–Esfand)."""
        if not 1 <= season <= 4:
            raise DateError(f"a season is 1 to 4, not {season}")
        return cls.jalali_months(year, 3 * season - 2, 3 * season)

    @classmethod
    def jalali_half(cls, year: int, half: int) -> Period:
        if half not in (1, 2):
            raise DateError(f"a half-year is 1 or 2, not {half}")
        return cls.jalali_months(year, 1, 6) if half == 1 else cls.jalali_months(year, 7, 12)

    @classmethod
    def jalali_year(cls, year: int) -> Period:
        return cls.jalali_months(year, 1, 12)

    def months(self) -> list[Period]:
        """The Jalali months this period touches, each clipped to the period."""
        out: list[Period] = []
        cursor = self.first
        while cursor <= self.last:
            j = jdatetime.date.fromgregorian(date=cursor)
            month = Period.jalali_month(j.year, j.month)
            out.append(Period(max(month.first, self.first), min(month.last, self.last)))
            cursor = month.last + dt.timedelta(days=1)
        return out


def format_jalali_date(day: dt.date | dt.datetime, *, persian_digits: bool = True) -> str:
    """``۱۴۰۵/۰۱/۰۱`` (or ``1405/01/01``)."""
    text = jalali(day).strftime("%Y/%m/%d")
    return to_persian_digits(text) if persian_digits else text


def format_jalali_datetime(moment: dt.datetime, *, persian_digits: bool = True) -> str:
    """``۱۴۰۵/۰۱/۰۱ ۰۰:۱۰`` in Tehran time."""
    local = to_tehran(moment)
    text = f"{jalali(local.date()).strftime('%Y/%m/%d')} {local:%H:%M}"
    return to_persian_digits(text) if persian_digits else text


def format_jalali_long(day: dt.date | dt.datetime, *, persian: bool = True) -> str:
    """``۱ فروردین ۱۴۰۵`` / ``1 Farvardin 1405``."""
    j = jalali(day)
    if persian:
        return f"{to_persian_digits(j.day)} {JALALI_MONTHS_FA[j.month - 1]} {to_persian_digits(j.year)}"
    return f"{j.day} {JALALI_MONTHS_EN[j.month - 1]} {j.year}"


def parse_instant(text: str) -> dt.datetime:
    """ISO 8601 with an offset (``Z`` or ``+03:30``), any digits; returns UTC."""
    raw = to_latin_digits(text or "").strip()
    if not raw:
        raise DateError("no time given")
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise DateError(f"not an ISO 8601 time: {text!r}") from None
    if moment.tzinfo is None:
        raise DateError(f"the time {text!r} has no offset (add Z or +03:30)")
    return moment.astimezone(UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)
