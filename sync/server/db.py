"""The centre's database: where it is, how to open and migrate it, and its counters."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from sync import migrate
from sync.db import make_engine
from sync.server.models import ChangeLog, Counter

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

CHANGE_LOG_COUNTER = "change_log"


def default_url() -> str:
    """``DATABASE_URL``, else a SQLite file in the user data folder."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    folder = Path(platformdirs.user_data_dir("daftar-server", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'centre.sqlite3'}"


def normalise_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (the driver we ship)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def open_engine(url: str | None = None) -> sa.Engine:
    return make_engine(normalise_url(url or default_url()))


def upgrade(engine: sa.Engine) -> None:
    migrate.upgrade(engine, MIGRATIONS)


def is_current(engine: sa.Engine) -> bool:
    return migrate.current_revision(engine) == migrate.head_revision(MIGRATIONS)


def session_factory(engine: sa.Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def take_numbers(session: Session, name: str, count: int = 1) -> int:
    """Take ``count`` consecutive numbers from counter ``name``; returns the first.

    The ``UPDATE`` locks the counter row until the transaction ends, so numbers are
    handed out in commit order and a rolled-back transaction gives its numbers back.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    stmt = (
        sa.update(Counter)
        .where(Counter.name == name)
        .values(value=Counter.value + count)
        .returning(Counter.value)
    )
    last = session.execute(stmt).scalar_one_or_none()
    if last is None:
        # First use of this counter.  On PostgreSQL two first users could race to
        # insert; the primary key makes the loser fail and retry the UPDATE.
        try:
            with session.begin_nested():
                session.add(Counter(name=name, value=count))
            return 1
        except sa.exc.IntegrityError:
            last = session.execute(stmt).scalar_one()
    return last - count + 1


def allocate_seq(session: Session, count: int = 1) -> int:
    """First of ``count`` change-log sequence numbers (see :class:`ChangeLog`)."""
    return take_numbers(session, CHANGE_LOG_COUNTER, count)


def last_seq(session: Session) -> int:
    value = session.scalar(sa.select(Counter.value).where(Counter.name == CHANGE_LOG_COUNTER))
    return value or 0


__all__ = ["ChangeLog", "allocate_seq", "last_seq", "open_engine", "take_numbers", "upgrade"]
