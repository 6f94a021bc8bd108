"""The requests table as a clerk sees and uses it: whole rows, many selected at
once, sorted by a click on an indexed column, opened with Enter or a double click.

After Anki's browser table: the view keeps the clerk's place (selection, current
row, scroll) when the rows are read again, and two delegates draw the cells — each
cell laid out in its own text's direction, and the status as a coloured label
whose words stay (colour is never alone).  The rows come from
:class:`~desktop_app.ui.request_model.RequestTableModel`.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QByteArray, QEvent, QItemSelection, QItemSelectionModel, QModelIndex, QPersistentModelIndex,
    QPointF, QRectF, QSize, Qt, Signal,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView, QHeaderView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTableView,
    QWidget,
)

from desktop_app.services.request_list import RequestRow, Sort
from desktop_app.ui.request_model import (
    COLUMN_INDEX, COLUMNS, STATUS_ROLE, RequestTableModel, column_of_sort,
)
from desktop_app.ui.text import text_direction
from sync.workflow import Status


# The status label colours: calm for work waiting, green done, grey closed.
STATUS_COLOURS: dict[str, QColor] = {
    Status.RECEIVED: QColor("#6d6d6d"),
    Status.REFERRED: QColor("#1565c0"),
    Status.ASSIGNED: QColor("#6a1b9a"),
    Status.IN_PROGRESS: QColor("#ef6c00"),
    Status.DONE: QColor("#2e7d32"),
    Status.NOT_ACTIONABLE: QColor("#757575"),
}


# ================================================================ the delegate


def cell_direction(text: str) -> Qt.LayoutDirection | None:
    """The layout direction of a cell showing ``text``, or ``None`` for text
    without a letter (it follows the table's)."""
    direction = text_direction(text)
    if direction is None:
        return None
    return Qt.LayoutDirection.RightToLeft if direction == "rtl" else Qt.LayoutDirection.LeftToRight


class MixedTextDelegate(QStyledItemDelegate):
    """Lays each cell out in its own text's direction (Anki's ``StatusDelegate``
    does the same): a Persian address in the English window starts at the cell's
    right edge and is cut, with its ellipsis, at its end — not at its beginning."""

    def initStyleOption(self, option: QStyleOptionViewItem,
                        index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        direction = cell_direction(option.text) if option.text else None
        if direction is not None:
            option.direction = direction


class StatusDelegate(QStyledItemDelegate):
    """Draws the status as a rounded label in the status's colour: a clerk finds
    the referred ones at a glance.  The words stay (colour is never alone).

    Each label is drawn once, into a pixmap kept for its text, colours, size and
    font, and copied into the cell after that.  Drawing an antialiased rounded
    rectangle is slow in Qt's software painter, and it happens on the GUI thread
    with the GIL held: on the million-request bench, where a search repaints the
    table after each keystroke, it was over half of the GUI thread's time with the
    GIL (py-spy --gil: 357 of 727 samples; 325 in all once copied, issue 18)."""

    #: Labels kept at most: statuses × selected or not × a few widths and fonts.
    MAX_PILLS = 256
    #: Padding inside the label, either side of the text.
    PAD = 6

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._pills: dict[tuple[Any, ...], QPixmap] = {}

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
        width = min(metrics.horizontalAdvance(text) + 2 * self.PAD, opt.rect.width() - 4)
        height = metrics.height() + 2
        rect = QRectF(0, 0, width, height)
        rect.moveCenter(QRectF(opt.rect).center())
        if opt.direction == Qt.LayoutDirection.RightToLeft:
            rect.moveRight(opt.rect.right() - 3)
        else:
            rect.moveLeft(opt.rect.left() + 3)
        pill = self._pill(text, colour, opt.font, width, height, painter.device().devicePixelRatioF())
        # The pixmap has a pixel of margin all round, for the outline's outer half.
        painter.drawPixmap(rect.topLeft() - QPointF(1, 1), pill)

    def _pill(self, text: str, colour: QColor, font: QFont, width: int, height: int,
              ratio: float) -> QPixmap:
        """The label, drawn as it always was, on a transparent pixmap."""
        key = (text, colour.rgba(), font.key(), width, height, ratio)
        pill = self._pills.get(key)
        if pill is not None:
            return pill
        if len(self._pills) >= self.MAX_PILLS:
            self._pills.clear()
        pill = QPixmap(math.ceil((width + 2) * ratio), math.ceil((height + 2) * ratio))
        pill.setDevicePixelRatio(ratio)
        pill.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pill)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setFont(font)
            rect = QRectF(1, 1, width, height)
            fill = QColor(colour)
            fill.setAlpha(30)
            painter.setPen(colour)
            painter.setBrush(fill)
            painter.drawRoundedRect(rect, height / 2, height / 2)
            painter.setPen(colour.darker(120) if colour.lightness() < 200 else colour)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        finally:
            painter.end()
        self._pills[key] = pill
        return pill

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
