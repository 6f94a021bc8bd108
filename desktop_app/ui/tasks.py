"""Background work for the window, after Anki's ``taskman.py`` and Orange's TaskState.

Two pools: one thread for the office database, so every database action runs in
order and never two at once, and one for the network, so a slow centre never holds
up a clerk's click.  Work is a plain function (no widgets in it); its result or
error comes back on the GUI thread through a queued signal.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from desktop_app.services.requests import Changes


class TaskState:
    """Handed to long jobs: report progress, notice a cancel request."""

    def __init__(self, runner: TaskRunner, token: int):
        self._runner = runner
        self._token = token
        self._cancel = threading.Event()

    def set_progress(self, text: str, done: int = 0, total: int = 0) -> None:
        self._runner._sig_progress.emit(self._token, text, done, total)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()


class TaskRunner(QObject):
    """Signals:
        sig_busy(bool): a task started / the last task finished.
    """

    sig_busy = Signal(bool)
    _sig_done = Signal(int, object, object)  # token, result, exception
    _sig_progress = Signal(int, str, int, int)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="daftar-db")
        self._net = ThreadPoolExecutor(max_workers=2, thread_name_prefix="daftar-net")
        self._callbacks: dict[int, tuple[Callable[[Any], None] | None, Callable[[BaseException], None] | None]] = {}
        self._progress: dict[int, Callable[[str, int, int], None]] = {}
        self._next = 0
        self._sig_done.connect(self._on_done)
        self._sig_progress.connect(self._on_progress)

    def _submit(self, pool: ThreadPoolExecutor, fn: Callable[..., Any], *,
                on_done: Callable[[Any], None] | None, on_error: Callable[[BaseException], None] | None,
                on_progress: Callable[[str, int, int], None] | None, with_state: bool) -> TaskState:
        self._next += 1
        token = self._next
        state = TaskState(self, token)
        self._callbacks[token] = (on_done, on_error)
        if on_progress:
            self._progress[token] = on_progress
        if len(self._callbacks) == 1:
            self.sig_busy.emit(True)

        def work() -> None:
            try:
                result = fn(state) if with_state else fn()
            except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread
                self._sig_done.emit(token, None, exc)
            else:
                self._sig_done.emit(token, result, None)

        future: Future[None] = pool.submit(work)
        del future
        return state

    def run_db(self, fn: Callable[..., Any], *, on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None,
               on_progress: Callable[[str, int, int], None] | None = None,
               with_state: bool = False) -> TaskState:
        """Run ``fn`` on the database thread; callbacks run on the GUI thread."""
        return self._submit(self._db, fn, on_done=on_done, on_error=on_error,
                            on_progress=on_progress, with_state=with_state)

    def run_net(self, fn: Callable[..., Any], *, on_done: Callable[[Any], None] | None = None,
                on_error: Callable[[BaseException], None] | None = None,
                on_progress: Callable[[str, int, int], None] | None = None,
                with_state: bool = False) -> TaskState:
        """Run ``fn`` on the network pool (sync rounds)."""
        return self._submit(self._net, fn, on_done=on_done, on_error=on_error,
                            on_progress=on_progress, with_state=with_state)

    @property
    def busy(self) -> bool:
        return bool(self._callbacks)

    @Slot(int, object, object)
    def _on_done(self, token: int, result: Any, error: BaseException | None) -> None:
        on_done, on_error = self._callbacks.pop(token, (None, None))
        self._progress.pop(token, None)
        try:
            if error is not None:
                if on_error is None:
                    raise error
                on_error(error)
            elif on_done is not None:
                on_done(result)
        finally:
            if not self._callbacks:
                self.sig_busy.emit(False)

    @Slot(int, str, int, int)
    def _on_progress(self, token: int, text: str, done: int, total: int) -> None:
        callback = self._progress.get(token)
        if callback:
            callback(text, done, total)

    def shutdown(self) -> None:
        self._db.shutdown(wait=True, cancel_futures=True)
        self._net.shutdown(wait=False, cancel_futures=True)

    def run_long(self, job: Callable[[TaskState, Callable[[Callable[[], Any]], Any]], Any], *,
                 on_done: Callable[[Any], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None,
                 on_progress: Callable[[str, int, int], None] | None = None) -> TaskState:
        """Run a long job (500 work orders, a year's report) on a pool of its own, so
        that the database thread stays free for the window meanwhile.

        ``job(state, on_db)`` reads through ``on_db(read)``, which runs ``read`` on the
        database thread and waits for its result: the job reads in short steps, and
        whatever the window asks of the database in between runs between two steps.
        It draws and writes on its own thread.  ``state`` carries its progress to
        ``on_progress`` and the user's cancel to the job."""
        pool: ThreadPoolExecutor | None = getattr(self, "_long_jobs", None)
        if pool is None:
            pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="daftar-long")
            self._long_jobs = pool
        database = self._db

        def on_db(read: Callable[[], Any]) -> Any:
            return database.submit(read).result()

        return self._submit(pool, lambda state: job(state, on_db), on_done=on_done,
                            on_error=on_error, on_progress=on_progress, with_state=True)


def changes_of(result: Any) -> Changes | None:
    """What a service call changed: the :class:`Changes` it returned, or the
    ``changes`` of a result that carries more (a new request's id and code)."""
    if isinstance(result, Changes):
        return result
    changes = getattr(result, "changes", None)
    return changes if isinstance(changes, Changes) else None


def run_op(tasks: TaskRunner, announce: Callable[[Changes], None], op: Callable[[], Any], *,
           on_done: Callable[[Any], None] | None = None,
           on_error: Callable[[BaseException], None] | None = None) -> TaskState:
    """Run a service call (one user action, one transaction) on the database thread;
    on the GUI thread, announce what it changed, then hand ``on_done`` its result.

    The one way the window writes: views refresh from the announcement, so no
    dialog has to remember to tell them (Anki's ``CollectionOp``)."""

    def done(result: Any) -> None:
        changes = changes_of(result)
        if changes:
            announce(changes)
        if on_done is not None:
            on_done(result)

    return tasks.run_db(op, on_done=done, on_error=on_error)
