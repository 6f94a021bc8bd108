"""Printing work orders from the window: from the request form, for a selection and
for a crew's day; the PDF opens in the viewer and each request printed gets its
"work order issued" event.  A long batch shows its progress, leaves the desk usable
and can be cancelled, leaving no file and no event."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox, QMessageBox, QProgressDialog, QPushButton, QTextBrowser, QWidget,
)

from desktop_app.store import models as m
from desktop_app.store.db import Store
from desktop_app.ui.context import AppContext
from desktop_app.services import printing
from desktop_app.ui import print_actions
from desktop_app.ui.print_actions import CrewDayDialog, print_crew_day, print_work_orders
from desktop_app.ui.request_form import RequestForm
from desktop_app.ui.widgets.jalali import JalaliDateEdit
from sync.workflow import EventKind
from tests.desktop_app.ui.forms_support import MakeContext, ctx, make_ctx, store
from tests.factories import CREW_A, CREW_B, SUPERVISOR, make_request

__all__ = ["ctx", "make_ctx", "store"]  # fixtures used by name


class Viewer(QObject):
    """Stands in for the system's PDF viewer: keeps what it was asked to open."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[Path] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.paths.append(Path(url.toLocalFile()))


@pytest.fixture
def viewer() -> Iterator[Viewer]:
    shown = Viewer()
    QDesktopServices.setUrlHandler("file", shown, "open")
    yield shown
    QDesktopServices.unsetUrlHandler("file")
    for path in shown.paths:
        path.unlink(missing_ok=True)


def issued(store: Store) -> list[tuple[uuid.UUID, str]]:
    with store.sessions() as session:
        return list(session.execute(
            sa.select(m.Event.request_id, m.Event.actor)
            .where(m.Event.kind == EventKind.WORK_ORDER_ISSUED.value)).all())


def pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def test_print_from_the_request_form(qtbot, make_ctx: MakeContext, store: Store,
                                     viewer: Viewer) -> None:
    ctx = make_ctx(SUPERVISOR)
    request = make_request(store, status="assigned", crew_id=CREW_A)
    form = RequestForm(ctx, request.id)
    qtbot.addWidget(form)
    form.show()
    with qtbot.waitSignal(form.sig_loaded):
        pass

    with qtbot.waitSignal(form.sig_loaded):  # the form redraws with the new event
        qtbot.mouseClick(form.findChild(QPushButton, "printWorkOrder"), Qt.MouseButton.LeftButton)

    (path,) = viewer.paths
    assert path.name.startswith("work-orders-") and path.read_bytes().startswith(b"%PDF")
    assert issued(store) == [(request.id, SUPERVISOR.username)]
    assert "Work order printed" in form.findChild(QTextBrowser, "history").toPlainText()


def test_print_a_selection_as_one_pdf(qtbot, ctx: AppContext, store: Store,
                                      viewer: Viewer) -> None:
    requests = [make_request(store, status="assigned", crew_id=CREW_A) for _ in range(3)]
    with qtbot.waitSignal(ctx.bus.sig_changed) as changed:
        print_work_orders(ctx, [r.id for r in requests])
    assert changed.args[0].request_ids == [r.id for r in requests]
    (path,) = viewer.paths
    assert pdf_pages(path) == 3  # one work order a page
    assert sorted(issued(store)) == sorted((r.id, ctx.actor.username) for r in requests)


def test_a_failed_print_records_nothing_and_says_so(qtbot, ctx: AppContext, store: Store,
                                                    viewer: Viewer) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    with qtbot.assertNotEmitted(ctx.bus.sig_changed):
        print_work_orders(ctx, [uuid.uuid4()], window)
        qtbot.waitUntil(lambda: window.findChild(QMessageBox, "printMessage") is not None)
    message = window.findChild(QMessageBox, "printMessage")
    assert message.text() == ("Nothing was printed. "
                              "This request is no longer in the office's database.")
    assert viewer.paths == [] and issued(store) == []


