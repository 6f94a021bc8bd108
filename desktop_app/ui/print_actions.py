"""Printing work orders from the window: one request, a selection, or a crew's day.

The PDF is the preview: it is written to a file and opened in the computer's PDF
viewer, which shows it exactly as it will come out of the printer and prints it
with the office's own printer settings.  Rendering runs on the database thread,
because issuing a work order is also an action: each request printed gets a "work
order issued" event for the centre, recorded by :mod:`desktop_app.reports.workorders`
only once the whole PDF is written.  The bus then tells every open view.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import sqlalchemy as sa
from PySide6.QtCore import QCoreApplication, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop_app.services.requests import Changes
from desktop_app.store import models as m
from desktop_app.store.db import Store
from desktop_app.ui.context import AppContext
from desktop_app.ui.messages import error_text
from desktop_app.ui.widgets.jalali import JalaliDateEdit
from desktop_app.ui.widgets.retranslate import Retranslating
from sync.dates import jalali, to_tehran, utcnow
from sync.workflow import Status

PAGE_SIZES = ("A4", "A5")
# What is on a crew's day sheet: the work it still has to do.
CREW_WORK = (Status.ASSIGNED.value, Status.IN_PROGRESS.value)


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


def print_work_orders(ctx: AppContext, request_ids: Sequence[uuid.UUID],
                      parent: QWidget | None = None, *, page_size: str = "A4") -> None:
    """Work orders for the given requests (one page each), opened as the preview."""
    from desktop_app.services.printing import issue_work_orders

    ids = list(request_ids)
    store, actor, out = ctx.store, ctx.actor, printout_path("work-orders")

    def work() -> tuple[Path, list[uuid.UUID]]:
        return issue_work_orders(store, actor, ids, out, page_size=page_size), ids

    _issue(ctx, work, parent)


def print_crew_day(ctx: AppContext, parent: QWidget | None = None) -> CrewDayDialog:
    """Ask which crew and which day, then print that crew's day sheet."""
    dialog = CrewDayDialog(ctx, parent)
    dialog.open()
    return dialog


def crew_work(store: Store, crew_id: uuid.UUID) -> list[uuid.UUID]:
    """The requests a crew's day sheet can hold (for the views to refresh)."""
    with store.sessions() as session:
        return list(session.scalars(sa.select(m.ServiceRequest.id).where(
            m.ServiceRequest.crew_id == crew_id, m.ServiceRequest.status.in_(CREW_WORK))))


def _issue(ctx: AppContext, work: Callable[[], tuple[Path, list[uuid.UUID]]],
           parent: QWidget | None) -> None:
    """Run a printing job; announce the work orders issued, then show the PDF."""

    def window() -> QWidget | None:
        return parent if parent is not None and isValid(parent) else None

    def done(result: tuple[Path, list[uuid.UUID]]) -> None:
        path, ids = result
        ctx.bus.changed(Changes(ids))
        show_pdf(path, window())

    def failed(error: BaseException) -> None:
        _tell(window(), QMessageBox.Icon.Warning, QCoreApplication.translate(
            "print_actions", "Nothing was printed. %1").replace("%1", error_text(error)))

    ctx.tasks.run_db(work, on_done=done, on_error=failed)


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
        ctx.tasks.run_db(lambda: active_crews(store), on_done=self._on_loaded,
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
        from desktop_app.services.printing import issue_crew_day

        ctx, crew_id = self._ctx, uuid.UUID(self._crew.currentData())
        store, actor, day, paper = ctx.store, ctx.actor, self._day.day(), self._paper.currentText()
        out = printout_path("crew-day")

        def work() -> tuple[Path, list[uuid.UUID]]:
            ids = crew_work(store, crew_id)
            return issue_crew_day(store, actor, crew_id, day, out, page_size=paper), ids

        _issue(ctx, work, self.parentWidget())
        self.accept()


def active_crews(store: Store) -> list[tuple[uuid.UUID, str]]:
    with store.sessions() as session:
        return [(c.id, c.name) for c in session.scalars(
            sa.select(m.Crew).where(m.Crew.active.is_(True)).order_by(m.Crew.name))]
