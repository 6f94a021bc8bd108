"""Counters of requests by status and by every other column the desk's counts
filter on, kept right by triggers, so that the counts beside the table cost a sum
over a few thousand rows instead of a pass over a million index entries.

``request_counts`` (:class:`desktop_app.store.models.RequestCount`) holds one row
per (status, category, neighbourhood, crew, channel) that some request has, with
how many have it; a request without a neighbourhood or a crew counts under ``''``
(SQLite's NULLs are never equal, so they could not be a key).  Measured on a
million requests with another process loading the machine (bench_ui.py
``--counts-tradeoff``): the counts with no filter, or one of those columns chosen,
take 12-19 ms from the counters and 490-530 ms from ``ix_requests_by_status``.

The counters are derived data, like the search index (:mod:`desktop_app.store.fts`):
the migration makes the empty table, and :func:`ensure_counts` — on every open and
after a bulk write — fills it and makes its triggers in one transaction.  Hence the
rule the readers rely on: **while the triggers exist, the counters are right**
(:func:`counts_ready`).  Whatever drops them — a batch migration that copies
``requests``, a bulk write (:func:`suspend_counts`) — leaves the readers counting
from the index until :func:`ensure_counts` recounts.

Why a bulk write sets them aside: a trigger a row doubled the cost of inserting
100,000 requests into a table without its other indexes (bench_ui.py
``--counts-tradeoff``: 9.1 -> 20.8 s under load), where counting the finished table
once costs a fraction of a second per 100,000.
"""

from __future__ import annotations

import sqlalchemy as sa

COUNTS_TABLE = "request_counts"

#: The columns of a counter's key, as the requests table names them.
KEY_COLUMNS = ("status", "category_code", "neighbourhood_code", "crew_id", "channel")

_NEW = ", ".join(f"coalesce(new.{c}, '')" for c in KEY_COLUMNS)
_OLD_KEY = " AND ".join(f"{c} = coalesce(old.{c}, '')" for c in KEY_COLUMNS)
_CHANGED = " OR ".join(f"old.{c} IS NOT new.{c}" for c in KEY_COLUMNS)
_ADD = (f"INSERT INTO {COUNTS_TABLE} ({', '.join(KEY_COLUMNS)}, n) VALUES ({_NEW}, 1) "
        f"ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET n = n + 1;")
_TAKE = f"UPDATE {COUNTS_TABLE} SET n = n - 1 WHERE {_OLD_KEY};"

TRIGGERS = {
    f"{COUNTS_TABLE}_ai": f"CREATE TRIGGER {COUNTS_TABLE}_ai AFTER INSERT ON requests BEGIN {_ADD} END",
    f"{COUNTS_TABLE}_ad": f"CREATE TRIGGER {COUNTS_TABLE}_ad AFTER DELETE ON requests BEGIN {_TAKE} END",
    f"{COUNTS_TABLE}_au": (
        f"CREATE TRIGGER {COUNTS_TABLE}_au AFTER UPDATE OF {', '.join(KEY_COLUMNS)} ON requests "
        f"WHEN {_CHANGED} BEGIN {_TAKE} {_ADD} END"
    ),
}


def _triggers_there(conn: sa.Connection) -> int:
    return conn.exec_driver_sql(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?, ?)",
        tuple(TRIGGERS)).scalar_one()


def _table_there(conn: sa.Connection) -> bool:
    return conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                (COUNTS_TABLE,)).first() is not None


def counts_ready(conn: sa.Connection) -> bool:
    """Whether the counters may be read: all their triggers exist (they are made in
    the transaction that counts, and dropped in any that stops keeping them)."""
    return conn.dialect.name == "sqlite" and _triggers_there(conn) == len(TRIGGERS)


def suspend_counts(conn: sa.Connection) -> None:
    """Stop keeping the counters (for a bulk write), in the caller's transaction;
    readers count from the index until :func:`ensure_counts`."""
    for name in TRIGGERS:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def recount(conn: sa.Connection) -> None:
    """Count every request again and make the triggers, in the caller's transaction."""
    suspend_counts(conn)
    conn.exec_driver_sql(f"DELETE FROM {COUNTS_TABLE}")
    key = ", ".join(f"coalesce({c}, '')" for c in KEY_COLUMNS)
    conn.exec_driver_sql(f"INSERT INTO {COUNTS_TABLE} ({', '.join(KEY_COLUMNS)}, n) "
                         f"SELECT {key}, count(*) FROM requests GROUP BY {key}")
    for ddl in TRIGGERS.values():
        conn.exec_driver_sql(ddl)


def ensure_counts(conn: sa.Connection) -> bool:
    """Recount unless the counters are :func:`counts_ready` (a look at the schema
    when they are).  A no-op on other databases, or before the migration that
    makes the table.  True when it counted."""
    if conn.dialect.name != "sqlite" or counts_ready(conn) or not _table_there(conn):
        return False
    recount(conn)
    return True
