"""Printing work orders from the window: one request, a selection, or a crew's day.

The PDF is the preview: it is written to a file and opened in the computer's PDF
viewer, which shows it exactly as it will come out of the printer and prints it
with the office's own printer settings.

A batch of 500 work orders takes a while, and the desk must stay usable meanwhile,
so printing is a long job (:meth:`~desktop_app.ui.tasks.TaskRunner.run_long`): the
requests are read in short steps on the database thread, the PDF is drawn on a
thread of its own into a temporary file, and a progress dialog says how far it is
and offers Cancel.  Only when the drawing is complete does one short database
action (:func:`desktop_app.services.printing.issue`) put the file in place and
record a "work order issued" event per request, through ``run_op``, which tells
every open view.  A cancelled or failed print leaves no file and records nothing.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop_app.services import printing
from desktop_app.services.printing import Cancelled, Printout
from desktop_app.ui.context import AppContext
from desktop_app.ui.messages import error_text
from desktop_app.ui.tasks import TaskState
from desktop_app.ui.widgets.jalali import JalaliDateEdit
from desktop_app.ui.widgets.retranslate import Retranslating
from sync.dates import jalali, to_tehran, utcnow

PAGE_SIZES = ("A4", "A5")
#: A job the user waits on longer than this (ms) shows its progress.
SHOW_PROGRESS_AFTER_MS = 1000


def printout_path(kind: str) -> Path:
    """A new file for a printout, named so that a clerk who sees it in the viewer's
    title bar knows what it is and when it was made (``work-orders-1405-01-12-1030-….pdf``)."""
    folder = Path(tempfile.gettempdir()) / "daftar"
    folder.mkdir(parents=True, exist_ok=True)
    now = to_tehran(utcnow())
    stamp = f"{jalali(now).strftime('%Y-%m-%d')}-{now:%H%M}"
    handle, name = tempfile.mkstemp(prefix=f"{kind}-{stamp}-", suffix=".pdf", dir=folder)
    os.close(handle)
    return Path(name)


def show_pdf(path: Path, parent: QWidget | None) -> None:
    """Open the PDF in the system's viewer; say where it is if there is none."""
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        _tell(parent, QMessageBox.Icon.Information, QCoreApplication.translate(
            "print_actions", "The PDF is saved, but no PDF viewer could open it:\n%1")
            .replace("%1", str(path)))


