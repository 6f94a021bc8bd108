"""Every district's overdue work on one screen, for the centre's manager: open
requests past their deadline, the latest first by how late, and beside them each
district's share of its open work that is late.

Read by :func:`desktop_app.services.centre.overdue_everywhere` on the database
thread; read again whenever an action or a sync changes requests.  Enter (or a
double click) opens a request's form.
"""

from __future__ import annotations

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
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop_app.services.centre import OverdueRow, overdue_by_district, overdue_everywhere
from desktop_app.services.centre_view import CentreNames, load_centre_names
from desktop_app.services.requests import Changes
from desktop_app.ui.centre_rows import CentreRowsModel
from desktop_app.ui.context import AppContext
from desktop_app.ui.messages import digits, error_text, local_name, moment_text, status_name
from desktop_app.ui.request_model import OVERDUE_BACKGROUND, OVERDUE_FOREGROUND
from desktop_app.ui.request_table import MixedTextDelegate
from desktop_app.ui.widgets.retranslate import Retranslating

#: At most this many late requests are listed (the latest first); the counts are whole.
OVERDUE_ROWS = 2000

#: The model's root (a default argument made once).
_ROOT = QModelIndex()

_COLUMNS = (
    ("late", QT_TRANSLATE_NOOP("OverdueModel", "Late by")),
    ("code", QT_TRANSLATE_NOOP("OverdueModel", "Tracking code")),
    ("district", QT_TRANSLATE_NOOP("OverdueModel", "District")),
    ("category", QT_TRANSLATE_NOOP("OverdueModel", "Problem")),
    ("neighbourhood", QT_TRANSLATE_NOOP("OverdueModel", "Place")),
    ("status", QT_TRANSLATE_NOOP("OverdueModel", "Status")),
    ("due", QT_TRANSLATE_NOOP("OverdueModel", "Deadline")),
    ("received", QT_TRANSLATE_NOOP("OverdueModel", "Received")),
)


def late_text(late_seconds: float) -> str:
    days = int(late_seconds // 86400)
    if days >= 1:
        return QCoreApplication.translate("OverdueModel", "%1 days").replace("%1", digits(days))
    hours = max(1, int(late_seconds // 3600))
    return QCoreApplication.translate("OverdueModel", "%1 h").replace("%1", digits(hours))


class OverdueModel(CentreRowsModel):
    COLUMNS = _COLUMNS
    CONTEXT = "OverdueModel"
    _rows: list[OverdueRow]

    def set_rows(self, rows: tuple[OverdueRow, ...], names: CentreNames | None, language: str) -> None:
        self.beginResetModel()
        # The service lists by deadline (the earliest is the latest); say so here too.
        self._rows = sorted(rows, key=lambda r: r.late, reverse=True)
        self._names, self._language = names, language
        self.endResetModel()

    def row_at(self, row: int) -> OverdueRow:
        return self._rows[row]

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        key = _COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(OVERDUE_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole and key == "late":
            return QBrush(OVERDUE_FOREGROUND)
        if role == Qt.ItemDataRole.FontRole and key == "late":
            font = QFont()
            font.setBold(True)
            return font
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if key == "late":
            return "⚠ " + late_text(row.late.total_seconds())
        if key == "code":
            return digits(row.tracking_code)
        if key == "district":
            return self._name("districts", row.district_code)
        if key == "category":
            return self._name("categories", row.category_code)
        if key == "neighbourhood":
            return self._name("neighbourhoods", row.neighbourhood_code)
        if key == "status":
            return status_name(row.status)
        if key == "due":
            return moment_text(row.due_at)
        if key == "received":
            return moment_text(row.received_at)
        return None


class OverduePage(Retranslating, QWidget):
    """Every district's overdue work, the latest first, and each district's share.

    Signals:
        sig_loaded(): the lists were (re)read and are shown.
        sig_open(uuid.UUID): the manager asked to open a request.
    """

    sig_loaded = Signal()
    sig_open = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("overduePage")
        self._ctx = ctx
        self._names: CentreNames | None = None
        self._shares: dict[str, tuple[int, int]] = {}
        self._count = 0
        self._loaded = False

        self._title = QLabel(objectName="overdueTitle")
        self.model = OverdueModel(self)
        self.table = QTableView(objectName="overdueTable")
        self.table.setModel(self.model)
        self.table.setItemDelegate(MixedTextDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        for column, width in enumerate((90, 110, 130, 130, 110, 100, 130)):
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(self._open)
        self.table.activated.connect(self._open)

        self._by_district_caption = QLabel(objectName="byDistrictCaption")
        self.by_district = QTableWidget(0, 3)
        self.by_district.setObjectName("overdueByDistrict")
        self.by_district.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.by_district.verticalHeader().hide()
        self.by_district.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.by_district.horizontalHeader().setStretchLastSection(True)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self._by_district_caption)
        side_layout.addWidget(self.by_district, 1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self._title)
        layout.addWidget(split, 1)

        self._retranslate()
        ctx.bus.sig_changed.connect(self._on_changed)
        ctx.bus.sig_sync_state.connect(self.reload)
        store = ctx.store
        ctx.tasks.run_db(lambda: load_centre_names(store), on_done=self._on_names,
                         on_error=self._on_error)

    def _retranslate(self) -> None:
        self._by_district_caption.setText(self.tr("Overdue share by district"))
        self.by_district.setHorizontalHeaderLabels(
            [self.tr("District"), self.tr("Overdue of open"), self.tr("Share")])
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(_COLUMNS) - 1)
        self._show()

    def _on_names(self, names: CentreNames) -> None:
        if isValid(self):
            self._names = names
            self.reload()

    def _on_changed(self, changes: Changes) -> None:
        if changes.request_ids:
            self.reload()

    def reload(self) -> None:
        store = self._ctx.store
        self._ctx.tasks.run_db(
            lambda: (overdue_everywhere(store, limit=OVERDUE_ROWS), overdue_by_district(store)),
            on_done=self._on_loaded, on_error=self._on_error)

    def _on_loaded(self, result: tuple[tuple[OverdueRow, ...], dict[str, tuple[int, int]]]) -> None:
        if not isValid(self):
            return
        rows, self._shares = result
        self._count = sum(late for late, _open in self._shares.values())
        self._loaded = True
        self.model.set_rows(rows, self._names, self._ctx.language)
        self._show()
        self.sig_loaded.emit()

    def _on_error(self, error: BaseException) -> None:
        if isValid(self):
            self._title.setText(error_text(error))

    def _show(self) -> None:
        if not self._loaded:
            self._title.setText(self.tr("Reading every district's overdue work…"))
            return
        self._title.setText(self.tr("%1 open requests are past their deadline, in every "
                                    "district; the latest first.").replace("%1", digits(self._count)))
        shares = sorted(self._shares.items(),
                        key=lambda item: item[1][0] / item[1][1] if item[1][1] else 0, reverse=True)
        table = self.by_district
        table.setRowCount(len(shares))
        language = self._ctx.language
        for row, (district, (late, total)) in enumerate(shares):
            pair = self._names.names.districts.get(district) if self._names else None
            share = round(100 * late / total) if total else 0
            for column, text in enumerate((local_name(pair, language) or district,
                                           self.tr("%1 of %2").replace("%1", digits(late))
                                           .replace("%2", digits(total)),
                                           digits(share) + "٪" if language == "fa" else f"{share}%")):
                table.setItem(row, column, QTableWidgetItem(text))

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.sig_open.emit(self.model.row_at(index.row()).id)

    def ids(self) -> list[uuid.UUID]:
        return [self.model.row_at(i).id for i in range(self.model.rowCount())]
