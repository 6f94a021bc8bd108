"""The verification queue: what came in (calls, walk-ins, web, SMS) and waits for
the centre to check it, oldest first, with how long each has waited.

For the request under the cursor the operator refers it to a district (the one
its neighbourhood suggests, changeable) with a deadline (its category's target,
changeable on a Jalali calendar), closes it as not actionable with one of the
reference data's reasons (a duplicate names its original), or asks the citizen
for more (a note; it stays in the queue).  A selection of many is referred at
once, each to its suggested district with its category's deadline.

Every move is :class:`~desktop_app.services.centre.CentreDesk`'s, run by
``ctx.run_op``; the queue reads itself again from the bus's announcement.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop_app.errors import ServiceError
from desktop_app.services.centre import QueuePage, QueueRow, verification_queue
from desktop_app.services.centre_view import CentreNames, find_original, load_centre_names
from desktop_app.services.requests import Changes
from desktop_app.ui.call_form import centre_desk
from desktop_app.ui.centre_rows import CentreRowsModel
from desktop_app.ui.context import AppContext
from desktop_app.ui.messages import digits, error_text, local_name, moment_text
from desktop_app.ui.request_table import MixedTextDelegate
from desktop_app.ui.widgets.buttons import action_button
from desktop_app.ui.widgets.jalali import JalaliDateEdit
from desktop_app.ui.widgets.retranslate import Retranslating
from desktop_app.ui.widgets.tables import ERROR_STYLE
from sync.dates import day_start, to_tehran, utcnow

#: How many of the oldest the page shows (the total is counted apart).
QUEUE_ROWS = 500
DUPLICATE = "duplicate"

#: The model's root (a default argument made once).
_ROOT = QModelIndex()

_COLUMNS = (
    ("code", QT_TRANSLATE_NOOP("QueueModel", "Tracking code")),
    ("waiting", QT_TRANSLATE_NOOP("QueueModel", "Waiting")),
    ("received", QT_TRANSLATE_NOOP("QueueModel", "Received")),
    ("channel", QT_TRANSLATE_NOOP("QueueModel", "Channel")),
    ("category", QT_TRANSLATE_NOOP("QueueModel", "Problem")),
    ("neighbourhood", QT_TRANSLATE_NOOP("QueueModel", "Place")),
    ("suggested", QT_TRANSLATE_NOOP("QueueModel", "Suggested district")),
    ("description", QT_TRANSLATE_NOOP("QueueModel", "Report")),
)


def age_text(age: dt.timedelta) -> str:
    """How long a request has waited, in the largest unit that says it."""
    minutes = max(0, int(age.total_seconds() // 60))
    if minutes < 60:
        return QCoreApplication.translate("QueueModel", "%1 min").replace("%1", digits(minutes))
    hours = minutes // 60
    if hours < 48:
        return QCoreApplication.translate("QueueModel", "%1 h %2 min").replace(
            "%1", digits(hours)).replace("%2", digits(minutes % 60))
    return QCoreApplication.translate("QueueModel", "%1 days").replace("%1", digits(hours // 24))


def deadline_of(day: dt.date) -> dt.datetime:
    """A deadline chosen as a day: the end of that day in Tehran."""
    return day_start(day + dt.timedelta(days=1))


class QueueModel(CentreRowsModel):
    """The queue's rows, oldest first, with names for the codes."""

    COLUMNS = _COLUMNS
    CONTEXT = "QueueModel"
    _rows: list[QueueRow]

    def set_rows(self, rows: tuple[QueueRow, ...], names: CentreNames | None, language: str) -> None:
        self.beginResetModel()
        self._rows, self._names, self._language = list(rows), names, language
        self.endResetModel()

    def row_at(self, row: int) -> QueueRow:
        return self._rows[row]

    def rows(self) -> list[QueueRow]:
        return list(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        key = _COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole and key == "description":
            return row.description
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if key == "code":
            return digits(row.tracking_code)
        if key == "waiting":
            return age_text(row.age)
        if key == "received":
            return moment_text(row.received_at)
        if key == "channel":
            return self._name("channels", row.channel)
        if key == "category":
            return self._name("categories", row.category_code)
        if key == "neighbourhood":
            return self._name("neighbourhoods", row.neighbourhood_code)
        if key == "suggested":
            return self._name("districts", row.suggested_district)
        if key == "description":
            return digits(" ".join(row.description.split()))
        return None


class QueuePageWidget(Retranslating, QWidget):
    """The verification queue and what can be done with its requests.

    Signals:
        sig_loaded(): the queue was (re)read and is shown.
        sig_done(str): a move finished ("refer", "bulk", "close", "ask").
        sig_failed(str): a move was refused; the sentence shown.
    """

    sig_loaded = Signal()
    sig_done = Signal(str)
    sig_failed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("queuePage")
        self._ctx = ctx
        self._names: CentreNames | None = None
        self._page: QueuePage | None = None
        self._busy = False

        self._total = QLabel(objectName="queueTotal")
        self.model = QueueModel(self)
        self.table = QTableView(objectName="queueTable")
        self.table.setModel(self.model)
        self.table.setItemDelegate(MixedTextDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((110, 130, 130, 120, 130, 110, 130)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._on_selection())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._on_selection())

        # -- the request under the cursor
        self._current = QLabel(objectName="currentRequest")
        self._current.setWordWrap(True)
        self._district = QComboBox(objectName="district")
        self._due = JalaliDateEdit()
        self._due.setObjectName("dueDate")
        self._refer = action_button("refer", self.refer_current)
        self._refer_box = QGroupBox(objectName="referBox")
        refer_form = QFormLayout(self._refer_box)
        self._district_caption, self._due_caption = QLabel(), QLabel()
        self._district_caption.setBuddy(self._district)
        self._due_caption.setBuddy(self._due)
        refer_form.addRow(self._district_caption, self._district)
        refer_form.addRow(self._due_caption, self._due)
        refer_form.addRow(self._refer)

        self._bulk = action_button("bulkRefer", self.refer_selected)

        self._reason = QComboBox(objectName="reason")
        self._reason.currentIndexChanged.connect(self._on_reason)
        self._original = QLineEdit(objectName="original")
        self._original.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self._close_note = QLineEdit(objectName="closeNote")
        self._close = action_button("closeNotActionable", self.close_current)
        self._close_box = QGroupBox(objectName="closeBox")
        close_form = QFormLayout(self._close_box)
        self._reason_caption, self._original_caption, self._close_note_caption = \
            QLabel(), QLabel(), QLabel()
        self._reason_caption.setBuddy(self._reason)
        self._original_caption.setBuddy(self._original)
        self._close_note_caption.setBuddy(self._close_note)
        close_form.addRow(self._reason_caption, self._reason)
        close_form.addRow(self._original_caption, self._original)
        close_form.addRow(self._close_note_caption, self._close_note)
        close_form.addRow(self._close)
        self._close_form = close_form

        self._ask_note = QLineEdit(objectName="askNote")
        self._ask = action_button("askCitizen", self.ask_current)
        self._ask_box = QGroupBox(objectName="askBox")
        ask_layout = QVBoxLayout(self._ask_box)
        ask_layout.addWidget(self._ask_note)
        ask_layout.addWidget(self._ask)

        self._message = QLabel(objectName="message")
        self._message.setWordWrap(True)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self._current)
        side_layout.addWidget(self._refer_box)
        side_layout.addWidget(self._bulk)
        side_layout.addWidget(self._close_box)
        side_layout.addWidget(self._ask_box)
        side_layout.addWidget(self._message)
        side_layout.addStretch(1)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self._total)
        left_layout.addWidget(self.table, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(split)

        for key, slot in (("Ctrl+Return", self.refer_current),
                          ("Ctrl+Shift+Return", self.refer_selected)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        self._retranslate()
        ctx.bus.sig_changed.connect(self._on_changed)
        store = ctx.store
        ctx.tasks.run_db(lambda: load_centre_names(store), on_done=self._on_names,
                         on_error=self._on_error)

    # ------------------------------------------------------------------ language

    def _retranslate(self) -> None:
        self._refer_box.setTitle(self.tr("Refer to a district"))
        self._district_caption.setText(self.tr("&District"))
        self._due_caption.setText(self.tr("D&eadline"))
        self._refer.setText(self.tr("&Refer (Ctrl+Enter)"))
        self._close_box.setTitle(self.tr("Close as not actionable"))
        self._reason_caption.setText(self.tr("Rea&son"))
        self._original_caption.setText(self.tr("&Original's code"))
        self._close_note_caption.setText(self.tr("&Note"))
        self._original.setPlaceholderText(self.tr("Tracking code of the original request"))
        self._close.setText(self.tr("&Close the request"))
        self._ask_box.setTitle(self.tr("Ask the citizen for more"))
        self._ask_note.setPlaceholderText(self.tr("What is missing (it stays in the queue)"))
        self._ask.setText(self.tr("Record the &question"))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(_COLUMNS) - 1)
        self._fill_choices()
        self._show_total()
        self._on_selection()

    # ------------------------------------------------------------------ loading

    def _on_names(self, names: CentreNames) -> None:
        if not isValid(self):
            return
        self._names = names
        self._fill_choices()
        self.reload()

    def _fill_choices(self) -> None:
        names = self._names
        if names is None:
            return
        language = self._ctx.language
        district, reason = self._district.currentData(), self._reason.currentData()
        self._district.blockSignals(True)
        self._district.clear()
        for code in names.districts:
            self._district.addItem(local_name(names.names.districts.get(code), language) or code, code)
        self._district.setCurrentIndex(max(0, self._district.findData(district)))
        self._district.blockSignals(False)
        self._reason.blockSignals(True)
        self._reason.clear()
        for code, pair in names.reasons:
            self._reason.addItem(local_name(pair, language), code)
        self._reason.setCurrentIndex(max(0, self._reason.findData(reason)))
        self._reason.blockSignals(False)
        self._on_reason()

    def reload(self) -> None:
        store = self._ctx.store
        self._ctx.tasks.run_db(lambda: verification_queue(store, limit=QUEUE_ROWS),
                               on_done=self._on_page, on_error=self._on_error)

    def _on_changed(self, changes: Changes) -> None:
        if changes.request_ids:
            self.reload()

    def _on_page(self, page: QueuePage) -> None:
        if not isValid(self):
            return
        keep = self.selected_ids()
        current = self.current_row()
        self._page = page
        self.model.set_rows(page.rows, self._names, self._ctx.language)
        self._show_total()
        self._reselect(keep, current.id if current else None)
        self.sig_loaded.emit()

    def _reselect(self, ids: list[uuid.UUID], current: uuid.UUID | None) -> None:
        rows = self.model.rows()
        positions = {row.id: i for i, row in enumerate(rows)}
        selection = self.table.selectionModel()
        chosen = [positions[i] for i in ids if i in positions]
        if not chosen and rows:
            # What was chosen left the queue: the next oldest is up.
            chosen = [0]
        for i in chosen:
            selection.select(self.model.index(i, 0), selection.SelectionFlag.Select
                             | selection.SelectionFlag.Rows)
        target = positions.get(current, chosen[0] if chosen else -1) if current else \
            (chosen[0] if chosen else -1)
        if target >= 0:
            selection.setCurrentIndex(self.model.index(target, 0), selection.SelectionFlag.NoUpdate)
        self._on_selection()

    def _show_total(self) -> None:
        page = self._page
        if page is None:
            self._total.setText(self.tr("Reading the queue…"))
            return
        text = self.tr("%1 requests wait for verification, oldest first.").replace(
            "%1", digits(page.total))
        if page.total > len(page.rows):
            text += " " + self.tr("The oldest %1 are shown.").replace("%1", digits(len(page.rows)))
        self._total.setText(text)

    # ---------------------------------------------------------------- selection

    def selected_ids(self) -> list[uuid.UUID]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.row_at(row).id for row in rows]

    def current_row(self) -> QueueRow | None:
        """The request the side panel acts on: the one under the cursor, else the
        first selected."""
        index = self.table.currentIndex()
        if index.isValid() and index.row() < self.model.rowCount():
            return self.model.row_at(index.row())
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return self.model.row_at(rows[0]) if rows else None

    def _on_selection(self) -> None:
        row = self.current_row()
        count = len(self.selected_ids())
        enabled = row is not None and not self._busy
        for widget in (self._refer_box, self._close_box, self._ask_box):
            widget.setEnabled(enabled)
        self._bulk.setEnabled(count > 0 and not self._busy)
        self._bulk.setText(self.tr("Refer the %1 selected, each to its suggested district "
                                   "(Ctrl+Shift+Enter)").replace("%1", digits(count)))
        if row is None:
            self._current.setText(self.tr("The queue is empty.") if self._page else "")
            return
        self._current.setText(self.tr("Request %1: %2").replace(
            "%1", digits(row.tracking_code)).replace("%2", digits(row.description)))
        index = self._district.findData(row.suggested_district)
        if index >= 0:
            self._district.setCurrentIndex(index)
        self._due.set_day(self.default_due_day(row))

    def default_due_day(self, row: QueueRow) -> dt.date:
        """The day the category's target runs out, if referred now."""
        days = self._names.target_days.get(row.category_code, 0) if self._names else 0
        return to_tehran(utcnow() + dt.timedelta(days=days)).date()

    def _on_reason(self) -> None:
        duplicate = self._reason.currentData() == DUPLICATE
        self._close_form.setRowVisible(self._original, duplicate)

    # -------------------------------------------------------------------- moves

    def _run(self, what: str, work: Any) -> None:
        self._busy = True
        self._message.clear()
        self._on_selection()

        def done(_result: Any) -> None:
            if not isValid(self):
                return
            self._busy = False
            self._on_selection()
            self.sig_done.emit(what)

        self._ctx.run_op(work, on_done=done, on_error=self._on_refused)

    def _on_refused(self, error: BaseException) -> None:
        if not isValid(self):
            return
        self._busy = False
        self._on_selection()
        text = error_text(error)
        self._message.setStyleSheet(ERROR_STYLE)
        self._message.setText(text)
        self.sig_failed.emit(text)

    def _on_error(self, error: BaseException) -> None:
        if isValid(self):
            self._message.setStyleSheet(ERROR_STYLE)
            self._message.setText(error_text(error))

    def refer_current(self) -> None:
        """Refer the request under the cursor to the chosen district and deadline; an
        unchanged deadline is the category's target from the moment of referral."""
        row = self.current_row()
        if row is None or self._busy:
            return
        desk, district = centre_desk(self._ctx), self._district.currentData()
        day = self._due.day()
        due = None if day == self.default_due_day(row) else deadline_of(day)
        request_id = row.id
        self._run("refer", lambda: desk.refer([request_id], district, due_at=due))

    def refer_selected(self) -> None:
        """Refer every selected request, each to its suggested district, with its
        category's deadline: one transaction, all or nothing."""
        ids = self.selected_ids()
        if not ids or self._busy:
            return
        desk = centre_desk(self._ctx)
        self._run("bulk", lambda: desk.refer(ids, None))

    def close_current(self) -> None:
        row = self.current_row()
        if row is None or self._busy:
            return
        desk, store = centre_desk(self._ctx), self._ctx.store
        reason, note = self._reason.currentData(), self._close_note.text()
        original_code = self._original.text() if reason == DUPLICATE else ""
        request_id = row.id

        def work() -> Changes:
            original = None
            if reason == DUPLICATE:
                found = find_original(store, original_code)
                if found is None or found.id == request_id:
                    raise ServiceError("bad_original", "no such original request")
                original = found.id
            return desk.close_not_actionable(request_id, reason, note, duplicate_of=original)

        self._run("close", work)
        self._close_note.clear()
        self._original.clear()

    def ask_current(self) -> None:
        row = self.current_row()
        if row is None or self._busy:
            return
        desk, note, request_id = centre_desk(self._ctx), self._ask_note.text(), row.id
        self._run("ask", lambda: desk.ask_citizen(request_id, note))
        self._ask_note.clear()

    # For tests: the request's fields reachable without a mouse.
    def widget(self, name: str) -> QWidget:
        found = self.findChild(QWidget, name)
        assert found is not None, name
        return found
