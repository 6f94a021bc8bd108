"""Composition root of the office app: the one place that builds everything and
wires it together — Qt application, font, language, the office's data folder, who
is working, and the main window.

``run_gui(args)`` is what ``daftar`` without a sub-command calls.  Tests and the
benchmark call :func:`build_app` instead: the same construction without an event
loop of its own, with the signed-in person and the sync engine handed in.
"""

from __future__ import annotations

import argparse
import gc
import logging
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from PySide6.QtCore import QCoreApplication, QEventLoop, QLockFile, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QApplication, QDialog, QLabel, QMessageBox, QProgressDialog,
)

from desktop_app.services.centre import CentreDesk, is_centre_office
from desktop_app.services.requests import Actor, Desk
from desktop_app.services.users import actor_for
from desktop_app.store import models as m
from desktop_app.store.backup import daily_backup
from desktop_app.store.db import (
    DB_NAME, MIGRATIONS, NewerDatabaseError, Store, default_data_dir, open_store,
    set_aside_waiting,
)
from desktop_app.ui.context import AppContext, Bus
from desktop_app.ui.i18n import (
    APPLICATION, ORGANIZATION, Translations, load_fonts, saved_language,
)
from desktop_app.ui.first_run import Choice, FirstRunDialog
from desktop_app.ui.login import LoginDialog
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.sync_controller import SyncBackend, default_backend
from desktop_app.ui.tasks import TaskRunner
from sync import migrate
from sync.paths import resource_path
from sync.workflow import Role

log = logging.getLogger(__name__)


@dataclass
class RunningApp:
    """Everything :func:`build_app` made, to show, drive in tests and close."""

    qapp: QApplication
    translations: Translations
    store: Store
    tasks: TaskRunner
    ctx: AppContext
    window: MainWindow

    def close(self) -> None:
        """Close the window (it saves its layout), then stop the threads and let go
        of the database — in that order, so no task outlives its store."""
        self.window.close()
        self.tasks.shutdown()
        self.store.close()
        self.translations.remove()


