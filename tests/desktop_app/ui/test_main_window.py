"""The whole window, built as the app builds it, driven through its real widgets:
Persian first, filtering, searching in Persian, assigning in bulk, what each role
may do, sync state, the keyboard, the language menu and the remembered layout."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QLocale, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QApplication, QListWidget, QPushButton, QWidget

from desktop_app.app import RunningApp, build_app
from desktop_app.services.requests import Actor
from desktop_app.store.db import Store
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.request_model import COLUMN_INDEX
from sync.client import SyncReport
from sync.dates import UTC, utcnow
from sync.workflow import Role
from tests.factories import CLERK, CREW_A, MANAGER, SUPERVISOR, make_request, office

CENTRE = Actor(username="centre", role=Role.CENTRE, display_name="مرکز ۱۳۷")


@pytest.fixture(autouse=True)
def own_settings(tmp_path: Path) -> None:
    """QSettings in the test's folder: never the developer's own preferences."""
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "settings"))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An office with a small, varied day of work."""
    store: Store = office(tmp_path / "office")
    now = utcnow()
    make_request(store, tracking_code="1405000001", citizen_name="رضا كريمي",
                 citizen_phone="09137654321", received_at=now - dt.timedelta(hours=1))
    make_request(store, tracking_code="1405000002", citizen_name="مریم صادقی",
                 received_at=now - dt.timedelta(hours=2))
    make_request(store, tracking_code="1405000003", citizen_name="علی نوری", category_code="asphalt",
                 received_at=now - dt.timedelta(hours=3))
    make_request(store, tracking_code="1405000004", citizen_name="حسن نوری", status="done",
                 received_at=now - dt.timedelta(days=4))
    make_request(store, tracking_code="1405000005", citizen_name="زهرا کریمی",
                 received_at=now - dt.timedelta(days=5))  # garbage: 1 target day, overdue
    store.close()
    return tmp_path / "office"


def finished_round(**counts: int) -> SyncReport:
    """A round as the sync engine reports it: ``counts`` of what it did, no clock skew."""
    finished_at = dt.datetime(2026, 4, 1, tzinfo=UTC)
    return SyncReport(started_at=finished_at - dt.timedelta(seconds=5), finished_at=finished_at,
                      clock_skew_seconds=0.0, **counts)


class FakeSync:
    """An enrolled office whose centre answers with ``report``."""

    def __init__(self, report: SyncReport | None = None):
        self.report = report or finished_round()
        self.rounds = 0

    def is_enrolled(self, store: Store) -> bool:
        return True

    def sync_once(self, store: Store, *, progress: Any = None, cancel: Any = None) -> SyncReport:
        self.rounds += 1
        return self.report

    def pending_count(self, store: Store) -> int:
        return 0

    def last_sync_at(self, store: Store) -> dt.datetime | None:
        return self.report.finished_at if self.rounds else None

    def open_problems(self, store: Store) -> list[object]:
        return []


@pytest.fixture
def open_app(qtbot, folder: Path) -> Iterator[Callable[..., MainWindow]]:  # type: ignore[no-untyped-def]
    running: list[RunningApp] = []

    def make(actor: Actor = CLERK, language: str = "fa", backend: FakeSync | None = None) -> MainWindow:
        app = build_app(folder, language=language, actor=actor, sync_backend=backend,
                        use_default_sync=False)
        assert app is not None
        running.append(app)
        window = app.window
        window.show()
        qtbot.waitUntil(lambda: window.model.generation > 0 and window.model.names is not None)
        return window

    yield make
    for app in running:
        app.close()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    QGuiApplication.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def codes(window: MainWindow) -> list[str]:
    model = window.model
    return [model.row_at(row).tracking_code for row in range(model.rowCount())]


def reloaded(qtbot, window: MainWindow, change: Callable[[], Any]) -> None:  # type: ignore[no-untyped-def]
    generation = window.model.generation
    change()
    qtbot.waitUntil(lambda: window.model.generation > generation and not window.model.loading)


def type_text(widget: QWidget, text: str) -> None:
    widget.setFocus()
    for ch in text:
        QApplication.sendEvent(widget, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_unknown,
                                                 Qt.KeyboardModifier.NoModifier, ch))


def test_opens_in_persian_right_to_left(qtbot, open_app) -> None:  # type: ignore[no-untyped-def]
    window = open_app()
    assert window.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert window.model.headerData(COLUMN_INDEX["code"], Qt.Orientation.Horizontal) == "کد رهگیری"
    assert codes(window) == [f"140500000{i}" for i in range(1, 6)]
    assert window.model.index(0, COLUMN_INDEX["code"]).data() == "۱۴۰۵۰۰۰۰۰۱"
    assert window.model.index(0, COLUMN_INDEX["status"]).data() == "ارجاع شده"
    qtbot.waitUntil(lambda: "۴" in window.filters.status_buttons["referred"].text())
    assert "۱" in window.filters.overdue.text()
    assert window.windowTitle().startswith("دفتر")


