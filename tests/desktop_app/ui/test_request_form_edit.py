"""Correcting a request from its form: offered only to the desk while the district
works on it, problems shown beside the field to fix (Persian digits welcome), only
the changed fields sent, one event and one outbox entry with the clerk's name."""

from __future__ import annotations


import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QTextBrowser

from desktop_app.services.requests import Actor
from desktop_app.store import models as m
from desktop_app.store.db import Store
from desktop_app.ui.context import AppContext
from desktop_app.ui.edit_request import EditRequestDialog
from desktop_app.ui.request_form import RequestForm
from sync.protocol import Op
from sync.workflow import Status
from tests.desktop_app.ui.forms_support import (
    MakeContext,
    button,
    open_form,
    ctx,
    make_ctx,
    persian,
    plain,
    store,
    type_text,
)
from tests.factories import CLERK, CREW_A, MANAGER, SUPERVISOR, make_request

__all__ = ["ctx", "make_ctx", "persian", "store"]  # fixtures used by name


def open_editor(qtbot, form: RequestForm) -> EditRequestDialog:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button(form, "edit"), Qt.MouseButton.LeftButton)
    dialog = form.findChild(EditRequestDialog)
    assert dialog is not None and dialog.isVisible()
    with qtbot.waitSignal(dialog.sig_loaded):
        pass
    return dialog


def retype(widget: QLineEdit, text: str) -> None:
    widget.clear()
    type_text(widget, text)


def outbox(store: Store) -> list[m.OutboxEntry]:
    with store.sessions() as session:
        return list(session.scalars(sa.select(m.OutboxEntry).order_by(m.OutboxEntry.seq)))


def visible_errors(dialog: EditRequestDialog) -> dict[str, str]:
    return {label.objectName().removesuffix("_error"): label.text()
            for label in dialog.findChildren(QLabel) if label.objectName().endswith("_error")
            and label.isVisible()}


OFFERED = [
    (Status.REFERRED, CLERK, True),
    (Status.IN_PROGRESS, MANAGER, True),
    (Status.ASSIGNED, SUPERVISOR, False),  # crews record work; the desk corrects requests
    (Status.DONE, CLERK, False),  # a closed request is a record: reopen it first
    (Status.RECEIVED, MANAGER, False),  # not yet referred: the centre's
]


@pytest.mark.parametrize("status, actor, offered", OFFERED,
                         ids=[f"{s.value}-{a.role.value}" for s, a, _ in OFFERED])
def test_correcting_is_offered_to_the_desk_while_the_district_works_on_it(
        qtbot, make_ctx: MakeContext, store: Store, status: Status, actor: Actor,
        offered: bool) -> None:
    request = make_request(store, status=status.value,
                           crew_id=CREW_A if status in (Status.ASSIGNED, Status.IN_PROGRESS)
                           else None)
    form = open_form(qtbot, make_ctx(actor), request.id)
    assert button(form, "edit").isVisible() is offered


