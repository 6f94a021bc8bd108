"""How a long job (500 work orders, a year's report) reads, reports progress and hears a cancel.

The window runs such jobs off the database thread and hands them its
``desktop_app.ui.tasks.TaskState``; the command line and the tests hand them
:data:`NO_PROGRESS`.  Both fit :class:`Progress`, a protocol with no Qt in it, so the
jobs below the window can take either.  A job that notices the cancel raises
:class:`Cancelled` at the next safe point: before it writes a file or records
anything, so a cancelled job leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

T = TypeVar("T")

#: How a long job reads: ``on_db(read)`` runs ``read`` where reads belong (in the
#: window, on its database thread, between whatever else the desk asks of it) and
#: returns its result.
OnDb = Callable[[Callable[[], T]], T]


def run_here(read: Callable[[], T]) -> T:
    """Reads run on the caller's thread (the command line, tests)."""
    return read()


class Progress(Protocol):
    """What a long job is handed: where to say how far it is, whether to stop."""

    def set_progress(self, text: str, done: int = 0, total: int = 0) -> None: ...

    @property
    def cancelled(self) -> bool: ...


class Cancelled(Exception):
    """The user cancelled the job; it stopped and left nothing behind."""


class _NoProgress:
    """Nobody is watching and nobody can cancel (the command line, tests)."""

    def set_progress(self, text: str, done: int = 0, total: int = 0) -> None:
        return None

    @property
    def cancelled(self) -> bool:
        return False


NO_PROGRESS: Progress = _NoProgress()


def stop_if_cancelled(state: Progress, where: str = "") -> None:
    """Stop here (:class:`Cancelled`) if the job was cancelled."""
    if state.cancelled:
        raise Cancelled(where)


def step(state: Progress, text: str, done: int = 0, total: int = 0) -> None:
    """Stop here if the job was cancelled, else say how far it is."""
    stop_if_cancelled(state, text)
    state.set_progress(text, done, total)