def test_filters_through_the_real_controls(qtbot, open_app) -> None:  # type: ignore[no-untyped-def]
    window = open_app()
    filters = window.filters
    reloaded(qtbot, window, lambda: qtbot.mouseClick(filters.status_buttons["done"], Qt.MouseButton.LeftButton))
    assert codes(window) == ["1405000004"]
    reloaded(qtbot, window, lambda: qtbot.mouseClick(filters.status_buttons["done"], Qt.MouseButton.LeftButton))
    reloaded(qtbot, window, lambda: filters.category.setCurrentIndex(filters.category.findData("asphalt")))
    assert codes(window) == ["1405000003"]
    reloaded(qtbot, window, lambda: qtbot.mouseClick(filters.clear_button, Qt.MouseButton.LeftButton))
    reloaded(qtbot, window, lambda: qtbot.mouseClick(filters.overdue, Qt.MouseButton.LeftButton))
    assert codes(window) == ["1405000005"]


def test_search_as_you_type_in_persian(qtbot, open_app) -> None:  # type: ignore[no-untyped-def]
    window = open_app()
    search = window.filters.search
    reloaded(qtbot, window, lambda: type_text(search, "کریمی"))  # stored with Arabic ي/ك once
    assert codes(window) == ["1405000001", "1405000005"]
    reloaded(qtbot, window, lambda: type_text(search, " رضا"))
    assert codes(window) == ["1405000001"]
    # The counts beside the table follow the search (greyed until they do).
    qtbot.waitUntil(lambda: not window.filters.counts_stale)
    assert window.filters.total.text().startswith("۱ ")
    search.clear()
    reloaded(qtbot, window, lambda: type_text(search, "۷۶۵۴"))  # Persian digits, middle of the phone
    assert codes(window) == ["1405000001"]
    reloaded(qtbot, window, lambda: qtbot.keyClick(search, Qt.Key.Key_Escape))
    assert len(codes(window)) == 5


def test_assign_in_bulk(qtbot, open_app) -> None:  # type: ignore[no-untyped-def]
    window = open_app()
    table, model = window.table, window.model
    ids = [model.row_at(row).id for row in range(3)]
    table.select_ids(ids)
    assert window.act_assign.isEnabled()
    with qtbot.waitSignal(window.sig_dialog) as opened:
        window.act_assign.trigger()
    dialog = opened.args[0]
    qtbot.waitUntil(lambda: dialog.findChild(QListWidget, "crews").count() > 0)
    crews = dialog.findChild(QListWidget, "crews")
    row = next(i for i in range(crews.count()) if crews.item(i).data(Qt.ItemDataRole.UserRole) == CREW_A)
    crews.setCurrentRow(row)
    reloaded(qtbot, window, lambda: qtbot.mouseClick(dialog.findChild(QPushButton, "ok"), Qt.MouseButton.LeftButton))
    assigned = [model.row_at(model.row_of(i)) for i in ids]
    assert {(r.status, r.crew_id) for r in assigned} == {("assigned", CREW_A)}
    assert table.selected_ids() == ids  # the clerk's selection survives the refresh
    assert model.index(model.row_of(ids[0]), COLUMN_INDEX["crew"]).data() == "اکیپ تنظیف ۱"


def test_assign_is_offered_only_for_assignable_requests(qtbot, open_app) -> None:  # type: ignore[no-untyped-def]
    window = open_app()
    done = window.model.row_at(3)
    assert done.status == "done"
    window.table.select_ids([window.model.row_at(0).id, done.id])
    assert not window.act_assign.isEnabled()
    window.table.select_ids([window.model.row_at(0).id])
    assert window.act_assign.isEnabled()


@pytest.mark.parametrize(("actor", "offered", "withheld"), [
    (CLERK, {"actWalkIn", "actAssign"}, {"actCrews", "actUsers", "actReports"}),
    (SUPERVISOR, {"actAssign", "actCrews"}, {"actWalkIn", "actUsers", "actReports"}),
    (MANAGER, {"actWalkIn", "actAssign", "actCrews", "actUsers", "actReports"}, set()),
    (CENTRE, {"actReports"}, {"actAssign", "actWalkIn", "actCrews", "actUsers"}),
], ids=lambda v: v.role.value if isinstance(v, Actor) else "")
def test_roles_decide_what_is_offered(qtbot, open_app, actor: Actor, offered: set[str],  # type: ignore[no-untyped-def]
                                      withheld: set[str]) -> None:
    window = open_app(actor)
    actions = {a.objectName(): a for a in window.actions()}
    for name in offered:
        assert actions[name].isVisible(), name
    for name in withheld:
        assert not actions[name].isVisible() and not actions[name].isEnabled(), name
    window.table.select_ids([window.model.row_at(0).id])
    assert window.act_assign.isEnabled() == ("actAssign" in offered)


