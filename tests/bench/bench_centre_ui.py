"""Benchmark: the 137 operator's call form and queue on a 1,000,000-request office.

Not collected by pytest (no ``test_`` prefix).  Run::

    .venv/bin/python tests/bench/bench_centre_ui.py [--rows 1000000] [--db DIR] [--calls 10]

It builds the office database with ``bench_ui``'s builder (or reuses ``--db DIR``),
makes it the centre's office (enrolled with every district), and drives the real
pages from the keyboard, as an operator with a caller on the line:

* keystrokes for a typical call: phone, a few letters of the problem and the place,
  a short address and what the caller says, Tab between them, Enter (target < 60);
* from Enter to the tracking code on screen (target < 1 s on 1M requests);
* from the last digit of the phone number to the caller's history on screen, and
  from Tab out of the place to the possible duplicates on screen;
* the verification queue's first rows, and a bulk referral of 500 from it.

It prints numbers and never fails on them: machines differ (and this one is shared).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.bench_ui import database

#: A typical call, as typed: (what, keys); "\t" is Tab, "\n" Enter.
TYPICAL_CALL = (
    ("phone", "09131234567"),
    ("tab", "\t"),
    ("problem: 3 letters of «جمع‌آوری زباله»", "زبا"),
    ("tab", "\t"),
    ("place: 3 letters of «سبزه‌میدان»", "سبز"),
    ("tab", "\t"),
    ("address", "کوچه ۱۲ پلاک ۴"),
    ("tab", "\t"),
    ("what the caller says", "زباله دو روز مانده"),
    ("enter", "\n"),
)


def enrol_as_centre(folder: Path) -> None:
    from desktop_app.services.sync_service import OFFICE
    from desktop_app.store import models as m
    from desktop_app.store.db import open_store
    from sync.protocol import OfficeInfo

    store = open_store(folder)
    with store.sessions.begin() as session:
        if session.get(m.SyncState, OFFICE) is None:
            info = OfficeInfo(office_id=uuid.uuid4(), name="مرکز ۱۳۷", number=1, districts=[],
                              all_districts=True)
            session.add(m.SyncState(key=OFFICE, value=info.model_dump(mode="json")))
    store.close()


def run(folder: Path, calls: int) -> None:
    from PySide6.QtCore import (
        QCoreApplication,
        QEvent,
        QEventLoop,
        QItemSelection,
        QItemSelectionModel,
        QSettings,
        Qt,
    )
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from desktop_app.services.centre import CentreDesk
    from desktop_app.services.requests import Actor
    from desktop_app.store.db import open_store
    from desktop_app.ui.call_form import CallPage
    from desktop_app.ui.context import AppContext, Bus
    from desktop_app.ui.i18n import Translations, load_fonts
    from desktop_app.ui.queue_page import QueuePageWidget
    from desktop_app.ui.tasks import TaskRunner
    from sync.workflow import Role

    settings = tempfile.mkdtemp(prefix="daftar-bench-settings-")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, settings)
    if QApplication.instance() is None:
        QApplication([])
    load_fonts()
    translations = Translations()
    translations.apply("fa")
    store = open_store(folder)
    actor = Actor(username="operator", role=Role.CENTRE, display_name="اپراتور", office_number=1)
    tasks = TaskRunner()
    ctx = AppContext(store=store, actor=actor, desk=CentreDesk(store.sessions, actor), tasks=tasks,
                     bus=Bus(), language="fa")

    def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> float:
        started = time.perf_counter()
        while not condition():
            if time.perf_counter() - started > timeout:
                raise TimeoutError("the page did not answer")
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 5)
        return (time.perf_counter() - started) * 1000

    print(f"\nload average of this machine (1, 5, 15 min): {os.getloadavg()}")
    page = CallPage(ctx)
    page.resize(1200, 700)
    page.show()
    page.activateWindow()
    wait_for(lambda: page._names is not None)
    wait_for(page.isActiveWindow)

    def press(text: str) -> None:
        widget = QApplication.focusWidget()
        assert widget is not None
        if text == "\t":
            QTest.keyClick(widget, Qt.Key.Key_Tab)
        elif text == "\n":
            QTest.keyClick(widget, Qt.Key.Key_Return)
        else:
            QApplication.sendEvent(widget, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_unknown,
                                                     Qt.KeyboardModifier.NoModifier, text))

    enter_ms: list[float] = []
    history_ms: list[float] = []
    duplicates_ms: list[float] = []
    strokes = sum(len(keys) for _, keys in TYPICAL_CALL)
    for n in range(calls):
        page.new_call()
        wait_for(lambda: QApplication.focusWidget() is page.field("citizen_phone"))
        codes_before = page.last_code
        steps = list(TYPICAL_CALL)
        while steps:
            what, keys = steps.pop(0)
            if what == "enter":
                started = time.perf_counter()
                press(keys)
                # On screen: the code's label shows the new code, and is painted.
                wait_for(lambda before=codes_before: page.last_code != before and page.shown_code() != "")
                page.repaint()
                enter_ms.append((time.perf_counter() - started) * 1000)
            elif what == "phone":
                phone = f"0913{n:07d}"  # a caller of their own each time
                for ch in phone[:-1]:
                    press(ch)
                    QCoreApplication.processEvents()
                seen: list[float] = []
                page.sig_history.connect(lambda _found, seen=seen: seen.append(time.perf_counter()))
                started = time.perf_counter()
                press(phone[-1])
                wait_for(lambda seen=seen: bool(seen))
                page.sig_history.disconnect()
                history_ms.append((seen[0] - started) * 1000)
            elif what.startswith("place"):
                for ch in keys:
                    press(ch)
                    QCoreApplication.processEvents()
                # The Tab out of the place: the pause, then the duplicates on screen.
                _tab, tab = steps.pop(0)
                shown: list[float] = []
                page.sig_duplicates.connect(
                    lambda _found, shown=shown: shown.append(time.perf_counter())
                    if all(page._duplicates_asked) else None)
                started = time.perf_counter()
                press(tab)
                wait_for(lambda shown=shown: bool(shown))
                page.sig_duplicates.disconnect()
                duplicates_ms.append((shown[0] - started) * 1000)
            else:
                for ch in keys:
                    press(ch)
                    QCoreApplication.processEvents()

    def line(label: str, values: list[float]) -> None:
        print(f"  {label:44s} median {statistics.median(values):8.1f}   worst {max(values):8.1f}"
              f"   (n={len(values)})")

    print(f"\nthe call form on {count(store):,} requests (ms):")
    print(f"  keystrokes for a typical call                {strokes} (target < 60)")
    for what, keys in TYPICAL_CALL:
        print(f"      {len(keys):3d}  {what}")
    line("Enter to the tracking code on screen", enter_ms)
    line("last phone digit to the caller's history", history_ms)
    line("Tab out of the place to the duplicates", duplicates_ms)
    print("  (the duplicates wait a 250 ms pause first, so a burst of typing asks once)")
    page.close()

    queue = QueuePageWidget(ctx)
    queue.resize(1200, 700)
    started = time.perf_counter()
    queue.show()
    loaded: list[float] = []
    queue.sig_loaded.connect(lambda: loaded.append(time.perf_counter()))
    wait_for(lambda: bool(loaded))
    print(f"\nthe verification queue ({queue._page.total:,} waiting; ms):")
    print(f"  from opening to the first rows               {(loaded[0] - started) * 1000:8.1f}")
    rows = min(500, queue.model.rowCount())
    selection = QItemSelection(queue.model.index(0, 0), queue.model.index(rows - 1, 0))
    queue.table.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                        | QItemSelectionModel.SelectionFlag.Rows)
    done: list[float] = []
    queue.sig_done.connect(lambda _what: done.append(time.perf_counter()))
    reloads = len(loaded)
    started = time.perf_counter()
    queue.refer_selected()
    wait_for(lambda: bool(done))
    referred = (done[0] - started) * 1000
    wait_for(lambda: len(loaded) > reloads)
    print(f"  bulk referral of {rows} (one transaction)        {referred:8.1f}")
    print(f"  ... and the queue read again after it       {(loaded[-1] - started) * 1000:8.1f}")
    print(f"\nload average of this machine (1, 5, 15 min): {os.getloadavg()}")
    queue.close()
    tasks.shutdown()
    store.close()
    translations.remove()
    shutil.rmtree(settings, ignore_errors=True)


def count(store) -> int:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    with store.engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM requests")).scalar_one()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="folder to build in or reuse")
    parser.add_argument("--keep", action="store_true", help="keep a temporary database")
    parser.add_argument("--calls", type=int, default=10)
    args = parser.parse_args()
    folder = database(args.rows, args.db)
    try:
        enrol_as_centre(folder)
        run(folder, args.calls)
    finally:
        if not args.db and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
