"""The office's data folder and its database.

Opening a data folder creates it if needed and migrates its database to the
current schema, after copying the old file aside (``office.sqlite3.bak-<rev>``) so
that an upgrade can never cost an office its data.

Indexes set aside for a bulk write
----------------------------------
Keeping a table's indexes up to date row by row costs more than building them once
from the finished table: a first sync of 100,000 requests spent 2.5 s of its time on
them, and building them afterwards takes half a second.  A bulk writer (sync's
pull) calls :func:`suspend_indexes` in its first transaction — the plain indexes of
the tables go, and their SQL is kept in ``sync_state`` in the same transaction — and
:func:`restore_indexes` once its last is in.  Should it never get there (a
crash, a network that stays down), :func:`open_store` makes them again before
anything else, so an office never runs on without them for longer than the
writer's own run.  Whatever indexes the schema has, these functions read them
from SQLite itself.  The search index is set aside too and made again afterwards, a
range of rows a transaction (:func:`~desktop_app.store.fts.set_aside`), and so are
the status counters (:func:`~desktop_app.store.status_counts.suspend_counts`).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.store.folder import DB_NAME, data_folder, default_data_dir  # noqa: F401 - re-exported
from desktop_app.store.fts import (
    FTS_CONTENT,
    build_step,
    crowded,
    defer_merging,
    ensure_fts,
    merge_step,
    resume_merging,
    set_aside,
)
from desktop_app.store.status_counts import ensure_counts, suspend_counts
from sync import migrate
from sync.db import make_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@dataclass
class Store:
    """An opened office data folder."""

    folder: Path
    engine: sa.Engine
    sessions: sessionmaker[Session]

    @property
    def db_path(self) -> Path:
        return self.folder / DB_NAME

    def close(self) -> None:
        self.engine.dispose()

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        """A session that only reads, on its own engine with a plain ``BEGIN``: the
        store's engine begins every transaction IMMEDIATE, which would hold the
        write lock — and hold up a sync — for as long as a long report reads."""
        engine = make_engine(f"sqlite:///{self.db_path}", immediate=False)
        try:
            with Session(engine) as session:
                yield session
        finally:
            engine.dispose()


def backup_file(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite file (the backup API, safe while in use)."""
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


#: ``sync_state`` key: ``[[name, sql], …]`` of the indexes a bulk write set aside.
SUSPENDED_INDEXES = "suspended_indexes"


def _suspended_sql(conn: sa.Connection) -> list[list[str]] | None:
    value = conn.exec_driver_sql("SELECT value FROM sync_state WHERE key = ?",
                                 (SUSPENDED_INDEXES,)).scalar()
    return None if value is None else json.loads(value)


def indexes_suspended(conn: sa.Connection) -> bool:
    """Whether a bulk write has set indexes aside (and not made them again yet)."""
    return _suspended_sql(conn) is not None


def suspend_indexes(conn: sa.Connection, tables: Sequence[str]) -> None:
    """Drop the plain indexes of ``tables`` for a bulk write, in the caller's
    transaction, remembering their SQL there too.  Unique indexes stay (they are
    rules, not just speed), and so do primary keys.  When ``requests`` is among
    ``tables``, the search index and the status counters are set aside too.  A
    no-op when indexes are set aside already."""
    if _suspended_sql(conn) is not None:
        return
    plain: list[list[str]] = []
    for table in tables:
        for _seq, name, unique, origin, _partial in conn.exec_driver_sql(f'PRAGMA index_list("{table}")'):
            if origin == "c" and not unique:
                plain.append([name, conn.exec_driver_sql(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)).scalar_one()])
    conn.exec_driver_sql("INSERT INTO sync_state (key, value) VALUES (?, ?)",
                         (SUSPENDED_INDEXES, json.dumps(plain)))
    for name, _sql in plain:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    if FTS_CONTENT in tables:
        defer_merging(conn)
        set_aside(conn)  # the search index is made again after the write, by rowid ranges
        suspend_counts(conn)  # a trigger a row; counted once the bulk write is in