def _tell(parent: QWidget | None, icon: QMessageBox.Icon, text: str) -> None:
    """A message that does not block the window."""
    box = QMessageBox(icon, QCoreApplication.translate("print_actions", "Printing"), text,
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("printMessage")
    box.open()


def run_with_progress(ctx: AppContext, job: Callable[[TaskState, Any], Any],
                      parent: QWidget | None, label: str, *, stages: Sequence[str] = (),
                      on_done: Callable[[Any, TaskState], None],
                      on_error: Callable[[BaseException], None],
                      on_cancelled: Callable[[], None] | None = None) -> TaskState:
    """Run ``job(state, on_db)`` as a long job with a progress dialog that has a
    Cancel button and shows itself once the job takes longer than a second.

    The bar counts what the job reports; a job whose progress restarts its count
    at each stage (work orders read, then drawn) names its ``stages``, in order, and
    the bar runs once across all of them.  ``on_done(result, state)`` is called even
    after a cancel that came too late to stop the job, so that it can throw the
    result away (``state.cancelled``); a job stopped by the cancel ends quietly, in
    ``on_cancelled``."""
    dialog = QProgressDialog(parent)
    dialog.setObjectName("jobProgress")
    dialog.setWindowTitle(label)
    dialog.setWindowModality(Qt.WindowModality.NonModal)  # the desk stays usable
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumDuration(SHOW_PROGRESS_AFTER_MS)
    dialog.setRange(0, 0)
    dialog.setLabelText(label)
    dialog.setCancelButtonText(QCoreApplication.translate("CrewDayDialog", "Cancel"))

    def progress(text: str, done: int, total: int) -> None:
        if not isValid(dialog) or dialog.wasCanceled():
            return
        if text in stages:
            before = stages.index(text)
            done, total = before * total + done, len(stages) * total
        dialog.setRange(0, total)
        dialog.setValue(done)

    finished = False

    def finish() -> None:
        nonlocal finished
        finished = True  # closing the dialog says "canceled": too late now
        if isValid(dialog):
            dialog.close()
            dialog.deleteLater()

    def cancel() -> None:
        if not finished:
            state.cancel()

    def done(result: Any) -> None:
        finish()
        on_done(result, state)

    def failed(error: BaseException) -> None:
        finish()
        if not isinstance(error, Cancelled):
            on_error(error)
        elif on_cancelled is not None:
            on_cancelled()

    state = ctx.tasks.run_long(job, on_done=done, on_error=failed, on_progress=progress)
    dialog.canceled.connect(cancel)
    return state


def print_work_orders(ctx: AppContext, request_ids: Sequence[uuid.UUID],
                      parent: QWidget | None = None, *, page_size: str = "A4") -> TaskState:
    """Work orders for the given requests (one page each), opened as the preview."""
    ids, store, out = list(request_ids), ctx.store, printout_path("work-orders")

    def job(state: TaskState, on_db: printing.OnDb) -> Printout:
        return printing.draw_work_orders(store, ids, out, page_size=page_size, state=state,
                                         on_db=on_db)

    return _issue(ctx, job, out, parent)


def print_crew_day(ctx: AppContext, parent: QWidget | None = None) -> CrewDayDialog:
    """Ask which crew and which day, then print that crew's day sheet."""
    dialog = CrewDayDialog(ctx, parent)
    dialog.open()
    return dialog


def _issue(ctx: AppContext, job: Callable[[TaskState, printing.OnDb], Printout], out: Path,
           parent: QWidget | None) -> TaskState:
    """Run a printing job with its progress; once the PDF is drawn (and not
    cancelled), issue it on the database thread, then show it."""
    store, actor = ctx.store, ctx.actor

    def window() -> QWidget | None:
        return parent if parent is not None and isValid(parent) else None

    def drawn(printout: Printout, state: TaskState) -> None:
        if state.cancelled:  # too late to stop the drawing, in time to drop it
            printout.discard()
            out.unlink(missing_ok=True)
            return
        ctx.run_op(lambda: printing.issue(store, actor, printout),
                   on_done=lambda issued: show_pdf(issued.path, window()), on_error=failed)

    def failed(error: BaseException) -> None:
        out.unlink(missing_ok=True)
        _tell(window(), QMessageBox.Icon.Warning, QCoreApplication.translate(
            "print_actions", "Nothing was printed. %1").replace("%1", error_text(error)))

    return run_with_progress(
        ctx, job, parent, QCoreApplication.translate("print_actions", "Printing"),
        stages=printing.STAGES, on_done=drawn, on_error=failed,
        on_cancelled=lambda: out.unlink(missing_ok=True))


class CrewDayDialog(Retranslating, QDialog):
    """Which crew, which day, which paper: then the crew's day sheet is printed.

    Signals:
        sig_loaded(): the active crews are offered.
    """

    sig_loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("crewDayDialog")
        self.setMinimumWidth(420)
        self._crew = QComboBox()
        self._crew.setObjectName("crew")
        self._day = JalaliDateEdit()
        self._day.setObjectName("day")
        self._paper = QComboBox()
        self._paper.setObjectName("paper")
        self._paper.addItems(PAGE_SIZES)
        self._crew_label, self._day_label, self._paper_label = QLabel(), QLabel(), QLabel()
        form = QFormLayout()
        form.addRow(self._crew_label, self._crew)
        form.addRow(self._day_label, self._day)
        form.addRow(self._paper_label, self._paper)
        self._note = QLabel()
        self._note.setWordWrap(True)
        self._note.setStyleSheet("color:#5f6368;")
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self._ok = self._buttons.button(QDialogButtonBox.StandardButton.Ok)
        self._ok.setObjectName("ok")
        self._ok.setEnabled(False)
        self._buttons.accepted.connect(self._on_print)
        self._buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self._note)
        layout.addWidget(self._buttons)
        self._retranslate()
        store = ctx.store
        ctx.tasks.run_db(lambda: printing.active_crews(store), on_done=self._on_loaded,
                         on_error=self._on_failed)

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Print a crew's day sheet"))
        self._crew_label.setText(self.tr("Crew"))
        self._day_label.setText(self.tr("Day"))
        self._paper_label.setText(self.tr("Paper"))
        self._note.setText(self.tr("The sheet lists the crew's open work, one work order "
                                   "per request, and records each as issued."))
        self._ok.setText(self.tr("Print"))
        self._buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))

    def _on_loaded(self, crews: list[tuple[uuid.UUID, str]]) -> None:
        if not isValid(self):
            return
        for crew_id, name in crews:
            # As text: a combo finds its items' data by equality only for Qt types.
            self._crew.addItem(name, str(crew_id))
        self._ok.setEnabled(bool(crews))
        self.sig_loaded.emit()

    def _on_failed(self, error: BaseException) -> None:
        if isValid(self):
            self._note.setText(error_text(error))

    def _on_print(self) -> None:
        ctx, crew_id = self._ctx, uuid.UUID(self._crew.currentData())
        store, day, paper = ctx.store, self._day.day(), self._paper.currentText()
        out = printout_path("crew-day")

        def job(state: TaskState, on_db: printing.OnDb) -> Printout:
            return printing.draw_crew_day(store, crew_id, day, out, page_size=paper, state=state,
                                          on_db=on_db)

        _issue(ctx, job, out, self.parentWidget())
        self.accept()
