"""Registering a citizen who comes to the office (channel ``walk_in``).

The clerk fills the form while the citizen stands at the counter, so the form asks
in the order the conversation goes (phone and name, where, what), offers only the
office's own districts (its enrolment scope) and, once a district is chosen, only
its neighbourhoods.  Whether the form is complete is decided by the Desk alone
(:meth:`~desktop_app.services.requests.Desk.register_walk_in`); each problem it
returns is shown in the user's language beside the field to fix, so there is one
set of rules and the clerk never hunts for what is wrong.

On success the citizen gets the tracking code at once, even offline (the code is
numbered by the office), shown large in the locale's digits with a button to copy it.
What the form offers and what it shows after registering are read by
:mod:`desktop_app.services.form_choices`; :class:`FieldNotes` and
:func:`category_model` are shared with the correction form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QCollator, QLocale, Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop_app.errors import FieldProblem, ValidationFailed
from desktop_app.services.form_choices import (
    CategoryChoice,
    Names,
    Registered,
    WalkInChoices,
    load_registered,
    load_walk_in_choices,
)
from desktop_app.services.office import Store
from desktop_app.services.requests import Changes, Desk, WalkIn
from desktop_app.ui.context import AppContext
from desktop_app.ui.messages import digits, error_text, local_name, problem_text, status_name
from desktop_app.ui.widgets.retranslate import Retranslating
from desktop_app.ui.widgets.tables import ERROR_STYLE, error_label, with_error



@dataclass(frozen=True)
class RegisteredNow:
    """What registering hands the dialog: the request as the clerk reads it out, and
    what changed, which :meth:`AppContext.run_op` announces."""

    registered: Registered
    changes: Changes


def register(desk: Desk, store: Store, form: WalkIn) -> RegisteredNow:
    """Runs on the database thread: the Desk action, then what the dialog shows
    (the Desk's changes, which :meth:`AppContext.run_op` announces)."""
    result = desk.register_walk_in(form)
    return RegisteredNow(load_registered(store, result.id), result.changes)


class FieldNotes:
    """Form rows where every field has a note under it for its problem.

    The walk-in form and the correction form (:mod:`desktop_app.ui.edit_request`)
    both show the Desk's :class:`FieldProblem` s through this, so one set of rules
    reads the same wherever a clerk types a request: each problem beside the field
    to fix, in the user's language, and the first such field (in ``inputs`` order)
    focused.  A problem of a field the form does not show goes to ``general``."""

    def __init__(self, inputs: dict[str, QWidget], general: QLabel):
        self.inputs = inputs
        self.general = general
        self.layout = QFormLayout()
        self.layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.captions: dict[str, QLabel] = {}
        self.errors: dict[str, QLabel] = {}
        for name, widget in inputs.items():
            caption, error = QLabel(), error_label(f"{name}_error")
            caption.setBuddy(widget)
            self.layout.addRow(caption, with_error(widget, error))
            self.captions[name], self.errors[name] = caption, error

    def clear(self) -> None:
        for label in (*self.errors.values(), self.general):
            label.hide()

    def show(self, problems: Sequence[FieldProblem]) -> None:
        general = []
        for problem in problems:
            label = self.errors.get(problem.field)
            if label is None:
                general.append(problem_text(problem))
                continue
            label.setText(problem_text(problem))
            label.show()
        if general:
            self.general.setText("\n".join(general))
            self.general.show()
        fields = {p.field for p in problems}
        for name, widget in self.inputs.items():
            if name in fields:
                widget.setFocus()
                break


def category_model(categories: Sequence[CategoryChoice], language: str,
                   font: QFont, parent: QWidget) -> QStandardItemModel:
    """Categories under their family's name, for a combo box: thirteen items read
    faster in groups.  Each item holds its category code (``UserRole``)."""
    model = QStandardItemModel(parent)
    families: dict[str, list[tuple[str, str]]] = {}
    for category in categories:
        families.setdefault(local_name(category.family, language), []).append(
            (category.code, local_name(category.names, language)))
    collator = QCollator(QLocale())
    bold = QFont(font)
    bold.setBold(True)
    for family in sorted(families, key=collator.sortKey):
        header = QStandardItem(family)
        header.setFlags(Qt.ItemFlag.NoItemFlags)
        header.setFont(bold)
        model.appendRow(header)
        for code, name in sorted(families[family], key=lambda item: collator.sortKey(item[1])):
            item = QStandardItem("    " + name)
            item.setData(code, Qt.ItemDataRole.UserRole)
            model.appendRow(item)
    return model


class WalkInDialog(Retranslating, QDialog):
    """The walk-in form, then the tracking code for the citizen.

    Signals:
        sig_loaded(): districts and categories are offered.
        sig_registered(str): a request was registered; its tracking code.
    """

    sig_loaded = Signal()
    sig_registered = Signal(str)

    # Form fields in the order they are filled; also the order problems are focused.
    FIELDS = ("citizen_phone", "citizen_name", "district_code", "neighbourhood_code", "address",
              "category_code", "description")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self._choices: WalkInChoices | None = None
        self._registered: Registered | None = None
        self.setObjectName("walkInDialog")
        # Room for a note under every field: word-wrapped notes do not grow a window.
        self.resize(600, 660)

        self._phone = QLineEdit()
        self._phone.setObjectName("citizen_phone")
        # Digits and spaces read left to right even in a Persian window; in a
        # right-to-left field "0912 123 4567" would show its groups reversed.
        self._phone.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self._phone.setInputMethodHints(Qt.InputMethodHint.ImhDialableCharactersOnly)
        self._name = QLineEdit()
        self._name.setObjectName("citizen_name")
        self._district = QComboBox()
        self._district.setObjectName("district_code")
        self._district.currentIndexChanged.connect(self._on_district)
        self._hood = QComboBox()
        self._hood.setObjectName("neighbourhood_code")
        self._address = QLineEdit()
        self._address.setObjectName("address")
        self._category = QComboBox()
        self._category.setObjectName("category_code")
        self._description = QPlainTextEdit()
        self._description.setObjectName("description")
        self._description.setTabChangesFocus(True)
        self._description.setFixedHeight(self.fontMetrics().lineSpacing() * 5)
        self._inputs: dict[str, QWidget] = {
            "citizen_phone": self._phone, "citizen_name": self._name,
            "district_code": self._district, "neighbourhood_code": self._hood,
            "address": self._address, "category_code": self._category,
            "description": self._description,
        }

        self._required_note = QLabel()
        self._required_note.setStyleSheet("color:#5f6368;")
        self._error = QLabel()
        self._error.setObjectName("error")
        self._error.setWordWrap(True)
        self._error.setStyleSheet(ERROR_STYLE)
        self._error.hide()
        self._notes = FieldNotes({name: self._inputs[name] for name in self.FIELDS}, self._error)
        self._register = QPushButton()
        self._register.setObjectName("register")
        self._register.setDefault(True)
        self._register.setEnabled(False)
        self._register.clicked.connect(self._on_register)
        self._cancel = QPushButton()
        self._cancel.setObjectName("cancel")
        self._cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self._required_note, 1)
        buttons.addWidget(self._register)
        buttons.addWidget(self._cancel)
        entry = QWidget()
        entry_layout = QVBoxLayout(entry)
        entry_layout.addLayout(self._notes.layout)
        entry_layout.addWidget(self._error)
        entry_layout.addStretch(1)
        entry_layout.addLayout(buttons)

        self._done_title = QLabel()
        title_font = QFont(self.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.4)
        title_font.setBold(True)
        self._done_title.setFont(title_font)
        self._done_title.setStyleSheet("color:#1d4d1f;")
        self._give = QLabel()
        self._code = QLabel()
        self._code.setObjectName("trackingCode")
        code_font = QFont(self.font())
        code_font.setPointSizeF(code_font.pointSizeF() * 3)
        code_font.setBold(True)
        self._code.setFont(code_font)
        self._code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._code.setStyleSheet("border:1px solid #c4c7c5; border-radius:6px; padding:12px;")
        self._copy = QPushButton()
        self._copy.setObjectName("copy")
        self._copy.clicked.connect(self._on_copy)
        self._summary = QLabel()
        self._summary.setObjectName("summary")
        self._summary.setWordWrap(True)
        # Vazirmatn's final ی reaches past its advance: a margin keeps a line's last
        # letter from being cut at the label's edge.
        self._summary.setMargin(4)
        self._another = QPushButton()
        self._another.setObjectName("another")
        self._another.clicked.connect(self._on_another)
        self._close = QPushButton()
        self._close.setObjectName("close")
        self._close.clicked.connect(self.accept)
        done = QWidget()
        done_layout = QVBoxLayout(done)
        done_layout.addWidget(self._done_title)
        done_layout.addWidget(self._give)
        done_layout.addWidget(self._code)
        copy_row = QHBoxLayout()
        copy_row.addStretch(1)
        copy_row.addWidget(self._copy)
        copy_row.addStretch(1)
        done_layout.addLayout(copy_row)
        done_layout.addWidget(self._summary)
        done_layout.addStretch(1)
        done_buttons = QHBoxLayout()
        done_buttons.addStretch(1)
        done_buttons.addWidget(self._another)
        done_buttons.addWidget(self._close)
        done_layout.addLayout(done_buttons)

        self._pages = QStackedWidget()
        self._pages.addWidget(entry)
        self._pages.addWidget(done)
        layout = QVBoxLayout(self)
        layout.addWidget(self._pages)

        self._retranslate()
        store = ctx.store
        ctx.tasks.run_db(lambda: load_walk_in_choices(store), on_done=self._on_loaded,
                         on_error=self._on_failed)

    # ------------------------------------------------------------------ language

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Walk-in request"))
        captions = {
            "citizen_phone": self.tr("Phone *"), "citizen_name": self.tr("Citizen's name"),
            "district_code": self.tr("District"), "neighbourhood_code": self.tr("Neighbourhood *"),
            "address": self.tr("Address"), "category_code": self.tr("Category *"),
            "description": self.tr("What the citizen reports *"),
        }
        for name, text in captions.items():
            self._notes.captions[name].setText(text)
        self._phone.setPlaceholderText(self.tr("09121234567"))
        self._address.setPlaceholderText(self.tr("Street, alley, plate, landmark"))
        self._district.setPlaceholderText(self.tr("Choose the district"))
        self._hood.setPlaceholderText(self.tr("Choose the neighbourhood"))
        self._category.setPlaceholderText(self.tr("Choose the category"))
        self._required_note.setText(self.tr("* required"))
        self._register.setText(self.tr("Register"))
        self._cancel.setText(self.tr("Cancel"))
        self._done_title.setText(self.tr("The request is registered."))
        self._give.setText(self.tr("Give the citizen this tracking code:"))
        self._copy.setText(self.tr("Copy the code"))
        self._another.setText(self.tr("Register another"))
        self._close.setText(self.tr("Close"))
        if self._choices is not None:
            self._fill_choices()
        if self._registered is not None:
            self._show_registered()

    # ------------------------------------------------------------------- choices

    def _sorted(self, items: Sequence[tuple[str, Names]]) -> list[tuple[str, str]]:
        """(code, name) in the user's language, in its alphabetical order."""
        collator = QCollator(QLocale())
        named = [(code, local_name(names, self._ctx.language)) for code, names in items]
        return sorted(named, key=lambda item: collator.sortKey(item[1]))

    def _fill_choices(self) -> None:
        """(Re)fill the combos in the current language, keeping what was chosen."""
        choices = self._choices
        assert choices is not None
        district, hood, category = (self._district.currentData(), self._hood.currentData(),
                                    self._category.currentData())
        self._district.blockSignals(True)
        self._district.clear()
        for d in choices.districts:
            self._district.addItem(local_name(d.names, self._ctx.language), d.code)
        self._district.setCurrentIndex(self._district.findData(district)
                                       if district else (0 if len(choices.districts) == 1 else -1))
        self._district.blockSignals(False)
        self._fill_neighbourhoods(hood)

        self._category.setModel(category_model(choices.categories, self._ctx.language,
                                               self.font(), self._category))
        self._category.setCurrentIndex(self._category.findData(category) if category else -1)

    def _fill_neighbourhoods(self, keep: str | None = None) -> None:
        district = self._district.currentData()
        self._hood.clear()
        if self._choices is None or district is None:
            self._hood.setEnabled(False)
            return
        (chosen,) = [d for d in self._choices.districts if d.code == district]
        for code, name in self._sorted(chosen.neighbourhoods):
            self._hood.addItem(name, code)
        self._hood.setEnabled(True)
        self._hood.setCurrentIndex(self._hood.findData(keep) if keep else -1)

    def _on_district(self) -> None:
        self._fill_neighbourhoods()

    def _on_loaded(self, choices: WalkInChoices) -> None:
        if not isValid(self):
            return
        self._choices = choices
        self._fill_choices()
        self._register.setEnabled(True)
        self.sig_loaded.emit()

    def _on_failed(self, error: BaseException) -> None:
        if isValid(self):
            self._error.setText(error_text(error))
            self._error.show()

    # ------------------------------------------------------------------- saving

    def _form(self) -> WalkIn:
        return WalkIn(
            citizen_name=self._name.text(), citizen_phone=self._phone.text(),
            district_code=self._district.currentData() or "",
            neighbourhood_code=self._hood.currentData() or "",
            category_code=self._category.currentData() or "",
            description=self._description.toPlainText(), address=self._address.text(),
        )

    def _on_register(self) -> None:
        self._notes.clear()
        form = self._form()
        desk, store = self._ctx.desk, self._ctx.store  # the job never holds the dialog
        self._register.setEnabled(False)
        self._ctx.run_op(lambda: register(desk, store, form), on_done=self._on_registered,
                         on_error=self._on_rejected)

    def _on_rejected(self, error: BaseException) -> None:
        if not isValid(self):
            return
        self._register.setEnabled(True)
        if not isinstance(error, ValidationFailed):
            self._error.setText(error_text(error))
            self._error.show()
            return
        self._notes.show(error.problems)

    def _on_registered(self, now: RegisteredNow) -> None:
        if not isValid(self):
            return
        registered = self._registered = now.registered
        self._show_registered()
        self._pages.setCurrentIndex(1)
        self._copy.setFocus()
        self.sig_registered.emit(registered.tracking_code)

    def _show_registered(self) -> None:
        registered = self._registered
        assert registered is not None
        language = self._ctx.language
        self._code.setText(digits(registered.tracking_code))
        self._summary.setText(
            self.tr("%1 in %2. Status: “%3”. It is kept at this office and sent to the "
                    "centre at the next sync.")
            .replace("%1", local_name(registered.category, language))
            .replace("%2", local_name(registered.neighbourhood, language))
            .replace("%3", status_name(registered.status)))

    @property
    def tracking_code(self) -> str | None:
        """The code of the request registered last (stored form, Latin digits)."""
        return self._registered.tracking_code if self._registered else None

    def _on_copy(self) -> None:
        QGuiApplication.clipboard().setText(self._code.text())
        self._copy.setText(self.tr("Copied"))

    def _on_another(self) -> None:
        """A fresh form for the next citizen; the district stays, it is usually the same."""
        for edit in (self._phone, self._name, self._address):
            edit.clear()
        self._description.clear()
        self._hood.setCurrentIndex(-1)
        self._category.setCurrentIndex(-1)
        self._registered = None
        self._copy.setText(self.tr("Copy the code"))
        self._register.setEnabled(True)
        self._pages.setCurrentIndex(0)
        self._phone.setFocus()
