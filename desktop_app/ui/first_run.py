"""The first-run wizard: an office with no data folder yet joins its centre, or
opens the demo.

Enrolment needs the centre once, to exchange the one-time code for this
computer's credential; after that the office works offline and syncs whenever
the centre is reachable.  When the centre cannot be reached, the wizard says so
in words a clerk can act on (check the address, the network, ask the centre for
a new code) and keeps what was typed, so trying again is one click.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPushButton,
    QRadioButton, QVBoxLayout, QWidget,
)

from desktop_app.services.office import Store
from desktop_app.ui.tasks import TaskRunner
from desktop_app.ui.widgets.retranslate import Retranslating


class Choice(enum.Enum):
    ENROLLED = "enrolled"
    DEMO = "demo"


def _default_enroll(store: Store, url: str, code: str, allow_insecure: bool) -> Any:
    from desktop_app.services import enrolment

    return enrolment.enroll(store, url, code, allow_insecure=allow_insecure)


def problem_text(error: BaseException) -> str:
    """What went wrong with enrolment, as the person at the desk should read it."""
    code = getattr(error, "code", "")
    if code in ("network", "server_unavailable", "server_error", "tls_untrusted"):
        return QCoreApplication.translate(
            "FirstRunDialog", "The centre cannot be reached. Check the address and this computer's "
                  "network connection, then try again.")
    if code == "bad_url":
        return QCoreApplication.translate(
            "FirstRunDialog", "This is not a web address. Write it as the centre gave it, e.g. "
                  "https://137.kashan.ir")
    if code == "insecure_url":
        return QCoreApplication.translate(
            "FirstRunDialog", "This address is not secure (http://). Use the https:// address the "
                  "centre gave you, or tick “allow an insecure connection” if the centre "
                  "told you to.")
    if code == "enrolment_code_invalid":
        return QCoreApplication.translate(
            "FirstRunDialog", "The centre did not accept this code. Codes work once and expire: ask "
                  "the centre for a new one.")
    if code == "too_many_attempts":
        return QCoreApplication.translate(
            "FirstRunDialog", "Too many codes were tried from this computer. Wait a few minutes, "
                  "check the code the centre gave you, and try again.")
    if code == "unsupported_protocol":
        return QCoreApplication.translate(
            "FirstRunDialog", "This version of Daftar cannot talk to the centre. Install the version "
                  "the centre asks for.")
    message = str(error).splitlines()[0] if str(error) else type(error).__name__
    return QCoreApplication.translate(
            "FirstRunDialog", "Joining the centre failed: %1").replace("%1", message)


class FirstRunDialog(Retranslating, QDialog):
    """Two ways in: join the centre (address + one-time code) or try the demo."""

    def __init__(self, store: Store, tasks: TaskRunner, parent: QWidget | None = None, *,
                 enroll: Callable[[Store, str, str, bool], Any] = _default_enroll):
        super().__init__(parent)
        self.setObjectName("firstRun")
        self._store = store
        self._tasks = tasks
        self._enroll = enroll
        self.choice: Choice | None = None
        self.identity: Any = None

        self._intro = QLabel(wordWrap=True)
        self._join = QRadioButton(checked=True)
        self._demo = QRadioButton()
        self._url = QLineEdit(objectName="centreUrl")
        self._url.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # addresses read left to right
        self._code = QLineEdit(objectName="enrolmentCode")
        self._code.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        self._insecure = QCheckBox()
        self._status = QLabel(wordWrap=True, objectName="status")
        self._status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._form = QFormLayout()
        self._url_label, self._code_label = QLabel(), QLabel()
        self._form.addRow(self._url_label, self._url)
        self._form.addRow(self._code_label, self._code)
        self._form.addRow("", self._insecure)

        self._buttons = QDialogButtonBox()
        self._go = QPushButton(objectName="go")
        self._go.setDefault(True)
        self._buttons.addButton(self._go, QDialogButtonBox.ButtonRole.AcceptRole)
        self._quit = self._buttons.addButton(QDialogButtonBox.StandardButton.Cancel)

        layout = QVBoxLayout(self)
        layout.addWidget(self._intro)
        layout.addWidget(self._join)
        layout.addLayout(self._form)
        layout.addWidget(self._demo)
        layout.addWidget(self._status)
        layout.addWidget(self._buttons)

        self._go.clicked.connect(self._submit)
        self._quit.clicked.connect(self.reject)
        self._join.toggled.connect(self._update)
        self._url.textChanged.connect(self._update)
        self._code.textChanged.connect(self._update)
        self._retranslate()
        self._update()
        self._intro.setContentsMargins(6, 0, 6, 0)  # Qt under-measures wrapped RTL lines by a glyph
        self.resize(520, self.sizeHint().height())

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Welcome to Daftar"))
        self._intro.setText(self.tr(
            "This computer has no office data yet. Join your 137 centre with the address "
            "and the one-time code the centre gave you; after that Daftar works without "
            "the network and sends your work whenever the centre can be reached."))
        self._join.setText(self.tr("Join the centre"))
        self._url_label.setText(self.tr("Centre address:"))
        self._url.setPlaceholderText("https://137.example.ir")
        self._code_label.setText(self.tr("Enrolment code:"))
        self._code.setPlaceholderText("XXXX-XXXX-XXXX-XXXX")
        self._insecure.setText(self.tr("Allow an insecure (http://) connection"))
        self._demo.setText(self.tr("Try the demo (a local centre with sample requests)"))
        self._quit.setText(self.tr("Quit"))
        self._update()

    def _update(self) -> None:
        joining = self._join.isChecked()
        for widget in (self._url, self._code, self._insecure, self._url_label, self._code_label):
            widget.setEnabled(joining)
        self._go.setText(self.tr("Join") if joining else self.tr("Open the demo"))
        self._go.setEnabled(not joining or bool(self._url.text().strip() and self._code.text().strip()))

    def _set_busy(self, busy: bool) -> None:
        for widget in (self._go, self._join, self._demo, self._url, self._code, self._insecure):
            widget.setEnabled(not busy)
        if busy:
            self._status.setText(self.tr("Contacting the centre…"))
        else:
            self._update()

    def _submit(self) -> None:
        if self._demo.isChecked():
            self.choice = Choice.DEMO
            self.accept()
            return
        store, enroll = self._store, self._enroll
        url, code = self._url.text().strip(), self._code.text().strip()
        insecure = self._insecure.isChecked()
        self._set_busy(True)
        self._tasks.run_net(lambda: enroll(store, url, code, insecure),
                            on_done=self._on_enrolled, on_error=self._on_failed)

    def _on_enrolled(self, identity: Any) -> None:
        self._set_busy(False)
        self.identity = identity
        self.choice = Choice.ENROLLED
        self.accept()

    def _on_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self._status.setStyleSheet("color: #b3261e")
        self._status.setText(problem_text(error))
