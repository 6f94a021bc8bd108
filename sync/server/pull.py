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

Each table's rows are read by one statement that joins the log's entries in
``(cursor, next_cursor]`` to the table (:func:`_select_rows`): the keys never pass
through Python, and no statement carries a thousand parameters.  Rows come straight
in their wire form where it matters for speed: UUIDs,
instants and JSON come out of the database as the text the protocol sends
(:func:`_wire_column`), instead of as Python objects built for each value and
turned back into text by the JSON encoder (a first sync reads two million values).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync.batching import chunks
from sync.dates import utcnow
from sync.protocol import (
    ATTACHMENT_COLUMNS,
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
from sync.server.models import Attachment, ChangeLog, Crew, Event, ServiceRequest
from sync.server.reference_io import KINDS
from sync.text import SEARCH_TEXT_FIELDS, SEARCH_TEXT_RULES, search_text

#: Keys per ``IN (…)`` query: well inside every driver's parameter limit.
_CHUNK = 1000


class CursorAhead(Exception):
    """The office has seen more of the log than the centre holds (a restored centre)."""


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


def _key_expression(key: sa.ColumnElement[Any], column: sa.Column[Any], dialect: str,
                    ) -> sa.ColumnElement[Any]:
    """A log entry's key (a UUID's canonical text) as ``column`` stores it, so that the
    database joins log and table itself: 32 hex digits on SQLite, ``uuid`` on PostgreSQL."""
    if dialect == "sqlite":
        return sa.func.replace(key, "-", "")
    return sa.cast(key, column.type)


def _entries(entity: str, cursor: int, upto: int, scope: Scope) -> sa.Subquery:
    """The keys of ``entity`` logged in ``(cursor, upto]`` for ``scope``, each once,
    with the first position it was logged at (a page keeps the log's order)."""
    query = sa.select(ChangeLog.entity_key.label("key"), sa.func.min(ChangeLog.seq).label("first")) \
        .where(ChangeLog.entity == entity, ChangeLog.seq > cursor, ChangeLog.seq <= upto)
    return _in_scope(query, scope).group_by(ChangeLog.entity_key).subquery(entity)


def _in_scope(query: sa.Select[Any], scope: Scope) -> sa.Select[Any]:
    if scope.all_districts:
        return query
    return query.where(sa.or_(ChangeLog.district_code.in_(sorted(scope.districts)),
                              ChangeLog.district_code.is_(None)))


def _select_rows(session: Session, table: sa.Table, columns: Sequence[str], entries: sa.Subquery,
                 scope: Scope, *, district: sa.ColumnElement[Any] | None = None) -> list[list[Any]]:
    """The rows of ``table`` that ``entries`` name, in wire form, in log order; with
    ``district`` (a request's, for rows that carry none of their own), only those of
    the requests ``scope`` covers — decided by the database, and not asked at all for
    an office of every district.  One statement: the log's keys never pass through
    Python."""
    dialect = session.get_bind().dialect.name
    key = table.c.id
    selected = [_wire_column(table.c[c], dialect) for c in columns]
    query = sa.select(*selected) \
        .join_from(entries, table, key == _key_expression(entries.c.key, key, dialect))
    if district is not None and not scope.all_districts:
        query = query.join(district.table, table.c.request_id == district.table.c.id) \
            .where(district.in_(sorted(scope.districts)))
    parsed = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, sa.JSON)]
    rows = _fetch_all(session.connection(), query.order_by(entries.c.first), selected)
    for values in rows if parsed else ():
        for i in parsed:
            text = values[i]
            values[i] = {} if text == "{}" else None if text is None else json.loads(text)
    return rows


def _fetch_all(conn: sa.Connection, query: sa.Select[Any], selected: Sequence[sa.ColumnElement[Any]],
               ) -> list[list[Any]]:
    """``query``'s rows as lists, through the driver's own cursor: one ``fetchall``,
    then SQLAlchemy's conversion of a column's values where its type has one (as its
    own results would: by the driver's type code), column by column.  A first sync
    reads 300,000 rows, and SQLAlchemy's row objects, made one ``fetchone`` at a
    time, were a sixth of the centre's work for a page."""
    dialect = conn.dialect
    # Executed as SQLAlchemy executes it (bound parameters, its statement cache);
    # only the rows are read from the driver's cursor rather than through Row objects.
    result = conn.execute(query)
    try:
        rows = [list(row) for row in result.cursor.fetchall()]
        codes = [column[1] for column in result.cursor.description]
    finally:
        result.close()
    for at, (expression, code) in enumerate(zip(selected, codes, strict=True)):
        convert = expression.type.dialect_impl(dialect).result_processor(dialect, code)
        if convert is not None:
            for row in rows:
                row[at] = convert(row[at])
    return rows


