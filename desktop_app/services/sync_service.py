"""The office's sync as the window and the command line call it.

A round (:func:`sync_once`) runs the engine (:class:`sync.client.SyncEngine`) over
the office database (:class:`~desktop_app.services.replica.OfficeReplica`): push
the outbox, then pull the centre's changes.  Beside it are the small reads the
status bar shows and, re-exported so that callers need one module, enrolment
(:mod:`desktop_app.services.enrolment`) and the settling of refused changes
(:mod:`desktop_app.services.sync_problems`).  The window imports this module lazily
(``ui/sync_controller.py``), so a window that never syncs never loads the network code.
"""

from __future__ import annotations

import datetime as dt
import errno
import logging
import sqlite3
from collections.abc import Callable

import httpx
import sqlalchemy as sa

from desktop_app.services import sync_state as state
from desktop_app.services.enrolment import enroll, is_enrolled, office_identity
from desktop_app.services.photo_sync import OfficeBlobs
from desktop_app.services.replica import OfficeReplica
from desktop_app.services.sync_problems import discard_problem, open_problems, reapply_problem
from desktop_app.services.sync_state import CENTRE_URL, OFFICE, OfficeIdentity
from desktop_app.store import models as m
from desktop_app.store.db import Store, restore_indexes
from desktop_app.store.photos import PhotoFolder
from sync.client import HttpTransport, RetryPolicy, SyncEngine, SyncError, SyncReport, check_url

__all__ = [
    "CENTRE_URL", "DISK_FULL", "OFFICE", "OfficeIdentity", "SyncError", "SyncReport", "discard_problem",
    "enroll", "is_enrolled", "last_sync_at", "office_identity", "open_problems",
    "pending_count", "reapply_problem", "sync_once",
]

log = logging.getLogger(__name__)


def sync_once(store: Store, *, progress: Callable[[str, int, int], None] | None = None,
              cancel: Callable[[], bool] | None = None, client: httpx.Client | None = None,
              retry: RetryPolicy | None = None) -> SyncReport:
    """One full round (push, then pull).  :class:`SyncError` unless it completed;
    whatever it stored before failing stays stored, and the next round goes on from there."""
    with store.sessions() as session:
        url, credential = state.read(session, state.CENTRE_URL), state.read(session, state.CREDENTIAL)
        allow_insecure = bool(state.read(session, state.ALLOW_INSECURE, False))
    if not url or not credential:
        raise SyncError("not_enrolled", "this office has not joined a centre: run `daftar enroll URL CODE`")
    base = check_url(url, allow_insecure=allow_insecure)
    with HttpTransport(base, credential, client=client) as transport:
        engine = SyncEngine(OfficeReplica(store.sessions), transport, retry=retry or RetryPolicy(),
                            progress=progress, cancel=cancel,
                            blobs=OfficeBlobs(store.sessions, PhotoFolder.beside(store.db_path)))
        try:
            return engine.run_round()
        except Exception as exc:
            _restore_set_aside(store)
            if _is_disk_full(exc):
                raise SyncError(DISK_FULL, "the disk holding the office's data is full: "
                                "free space and sync again") from exc
            raise


#: The code of a round stopped because the office's disk is full.
DISK_FULL = "disk_full"


def _is_disk_full(error: BaseException) -> bool:
    """Whether SQLite (wrapped by SQLAlchemy or not) or the file system said the disk
    is full: the page being applied was rolled back with its cursor, so the round is
    safe to run again once there is space, and the clerk must hear that, not a
    database error."""
    cause = getattr(error, "orig", None) or error
    if isinstance(cause, sqlite3.Error):
        return getattr(cause, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
    return isinstance(cause, OSError) and cause.errno == errno.ENOSPC


def _restore_set_aside(store: Store) -> None:
    """A first pull that stopped midway (the network went, the clerk cancelled) must
    not leave the office working without the indexes it set aside until some later
    round completes — hours, on a bad line.  They are made again now, over what has
    arrived so far; the next round sets them aside again if still worth it.  A
    failure here is logged: the caller must hear the round's own failure."""
    try:
        restore_indexes(store.engine)
    except Exception:  # noqa: BLE001 - see above; open_store makes them at the latest
        log.warning("could not make again the indexes a stopped pull set aside", exc_info=True)


def pending_count(store: Store) -> int:
    """Local changes the centre has not answered yet."""
    with store.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(m.OutboxEntry)) or 0


def last_sync_at(store: Store) -> dt.datetime | None:
    with store.sessions() as session:
        value = state.read(session, state.LAST_SYNC_AT)
    return dt.datetime.fromisoformat(value) if value else None
