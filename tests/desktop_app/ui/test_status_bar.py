"""Sync in the background as the status bar shows it: not enrolled, online,
offline, changes waiting, last sync, problems (which open the inbox), progress,
and new referrals announced — with a fake engine standing in for the centre."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLocale

from desktop_app.services import sync_service
from desktop_app.services.requests import Desk
from desktop_app.store.db import Store
from desktop_app.ui import status_bar
from desktop_app.ui.context import AppContext, Bus
from desktop_app.ui.status_bar import SyncStatusBar
from desktop_app.ui.sync_controller import SyncController, SyncStatus
from desktop_app.ui.tasks import TaskRunner
from sync.client import SyncReport
from sync.dates import UTC
from tests.factories import CLERK, desk, make_request, office


def finished_round(**counts: int) -> SyncReport:
    """A round as the sync engine reports it: ``counts`` of what it did, no clock skew."""
    finished_at = dt.datetime(2026, 4, 1, 10, 0, tzinfo=UTC)
    return SyncReport(started_at=finished_at - dt.timedelta(seconds=5), finished_at=finished_at,
                      clock_skew_seconds=0.0, **counts)


class SyncError(Exception):
    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


@dataclass
class FakeSync:
    """The five functions of ``sync_service``; a round can be held open by a gate."""

    enrolled: bool = True
    pending: int = 0
    last: dt.datetime | None = None
    problems: list[str] = field(default_factory=list)
    outcome: SyncReport | SyncError = field(default_factory=finished_round)
    gate: threading.Event | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)

    def is_enrolled(self, store: Store) -> bool:
        return self.enrolled

    def sync_once(self, store: Store, *, progress: Callable[[str, int, int], None] | None = None,
                  cancel: Callable[[], bool] | None = None) -> SyncReport:
        self.calls.append({"progress": progress, "cancel": cancel})
        assert progress is not None and cancel is not None
        progress("pull", 3, 10)
        if self.gate is not None:
            assert self.gate.wait(10)
        if isinstance(self.outcome, SyncError):
            raise self.outcome
        self.last = self.outcome.finished_at
        return self.outcome

    def pending_count(self, store: Store) -> int:
        return self.pending

    def last_sync_at(self, store: Store) -> dt.datetime | None:
        return self.last

    def open_problems(self, store: Store) -> list[str]:
        return self.problems


@pytest.fixture
def ctx(qtbot, tmp_path: Path) -> Iterator[AppContext]:  # type: ignore[no-untyped-def]
    store = office(tmp_path)
    tasks = TaskRunner()
    yield AppContext(store, CLERK, Desk(store.sessions, CLERK), tasks, Bus())
    tasks.shutdown()
    store.close()


@pytest.fixture
def persian() -> Iterator[None]:
    QLocale.setDefault(QLocale(QLocale.Language.Persian, QLocale.Country.Iran))
    yield
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))


def wired(qtbot, ctx: AppContext, backend: FakeSync | None, **kwargs: Any):  # type: ignore[no-untyped-def]
    controller = SyncController(ctx, backend, use_default=False, **kwargs)
    bar = SyncStatusBar(ctx.actor)
    qtbot.addWidget(bar)
    controller.sig_status.connect(bar.set_status)
    controller.sig_progress.connect(bar.set_progress)
    return controller, bar


def test_without_an_engine_it_says_not_enrolled(qtbot, ctx: AppContext) -> None:
    controller, bar = wired(qtbot, ctx, None)
    with qtbot.waitSignal(controller.sig_status):
        controller.start()
    assert not controller.available
    assert "Not enrolled" in bar.connection.text()
    controller.sync_now()  # nothing to do, nothing breaks
    assert not controller.status.running


def test_a_round_goes_online_and_updates_the_counts(qtbot, ctx: AppContext, persian: None) -> None:
    fake = FakeSync(pending=2, problems=["p1", "p2", "p3"])
    controller, bar = wired(qtbot, ctx, fake)
    with qtbot.waitSignal(controller.sig_finished, timeout=5000):
        controller.start()
    qtbot.waitUntil(lambda: controller.status.last_sync is not None)
    status = controller.status
    assert status == SyncStatus(enrolled=True, online=True, pending=2, last_sync=fake.last,
                                problems=3, running=False)
    assert "Online" in bar.connection.text()
    assert "۲" in bar.pending.text() and "۳" in bar.problems.text()
    assert "۱۴۰۵/۰۱/۱۲" in bar.last_sync.text()  # 2026-04-01 in the Jalali calendar
    assert not fake.calls[0]["cancel"]()  # the engine may ask whether to stop


def test_a_failed_round_shows_offline_with_the_reason(qtbot, ctx: AppContext) -> None:
    fake = FakeSync(outcome=SyncError("unreachable", "connection refused"))
    controller, bar = wired(qtbot, ctx, fake)
    with qtbot.waitSignal(controller.sig_finished, timeout=5000):
        controller.sync_now()
    assert controller.status.online is False
    assert "Offline" in bar.connection.text()
    assert "connection refused" in bar.connection.toolTip()


def test_a_full_disk_is_named_not_taken_for_the_network(qtbot, ctx: AppContext) -> None:
    fake = FakeSync(outcome=SyncError(sync_service.DISK_FULL, "the disk holding the office's "
                                      "data is full: free space and sync again"))
    controller, bar = wired(qtbot, ctx, fake)
    with qtbot.waitSignal(controller.sig_finished, timeout=5000):
        controller.sync_now()
    assert status_bar.DISK_FULL == sync_service.DISK_FULL
    assert "Disk full" in bar.connection.text() and "Offline" not in bar.connection.text()
    assert "Nothing was lost" in bar.connection.toolTip()


def test_progress_shows_while_a_round_runs_and_the_window_stays_free(qtbot, ctx: AppContext) -> None:
    gate = threading.Event()
    fake = FakeSync(gate=gate)
    controller, bar = wired(qtbot, ctx, fake)
    bar.show()
    with qtbot.waitSignal(controller.sig_progress, timeout=5000) as step:
        controller.sync_now()
    assert step.args == ["pull", 3, 10]
    assert controller.status.running and bar.progress.isVisible()
    assert "Syncing" in bar.connection.text()
    controller.sync_now()  # a second round never starts while one runs
    assert len(fake.calls) == 1
    with qtbot.waitSignal(controller.sig_finished, timeout=5000):
        gate.set()
    assert not bar.progress.isVisible()


def test_new_referrals_are_announced_and_arrived_rows_reported(qtbot, ctx: AppContext) -> None:
    fake = FakeSync(outcome=finished_round(pulled=12, new_referrals=4))
    controller, _bar = wired(qtbot, ctx, fake)
    with qtbot.waitSignal(controller.sig_rows_arrived, timeout=5000), \
            qtbot.waitSignal(controller.sig_new_referrals, timeout=5000) as announced:
        controller.sync_now()
    assert announced.args == [4]


def test_local_changes_refresh_the_waiting_count_and_schedule_a_round(qtbot, ctx: AppContext) -> None:
    fake = FakeSync()
    controller, bar = wired(qtbot, ctx, fake)
    with qtbot.waitSignal(controller.sig_finished, timeout=5000):
        controller.start()
    fake.pending = 1
    request = make_request(ctx.store)
    with qtbot.waitSignal(controller.sig_status, timeout=5000):
        ctx.bus.changed(desk(ctx.store).add_note(request.id, "تماس گرفته شد"))
    qtbot.waitUntil(lambda: "1" in bar.pending.text())
    assert controller._soon.isActive()


def test_the_problems_entry_opens_the_inbox(qtbot, ctx: AppContext) -> None:
    _controller, bar = wired(qtbot, ctx, FakeSync())
    with qtbot.waitSignal(bar.sig_open_problems):
        bar.problems.click()
    with qtbot.waitSignal(bar.sig_sync_now):
        bar.connection.click()


def test_a_round_finishing_after_stop_is_ignored(qtbot, ctx: AppContext) -> None:
    """The window closes while a round runs: its late report must not start reads
    on a task runner that is shutting down."""
    gate = threading.Event()
    controller, _bar = wired(qtbot, ctx, FakeSync(gate=gate))
    with qtbot.waitSignal(controller.sig_progress, timeout=5000):
        controller.sync_now()
    controller.stop()
    with qtbot.assertNotEmitted(controller.sig_finished, wait=200):
        with qtbot.assertNotEmitted(ctx.bus.sig_sync_state):
            gate.set()
    controller.sync_now()
    controller.refresh_status()
    assert not controller.status.enrolled  # nothing more was read


def test_the_photos_part_of_a_round_is_named_in_persian(qtbot) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.ui.i18n import Translations, load_fonts

    load_fonts()
    translations = Translations()
    translations.apply("fa")
    try:
        bar = SyncStatusBar(CLERK)
        qtbot.addWidget(bar)
        bar.resize(700, 32)
        bar.show()
        bar.set_progress("photos", 3_000_000, 10_000_000)
        assert bar.progress.format().startswith("عکس‌ها")
        shots = Path("/work/wt/shots/photos-sync")
        if shots.is_dir():
            bar.grab().save(str(shots / "status_bar_photos_fa.png"))
    finally:
        translations.apply("en")
        translations.remove()
