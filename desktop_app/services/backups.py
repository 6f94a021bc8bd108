"""The office's backups as the window offers them: the daily copies there are, one
taken now, and a restore asked for (it happens at the next start, before anything
opens the database: :mod:`desktop_app.store.backup` does the file work).

The window passes its store handle and gets plain data back (a :class:`BackupInfo`
with its size already read), so the UI names no store module; a backup that cannot
be used is a :class:`BackupError` whose message says why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from desktop_app.services.office import Store
from desktop_app.store import backup
from desktop_app.store.backup import BackupError

__all__ = ["BackupError", "BackupInfo", "back_up_now", "list_backups", "request_restore"]


@dataclass(frozen=True)
class BackupInfo:
    """One daily backup: its file, the (Tehran) day it was taken, its size in bytes."""

    path: Path
    day: dt.date
    size: int


def list_backups(store: Store) -> tuple[BackupInfo, ...]:
    """The office's backups, newest first."""
    return tuple(BackupInfo(b.path, b.day, b.size) for b in backup.backups(store.folder))


def back_up_now(store: Store) -> Path | None:
    """Take today's backup unless it exists (then ``None``), keeping the usual number."""
    return backup.daily_backup(store.folder)


def request_restore(store: Store, path: Path) -> None:
    """Check ``path`` and have it restored at the next start (:class:`BackupError`
    when it cannot be used)."""
    backup.request_restore(store.folder, path)
