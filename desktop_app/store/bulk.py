"""Rows from the centre written in bulk to the office's SQLite database.

A first sync brings every request of the office's districts, and each pulled page
is one transaction, so rows go in with ``executemany`` on the raw connection: a
plain ``INSERT`` for rows the office does not have and ``INSERT … ON CONFLICT DO
UPDATE`` for those it has, never one ORM object per row.  Values are turned into
SQLAlchemy's SQLite storage form here, a column at a time (UUIDs as 32 hex digits,
instants as naive UTC text), so the ORM reads these rows back exactly as if it had
written them (tests/desktop_app/store/test_bulk.py holds the two forms together).
Rows are prepared (:func:`prepare_rows`) without touching the database, so a page
can be made ready before the transaction that writes it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop_app.store import models as m
from sync.client.errors import SyncError
from sync.dates import UTC
from sync.protocol import TIME_COLUMNS, UUID_COLUMNS, Table
from sync.text import SEARCH_TEXT_FIELDS, search_text


def _sqlite_uuids(values: Sequence[str | None]) -> list[str | None]:
    # The wire's canonical form, minus dashes: what sa.Uuid stores on SQLite.
    return [None if v is None else v.replace("-", "").lower() for v in values]


def _sqlite_time(value: str | None) -> str | None:
    if value is None:
        return None
    if value[-1:] == "Z" and value[10:11] == "T" and len(value) == 20:
        return f"{value[:10]} {value[11:19]}.000000"
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"instant without an offset: {value!r}")
    # UTCDateTime stores naive UTC; SQLAlchemy's SQLite DATETIME text form.
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_times(values: Sequence[str | None]) -> list[str | None]:
    # The centre's own form (UTC, ``Z``, microseconds) by slicing, in the loop itself:
    # a first sync meets half a million of these.  Anything else the long way.
    return [v[:10] + " " + v[11:26] if v is not None and len(v) == 27 and v[26] == "Z" and v[10] == "T"
            else _sqlite_time(v) for v in values]


def _sqlite_jsons(values: Sequence[Any]) -> list[str]:
    return [json.dumps(v) if v else "{}" for v in values]


def _storage_form(column: str, table: sa.Table) -> Callable[[Sequence[Any]], list[Any]] | None:
    """What turns a column of wire values into SQLite's storage form, if anything."""
    if column in UUID_COLUMNS:
        return _sqlite_uuids
    if column in TIME_COLUMNS:
        return _sqlite_times
    if isinstance(table.c[column].type, sa.JSON):
        return _sqlite_jsons
    return None


