"""Taking a call: the 137 operator's form, with the caller on the line.

Keyboard only, in the order a call goes: the caller's phone, the problem (a few
letters of the category's Persian name), the place (a few letters of the
neighbourhood's, which fills the district), the address, what the caller says.
Enter saves, anywhere in the form; the tracking code then shows big, in the
window's digits, to read out, and the form is ready for the next call.

While the operator types, two things come up beside the form, read on the
database thread so typing never waits:

* the caller's earlier requests with their status, as soon as the number is a
  whole phone number ("I called last week" is answered at once);
* possible duplicates — open requests of the same category in the same
  neighbourhood, lately — once both are chosen (after a short pause, so a burst of
  typing asks once).  The operator can attach the call to one of them instead of
  making a second request (Ctrl+D, or Alt+U to reach the list and Enter): a
  "called again" entry in its history, counted as a repeat call.

The rules are the centre desk's (:class:`~desktop_app.services.centre.CentreDesk`):
the form shows its field problems beside each field, as the walk-in form does.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QCollator, QLocale, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop_app.errors import ValidationFailed
from desktop_app.services.centre import (
    Call,
    CentreDesk,
    Duplicate,
    PastRequest,
    caller_history,
    possible_duplicates,
)
from desktop_app.services.centre_view import CentreNames, load_centre_names
from desktop_app.services.requests import Registered
from desktop_app.ui.context import AppContext
from desktop_app.ui.messages import digits, error_text, local_name, moment_text, status_name
from desktop_app.ui.walk_in import FieldNotes
from desktop_app.ui.widgets.lookup import LookupField
from desktop_app.ui.widgets.retranslate import Retranslating
from desktop_app.ui.widgets.tables import ERROR_STYLE

#: Pause after the category or place changes before duplicates are looked up (ms).
DUPLICATE_DELAY_MS = 250
CHANNELS = ("phone", "web", "sms")


def centre_desk(ctx: AppContext) -> CentreDesk:
    """The signed-in person's centre desk (the app makes one for a centre user)."""
    if isinstance(ctx.desk, CentreDesk):
        return ctx.desk
    return CentreDesk(ctx.store.sessions, ctx.actor)


