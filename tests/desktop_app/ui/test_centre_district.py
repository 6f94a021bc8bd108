"""From the centre's desk to a district office in another data folder: a call taken
on the call form, referred from the queue with a deadline of its own, synced through
a real centre (in process) — and the district office's request form and table show
it referred, with that deadline, overdue work marked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PySide6.QtCore import Qt

from desktop_app.services import sync_service
from desktop_app.services.centre import CentreDesk
from desktop_app.services.request_list import RequestFilter
from desktop_app.services.requests import Desk
from desktop_app.store.db import Store, open_store
from desktop_app.ui.call_form import CallPage
from desktop_app.ui.context import AppContext, Bus
from desktop_app.ui.messages import moment_text
from desktop_app.ui.queue_page import QueuePageWidget, deadline_of
from desktop_app.ui.request_model import COLUMN_INDEX, OVERDUE_ROLE, RequestTableModel
from desktop_app.ui.table_reader import TableReader
from desktop_app.ui.tasks import TaskRunner
from sync.dates import to_tehran, utcnow
from sync.workflow import Role
from tests.desktop_app.services.sync_support import centre, client, local, office, sync
from tests.desktop_app.ui.centre_support import key, keys
from tests.desktop_app.ui.forms_support import open_form
from tests.sync.client.harness import D1, Centre, office_actor

__all__ = ["centre", "client"]  # fixtures used by name


@pytest.fixture
def tasks(qtbot) -> Iterator[TaskRunner]:  # type: ignore[no-untyped-def]
    runner = TaskRunner()
    yield runner
    runner.shutdown()


def context(store: Store, role: Role, tasks: TaskRunner) -> AppContext:
    actor = office_actor(store, role)
    desk = CentreDesk(store.sessions, actor) if role is Role.CENTRE else Desk(store.sessions, actor)
    return AppContext(store=store, actor=actor, desk=desk, tasks=tasks, bus=Bus(), language="en")


def test_a_call_referred_from_the_queue_reaches_the_district_with_its_deadline(
        qtbot, tmp_path: Path, centre: Centre, client: TestClient, tasks: TaskRunner) -> None:
    desk_store = open_store(tmp_path / "centre-office")
    sync_service.enroll(desk_store, "http://localhost",
                        centre.add_office("مرکز ۱۳۷", all_districts=True), client=client)
    sync(desk_store, client)
    district = office(tmp_path, centre, client, (D1,), name="ناحیه ۱", folder="d1")
    operator = context(desk_store, Role.CENTRE, tasks)

    # The call, from the keyboard.
    call = CallPage(operator)
    qtbot.addWidget(call)
    call.show()
    with qtbot.waitSignal(call.sig_loaded):
        pass
    call.activateWindow()
    qtbot.waitUntil(call.isActiveWindow)
    call.focus_phone()
    keys("09127778899")
    key(Qt.Key.Key_Tab)
    keys("آسفا")
    key(Qt.Key.Key_Tab)
    keys("بازا")  # بازار, district 1-1
    key(Qt.Key.Key_Tab)
    key(Qt.Key.Key_Tab)
    keys("چاله بزرگ")
    with qtbot.waitSignal(call.sig_saved) as saved:
        key(Qt.Key.Key_Return)
    code = saved.args[0]
    call.close()

    # The queue: it is there, suggested for 1-1; the deadline is set to a day of ours.
    queue = QueuePageWidget(operator)
    qtbot.addWidget(queue)
    queue.show()
    with qtbot.waitSignal(queue.sig_loaded):
        pass
    row = queue.current_row()
    assert row is not None and row.tracking_code == code and row.suggested_district == D1
    day = to_tehran(utcnow()).date() + dt.timedelta(days=3)
    queue.widget("dueDate").set_day(day)
    with qtbot.waitSignal(queue.sig_done):
        queue.refer_current()
    assert sync(desk_store, client).rejected == 0
    assert centre.request(row.id).due_at == deadline_of(day)

    # The district office, another data folder, syncs and has it with its deadline.
    sync(district, client)
    there = local(district, row.id)
    assert there is not None
    assert (there.status, there.district_code, there.due_at) == ("referred", D1, deadline_of(day))
    clerk = context(district, Role.CLERK, tasks)
    form = open_form(qtbot, clerk, row.id)
    assert form.findChild(type(form._code), "field_due").text().lstrip("\u200e\u200f") \
        == moment_text(deadline_of(day))
    assert form.findChild(type(form._code), "field_due").isVisible()
    # No centre move is offered at a district office.
    move = form.findChild(type(form._close), "moveDistrict")
    assert move is not None and not move.isVisible()

    reader = TableReader.for_database(district.db_path)
    model = RequestTableModel(reader, "en")
    with qtbot.waitSignal(model.sig_loaded):
        model.set_query(RequestFilter())
    index = next(model.index(r, COLUMN_INDEX["due"]) for r in range(model.rowCount())
                 if model.row_at(r).id == row.id)
    assert index.data() == moment_text(deadline_of(day))
    assert index.data(OVERDUE_ROLE) is False
    reader.shutdown()
    desk_store.close()
    district.close()