def test_sync_state_and_new_referrals_reach_the_window(qtbot, open_app) -> None:  # type: ignore[no-untyped-def]
    backend = FakeSync(finished_round(pulled=3, new_referrals=2))
    window = open_app(backend=backend)
    qtbot.waitUntil(lambda: "آنلاین" in window.status.connection.text()
                    and "۱۴۰۵/۰۱/۱۲" in window.status.last_sync.text())  # 2026-04-01
    qtbot.waitUntil(lambda: not window.sync.status.running)
    with qtbot.waitSignal(window.sync.sig_new_referrals):
        window.act_sync.trigger()
    assert "۲" in window.status.currentMessage()


def test_keyboard_first(qtbot, open_app) -> None:  # type: ignore[no-untyped-def]
    window = open_app()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    table = window.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.filters.search.hasFocus()
    assert table.currentIndex().row() == 0  # the first request is current from the start
    qtbot.keyClick(window.filters.search, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.filters.search, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert table.currentIndex().row() == 2
    qtbot.keyClick(window.filters.search, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert table.currentIndex().row() == 1 and table.selected_ids() == [window.model.row_at(1).id]
    with qtbot.waitSignal(window.sig_dialog) as opened:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    form = opened.args[0]
    assert type(form).__name__ == "RequestForm"
    form.close()
    with qtbot.waitSignal(window.sig_dialog) as opened:
        qtbot.keyClick(table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert type(opened.args[0]).__name__ == "WalkInDialog"
    opened.args[0].close()


def test_english_from_the_menu_and_back(qtbot, open_app) -> None:  # type: ignore[no-untyped-def]
    window = open_app()
    window.act_english.trigger()
    assert window.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert window.model.headerData(COLUMN_INDEX["code"], Qt.Orientation.Horizontal) == "Tracking code"
    assert window.model.index(0, COLUMN_INDEX["category"]).data() == "Garbage collection"
    assert window.model.index(0, COLUMN_INDEX["code"]).data() == "1405000001"
    qtbot.waitUntil(lambda: window.menu_requests.title() == "&Requests")  # on LanguageChange
    assert QSettings("Daftar", "Daftar").value("language") == "en"
    window.act_persian.trigger()
    assert window.layoutDirection() == Qt.LayoutDirection.RightToLeft
    qtbot.waitUntil(lambda: window.menu_requests.title() == "د&رخواست‌ها")


def test_the_window_remembers_its_layout(qtbot, open_app) -> None:  # type: ignore[no-untyped-def]
    window = open_app()
    window.resize(1111, 666)
    column = COLUMN_INDEX["address"]
    window.table.setColumnWidth(column, 333)
    window.close()
    assert not QSettings("Daftar", "Daftar").value("mainWindow/geometry").isEmpty()
    again = open_app()
    # The offscreen screen is 800 pixels wide, so Qt narrows the restored width.
    assert again.size().height() == 666
    assert again.table.columnWidth(column) == 333


def test_run_gui_signs_in_shows_the_window_and_returns_the_exit_code(
        qtbot, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import argparse

    from desktop_app import app as app_module

    shown: list[QWidget] = []

    def close_when_shown() -> None:
        for window in QApplication.topLevelWidgets():
            if isinstance(window, MainWindow) and window.isVisible():
                shown.append(window)
                window.close()  # the last window closed: exec() returns

    poll = QTimer()
    poll.timeout.connect(close_when_shown)
    poll.start(20)
    watchdog = QTimer()  # a window left open fails the test instead of hanging it
    watchdog.setSingleShot(True)
    watchdog.timeout.connect(lambda: QApplication.exit(99))
    watchdog.start(30_000)
    monkeypatch.setattr(app_module, "sign_in", lambda store, tasks: CLERK)
    args = argparse.Namespace(data_dir=folder, lang="en")
    try:
        assert app_module.run_gui(args) == 0
    finally:
        poll.stop()
        watchdog.stop()
    assert len(shown) == 1 and shown[0].ctx.actor == CLERK

    monkeypatch.setattr(app_module, "sign_in", lambda store, tasks: None)  # the login was closed
    assert app_module.run_gui(args) == 0
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
