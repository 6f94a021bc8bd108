"""Bulk import of an archive CSV (DESIGN.md, "Archive CSV"): all of a file or none of it,
in memory that does not grow with the file.

Every row is checked before anything is written, and every problem is kept with its
line number and a reason that says what to fix, so that whoever prepared the file
can correct it in one pass.  A file with any bad row imports nothing; a good file is
written in the caller's one transaction.  Rows whose tracking code the centre
already has are counted and left alone, so importing the same file twice adds
nothing the second time.

Two passes, neither holding the file.  The first reads the CSV as a stream and
checks each row on its own; it notes each row's line and tracking code in a
temporary *staging* table, and spills the checked rows, a block at a time, to an
unnamed temporary file.  The database then finds, in two statements, the codes that
appear twice in the file and those the centre already has — the two checks that
need every row at once, and that a set in memory would make grow with the file (and
with the centre).  Only when no row has a problem does the second pass read the
spilled blocks back and write them, each block asking the staging table which of
its lines are already present.  Spilling the checked rows, rather than reading and
checking the CSV again, saves the second check and writes what was checked even if
the file changes meanwhile; staging whole rows in the database instead would double
the writes of the transaction.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import pickle
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync.batching import collector_paused
from sync.dates import utcnow
from sync.schema import new_id
from sync.server.archive_rows import (
    COLUMNS,
    ArchiveError,
    Codes,
    RowChecker,
    column_positions,
    tracking_code_of,
)
from sync.server.bulk_insert import insert_rows
from sync.server.changes import Entry, log_changes
from sync.server.db import allocate_seq
from sync.server.models import Category, ChangeLog, Event, ServiceRequest
from sync.server.tracking import reserve_existing
from sync.workflow import EventKind, Role, Status

__all__ = ["COLUMNS", "IMPORT_ACTOR", "ArchiveError", "ImportResult", "Problem",
           "import_archive", "read_archive"]

IMPORT_ACTOR = "import"
#: Rows checked, staged or written per block.
BLOCK = 5000
#: The longest physical line read (a cell may not be longer than csv's own limit).
_MAX_LINE_BYTES = 1 << 20


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


# ------------------------------------------------------------------------ reading


def read_archive(path: str | Path) -> tuple[dict[str, int], Iterator[_Record]]:
    """The column positions named by the header, and the non-blank data rows as they
    are read (the file stays open until they are all read)."""
    lines = _lines(Path(path))
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise ArchiveError(f"{path} is empty: it needs a header row ({','.join(COLUMNS)})")
        positions = column_positions(header)
    except csv.Error as exc:
        raise ArchiveError(f"{path}, line {reader.line_num}: not valid CSV ({exc})") from None
    except BaseException:
        lines.close()
        raise
    return positions, _records(reader, path)


def _lines(path: Path) -> Iterator[str]:
    """The file's lines, decoded one by one (a UTF-8 character never holds a newline
    byte), so that a byte that is not UTF-8 is named by its line."""
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise ArchiveError(f"cannot read {path}: {exc.strerror or exc}") from None
    with stream:
        number = 0
        while raw := stream.readline(_MAX_LINE_BYTES):
            number += 1
            if len(raw) == _MAX_LINE_BYTES and not raw.endswith(b"\n"):
                raise ArchiveError(f"{path}, line {number}: a line longer than "
                                   f"{_MAX_LINE_BYTES} bytes is not an archive row")
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                raise ArchiveError(
                    f"{path} is not UTF-8 text (line {number}): save it as UTF-8 CSV and "
                    "import again"
                ) from None


def _records(reader: Any, path: str | Path) -> Iterator[_Record]:
    """Data rows with their first line (a quoted field may span several lines)."""
    previous = reader.line_num
    try:
        for cells in reader:
            line, previous = previous + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                yield _Record(line, cells)
    except csv.Error as exc:
        raise ArchiveError(f"{path}, line {reader.line_num}: not valid CSV ({exc})") from None


def _blocks(records: Iterator[_Record]) -> Iterator[list[_Record]]:
    block: list[_Record] = []
    for record in records:
        block.append(record)
        if len(block) == BLOCK:
            yield block
            block = []
    if block:
        yield block


# ------------------------------------------------------------------------ staging


class _Staging:
    """The temporary table of the rows read: line, tracking code, and whether the
    row has problems of its own.  Lives in the import's connection and transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.table = sa.Table(
            "import_staging", sa.MetaData(),
            sa.Column("line", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("code", sa.String, nullable=False),
            sa.Column("bad", sa.Boolean, nullable=False),
            sa.Column("present", sa.Boolean, nullable=False, default=False),
            sa.Index("import_staging_code", "code"),
            prefixes=["TEMPORARY"],
        )

    def __enter__(self) -> _Staging:
        connection = self.session.connection()
        self.table.drop(connection, checkfirst=True)
        self.table.create(connection)
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.table.drop(self.session.connection())

    def add(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            insert_rows(self.session, self.table, [{**r, "present": False} for r in rows])

    def settle(self) -> None:
        """Mark the rows whose code the centre already has (one statement)."""
        t = self.table
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(sa.text(f"ANALYZE {t.name}"))
        self.session.execute(
            sa.update(t).where(t.c.code != "", sa.exists().where(
                ServiceRequest.tracking_code == t.c.code)).values(present=True))

    def repeated(self) -> list[tuple[int, str, int]]:
        """(line, code, first line) of every row whose code an earlier row has."""
        t = self.table
        first = (sa.select(t.c.code, sa.func.min(t.c.line).label("first"))
                 .where(t.c.code != "").group_by(t.c.code)
                 .having(sa.func.count() > 1).subquery())
        rows = self.session.execute(
            sa.select(t.c.line, t.c.code, first.c.first)
            .join(first, first.c.code == t.c.code).where(t.c.line > first.c.first)
            .order_by(t.c.line))
        return [(line, code, first_line) for line, code, first_line in rows]

    def present_lines(self, among: sa.ColumnElement[bool]) -> set[int]:
        t = self.table
        return set(self.session.scalars(sa.select(t.c.line).where(t.c.present, among)))

    def count_present_firsts(self) -> int:
        """Rows already at the centre, a code repeated in the file counted once."""
        t = self.table
        earlier = sa.alias(t)
        return self.session.scalar(
            sa.select(sa.func.count()).select_from(t).where(
                t.c.present,
                ~sa.exists().where(earlier.c.code == t.c.code, earlier.c.line < t.c.line))
        ) or 0

    def block(self, first: int, last: int) -> dict[int, tuple[str, bool]]:
        t = self.table
        rows = self.session.execute(
            sa.select(t.c.line, t.c.code, t.c.present).where(t.c.line.between(first, last)))
        return {line: (code, present) for line, code, present in rows}


# ------------------------------------------------------------------------ writing


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
    # An archived request past verification gets the deadline a referral gives (its
    # arrival plus its category's target days); one still received has none yet.
    days = dict(session.execute(sa.select(Category.code, Category.target_days)).all())
    for r in requests:
        r["due_at"] = None if r["status"] == Status.RECEIVED.value else \
            r["received_at"] + dt.timedelta(days=days.get(r["category_code"], 0))
    insert_rows(session, ServiceRequest.__table__, requests)
    insert_rows(session, Event.__table__, events)
    entries: list[Entry] = []
    for request, event in zip(requests, events):
        entries.append(Entry("request", str(request["id"]), request["district_code"]))
        entries.append(Entry("event", str(event["id"]), request["district_code"]))
    _log_changes(session, entries)
    reserve_existing(session, (r["tracking_code"] for r in requests))


def _log_changes(session: Session, entries: list[Entry]) -> None:
    """:func:`sync.server.changes.log_changes`, its rows written by :func:`insert_rows`
    (on SQLite, the change log's executemany costs as much as the requests')."""
    if session.connection().dialect.name != "sqlite":
        log_changes(session, entries)
        return
    first = allocate_seq(session, len(entries))
    insert_rows(session, ChangeLog.__table__, [
        {"seq": first + i, "entity": e.entity, "entity_key": e.key,
         "district_code": e.district_code, "op": e.op, "at": now}
        for now in [utcnow()]
        for i, e in enumerate(entries)])


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


# ------------------------------------------------------------------------- import


def import_archive(session: Session, path: str | Path, *, dry_run: bool = False) -> ImportResult:
    """Check every row of ``path`` and, when all are good and not ``dry_run``, write
    them in the caller's transaction.  Raises :class:`ArchiveError` for a file that
    is not an archive at all (unreadable, not UTF-8, wrong header)."""
    with collector_paused():
        return _import(session, path, dry_run=dry_run)


def _import(session: Session, path: str | Path, *, dry_run: bool) -> ImportResult:
    codes = Codes.load(session)
    if not codes.districts:
        raise ArchiveError(
            "the centre has no reference data: run `daftar-server reference load FILE.json` first"
        )
    positions, records = read_archive(path)
    checker = RowChecker(positions, codes)
    result = ImportResult(dry_run=dry_run)
    with _Staging(session) as staging, _Spill(keep=not dry_run) as spill:
        own = _check(records, positions, checker, staging, spill)
        staging.settle()
        repeated = staging.repeated()
        again = {line for line, _, _ in repeated}
        # A repeated row gets that one reason; a row already present is not checked.
        skipped = again | staging.present_lines(staging.table.c.bad)
        problems = [p for p in own if p.line not in skipped]
        problems += [Problem(line, f"tracking_code {code} is also on line {first}: "
                                   "each request may appear once")
                     for line, code, first in repeated]
        result.problems = sorted(problems, key=lambda p: p.line)
        result.already_present = staging.count_present_firsts()
        if result.problems:
            return result
        if dry_run:
            result.imported = _count_new(staging)
        else:
            result.imported = _write_all(session, spill, staging)
    return result


class _Spill:
    """The first pass's checked rows, pickled a block at a time to an unnamed
    temporary file (gone when closed), for the second pass to write.  Once a row has
    a problem nothing more is spilled: there will be no second pass."""

    def __init__(self, keep: bool) -> None:
        self.keep = keep
        self.file: Any = None

    def __enter__(self) -> _Spill:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.file is not None:
            self.file.close()

    def add(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        if not self.keep or not rows:
            return
        try:
            if self.file is None:
                self.file = tempfile.TemporaryFile(prefix="daftar-import-")
            pickle.dump(rows, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError as exc:
            raise ArchiveError(
                f"cannot write the import's temporary file in {tempfile.gettempdir()} "
                f"({exc.strerror or exc}): free some space there (or set TMPDIR) and import again"
            ) from None

    def blocks(self) -> Iterator[list[tuple[int, dict[str, Any]]]]:
        if self.file is None:
            return
        self.file.seek(0)
        while True:
            try:
                yield pickle.load(self.file)
            except EOFError:
                return


def _check(records: Iterator[_Record], positions: dict[str, int], checker: RowChecker,
           staging: _Staging, spill: _Spill) -> list[Problem]:
    """The first pass: each row's own problems; every row's line and code staged, and
    the checked rows spilled while none has a problem."""
    problems: list[Problem] = []
    at = positions["tracking_code"]
    for block in _blocks(records):
        staged = []
        checked = []
        for record in block:
            code = tracking_code_of(record.cells[at]) if len(record.cells) > at else ""
            row, reasons = checker.check(record.cells, code)
            problems.extend(Problem(record.line, reason) for reason in reasons)
            staged.append({"line": record.line, "code": code, "bad": bool(reasons)})
            checked.append((record.line, row))
        staging.add(staged)
        if problems:
            spill.keep = False
        spill.add(checked)
    return problems


def _count_new(staging: _Staging) -> int:
    t = staging.table
    return staging.session.scalar(
        sa.select(sa.func.count()).select_from(t).where(~t.c.present)) or 0


def _write_all(session: Session, spill: _Spill, staging: _Staging) -> int:
    """The second pass: the spilled rows the centre does not have, written a block
    at a time."""
    now = utcnow()
    written = 0
    for block in spill.blocks():
        staged = staging.block(block[0][0], block[-1][0])
        requests = [_new_request(row, now) for line, row in block if not staged[line][1]]
        if requests:
            _write(session, requests, now)
            written += len(requests)
    return written
