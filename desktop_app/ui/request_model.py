"""The requests table's model: the rows under the current filter and sort, loaded
page by page, and the words and marks each cell shows.

It holds the rows loaded so far: the first page when the filter or sort changes,
one more page each time the view scrolls near the end (``canFetchMore``/
``fetchMore``), never the whole table.  Reading happens on the
:class:`~desktop_app.ui.table_reader.TableReader`'s lanes; the counts beside the
table start when the rows are in (a search's, once typing has settled).  Overdue
rows are tinted *and* marked with ⚠ and the days late, since colour alone is not
enough; the deadline is the one the centre set at referral (``due_at``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QModelIndex, QObject,
    QPersistentModelIndex, Qt, QTimer, Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from desktop_app.services.reference_names import Names
from desktop_app.services.request_list import PAGE_SIZE, Page, RequestFilter, RequestRow, Sort
from desktop_app.ui.messages import digits, local_name, moment_text, status_name
from desktop_app.ui.table_reader import TableReader
from sync.dates import utcnow

_CONTEXT = "RequestTable"

# Tinted background of an overdue row, and the colour of its ⚠ mark.
OVERDUE_BACKGROUND = QColor("#fdecea")
OVERDUE_FOREGROUND = QColor("#b3261e")

#: A search's counts start this long after its rows are shown, if no newer filter
#: came meanwhile.  Counting a search's hits by status takes from a few hundred
#: milliseconds to over a second on a million requests, and a count started while
#: the clerk types on is thrown away at the next keystroke — after it has shared
#: the free core with that keystroke's rows (bench_ui.py).  Counts without a search
#: take a few milliseconds and start at once.
SEARCH_COUNT_SETTLE_MS = 250

# Item data role holding the request's id (a :class:`uuid.UUID`).
ID_ROLE = Qt.ItemDataRole.UserRole
# Item data role: True when the row is overdue.
OVERDUE_ROLE = Qt.ItemDataRole.UserRole + 1
# Item data role: the status code of the row.
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2


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
        self._settle = QTimer(self, singleShot=True, interval=SEARCH_COUNT_SETTLE_MS)
        self._settle.timeout.connect(self._start_count)
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
        self._settle.stop()  # a search's counts still waiting: this filter's come instead
        self._loading = True
        filt, sort, now = self._filter, self._sort, utcnow()
        if self._names is None:
            self.load_names()
        self._reader.run(epoch, lambda q: (q.page(filt, sort, limit=limit, now=now), now),
                         self._on_first_page)
        # The counts leave out the status and overdue choices (and the sort): a
        # click on a status button changes the rows, not the counts beside them.
        # They start when the rows are in, not beside them: the rows come first on
        # two busy cores, and a keystroke that comes sooner saves the count (a
        # search's wait a little longer: SEARCH_COUNT_SETTLE_MS).
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
            if self._filter.text.strip():
                self._settle.start()
            else:
                self._start_count()
        self.beginResetModel()
        self._rows = list(page.rows)
        self._has_more = page.has_more
        self._loading = False
        self.endResetModel()
        self.generation += 1
        self.sig_loaded.emit()

    def _start_count(self) -> None:
        if self._count_next is not None:
            self._count_next()
            self._count_next = None

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
            if not row.is_open or row.due_at is None:
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
        if key == "due" and row.is_open and row.due_at is not None:
            text = QCoreApplication.translate("RequestTable", "Target: %1") \
                .replace("%1", moment_text(row.due_at))
            if overdue:
                text = QCoreApplication.translate(
                    "CentreRequestTable", "Overdue — past the deadline set at referral.") \
                    + "\n" + text
            return text
        if key in ("description", "address"):
            return row.description if key == "description" else row.address
        return None
