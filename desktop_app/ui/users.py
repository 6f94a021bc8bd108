"""The people who may sign in at this office, and what their role lets them do.

Only a manager opens this dialog (the service checks the same, by the signed-in
manager's name, and the audit log records who changed whom).  People are never
deleted, since the history of every request names them: a person who leaves is made
inactive and can no longer sign in.  A password is set here and never shown again.
Everything goes through :mod:`desktop_app.services.users`, which hands back each
person as an :class:`~desktop_app.services.users.Account`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTableWidgetItem,
    QWidget,
)
from shiboken6 import isValid

from desktop_app.services import users
from desktop_app.ui.context import AppContext
from desktop_app.ui.messages import role_name
from desktop_app.ui.widgets.retranslate import Retranslating
from desktop_app.ui.widgets.tables import RecordEditor, error_label, record_list, with_error
from sync.workflow import Role

# The roles an office's people can have (the centre's people are not users here).
OFFICE_ROLES = (Role.CLERK, Role.SUPERVISOR, Role.MANAGER)


class UsersDialog(Retranslating, QDialog):
    """Add people, change their name, role or password, deactivate them.

    Signals:
        sig_loaded(): the list shows the users as they are in the database.
    """

    sig_loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self._rows: tuple[users.Account, ...] = ()
        self._editing: str | None = None
        self._allowed = ctx.actor.role == Role.MANAGER
        self.setObjectName("usersDialog")
        self.resize(860, 460)

        self._table = record_list("users", 4, self._on_selected)

        self._username = QLineEdit()
        self._username.setObjectName("username")
        self._username.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self._display_name = QLineEdit()
        self._display_name.setObjectName("display_name")
        self._role = QComboBox()
        self._role.setObjectName("role")
        for role in OFFICE_ROLES:
            self._role.addItem("", role.value)
        self._active = QCheckBox()
        self._active.setObjectName("active")
        self._active.setChecked(True)
        self._password = QLineEdit()
        self._password.setObjectName("password")
        self._password.setEchoMode(QLineEdit.EchoMode.Password)
        self._errors: dict[str, QLabel] = {}
        self._captions: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, field in (("username", self._username), ("display_name", self._display_name),
                           ("role", self._role), ("password", self._password)):
            error = error_label(f"{key}_error")
            box = with_error(field, error)
            self._errors[key], self._captions[key] = error, QLabel()
            form.addRow(self._captions[key], box)
        form.addRow("", self._active)
        self._refused = QLabel()
        self._refused.setObjectName("refused")
        self._refused.setWordWrap(True)
        body = RecordEditor(self, self._table, form, errors=self._errors, on_new=self._on_new,
                            on_save=self._on_save,
                            above=self._refused)
        self._body = body
        self._status, self._new, self._save = body.status, body.new, body.save
        self._editor, self._close = body.group, body.close

        self._table.setVisible(self._allowed)
        self._editor.setVisible(self._allowed)
        self._refused.setVisible(not self._allowed)
        self._retranslate()
        if self._allowed:
            self._reload()

    # ------------------------------------------------------------------ language

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Users"))
        self._refused.setText(self.tr("Only a manager can manage the office's users."))
        self._table.setHorizontalHeaderLabels([
            self.tr("User name"), self.tr("Name"), self.tr("Role"), self.tr("Active")])
        self._captions["username"].setText(self.tr("User name *"))
        self._captions["display_name"].setText(self.tr("Name"))
        self._captions["role"].setText(self.tr("Role"))
        for index, role in enumerate(OFFICE_ROLES):
            self._role.setItemText(index, role_name(role))
        self._active.setText(self.tr("Active: may sign in"))
        self._new.setText(self.tr("New user"))
        self._save.setText(self.tr("Save"))
        self._close.setText(self.tr("Close"))
        self._show_mode()
        self._show_rows()

    def _show_mode(self) -> None:
        new = self._editing is None
        self._editor.setTitle(self.tr("New user") if new else self.tr("Change user"))
        self._captions["password"].setText(
            self.tr("Password *") if new else self.tr("New password"))
        self._password.setPlaceholderText(
            self.tr("At least 6 characters") if new
            else self.tr("Leave empty to keep the password"))
        self._username.setReadOnly(not new)
        # A new person can sign in at once; deactivating is a change to an account.
        self._active.setEnabled(not new)

    # ------------------------------------------------------------------- loading

    def _reload(self, select: str | None = None, message: str = "") -> None:
        ctx, sessions = self._ctx, self._ctx.store.sessions
        ctx.tasks.run_db(lambda: users.list_users(sessions),
                         on_done=lambda rows: self._on_loaded(rows, select, message),
                         on_error=self._on_error)

    def _on_loaded(self, rows: tuple[users.Account, ...], select: str | None,
                   message: str) -> None:
        if not isValid(self):
            return
        self._rows = rows
        self._show_rows()
        if select is not None:
            self.select(select)
        elif self._editing is None:
            self._on_new()
        self._status.setText(message)
        self.sig_loaded.emit()

    def _show_rows(self) -> None:
        self._table.blockSignals(True)
        self._table.setRowCount(len(self._rows))
        muted = QBrush(self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        for row, user in enumerate(self._rows):
            cells = (user.username, user.display_name, role_name(user.role),
                     self.tr("yes") if user.active else self.tr("no"))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, user.username)
                if not user.active:
                    item.setForeground(muted)
                self._table.setItem(row, column, item)
        self._table.blockSignals(False)

    # ------------------------------------------------------------------- editing

    def select(self, username: str) -> None:
        """Show one person in the list and in the form."""
        for row in range(self._table.rowCount()):
            if self._table.item(row, 0).data(Qt.ItemDataRole.UserRole) == username:
                self._table.setCurrentCell(row, 0)  # not selectRow(): see SyncProblemsDialog
                return
        raise KeyError(username)

    def _on_selected(self) -> None:
        rows = self._table.selectionModel().selectedRows()
        if not rows:
            return
        username = self._table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        (user,) = [u for u in self._rows if u.username == username]
        self._editing = user.username
        self._username.setText(user.username)
        self._display_name.setText(user.display_name)
        self._role.setCurrentIndex(max(0, self._role.findData(user.role)))
        self._active.setChecked(user.active)
        self._password.clear()
        self._clear_messages()
        self._show_mode()

    def _on_new(self) -> None:
        self._table.clearSelection()
        self._editing = None
        for edit in (self._username, self._display_name, self._password):
            edit.clear()
        self._role.setCurrentIndex(0)
        self._active.setChecked(True)
        self._clear_messages()
        self._show_mode()
        self._username.setFocus()

    def _clear_messages(self) -> None:
        self._body.clear_messages()

    def _on_save(self) -> None:
        self._clear_messages()
        sessions, actor = self._ctx.store.sessions, self._ctx.actor
        editing = self._editing
        username, display_name = self._username.text(), self._display_name.text()
        role, active = self._role.currentData(), self._active.isChecked()
        password = self._password.text()

        def work() -> str:
            if editing is None:
                return users.create_user(sessions, username=username, display_name=display_name,
                                         role=role, password=password, by=actor).username
            return users.update_user(sessions, actor, editing, display_name=display_name,
                                     role=role, active=active, password=password or None).username

        self._save.setEnabled(False)
        self._ctx.tasks.run_db(work, on_done=self._on_saved, on_error=self._on_error)

    def _on_saved(self, username: str) -> None:
        if not isValid(self):
            return
        self._save.setEnabled(True)
        self._editing = username
        self._password.clear()
        self._reload(select=username, message=self.tr("Saved."))

    def _on_error(self, error: BaseException) -> None:
        if isValid(self):
            self._body.show_error(error)
