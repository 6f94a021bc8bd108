"""Sync in the background: a round every 30 seconds while the centre answers, a
second after a local change, and on demand — never on the GUI thread, never two at
once (one asked for while another runs follows it at once).

A referral made at the centre thus reaches the district within a minute: the
district pulls within :data:`INTERVAL_MS` of it.  An idle round costs the centre one
small read (the engine skips push and pull when neither has anything: see
:meth:`sync.client.SyncEngine.run_round`).

The engine is :mod:`desktop_app.services.sync_service` (``sync_once`` and the small
read functions beside it).  It is imported lazily: a build without it, or an office
not yet enrolled with the centre, shows "not enrolled" instead of failing.  Tests
hand in any object with the same five functions (:class:`SyncBackend`).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Sized
from dataclasses import dataclass, replace
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.services.office import Store
from desktop_app.services.requests import Changes
from desktop_app.ui.context import AppContext
from desktop_app.ui.tasks import TaskState

# Between rounds when nothing else asks for one, counted from the end of the last.
INTERVAL_MS = 30 * 1000
# … and while the centre cannot be reached (each failing round retries for seconds).
OFFLINE_INTERVAL_MS = 2 * 60 * 1000
# After a local change, wait this long for more before sending them together.
AFTER_CHANGE_MS = 1000


class SyncBackend(Protocol):
    def is_enrolled(self, store: Store) -> bool: ...

    def sync_once(self, store: Store, *, progress: Callable[[str, int, int], None] | None = None,
                  cancel: Callable[[], bool] | None = None) -> Any: ...

    def pending_count(self, store: Store) -> int: ...

    def last_sync_at(self, store: Store) -> dt.datetime | None: ...

    def open_problems(self, store: Store) -> Any: ...


def default_backend() -> SyncBackend | None:
    """The real sync engine, or None when this build has none."""
    try:
        return importlib.import_module("desktop_app.services.sync_service")  # type: ignore[return-value]
    except ImportError:
        return None


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar shows about sync."""

    # False: no sync engine, or the office has not joined a centre yet.
    enrolled: bool = False
    # None until a round has been tried; then whether the centre answered.
    online: bool | None = None
    pending: int = 0
    last_sync: dt.datetime | None = None
    problems: int = 0
    running: bool = False
    # The last round's failure, as the engine worded it (its code and message) …
    error: str = ""
    # … and its code alone, for failures the bar names itself (a full disk).
    error_code: str = ""


class SyncController(QObject):
    """Signals:
        sig_status(SyncStatus): something the status bar shows changed.
        sig_progress(str, int, int): a running round's step, done and total.
        sig_new_referrals(int): a round brought requests newly referred to us.
        sig_rows_arrived(): a round wrote requests into the office database.
        sig_finished(object): a round ended; its report, or the error it raised.
    """

    sig_status = Signal(object)
    sig_progress = Signal(str, int, int)
    sig_new_referrals = Signal(int)
    sig_rows_arrived = Signal()
    sig_finished = Signal(object)

    def __init__(self, ctx: AppContext, backend: SyncBackend | None = None, *,
                 use_default: bool = True, interval_ms: int = INTERVAL_MS,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self._backend = backend if backend is not None else (default_backend() if use_default else None)
        self._status = SyncStatus()
        self._state: TaskState | None = None
        self._stopped = False
        # A round was asked for while one ran: start it when that one ends.
        self._again = False
        self._interval_ms = interval_ms
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.sync_now)
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(AFTER_CHANGE_MS)
        self._soon.timeout.connect(self.sync_now)
        ctx.bus.sig_changed.connect(self._on_local_change)
        ctx.bus.sig_sync_state.connect(self.refresh_status)

    @property
    def status(self) -> SyncStatus:
        return self._status

    @property
    def available(self) -> bool:
        return self._backend is not None

    def start(self) -> None:
        """Read the current state, then sync now and every interval."""
        self.refresh_status()
        if self._backend is not None:
            self._timer.start()
            self.sync_now()

    def stop(self) -> None:
        """No more rounds or reads: the window is closing and the task runner is
        about to shut down.  A round still finishing is asked to stop, and what it
        reports afterwards is ignored."""
        self._stopped = True
        self._timer.stop()
        self._soon.stop()
        if self._state is not None:
            self._state.cancel()

    def _set(self, **changes: Any) -> None:
        self._status = replace(self._status, **changes)
        self.sig_status.emit(self._status)

    # ------------------------------------------------------------ reading

    def refresh_status(self) -> None:
        """Read pending changes, last sync and open problems (database thread)."""
        backend, store = self._backend, self._ctx.store
        if self._stopped:
            return
        if backend is None:
            self._set(enrolled=False)
            return

        def read() -> dict[str, Any]:
            problems = backend.open_problems(store)
            return dict(
                enrolled=bool(backend.is_enrolled(store)),
                pending=int(backend.pending_count(store)),
                last_sync=backend.last_sync_at(store),
                problems=len(problems) if isinstance(problems, Sized) else int(problems),
            )

        self._ctx.tasks.run_db(read, on_done=lambda values: self._set(**values),
                               on_error=lambda exc: self._set(error=str(exc)))

    # ------------------------------------------------------------ syncing

    def _on_local_change(self, _changes: Changes) -> None:
        self.refresh_status()
        if self._backend is not None and self._status.enrolled:
            self._soon.start()

    def sync_now(self) -> None:
        """Start a round unless one is running or the office is not enrolled."""
        backend, store = self._backend, self._ctx.store
        if backend is None or self._stopped:
            return
        if self._state is not None:
            self._again = True
            return
        self._soon.stop()
        self._again = False

        def work(state: TaskState) -> Any:
            if not backend.is_enrolled(store):
                return None
            return backend.sync_once(store, progress=state.set_progress,
                                     cancel=lambda: state.cancelled)

        self._set(running=True)
        self._state = self._ctx.tasks.run_net(
            work, with_state=True, on_done=self._on_done, on_error=self._on_error,
            on_progress=self.sig_progress.emit)

    def _next_round(self, interval_ms: int) -> None:
        """The periodic round comes ``interval_ms`` after this one; one asked for while
        this one ran starts now."""
        self._timer.start(interval_ms)
        if self._again:
            QTimer.singleShot(0, self.sync_now)

    def _on_done(self, report: Any) -> None:
        self._state = None
        if self._stopped:
            return
        self._next_round(self._interval_ms)
        if report is None:
            self._set(running=False, enrolled=False)
        else:
            self._set(running=False, enrolled=True, online=True, error="", error_code="")
            if report.pulled or report.applied:
                self.sig_rows_arrived.emit()
            if report.new_referrals:
                self.sig_new_referrals.emit(int(report.new_referrals))
        # Pending count, last sync and problems changed: every view that shows
        # them (this controller's status included) reads them again.
        self._ctx.bus.sig_sync_state.emit()
        self.sig_finished.emit(report)

    def _on_error(self, error: BaseException) -> None:
        self._state = None
        if self._stopped:
            return
        # A round asked for meanwhile (the periodic tick, a local change) would fail
        # the same way: it waits the offline interval too; the outbox keeps the change.
        self._again = False
        self._next_round(max(self._interval_ms, OFFLINE_INTERVAL_MS))
        code = getattr(error, "code", "")
        self._set(running=False, online=False, enrolled=code != "not_enrolled", error_code=code,
                  error=f"{code}: {error}" if code else str(error) or type(error).__name__)
        self._ctx.bus.sig_sync_state.emit()
        self.sig_finished.emit(error)
