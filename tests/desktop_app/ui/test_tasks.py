"""The superseding lane: only the newest epoch's answer reaches the window.

Each test ends with a piece of work of the newest epoch and waits for its answer:
the lane runs its work in order on one thread and answers in that order, so an
answer of older work that was going to come would have come first."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from desktop_app.ui.tasks import Lane


class Stop(Exception):
    """What work raises when the lane interrupts it."""


class Interruptible:
    """Work that waits until the test lets it go or the lane interrupts it."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.interrupted = threading.Event()
        self.interrupts = 0

    def interrupt(self) -> None:
        self.interrupts += 1
        self.interrupted.set()

    def wait(self, result: Any = "held") -> Any:
        self.started.set()
        while not self.release.wait(0.01):
            if self.interrupted.is_set():
                self.interrupted.clear()
                raise Stop
        return result


@pytest.fixture
def held() -> Interruptible:
    return Interruptible()


@pytest.fixture
def lane(held: Interruptible) -> Iterator[Lane]:
    lane = Lane("test-lane", interrupt=held.interrupt, superseded=Stop)
    yield lane
    held.release.set()
    lane.shutdown()


def test_queued_work_of_an_older_epoch_never_runs(qtbot, lane: Lane, held: Interruptible) -> None:  # type: ignore[no-untyped-def]
    ran: list[str] = []
    shown: list[Any] = []
    lane.run(lambda: held.wait() and None, shown.append)  # occupies the thread, never superseded
    assert held.started.wait(10)
    old = lane.epoch
    lane.run_latest(old, lambda: ran.append("old"), shown.append)
    new = lane.new_epoch()  # interrupts the held work too: it runs again
    held.release.set()
    lane.run_latest(new, lambda: "new", shown.append)
    qtbot.waitUntil(lambda: "new" in shown)
    assert ran == [] and shown == [None, "new"]


def test_running_work_of_an_older_epoch_is_interrupted_and_not_shown(
        qtbot, lane: Lane, held: Interruptible) -> None:  # type: ignore[no-untyped-def]
    shown: list[Any] = []
    failed: list[str] = []
    lane.sig_failed.connect(failed.append)
    lane.run_latest(lane.epoch, lambda: held.wait("old"), shown.append)
    assert held.started.wait(10)
    new = lane.new_epoch()
    assert held.interrupts == 1
    lane.run_latest(new, lambda: "new", shown.append)
    qtbot.waitUntil(lambda: bool(shown))
    assert shown == ["new"] and failed == []  # being superseded is no failure


def test_a_late_answer_of_an_older_epoch_is_dropped(qtbot, held: Interruptible) -> None:  # type: ignore[no-untyped-def]
    lane = Lane("test-lane")  # nothing to interrupt: the old work ends, late
    shown: list[Any] = []
    try:
        lane.run_latest(lane.epoch, lambda: held.wait("old"), shown.append)
        assert held.started.wait(10)
        new = lane.new_epoch()
        held.release.set()
        lane.run_latest(new, lambda: "new", shown.append)
        qtbot.waitUntil(lambda: bool(shown))
        assert shown == ["new"]
    finally:
        held.release.set()
        lane.shutdown()


def test_work_of_no_epoch_runs_again_when_an_interrupt_hits_it(
        qtbot, lane: Lane, held: Interruptible) -> None:  # type: ignore[no-untyped-def]
    shown: list[Any] = []
    attempts: list[None] = []

    def names() -> str:
        attempts.append(None)
        if len(attempts) == 1:
            return held.wait("first")  # interrupted below: must run again
        return "names"

    lane.run(names, shown.append)
    assert held.started.wait(10)
    lane.new_epoch()
    qtbot.waitUntil(lambda: bool(shown))
    assert shown == ["names"] and len(attempts) == 2


def test_a_failure_is_reported_not_shown(qtbot, lane: Lane) -> None:  # type: ignore[no-untyped-def]
    shown: list[Any] = []

    def broken() -> None:
        raise ValueError("disk I/O error")

    with qtbot.waitSignal(lane.sig_failed) as failed:
        lane.run_latest(lane.epoch, broken, shown.append)
    assert failed.args == ["disk I/O error"] and shown == []


def test_a_failure_of_an_older_epoch_is_dropped_too(qtbot, held: Interruptible) -> None:  # type: ignore[no-untyped-def]
    failed: list[str] = []
    shown: list[Any] = []

    def broken() -> None:
        held.wait()
        raise ValueError("late")

    quiet = Lane("quiet-lane")  # its new epoch interrupts nothing
    quiet.sig_failed.connect(failed.append)
    try:
        quiet.run_latest(quiet.epoch, broken, shown.append)
        assert held.started.wait(10)
        new = quiet.new_epoch()
        held.release.set()
        quiet.run_latest(new, lambda: "new", shown.append)
        qtbot.waitUntil(lambda: bool(shown))
        assert shown == ["new"] and failed == []
    finally:
        held.release.set()
        quiet.shutdown()
