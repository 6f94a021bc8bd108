"""Reading the change log for an office: one page of state after a cursor.

The page is read in one snapshot (REPEATABLE READ on PostgreSQL, a read transaction
on SQLite).  First the log's high-water mark ``last`` is read, then the entries in
``(cursor, last]`` for the office's districts and the district-less reference
entries.  Log numbers commit in order (:class:`~sync.server.models.ChangeLog`), so
every entry up to ``last`` is visible and a page never passes over one that commits
later: that is what keeps an office's cursor gap-free under concurrent writers.

Entries name rows, the page carries the rows *as they stand* — each at most once,
whatever number of entries pointed at it — filtered by scope at the moment of
reading: a request (and its history) that is now another district's is sent as a key
in ``removed_requests``, never with its data.  The ``moved_out`` entry of a move is
just such a key; for an office that also serves the new district (or all districts)
the request is in scope and simply sent.

Rows are read straight into their wire form where it matters for speed: UUIDs,
instants and JSON come out of the database as the text the protocol sends
(:func:`_wire_column`), instead of as Python objects built for each value and
turned back into text by the JSON encoder (a first sync reads two million values).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from sync.dates import utcnow
from sync.protocol import (
    CREW_COLUMNS,
    EVENT_COLUMNS,
    PROTOCOL_VERSION,
    REFERENCE_KINDS,
    REQUEST_COLUMNS,
    TIME_COLUMNS,
    UUID_COLUMNS,
    PullResponse,
    Table,
)
from sync.server.auth import Scope
from sync.server.db import last_seq
from sync.server.models import ChangeLog, Crew, Event, ServiceRequest
from sync.server.reference_io import KINDS

#: Keys per ``IN (…)`` query: well inside every driver's parameter limit.
_CHUNK = 1000


class CursorAhead(Exception):
    """The office has seen more of the log than the centre holds (a restored centre)."""


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def _wire_column(column: sa.Column[Any], dialect: str) -> sa.ColumnElement[Any]:
    """``column`` as the database should hand it over: UUIDs as canonical text,
    instants as UTC ISO 8601 with ``Z`` and microseconds, JSON as its text; other
    columns as they are.  (SQLite stores a UUID as 32 hex digits and an instant as
    naive UTC text, ``2026-03-21 06:30:00.000000``.)"""
    text = sa.type_coerce(column, sa.Text)
    if column.name in UUID_COLUMNS and isinstance(column.type, sa.Uuid):
        if dialect != "sqlite":
            return sa.cast(column, sa.Text)
        parts = [sa.func.substr(text, start, length)
                 for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))]
        return sa.func.lower(parts[0] + "-" + parts[1] + "-" + parts[2] + "-" + parts[3] + "-" + parts[4])
    if column.name in TIME_COLUMNS:
        if dialect != "sqlite":
            return sa.func.to_char(sa.func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        return sa.func.replace(text, " ", "T") + "Z"
    if isinstance(column.type, sa.JSON):
        return text if dialect == "sqlite" else sa.cast(column, sa.Text)
    return column


def _json(text: str | None) -> Any:
    return {} if text == "{}" else None if text is None else json.loads(text)


def _select_rows(session: Session, table: sa.Table, columns: Sequence[str], key: str,
                 keys: Sequence[Any], *, district: sa.ColumnElement[Any] | None = None,
                 ) -> list[list[Any]]:
    """The rows of ``table`` whose ``key`` is in ``keys``, in wire form; with
    ``district``, each row ends with its request's district (events carry none of
    their own)."""
    dialect = session.get_bind().dialect.name
    query = sa.select(*(_wire_column(table.c[c], dialect) for c in columns))
    if district is not None:
        query = query.add_columns(district).join_from(table, district.table)
    parsed = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, sa.JSON)]
    if dialect == "postgresql":
        # One array parameter for all the keys: no statement with a thousand binds to
        # build, send and plan again for every thousand keys.
        keyed = table.c[key] == sa.any_(sa.bindparam("keys", type_=postgresql.ARRAY(table.c[key].type)))
        wheres = [(keyed, {"keys": list(keys)})] if keys else []
    else:
        wheres = [(table.c[key].in_(chunk), {}) for chunk in _chunks(keys)]
    rows: list[list[Any]] = []
    for where, params in wheres:
        for row in session.execute(query.where(where), params):
            values = list(row)
            for i in parsed:
                values[i] = _json(values[i])
            rows.append(values)
    return rows


def _reference(session: Session, keys: dict[str, None]) -> dict[str, Table]:
    by_kind: dict[str, list[str]] = {}
    for key in keys:
        kind, _, code = key.partition(":")
        by_kind.setdefault(kind, []).append(code)
    out: dict[str, Table] = {}
    for kind in REFERENCE_KINDS:
        codes = by_kind.get(kind)
        if not codes:
            continue
        table = KINDS[kind].__table__
        (pk,) = table.primary_key.columns
        typed = [int(c) for c in codes] if isinstance(pk.type, sa.Integer) else codes
        columns = [c.name for c in table.columns]
        out[kind] = Table(columns=columns, rows=_select_rows(session, table, columns, pk.name, typed))
    return out


def read_page(session: Session, scope: Scope, cursor: int, limit: int) -> PullResponse:
    """The page after ``cursor`` of at most ``limit`` log entries, for ``scope``."""
    last = last_seq(session)
    if cursor > last:
        raise CursorAhead(f"cursor {cursor} is past the centre's last change {last}")
    query = sa.select(ChangeLog.seq, ChangeLog.entity, ChangeLog.entity_key).where(
        ChangeLog.seq > cursor, ChangeLog.seq <= last
    )
    if not scope.all_districts:
        query = query.where(sa.or_(ChangeLog.district_code.in_(sorted(scope.districts)),
                                   ChangeLog.district_code.is_(None)))
    entries = session.execute(query.order_by(ChangeLog.seq).limit(limit)).all()
    next_cursor = entries[-1].seq if len(entries) == limit else last

    # Each entity once; dicts keep the log's order for a stable page.
    keys: dict[str, dict[str, None]] = {"request": {}, "event": {}, "crew": {}, "reference": {}}
    for entry in entries:
        keys.setdefault(entry.entity, {})[entry.entity_key] = None

    page = PullResponse.model_construct(
        protocol_version=PROTOCOL_VERSION, cursor=cursor, next_cursor=next_cursor,
        last_seq=last, has_more=next_cursor < last, server_time=utcnow(),
        reference=_reference(session, keys["reference"]),
        crews=Table(columns=list(CREW_COLUMNS)), requests=Table(columns=list(REQUEST_COLUMNS)),
        events=Table(columns=list(EVENT_COLUMNS)), removed_requests=[],
    )
    crews = _select_rows(session, Crew.__table__, CREW_COLUMNS, "id",
                         [uuid.UUID(k) for k in keys["crew"]])
    district_at = CREW_COLUMNS.index("district_code")
    page.crews.rows = [r for r in crews if scope.covers(r[district_at])]

    requests = _select_rows(session, ServiceRequest.__table__, REQUEST_COLUMNS, "id",
                            [uuid.UUID(k) for k in keys["request"]])
    district_at = REQUEST_COLUMNS.index("district_code")
    for row in requests:
        if scope.covers(row[district_at]):
            page.requests.rows.append(row)
        else:
            page.removed_requests.append(uuid.UUID(row[0]))

    events = _select_rows(session, Event.__table__, EVENT_COLUMNS, "id",
                          [uuid.UUID(k) for k in keys["event"]],
                          district=ServiceRequest.__table__.c.district_code)
    page.events.rows = [r[:-1] for r in events if scope.covers(r[-1])]
    return page
