"""The composition root's start-up: opening the office database before the window."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from desktop_app import app as app_module
from desktop_app.store.db import DB_NAME, MIGRATIONS, open_store
from desktop_app.ui.i18n import Translations
from sync import migrate


@pytest.fixture(autouse=True)
def english_afterwards(qapp):  # type: ignore[no-untyped-def]
    """The start-up dialogs switch the whole application's language (locale,
    direction); leave it as the tests that follow expect it."""
    yield
    Translations().apply("en")


def _older_office(folder: Path) -> None:
    """An office database one revision behind this version's."""
    open_store(folder).close()
    engine = sa.create_engine(f"sqlite:///{folder / DB_NAME}")
    try:
        command.downgrade(migrate.config_for(MIGRATIONS, engine), "-1")
    finally:
        engine.dispose()


def _revision(folder: Path) -> str | None:
    engine = sa.create_engine(f"sqlite:///{folder / DB_NAME}")
    try:
        return migrate.current_revision(engine)
    finally:
        engine.dispose()


def _boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    return shown


def test_an_upgrade_runs_behind_a_progress_dialog_and_finishes(
        qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _older_office(tmp_path)
    assert app_module.needs_upgrade(tmp_path)
    real_open = app_module.open_store

    looked = threading.Event()

    def slow_open(folder: Path):  # a big office: the upgrade lasts until the GUI has looked
        assert looked.wait(30), "the GUI thread did not run while the worker worked"
        return real_open(folder)

    monkeypatch.setattr(app_module, "open_store", slow_open)
    seen: list[str] = []

    def look() -> None:
        seen.extend(w.labelText() for w in QApplication.topLevelWidgets()
                    if isinstance(w, QProgressDialog) and w.isVisible())
        looked.set()

    QTimer.singleShot(250, look)  # while the worker waits, the GUI thread still runs
    assert app_module.open_with_progress(tmp_path, "en") is True
    assert seen and "Updating the office database" in seen[0]
    assert not app_module.needs_upgrade(tmp_path)
    assert _revision(tmp_path) == migrate.head_revision(MIGRATIONS)
    assert list(tmp_path.glob(f"{DB_NAME}.bak-*")), "the copy kept before the upgrade"


def test_an_up_to_date_office_opens_without_a_dialog(
        qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    open_store(tmp_path).close()
    shown = _boxes(monkeypatch)
    monkeypatch.setattr(QProgressDialog, "show", lambda _d: pytest.fail("no progress needed"))
    assert app_module.open_with_progress(tmp_path, "fa") is True
    assert shown == []


def test_a_newer_versions_database_is_explained_in_persian_and_left_alone(
        qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    open_store(tmp_path).close()
    engine = sa.create_engine(f"sqlite:///{tmp_path / DB_NAME}")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    engine.dispose()
    assert not app_module.needs_upgrade(tmp_path), "nothing this version can upgrade"
    shown = _boxes(monkeypatch)
    monkeypatch.setattr(QProgressDialog, "show", lambda _d: pytest.fail("no upgrade to show"))
    assert app_module.open_with_progress(tmp_path, "fa") is False
    assert len(shown) == 1 and "نسخهٔ جدیدتر" in shown[0], shown
    assert _revision(tmp_path) == "ffffffffffff"


def test_run_gui_stops_when_the_database_cannot_be_opened(
        qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    (tmp_path / DB_NAME).write_bytes(b"this is not a database, but it is not empty either")
    shown = _boxes(monkeypatch)
    monkeypatch.setattr(app_module, "build_app", lambda *a, **k: pytest.fail("no window"))
    assert app_module.run_gui(argparse.Namespace(data_dir=tmp_path, lang="en")) == 1
    assert len(shown) == 1 and "could not be opened" in shown[0]
    assert (tmp_path / DB_NAME).read_bytes().startswith(b"this is not a database")


def test_indexes_a_crashed_first_sync_left_are_made_behind_a_progress_dialog(
        qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.store.db import suspend_indexes

    store = open_store(tmp_path)
    with store.engine.begin() as conn:
        suspend_indexes(conn, ("requests", "events"))  # and then the power went
    store.close()
    assert app_module.needs_indexes(tmp_path) and not app_module.needs_upgrade(tmp_path)
    seen: list[str] = []
    monkeypatch.setattr(QProgressDialog, "show", lambda d: seen.append(d.labelText()))
    assert app_module.open_with_progress(tmp_path, "en") is True
    assert seen and "first sync was interrupted" in seen[0]
    assert not app_module.needs_indexes(tmp_path)


def test_a_second_window_on_the_same_folder_says_the_office_is_open_and_stops(
        qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    first = app_module.claim_folder(tmp_path, "fa")
    assert first is not None
    shown = _boxes(monkeypatch)
    monkeypatch.setattr(app_module, "first_run", lambda *a: pytest.fail("no second window"))
    monkeypatch.setattr(app_module, "build_app", lambda *a, **k: pytest.fail("no second window"))
    assert app_module.run_gui(argparse.Namespace(data_dir=tmp_path, lang="fa")) == 0
    assert len(shown) == 1 and "باز است" in shown[0]
    first.unlock()
    again = app_module.claim_folder(tmp_path, "fa")  # the first window has closed
    assert again is not None and len(shown) == 1
    again.unlock()
    assert not (tmp_path / app_module.LOCK_NAME).exists()


def test_the_lock_of_a_daftar_that_crashed_is_taken_over(qtbot, tmp_path: Path) -> None:
    import subprocess
    import sys

    crashed = ("import os, sys\n"
               "from PySide6.QtCore import QLockFile\n"
               "lock = QLockFile(sys.argv[1]); lock.setStaleLockTime(0)\n"
               "assert lock.tryLock(0)\n"
               "os._exit(9)  # no unlock: the power went\n")
    subprocess.run([sys.executable, "-c", crashed, str(tmp_path / app_module.LOCK_NAME)],
                   check=False, timeout=60)
    assert (tmp_path / app_module.LOCK_NAME).exists()
    lock = app_module.claim_folder(tmp_path, "en")
    assert lock is not None
    lock.unlock()