def application() -> QApplication:
    """The process's QApplication, made once, with the names QSettings uses."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    icon = resource_path("icons/daftar.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def office_actor(store: Store, user: m.User) -> Actor:
    """The signed-in user as the actor of every change, with the office's identity
    from enrolment (office number 0 before enrolment or without sync, as in the demo)."""
    identity = None
    sync_service = default_backend()
    if sync_service is not None:
        identity = sync_service.office_identity(store)  # type: ignore[attr-defined]
    if identity is None:
        return actor_for(user)
    return actor_for(user, office_id=identity.office_id, office_number=identity.number)


def sign_in(store: Store, tasks: TaskRunner) -> Actor | None:
    """Ask who is working (or, on the first start, for the manager's account)."""
    dialog = LoginDialog(store, tasks)
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.user is None:
        return None
    return office_actor(store, dialog.user)


def build_app(data_dir: Path | str | None, *, language: str = "fa", actor: Actor | None = None,
              sync_backend: SyncBackend | None = None, use_default_sync: bool = True,
              ) -> RunningApp | None:
    """Build the whole app without running its event loop.

    With no ``actor`` the login dialog asks (and runs a modal loop of its own);
    ``None`` comes back when the person closes it.  ``sync_backend`` replaces the
    real sync engine (tests); ``use_default_sync=False`` runs with none at all.
    """
    qapp = application()
    load_fonts()
    translations = Translations()
    translations.apply(language)
    store = open_store(data_dir)
    tasks = TaskRunner()
    if actor is None:
        actor = sign_in(store, tasks)
        if actor is None:
            tasks.shutdown()
            store.close()
            return None
    # A centre user's desk also makes the centre's moves (it refuses them anywhere
    # but at the centre's office).
    desk_class = CentreDesk if actor.role is Role.CENTRE else Desk
    ctx = AppContext(store=store, actor=actor, desk=desk_class(store.sessions, actor), tasks=tasks,
                     bus=Bus(), language=language)
    # Read once, before the window, as the store opens (not in the window's
    # constructor): the centre's office offers the centre's pages.
    window = MainWindow(ctx, translations, centre_office=is_centre_office(store),
                        sync_backend=sync_backend, use_default_sync=use_default_sync)
    # The day's backup, off the GUI thread: consistent even while sync writes.
    tasks.run_db(lambda: daily_backup(store.folder),
                 on_error=lambda error: log.warning("the daily backup failed: %s", error))
    # What exists now lives as long as the app.  A full garbage collection holds
    # the GIL whichever thread runs it, and walking these objects stalled the
    # window by up to 150 ms on the million-request bench: leave them out.
    gc.freeze()
    return RunningApp(qapp, translations, store, tasks, ctx, window)


def first_run(folder: Path, language: str) -> Choice | None:
    """A data folder with no office database yet: the wizard (join the centre, or
    the demo).  ``None`` when the person quits."""
    load_fonts()
    translations = Translations()
    translations.apply(language)
    store = open_store(folder)
    tasks = TaskRunner()
    try:
        dialog = FirstRunDialog(store, tasks)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.choice
    finally:
        tasks.shutdown()
        store.close()
        translations.remove()


def _forget(folder: Path) -> None:
    """Remove the empty database a wizard that ended without enrolling made."""
    for name in (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm"):
        (folder / name).unlink(missing_ok=True)


def _tr(text: str) -> str:
    return QCoreApplication.translate("Startup", text)


def needs_upgrade(folder: Path) -> bool:
    """Whether the office database in ``folder`` is of an older schema than this
    version's: opening it will back it up and migrate it, which takes a while on a
    big office (a million requests: the copy and the new indexes, tens of seconds).
    A file that is no database says so when it is opened, not here."""
    engine = sa.create_engine(f"sqlite:///{folder / DB_NAME}")
    try:
        current = migrate.current_revision(engine)
        return (current != migrate.head_revision(MIGRATIONS)
                and migrate.is_known_revision(MIGRATIONS, current))  # not a newer one
    except sa.exc.DatabaseError:
        return False
    finally:
        engine.dispose()


def needs_indexes(folder: Path) -> bool:
    """Whether a first sync stopped by a crash left indexes set aside, which
    opening makes again (:func:`desktop_app.store.db.open_store`): on a big office,
    as long as an upgrade."""
    engine = sa.create_engine(f"sqlite:///{folder / DB_NAME}")
    try:
        return set_aside_waiting(engine)
    except (sa.exc.DatabaseError, sqlite3.DatabaseError):  # no database at all
        return False
    finally:
        engine.dispose()


def open_with_progress(folder: Path, language: str) -> bool:
    """Open the office database once before the window is built, so that what
    can take long or go wrong is shown to the person instead of freezing a blank
    screen or dying on a console nobody sees: an upgrade after an app update, or the
    indexes a crashed first sync left to make, run off the GUI thread behind a
    progress dialog, and a database this version cannot
    open (a newer Daftar's, a damaged file) is explained in a message box.

    Returns whether the database is ready; the window then opens it again, at once."""
    load_fonts()
    translations = Translations()
    translations.apply(language)
    tasks = TaskRunner()
    try:
        failure: list[BaseException] = []
        loop = QEventLoop()

        def failed(exc: BaseException) -> None:
            failure.append(exc)  # shown to the person below
            loop.quit()

        exists = (folder / DB_NAME).exists()
        if exists and needs_upgrade(folder):
            work_text = _tr("Updating the office database for this version of Daftar. "
                            "A copy of it is kept first. This happens once and can take "
                            "a few minutes on a large office; please do not turn the "
                            "computer off.")
        elif exists and needs_indexes(folder):
            work_text = _tr("Finishing the office database: its first sync was interrupted "
                            "before the lists were indexed. This can take a few minutes on "
                            "a large office; please do not turn the computer off.")
        else:
            work_text = None
        if work_text is not None:
            progress = QProgressDialog("", "", 0, 0)
            label = QLabel(work_text)
            label.setWordWrap(True)
            progress.setLabel(label)
            progress.setMinimumWidth(480)
            progress.setWindowTitle(_tr("Daftar"))
            progress.setCancelButton(None)  # stopping midway helps nobody
            progress.setWindowModality(Qt.WindowModality.ApplicationModal)
            progress.setMinimumDuration(0)
            progress.show()
        # The answer comes back through the loop, so it cannot come before it runs.
        tasks.run_db(lambda: open_store(folder).close(), on_done=lambda _: loop.quit(),
                     on_error=failed)
        loop.exec()
        if work_text is not None:
            progress.close()
        if not failure:
            return True
        error = failure[0]
        if isinstance(error, NewerDatabaseError):
            text = _tr("This office's data was written by a newer version of Daftar. "
                       "Install that version (or a newer one) to open it. Nothing was changed.")
        else:
            text = _tr("The office database could not be opened. Nothing was changed. "
                       "Restore the latest backup from the data folder, or ask for help "
                       "with the details below.")
        log.error("could not open the office database in %s", folder, exc_info=error)
        box = QMessageBox(QMessageBox.Icon.Critical, _tr("Daftar"), text)
        box.setDetailedText(f"{folder}\n{type(error).__name__}: {error}")
        box.exec()
        return False
    finally:
        tasks.shutdown()
        translations.remove()


#: The file that says a window has a data folder open (see :func:`claim_folder`).
LOCK_NAME = "daftar.lock"


def claim_folder(folder: Path, language: str) -> QLockFile | None:
    """One window per data folder.  A second one would sign in beside the first,
    print the same day twice, and race it for sync; so it says the office is open
    already and stops.  The lock is the process's while it lives: a lock left by a
    Daftar that crashed names a process that is gone, and is taken over.  Command
    line tools (``daftar sync``, ``report``) do not take it: SQLite's own locking
    lets them work beside the window."""
    folder.mkdir(parents=True, exist_ok=True)
    lock = QLockFile(str(folder / LOCK_NAME))
    lock.setStaleLockTime(0)  # never stale by age: an office keeps its window open all day
    if lock.tryLock(0):
        return lock
    load_fonts()
    translations = Translations()
    translations.apply(language)
    try:
        box = QMessageBox(QMessageBox.Icon.Information, _tr("Daftar"),
                          _tr("Daftar is already open for this office on this computer. "
                              "Use its window (look for it on the taskbar)."))
        box.setDetailedText(str(folder))
        box.exec()
    finally:
        translations.remove()
    return None


def run_gui(args: argparse.Namespace) -> int:
    """``daftar [--data-dir DIR] [--lang fa|en]``: on the first run the wizard, then
    sign in, then the main window until it closes.  Returns the exit code."""
    qapp = application()
    language = args.lang or saved_language()
    folder = Path(args.data_dir) if args.data_dir else default_data_dir()
    lock = claim_folder(folder, language)
    if lock is None:
        return 0  # the office is open in another window: that one carries on
    try:
        return _run_window(qapp, folder, language)
    finally:
        lock.unlock()


def _run_window(qapp: QApplication, folder: Path, language: str) -> int:
    if not (folder / DB_NAME).exists():
        choice = first_run(folder, language)
        if choice is None:
            _forget(folder)  # ask again next time
            return 0
        if choice is Choice.DEMO:
            from desktop_app import cli
            from desktop_app.demo import run_demo

            _forget(folder)  # the demo has its own folder
            return run_demo(argparse.Namespace(data_dir=None, requests=cli.DEMO_REQUESTS,
                                               no_window=False, lang=language))
    if not open_with_progress(folder, language):
        return 1
    running = build_app(folder, language=language)
    if running is None:
        return 0  # the person chose not to sign in
    running.window.show()
    try:
        return qapp.exec()
    finally:
        running.close()
