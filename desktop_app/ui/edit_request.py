"""Correcting a request's plain fields: the citizen's name and phone, the
neighbourhood, address, category, description and location.

The dialog opens filled with the request as the form last read it, and sends only
the fields the clerk changed: a field left alone is not sent back, so a value the
centre changed meanwhile is not overwritten with the old one (the Desk's edit
carries each changed field's old value, and the centre keeps a stale one as a
conflict).  The rules are the walk-in form's, applied by
:meth:`~desktop_app.services.requests.Desk.edit`; its problems are shown beside
each field by :class:`~desktop_app.ui.walk_in.FieldNotes`, and digits may be typed
Persian or Latin.  The neighbourhood is chosen within the request's district:
moving a request to another district is the centre's decision.  The choices are
read by :func:`~desktop_app.services.form_choices.load_edit_choices`; the save runs
through ``ctx.run_op``, which announces the corrected request to every view.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCollator, QCoreApplication, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop_app.errors import FieldProblem, ServiceError, ValidationFailed
from desktop_app.services.form_choices import EditChoices, load_edit_choices
from desktop_app.services.requests import CITIZEN_NAME_LENGTH, Changes
from desktop_app.ui.context import AppContext
from desktop_app.ui.messages import digits, error_text, local_name
from desktop_app.ui.walk_in import ERROR_STYLE, FieldNotes, category_model
from desktop_app.ui.widgets.retranslate import Retranslating
from sync.text import to_latin_digits

_NOT_EDITABLE_NOW = QT_TRANSLATE_NOOP(
    "EditRequestDialog", "This request is no longer open at the district, so it cannot be "
    "corrected. Reopen it first if it must change.")


@dataclass(frozen=True)
class Current:
    """The fields as the form last read them (what the dialog opens with)."""

    request_id: uuid.UUID
    tracking_code: str
    district_code: str
    citizen_phone: str
    citizen_name: str
    neighbourhood_code: str | None
    address: str
    category_code: str
    description: str
    latitude: float | None
    longitude: float | None


class EditRequestDialog(Retranslating, QDialog):
    """Correct a request's plain fields.

    Signals:
        sig_loaded(): neighbourhoods and categories are offered.
        sig_saved(object): the correction was written; the :class:`Changes`.
    """

    sig_loaded = Signal()
    sig_saved = Signal(object)

    # In the order a clerk reads them on the form; also the order problems are focused.
    FIELDS = ("citizen_phone", "citizen_name", "neighbourhood_code", "address",
              "category_code", "description", "latitude", "longitude")

    def __init__(self, ctx: AppContext, current: Current, parent: QWidget | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self._current = current
        self._choices: EditChoices | None = None
        self._initial: dict[str, object] = {}
        self.setObjectName("editRequestDialog")
        self.resize(600, 640)

        self._phone = QLineEdit()
        # Digit groups read left to right even in a Persian window (as on the walk-in form).
        self._phone.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self._phone.setInputMethodHints(Qt.InputMethodHint.ImhDialableCharactersOnly)
        self._name = QLineEdit()
        self._name.setMaxLength(CITIZEN_NAME_LENGTH)
        self._hood = QComboBox()
        self._address = QLineEdit()
        self._category = QComboBox()
        self._description = QPlainTextEdit()
        self._description.setTabChangesFocus(True)
        self._description.setFixedHeight(self.fontMetrics().lineSpacing() * 5)
        self._latitude = QLineEdit()
        self._longitude = QLineEdit()
        for edit in (self._latitude, self._longitude):
            edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        inputs: dict[str, QWidget] = {
            "citizen_phone": self._phone, "citizen_name": self._name,
            "neighbourhood_code": self._hood, "address": self._address,
            "category_code": self._category, "description": self._description,
            "latitude": self._latitude, "longitude": self._longitude,
        }
        for name, widget in inputs.items():
            widget.setObjectName(name)

        self._intro = QLabel()
        self._intro.setObjectName("intro")
        self._intro.setWordWrap(True)
        self._error = QLabel()
        self._error.setObjectName("error")
        self._error.setWordWrap(True)
        self._error.setStyleSheet(ERROR_STYLE)
        self._error.hide()
        self._notes = FieldNotes(inputs, self._error)
        self._save = QPushButton()
        self._save.setObjectName("save")
        self._save.setDefault(True)
        self._save.setEnabled(False)
        self._save.clicked.connect(self._on_save)
        self._cancel = QPushButton()
        self._cancel.setObjectName("cancel")
        self._cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self._save)
        buttons.addWidget(self._cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self._intro)
        layout.addLayout(self._notes.layout)
        layout.addWidget(self._error)
        layout.addStretch(1)
        layout.addLayout(buttons)

        self._retranslate()
        store, district = ctx.store, current.district_code
        ctx.tasks.run_db(lambda: load_edit_choices(store, district), on_done=self._on_loaded,
                         on_error=self._on_failed)

    # ------------------------------------------------------------------ language

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Correct request %1").replace(
            "%1", digits(self._current.tracking_code)))
        self._intro.setText(self.tr(
            "Correct what was recorded wrongly. Only the fields you change are sent to the "
            "centre, and the request's history records who corrected what."))
        captions = {
            "citizen_phone": self.tr("Phone"), "citizen_name": self.tr("Citizen's name"),
            "neighbourhood_code": self.tr("Neighbourhood"), "address": self.tr("Address"),
            "category_code": self.tr("Category"), "description": self.tr("Description"),
            "latitude": self.tr("Latitude"), "longitude": self.tr("Longitude"),
        }
        for name, text in captions.items():
            self._notes.captions[name].setText(text)
        self._latitude.setPlaceholderText(self.tr("e.g. 33.98"))
        self._longitude.setPlaceholderText(self.tr("e.g. 51.43"))
        self._save.setText(self.tr("Save the correction"))
        self._cancel.setText(self.tr("Cancel"))
        if self._choices is not None:
            self._fill_choices()

    # ------------------------------------------------------------------- filling

    def _fill_choices(self) -> None:
        """(Re)fill the combos in the current language, keeping what was chosen."""
        choices = self._choices
        assert choices is not None
        language = self._ctx.language
        hood = self._hood.currentData() if self._hood.count() else self._current.neighbourhood_code
        category = (self._category.currentData() if self._category.count()
                    else self._current.category_code)
        collator = QCollator(QLocale())
        self._hood.clear()
        for code, names in sorted(choices.neighbourhoods,
                                  key=lambda item: collator.sortKey(local_name(item[1], language))):
            self._hood.addItem(local_name(names, language), code)
        self._hood.setCurrentIndex(self._hood.findData(hood) if hood else -1)
        self._category.setModel(category_model(choices.categories, language, self.font(),
                                               self._category))
        self._category.setCurrentIndex(self._category.findData(category))

    def _on_loaded(self, choices: EditChoices) -> None:
        if not isValid(self):
            return
        self._choices = choices
        current = self._current
        self._phone.setText(digits(current.citizen_phone))
        self._name.setText(current.citizen_name)
        self._address.setText(current.address)
        self._description.setPlainText(current.description)
        self._latitude.setText(self._number(current.latitude))
        self._longitude.setText(self._number(current.longitude))
        self._fill_choices()
        self._initial = self._typed()
        self._save.setEnabled(True)
        self.sig_loaded.emit()

    def _on_failed(self, error: BaseException) -> None:
        if isValid(self):
            self._error.setText(error_text(error))
            self._error.show()

    @staticmethod
    def _number(value: float | None) -> str:
        """A coordinate as typed back: no trailing zeros, the locale's digits and
        decimal sign (``۳۳٫۹۸``), which :meth:`_changes` reads again."""
        if value is None:
            return ""
        text = f"{value:.6f}".rstrip("0").rstrip(".")
        return digits(text).replace(".", QLocale().decimalPoint())

    # -------------------------------------------------------------------- saving

    def _typed(self) -> dict[str, object]:
        return {
            "citizen_phone": self._phone.text(), "citizen_name": self._name.text(),
            "neighbourhood_code": self._hood.currentData(), "address": self._address.text(),
            "category_code": self._category.currentData(),
            "description": self._description.toPlainText(),
            "latitude": self._latitude.text(), "longitude": self._longitude.text(),
        }

    def _changes(self) -> tuple[dict[str, object], list[FieldProblem]]:
        """The fields the clerk changed, as the Desk takes them; a location that is
        not a number is a problem found here, since the Desk takes numbers."""
        changes: dict[str, object] = {}
        problems: list[FieldProblem] = []
        for name, value in self._typed().items():
            if value == self._initial.get(name):
                continue
            if name in ("latitude", "longitude"):
                # Persian digits and the Persian decimal sign (٫) read as Latin ones.
                text = to_latin_digits(str(value)).strip().replace("\u066b", ".")
                try:
                    value = float(text) if text else None
                except ValueError:
                    problems.append(FieldProblem(name, "not_a_number", self.tr(
                        "Write the number with digits and a decimal point, e.g. 33.98.")))
                    continue
            changes[name] = value
        return changes, problems

    def _on_save(self) -> None:
        self._notes.clear()
        changes, problems = self._changes()
        if problems:
            self._notes.show(problems)
            return
        if not changes:
            self.reject()
            return
        desk, request_id = self._ctx.desk, self._current.request_id
        self._save.setEnabled(False)
        self._ctx.run_op(lambda: desk.edit(request_id, **changes), on_done=self._on_saved,
                         on_error=self._on_refused)

    def _on_saved(self, changes: Changes) -> None:
        if not isValid(self):
            return
        self.sig_saved.emit(changes)
        self.accept()

    def _on_refused(self, error: BaseException) -> None:
        if not isValid(self):
            return
        self._save.setEnabled(True)
        if isinstance(error, ValidationFailed):
            self._notes.show(error.problems)
            return
        if isinstance(error, ServiceError) and error.code == "not_editable_now":
            self._error.setText(QCoreApplication.translate("EditRequestDialog", _NOT_EDITABLE_NOW))
        else:
            self._error.setText(error_text(error))
        self._error.show()