def set_aside_waiting(engine: sa.Engine) -> bool:
    """Whether a bulk write left indexes set aside, read outside any transaction:
    the office engine's transactions take the write lock, and the answer must not
    wait for a sync that another process is running in the folder."""
    raw = engine.raw_connection()
    try:
        db = raw.driver_connection
        if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sync_state'").fetchone() is None:
            return False
        return db.execute("SELECT 1 FROM sync_state WHERE key = ?", (SUSPENDED_INDEXES,)).fetchone() is not None
    finally:
        raw.close()


def restore_indexes(engine: sa.Engine) -> bool:
    """Make again the indexes :func:`suspend_indexes` set aside (those that nobody
    made meanwhile), and let the search index merge again, an index (or a step of
    merging the search index) a transaction: other writers (the desk, saving a
    walk-in while a first sync ends) wait for one at a time, never for all of them —
    on a million requests, an index takes about a second to make.  Each step reads
    afresh what is left, so a crash or another process in between changes nothing.
    Without anything set aside it takes no lock at all.  True if there was anything."""
    if not set_aside_waiting(engine):
        return False
    restored = False
    while True:
        with engine.begin() as conn:
            if _suspended_sql(conn) is None:
                return restored
            restored = True
            if _restore_next(conn):
                return True


def _restore_next(conn: sa.Connection) -> bool:
    """One step of making good a bulk write: the first set-aside index still
    missing; else the status counters; else a step of making the search index
    (:func:`~desktop_app.store.fts.build_step`); else, while the search index is
    :func:`~desktop_app.store.fts.crowded`, a bounded step of merging it; else let
    it merge as usual again and forget the set-aside list.  True when that last is
    done."""
    suspended = _suspended_sql(conn) or []
    missing = [sql for name, sql in suspended if conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)).first() is None]
    if missing:
        # An index is a sort of every row: let SQLite's sorter use a second core (a
        # tenth off the nine indexes of a 100,000-request first sync).
        threads = conn.exec_driver_sql("PRAGMA threads").scalar_one()
        conn.exec_driver_sql(f"PRAGMA threads = {min(4, os.cpu_count() or 1)}")
        try:
            conn.exec_driver_sql(missing[0])
        finally:
            conn.exec_driver_sql(f"PRAGMA threads = {int(threads)}")
        return False
    if ensure_counts(conn):  # the status counters, set aside with the indexes
        return False
    if not build_step(conn):  # the search index, a range of rowids a step
        return False
    if crowded(conn) and merge_step(conn):
        return False
    resume_merging(conn)
    conn.exec_driver_sql("DELETE FROM sync_state WHERE key = ?", (SUSPENDED_INDEXES,))
    return True


class NewerDatabaseError(RuntimeError):
    """The data folder belongs to a newer Daftar; opening it would risk the data."""


def open_store(folder: Path | str | None = None) -> Store:
    folder = data_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    from desktop_app.store.backup import apply_pending_restore

    apply_pending_restore(folder)
    path = folder / DB_NAME
    existed = path.exists() and path.stat().st_size > 0
    engine = make_engine(f"sqlite:///{path}")
    current = migrate.current_revision(engine) if existed else None
    head = migrate.head_revision(MIGRATIONS)
    if not migrate.is_known_revision(MIGRATIONS, current):
        engine.dispose()
        raise NewerDatabaseError(
            f"the office database in {folder} was written by a newer version of Daftar "
            f"(schema {current}); install that version or a newer one — nothing was changed"
        )
    if existed and current is not None:
        # Indexes a bulk write set aside and never made again (a crash): made now,
        # before a migration, which expects the schema as it was.
        restore_indexes(engine)
    if current != head:
        if existed:
            engine.dispose()
            backup_file(path, folder / f"{DB_NAME}.bak-{current or 'unversioned'}")
        migrate.upgrade(engine, MIGRATIONS)
    # After a migration the search index is rebuilt: batch migrations copy the
    # requests table, which drops its triggers and may renumber its rows.
    ensure_fts(engine, rebuild=current != head)
    if current != head:
        # The status counters' triggers go with a batch migration's copy of requests.
        with engine.begin() as conn:
            ensure_counts(conn)
    return Store(folder, engine, sessionmaker(engine, expire_on_commit=False))
