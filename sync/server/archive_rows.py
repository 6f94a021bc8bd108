"""The rows of an archive CSV (DESIGN.md, "Archive CSV"): its columns, its header,
and the check that turns one row's cells into the columns of a request or into the
reasons why not, each saying what to fix.

Speed matters (an archive holds years of calls): the reference codes are read once
into sets, and cells that are plain ASCII skip the full text normalisation.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync.dates import DateError, parse_instant
from sync.server.models import Category, Channel, District, Neighbourhood, Reason
from sync.text import PhoneError, clean, parse_phone, to_latin_digits
from sync.workflow import CLOSED_STATUSES, Status

COLUMNS = (
    "tracking_code", "received_at", "channel", "district", "neighbourhood", "category",
    "description", "citizen_name", "citizen_phone", "address", "latitude", "longitude",
    "status", "closed_at", "outcome_reason", "outcome_note",
)

_TRACKING_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._/-]*$")
_MAX_TRACKING_CODE = 32  # RequestColumns.tracking_code
_MAX_NAME = 200  # RequestColumns.citizen_name
_STATUSES = tuple(s.value for s in Status)
_CLOSED = frozenset(s.value for s in CLOSED_STATUSES)


class ArchiveError(ValueError):
    """The file as a whole cannot be read as an archive (not one of its rows)."""


@dataclass(frozen=True)
class Codes:
    """The reference codes a row is checked against, read once per import."""

    channels: frozenset[str]
    districts: frozenset[str]
    neighbourhood_district: dict[str, str]
    categories: frozenset[str]
    reasons: frozenset[str]

    @classmethod
    def load(cls, session: Session) -> Codes:
        def codes(column: Any) -> frozenset[str]:
            return frozenset(session.scalars(sa.select(column)))

        return cls(
            codes(Channel.code),
            codes(District.code),
            {
                code: district
                for code, district in session.execute(
                    sa.select(Neighbourhood.code, Neighbourhood.district_code)
                )
            },
            codes(Category.code),
            codes(Reason.code),
        )


def column_positions(header: list[str]) -> dict[str, int]:
    """The position of each column named by the header row, or :class:`ArchiveError`."""
    names = [clean(h).lower() for h in header]
    faults = []
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        faults.append("missing " + ", ".join(missing))
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        faults.append("unknown " + ", ".join(repr(n) for n in unknown))
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        faults.append("repeated " + ", ".join(repeated))
    if faults:
        raise ArchiveError(
            f"the header row has {'; '.join(faults)} columns: it must name the columns "
            f"{','.join(COLUMNS)}"
        )
    return {name: i for i, name in enumerate(names)}


def _cell(text: str) -> str:
    """:func:`sync.text.clean` of one cell.  Most cells (codes, times, numbers) are one
    line of printable ASCII, where clean only collapses and strips spaces: doing just
    that keeps validation of a large archive fast."""
    if text.isascii() and text.isprintable():
        return " ".join(text.split()) if "  " in text else text.strip()
    return clean(text)


def _latin(text: str) -> str:
    """A code or number with Persian or Arabic-Indic digits read as Latin ones."""
    return text if text.isascii() else to_latin_digits(text)


def tracking_code_of(raw: str) -> str:
    return _latin(_cell(raw))


def _one_of(codes: Iterable[str]) -> str:
    shown = sorted(codes)
    return ", ".join(shown[:15]) + (" …" if len(shown) > 15 else "")


class RowChecker:
    """Turns one row's cells into the columns of a request, or into reasons why not."""

    def __init__(self, positions: dict[str, int], codes: Codes) -> None:
        self.positions = positions
        self.codes = codes

    def check(self, cells: list[str], tracking_code: str) -> tuple[dict[str, Any], list[str]]:
        if len(cells) != len(self.positions):
            return {}, [
                f"has {len(cells)} fields, the header has {len(self.positions)} "
                "(a text holding a comma must be in double quotes)"
            ]
        raw = {name: _cell(cells[i]) for name, i in self.positions.items()}
        problems: list[str] = []
        row: dict[str, Any] = {"tracking_code": tracking_code}
        self._identity(raw, row, problems)
        self._place(raw, row, problems)
        self._citizen(raw, row, problems)
        self._outcome(raw, row, problems)
        return row, problems

    def _identity(self, raw: dict[str, str], row: dict[str, Any], problems: list[str]) -> None:
        code = row["tracking_code"]
        if not code:
            problems.append(
                "tracking_code is empty: every row needs the code the citizen was given"
            )
        elif len(code) > _MAX_TRACKING_CODE or not _TRACKING_CODE.match(code):
            problems.append(
                f"tracking_code {code!r} may hold only letters, digits and . _ / - "
                f"(at most {_MAX_TRACKING_CODE})"
            )
        row["received_at"] = self._instant(raw["received_at"], "received_at", problems)
        channel = raw["channel"].lower()
        if channel not in self.codes.channels:
            problems.append(f"channel {channel!r} is not one of {_one_of(self.codes.channels)}")
        row["channel"] = channel
        category = _latin(raw["category"])
        if category not in self.codes.categories:
            problems.append(
                f"category {category!r} is not a category code ({_one_of(self.codes.categories)})"
            )
        row["category_code"] = category
        row["description"] = raw["description"]

    def _place(self, raw: dict[str, str], row: dict[str, Any], problems: list[str]) -> None:
        district = _latin(raw["district"])
        if district not in self.codes.districts:
            problems.append(
                f"district {district!r} is not a district code ({_one_of(self.codes.districts)})"
            )
        row["district_code"] = district
        hood = _latin(raw["neighbourhood"]) or None
        owner = self.codes.neighbourhood_district.get(hood) if hood else None
        if hood and owner is None:
            problems.append(f"neighbourhood {hood!r} is not a neighbourhood code")
        elif hood and owner != district and district in self.codes.districts:
            mine = [n for n, d in self.codes.neighbourhood_district.items() if d == district]
            problems.append(
                f"neighbourhood {hood!r} belongs to district {owner}, not {district} "
                f"(neighbourhoods of {district}: {_one_of(mine)})"
            )
        row["neighbourhood_code"] = hood
        row["address"] = raw["address"]
        if bool(raw["latitude"]) != bool(raw["longitude"]):
            problems.append("latitude and longitude go together: give both or neither")
        row["latitude"] = self._coordinate(raw["latitude"], "latitude", 90.0, problems)
        row["longitude"] = self._coordinate(raw["longitude"], "longitude", 180.0, problems)

    def _citizen(self, raw: dict[str, str], row: dict[str, Any], problems: list[str]) -> None:
        name = raw["citizen_name"]
        if len(name) > _MAX_NAME:
            problems.append(f"citizen_name is {len(name)} characters long (at most {_MAX_NAME})")
        row["citizen_name"] = name
        phone = raw["citizen_phone"]
        row["citizen_phone"] = None
        if phone:
            try:
                row["citizen_phone"] = parse_phone(phone)
            except PhoneError as exc:
                problems.append(f"citizen_phone {phone!r}: {exc.message}")

    def _outcome(self, raw: dict[str, str], row: dict[str, Any], problems: list[str]) -> None:
        status = raw["status"].lower()
        if status not in _STATUSES:
            problems.append(f"status {status!r} is not one of {', '.join(_STATUSES)}")
        row["status"] = status
        row["closed_at"] = None
        if raw["closed_at"]:
            row["closed_at"] = self._instant(raw["closed_at"], "closed_at", problems)
            if status in _STATUSES and status not in _CLOSED:
                problems.append(
                    f"closed_at must be empty while the status is {status} "
                    "(only done and not_actionable requests are closed)"
                )
        elif status in _CLOSED:
            problems.append(f"closed_at is empty: a {status} request needs the time it was closed")
        received, closed = row["received_at"], row["closed_at"]
        if received and closed and closed < received:
            problems.append(
                f"closed_at ({closed.isoformat()}) is before received_at ({received.isoformat()})"
            )
        row["outcome_reason"] = self._reason(raw["outcome_reason"], status, problems)
        row["outcome_note"] = raw["outcome_note"]

    def _reason(self, text: str, status: str, problems: list[str]) -> str | None:
        reason = _latin(text) or None
        if status == Status.NOT_ACTIONABLE and not reason:
            problems.append(
                "outcome_reason is empty: a not_actionable request needs one of "
                + _one_of(self.codes.reasons)
            )
        elif reason and status in _STATUSES and status != Status.NOT_ACTIONABLE:
            problems.append("outcome_reason must be empty unless the status is not_actionable")
        elif reason and reason not in self.codes.reasons:
            problems.append(
                f"outcome_reason {reason!r} is not a reason code ({_one_of(self.codes.reasons)})"
            )
        return reason

    @staticmethod
    def _instant(text: str, column: str, problems: list[str]) -> Any:
        try:
            return parse_instant(text)
        except DateError as exc:
            problems.append(f"{column}: {exc} (write e.g. 2026-03-21T09:30:00+03:30)")
            return None

    @staticmethod
    def _coordinate(text: str, column: str, limit: float, problems: list[str]) -> float | None:
        value = _latin(text).replace("\u066b", ".")  # Persian decimal mark
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number) or abs(number) > limit:
            problems.append(
                f"{column} {text!r} is not a coordinate from -{limit:g} to {limit:g}"
            )
            return None
        return number
