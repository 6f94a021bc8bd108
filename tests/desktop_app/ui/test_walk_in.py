"""The walk-in form, filled in as at the counter: what it offers, the problems it
shows beside each field (in English and in Persian), and the tracking code."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QPushButton

from desktop_app.services.sync_service import OFFICE
from desktop_app.store import models as m
from desktop_app.store.db import Store
from desktop_app.ui.context import AppContext
from desktop_app.services.requests import WalkIn
from desktop_app.ui.walk_in import WalkInDialog
from sync.protocol import OfficeInfo
from tests.desktop_app.ui.forms_support import MakeContext, ctx, make_ctx, persian, store, type_text
from tests.factories import CLERK, make_request

__all__ = ["ctx", "make_ctx", "persian", "store"]  # fixtures used by name


def open_dialog(qtbot, ctx: AppContext) -> WalkInDialog:  # type: ignore[no-untyped-def]
    dialog = WalkInDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.sig_loaded):
        pass
    return dialog


def child(dialog: WalkInDialog, kind, name: str):  # type: ignore[no-untyped-def]
    found = dialog.findChild(kind, name)
    assert found is not None, name
    return found


def choose(combo: QComboBox, code: str) -> None:
    index = combo.findData(code)
    assert index >= 0, code
    combo.setCurrentIndex(index)


def visible_errors(dialog: WalkInDialog) -> dict[str, str]:
    return {name: label.text() for name in WalkInDialog.FIELDS
            if (label := child(dialog, QLabel, f"{name}_error")).isVisible()}


def click_register(qtbot, dialog: WalkInDialog) -> None:  # type: ignore[no-untyped-def]
    """Click Register and wait for the Desk's answer, whichever it is."""
    button = child(dialog, QPushButton, "register")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(button.isEnabled)


def fill(dialog: WalkInDialog, *, phone: str = "۰۹۱۳ ۱۲۳ ۴۵۶۷") -> None:
    type_text(child(dialog, QLineEdit, "citizen_phone"), phone)
    type_text(child(dialog, QLineEdit, "citizen_name"), "فاطمه نوری")
    choose(child(dialog, QComboBox, "district_code"), "1-1")
    choose(child(dialog, QComboBox, "neighbourhood_code"), "sabze-meydan")
    choose(child(dialog, QComboBox, "category_code"), "street_signs")
    type_text(child(dialog, QPlainTextEdit, "description"), "تابلوی کوچه افتاده است")


def test_only_the_offices_districts_and_their_neighbourhoods_are_offered(
        qtbot, ctx: AppContext, store: Store) -> None:
    # The office's requests and crews are all in district 1-1 (tests.factories).
    dialog = open_dialog(qtbot, ctx)
    district = child(dialog, QComboBox, "district_code")
    hood = child(dialog, QComboBox, "neighbourhood_code")
    assert [district.itemData(i) for i in range(district.count())] == ["1-1"]
    assert district.currentData() == "1-1"  # the only one is chosen already
    assert sorted(hood.itemData(i) for i in range(hood.count())) == ["bazaar", "sabze-meydan"]
    assert hood.currentIndex() == -1  # but the neighbourhood is the clerk's to choose


def enrol(store: Store, districts: list[str], *, everywhere: bool = False) -> None:
    """Record the office's identity as enrolment does (sync_service.enroll)."""
    info = OfficeInfo(office_id=uuid.uuid4(), name="ناحیه نمونه", number=CLERK.office_number,
                      districts=districts, all_districts=everywhere)
    with store.sessions.begin() as session:
        session.add(m.SyncState(key=OFFICE, value=info.model_dump(mode="json")))


def test_the_enrolment_scope_decides_the_districts(qtbot, ctx: AppContext, store: Store) -> None:
    enrol(store, ["2-1", "1-2"])
    dialog = open_dialog(qtbot, ctx)
    district = child(dialog, QComboBox, "district_code")
    hood = child(dialog, QComboBox, "neighbourhood_code")
    assert [district.itemData(i) for i in range(district.count())] == ["1-2", "2-1"]
    assert district.currentIndex() == -1 and not hood.isEnabled()

    choose(district, "2-1")
    assert hood.isEnabled()
    assert sorted(hood.itemData(i) for i in range(hood.count())) == ["fin", "sarsiab"]


def test_the_centres_own_office_offers_every_district(qtbot, ctx: AppContext,
                                                     store: Store) -> None:
    enrol(store, [], everywhere=True)
    dialog = open_dialog(qtbot, ctx)
    district = child(dialog, QComboBox, "district_code")
    with store.sessions() as session:
        every = session.scalar(sa.select(sa.func.count()).select_from(m.District))
    assert district.count() == every


