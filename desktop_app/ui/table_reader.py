"""The requests table's reader: its pages and its counts, each read on a lane of
its own (:class:`desktop_app.ui.tasks.Lane`) with a connection of its own.

Two lanes, so that counting a large result never keeps the next page (a scroll, a
keystroke) waiting, and neither waits behind the desk's writes or a sync round.
Each lane has its own epoch: a status click (new rows, same counts) leaves a count
running undisturbed, and a new filter interrupts only the lane it makes obsolete.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop_app.services.request_list import Interrupted
from desktop_app.services.request_queries import RequestQueries
from desktop_app.ui.tasks import Lane


class TableReader(QObject):
    """Runs the table's read queries on its two lanes, ``rows`` and ``counts``.

    Signals:
        sig_failed(str): a query failed for another reason than being superseded.
    """

    sig_failed = Signal(str)

    def __init__(self, rows: RequestQueries, counts: RequestQueries, parent: QObject | None = None):
        super().__init__(parent)
        self._queries = {"rows": rows, "counts": counts}
        self._lanes = {
            name: Lane(f"daftar-{name}", interrupt=queries.interrupt, superseded=Interrupted,
                       parent=self)
            for name, queries in self._queries.items()
        }
        for lane in self._lanes.values():
            lane.sig_failed.connect(self.sig_failed)

    @classmethod
    def for_database(cls, db_path: Path, parent: QObject | None = None) -> TableReader:
        return cls(RequestQueries.for_database(db_path), RequestQueries.for_database(db_path), parent)

    @property
    def epoch(self) -> int:
        """The rows lane's epoch."""
        return self._lanes["rows"].epoch

    def new_epoch(self, lane: str | None = None) -> int:
        """Make every queued or running query of ``lane`` (of both lanes when
        ``None``) obsolete; returns the lane's new epoch (the rows lane's)."""
        for name, each in self._lanes.items():
            if lane is None or name == lane:
                each.new_epoch()
        return self._lanes[lane or "rows"].epoch

    def run(self, epoch: int | None, fn: Callable[[RequestQueries], Any],
            on_done: Callable[[Any], None], *, lane: str = "rows") -> None:
        """``fn(queries)`` on the lane's thread; ``on_done(result)`` on the GUI
        thread — unless a newer epoch began in the meantime.  Work that belongs to
        no query (``epoch=None``: reference names) is never superseded."""
        queries = self._queries[lane]
        if epoch is None:
            self._lanes[lane].run(lambda: fn(queries), on_done)
        else:
            self._lanes[lane].run_latest(epoch, lambda: fn(queries), on_done)

    def shutdown(self) -> None:
        self.new_epoch()  # interrupt both lanes before waiting for either
        for lane in self._lanes.values():
            lane.shutdown()
        for queries in self._queries.values():
            queries.close()
