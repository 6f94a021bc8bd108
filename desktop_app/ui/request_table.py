"""The requests table: the heart of the window.

Three parts, after Anki's browser table (``browser/table/model.py``):

* :class:`TableReader` runs the read side (:mod:`desktop_app.services.request_queries`) on
  threads of its own, with their own read-only connections, so a query never waits
  behind the desk's writes or a sync round, and never runs on the GUI thread.
  Queries belong to an *epoch* of their lane; a new filter starts a new epoch,
  which skips the queued work of the old one, interrupts its running statement and
  drops any result of it that still comes back — a count for the previous
  keystroke is never shown as the count for this one.
* :class:`RequestTableModel` holds the rows loaded so far: the first page when the
  filter or sort changes, one more page each time the view scrolls near the end
  (``canFetchMore``/``fetchMore``).  It never loads the whole table.
* :class:`RequestTableView` with :class:`StatusDelegate`: row selection, sorting
  only by indexed columns, the status drawn as a coloured label, overdue rows
  tinted *and* marked with ⚠ and the days late (colour alone is not enough).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
import threading
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP, QAbstractTableModel, QByteArray, QCoreApplication, QEvent, QItemSelection,
    QItemSelectionModel, QModelIndex, QObject, QPersistentModelIndex, QRectF, QSize, Qt, Signal, Slot,
)
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView, QHeaderView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTableView,
    QWidget,
)

from desktop_app.services.reference_names import Names
from desktop_app.services.request_list import (
    PAGE_SIZE, Interrupted, Page, RequestFilter, RequestRow, Sort,
)
from desktop_app.services.request_queries import RequestQueries
from desktop_app.ui.messages import digits, local_name, moment_text, status_name
from sync.dates import utcnow
from sync.workflow import Status

_CONTEXT = "RequestTable"

# Tinted background of an overdue row, and the colour of its ⚠ mark.
OVERDUE_BACKGROUND = QColor("#fdecea")
OVERDUE_FOREGROUND = QColor("#b3261e")

# The status label colours: calm for work waiting, green done, grey closed.
STATUS_COLOURS: dict[str, QColor] = {
    Status.RECEIVED: QColor("#6d6d6d"),
    Status.REFERRED: QColor("#1565c0"),
    Status.ASSIGNED: QColor("#6a1b9a"),
    Status.IN_PROGRESS: QColor("#ef6c00"),
    Status.DONE: QColor("#2e7d32"),
    Status.NOT_ACTIONABLE: QColor("#757575"),
}

# Item data role holding the request's id (a :class:`uuid.UUID`).
ID_ROLE = Qt.ItemDataRole.UserRole
# Item data role: True when the row is overdue.
OVERDUE_ROLE = Qt.ItemDataRole.UserRole + 1
# Item data role: the status code of the row.
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2


# =============================================================== the reader thread


def _below_normal_priority() -> None:
    """Run this thread below the GUI thread's priority: on a busy office PC (or
    two cores shared with the rest of the machine) the scheduler then gives the
    window its time first, and a long count waits instead of the clerk."""
    if sys.platform == "win32":
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        kernel32.SetThreadPriority(kernel32.GetCurrentThread(), -1)  # THREAD_PRIORITY_BELOW_NORMAL
    elif hasattr(os, "setpriority"):
        # Linux schedules threads as tasks: the niceness of this one alone.
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)



class TableReader(QObject):
    """Runs read queries on threads of its own; the newest epoch wins.

    Two lanes, each a thread with its own connection: ``rows`` for pages and
    ``counts`` for the counts beside the table, so that counting a large result
    never keeps the next page (a scroll, a keystroke) waiting.  Each lane has its
    own epoch, so that a status click (new rows, same counts) leaves a count
    running undisturbed.

    Signals:
        sig_failed(str): a query failed for another reason than being superseded.
    """

    sig_failed = Signal(str)
    _sig_result = Signal(str, int, object, object, object)  # lane, epoch, callback, result, error

    def __init__(self, rows: RequestQueries, counts: RequestQueries, parent: QObject | None = None):
        super().__init__(parent)
        self._lanes = {
            "rows": (rows, ThreadPoolExecutor(max_workers=1, thread_name_prefix="daftar-rows",
                                              initializer=_below_normal_priority)),
            "counts": (counts, ThreadPoolExecutor(max_workers=1, thread_name_prefix="daftar-counts",
                                                  initializer=_below_normal_priority)),
        }
        self._epochs = {lane: 0 for lane in self._lanes}
        self._sig_result.connect(self._deliver)

    @classmethod
    def for_database(cls, db_path: Path, parent: QObject | None = None) -> TableReader:
        return cls(RequestQueries.for_database(db_path), RequestQueries.for_database(db_path), parent)

    @property
    def epoch(self) -> int:
        return self._epochs["rows"]

    def new_epoch(self, lane: str | None = None) -> int:
        """Make every queued or running query of ``lane`` (of both lanes when
        ``None``) obsolete; returns the lane's new epoch (the rows lane's)."""
        for name, (queries, _pool) in self._lanes.items():
            if lane is None or name == lane:
                self._epochs[name] += 1
                queries.interrupt()
        return self._epochs[lane or "rows"]

    def run(self, epoch: int | None, fn: Callable[[RequestQueries], Any],
            on_done: Callable[[Any], None], *, lane: str = "rows") -> None:
        """``fn(queries)`` on the reader thread; ``on_done(result)`` on the GUI
        thread — unless a newer epoch began in the meantime.  Work that belongs to
        no query (``epoch=None``: reference names) is never superseded."""
        queries, pool = self._lanes[lane]

        def work() -> None:
            while True:
                if epoch is not None and epoch != self._epochs[lane]:
                    return  # superseded while queued
                try:
                    result = fn(queries)
                except Interrupted:
                    if epoch is None:
                        continue  # an interrupt meant for a query hit this: again
                    return
                except Exception as exc:  # noqa: BLE001 - shown on the GUI thread
                    self._sig_result.emit(lane, -1 if epoch is None else epoch, on_done, None, exc)
                else:
                    self._sig_result.emit(lane, -1 if epoch is None else epoch, on_done, result, None)
                return

        pool.submit(work)

    @Slot(str, int, object, object, object)
    def _deliver(self, lane: str, epoch: int, on_done: Callable[[Any], None], result: Any,
                 error: BaseException | None) -> None:
        if epoch not in (-1, self._epochs[lane]):
            return  # a newer query of this lane began since: its answer is what counts
        if error is not None:
            self.sig_failed.emit(str(error) or type(error).__name__)
            return
        on_done(result)

    def shutdown(self) -> None:
        self.new_epoch()
        for queries, pool in self._lanes.values():
            pool.shutdown(wait=True, cancel_futures=True)
            queries.close()


# ===================================================================== the model


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # English source text, translated in headerData
    # The read side's sort key for this column, None when it cannot sort.
    sort_key: str | None = None


COLUMNS: tuple[Column, ...] = (
    Column("code", QT_TRANSLATE_NOOP("RequestTable", "Tracking code"), "tracking_code"),
    Column("received", QT_TRANSLATE_NOOP("RequestTable", "Received"), "received_at"),
    Column("status", QT_TRANSLATE_NOOP("RequestTable", "Status")),
    Column("due", QT_TRANSLATE_NOOP("RequestTable", "Due")),
    Column("category", QT_TRANSLATE_NOOP("RequestTable", "Category"), "category_code"),
    Column("description", QT_TRANSLATE_NOOP("RequestTable", "Description")),
    Column("neighbourhood", QT_TRANSLATE_NOOP("RequestTable", "Neighbourhood"), "neighbourhood_code"),
    Column("address", QT_TRANSLATE_NOOP("RequestTable", "Address")),
    Column("citizen", QT_TRANSLATE_NOOP("RequestTable", "Citizen")),
    Column("phone", QT_TRANSLATE_NOOP("RequestTable", "Phone")),
    Column("crew", QT_TRANSLATE_NOOP("RequestTable", "Crew"), "crew_id"),
    Column("channel", QT_TRANSLATE_NOOP("RequestTable", "Channel")),
)
COLUMN_INDEX = {column.key: i for i, column in enumerate(COLUMNS)}


def column_of_sort(sort_key: str) -> int:
    return next(i for i, c in enumerate(COLUMNS) if c.sort_key == sort_key)


class RequestTableModel(QAbstractTableModel):
    """Requests under the current filter and sort, loaded page by page.

    Attributes:
        generation: counts the first pages loaded; grows by one each time the rows
            were replaced (new filter, new sort, refresh).

    Signals:
        sig_loaded(): a first page is in (after a new query or a refresh).
        sig_counting(): counts for a new filter are on their way; those shown are
            the previous filter's until ``sig_counts``.
        sig_counts(Counts): the counts beside the table for the current filter.
        sig_names(Names): reference names and crews were (re)loaded.
    """

    sig_loaded = Signal()
    sig_counting = Signal()
    sig_counts = Signal(object)
    sig_names = Signal(object)

    def __init__(self, reader: TableReader, language: str = "fa", parent: QObject | None = None):
        super().__init__(parent)
        self._reader = reader
        self._language = language
        self._rows: list[RequestRow] = []
        self._has_more = False
        self._loading = False
        self._filter = RequestFilter()
        self._counted: RequestFilter | None = None  # what the counts last asked for
        self._count_next: Callable[[], None] | None = None  # counts to start after the rows
        self._sort = Sort()
        self._names: Names | None = None
        self._now = utcnow()
        self.generation = 0
        self.page_size = PAGE_SIZE

    # ----------------------------------------------------------- state

    @property
    def filter(self) -> RequestFilter:
        return self._filter

    @property
    def sort_order(self) -> Sort:
        return self._sort

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def names(self) -> Names | None:
        return self._names

    @property
    def has_more(self) -> bool:
        return self._has_more

    def row_at(self, row: int) -> RequestRow:
        return self._rows[row]

    def row_of(self, request_id: uuid.UUID) -> int:
        """The row showing ``request_id``, or -1 when it is not loaded."""
        for i, row in enumerate(self._rows):
            if row.id == request_id:
                return i
        return -1

    def set_language(self, language: str) -> None:
        """Names switch with the language; the rows stay."""
        self._language = language
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1))

    # ---------------------------------------------------------- loading

    def load_names(self) -> None:
        """(Re)read reference names and crews; the rows redraw with them."""
        self._reader.run(None, lambda q: q.names(), self._on_names)

    def _on_names(self, names: Names) -> None:
        self._names = names
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1))
        self.sig_names.emit(names)

    def set_query(self, filt: RequestFilter | None = None, sort: Sort | None = None) -> None:
        """Show the first page for a new filter and/or sort."""
        self._filter = filt if filt is not None else self._filter
        self._sort = sort if sort is not None else self._sort
        self._load_first(self.page_size)

    def refresh(self) -> None:
        """Read again what is shown (after an action or a sync), keeping as many
        rows loaded as before so the clerk's place and selection survive."""
        self._load_first(max(self.page_size, len(self._rows)), recount=True)

    def _load_first(self, limit: int, *, recount: bool = False) -> None:
        epoch = self._reader.new_epoch("rows")
        self._loading = True
        filt, sort, now = self._filter, self._sort, utcnow()
        if self._names is None:
            self.load_names()
        self._reader.run(epoch, lambda q: (q.page(filt, sort, limit=limit, now=now), now),
                         self._on_first_page)
        # The counts leave out the status and overdue choices (and the sort): a
        # click on a status button changes the rows, not the counts beside them.
        # They start when the rows are in, not beside them: the rows come first on
        # two busy cores, and a keystroke that comes sooner saves the count.
        # A refresh recounts without greying: its counts were this filter's a
        # moment ago (a sync round must not make them flicker).
        counted = dataclasses.replace(filt, statuses=frozenset(), overdue=False)
        if recount or counted != self._counted:
            if counted != self._counted:
                self.sig_counting.emit()
            self._counted = counted
            count_epoch = self._reader.new_epoch("counts")
            self._count_next = lambda: self._reader.run(
                count_epoch, lambda q: q.counts(filt, now=now), self.sig_counts.emit, lane="counts")

    def _on_first_page(self, result: tuple[Page, dt.datetime]) -> None:
        page, self._now = result
        if self._count_next is not None:
            self._count_next()
            self._count_next = None
        self.beginResetModel()
        self._rows = list(page.rows)
        self._has_more = page.has_more
        self._loading = False
        self.endResetModel()
        self.generation += 1
        self.sig_loaded.emit()

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:
        return not parent.isValid() and self._has_more and not self._loading

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:
        if not self.canFetchMore(parent) or not self._rows:
            return
        self._loading = True
        filt, sort, now = self._filter, self._sort, self._now
        cursor, limit = self._rows[-1].cursor(sort), self.page_size
        self._reader.run(self._reader.epoch, lambda q: q.page(filt, sort, cursor, limit, now=now),
                         self._on_next_page)

    def _on_next_page(self, page: Page) -> None:
        # Still "loading" while the insert signals go out: a view (or the model
        # tester) asking for more from inside them must not fetch this page twice.
        if page.rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self._rows.extend(page.rows)
            self.endInsertRows()
        self._has_more = page.has_more
        self._loading = False

    # ------------------------------------------------------ Qt's model API

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return QCoreApplication.translate(_CONTEXT, COLUMNS[section].title)
            if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[section].sort_key:
                return QCoreApplication.translate("RequestTable", "Click to sort by this column")
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self._rows):
            return digits(section + 1)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        key = COLUMNS[index.column()].key
        overdue = row.is_overdue(self._now)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, key, overdue)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, key, overdue)
        if role == Qt.ItemDataRole.BackgroundRole and overdue:
            return QBrush(OVERDUE_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole and overdue and key == "due":
            return QBrush(OVERDUE_FOREGROUND)
        if role == Qt.ItemDataRole.FontRole and overdue and key == "due":
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._display(row, key, overdue)
        if role == ID_ROLE:
            return row.id
        if role == OVERDUE_ROLE:
            return overdue
        if role == STATUS_ROLE:
            return row.status
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        sort_key = COLUMNS[column].sort_key if 0 <= column < len(COLUMNS) else None
        if sort_key is None:
            return  # no index behind this column: sorting would read the whole table
        self.set_query(sort=Sort(sort_key, order == Qt.SortOrder.DescendingOrder))

    # ---------------------------------------------------------- words

    def _name(self, table: str, code: Any) -> str:
        if code is None:
            return ""
        names = self._names
        if names is None:
            return str(code)
        if table == "crews":
            crew = names.crews.get(code)
            return crew.name if crew else ""
        pair = getattr(names, table).get(code)
        return local_name(pair, self._language) if pair else str(code)

    def _display(self, row: RequestRow, key: str, overdue: bool) -> str:
        if key == "code":
            return digits(row.tracking_code)
        if key == "received":
            return moment_text(row.received_at)
        if key == "status":
            return status_name(row.status)
        if key == "due":
            if not row.is_open:
                return "—"
            if overdue:
                days = (self._now - row.due_at).days + 1
                if days == 1:
                    return "⚠ " + QCoreApplication.translate("RequestTable", "1 day late")
                return "⚠ " + QCoreApplication.translate("RequestTable", "%1 days late") \
                    .replace("%1", digits(days))
            return moment_text(row.due_at)
        if key == "category":
            return self._name("categories", row.category_code)
        if key == "description":  # free text: its numbers in the window's digits too
            return digits(" ".join(row.description.split()))
        if key == "neighbourhood":
            return self._name("neighbourhoods", row.neighbourhood_code)
        if key == "address":
            return digits(row.address)
        if key == "citizen":
            return row.citizen_name
        if key == "phone":
            return digits(row.citizen_phone or "")
        if key == "crew":
            return self._name("crews", row.crew_id)
        if key == "channel":
            return self._name("channels", row.channel)
        raise KeyError(key)

    def _tooltip(self, row: RequestRow, key: str, overdue: bool) -> str | None:
        if key == "due" and row.is_open:
            text = QCoreApplication.translate("RequestTable", "Target: %1") \
                .replace("%1", moment_text(row.due_at))
            if overdue:
                text = QCoreApplication.translate(
                    "RequestTable", "Overdue — past its category's target days.") + "\n" + text
            return text
        if key in ("description", "address"):
            return row.description if key == "description" else row.address
        return None


# ================================================================ the delegate


def text_direction(text: str) -> Qt.LayoutDirection | None:
    """The direction of ``text``'s first strong character (the Unicode bidi rule
    for a paragraph), or ``None`` for text without one (digits, punctuation)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return Qt.LayoutDirection.RightToLeft
        if kind == "L":
            return Qt.LayoutDirection.LeftToRight
    return None


class MixedTextDelegate(QStyledItemDelegate):
    """Lays each cell out in its own text's direction (Anki's ``StatusDelegate``
    does the same): a Persian address in the English window starts at the cell's
    right edge and is cut, with its ellipsis, at its end — not at its beginning."""

    def initStyleOption(self, option: QStyleOptionViewItem,
                        index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        direction = text_direction(option.text) if option.text else None
        if direction is not None:
            option.direction = direction


class StatusDelegate(QStyledItemDelegate):
    """Draws the status as a rounded label in the status's colour: a clerk finds
    the referred ones at a glance.  The words stay (colour is never alone)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        colour = STATUS_COLOURS.get(index.data(STATUS_ROLE), QColor("#6d6d6d"))
        if opt.state & QStyle.StateFlag.State_Selected:
            colour = opt.palette.color(QPalette.ColorRole.HighlightedText)
        metrics = opt.fontMetrics
        pad = 6
        width = min(metrics.horizontalAdvance(text) + 2 * pad, opt.rect.width() - 4)
        height = metrics.height() + 2
        rect = QRectF(0, 0, width, height)
        rect.moveCenter(QRectF(opt.rect).center())
        if opt.direction == Qt.LayoutDirection.RightToLeft:
            rect.moveRight(opt.rect.right() - 3)
        else:
            rect.moveLeft(opt.rect.left() + 3)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill = QColor(colour)
        fill.setAlpha(30)
        painter.setPen(colour)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, height / 2, height / 2)
        painter.setPen(colour.darker(120) if colour.lightness() < 200 else colour)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width() + 16, size.height() + 4)