def test_a_wrong_phone_is_shown_beside_it_then_the_fixed_correction_is_saved(
        qtbot, ctx: AppContext, store: Store) -> None:
    request = make_request(store)
    form = open_form(qtbot, ctx, request.id)
    dialog = open_editor(qtbot, form)
    phone = dialog.findChild(QLineEdit, "citizen_phone")
    assert phone.text() == "09121234567"
    assert dialog.findChild(QComboBox, "neighbourhood_code").currentData() == "bazaar"
    assert dialog.findChild(QComboBox, "category_code").currentData() == "garbage"

    retype(phone, "۰۹۱۳۱۲۳")
    retype(dialog.findChild(QLineEdit, "address"), "کوچه شهید رجایی، پلاک ۸")
    with qtbot.assertNotEmitted(ctx.bus.sig_changed):
        qtbot.mouseClick(button(dialog, "save"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(visible_errors(dialog)))
    assert visible_errors(dialog) == {"citizen_phone": (
        "Wrong number of digits: a mobile has 11 (09121234567), a landline 11 with its area "
        "code or 8 without.")}
    assert phone.hasFocus()
    assert outbox(store) == []

    retype(phone, "۰۹۱۳ ۱۲۳ ۴۵۶۷")
    with qtbot.waitSignal(form.sig_loaded):
        qtbot.mouseClick(button(dialog, "save"), Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: form.findChild(EditRequestDialog) is None)  # closed and gone
    assert plain(form.findChild(QLabel, "field_phone").text()) == "09131234567"
    assert form.findChild(QLabel, "field_address").text() == "کوچه شهید رجایی، پلاک ۸"
    (entry,) = outbox(store)
    assert (entry.op, entry.actor) == (Op.EDIT_REQUEST.value, CLERK.username)
    # Only what the clerk changed travels, each with the value it was changed from.
    assert entry.payload["changes"] == {"citizen_phone": "09131234567",
                                        "address": "کوچه شهید رجایی، پلاک ۸"}
    assert entry.payload["base"] == {"citizen_phone": request.citizen_phone,
                                     "address": request.address}
    history = form.findChild(QTextBrowser, "history").toPlainText()
    assert "Corrected: address, phone" in history
    assert "waiting to be sent" in history


def test_neighbourhood_category_description_and_location_are_corrected(
        qtbot, ctx: AppContext, store: Store) -> None:
    request = make_request(store)
    form = open_form(qtbot, ctx, request.id)
    dialog = open_editor(qtbot, form)
    hoods = dialog.findChild(QComboBox, "neighbourhood_code")
    assert sorted(hoods.itemData(i) for i in range(hoods.count())) == ["bazaar", "sabze-meydan"]
    hoods.setCurrentIndex(hoods.findData("sabze-meydan"))
    category = dialog.findChild(QComboBox, "category_code")
    category.setCurrentIndex(category.findData("asphalt"))
    description = dialog.findChild(QPlainTextEdit, "description")
    description.clear()
    type_text(description, "چاله در آسفالت")
    latitude = dialog.findChild(QLineEdit, "latitude")
    type_text(latitude, "۳۳٫۹۸۱")
    type_text(dialog.findChild(QLineEdit, "longitude"), "شمال")
    qtbot.mouseClick(button(dialog, "save"), Qt.MouseButton.LeftButton)
    assert visible_errors(dialog) == {
        "longitude": "Write the number with digits and a decimal point, e.g. 33.98."}

    retype(dialog.findChild(QLineEdit, "longitude"), "51.43")
    with qtbot.waitSignal(form.sig_loaded):
        qtbot.mouseClick(button(dialog, "save"), Qt.MouseButton.LeftButton)
    with store.sessions() as session:
        row = session.get(m.ServiceRequest, request.id)
        assert (row.neighbourhood_code, row.category_code, row.description) == (
            "sabze-meydan", "asphalt", "چاله در آسفالت")
        assert (row.latitude, row.longitude) == (33.981, 51.43)
    assert plain(form.findChild(QLabel, "field_category").text()) == "Asphalt"


def test_saving_without_changes_sends_nothing(qtbot, ctx: AppContext, store: Store) -> None:
    request = make_request(store)
    form = open_form(qtbot, ctx, request.id)
    dialog = open_editor(qtbot, form)
    with qtbot.assertNotEmitted(ctx.bus.sig_changed):
        qtbot.mouseClick(button(dialog, "save"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: form.findChild(EditRequestDialog) is None)  # closed and gone
    assert outbox(store) == []


def test_a_request_closed_meanwhile_is_not_corrected_and_the_dialog_says_why(
        qtbot, ctx: AppContext, store: Store) -> None:
    request = make_request(store)
    form = open_form(qtbot, ctx, request.id)
    dialog = open_editor(qtbot, form)
    with store.sessions.begin() as session:  # closed at another desk
        session.get(m.ServiceRequest, request.id).status = Status.DONE.value
    retype(dialog.findChild(QLineEdit, "citizen_name"), "علی")
    error = dialog.findChild(QLabel, "error")
    qtbot.mouseClick(button(dialog, "save"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(error.isVisible)
    assert error.text().startswith("This request is no longer open at the district")
    assert dialog.isVisible() and outbox(store) == []


def test_in_persian_the_correction_reads_in_persian(qtbot, persian: None,
                                                    make_ctx: MakeContext, store: Store) -> None:
    request = make_request(store)
    form = open_form(qtbot, make_ctx(CLERK, "fa"), request.id)
    assert button(form, "edit").text() == "اصلاح…"
    dialog = open_editor(qtbot, form)
    assert dialog.findChild(QLineEdit, "citizen_phone").text() == "۰۹۱۲۱۲۳۴۵۶۷"
    description = dialog.findChild(QPlainTextEdit, "description")
    description.clear()
    qtbot.mouseClick(button(dialog, "save"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(visible_errors(dialog)))
    assert visible_errors(dialog) == {"description": "گزارش شهروند را بنویسید."}
