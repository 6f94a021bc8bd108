"""The first-run wizard: join the centre, or the demo; a centre out of reach is
explained, and what was typed stays for the next try."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop_app.store.db import open_store
from desktop_app.ui.first_run import Choice, FirstRunDialog
from desktop_app.ui.tasks import TaskRunner
from sync.client.errors import SyncError, TransientError


@pytest.fixture
def parts(qtbot, tmp_path: Path):
    store = open_store(tmp_path / "office")
    tasks = TaskRunner()
    yield store, tasks
    tasks.shutdown()
    store.close()


def _type_in(dialog: FirstRunDialog, url: str, code: str) -> None:
    dialog._url.setText(url)
    dialog._code.setText(code)


def test_join_needs_an_address_and_a_code(qtbot, parts) -> None:
    dialog = FirstRunDialog(*parts)
    qtbot.addWidget(dialog)
    assert not dialog._go.isEnabled()
    _type_in(dialog, "https://137.kashan.ir", "ABCD-EFGH-JKMN-PQRS")
    assert dialog._go.isEnabled()


def test_a_centre_out_of_reach_is_explained_and_the_form_kept(qtbot, parts) -> None:
    def unreachable(store, url, code, insecure):
        raise TransientError("network", "the centre cannot be reached: connection refused")

    dialog = FirstRunDialog(*parts, enroll=unreachable)
    qtbot.addWidget(dialog)
    _type_in(dialog, "https://137.kashan.ir", "ABCD-EFGH-JKMN-PQRS")
    qtbot.mouseClick(dialog._go, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cannot be reached" in dialog._status.text())
    assert dialog.result() == 0 and dialog.choice is None
    assert dialog._url.text() == "https://137.kashan.ir" and dialog._go.isEnabled()


def test_a_centre_that_stops_guessing_says_to_wait(qtbot, parts) -> None:
    def refused(store, url, code, insecure):
        raise SyncError("too_many_attempts", "too many enrolment attempts from this address")

    dialog = FirstRunDialog(*parts, enroll=refused)
    qtbot.addWidget(dialog)
    _type_in(dialog, "https://137.kashan.ir", "ABCD-EFGH-JKMN-PQRS")
    qtbot.mouseClick(dialog._go, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Wait a few minutes" in dialog._status.text())
    assert dialog._code.text() == "ABCD-EFGH-JKMN-PQRS" and dialog._go.isEnabled()


def test_the_real_enrolment_path_reports_an_unreachable_centre(qtbot, parts) -> None:
    dialog = FirstRunDialog(*parts)
    qtbot.addWidget(dialog)
    _type_in(dialog, "http://127.0.0.1:9", "ABCD-EFGH-JKMN-PQRS")  # nothing listens on port 9
    qtbot.mouseClick(dialog._go, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cannot be reached" in dialog._status.text(), timeout=30000)


def test_an_insecure_address_says_what_to_do(qtbot, parts) -> None:
    dialog = FirstRunDialog(*parts)
    qtbot.addWidget(dialog)
    _type_in(dialog, "http://137.kashan.ir", "ABCD-EFGH-JKMN-PQRS")
    qtbot.mouseClick(dialog._go, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "https://" in dialog._status.text())


def test_enrolled_or_demo_closes_the_wizard_with_the_choice(qtbot, parts) -> None:
    dialog = FirstRunDialog(*parts, enroll=lambda store, url, code, insecure: "identity")
    qtbot.addWidget(dialog)
    _type_in(dialog, "https://137.kashan.ir", "ABCD-EFGH-JKMN-PQRS")
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog._go, Qt.MouseButton.LeftButton)
    assert dialog.choice is Choice.ENROLLED and dialog.identity == "identity"

    demo = FirstRunDialog(*parts)
    qtbot.addWidget(demo)
    demo._demo.setChecked(True)
    assert demo._go.isEnabled()
    with qtbot.waitSignal(demo.accepted):
        qtbot.mouseClick(demo._go, Qt.MouseButton.LeftButton)
    assert demo.choice is Choice.DEMO


def test_a_fresh_data_folder_opens_the_wizard_and_quitting_leaves_nothing(
        qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app import app as app_module
    from desktop_app.store.db import DB_NAME

    seen: list[FirstRunDialog] = []

    def quit_wizard() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, FirstRunDialog) and widget.isVisible():
                seen.append(widget)
                widget.reject()

    poll = QTimer()
    poll.timeout.connect(quit_wizard)
    poll.start(20)
    monkeypatch.setattr(app_module, "sign_in", lambda store, tasks: pytest.fail("no sign-in before enrolment"))
    try:
        assert app_module.run_gui(argparse.Namespace(data_dir=tmp_path / "fresh", lang="en")) == 0
    finally:
        poll.stop()
    assert len(seen) == 1
    assert not (tmp_path / "fresh" / DB_NAME).exists()