def test_an_empty_form_says_what_to_fix_beside_each_field(qtbot, ctx: AppContext,
                                                          store: Store) -> None:
    dialog = open_dialog(qtbot, ctx)
    with qtbot.assertNotEmitted(dialog.sig_registered):
        click_register(qtbot, dialog)
    assert visible_errors(dialog) == {
        "citizen_phone": "Enter the citizen's phone number.",
        "neighbourhood_code": "Choose the neighbourhood.",
        "category_code": "Choose the category.",
        "description": "Describe what the citizen reports.",
    }
    assert child(dialog, QLineEdit, "citizen_phone").hasFocus()  # the first field to fix
    with store.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(m.ServiceRequest)) == 0


def test_fixing_the_phone_clears_its_problem(qtbot, ctx: AppContext) -> None:
    dialog = open_dialog(qtbot, ctx)
    fill(dialog, phone="۰۹۱۲۱۲۳")
    click_register(qtbot, dialog)
    assert visible_errors(dialog) == {
        "citizen_phone": "Wrong number of digits: a mobile has 11 (09121234567), "
                         "a landline 11 with its area code or 8 without."}

    phone = child(dialog, QLineEdit, "citizen_phone")
    phone.clear()
    type_text(phone, "+98 913 123 4567")
    with qtbot.waitSignal(dialog.sig_registered):
        qtbot.mouseClick(child(dialog, QPushButton, "register"), Qt.MouseButton.LeftButton)
    assert visible_errors(dialog) == {}


def test_a_registered_walk_in_gives_the_citizen_a_code_to_copy(qtbot, ctx: AppContext,
                                                               store: Store) -> None:
    dialog = open_dialog(qtbot, ctx)
    fill(dialog)
    with qtbot.waitSignal(ctx.bus.sig_changed) as changed:
        qtbot.mouseClick(child(dialog, QPushButton, "register"), Qt.MouseButton.LeftButton)

    code = dialog.tracking_code
    assert code is not None and code.endswith(f"-{CLERK.office_number}-1")
    shown = child(dialog, QLabel, "trackingCode")
    assert shown.isVisible() and shown.text() == code
    assert "Street signs in Sabze Meydan" in child(dialog, QLabel, "summary").text()
    with store.sessions() as session:
        request = session.scalar(sa.select(m.ServiceRequest))
        assert (request.id, request.channel, request.citizen_phone, request.neighbourhood_code) == (
            changed.args[0].request_ids[0], "walk_in", "09131234567", "sabze-meydan")

    qtbot.mouseClick(child(dialog, QPushButton, "copy"), Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == code

    qtbot.mouseClick(child(dialog, QPushButton, "another"), Qt.MouseButton.LeftButton)
    assert child(dialog, QLineEdit, "citizen_phone").text() == ""
    assert child(dialog, QComboBox, "district_code").currentData() == "1-1"  # kept
    fill(dialog)
    with qtbot.waitSignal(dialog.sig_registered) as second:
        qtbot.mouseClick(child(dialog, QPushButton, "register"), Qt.MouseButton.LeftButton)
    assert second.args[0].endswith(f"-{CLERK.office_number}-2")


def walk_in_form() -> WalkIn:
    return WalkIn(citizen_name="فاطمه نوری", citizen_phone="09131234567", district_code="1-1",
                  neighbourhood_code="sabze-meydan", category_code="street_signs",
                  description="تابلوی کوچه افتاده است")


def test_in_persian_the_problems_and_the_code_are_persian(qtbot, persian: None,
                                                          make_ctx: MakeContext) -> None:
    dialog = open_dialog(qtbot, make_ctx(CLERK, "fa"))
    assert dialog.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert dialog.windowTitle() == "درخواست حضوری"
    assert child(dialog, QComboBox, "district_code").currentText() == "ناحیه ۱ منطقه ۱"
    click_register(qtbot, dialog)
    assert visible_errors(dialog) == {
        "citizen_phone": "شمارهٔ تلفن شهروند را بنویسید.",
        "neighbourhood_code": "محله را برگزینید.",
        "category_code": "موضوع را برگزینید.",
        "description": "گزارش شهروند را بنویسید.",
    }

    fill(dialog)
    with qtbot.waitSignal(dialog.sig_registered) as registered:
        qtbot.mouseClick(child(dialog, QPushButton, "register"), Qt.MouseButton.LeftButton)
    year, office, serial = registered.args[0].split("-")
    persian_digits = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    assert child(dialog, QLabel, "trackingCode").text() == (
        f"{year}-{office}-{serial}".translate(persian_digits))


def test_a_neighbourhood_of_another_district_is_not_accepted(qtbot, ctx: AppContext,
                                                             store: Store) -> None:
    make_request(store, district_code="1-2", neighbourhood_code="posht-e-mashhad")
    dialog = open_dialog(qtbot, ctx)
    fill(dialog)
    # Pick the neighbourhood first, then change the district under it: the combo
    # empties, so the clerk cannot send a neighbourhood of the wrong district.
    choose(child(dialog, QComboBox, "district_code"), "1-2")
    assert child(dialog, QComboBox, "neighbourhood_code").currentIndex() == -1
    click_register(qtbot, dialog)
    assert visible_errors(dialog) == {"neighbourhood_code": "Choose the neighbourhood."}