def _select_keyed(session: Session, table: sa.Table, columns: Sequence[str], key: str,
                  keys: Sequence[Any]) -> list[list[Any]]:
    """The rows of ``table`` whose ``key`` is in ``keys``, in wire form (reference
    rows: a handful, keyed by code)."""
    dialect = session.get_bind().dialect.name
    query = sa.select(*(_wire_column(table.c[c], dialect) for c in columns))
    return [list(row) for chunk in chunks(keys, _CHUNK)
            for row in session.connection().execute(query.where(table.c[key].in_(chunk)))]


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
        out[kind] = Table(columns=columns, rows=_select_keyed(session, table, columns, pk.name, typed))
    return out


def has_changes(session: Session, scope: Scope, cursor: int, last: int) -> bool:
    """Whether a pull after ``cursor`` would bring ``scope`` anything: an entry for
    its districts (or every office) in ``(cursor, last]``, or a cursor past ``last``
    (the centre was restored from an older copy: the pull's answer says so).  One
    probe of ``ix_change_log_district_seq`` per district: an idle office's poll costs
    the centre this and nothing else."""
    if cursor > last:
        return True
    if cursor == last:
        return False
    probe = _in_scope(sa.select(ChangeLog.seq).where(ChangeLog.seq > cursor, ChangeLog.seq <= last),
                      scope).limit(1)
    return session.scalar(probe) is not None


def read_page(session: Session, scope: Scope, cursor: int, limit: int, *,
              search_text_rules: int | None = None) -> PullResponse:
    """The page after ``cursor`` of at most ``limit`` log entries, for ``scope``.

    With ``search_text_rules`` equal to the centre's :data:`~sync.text.SEARCH_TEXT_RULES`,
    each request row ends with its search text, in a ``search_text`` column, and the
    page says so (``search_text_rules``): the office then need not make 100,000 of
    them on a first sync.  Other rules get no such column, and the office makes its own."""
    last = last_seq(session)
    if cursor > last:
        raise CursorAhead(f"cursor {cursor} is past the centre's last change {last}")
    # The page ends at its ``limit``-th entry in scope, or at the log's end.
    boundary = session.scalar(_in_scope(sa.select(ChangeLog.seq).where(
        ChangeLog.seq > cursor, ChangeLog.seq <= last), scope)
        .order_by(ChangeLog.seq).offset(limit - 1).limit(1))
    next_cursor = last if boundary is None else boundary

    reference = _in_scope(sa.select(ChangeLog.entity_key).where(
        ChangeLog.entity == "reference", ChangeLog.seq > cursor, ChangeLog.seq <= next_cursor), scope)
    with_text = search_text_rules is not None and search_text_rules == SEARCH_TEXT_RULES
    page = PullResponse.model_construct(
        protocol_version=PROTOCOL_VERSION, cursor=cursor, next_cursor=next_cursor,
        last_seq=last, has_more=next_cursor < last, server_time=utcnow(),
        reference=_reference(session, dict.fromkeys(session.scalars(reference.order_by(ChangeLog.seq)))),
        crews=Table(columns=list(CREW_COLUMNS)),
        requests=Table(columns=[*REQUEST_COLUMNS, *(["search_text"] if with_text else [])]),
        events=Table(columns=list(EVENT_COLUMNS)),
        attachments=Table(columns=list(ATTACHMENT_COLUMNS)), removed_requests=[],
        search_text_rules=SEARCH_TEXT_RULES if with_text else None,
    )
    crews = _select_rows(session, Crew.__table__, CREW_COLUMNS,
                         _entries("crew", cursor, next_cursor, scope), scope)
    district_at = CREW_COLUMNS.index("district_code")
    page.crews.rows = [r for r in crews if scope.covers(r[district_at])]

    requests = _select_rows(session, ServiceRequest.__table__, REQUEST_COLUMNS,
                            _entries("request", cursor, next_cursor, scope), scope)
    district_at = REQUEST_COLUMNS.index("district_code")
    texts = [REQUEST_COLUMNS.index(c) for c in SEARCH_TEXT_FIELDS] if with_text else []
    for row in requests:
        if scope.covers(row[district_at]):
            if texts:
                row.append(search_text(*[row[i] for i in texts]))
            page.requests.rows.append(row)
        else:
            page.removed_requests.append(uuid.UUID(row[0]))

    page.events.rows = _select_rows(session, Event.__table__, EVENT_COLUMNS,
                                    _entries("event", cursor, next_cursor, scope), scope,
                                    district=ServiceRequest.__table__.c.district_code)

    # Attachments as events: by their request's district now.  Metadata only; the
    # bytes are fetched by hash (GET /sync/blobs/{sha256}), never in a page.
    page.attachments.rows = _select_rows(session, Attachment.__table__, ATTACHMENT_COLUMNS,
                                         _entries("attachment", cursor, next_cursor, scope), scope,
                                         district=ServiceRequest.__table__.c.district_code)
    return page
