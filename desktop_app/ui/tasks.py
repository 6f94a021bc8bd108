"""Background work for the window, after Anki's ``taskman.py`` and Orange's TaskState.

Three pools: one thread for the office database, so every database action runs in
order and never two at once; one for the network, so a slow centre never holds up a
clerk's click; and one for long jobs (a batch of work orders, a year's report),
which read through the database thread in short steps and draw on their own.  Work is a plain function (no widgets in it); its result or
error comes back on the GUI thread through a queued signal.

Reads that a newer request makes obsolete — the requests table's pages and counts,
asked again at every keystroke — run on a :class:`Lane` instead: a thread of their
own, below the window's priority, where only the newest epoch's answer is shown.
This module is the one place that runs work off the GUI thread.
"""

from __future__ import annotations

import os
import sys
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
        self._long = ThreadPoolExecutor(max_workers=2, thread_name_prefix="daftar-long")
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
        # A long job waiting on a read of the database thread sees it cancelled.
        self._db.shutdown(wait=True, cancel_futures=True)
        self._net.shutdown(wait=False, cancel_futures=True)
        self._long.shutdown(wait=False, cancel_futures=True)

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
        database = self._db

        def on_db(read: Callable[[], Any]) -> Any:
            return database.submit(read).result()

        return self._submit(self._long, lambda state: job(state, on_db), on_done=on_done,
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


def below_normal_priority() -> None:
    """Run the calling thread below the GUI thread's priority: on a busy office PC
    (or two cores shared with the rest of the machine) the scheduler then gives the
    window its time first, and a long count waits instead of the clerk."""
    if sys.platform == "win32":
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        kernel32.SetThreadPriority(kernel32.GetCurrentThread(), -1)  # THREAD_PRIORITY_BELOW_NORMAL
    elif hasattr(os, "setpriority"):
        # Linux schedules threads as tasks: the niceness of this one alone.
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


#: The epoch of work that belongs to none (never superseded).
_NO_EPOCH = -1


class Lane(QObject):
    """One worker thread, below the window's priority, whose work belongs to epochs:
    the newest epoch wins.

    :meth:`new_epoch` makes the lane's earlier work obsolete: queued work of an older
    epoch is skipped, running work is interrupted (``interrupt()``; the work then
    raises one of ``superseded``), and a result of it that still comes back is
    dropped — an answer to the previous keystroke is never shown as the answer to
    this one.  Work of no epoch (:meth:`run`) is never dropped: an interrupt meant
    for other work that hits it runs it again.

    Signals:
        sig_failed(str): work failed for another reason than being superseded.
    """

    sig_failed = Signal(str)
    _sig_result = Signal(int, object, object, object)  # epoch, on_done, result, error

    def __init__(self, name: str, *, interrupt: Callable[[], None] | None = None,
                 superseded: type[BaseException] | tuple[type[BaseException], ...] = (),
                 parent: QObject | None = None):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name,
                                        initializer=below_normal_priority)
        self._interrupt = interrupt
        self._superseded = superseded
        self._epoch = 0
        self._sig_result.connect(self._deliver)

    @property
    def epoch(self) -> int:
        return self._epoch

    def new_epoch(self) -> int:
        """Make every queued or running piece of work obsolete; the new epoch."""
        self._epoch += 1
        if self._interrupt is not None:
            self._interrupt()
        return self._epoch

    def run_latest(self, epoch: int, fn: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        """``fn()`` on the lane's thread, ``on_done(result)`` on the GUI thread —
        unless an epoch newer than ``epoch`` began in the meantime."""
        self._submit(epoch, fn, on_done)

    def run(self, fn: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        """``fn()`` on the lane's thread, in turn with its other work, and never
        superseded; ``on_done(result)`` on the GUI thread."""
        self._submit(_NO_EPOCH, fn, on_done)

    def _submit(self, epoch: int, fn: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        def work() -> None:
            while True:
                if epoch != _NO_EPOCH and epoch != self._epoch:
                    return  # superseded while queued
                try:
                    result = fn()
                except self._superseded:
                    if epoch == _NO_EPOCH:
                        continue  # an interrupt meant for other work hit this: again
                    return
                except Exception as exc:  # noqa: BLE001 - shown on the GUI thread
                    self._sig_result.emit(epoch, on_done, None, exc)
                else:
                    self._sig_result.emit(epoch, on_done, result, None)
                return

        self._pool.submit(work)

    @Slot(int, object, object, object)
    def _deliver(self, epoch: int, on_done: Callable[[Any], None], result: Any,
                 error: BaseException | None) -> None:
        if epoch not in (_NO_EPOCH, self._epoch):
            return  # newer work of this lane began since: its answer is what counts
        if error is not None:
            self.sig_failed.emit(str(error) or type(error).__name__)
            return
        on_done(result)

    def shutdown(self) -> None:
        """Supersede what is queued or running and wait for the thread to end."""
        self.new_epoch()
        self._pool.shutdown(wait=True, cancel_futures=True)
