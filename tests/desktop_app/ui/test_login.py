"""Who is working: the first start creates the manager, later starts sign in
against the office's own database (offline), and a wrong password says so."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from desktop_app.services import users
from desktop_app.store.db import Store
from desktop_app.ui.login import LoginDialog
from desktop_app.ui.tasks import TaskRunner
from sync.workflow import Role
from tests.factories import office


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = office(tmp_path)
    yield store
    store.close()


@pytest.fixture
def tasks(qtbot) -> Iterator[TaskRunner]:  # type: ignore[no-untyped-def]
    runner = TaskRunner()
    yield runner
    runner.shutdown()


def type_text(field: QLineEdit, text: str) -> None:
    field.setFocus()
    for ch in text:
        QApplication.sendEvent(field, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_unknown,
                                                Qt.KeyboardModifier.NoModifier, ch))


def open_dialog(qtbot, store: Store, tasks: TaskRunner) -> LoginDialog:  # type: ignore[no-untyped-def]
    dialog = LoginDialog(store, tasks)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.sig_ready, timeout=5000):
        dialog.show()
    return dialog


def test_first_start_creates_the_manager(qtbot, store: Store, tasks: TaskRunner) -> None:
    dialog = open_dialog(qtbot, store, tasks)
    assert dialog.first_run and dialog.repeat.isVisible() and dialog.display_name.isVisible()
    type_text(dialog.display_name, "مریم صادقی")
    type_text(dialog.username, "maryam")
    type_text(dialog.password, "رمز-۱۲۳۴")
    type_text(dialog.repeat, "رمز-۱۲۳۴")
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.user is not None and dialog.user.role == Role.MANAGER
    assert dialog.user.display_name == "مریم صادقی"
    assert users.sign_in(store.sessions, "maryam", "رمز-۱۲۳۴").username == "maryam"


def test_first_start_refuses_different_passwords(qtbot, store: Store, tasks: TaskRunner) -> None:
    dialog = open_dialog(qtbot, store, tasks)
    type_text(dialog.username, "maryam")
    type_text(dialog.password, "secret-1")
    type_text(dialog.repeat, "secret-2")
    with qtbot.waitSignal(dialog.sig_failed) as failed:
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert "not the same" in failed.args[0] and dialog.error.isVisible()
    assert not users.has_users(store.sessions)


def test_sign_in_with_the_right_and_a_wrong_password(qtbot, store: Store, tasks: TaskRunner) -> None:
    users.create_user(store.sessions, username="zahra", display_name="زهرا احمدی",
                      role=Role.CLERK, password="درست-است")
    dialog = open_dialog(qtbot, store, tasks)
    assert not dialog.first_run and not dialog.repeat.isVisible()
    type_text(dialog.username, "zahra")
    type_text(dialog.password, "wrong-one")
    with qtbot.waitSignal(dialog.sig_failed, timeout=10000) as failed:
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert "Wrong user name or password" in failed.args[0]
    assert dialog.isVisible() and dialog.user is None
    dialog.password.clear()
    type_text(dialog.password, "درست-است")
    with qtbot.waitSignal(dialog.accepted, timeout=10000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.user is not None and dialog.user.role == Role.CLERK
