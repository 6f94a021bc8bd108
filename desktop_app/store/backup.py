"""Rolling daily backups of the office database and its photos, and restoring one.

A backup is taken with SQLite's online backup API, so it is consistent even while
the app (or a sync round) is writing.  One file per Tehran day in
``<data folder>/backups``; the newest ``keep`` are kept.  Restoring never destroys
anything: the database being replaced is first moved aside.

Photos are files named by their hash (:mod:`desktop_app.store.photos`) and never
change, so their backup is incremental: ``backups/photos/`` is one content-addressed
folder that every daily backup shares, and a day's backup copies into it only the
photos it does not hold yet (after the database, so every photo a backed-up row
names is there).  A photo no kept backup and not the office names any more is
pruned with the backups.  Restoring a backup puts back every photo its rows name
that the photo folder lacks.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from desktop_app.store.db import DB_NAME, backup_file
from desktop_app.store.photos import PHOTOS_DIR, PhotoFolder
from sync.dates import TEHRAN

log = logging.getLogger(__name__)

BACKUP_DIR = "backups"
#: Names the backup to put in place the next time the folder is opened.
PENDING = "restore-pending"
KEEP = 14
_NAME = re.compile(r"^office-(\d{4}-\d{2}-\d{2})\.sqlite3$")


class BackupError(Exception):
    """A backup that cannot be used; the message says why."""


@dataclass(frozen=True)
class Backup:
    path: Path
    day: dt.date

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def backups(folder: Path) -> list[Backup]:
    """The backups of the office in ``folder``, newest first."""
    found = []
    for path in (folder / BACKUP_DIR).glob("office-*.sqlite3"):
        match = _NAME.match(path.name)
        if match:
            found.append(Backup(path, dt.date.fromisoformat(match.group(1))))
    return sorted(found, key=lambda b: b.day, reverse=True)


def daily_backup(folder: Path, *, keep: int = KEEP, now: dt.datetime | None = None) -> Path | None:
    """Take today's backup unless it exists; prune to the newest ``keep``.

    Returns the new file, or ``None`` when today's backup was already there."""
    source = folder / DB_NAME
    if not source.exists():
        return None
    today = (now or dt.datetime.now(TEHRAN)).astimezone(TEHRAN).date()
    target_dir = folder / BACKUP_DIR
    target_dir.mkdir(exist_ok=True)
    target = target_dir / f"office-{today.isoformat()}.sqlite3"
    made = None
    if not target.exists():
        partial = target.with_suffix(".partial")
        backup_file(source, partial)
        partial.replace(target)  # a crash mid-backup never leaves a half file named as good
        made = target
    backup_photos(folder, target)
    for old in backups(folder)[keep:]:
        old.path.unlink()
    prune_photos(folder)
    return made


def photo_names(database: Path) -> set[str]:
    """The photos (hashes) the attachments of an office database name (none when
    it cannot be read)."""
    names = _readable_photo_names(database)
    return set() if names is None else names


def _readable_photo_names(database: Path) -> set[str] | None:
    """:func:`photo_names`, or ``None`` when ``database`` cannot be read."""
    try:
        conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return {row[0] for row in conn.execute("SELECT DISTINCT sha256 FROM attachments")}
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()


def backup_photos(folder: Path, database: Path) -> int:
    """Copy into the backups' photo folder the photos ``database`` (a backup just
    taken) names that it does not hold yet; how many were copied.  A photo the
    office does not have (not downloaded yet) is left for a later day."""
    source = PhotoFolder(folder / PHOTOS_DIR)
    kept = PhotoFolder(folder / BACKUP_DIR / PHOTOS_DIR)
    copied = 0
    for sha in sorted(photo_names(database)):
        if kept.has(sha) or not source.has(sha):
            continue
        target = kept.path(sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(sha + ".partial")
        shutil.copyfile(source.path(sha), partial)
        partial.replace(target)
        copied += 1
    return copied


def prune_photos(folder: Path) -> int:
    """Delete from the backups' photo folder the photos neither a kept backup nor the
    office's database names; how many.  None while any of them cannot be read."""
    kept = PhotoFolder(folder / BACKUP_DIR / PHOTOS_DIR)
    files = kept.all()
    if not files:
        return 0
    named: set[str] = set()
    databases = [backup.path for backup in backups(folder)]
    if (folder / DB_NAME).exists():
        databases.append(folder / DB_NAME)
    for database in databases:
        names = _readable_photo_names(database)
        if names is None:
            # Which photos it names is unknown: deleting any might lose one it needs.
            log.warning("photo pruning skipped: %s cannot be read", database.name)
            return 0
        named |= names
    gone = [path for path in files if path.name not in named]
    for path in gone:
        path.unlink()
    return len(gone)


def check(path: Path) -> None:
    """Raise :class:`BackupError` unless ``path`` is a sound office database."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot open {path.name}: {exc}") from None
    try:
        status = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if status != "ok":
            raise BackupError(f"{path.name} is damaged: {status}")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"alembic_version", "requests", "outbox"} <= tables:
            raise BackupError(f"{path.name} is not a Daftar office database")
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path.name} is not a database: {exc}") from None
    finally:
        conn.close()


def restore(folder: Path, backup: Path, *, now: dt.datetime | None = None) -> Path:
    """Put ``backup`` in place of the office database in ``folder``.

    The store must be closed.  The current database (with its WAL files) is moved
    to ``office.sqlite3.before-restore-<time>`` first; that path is returned."""
    check(backup)
    stamp = (now or dt.datetime.now(TEHRAN)).strftime("%Y%m%d-%H%M%S")
    current = folder / DB_NAME
    aside = folder / f"{DB_NAME}.before-restore-{stamp}"
    if current.exists():
        # Fold the WAL into the main file so the copy moved aside is whole.
        conn = sqlite3.connect(current)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        current.replace(aside)
    for suffix in ("-wal", "-shm"):
        Path(f"{current}{suffix}").unlink(missing_ok=True)
    partial = folder / f"{DB_NAME}.restoring"
    shutil.copyfile(backup, partial)
    partial.replace(current)
    restore_photos(folder, current)
    return aside


def restore_photos(folder: Path, database: Path) -> int:
    """Put back from the backups' photo folder every photo ``database`` names that
    the office's photo folder lacks; how many.  (A backup taken before photos moved
    out of the database holds them itself: opening it moves them out.)"""
    photos = PhotoFolder(folder / PHOTOS_DIR)
    kept = PhotoFolder(folder / BACKUP_DIR / PHOTOS_DIR)
    restored = 0
    for sha in sorted(photo_names(database)):
        if photos.has(sha) or not kept.has(sha):
            continue
        target = photos.path(sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(sha + ".restoring")
        shutil.copyfile(kept.path(sha), partial)
        partial.replace(target)
        restored += 1
    return restored


def request_restore(folder: Path, backup: Path) -> None:
    """Restore ``backup`` at the next opening of ``folder`` — when nothing holds the
    database open (the window, a sync round).  The backup is checked now, so a bad
    one is refused while the person is still there to read why."""
    check(backup)
    (folder / PENDING).write_text(str(backup.resolve()), encoding="utf-8")


def apply_pending_restore(folder: Path) -> Path | None:
    """Carry out a restore asked for with :func:`request_restore`; returns where the
    replaced database was moved, or ``None`` when no restore was pending."""
    marker = folder / PENDING
    if not marker.exists():
        return None
    backup = Path(marker.read_text(encoding="utf-8").strip())
    aside = restore(folder, backup)
    marker.unlink()
    return aside
