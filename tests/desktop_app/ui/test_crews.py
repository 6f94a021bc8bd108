"""The crews dialog: supervisors and managers keep the list, clerks only read it."""

from __future__ import annotations

import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
)

from desktop_app.store import models as m
from desktop_app.store.db import Store
from desktop_app.ui.context import AppContext
from desktop_app.ui.crews import CrewsDialog
from tests.desktop_app.ui.forms_support import MakeContext, ctx, make_ctx, store, type_text
from tests.factories import CREW_B, MANAGER, SUPERVISOR

__all__ = ["ctx", "make_ctx", "store"]  # fixtures used by name


def open_dialog(qtbot, ctx: AppContext) -> CrewsDialog:  # type: ignore[no-untyped-def]
    dialog = CrewsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.sig_loaded):
        pass
    return dialog


def rows(dialog: CrewsDialog) -> list[list[str]]:
    table = dialog.findChild(QTableWidget, "crews")
    return [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def save(qtbot, dialog: CrewsDialog) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(dialog.sig_loaded):
        qtbot.mouseClick(dialog.findChild(QPushButton, "save"), Qt.MouseButton.LeftButton)


def test_a_clerk_sees_the_crews_but_cannot_change_them(qtbot, ctx: AppContext) -> None:
    dialog = open_dialog(qtbot, ctx)
    assert rows(dialog) == [
        ["اکیپ آسفالت", "علی محمدی", "09134445566", "District 1-1", "yes"],
        ["اکیپ تنظیف ۱", "حسین رضایی", "09131112233", "District 1-1", "yes"],
    ]
    assert not dialog.findChild(QGroupBox).isEnabled()
    assert dialog.findChild(QLabel, "hint").text() == (
        "Only a manager or a crew supervisor can change crews.")


def test_a_supervisor_adds_a_crew(qtbot, make_ctx: MakeContext, store: Store) -> None:
    ctx = make_ctx(SUPERVISOR)
    dialog = open_dialog(qtbot, ctx)
    type_text(dialog.findChild(QLineEdit, "name"), "اکیپ فضای سبز")
    type_text(dialog.findChild(QLineEdit, "supervisor"), "مهدی کاظمی")
    type_text(dialog.findChild(QLineEdit, "phone"), "۰۹۱۳ ۷۷۷ ۸۸۹۹")
    with qtbot.waitSignal(ctx.bus.sig_changed) as changed:
        save(qtbot, dialog)

    assert changed.args[0].crews
    assert ["اکیپ فضای سبز", "مهدی کاظمی", "09137778899", "District 1-1", "yes"] in rows(dialog)
    assert dialog.findChild(QLabel, "status").text() == "Saved."
    with store.sessions() as session:
        crew = session.scalar(sa.select(m.Crew).where(m.Crew.name == "اکیپ فضای سبز"))
        audit = session.scalar(
            sa.select(m.AuditEntry).where(m.AuditEntry.entity_key == str(crew.id)))
    assert audit.actor == SUPERVISOR.username


def test_a_manager_deactivates_a_crew(qtbot, make_ctx: MakeContext, store: Store) -> None:
    dialog = open_dialog(qtbot, make_ctx(MANAGER))
    dialog.select(CREW_B)
    assert dialog.findChild(QLineEdit, "name").text() == "اکیپ آسفالت"
    dialog.findChild(QCheckBox, "active").setChecked(False)
    save(qtbot, dialog)

    with store.sessions() as session:
        assert session.get(m.Crew, CREW_B).active is False
    assert rows(dialog)[-1] == ["اکیپ آسفالت", "علی محمدی", "09134445566", "District 1-1", "no"]


def test_problems_are_shown_beside_their_fields(qtbot, make_ctx: MakeContext, store: Store) -> None:
    dialog = open_dialog(qtbot, make_ctx(MANAGER))
    type_text(dialog.findChild(QLineEdit, "phone"), "12")
    button = dialog.findChild(QPushButton, "save")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(button.isEnabled)

    assert dialog.findChild(QLabel, "name_error").text() == "The crew needs a name."
    assert dialog.findChild(QLabel, "phone_error").text().startswith("Wrong number of digits")
    assert not dialog.findChild(QLabel, "district_code_error").isVisible()
    with store.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(m.Crew)) == 2


def test_the_district_choice_is_the_offices(qtbot, make_ctx: MakeContext) -> None:
    dialog = open_dialog(qtbot, make_ctx(MANAGER))
    district = dialog.findChild(QComboBox, "district_code")
    assert [district.itemData(i) for i in range(district.count())] == ["1-1"]
