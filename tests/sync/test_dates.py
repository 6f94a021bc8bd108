"""Jalali days and periods in Asia/Tehran time (DESIGN.md, "The request lifecycle")."""

from __future__ import annotations

import datetime as dt

import jdatetime
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.dates import (
    TEHRAN,
    UTC,
    DateError,
    Period,
    as_utc,
    day_start,
    format_jalali_date,
    format_jalali_datetime,
    format_jalali_long,
    jalali,
    parse_day,
    parse_instant,
    to_tehran,
)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def days_in(period: Period) -> int:
    return (period.last - period.first).days + 1


# ------------------------------------------------------------------ parse_day


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("1405-01-01", dt.date(2026, 3, 21)),
        ("1405/01/01", dt.date(2026, 3, 21)),
        ("1405-1-1", dt.date(2026, 3, 21)),
        ("۱۴۰۵-۰۱-۰۱", dt.date(2026, 3, 21)),
        ("۱۴۰۵/۰۶/۳۱", dt.date(2026, 9, 22)),
        ("١٤٠٥-٠٦-٣١", dt.date(2026, 9, 22)),
        ("1405-06-31", dt.date(2026, 9, 22)),
        ("1405-07-01", dt.date(2026, 9, 23)),
        ("1404-12-29", dt.date(2026, 3, 20)),
        ("1403-12-30", dt.date(2025, 3, 20)),
        ("1401-05-01", dt.date(2022, 7, 23)),
        ("  1405-01-01  ", dt.date(2026, 3, 21)),
        # A year of 1900 or later is Gregorian.
        ("2026-03-21", dt.date(2026, 3, 21)),
        ("2026/9/22", dt.date(2026, 9, 22)),
        ("۲۰۲۶-۰۳-۲۱", dt.date(2026, 3, 21)),
        ("1900-01-01", dt.date(1900, 1, 1)),
        ("1899-01-01", jdatetime.date(1899, 1, 1).togregorian()),  # still Jalali
        ("2024-02-29", dt.date(2024, 2, 29)),
    ],
)
def test_parse_day(text: str, day: dt.date):
    assert parse_day(text) == day


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "not a date"),
        ("   ", "not a date"),
        ("yesterday", "not a date"),
        ("1405-01", "not a date"),
        ("1405-01-01-01", "not a date"),
        ("14050101", "not a date"),
        ("05-01-01", "not a date"),
        ("1405.01.01", "not a date"),
        ("1405-01-01 10:00", "not a date"),
        ("1404-12-30", "no such day"),  # 1404 is not a leap year
        ("1405-13-01", "no such day"),
        ("1405-00-01", "no such day"),
        ("1405-01-00", "no such day"),
        ("1405-01-32", "no such day"),
        ("1405-07-31", "no such day"),  # the second half has 30-day months
        ("2025-02-29", "no such day"),
        ("2026-13-01", "no such day"),
    ],
)
def test_parse_day_refuses_with_a_clear_error(text: str, says: str):
    with pytest.raises(DateError) as info:
        parse_day(text)
    message = str(info.value)
    assert message.startswith(says)
    assert repr(text) in message  # says what it was given


def test_parse_day_none():
    with pytest.raises(DateError, match="not a date"):
        parse_day(None)  # type: ignore[arg-type]


# ----------------------------------------------------------- calendar facts


def test_calendar_facts_from_platform_md():
    assert jalali(dt.date(2026, 3, 21)) == jdatetime.date(1405, 1, 1)
    assert jalali(dt.date(2026, 9, 22)) == jdatetime.date(1405, 6, 31)
    assert Period.jalali_month(1404, 12) == Period(dt.date(2026, 2, 20), dt.date(2026, 3, 20))
    assert Period.jalali_month(1403, 12) == Period(dt.date(2025, 2, 19), dt.date(2025, 3, 20))


@pytest.mark.parametrize(("year", "esfand"), [(1403, 30), (1404, 29), (1405, 29), (1399, 30)])
def test_esfand_length(year: int, esfand: int):
    month = Period.jalali_month(year, 12)
    assert (month.last - month.first).days + 1 == esfand
    # …and the next year starts the day after.
    assert month.last + dt.timedelta(days=1) == Period.jalali_month(year + 1, 1).first


@pytest.mark.parametrize("year", [1399, 1401, 1403, 1404, 1405])
def test_month_lengths(year: int):
    lengths = [days_in(Period.jalali_month(year, m)) for m in range(1, 13)]
    assert lengths[:6] == [31] * 6
    assert lengths[6:11] == [30] * 5
    assert lengths[11] in (29, 30)
    assert sum(lengths) == days_in(Period.jalali_year(year))


