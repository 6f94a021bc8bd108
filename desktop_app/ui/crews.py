"""The office's field crews: who they are, who leads them, whether they take work.

Managers and crew supervisors keep this list; clerks see it read-only (the Desk
refuses their changes too: the dialog only spares them a refusal).  A crew is never
deleted, because requests and printed work orders name it; it is made inactive, and
then it is no longer offered when work is assigned.  Every save is recorded with the
person who made it and sent to the centre like any other change.  The list is read by
:func:`~desktop_app.services.crew_view.load_crews`; a save runs through
``ctx.run_op``, which tells every view that the crews changed.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTableWidgetItem,
    QWidget,
)
from shiboken6 import isValid

from desktop_app.services.crew_view import CrewList, load_crews
from desktop_app.services.requests import CrewSaved
from desktop_app.ui.context import AppContext
from desktop_app.ui.messages import digits, local_name
from desktop_app.ui.widgets.retranslate import Retranslating
from desktop_app.ui.widgets.tables import RecordEditor, error_label, record_list, with_error
from sync.rules import CREW_ROLES


def _crew_field(field: str) -> str:
    """The crew form's field for a problem: the Desk checks a crew's phone with the
    citizen's phone rules, and names it so."""
    return "phone" if field == "citizen_phone" else field


class CrewsDialog(Retranslating, QDialog):
    """The crews of the office, and a form to add or change one.

    Signals:
        sig_loaded(): the list shows the crews as they are in the database.
    """

    sig_loaded = Signal()

    COLUMNS = ("name", "supervisor", "phone", "district", "active")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self._list: CrewList | None = None
        self._editing: uuid.UUID | None = None
        self._can_edit = ctx.actor.role in CREW_ROLES
        self.setObjectName("crewsDialog")
        self.resize(900, 480)

        self._table = record_list("crews", len(self.COLUMNS), self._on_selected)

        self._name = QLineEdit()
        self._name.setObjectName("name")
        self._supervisor = QLineEdit()
        self._supervisor.setObjectName("supervisor")
        self._phone = QLineEdit()
        self._phone.setObjectName("phone")
        self._phone.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self._district = QComboBox()
        self._district.setObjectName("district_code")
        self._active = QCheckBox()
        self._active.setObjectName("active")
        self._active.setChecked(True)
        self._errors = {key: error_label(f"{key}_error")
                        for key in ("name", "phone", "district_code")}
        self._captions = {key: QLabel() for key in ("name", "supervisor", "phone", "district_code")}
        form = QFormLayout()
        form.addRow(self._captions["name"], with_error(self._name, self._errors["name"]))
        form.addRow(self._captions["supervisor"], self._supervisor)
        form.addRow(self._captions["phone"], with_error(self._phone, self._errors["phone"]))
        form.addRow(self._captions["district_code"],
                    with_error(self._district, self._errors["district_code"]))
        form.addRow("", self._active)
        self._hint = QLabel()
        self._hint.setObjectName("hint")
        self._hint.setWordWrap(True)
        self._hint.setStyleSheet("color:#5f6368;")
        body = RecordEditor(self, self._table, form, errors=self._errors, on_new=self._on_new,
                            on_save=self._on_save,
                            notes=[self._hint])
        self._body = body
        self._status, self._new, self._save = body.status, body.new, body.save
        self._editor, self._close = body.group, body.close
        self._editor.setEnabled(False)

        self._retranslate()
        self._reload()

    # ------------------------------------------------------------------ language

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Crews"))
        self._table.setHorizontalHeaderLabels([
            self.tr("Crew"), self.tr("Supervisor"), self.tr("Phone"), self.tr("District"),
            self.tr("Active")])
        self._captions["name"].setText(self.tr("Name *"))
        self._captions["supervisor"].setText(self.tr("Supervisor"))
        self._captions["phone"].setText(self.tr("Phone"))
        self._captions["district_code"].setText(self.tr("District *"))
        self._active.setText(self.tr("Active: offered when work is assigned"))
        self._hint.setText(
            self.tr("A crew is never deleted: make it inactive and it is no longer offered "
                    "for new work. Work it already has stays with it.")
            if self._can_edit else
            self.tr("Only a manager or a crew supervisor can change crews."))
        self._new.setText(self.tr("New crew"))
        self._save.setText(self.tr("Save"))
        self._close.setText(self.tr("Close"))
        self._editor.setTitle(self.tr("Change crew") if self._editing else self.tr("New crew"))
        if self._list is not None:
            self._show_rows()

    # ------------------------------------------------------------------- loading

    def _reload(self, select: uuid.UUID | None = None, message: str = "") -> None:
        """Read the crews again; then show ``select`` in the form, and ``message``."""
        store = self._ctx.store  # the job never holds the dialog (see RequestForm.reload)
        self._ctx.tasks.run_db(lambda: load_crews(store),
                               on_done=lambda crews: self._on_loaded(crews, select, message),
                               on_error=self._on_error)

    def _on_loaded(self, crews: CrewList, select: uuid.UUID | None, message: str) -> None:
        if not isValid(self):
            return
        self._list = crews
        self._show_rows()
        self._editor.setEnabled(self._can_edit)
        if select is not None:
            self.select(select)
        elif self._editing is None:
            self._on_new()
        self._status.setText(message)
        self.sig_loaded.emit()

    def _show_rows(self) -> None:
        crews = self._list
        assert crews is not None
        language = self._ctx.language
        names = dict(crews.districts)
        self._table.blockSignals(True)
        self._table.setRowCount(len(crews.crews))
        muted = QBrush(self.palette().color(QPalette.ColorGroup.Disabled,
                                            QPalette.ColorRole.Text))
        for row, crew in enumerate(crews.crews):
            cells = (crew.name, crew.supervisor, digits(crew.phone),
                     local_name(names.get(crew.district_code), language),
                     self.tr("yes") if crew.active else self.tr("no"))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, crew.id)
                if not crew.active:
                    item.setForeground(muted)
                self._table.setItem(row, column, item)
        self._table.blockSignals(False)
        current = self._district.currentData()
        self._district.clear()
        for code, district_names in crews.districts:
            self._district.addItem(local_name(district_names, language), code)
        self._district.setCurrentIndex(max(0, self._district.findData(current)))

    # ------------------------------------------------------------------- editing

    def select(self, crew_id: uuid.UUID) -> None:
        """Show one crew in the list and in the form."""
        for row in range(self._table.rowCount()):
            if self._table.item(row, 0).data(Qt.ItemDataRole.UserRole) == crew_id:
                self._table.setCurrentCell(row, 0)  # not selectRow(): see SyncProblemsDialog
                return
        raise KeyError(crew_id)

    def _on_selected(self) -> None:
        rows = self._table.selectionModel().selectedRows()
        if not rows or self._list is None:
            return
        crew_id = self._table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        (crew,) = [c for c in self._list.crews if c.id == crew_id]
        self._editing = crew.id
        self._name.setText(crew.name)
        self._supervisor.setText(crew.supervisor)
        self._phone.setText(crew.phone)
        self._district.setCurrentIndex(max(0, self._district.findData(crew.district_code)))
        self._active.setChecked(crew.active)
        self._clear_messages()
        self._editor.setTitle(self.tr("Change crew"))

    def _on_new(self) -> None:
        self._table.clearSelection()
        self._editing = None
        for edit in (self._name, self._supervisor, self._phone):
            edit.clear()
        self._active.setChecked(True)
        self._clear_messages()
        self._editor.setTitle(self.tr("New crew"))
        self._name.setFocus()

    def _clear_messages(self) -> None:
        self._body.clear_messages()

    def _on_save(self) -> None:
        self._clear_messages()
        desk = self._ctx.desk
        values = dict(name=self._name.text(), supervisor=self._supervisor.text(),
                      phone=self._phone.text(), district_code=self._district.currentData() or "",
                      active=self._active.isChecked(), crew_id=self._editing)
        self._save.setEnabled(False)
        self._ctx.run_op(lambda: desk.save_crew(**values), on_done=self._on_saved,
                         on_error=self._on_error)

    def _on_saved(self, saved: CrewSaved) -> None:
        if not isValid(self):
            return
        crew_id = saved.id
        self._save.setEnabled(True)
        self._editing = crew_id
        self._reload(select=crew_id, message=self.tr("Saved."))

    def _on_error(self, error: BaseException) -> None:
        if isValid(self):
            self._body.show_error(error, field_of=_crew_field)