# ==================================================================== the view


class RequestTableView(QTableView):
    """The table as a clerk uses it: whole rows, many at once, sorted by a click
    on an indexed column, opened with Enter or a double click.

    Signals:
        sig_open(uuid.UUID): the clerk asked to open a request.
        sig_selection(list): the selected request ids changed.
    """

    sig_open = Signal(object)
    sig_selection = Signal(list)

    def __init__(self, model: RequestTableModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("requestTable")
        self.source = model
        self.setModel(model)
        self.setItemDelegate(MixedTextDelegate(self))
        self.setItemDelegateForColumn(COLUMN_INDEX["status"], StatusDelegate(self))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setShowGrid(False)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 12)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        header.sectionClicked.connect(self._on_header_clicked)
        self._default_widths()
        self._show_sort_indicator()
        self._selected_before: list[uuid.UUID] = []
        self._current_before: uuid.UUID | None = None
        self._scroll_before = 0
        model.modelAboutToBeReset.connect(self._remember_place)
        model.sig_loaded.connect(self._restore_place)
        self.doubleClicked.connect(lambda index: self._open(index))

    def _default_widths(self) -> None:
        widths = {"code": 110, "received": 130, "status": 120, "due": 130, "category": 150,
                  "description": 260, "neighbourhood": 120, "address": 220, "citizen": 140,
                  "phone": 110, "crew": 130, "channel": 110}
        for key, width in widths.items():
            self.setColumnWidth(COLUMN_INDEX[key], width)

    # ----------------------------------------------------------- sorting

    def _show_sort_indicator(self) -> None:
        sort = self.source.sort_order
        order = Qt.SortOrder.DescendingOrder if sort.descending else Qt.SortOrder.AscendingOrder
        self.horizontalHeader().setSortIndicator(column_of_sort(sort.key), order)

    def _on_header_clicked(self, section: int) -> None:
        sort_key = COLUMNS[section].sort_key
        if sort_key is None:
            self._show_sort_indicator()  # Qt moved the indicator; put it back
            return
        current = self.source.sort_order
        if current.key == sort_key:
            descending = not current.descending
        else:
            descending = sort_key == "received_at"  # newest first; names A to Z
        self.sort_by(sort_key, descending)

    def sort_by(self, sort_key: str, descending: bool) -> None:
        self.source.set_query(sort=Sort(sort_key, descending))
        self._show_sort_indicator()

    # ---------------------------------------------------------- selection

    def selected_ids(self) -> list[uuid.UUID]:
        rows = sorted({index.row() for index in self.selectionModel().selectedRows()})
        return [self.source.row_at(row).id for row in rows]

    def selected_rows(self) -> list[RequestRow]:
        rows = sorted({index.row() for index in self.selectionModel().selectedRows()})
        return [self.source.row_at(row) for row in rows]

    def current_id(self) -> uuid.UUID | None:
        index = self.currentIndex()
        return self.source.row_at(index.row()).id if index.isValid() else None

    def selectionChanged(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        super().selectionChanged(selected, deselected)
        self.sig_selection.emit(self.selected_ids())

    def select_ids(self, ids: Sequence[uuid.UUID], current: uuid.UUID | None = None) -> None:
        selection = QItemSelection()
        for request_id in ids:
            row = self.source.row_of(request_id)
            if row >= 0:
                selection.select(self.source.index(row, 0),
                                 self.source.index(row, len(COLUMNS) - 1))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.selectionModel().select(selection, flags)
        if current is not None and (row := self.source.row_of(current)) >= 0:
            self.selectionModel().setCurrentIndex(self.source.index(row, 0),
                                                  QItemSelectionModel.SelectionFlag.NoUpdate)
        self.sig_selection.emit(self.selected_ids())

    def _remember_place(self) -> None:
        self._selected_before = self.selected_ids()
        self._current_before = self.current_id()
        self._scroll_before = self.verticalScrollBar().value()

    def _restore_place(self) -> None:
        if self._selected_before or self._current_before:
            self.select_ids(self._selected_before, self._current_before)
            self.verticalScrollBar().setValue(self._scroll_before)
        elif self.source.rowCount():
            self.selectionModel().setCurrentIndex(self.source.index(0, 0),
                                                  QItemSelectionModel.SelectionFlag.NoUpdate)

    # ------------------------------------------------------- navigation

    def move_current(self, step: int) -> None:
        """Next (+1) or previous (-1) request, selecting it alone; loads the next
        page when the clerk walks off the end of what is loaded."""
        count = self.source.rowCount()
        if not count:
            return
        index = self.currentIndex()
        row = index.row() + step if index.isValid() else 0
        if row >= count and self.source.canFetchMore():
            self.source.fetchMore()
        row = max(0, min(row, count - 1))
        target = self.source.index(row, max(index.column(), 0))
        self.selectionModel().setCurrentIndex(
            target, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.scrollTo(target)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._open(self.currentIndex())
            return
        super().keyPressEvent(event)

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.sig_open.emit(self.source.row_at(index.row()).id)

    # ------------------------------------------------------------ layout

    def save_layout(self) -> QByteArray:
        return self.horizontalHeader().saveState()

    def restore_layout(self, state: QByteArray) -> bool:
        restored = self.horizontalHeader().restoreState(state)
        self._show_sort_indicator()
        return restored

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.viewport().update()
        super().changeEvent(event)