# ---------------------------------------------------------------- Tehran time


def test_first_half_of_1405_starts_at_tehran_midnight():
    half = Period.jalali_half(1405, 1)
    assert half.first == dt.date(2026, 3, 21)
    assert half.last == dt.date(2026, 9, 22)
    assert half.start == utc(2026, 3, 20, 20, 30)
    assert half.start.utcoffset() == dt.timedelta(0)
    # 1405-06-31 24:00 Tehran time, +03:30 all year since 2023.
    assert half.end == utc(2026, 9, 22, 20, 30)
    assert Period.jalali_half(1405, 2).start == half.end


def test_a_request_just_after_tehran_midnight_belongs_to_the_new_year():
    moment = utc(2026, 3, 20, 20, 40)  # 00:10 on 1 Farvardin 1405 in Tehran
    assert moment.date() == dt.date(2026, 3, 20)  # still the 20th in UTC
    assert Period.jalali_year(1405).contains(moment)
    assert not Period.jalali_year(1404).contains(moment)
    assert Period.jalali_half(1405, 1).contains(moment)
    assert not Period.jalali_half(1404, 2).contains(moment)
    assert Period.jalali_month(1405, 1).contains(moment)
    assert jalali(moment) == jdatetime.date(1405, 1, 1)
    assert format_jalali_datetime(moment) == "۱۴۰۵/۰۱/۰۱ ۰۰:۱۰"


def test_period_boundaries_are_half_open():
    year = Period.jalali_year(1405)
    assert year.contains(year.start)
    assert not year.contains(year.start - dt.timedelta(microseconds=1))
    assert year.contains(year.end - dt.timedelta(microseconds=1))
    assert not year.contains(year.end)
    assert Period.jalali_year(1404).contains(year.start - dt.timedelta(microseconds=1))
    # An instant in any offset, and a naive one taken as UTC (as SQLite hands back).
    assert year.contains(dt.datetime(2026, 3, 21, 0, 10, tzinfo=TEHRAN))
    assert year.contains(dt.datetime(2026, 3, 20, 20, 40))
    assert not year.contains(dt.datetime(2026, 3, 20, 20, 20))


def test_summer_2022_was_daylight_saving_time():
    # 1401-05-01 = 2022-07-23: Tehran was +04:30 then (DST ended after 2022).
    day = parse_day("1401-05-01")
    assert day_start(day) == utc(2022, 7, 22, 19, 30)
    assert to_tehran(day_start(day)).utcoffset() == dt.timedelta(hours=4, minutes=30)
    # Winter of the same year, and summer after DST was abolished: +03:30.
    assert day_start(parse_day("1401-10-01")) == utc(2022, 12, 21, 20, 30)
    assert day_start(parse_day("1402-05-01")) == utc(2023, 7, 22, 20, 30)
    # The month is whole days in Tehran time: Mordad 1401 starts 19:30Z.
    assert Period.jalali_month(1401, 5).start == utc(2022, 7, 22, 19, 30)
    # 23:00 local on 1401-04-31 is still Tir, though only 18:30Z.
    assert Period.jalali_month(1401, 4).contains(utc(2022, 7, 22, 19, 29))
    assert Period.jalali_month(1401, 5).contains(utc(2022, 7, 22, 19, 30))


def test_days_around_the_2022_clock_changes():
    # Clocks went forward at the start of 1401-01-02 and back at the end of 1401-06-30.
    spring = Period.days("1401-01-02", "1401-01-02")
    assert spring.end - spring.start == dt.timedelta(hours=23)
    autumn = Period.days("1401-06-30", "1401-06-30")
    assert autumn.end - autumn.start == dt.timedelta(hours=25)


@settings(max_examples=200)
@given(st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2040, 12, 31)))
def test_day_start_is_tehran_midnight(day: dt.date):
    start = day_start(day)
    assert start.tzinfo is not None and start.utcoffset() == dt.timedelta(0)
    local = start.astimezone(TEHRAN)
    # On the one spring day whose midnight did not exist, the day starts at 01:00.
    assert local.date() == day and local.minute == 0 and local.hour in (0, 1)
    assert Period(day, day).contains(start)
    assert not Period(day, day).contains(start - dt.timedelta(seconds=1))


# ---------------------------------------------------------------- periods


