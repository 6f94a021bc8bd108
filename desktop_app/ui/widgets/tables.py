"""The small read-only lists of the management dialogs (crews, users, sync problems).

Each dialog shows a few dozen records to pick one from, with a form beside the
list to edit it; one builder gives them all the same behaviour (whole rows, one
at a time, nothing edited in place), so that the dialogs look and work alike.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget


def record_list(name: str, columns: int, on_selected: Callable[[], object]) -> QTableWidget:
    """A table of records to pick one from: whole rows, one at a time, not edited
    in place (the dialog's form beside it edits), columns as wide as their content
    and the last one taking the rest.  ``on_selected`` runs when the pick changes."""
    table = QTableWidget(0, columns)
    table.setObjectName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.itemSelectionChanged.connect(on_selected)
    return table
