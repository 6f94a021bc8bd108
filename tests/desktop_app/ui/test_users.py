"""The users dialog: a manager adds people, changes roles and passwords, and can
never leave the office without a manager; nobody else gets in."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPushButton, QTableWidget

from desktop_app.services import users
from desktop_app.errors import ServiceError
from desktop_app.services.requests import Actor
from desktop_app.store import models as m
from desktop_app.store.db import Store
from desktop_app.ui.users import UsersDialog
from sync.workflow import Role
from tests.desktop_app.ui.forms_support import MakeContext, make_ctx, store, type_text
from tests.factories import CLERK, MANAGER, SUPERVISOR

__all__ = ["make_ctx", "store"]  # fixtures used by name


@pytest.fixture
def staff(store: Store) -> None:
    users.create_user(store.sessions, username=MANAGER.username, display_name="مریم صادقی",
                      role=Role.MANAGER, password="secret-1")
    users.create_user(store.sessions, username=CLERK.username, display_name="زهرا احمدی",
                      role=Role.CLERK, password="secret-2")


def open_dialog(qtbot, ctx) -> UsersDialog:  # type: ignore[no-untyped-def]
    dialog = UsersDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.sig_loaded):
        pass
    return dialog


def rows(dialog: UsersDialog) -> list[list[str]]:
    table = dialog.findChild(QTableWidget, "users")
    return [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def save(qtbot, dialog: UsersDialog) -> None:  # type: ignore[no-untyped-def]
    button = dialog.findChild(QPushButton, "save")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(button.isEnabled)
    qtbot.waitUntil(lambda: dialog.findChild(QLabel, "status").text() != ""
                    or any(label.isVisible() for label in dialog.findChildren(QLabel)
                           if label.objectName().endswith("_error")))


@pytest.mark.parametrize("actor", [CLERK, SUPERVISOR], ids=["clerk", "supervisor"])
def test_only_a_manager_gets_in(qtbot, make_ctx: MakeContext, staff: None,
                                actor: Actor) -> None:
    dialog = UsersDialog(make_ctx(actor))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.findChild(QLabel, "refused").isVisible()
    assert not dialog.findChild(QTableWidget, "users").isVisible()
    with pytest.raises(ServiceError) as refused:  # and the service says the same
        users.update_user(make_ctx(actor).store.sessions, actor, CLERK.username, active=False)
    assert refused.value.code == "role_not_allowed"


def test_a_manager_adds_a_supervisor_who_can_sign_in(qtbot, make_ctx: MakeContext, store: Store,
                                                     staff: None) -> None:
    dialog = open_dialog(qtbot, make_ctx(MANAGER))
    assert rows(dialog) == [["clerk", "زهرا احمدی", "Clerk", "yes"],  # by name: ز before م
                            ["boss", "مریم صادقی", "Manager", "yes"]]
    type_text(dialog.findChild(QLineEdit, "username"), "Reza")
    type_text(dialog.findChild(QLineEdit, "display_name"), "رضا کریمی")
    role = dialog.findChild(QComboBox, "role")
    role.setCurrentIndex(role.findData("supervisor"))
    type_text(dialog.findChild(QLineEdit, "password"), "پسورد-۱۲۳")
    save(qtbot, dialog)

    assert dialog.findChild(QLabel, "status").text() == "Saved."
    assert ["reza", "رضا کریمی", "Crew supervisor", "yes"] in rows(dialog)
    assert users.sign_in(store.sessions, "reza", "پسورد-۱۲۳").role == "supervisor"
    with store.sessions() as session:
        audit = session.scalar(sa.select(m.AuditEntry).where(m.AuditEntry.action == "user_created",
                                                             m.AuditEntry.entity_key == "reza"))
    assert audit.actor == MANAGER.username


def test_problems_are_shown_beside_their_fields(qtbot, make_ctx: MakeContext, staff: None) -> None:
    dialog = open_dialog(qtbot, make_ctx(MANAGER))
    type_text(dialog.findChild(QLineEdit, "password"), "123")
    save(qtbot, dialog)
    assert dialog.findChild(QLabel, "username_error").text() == "Choose a user name."
    assert dialog.findChild(QLabel, "password_error").text() == (
        "The password needs at least 6 characters.")

    dialog.findChild(QLineEdit, "password").clear()
    type_text(dialog.findChild(QLineEdit, "username"), "clerk")
    type_text(dialog.findChild(QLineEdit, "password"), "long enough")
    save(qtbot, dialog)
    assert dialog.findChild(QLabel, "username_error").text() == "This user name is taken."


def test_the_last_manager_cannot_be_deactivated(qtbot, make_ctx: MakeContext, store: Store,
                                               staff: None) -> None:
    dialog = open_dialog(qtbot, make_ctx(MANAGER))
    dialog.select(MANAGER.username)
    assert dialog.findChild(QLineEdit, "username").isReadOnly()
    dialog.findChild(QCheckBox, "active").setChecked(False)
    save(qtbot, dialog)
    assert dialog.findChild(QLabel, "status").text() == (
        "The office must keep at least one active manager.")
    assert users.sign_in(store.sessions, MANAGER.username, "secret-1").active


def test_a_manager_changes_a_role_and_resets_a_password(qtbot, make_ctx: MakeContext, store: Store,
                                                       staff: None) -> None:
    dialog = open_dialog(qtbot, make_ctx(MANAGER))
    dialog.select(CLERK.username)
    role = dialog.findChild(QComboBox, "role")
    role.setCurrentIndex(role.findData("manager"))
    type_text(dialog.findChild(QLineEdit, "password"), "new-secret")
    save(qtbot, dialog)

    assert dialog.findChild(QLabel, "status").text() == "Saved."
    assert users.sign_in(store.sessions, CLERK.username, "new-secret").role == "manager"
    with pytest.raises(ServiceError):
        users.sign_in(store.sessions, CLERK.username, "secret-2")
    with store.sessions() as session:
        audit = session.scalar(sa.select(m.AuditEntry).where(m.AuditEntry.action == "user_updated"))
    assert audit.details == {"role": "manager", "password": "changed"}  # never the password
