"""Who is working: sign in with a password checked against this office's database,
so it works offline.  On the very first start there is nobody to sign in as, and
the same dialog asks for the first manager's account instead.

Checking a password (argon2) takes tens of milliseconds on purpose; it runs on the
database thread, so the dialog stays responsive and the button shows it is busy.
The dialog hands back a :class:`~desktop_app.services.users.Account` (plain data,
no password hash), from which the app makes the actor of every change.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget,
)

from desktop_app.errors import ServiceError, ValidationFailed
from desktop_app.services import users
from desktop_app.services.office import Store
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.widgets.retranslate import Retranslating
from sync.workflow import Role


class LoginDialog(Retranslating, QDialog):
    """Sign in, or create the first manager when the office has no users yet.

    Attributes:
        user: the signed-in user once the dialog is accepted.

    Signals:
        sig_ready(): it is known whether the office has users; the form is shown.
        sig_failed(str): an attempt failed; the message shown to the user.
    """

    sig_ready = Signal()
    sig_failed = Signal(str)

    def __init__(self, store: Store, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self.user: users.Account | None = None
        self._store = store
        self._tasks = tasks
        self._first_run = False

        self._intro = QLabel()
        self._intro.setObjectName("intro")
        self._intro.setWordWrap(True)
        self.display_name = QLineEdit(objectName="displayName")
        self.username = QLineEdit(objectName="username")
        self.password = QLineEdit(objectName="password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit(objectName="repeat")
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel(objectName="error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.hide()

        self._form = QFormLayout()
        self._labels = {name: QLabel() for name in ("display_name", "username", "password", "repeat")}
        self._form.addRow(self._labels["display_name"], self.display_name)
        self._form.addRow(self._labels["username"], self.username)
        self._form.addRow(self._labels["password"], self.password)
        self._form.addRow(self._labels["repeat"], self.repeat)

        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self._buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setObjectName("ok")
        self._buttons.accepted.connect(self._submit)
        self._buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self._intro)
        layout.addLayout(self._form)
        layout.addWidget(self.error)
        layout.addWidget(self._buttons)
        self.setMinimumWidth(380)

        self._set_busy(True)
        self._retranslate()
        tasks.run_db(lambda: users.has_users(store.sessions), on_done=self._on_has_users,
                     on_error=self._on_error)

    @property
    def first_run(self) -> bool:
        return self._first_run

    # ------------------------------------------------------------------ text

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Daftar — sign in"))
        if self._first_run:
            self._intro.setText(self.tr(
                "Welcome. Nobody works in this office's Daftar yet: create the manager's "
                "account first. The manager can then add the other users."))
            self.ok.setText(self.tr("Create and sign in"))
        else:
            self._intro.setText(self.tr("Who is working? Sign in with your user name and password."))
            self.ok.setText(self.tr("Sign in"))
        self._buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Quit"))
        self._labels["display_name"].setText(self.tr("Your name:"))
        self._labels["username"].setText(self.tr("User name:"))
        self._labels["password"].setText(self.tr("Password:"))
        self._labels["repeat"].setText(self.tr("Password again:"))

    # ----------------------------------------------------------------- flow

    def _set_busy(self, busy: bool) -> None:
        self.ok.setEnabled(not busy)

    def _on_has_users(self, has_users: bool) -> None:
        self._first_run = not has_users
        for name in ("display_name", "repeat"):
            self._form.setRowVisible(self._labels[name], self._first_run)
        self._retranslate()
        self._set_busy(False)
        (self.display_name if self._first_run else self.username).setFocus()
        self.sig_ready.emit()

    def _submit(self) -> None:
        self.error.hide()
        username, password = self.username.text(), self.password.text()
        sessions = self._store.sessions  # the job never holds the dialog
        if self._first_run:
            if password != self.repeat.text():
                self._fail(self.tr("The two passwords are not the same."))
                return
            display_name = self.display_name.text()

            def work() -> users.Account:
                users.create_user(sessions, username=username, display_name=display_name,
                                  role=Role.MANAGER, password=password)
                return users.sign_in(sessions, username, password)
        else:
            def work() -> users.Account:
                return users.sign_in(sessions, username, password)

        self._set_busy(True)
        self._tasks.run_db(work, on_done=self._on_signed_in, on_error=self._on_error)

    def _on_signed_in(self, user: users.Account) -> None:
        self.user = user
        self.accept()

    def _on_error(self, error: BaseException) -> None:
        self._set_busy(False)
        if isinstance(error, ValidationFailed):
            self._fail("\n".join(self._problem_text(p.code) for p in error.problems))
        elif isinstance(error, ServiceError) and error.code == "bad_login":
            self._fail(self.tr("Wrong user name or password."))
            self.password.selectAll()
            self.password.setFocus()
        else:
            self._fail(self.tr("Could not sign in: %1").replace("%1", str(error)))

    def _problem_text(self, code: str) -> str:
        texts = {
            "required": self.tr("Choose a user name."),
            "too_short": self.tr("The password needs at least %1 characters.")
            .replace("%1", str(users.MIN_PASSWORD)),
            "taken": self.tr("This user name is taken."),
        }
        return texts.get(code, code)

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.sig_failed.emit(message)
