"""The same app at the 137 centre and at a district: the centre's office offers its
operators the call form, the queue and every district's overdue work and hides a
district's crew work; a district office never offers a centre action.  And the
centre's one move on the request form: to another district, with a reason."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QLocale, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QLabel, QLineEdit, QPushButton

from desktop_app.app import RunningApp, build_app
from desktop_app.services.centre import CentreDesk
from desktop_app.services.requests import Actor
from desktop_app.store import models as m
from desktop_app.store.db import open_store
from desktop_app.ui.context import AppContext, Bus
from desktop_app.ui.i18n import Translations
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.move_district import MoveDistrictDialog
from desktop_app.ui.request_form import RequestForm
from desktop_app.ui.tasks import TaskRunner
from sync.dates import utcnow
from sync.workflow import Role
from tests.desktop_app.ui.centre_support import OPERATOR, enrol, focused, key
from tests.factories import CLERK, MANAGER, make_request, office

CENTRE_ACTIONS = {"actCall", "actQueue", "actOverdueEverywhere"}
DISTRICT_ONLY = {"actWalkIn", "actAssign", "actCrews", "actPrintOrders", "actPrintCrewDay"}
CENTRE_MANAGER = Actor(username="boss137", role=Role.MANAGER, display_name="مدیر ۱۳۷")


@pytest.fixture(autouse=True)
def own_settings(tmp_path: Path) -> None:
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "settings"))


def folder_of(tmp_path: Path, *, centre: bool) -> Path:
    store = office(tmp_path / "office")
    enrol(store, [] if centre else ["1-1"], everywhere=centre)
    now = utcnow()
    make_request(store, tracking_code="1405000001", received_at=now - dt.timedelta(days=3))
    make_request(store, tracking_code="1405000002", status="received",
                 received_at=now - dt.timedelta(hours=2))
    store.close()
    return tmp_path / "office"


@pytest.fixture
def open_window(qtbot, tmp_path: Path) -> Iterator[Callable[..., MainWindow]]:  # type: ignore[no-untyped-def]
    running: list[RunningApp] = []

    def make(actor: Actor, *, centre: bool, language: str = "en") -> MainWindow:
        app = build_app(folder_of(tmp_path / actor.username, centre=centre), language=language,
                        actor=actor, use_default_sync=False)
        assert app is not None
        running.append(app)
        window = app.window
        window.show()
        qtbot.waitUntil(lambda: window.model.generation > 0)
        return window

    yield make
    for app in running:
        app.close()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    QGuiApplication.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def ok_button(dialog: MoveDistrictDialog) -> QPushButton:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    return box.button(QDialogButtonBox.StandardButton.Ok)


def shown(window: MainWindow) -> set[str]:
    return {a.objectName() for a in window.actions() if a.isVisible() and a.objectName()}


@pytest.mark.parametrize("actor", [CLERK, MANAGER, OPERATOR], ids=["clerk", "manager", "centre user"])
def test_a_district_office_has_no_centre_action(qtbot, open_window, actor: Actor) -> None:  # type: ignore[no-untyped-def]
    window = open_window(actor, centre=False)
    assert not window.centre_office
    assert not shown(window) & CENTRE_ACTIONS
    assert not window.menu_centre.menuAction().isVisible()
    assert window.tabs.count() == 1  # the requests alone
    for key_name in ("call", "queue", "overdue"):
        assert window.page(key_name) is None
    window.show_call_page()
    window.show_queue()
    window.show_overdue()
    assert window.tabs.count() == 1  # asked anyway (a shortcut): nothing opens


def test_the_centre_operator_gets_the_call_form_and_the_queue(qtbot, open_window) -> None:  # type: ignore[no-untyped-def]
    window = open_window(OPERATOR, centre=True)
    assert window.centre_office
    assert CENTRE_ACTIONS <= shown(window)
    assert not shown(window) & DISTRICT_ONLY
    assert window.menu_centre.menuAction().isVisible()
    call, queue = window.page("call"), window.page("queue")
    assert call is not None and queue is not None
    assert window.tabs.currentWidget() is call  # the day starts with a call
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.waitUntil(lambda: focused() is call.field("citizen_phone"))
    key(Qt.Key.Key_F3)
    assert window.tabs.currentWidget() is queue
    qtbot.waitUntil(lambda: queue.model.rowCount() == 1)  # the one received request
    key(Qt.Key.Key_F4)
    overdue = window.page("overdue")
    assert overdue is not None and window.tabs.currentWidget() is overdue
    key(Qt.Key.Key_F2)
    assert window.tabs.currentWidget() is call


def test_the_centre_manager_sees_overdue_work_but_takes_no_calls(qtbot, open_window) -> None:  # type: ignore[no-untyped-def]
    window = open_window(CENTRE_MANAGER, centre=True)
    visible = shown(window)
    assert "actOverdueEverywhere" in visible
    assert not visible & {"actCall", "actQueue"}
    assert not visible & DISTRICT_ONLY


def test_the_centre_moves_a_referred_request_to_another_district(qtbot, open_window) -> None:  # type: ignore[no-untyped-def]
    window = open_window(OPERATOR, centre=True)
    ctx = window.ctx
    with ctx.store.sessions() as session:
        request = session.query(m.ServiceRequest).filter_by(tracking_code="1405000001").one()
    form = RequestForm(ctx, request.id)
    qtbot.addWidget(form)
    form.show()
    move = form.findChild(QPushButton, "moveDistrict")
    assert move is not None
    qtbot.waitUntil(move.isVisible)
    move.click()
    dialog = form.findChild(MoveDistrictDialog)
    assert dialog is not None
    qtbot.waitUntil(lambda: ok_button(dialog).isEnabled())
    district = dialog.findChild(QComboBox, "district")
    assert district.findData("1-1") < 0  # not the district it is in
    district.setCurrentIndex(district.findData("2-1"))
    reason = dialog.findChild(QLineEdit, "reason")
    reason.setText("محل در ناحیه ۱ منطقه ۲ است")
    with qtbot.waitSignal(dialog.sig_moved):
        ok_button(dialog).click()
    with ctx.store.sessions() as session:
        moved = session.get(m.ServiceRequest, request.id)
        assert moved is not None and moved.district_code == "2-1"


def test_a_move_without_a_reason_is_refused_beside_it(qtbot, open_window) -> None:  # type: ignore[no-untyped-def]
    window = open_window(OPERATOR, centre=True)
    ctx = window.ctx
    with ctx.store.sessions() as session:
        request = session.query(m.ServiceRequest).filter_by(tracking_code="1405000001").one()
    dialog = MoveDistrictDialog(ctx, request.id, request.tracking_code, request.district_code)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.sig_loaded):
        pass
    ok_button(dialog).click()
    error = dialog.findChild(QLabel, "error")
    qtbot.waitUntil(error.isVisible)
    assert error.text() == "Say why the request moves: the new district reads it."
    with ctx.store.sessions() as session:
        assert session.get(m.ServiceRequest, request.id).district_code == "1-1"


def test_the_move_dialog_offers_first_the_neighbourhood_the_request_has(qtbot, open_window) -> None:  # type: ignore[no-untyped-def]
    window = open_window(OPERATOR, centre=True)
    ctx = window.ctx
    with ctx.store.sessions() as session:
        request = session.query(m.ServiceRequest).filter_by(tracking_code="1405000001").one()
    # Referred to 1-1, though Fin lies in 2-1: the dialog proposes 2-1 and Fin.
    dialog = MoveDistrictDialog(ctx, request.id, request.tracking_code, "1-1",
                                current_neighbourhood="fin")
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.sig_loaded):
        pass
    assert dialog.findChild(QComboBox, "district").currentData() == "2-1"
    assert dialog.findChild(QComboBox, "neighbourhood").currentData() == "fin"


def test_the_window_is_built_without_reading_the_database_on_the_gui_thread(
        qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Whether this is the centre's office is read where the store is opened and
    handed to the window: building it runs no query on the GUI thread."""
    store = open_store(folder_of(tmp_path, centre=True))
    tasks = TaskRunner()
    ctx = AppContext(store=store, actor=OPERATOR, desk=CentreDesk(store.sessions, OPERATOR),
                     tasks=tasks, bus=Bus(), language="en")
    gui, on_gui = threading.get_ident(), []

    def seen(conn, cursor, statement, *rest) -> None:  # type: ignore[no-untyped-def]
        if threading.get_ident() == gui:
            on_gui.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", seen)
    translations = Translations()
    window = MainWindow(ctx, translations, use_default_sync=False, centre_office=True)
    assert on_gui == []
    assert window.centre_office
    qtbot.waitUntil(lambda: window.model.generation > 0)  # its first load, off the GUI thread
    window.close()
    tasks.shutdown()
    store.close()
    translations.remove()