def test_a_crews_day_sheet(qtbot, make_ctx: MakeContext, store: Store, viewer: Viewer) -> None:
    ctx = make_ctx(SUPERVISOR)
    mine = [make_request(store, status=s, crew_id=CREW_B) for s in ("assigned", "in_progress")]
    make_request(store, status="done", crew_id=CREW_B)  # finished: not on the sheet
    make_request(store, status="assigned", crew_id=CREW_A)  # another crew's
    window = QWidget()
    qtbot.addWidget(window)

    dialog = print_crew_day(ctx, window)
    assert isinstance(dialog, CrewDayDialog) and dialog.isVisible()
    with qtbot.waitSignal(dialog.sig_loaded):
        pass
    crew = dialog.findChild(QComboBox, "crew")
    crew.setCurrentIndex(crew.findData(str(CREW_B)))
    dialog.findChild(JalaliDateEdit, "day").set_day(dt.date.today())
    paper = dialog.findChild(QComboBox, "paper")
    paper.setCurrentIndex(paper.findText("A5"))

    with qtbot.waitSignal(ctx.bus.sig_changed) as changed:
        qtbot.mouseClick(dialog.findChild(QPushButton, "ok"), Qt.MouseButton.LeftButton)

    assert sorted(changed.args[0].request_ids) == sorted(r.id for r in mine)
    (path,) = viewer.paths
    assert path.name.startswith("crew-day-")
    assert pdf_pages(path) == 3  # the cover, then one page per open request
    assert sorted(request_id for request_id, _ in issued(store)) == sorted(r.id for r in mine)


def test_500_work_orders_show_progress_leave_the_desk_usable_and_can_be_cancelled(
        qtbot, ctx: AppContext, store: Store, viewer: Viewer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    ids = [make_request(store, status="assigned", crew_id=CREW_A).id for _ in range(500)]
    # The drawing waits for the test, so the job is certainly still running while
    # the test uses the desk and cancels: no timing involved.
    read_all, draw = threading.Event(), threading.Event()
    render = printing.render_work_orders

    def held(*args: object, **kwargs: object) -> None:
        read_all.set()
        draw.wait(30)
        render(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(printing, "render_work_orders", held)
    paths: list[Path] = []
    new_path = print_actions.printout_path
    monkeypatch.setattr(print_actions, "printout_path",
                        lambda kind: paths.append(new_path(kind)) or paths[-1])
    window = QWidget()
    qtbot.addWidget(window)
    window.show()

    with qtbot.assertNotEmitted(ctx.bus.sig_changed):
        job = print_work_orders(ctx, ids, window)
        progress = window.findChild(QProgressDialog, "jobProgress")
        assert progress is not None and not progress.isModal()
        # Read in steps of 50, each step reported: the last one starts at 450 of 500,
        # and reading is the first half of the bar (drawing is the second).
        qtbot.waitUntil(lambda: (progress.maximum(), progress.value()) == (1000, 450))
        qtbot.waitUntil(read_all.is_set)
        qtbot.waitUntil(progress.isVisible)  # a job that lasts shows its progress

        # Meanwhile the desk works: a query of the request table runs on the
        # database thread and answers while the print job is still running.
        with qtbot.waitCallback() as answered:
            ctx.tasks.run_db(lambda: count_requests(store), on_done=answered)
        answered.assert_called_with(500)
        assert ctx.tasks.busy and not job.cancelled

        qtbot.mouseClick(progress.findChild(QPushButton), Qt.MouseButton.LeftButton)
        assert job.cancelled
        draw.set()
        qtbot.waitUntil(lambda: not ctx.tasks.busy)

    (path,) = paths
    assert not path.exists() and not path.with_name(f".{path.name}.part").exists()
    assert viewer.paths == [] and issued(store) == []
    assert window.findChild(QMessageBox, "printMessage") is None  # a cancel is no failure


def count_requests(store: Store) -> int:
    with store.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(m.ServiceRequest)) or 0
