"""What the centre's list pages share: a read-only table of a service's rows, with
the reference codes named in the window's language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from desktop_app.services.centre_view import CentreNames
from desktop_app.ui.messages import local_name

_ROOT = QModelIndex()


class CentreRowsModel(QAbstractTableModel):
    """Rows to read and select, not to edit.  A page's model names its ``COLUMNS``
    (key, English header) and the translation ``CONTEXT`` of the headers, and gives
    ``data``."""

    COLUMNS: Sequence[tuple[str, str]] = ()
    CONTEXT = ""

    def __init__(self, parent: Any = None):
        super().__init__(parent)
        self._rows: list[Any] = []
        self._names: CentreNames | None = None
        self._language = "fa"

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.COLUMNS):
            return QCoreApplication.translate(self.CONTEXT, self.COLUMNS[section][1])
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def _name(self, table: str, code: str | None) -> str:
        """A reference code in the window's language (the code itself while names load)."""
        if not code:
            return ""
        if self._names is None:
            return code
        pair = getattr(self._names.names, table).get(code)
        return local_name(pair, self._language) if pair else code