def test_months_splits_a_year_into_twelve():
    year = Period.jalali_year(1405)
    months = year.months()
    assert len(months) == 12
    assert months == [Period.jalali_month(1405, m) for m in range(1, 13)]
    assert months[0].first == year.first and months[-1].last == year.last
    for a, b in zip(months, months[1:]):
        assert a.end == b.start
        assert a.last + dt.timedelta(days=1) == b.first


def test_months_clips_to_the_period():
    period = Period.days("1405-02-10", "1405-04-05")
    months = period.months()
    assert [jalali(m.first).month for m in months] == [2, 3, 4]
    assert months[0].first == parse_day("1405-02-10")
    assert months[0].last == parse_day("1405-02-31")
    assert months[1] == Period.jalali_month(1405, 3)
    assert months[2] == Period.days("1405-04-01", "1405-04-05")
    across = Period.days("1404-12-20", "1405-01-10").months()
    assert [(jalali(m.first).year, jalali(m.first).month) for m in across] == [
        (1404, 12), (1405, 1)
    ]


def test_seasons_and_halves():
    assert Period.jalali_season(1405, 1) == Period.jalali_months(1405, 1, 3)
    assert Period.jalali_season(1405, 4).last == Period.jalali_year(1405).last
    assert Period.jalali_half(1405, 2).first == parse_day("1405-07-01")
    assert Period.jalali_half(1405, 2).last == Period.jalali_month(1405, 12).last
    for bad in (0, 5):
        with pytest.raises(DateError):
            Period.jalali_season(1405, bad)
    for bad in (0, 3):
        with pytest.raises(DateError):
            Period.jalali_half(1405, bad)
    with pytest.raises(ValueError):
        Period.jalali_month(1405, 13)


def test_period_days_accepts_text_and_refuses_a_backwards_period():
    assert Period.days("۱۴۰۵/۰۱/۰۱", "2026-03-22") == Period(
        dt.date(2026, 3, 21), dt.date(2026, 3, 22)
    )
    with pytest.raises(DateError, match="before it starts"):
        Period.days("1405-01-02", "1405-01-01")


# ------------------------------------------------------------------ formatting


def test_formatting_uses_persian_digits():
    day = dt.date(2026, 3, 21)
    assert format_jalali_date(day) == "۱۴۰۵/۰۱/۰۱"
    assert format_jalali_date(day, persian_digits=False) == "1405/01/01"
    assert format_jalali_long(day) == "۱ فروردین ۱۴۰۵"
    assert format_jalali_long(day, persian=False) == "1 Farvardin 1405"
    assert format_jalali_long(dt.date(2026, 9, 22)) == "۳۱ شهریور ۱۴۰۵"
    assert format_jalali_datetime(utc(2026, 9, 22, 20, 29)) == "۱۴۰۵/۰۶/۳۱ ۲۳:۵۹"
    assert format_jalali_datetime(utc(2026, 9, 22, 20, 30), persian_digits=False) == (
        "1405/07/01 00:00"
    )
    # An instant is formatted as the Tehran date, not the UTC one.
    assert format_jalali_date(utc(2026, 3, 20, 20, 40)) == "۱۴۰۵/۰۱/۰۱"
    # Summer 2022: +04:30.
    assert format_jalali_datetime(utc(2022, 7, 22, 19, 30)) == "۱۴۰۱/۰۵/۰۱ ۰۰:۰۰"


def test_naive_instants_are_refused_where_a_zone_is_needed():
    with pytest.raises(ValueError, match="naive"):
        to_tehran(dt.datetime(2026, 3, 21))
    with pytest.raises(ValueError, match="naive"):
        format_jalali_datetime(dt.datetime(2026, 3, 21))
    assert as_utc(dt.datetime(2026, 3, 21)) == utc(2026, 3, 21)


# ----------------------------------------------------------------- instants


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2026-03-20T20:40:00Z", utc(2026, 3, 20, 20, 40)),
        ("2026-03-21T00:10:00+03:30", utc(2026, 3, 20, 20, 40)),
        ("۲۰۲۶-۰۳-۲۱T۰۰:۱۰:۰۰+۰۳:۳۰", utc(2026, 3, 20, 20, 40)),
        ("2022-07-23T00:00:00+04:30", utc(2022, 7, 22, 19, 30)),
    ],
)
def test_parse_instant(text: str, moment: dt.datetime):
    parsed = parse_instant(text)
    assert parsed == moment and parsed.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(("text", "says"), [
    ("", "no time"), ("tomorrow", "not an ISO 8601"), ("2026-03-21T00:10:00", "no offset"),
])
def test_parse_instant_refuses(text: str, says: str):
    with pytest.raises(DateError, match=says):
        parse_instant(text)
