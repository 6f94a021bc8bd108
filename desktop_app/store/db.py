"""The office's data folder and its database.

Opening a data folder creates it if needed and migrates its database to the
current schema, after copying the old file aside (``office.sqlite3.bak-<rev>``) so
that an upgrade can never cost an office its data.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import platformdirs
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.store.fts import ensure_fts
from sync import migrate
from sync.db import make_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DB_NAME = "office.sqlite3"


def default_data_dir() -> Path:
    """``DAFTAR_DATA_DIR``, else the user data folder (``%LOCALAPPDATA%\\Daftar`` …)."""
    env = os.environ.get("DAFTAR_DATA_DIR")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("Daftar", appauthor=False))


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


class NewerDatabaseError(RuntimeError):
    """The data folder belongs to a newer Daftar; opening it would risk the data."""


def open_store(folder: Path | str | None = None) -> Store:
    folder = Path(folder) if folder else default_data_dir()
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
    if current != head:
        if existed:
            engine.dispose()
            backup_file(path, folder / f"{DB_NAME}.bak-{current or 'unversioned'}")
        migrate.upgrade(engine, MIGRATIONS)
    # After a migration the search index is rebuilt: batch migrations copy the
    # requests table, which drops its triggers and may renumber its rows.
    ensure_fts(engine, rebuild=current != head)
    return Store(folder, engine, sessionmaker(engine, expire_on_commit=False))
