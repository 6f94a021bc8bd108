"""Engines for both ends: SQLite tuned the same way everywhere, PostgreSQL as is."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event


#: Pages of 4 KB.
WAL_AUTOCHECKPOINT_PAGES = 10_000


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    # WAL: readers never wait for the writer; survives a crash mid-write.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Copy the log into the database (and sync it to disk) every 40 MB of writes
    # rather than SQLite's default 4 MB: a first sync commits a page of a few MB at a
    # time, and checkpointing after each one wrote the same index pages out again
    # and again (2-4 s of a 100,000-request first sync).
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str | sa.URL, *, immediate: bool = True, **kwargs: Any) -> sa.Engine:
    """An engine for ``url``.  On SQLite every transaction starts with ``BEGIN
    IMMEDIATE`` (``immediate=True``, for engines that write): a deferred transaction
    that reads and then writes can fail with "database is locked" when another
    writer committed in between, whatever the busy timeout.  Read-only engines (the
    UI's table paging) pass ``immediate=False`` and never wait for a writer."""
    engine = sa.create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT;
        # take the transaction boundaries ourselves (SQLAlchemy docs, "Serializable
        # isolation / Savepoints / Transactional DDL" for pysqlite).
        @event.listens_for(engine, "connect")
        def _no_autobegin(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn: sa.Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
    return engine