def read_only_table(name: str, columns: int, kind: type[QTableWidget] = QTableWidget) -> QTableWidget:
    """A small list of requests to look at and pick one from, by keyboard too."""
    table = kind(0, columns)
    table.setObjectName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.verticalHeader().hide()
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def cell(text: str, request_id: uuid.UUID | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if request_id is not None:
        item.setData(Qt.ItemDataRole.UserRole, request_id)
    return item


class DuplicateTable(QTableWidget):
    """Possible duplicates; Enter on one attaches the call to it.

    Signals:
        sig_attach(): Enter was pressed on a row.
    """

    sig_attach = Signal()

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentRow() >= 0:
            self.sig_attach.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class CallPage(Retranslating, QWidget):
    """The call form with the caller's history and possible duplicates beside it.

    Signals:
        sig_loaded(): categories and neighbourhoods are offered.
        sig_history(tuple): the caller's earlier requests are shown (PastRequest s).
        sig_duplicates(tuple): possible duplicates are shown (Duplicate s).
        sig_saved(str): a call was registered; its tracking code is on screen.
        sig_attached(str): a call was attached to the request with this code.
    """

    sig_loaded = Signal()
    sig_history = Signal(tuple)
    sig_duplicates = Signal(tuple)
    sig_saved = Signal(str)
    sig_attached = Signal(str)

    #: The fields in the order a call goes (and problems are focused).
    FIELDS = ("citizen_phone", "category_code", "neighbourhood_code", "address", "description",
              "citizen_name", "channel")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("callPage")
        self._ctx = ctx
        self._names: CentreNames | None = None
        self._history: tuple[PastRequest, ...] = ()
        self._duplicates: tuple[Duplicate, ...] = ()
        self._history_asked = ""
        self._duplicates_asked: tuple[str, str] = ("", "")
        self._saving = False
        self.last_code: str | None = None

        self._phone = QLineEdit(objectName="citizen_phone")
        self._phone.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self._phone.setInputMethodHints(Qt.InputMethodHint.ImhDialableCharactersOnly)
        self._category = LookupField()
        self._category.setObjectName("category_code")
        self._place = LookupField()
        self._place.setObjectName("neighbourhood_code")
        self._district = QLabel(objectName="district")
        self._district.setStyleSheet("color:#3c4043;")
        place_row = QWidget()
        place_layout = QHBoxLayout(place_row)
        place_layout.setContentsMargins(0, 0, 0, 0)
        place_layout.addWidget(self._place, 1)
        place_layout.addWidget(self._district)
        self._address = QLineEdit(objectName="address")
        self._description = QLineEdit(objectName="description")
        self._name = QLineEdit(objectName="citizen_name")
        self._channel = QComboBox(objectName="channel")
        for code in CHANNELS:
            self._channel.addItem("", code)
        self._inputs: dict[str, QWidget] = {
            "citizen_phone": self._phone, "category_code": self._category,
            "neighbourhood_code": self._place, "address": self._address,
            "description": self._description, "citizen_name": self._name,
            "channel": self._channel,
        }
        self._error = QLabel(objectName="error")
        self._error.setWordWrap(True)
        self._error.setStyleSheet(ERROR_STYLE)
        self._error.hide()
        # The place's row shows the district beside the neighbourhood.
        place_row.setFocusProxy(self._place)
        self._notes = FieldNotes({**self._inputs, "neighbourhood_code": place_row}, self._error)

        self._save = QPushButton(objectName="save")
        self._save.setEnabled(False)
        self._save.setAutoDefault(False)
        self._save.clicked.connect(self.save)
        self._new = QPushButton(objectName="newCall")
        self._new.setAutoDefault(False)
        self._new.clicked.connect(self.new_call)
        buttons = QHBoxLayout()
        buttons.addWidget(self._error, 1)
        buttons.addWidget(self._new)
        buttons.addWidget(self._save)

        # The code to read out: big, in the window's digits.
        self._result_title = QLabel(objectName="resultTitle")
        self._code = QLabel(objectName="trackingCode")
        code_font = QFont(self.font())
        code_font.setPointSizeF(code_font.pointSizeF() * 3)
        code_font.setBold(True)
        self._code.setFont(code_font)
        self._code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._code.setStyleSheet("border:1px solid #c4c7c5; border-radius:6px; padding:10px;"
                                 "background:#f4f8f4; color:#1d4d1f;")
        self._result_note = QLabel(objectName="resultNote")
        self._result_note.setWordWrap(True)
        self._result = QGroupBox(objectName="result")
        result_layout = QVBoxLayout(self._result)
        result_layout.addWidget(self._result_title)
        result_layout.addWidget(self._code)
        result_layout.addWidget(self._result_note)
        self._result.hide()

        self._form_box = QGroupBox(objectName="callBox")
        form_layout = QVBoxLayout(self._form_box)
        form_layout.addLayout(self._notes.layout)
        form_layout.addLayout(buttons)

        # Beside the form: the caller's earlier requests, then possible duplicates.
        self._history_caption = QLabel(objectName="historyCaption")
        self._history_table = read_only_table("callerHistory", 4)
        self._history_table.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self._history_empty = QLabel(objectName="historyEmpty")
        self._history_empty.setStyleSheet("color:#5f6368;")
        self._dup_caption = QLabel(objectName="duplicatesCaption")
        self._dup_table = read_only_table("duplicates", 4, DuplicateTable)
        assert isinstance(self._dup_table, DuplicateTable)
        self._dup_table.sig_attach.connect(self.attach_to_duplicate)
        self._dup_caption.setBuddy(self._dup_table)
        self._dup_empty = QLabel(objectName="duplicatesEmpty")
        self._dup_empty.setStyleSheet("color:#5f6368;")
        self._attach = QPushButton(objectName="attach")
        self._attach.setAutoDefault(False)
        self._attach.setEnabled(False)
        self._attach.clicked.connect(self.attach_to_duplicate)
        side = QVBoxLayout()
        side.addWidget(self._history_caption)
        side.addWidget(self._history_empty)
        side.addWidget(self._history_table, 1)
        side.addSpacing(8)
        side.addWidget(self._dup_caption)
        side.addWidget(self._dup_empty)
        side.addWidget(self._dup_table, 1)
        side.addWidget(self._attach, 0, Qt.AlignmentFlag.AlignLeading)

        left = QVBoxLayout()
        left.addWidget(self._form_box)
        left.addWidget(self._result)
        left.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 5)
        layout.addLayout(side, 4)

        # Tab goes as the call goes; the lists beside are reached by their keys.
        chain = [self._phone, self._category, self._place, self._address, self._description,
                 self._name, self._channel, self._save]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)
        for edit in (self._phone, self._category, self._place, self._address, self._description,
                     self._name):
            edit.returnPressed.connect(self.save)
        self._attach_key = QShortcut(QKeySequence("Ctrl+D"), self)
        self._attach_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._attach_key.activated.connect(self.attach_to_duplicate)
        self._new_key = QShortcut(QKeySequence("Ctrl+Shift+N"), self)
        self._new_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._new_key.activated.connect(self.new_call)

        self._phone.textChanged.connect(self._on_phone)
        self._place.sig_chosen.connect(self._on_place)
        self._category.sig_chosen.connect(lambda _code: self._duplicates_later())
        self._dup_timer = QTimer(self)
        self._dup_timer.setSingleShot(True)
        self._dup_timer.setInterval(DUPLICATE_DELAY_MS)
        self._dup_timer.timeout.connect(self._ask_duplicates)
        self._dup_table.itemSelectionChanged.connect(self._on_dup_selection)

        self._retranslate()
        store = ctx.store
        ctx.tasks.run_db(lambda: load_centre_names(store), on_done=self._on_loaded,
                         on_error=self._on_failed)

    # ------------------------------------------------------------------ language

    def _retranslate(self) -> None:
        captions = {
            "citizen_phone": self.tr("Caller's &phone"), "category_code": self.tr("Pro&blem *"),
            "neighbourhood_code": self.tr("P&lace *"), "address": self.tr("&Address"),
            "description": self.tr("What the caller &says *"),
            "citizen_name": self.tr("Caller's &name"), "channel": self.tr("C&hannel"),
        }
        for name, text in captions.items():
            self._notes.captions[name].setText(text)
        self._form_box.setTitle(self.tr("New call"))
        self._phone.setPlaceholderText(self.tr("09121234567"))
        self._category.setPlaceholderText(self.tr("A few letters of the category"))
        self._place.setPlaceholderText(self.tr("A few letters of the neighbourhood"))
        self._address.setPlaceholderText(self.tr("Street, alley, plate, landmark"))
        self._description.setPlaceholderText(self.tr("In the caller's words"))
        for i, text in enumerate((self.tr("Phone 137"), self.tr("Website"), self.tr("SMS"))):
            self._channel.setItemText(i, text)
        self._save.setText(self.tr("Register (Enter)"))
        self._new.setText(self.tr("New call"))
        self._history_caption.setText(self.tr("Caller's earlier requests"))
        self._dup_caption.setText(self.tr("Possible d&uplicates (open, same problem and place)"))
        self._attach.setText(self.tr("Attach the call to this request (Ctrl+D)"))
        self._history_table.setHorizontalHeaderLabels(
            [self.tr("Code"), self.tr("Received"), self.tr("Status"), self.tr("Problem")])
        self._dup_table.setHorizontalHeaderLabels(
            [self.tr("Code"), self.tr("Received"), self.tr("Status"), self.tr("Address and report")])
        self._show_history()
        self._show_duplicates()
        if self._names is not None:
            self._fill_choices()

    # ------------------------------------------------------------------- choices

    def _fill_choices(self) -> None:
        names = self._names
        assert names is not None
        language = self._ctx.language
        collator = QCollator(QLocale())

        def ordered(pairs: dict[str, tuple[str, str]]) -> list[tuple[str, str, str]]:
            # Shown in the window's language, found by either (the Persian name
            # the caller says, or the English one).
            other = "en" if language == "fa" else "fa"
            named = [(code, local_name(pair, language), local_name(pair, other))
                     for code, pair in pairs.items()]
            return sorted(named, key=lambda item: collator.sortKey(item[1]))

        self._category.set_items(ordered(names.names.categories))
        self._place.set_items(ordered(names.names.neighbourhoods))
        self._on_place(self._place.code())

    def _on_loaded(self, names: CentreNames) -> None:
        if not isValid(self):
            return
        self._names = names
        self._fill_choices()
        self._save.setEnabled(True)
        self.sig_loaded.emit()

    def _on_failed(self, error: BaseException) -> None:
        if isValid(self):
            self._error.setText(error_text(error))
            self._error.show()

    def _name_of(self, table: str, code: str | None) -> str:
        if self._names is None or not code:
            return code or ""
        pair = getattr(self._names.names, table).get(code)
        return local_name(pair, self._ctx.language) if pair else code

    def _on_place(self, code: str) -> None:
        district = self._names.names.neighbourhood_district.get(code) if self._names else None
        self._district.setText(self._name_of("districts", district) if district else "")
        self._duplicates_later()

    # ------------------------------------------------------------ the caller

    def _read(self, fn: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        """A look-up on the database thread, while typing goes on.  One asked as
        the app closes (a pause timer firing late) is not asked at all."""
        try:
            self._ctx.tasks.run_db(fn, on_done=on_done, on_error=self._on_failed)
        except RuntimeError:  # the database thread has stopped: the app is closing
            self._dup_timer.stop()

    def _on_phone(self, text: str) -> None:
        """Look the caller up as soon as the number is whole (the service reads an
        incomplete number as nobody); the newest answer wins."""
        self._history_asked = text
        store = self._ctx.store
        self._read(lambda: (text, caller_history(store, text)), self._on_history)

    def _on_history(self, result: tuple[str, tuple[PastRequest, ...]]) -> None:
        asked, found = result
        if not isValid(self) or asked != self._history_asked:
            return
        self._history = found
        self._show_history()
        self.sig_history.emit(found)

    def _show_history(self) -> None:
        table = self._history_table
        table.setRowCount(len(self._history))
        for row, past in enumerate(self._history):
            table.setItem(row, 0, cell(digits(past.tracking_code), past.id))
            table.setItem(row, 1, cell(moment_text(past.received_at)))
            table.setItem(row, 2, cell(status_name(past.status)))
            table.setItem(row, 3, cell(self._name_of("categories", past.category_code)))
        complete = bool(self._phone.text().strip())
        self._history_empty.setVisible(not self._history)
        self._history_table.setVisible(bool(self._history))
        self._history_empty.setText(
            self.tr("No earlier requests from this number.") if complete and self._history_asked
            else self.tr("Type the caller's number to see their earlier requests."))

    # -------------------------------------------------------------- duplicates

    def _duplicates_later(self) -> None:
        self._dup_timer.start()

    def _ask_duplicates(self) -> None:
        asked = (self._category.code(), self._place.code())
        self._duplicates_asked = asked
        if not all(asked):
            self._on_duplicates((asked, ()))
            return
        store = self._ctx.store
        self._read(lambda: (asked, possible_duplicates(store, *asked)), self._on_duplicates)

    def _on_duplicates(self, result: tuple[tuple[str, str], tuple[Duplicate, ...]]) -> None:
        asked, found = result
        if not isValid(self) or asked != self._duplicates_asked:
            return
        self._duplicates = found
        self._show_duplicates()
        self.sig_duplicates.emit(found)

    def _show_duplicates(self) -> None:
        table = self._dup_table
        table.setRowCount(len(self._duplicates))
        for row, dup in enumerate(self._duplicates):
            table.setItem(row, 0, cell(digits(dup.tracking_code), dup.id))
            table.setItem(row, 1, cell(moment_text(dup.received_at)))
            table.setItem(row, 2, cell(status_name(dup.status)))
            words = " — ".join(part for part in (dup.address, dup.description) if part)
            table.setItem(row, 3, cell(digits(words)))
        if self._duplicates:
            table.setCurrentCell(0, 0)  # the nearest, newest: Ctrl+D takes it
            table.selectRow(0)
        self._dup_table.setVisible(bool(self._duplicates))
        self._dup_empty.setVisible(not self._duplicates)
        self._dup_empty.setText(
            self.tr("None: no open request of this problem here lately.") if all(self._duplicates_asked)
            else self.tr("Shown once the problem and the place are chosen."))
        self._on_dup_selection()

    def _on_dup_selection(self) -> None:
        self._attach.setEnabled(self._selected_duplicate() is not None and not self._saving)

    def _selected_duplicate(self) -> Duplicate | None:
        if not self._duplicates:
            return None
        row = self._dup_table.currentRow()
        # None picked (yet): the first, the nearest and newest, as the list shows.
        return self._duplicates[row if 0 <= row < len(self._duplicates) else 0]

    @property
    def duplicates(self) -> tuple[Duplicate, ...]:
        return self._duplicates

    @property
    def history(self) -> tuple[PastRequest, ...]:
        return self._history

    # ------------------------------------------------------------------- saving

    def _form(self) -> Call:
        self._category.take_first_match()
        self._place.take_first_match()
        return Call(citizen_phone=self._phone.text(), category_code=self._category.code(),
                    neighbourhood_code=self._place.code(),
                    description=self._description.text(), citizen_name=self._name.text(),
                    address=self._address.text(), channel=self._channel.currentData() or "phone")

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self._save.setEnabled(not saving and self._names is not None)
        self._on_dup_selection()

    def save(self) -> None:
        """Register the call (Enter anywhere in the form)."""
        if self._saving or self._names is None:
            return
        self._notes.clear()
        form = self._form()
        desk = centre_desk(self._ctx)
        self._set_saving(True)
        self._ctx.run_op(lambda: desk.take_call(form), on_done=self._on_saved,
                         on_error=self._on_refused)

    def _on_refused(self, error: BaseException) -> None:
        if not isValid(self):
            return
        self._set_saving(False)
        if isinstance(error, ValidationFailed):
            self._notes.show(error.problems)
            return
        self._error.setText(error_text(error))
        self._error.show()

    def _on_saved(self, registered: Registered) -> None:
        if not isValid(self):
            return
        self._set_saving(False)
        self._show_code(registered.tracking_code,
                        self.tr("The call is registered. Read the caller this tracking code:"),
                        self.tr("%1 in %2. It waits in the verification queue.")
                        .replace("%1", self._name_of("categories", registered.category_code))
                        .replace("%2", self._name_of("neighbourhoods", registered.neighbourhood_code)))
        self.sig_saved.emit(registered.tracking_code)

    def _show_code(self, code: str, title: str, note: str) -> None:
        self.last_code = code
        self._code.setText(digits(code))
        self._result_title.setText(title)
        self._result_note.setText(note)
        self._result.show()
        self._clear_form()

    def _clear_form(self) -> None:
        for edit in (self._phone, self._address, self._description, self._name):
            edit.clear()
        self._category.set_code("")
        self._place.set_code("")
        self._channel.setCurrentIndex(0)
        self._history, self._duplicates = (), ()
        self._history_asked = ""
        self._duplicates_asked = ("", "")
        self._show_history()
        self._show_duplicates()
        self._phone.setFocus()

    def new_call(self) -> None:
        """An empty form for the next call; the last code stays until then."""
        self._notes.clear()
        self._result.hide()
        self._clear_form()

    # ------------------------------------------------------------- repeat call

    def attach_to_duplicate(self) -> None:
        """Attach this call to the chosen possible duplicate: a "called again" note
        with the caller's phone, and no second request."""
        duplicate = self._selected_duplicate()
        if duplicate is None or self._saving:
            return
        self._notes.clear()
        desk = centre_desk(self._ctx)
        phone, note, request_id = self._phone.text(), self._description.text(), duplicate.id
        code = duplicate.tracking_code
        self._set_saving(True)
        self._ctx.run_op(lambda: desk.attach_repeat_call(request_id, phone, note),
                         on_done=lambda _changes: self._on_attached(code),
                         on_error=self._on_refused)

    def _on_attached(self, code: str) -> None:
        if not isValid(self):
            return
        self._set_saving(False)
        self._show_code(code, self.tr("The call is attached to an open request. Read the caller "
                                      "its tracking code:"),
                        self.tr("No new request was made: the request's history notes that "
                                "the caller called again."))
        self.sig_attached.emit(code)

    def focus_phone(self) -> None:
        self._phone.setFocus()

    # What the tests and the benchmark reach without a mouse.
    def field(self, name: str) -> QWidget:
        return self._inputs[name]

    def shown_code(self) -> str:
        return self._code.text() if self._result.isVisible() else ""


def codes(rows: Sequence[PastRequest | Duplicate]) -> list[str]:
    return [row.tracking_code for row in rows]