@dataclass(frozen=True)
class Rows:
    """Rows for one local table, already in SQLite's storage form: one
    ``INSERT`` (and ``ON CONFLICT DO UPDATE`` for the rows the office has) away from
    the database.  Made without touching the database, so a page can be prepared
    while the one before it is written."""

    table: str
    columns: tuple[str, ...]
    values: list[tuple[Any, ...]]
    #: Overwrite a known row only by one at least as new (requests, crews).
    versioned: bool = False

    def column(self, name: str) -> list[Any]:
        at = self.columns.index(name)
        return [row[at] for row in self.values]

    def without(self, ids: set[str]) -> Rows:
        """These rows minus those whose id (UUID hex) is in ``ids``."""
        if not ids or not self.values:
            return self
        at = self.columns.index("id")
        return replace(self, values=[row for row in self.values if row[at] not in ids])

    def known(self, session: Session) -> set[str]:
        """The keys of these rows that the office's table holds already."""
        if not self.values:
            return set()
        key = self._key()
        at = self.columns.index(key)
        return set(session.connection().exec_driver_sql(
            f"SELECT {key} FROM {self.table} WHERE {key} IN (SELECT value FROM json_each(?))",
            (json.dumps([row[at] for row in self.values]),)).scalars())

    def _key(self) -> str:
        (key,) = [c.name for c in m.Base.metadata.tables[self.table].primary_key.columns]
        return key

    def write(self, session: Session, known: set[str] | None = None) -> None:
        """Insert the rows the office does not have and update those it has (``known``,
        if the caller has asked already).  Two statements rather than one upsert for
        all: SQLite's upsert costs more than a plain insert for a new row, and a
        first sync's rows are all new."""
        if not self.values:
            return
        conn = session.connection()
        key = self._key()
        at = self.columns.index(key)
        known = set(self.known(session) if known is None else known)
        new: list[tuple[Any, ...]] = []
        old: list[tuple[Any, ...]] = []
        for row in self.values:
            if row[at] in known:
                old.append(row)
            else:
                new.append(row)
                known.add(row[at])  # the same key twice: the second one updates
        insert = (f"INSERT INTO {self.table} ({', '.join(self.columns)}) "
                  f"VALUES ({', '.join('?' * len(self.columns))})")
        if new:
            conn.exec_driver_sql(insert, new)
        if old:
            others = [c for c in self.columns if c != key]
            updates = ", ".join(f"{c} = excluded.{c}" for c in others)
            # A row that comes back as it is (the centre logs an entity again with
            # every answer it gives) is left alone: an update rewrites the row's
            # entry in every index, changed or not.
            where = [f"({' OR '.join(f'{self.table}.{c} IS NOT excluded.{c}' for c in others)})"]
            if self.versioned:
                where.insert(0, f"excluded.version >= {self.table}.version")
            conn.exec_driver_sql(
                f"{insert} ON CONFLICT ({key}) DO UPDATE SET {updates} WHERE {' AND '.join(where)}", old)


@dataclass(frozen=True)
class DerivedColumn:
    """A local column computed from travelling ones: ``function(*arguments)``."""

    column: str
    arguments: tuple[str, ...]
    function: Callable[..., Any]


#: The office's search column, from the fields a clerk searches by.
SEARCH_TEXT = DerivedColumn("search_text", SEARCH_TEXT_FIELDS, search_text)


def prepare_rows(table_name: str, table: Table, *, versioned: bool = False,
                 derived: DerivedColumn | None = None) -> Rows:
    """``table``'s rows for the local table of that name.  Columns the office does not
    know (a newer centre's) are left out.  Worked column by column: a converter runs
    over one column's values, and the rows are taken apart and put together again
    by ``zip`` (a first sync meets two million values)."""
    local = m.Base.metadata.tables[table_name]
    # A derived column is made here, whatever a column of that name says.
    keep = [i for i, c in enumerate(table.columns) if c in local.c and not (derived and c == derived.column)]
    names = tuple([table.columns[i] for i in keep] + ([derived.column] if derived else []))
    if not table.rows:
        return Rows(table_name, names, [], versioned)
    try:
        given = list(zip(*table.rows, strict=True))
    except ValueError:
        given = []
    if len(given) != len(table.columns):
        raise SyncError("bad_response", f"the centre's {table_name} rows do not match their columns")
    columns: list[Sequence[Any]] = []
    for i in keep:
        convert = _storage_form(table.columns[i], local)
        columns.append(given[i] if convert is None else convert(given[i]))
    if derived:
        arguments = [given[table.columns.index(c)] for c in derived.arguments]
        columns.append([derived.function(*values) for values in zip(*arguments)])
    return Rows(table_name, names, list(zip(*columns)), versioned)


def upsert(session: Session, table_name: str, table: Table, *, versioned: bool = False) -> None:
    """Write ``table``'s rows to the local table of that name, at once."""
    prepare_rows(table_name, table, versioned=versioned).write(session)


def table_of(rows: Sequence[dict[str, Any]]) -> Table:
    """Rows given as dicts (the centre's answers), as a :class:`Table`."""
    columns = list(rows[0]) if rows else []
    return Table(columns=columns, rows=[[row.get(c) for c in columns] for row in rows])
