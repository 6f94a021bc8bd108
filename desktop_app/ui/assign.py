"""Giving one or many requests to a crew, in one action.

A supervisor assigns a morning's worth of requests at once, so the dialog takes a
whole selection and the Desk assigns it in one transaction: either every request
goes to the crew or none does, and the clerk never has to work out which half of a
selection went through.  Only active crews are offered; each shows how much open
work it already holds, so the load can be spread without leaving the dialog (read by
:func:`~desktop_app.services.crew_view.load_assign_choices`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop_app.services.crew_view import AssignChoices, CrewChoice, load_assign_choices
from desktop_app.services.requests import Changes
from desktop_app.ui.context import AppContext
from desktop_app.ui.messages import digits, error_text, in_ui_direction, local_name
from desktop_app.ui.widgets.retranslate import Retranslating


class AssignDialog(Retranslating, QDialog):
    """Choose an active crew for the given requests.

    Signals:
        sig_loaded(): the crews are listed.
    """

    sig_loaded = Signal()

    def __init__(self, ctx: AppContext, request_ids: Sequence[uuid.UUID],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self._ids = list(request_ids)
        self._choices: AssignChoices | None = None
        self.setObjectName("assignDialog")
        self.setMinimumSize(460, 360)

        self._intro = QLabel()
        self._intro.setObjectName("intro")
        self._intro.setWordWrap(True)
        self._crews = QListWidget()
        self._crews.setObjectName("crews")
        self._crews.setSpacing(3)
        self._crews.itemSelectionChanged.connect(self._on_selection)
        self._crews.itemDoubleClicked.connect(lambda _item: self._on_assign())
        self._error = QLabel()
        self._error.setObjectName("error")
        self._error.setWordWrap(True)
        self._error.setStyleSheet("color:#b3261e;")
        self._error.hide()
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self._ok = self._buttons.button(QDialogButtonBox.StandardButton.Ok)
        self._ok.setObjectName("ok")
        self._ok.setEnabled(False)
        self._buttons.accepted.connect(self._on_assign)
        self._buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self._intro)
        layout.addWidget(self._crews, 1)
        layout.addWidget(self._error)
        layout.addWidget(self._buttons)

        self._retranslate()
        store, ids = ctx.store, self._ids  # the job never holds the dialog (RequestForm.reload)
        ctx.tasks.run_db(lambda: load_assign_choices(store, ids),
                         on_done=self._on_loaded, on_error=self._on_error)

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Assign to a crew"))
        self._ok.setText(self.tr("Assign"))
        self._buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        choices = self._choices
        if choices is None:
            self._intro.setText(self.tr("Loading crews…"))
            return
        codes = choices.tracking_codes
        if not choices.crews:
            self._intro.setText(self.tr("There is no active crew. Add one under Crews first."))
        elif len(codes) == 1:
            self._intro.setText(self.tr("Which crew should do request %1?")
                                .replace("%1", digits(codes[0])))
        else:
            self._intro.setText(self.tr("Which crew should do these %1 requests?")
                                .replace("%1", digits(len(codes))))
        for row, crew in enumerate(choices.crews):
            self._crews.item(row).setText(self._crew_text(crew, crew.id == choices.current_crew))

    def _crew_text(self, crew: CrewChoice, current: bool) -> str:
        text = crew.name
        if crew.supervisor:
            text = self.tr("%1 — supervisor %2").replace("%1", text).replace("%2", crew.supervisor)
        text += "\n" + self.tr("%1 · open work: %2").replace(
            "%1", local_name(crew.district, self._ctx.language)).replace(
            "%2", digits(crew.open_work))
        if current:
            text += " · " + self.tr("current crew")
        return "\n".join(in_ui_direction(line) for line in text.split("\n"))

    def _on_loaded(self, choices: AssignChoices) -> None:
        if not isValid(self):
            return
        self._choices = choices
        for crew in choices.crews:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, crew.id)
            self._crews.addItem(item)
            if crew.id == choices.current_crew:
                item.setSelected(True)
        self._retranslate()
        self.sig_loaded.emit()

    def _on_selection(self) -> None:
        self._ok.setEnabled(bool(self._crews.selectedItems()))

    def _on_assign(self) -> None:
        items = self._crews.selectedItems()
        if not items:
            return
        crew_id = items[0].data(Qt.ItemDataRole.UserRole)
        desk, ids = self._ctx.desk, self._ids
        self._ok.setEnabled(False)
        self._error.hide()
        self._ctx.run_op(lambda: desk.assign(ids, crew_id),
                         on_done=self._on_assigned, on_error=self._on_error)

    def _on_assigned(self, _changes: Changes) -> None:
        if isValid(self):
            self.accept()

    def _on_error(self, error: BaseException) -> None:
        if not isValid(self):
            return
        self._error.setText(error_text(error))
        self._error.show()
        self._on_selection()
