"""Bulk import of an archive CSV (DESIGN.md, "Archive CSV"): all of a file or none of it.

Every row is checked before anything is written, and every problem is kept with its
line number and a reason that says what to fix, so that whoever prepared the file
can correct it in one pass.  A file with any bad row imports nothing; a good file is
written in one transaction.  Rows whose tracking code the centre already has are
counted and left alone, so importing the same file twice adds nothing the second time.

Speed matters (an archive holds years of calls): reference codes and the tracking
codes the centre has are read once into sets, and rows are written with Core
``executemany`` inserts, never one ORM object per row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync.batching import collector_paused
from sync.dates import DateError, parse_instant, utcnow
from sync.schema import new_id
from sync.server.changes import Entry, log_changes
from sync.server.models import (
    Category,
    Channel,
    District,
    Event,
    Neighbourhood,
    Reason,
    ServiceRequest,
)
from sync.server.tracking import reserve_existing
from sync.text import PhoneError, clean, parse_phone, to_latin_digits
from sync.workflow import CLOSED_STATUSES, EventKind, Role, Status

COLUMNS = (
    "tracking_code", "received_at", "channel", "district", "neighbourhood", "category",
    "description", "citizen_name", "citizen_phone", "address", "latitude", "longitude",
    "status", "closed_at", "outcome_reason", "outcome_note",
)

IMPORT_ACTOR = "import"

_TRACKING_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._/-]*$")
_MAX_TRACKING_CODE = 32  # RequestColumns.tracking_code
_MAX_NAME = 200  # RequestColumns.citizen_name
_STATUSES = tuple(s.value for s in Status)
_CLOSED = frozenset(s.value for s in CLOSED_STATUSES)


class ArchiveError(ValueError):
    """The file as a whole cannot be read as an archive (not its rows: see Problem)."""


@dataclass(frozen=True)
class Problem:
    """One reason one row cannot be imported."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do)."""

    imported: int = 0
    already_present: int = 0
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False

    @property
    def rejected(self) -> int:
        """Rows with at least one problem."""
        return len({p.line for p in self.problems})

    def summary(self) -> str:
        return (
            f"imported: {self.imported}, already present: {self.already_present}, "
            f"rejected: {self.rejected}"
        )


@dataclass(frozen=True)
class _Record:
    """One data row as read, with the line of the file it starts on."""

    line: int
    cells: list[str]


@dataclass(frozen=True)
class _Codes:
    """The reference codes a row is checked against, read once per import."""

    channels: frozenset[str]
    districts: frozenset[str]
    neighbourhood_district: dict[str, str]
    categories: frozenset[str]
    reasons: frozenset[str]

    @classmethod
    def load(cls, session: Session) -> _Codes:
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


# ------------------------------------------------------------------------ reading


def read_archive(path: str | Path) -> tuple[dict[str, int], list[_Record]]:
    """The column positions named by the header, and the non-blank data rows."""
    text = _decode(Path(path))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise ArchiveError(f"{path} is empty: it needs a header row ({','.join(COLUMNS)})")
        positions = _column_positions(header)
        return positions, list(_records(reader))
    except csv.Error as exc:
        raise ArchiveError(f"{path}, line {reader.line_num}: not valid CSV ({exc})") from None


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArchiveError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ArchiveError(
            f"{path} is not UTF-8 text (line {line}): save it as UTF-8 CSV and import again"
        ) from None


def _column_positions(header: list[str]) -> dict[str, int]:
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


def _records(reader: Any) -> Iterator[_Record]:
    """Data rows with their first line (a quoted field may span several lines)."""
    previous = reader.line_num
    for cells in reader:
        line, previous = previous + 1, reader.line_num
        if any(cell.strip() for cell in cells):
            yield _Record(line, cells)


# --------------------------------------------------------------------- validating


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


def _tracking_code(raw: str) -> str:
    return _latin(_cell(raw))


def _one_of(codes: Iterable[str]) -> str:
    shown = sorted(codes)
    return ", ".join(shown[:15]) + (" …" if len(shown) > 15 else "")


