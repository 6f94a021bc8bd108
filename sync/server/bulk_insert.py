"""Many rows into one table of the centre in one statement, on either database.

SQLAlchemy's ``executemany`` runs every value of every row through its column
type's bind processor, one call per value; for an archive of a million requests
that bookkeeping costs more than SQLite's own work.  On SQLite, :func:`insert_rows`
therefore turns the values into SQLAlchemy's SQLite storage form itself, a column
at a time (UUIDs as 32 hex digits, instants as naive UTC text with microseconds,
other types through the type's own bind processor, taken once per column), and
hands the tuples to the driver's ``executemany``.  What is stored is exactly what
SQLAlchemy would store (tests/sync/server/test_importer.py reads both back through
the ORM).  On any other database the rows go through SQLAlchemy as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync.dates import UTC
from sync.schema import UTCDateTime

Converter = Callable[[list[Any]], list[Any]]


def _uuids(values: list[Any]) -> list[Any]:
    return [None if v is None else v.hex for v in values]


def _instant(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: store instants with their offset")
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return (f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
            f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}")


def _instants(values: list[Any]) -> list[Any]:
    # A block's rows share their write time: convert a repeated value once.
    out: list[Any] = []
    last: Any = None
    text: Any = None
    for v in values:
        if v is not last:
            last, text = v, None if v is None else _instant(v)
        out.append(text)
    return out


def _processed(process: Callable[[Any], Any]) -> Converter:
    return lambda values: [process(v) for v in values]


def _converter(column: sa.Column[Any], dialect: sa.Dialect) -> Converter | None:
    kind = column.type
    if isinstance(kind, sa.Uuid) and kind.as_uuid:  # SQLite has no native UUID: CHAR(32)
        return _uuids
    if isinstance(kind, UTCDateTime):
        return _instants
    process = kind._cached_bind_processor(dialect)  # noqa: SLF001 — what executemany runs
    return None if process is None else _processed(process)


def insert_rows(session: Session, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts naming the same columns of ``table``) in one ``executemany``."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "sqlite":
        session.execute(sa.insert(table), rows)
        return
    names = list(rows[0])
    columns: list[list[Any]] = []
    for name in names:
        values = [row[name] for row in rows]
        convert = _converter(table.c[name], dialect)
        columns.append(values if convert is None else convert(values))
    quoted = ", ".join(dialect.identifier_preparer.quote(n) for n in names)
    connection.exec_driver_sql(
        f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({quoted}) "
        f"VALUES ({', '.join('?' * len(names))})",
        list(zip(*columns)))
