"""The centre's tracking codes: what a citizen is told and what everyone quotes.

A code is the Jalali year and a six-digit serial, ``1405000123``: ten digits that
read well over the phone and sort by year.  Serials come from one counter per year
(:func:`sync.server.db.take_numbers`), so two intakes never hand out the same code,
and a rolled-back intake gives its numbers back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync.server.db import take_numbers
from sync.server.models import Counter

SERIAL_DIGITS = 6
_MAX_SERIAL = 10**SERIAL_DIGITS - 1
_CODE = re.compile(r"^(\d{4})(\d{6})$")


class TrackingCodesExhausted(RuntimeError):
    """A year ran out of six-digit serials (a million requests in one year)."""


def counter_name(jalali_year: int) -> str:
    return f"tracking:{jalali_year}"


def next_codes(session: Session, jalali_year: int, n: int) -> list[str]:
    """``n`` new consecutive codes of ``jalali_year``, taken in the caller's transaction."""
    first = take_numbers(session, counter_name(jalali_year), n)
    last = first + n - 1
    if last > _MAX_SERIAL:
        raise TrackingCodesExhausted(
            f"tracking codes of {jalali_year} are used up ({last} > {_MAX_SERIAL})"
        )
    return [f"{jalali_year}{serial:0{SERIAL_DIGITS}d}" for serial in range(first, last + 1)]


def reserve_existing(session: Session, codes: Iterable[str]) -> None:
    """Move each year's counter past imported codes that have the centre's shape.

    An archive may bring codes such as ``1404000731`` made by the old system; the
    counter must never hand them out again, or two requests would share a code.
    """
    highest: dict[int, int] = {}
    for code in codes:
        match = _CODE.match(code)
        if match:
            year, serial = int(match[1]), int(match[2])
            highest[year] = max(highest.get(year, 0), serial)
    for year, serial in sorted(highest.items()):
        _raise_counter_to(session, counter_name(year), serial)


def _raise_counter_to(session: Session, name: str, value: int) -> None:
    """Set counter ``name`` to at least ``value`` (never lowers it)."""
    current = session.execute(
        sa.update(Counter)
        .where(Counter.name == name)
        .values(value=sa.case((Counter.value < value, value), else_=Counter.value))
        .returning(Counter.value)
    ).scalar_one_or_none()
    if current is None:
        # Unused counter: create it.  take_numbers makes the first one the same way.
        try:
            with session.begin_nested():
                session.execute(sa.insert(Counter).values(name=name, value=value))
        except sa.exc.IntegrityError:
            _raise_counter_to(session, name, value)
