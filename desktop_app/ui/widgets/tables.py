"""The small read-only lists of the management dialogs (crews, users, sync problems),
and the form beside them.

Each dialog shows a few dozen records to pick one from, with a form beside the
list to edit it; one set of builders gives them all the same behaviour (whole rows,
one at a time, nothing edited in place; each field's problem under it; New, Save
and Close in the same places), so that the dialogs look and work alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.errors import ValidationFailed
from desktop_app.ui.messages import error_text, problem_text


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


#: A problem's colour, wherever a form shows one.
ERROR_STYLE = "color:#b3261e;"


def error_label(name: str) -> QLabel:
    """A field's problem, in red under it; hidden until there is one."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.hide()
    return label


def with_error(field: QWidget, error: QLabel) -> QWidget:
    """``field`` with its ``error`` line right under it, for a form row."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(field)
    column.addWidget(error)
    return box


class RecordEditor:
    """The body of a management dialog: the record list, and beside it the form that
    edits the picked record (its notes, a status line, New and Save), Close below.

    Attributes:
        group: the form's box (titled by the dialog: "New crew" / "Change crew").
        status: what the last save said.
        errors: each field's problem line, by the field's name.
        new, save, close: the buttons, wired to the dialog's handlers.
    """

    def __init__(self, dialog: QDialog, table: QTableWidget, form: QFormLayout, *,
                 errors: Mapping[str, QLabel], on_new: Callable[[], object],
                 on_save: Callable[[], object], notes: Sequence[QWidget] = (),
                 above: QWidget | None = None):
        self.errors = errors
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.new = QPushButton()
        self.new.setObjectName("new")
        self.new.clicked.connect(on_new)
        self.save = QPushButton()
        self.save.setObjectName("save")
        self.save.setDefault(True)
        self.save.clicked.connect(on_save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new)
        buttons.addStretch(1)
        buttons.addWidget(self.save)
        editor = QVBoxLayout()
        editor.addLayout(form)
        for note in notes:
            editor.addWidget(note)
        editor.addWidget(self.status)
        editor.addStretch(1)
        editor.addLayout(buttons)
        self.group = QGroupBox()
        self.group.setLayout(editor)

        self.close = QPushButton()
        self.close.setObjectName("close")
        self.close.setAutoDefault(False)
        self.close.clicked.connect(dialog.accept)
        body = QHBoxLayout()
        body.addWidget(table, 3)
        body.addWidget(self.group, 2)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.close)
        layout = QVBoxLayout(dialog)
        if above is not None:
            layout.addWidget(above)
        layout.addLayout(body, 1)
        layout.addLayout(bottom)

    def clear_messages(self) -> None:
        for label in self.errors.values():
            label.hide()
        self.status.clear()

    def show_error(self, error: BaseException, *,
                   field_of: Callable[[str], str] = lambda field: field) -> None:
        """A refused save or a failed read: each field's problem under its field
        (``field_of`` maps the service's field name to the form's), the rest in the
        status line; Save works again."""
        self.save.setEnabled(True)
        if not isinstance(error, ValidationFailed):
            self.status.setText(error_text(error))
            return
        general = []
        for problem in error.problems:
            label = self.errors.get(field_of(problem.field))
            if label is None:
                general.append(problem_text(problem))
                continue
            label.setText(problem_text(problem))
            label.show()
        self.status.setText("\n".join(general))
