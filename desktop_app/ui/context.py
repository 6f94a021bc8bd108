"""What every window and dialog of a running app shares, handed down explicitly
(no global ``mw``, unlike Anki): the office's store handle, who is signed in, the
desk's services, the task runner and the bus.

The bus is how a view learns that data changed.  Writes reach it one way,
:meth:`AppContext.run_op`: a service call runs on the database thread and what it
changed is announced on the bus before the caller's ``on_done``, so no dialog has
to remember to tell the views.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop_app.services.office import Store
from desktop_app.services.requests import Actor, Changes, Desk
from desktop_app.ui.tasks import TaskRunner, TaskState, run_op


class Bus(QObject):
    """Application-wide signals.

    Signals:
        sig_changed(Changes): an action changed data; views refresh what they show.
        sig_sync_state(): pending count, last sync or sync problems may have changed.
        sig_language(str): the user switched language ("fa" or "en").
    """

    sig_changed = Signal(object)
    sig_sync_state = Signal()
    sig_language = Signal(str)

    def changed(self, changes: Changes) -> None:
        self.sig_changed.emit(changes)


@dataclass
class AppContext:
    store: Store
    actor: Actor
    desk: Desk
    tasks: TaskRunner
    bus: Bus
    language: str = "fa"

    def run_op(self, op: Callable[[], Any], *, on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None) -> TaskState:
        """:func:`~desktop_app.ui.tasks.run_op` on this app's database thread and bus."""
        return run_op(self.tasks, self.bus.changed, op, on_done=on_done, on_error=on_error)
