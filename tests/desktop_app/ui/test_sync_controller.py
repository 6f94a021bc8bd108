"""The background sync's rhythm: every 30 s while online, a prompt round after a local
change (also when one is running), slower while the centre cannot be reached."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.services.requests import Desk
from desktop_app.ui import sync_controller
from desktop_app.ui.context import AppContext, Bus
from desktop_app.ui.sync_controller import SyncController
from desktop_app.ui.tasks import TaskRunner
from tests.desktop_app.ui.test_status_bar import FakeSync, SyncError
from tests.factories import CLERK, desk, make_request, office


@pytest.fixture
def ctx(qtbot, tmp_path: Path) -> Iterator[AppContext]:  # type: ignore[no-untyped-def]
    store = office(tmp_path)
    tasks = TaskRunner()
    yield AppContext(store, CLERK, Desk(store.sessions, CLERK), tasks, Bus())
    tasks.shutdown()
    store.close()


def controller_for(qtbot, ctx: AppContext, fake: FakeSync) -> SyncController:  # type: ignore[no-untyped-def]
    controller = SyncController(ctx, fake, use_default=False)
    with qtbot.waitSignal(controller.sig_finished, timeout=5000):
        controller.start()
    return controller


def test_an_online_office_polls_at_least_every_30_seconds(qtbot, ctx: AppContext) -> None:
    controller = controller_for(qtbot, ctx, FakeSync())
    assert sync_controller.INTERVAL_MS <= 30_000
    assert controller._timer.isActive() and controller._timer.interval() <= 30_000
    controller.stop()


def test_a_local_change_brings_a_round_within_seconds(qtbot, ctx: AppContext) -> None:
    fake = FakeSync()
    controller = controller_for(qtbot, ctx, fake)
    assert len(fake.calls) == 1
    request = make_request(ctx.store)
    ctx.bus.changed(desk(ctx.store).add_note(request.id, "تماس گرفته شد"))
    # Long before the periodic round (30 s): the change goes out within the second.
    assert sync_controller.AFTER_CHANGE_MS <= 2000
    with qtbot.waitSignal(controller.sig_finished, timeout=3000):
        pass
    assert len(fake.calls) == 2
    controller.stop()


def test_a_change_made_while_a_round_runs_is_sent_by_a_round_right_after(qtbot, ctx: AppContext) -> None:
    gate = threading.Event()
    fake = FakeSync(gate=gate)
    controller = SyncController(ctx, fake, use_default=False)
    with qtbot.waitSignal(controller.sig_progress, timeout=5000):
        controller.sync_now()
    controller.sync_now()  # the change's round, asked for while the first one runs
    assert len(fake.calls) == 1
    with qtbot.waitSignal(controller.sig_finished, timeout=5000):
        gate.set()
    qtbot.waitUntil(lambda: len(fake.calls) == 2 and not controller.status.running, timeout=2000)
    controller.stop()


def test_while_the_centre_is_unreachable_it_polls_less_and_back_online_every_30_s(qtbot, ctx: AppContext) -> None:
    fake = FakeSync(outcome=SyncError("network", "connection refused"))
    controller = controller_for(qtbot, ctx, fake)
    assert controller._timer.interval() == sync_controller.OFFLINE_INTERVAL_MS
    fake.outcome = FakeSync().outcome
    with qtbot.waitSignal(controller.sig_finished, timeout=5000):
        controller.sync_now()
    assert controller.status.online and controller._timer.interval() == sync_controller.INTERVAL_MS
    controller.stop()


def test_a_tick_during_a_failing_round_waits_the_offline_interval(qtbot, ctx: AppContext) -> None:
    # The 30-s timer ticks while a long round runs; the round then fails (the centre
    # cannot be reached): the next one comes after the offline interval, not at once.
    gate = threading.Event()
    fake = FakeSync(outcome=SyncError("network", "connection refused"), gate=gate)
    controller = SyncController(ctx, fake, use_default=False)
    with qtbot.waitSignal(controller.sig_progress, timeout=5000):
        controller.sync_now()
    controller._timer.timeout.emit()  # the periodic tick, while the round still runs
    with qtbot.waitSignal(controller.sig_finished, timeout=5000):
        gate.set()
    qtbot.wait(300)
    assert len(fake.calls) == 1
    assert controller._timer.interval() == sync_controller.OFFLINE_INTERVAL_MS
    controller.stop()
