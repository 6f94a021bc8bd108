"""The window's status bar: who is working, and the state of sync at a glance —
online or offline, changes waiting to be sent, the last successful sync, the sync
problems waiting for a person (a button that opens their inbox), and a progress
bar while a round runs.

A clerk works offline for days at a time, so whether their work has reached the
centre must be visible without asking.  The bar only shows: it is handed a
:class:`~desktop_app.ui.sync_controller.SyncStatus` and a round's progress by the
sync controller, reads no database, and says through its signals when the clerk
clicks to sync now or to open the problems.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QToolButton, QWidget

from desktop_app.services.requests import Actor
from desktop_app.ui.messages import digits, in_ui_direction, moment_text, role_name
from desktop_app.ui.sync_controller import SyncStatus
from desktop_app.ui.widgets.retranslate import Retranslating

#: :data:`desktop_app.services.sync_service.DISK_FULL`, named here so that the bar does
#: not load the sync engine to draw itself (a test holds the two equal).
DISK_FULL = "disk_full"

ONLINE_COLOUR = "#2e7d32"
OFFLINE_COLOUR = "#b3261e"
NEUTRAL_COLOUR = "#6d6d6d"


class SyncStatusBar(Retranslating, QStatusBar):
    """Signals:
        sig_open_problems(): the clerk clicked the sync problems entry.
        sig_sync_now(): the clerk clicked the connection state to sync at once.
    """

    sig_open_problems = Signal()
    sig_sync_now = Signal()

    def __init__(self, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("statusBar")
        self._actor = actor
        self._status = SyncStatus()
        self._phase = ""

        self.user = QLabel(objectName="user")
        self.connection = QToolButton(objectName="connection")
        self.connection.setAutoRaise(True)
        self.connection.clicked.connect(self.sig_sync_now.emit)
        self.pending = QLabel(objectName="pending")
        self.last_sync = QLabel(objectName="lastSync")
        self.problems = QToolButton(objectName="problems")
        self.problems.setAutoRaise(True)
        self.problems.clicked.connect(self.sig_open_problems.emit)
        self.progress = QProgressBar(objectName="progress")
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()

        self.addWidget(self.user)
        for widget in (self.progress, self.pending, self.last_sync, self.problems, self.connection):
            self.addPermanentWidget(widget)
        self._retranslate()

    def set_status(self, status: SyncStatus) -> None:
        self._status = status
        if not status.running:
            self.progress.hide()
        self._retranslate()

    def set_progress(self, phase: str, done: int, total: int) -> None:
        """A running round's step (phase ``push`` or ``pull``): a bar when its size
        is known, a busy bar otherwise."""
        self._phase = phase
        self.progress.setRange(0, max(total, 0))
        self.progress.setValue(done if total else 0)
        self.progress.setFormat(self._phase_text() + " %p%")
        self.progress.show()

    def _phase_text(self) -> str:
        if self._phase == "push":
            return self.tr("Sending changes")
        if self._phase == "pull":
            return self.tr("Receiving changes")
        if self._phase == "photos":
            return self.tr("Photos")
        return self._phase

    # -------------------------------------------------------------- text

    def _retranslate(self) -> None:
        actor, status = self._actor, self._status
        # The name may be Persian in an English window: fix the paragraph direction.
        self.user.setText(in_ui_direction(self.tr("%1 (%2)").replace(
            "%1", actor.display_name or actor.username).replace("%2", role_name(actor.role))))

        if status.running:
            text, colour = self.tr("Syncing…"), ONLINE_COLOUR
            tip = self.tr("Sending and receiving changes.")
        elif not status.enrolled:
            text, colour = self.tr("Not enrolled"), NEUTRAL_COLOUR
            tip = self.tr("This office has not joined the 137 centre yet: everything works "
                          "here, nothing is sent.")
        elif status.error_code == DISK_FULL:
            text, colour = self.tr("Disk full"), OFFLINE_COLOUR
            tip = self.tr("The disk holding the office's data is full. Nothing was lost: free "
                          "space on it, then sync again.")
        elif status.online is False:
            text, colour = self.tr("Offline"), OFFLINE_COLOUR
            tip = self.tr("The centre could not be reached; work goes on and is sent later.")
            if status.error:
                tip += "\n" + status.error
        elif status.online:
            text, colour = self.tr("Online"), ONLINE_COLOUR
            tip = self.tr("Connected to the 137 centre.")
        else:
            text, colour = self.tr("Not yet synced"), NEUTRAL_COLOUR
            tip = self.tr("No sync round has run since the app opened.")
        self.connection.setText("● " + text)
        self.connection.setStyleSheet(f"QToolButton {{ color: {colour}; }}")
        self.connection.setToolTip(tip + "\n" + self.tr("Click to sync now."))

        self.pending.setText(self.tr("Waiting to send: %1").replace("%1", digits(status.pending)))
        self.pending.setToolTip(self.tr("Changes made here that the centre has not yet received"))
        last = moment_text(status.last_sync) if status.last_sync else self.tr("never")
        self.last_sync.setText(self.tr("Last sync: %1").replace("%1", last))

        self.problems.setText(("⚠ " if status.problems else "")
                              + self.tr("Sync problems: %1").replace("%1", digits(status.problems)))
        self.problems.setStyleSheet(
            f"QToolButton {{ color: {OFFLINE_COLOUR}; font-weight: bold; }}" if status.problems else "")
        self.problems.setToolTip(self.tr("Changes the centre refused or that clash with the "
                                         "centre's copy: open to settle them"))
        if self.progress.isVisible():
            self.progress.setFormat(self._phase_text() + " %p%")