class _RowChecker:
    """Turns one row's cells into the columns of a request, or into reasons why not."""

    def __init__(self, positions: dict[str, int], codes: _Codes) -> None:
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


# ------------------------------------------------------------------------ writing


def _existing_codes(session: Session) -> set[str]:
    """Every tracking code the centre has, read once.  Blocks of ``IN`` lookups were
    tried: PostgreSQL plans them as scans of the whole table until it has statistics
    (ANALYZE), which made a second import of 100,000 rows take over a minute."""
    return set(session.scalars(sa.select(ServiceRequest.tracking_code)))


def _created_event(request: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    return {
        "id": new_id(),
        "request_id": request["id"],
        "kind": EventKind.CREATED.value,
        "from_status": None,
        "to_status": request["status"],
        "reason": request["outcome_reason"],
        "note": "",
        "data": {"source": "import"},
        "actor": IMPORT_ACTOR,
        "actor_role": Role.CENTRE.value,
        "office_id": None,
        "client_time": None,
        "server_time": now,
        "mutation_id": None,
    }


def _write(session: Session, requests: list[dict[str, Any]], now: dt.datetime) -> None:
    """Insert the requests, one created event each, and their change-log entries.

    The inserts name the tables, not the mapped classes: the ORM's bulk path leaves
    out empty (None) values and so splits rows with different empty columns into
    thousands of small statements; a table insert is one ``executemany``."""
    events = [_created_event(r, now) for r in requests]
    session.execute(sa.insert(ServiceRequest.__table__), requests)
    session.execute(sa.insert(Event.__table__), events)
    entries: list[Entry] = []
    for request, event in zip(requests, events):
        entries.append(Entry("request", str(request["id"]), request["district_code"]))
        entries.append(Entry("event", str(event["id"]), request["district_code"]))
    log_changes(session, entries)
    reserve_existing(session, (r["tracking_code"] for r in requests))


# ------------------------------------------------------------------------- import


def import_archive(session: Session, path: str | Path, *, dry_run: bool = False) -> ImportResult:
    """Check every row of ``path`` and, when all are good and not ``dry_run``, write
    them in the caller's transaction.  Raises :class:`ArchiveError` for a file that
    is not an archive at all (unreadable, not UTF-8, wrong header)."""
    with collector_paused():
        return _import(session, path, dry_run=dry_run)


def _import(session: Session, path: str | Path, *, dry_run: bool) -> ImportResult:
    positions, records = read_archive(path)
    codes = _Codes.load(session)
    if not codes.districts:
        raise ArchiveError(
            "the centre has no reference data: run `daftar-server reference load FILE.json` first"
        )
    tracking_codes = [
        _tracking_code(r.cells[positions["tracking_code"]])
        if len(r.cells) > positions["tracking_code"] else ""
        for r in records
    ]
    existing = _existing_codes(session)
    result = ImportResult(dry_run=dry_run)
    now = utcnow()
    checker = _RowChecker(positions, codes)
    first_line: dict[str, int] = {}
    requests: list[dict[str, Any]] = []
    for record, code in zip(records, tracking_codes):
        if code and code in first_line:
            reason = (
                f"tracking_code {code} is also on line {first_line[code]}: "
                "each request may appear once"
            )
            result.problems.append(Problem(record.line, reason))
            continue
        if code:
            first_line[code] = record.line
        if code in existing:
            result.already_present += 1
            continue
        row, problems = checker.check(record.cells, code)
        result.problems.extend(Problem(record.line, p) for p in problems)
        if not problems:
            requests.append(_new_request(row, now))
    if result.problems:
        return result
    result.imported = len(requests)
    if requests and not dry_run:
        _write(session, requests, now)
    return result


def _new_request(row: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    return {
        **row,
        "id": new_id(),
        "crew_id": None,
        "assigned_at": None,
        "duplicate_of": None,
        "version": 1,
        "updated_at": now,
    }
