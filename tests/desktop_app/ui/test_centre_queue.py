"""The verification queue worked as an operator works it: oldest first with their
age; refer one with a deadline of its own, refer a selection at once, close one as
a duplicate of another, ask a citizen for more; and every district's overdue work
on one page, the latest first."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from PySide6.QtCore import Qt

from desktop_app.store import models as m
from desktop_app.store.db import Store
from desktop_app.ui.context import AppContext
from desktop_app.ui.overdue_page import OverduePage
from desktop_app.ui.queue_page import QueuePageWidget, deadline_of
from sync.dates import to_tehran, utcnow
from sync.workflow import EventKind
from tests.desktop_app.ui.centre_support import centre_ctx, centre_store, key, keys
from tests.factories import make_request

__all__ = ["centre_ctx", "centre_store"]  # fixtures used by name


def open_queue(qtbot, ctx: AppContext) -> QueuePageWidget:  # type: ignore[no-untyped-def]
    page = QueuePageWidget(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    page.activateWindow()
    with qtbot.waitSignal(page.sig_loaded):
        pass
    qtbot.waitUntil(page.isActiveWindow)
    return page


def stored(store: Store, request_id) -> m.ServiceRequest:  # type: ignore[no-untyped-def]
    with store.sessions() as session:
        request = session.get(m.ServiceRequest, request_id)
        assert request is not None
        return request


def received(store: Store, hours: float, **values) -> m.ServiceRequest:  # type: ignore[no-untyped-def]
    return make_request(store, status="received", received_at=utcnow() - dt.timedelta(hours=hours),
                        **values)


def test_the_queue_lists_received_requests_oldest_first_with_their_age(
        qtbot, centre_ctx: AppContext, centre_store: Store) -> None:
    young = received(centre_store, 0.5)
    old = received(centre_store, 50)
    middle = received(centre_store, 3)
    make_request(centre_store, status="referred")  # verified already: not in the queue
    page = open_queue(qtbot, centre_ctx)
    rows = page.model.rows()
    assert [r.id for r in rows] == [old.id, middle.id, young.id]
    ages = [page.model.index(i, 1).data() for i in range(3)]
    assert ages == ["2 days", "3 h 0 min", "30 min"]
    assert page.current_row() is not None and page.current_row().id == old.id


def test_refer_one_with_a_deadline_of_its_own(qtbot, centre_ctx: AppContext,
                                              centre_store: Store) -> None:
    request = received(centre_store, 2, neighbourhood_code="fin", district_code="2-1",
                       category_code="asphalt")
    page = open_queue(qtbot, centre_ctx)
    district = page.widget("district")
    assert district.currentData() == "2-1"  # suggested from the neighbourhood
    # The category's target (asphalt: 14 days) is the deadline offered.
    assert page.widget("dueDate").day() == to_tehran(utcnow() + dt.timedelta(days=14)).date()
    district.setCurrentIndex(district.findData("2-2"))  # the operator knows better
    day = to_tehran(utcnow()).date() + dt.timedelta(days=5)
    page.widget("dueDate").set_day(day)
    page.table.setFocus()
    with qtbot.waitSignal(page.sig_done, check_params_cb=lambda what: what == "refer"):
        key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    now = stored(centre_store, request.id)
    assert (now.status, now.district_code) == ("referred", "2-2")
    assert now.due_at == deadline_of(day)
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)


def test_bulk_refer_sends_each_to_its_suggested_district_with_its_target(
        qtbot, centre_ctx: AppContext, centre_store: Store) -> None:
    first = received(centre_store, 9, neighbourhood_code="fin", district_code="2-1",
                     category_code="garbage")
    second = received(centre_store, 8, neighbourhood_code="bazaar", district_code="1-1",
                      category_code="asphalt")
    last = received(centre_store, 7)
    page = open_queue(qtbot, centre_ctx)
    page.table.setFocus()
    key(Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)  # the two oldest
    assert set(page.selected_ids()) == {first.id, second.id}
    before = utcnow()
    with qtbot.waitSignal(page.sig_done, check_params_cb=lambda what: what == "bulk"):
        key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    after = utcnow()
    a, b = stored(centre_store, first.id), stored(centre_store, second.id)
    assert (a.status, a.district_code, b.status, b.district_code) == (
        "referred", "2-1", "referred", "1-1")
    assert before + dt.timedelta(days=1) <= a.due_at <= after + dt.timedelta(days=1)
    assert before + dt.timedelta(days=14) <= b.due_at <= after + dt.timedelta(days=14)
    assert stored(centre_store, last.id).status == "received"
    qtbot.waitUntil(lambda: [r.id for r in page.model.rows()] == [last.id])


def test_close_as_a_duplicate_links_the_original(qtbot, centre_ctx: AppContext,
                                                 centre_store: Store) -> None:
    original = make_request(centre_store, status="referred")
    copy = received(centre_store, 1)
    page = open_queue(qtbot, centre_ctx)
    reason = page.widget("reason")
    assert reason.currentData() == "duplicate"  # the one most chosen comes first
    assert [reason.itemData(i) for i in range(reason.count())][1:] != []
    page.widget("original").setFocus()
    keys(original.tracking_code)
    with qtbot.waitSignal(page.sig_done, check_params_cb=lambda what: what == "close"):
        page.widget("closeNotActionable").click()
    closed = stored(centre_store, copy.id)
    assert (closed.status, closed.outcome_reason, closed.duplicate_of) == (
        "not_actionable", "duplicate", original.id)


def test_close_as_a_duplicate_of_nothing_is_refused_and_said(qtbot, centre_ctx: AppContext,
                                                             centre_store: Store) -> None:
    copy = received(centre_store, 1)
    page = open_queue(qtbot, centre_ctx)
    page.widget("original").setFocus()
    keys("1405999999")
    with qtbot.waitSignal(page.sig_failed) as failed:
        page.widget("closeNotActionable").click()
    assert "original" in failed.args[0]
    assert stored(centre_store, copy.id).status == "received"


def test_close_for_another_reason_and_ask_the_citizen(qtbot, centre_ctx: AppContext,
                                                      centre_store: Store) -> None:
    false = received(centre_store, 5)
    vague = received(centre_store, 4)
    page = open_queue(qtbot, centre_ctx)
    reason = page.widget("reason")
    reason.setCurrentIndex(reason.findData("false_report"))
    assert not page.widget("original").isVisible()  # only a duplicate names an original
    with qtbot.waitSignal(page.sig_done, check_params_cb=lambda what: what == "close"):
        page.widget("closeNotActionable").click()
    assert stored(centre_store, false.id).outcome_reason == "false_report"
    qtbot.waitUntil(lambda: page.current_row() is not None and page.current_row().id == vague.id)
    page.widget("askNote").setFocus()
    keys("نشانی دقیق‌تر؟")
    with qtbot.waitSignal(page.sig_done, check_params_cb=lambda what: what == "ask"):
        page.widget("askCitizen").click()
    assert stored(centre_store, vague.id).status == "received"  # still waits
    with centre_store.sessions() as session:
        note = session.scalars(sa.select(m.Event).where(
            m.Event.request_id == vague.id, m.Event.kind == EventKind.NOTE.value)).one()
    assert note.note == "نشانی دقیق‌تر؟" and note.data == {"purpose": "ask_citizen"}


def test_every_districts_overdue_work_sorted_by_how_late(qtbot, centre_ctx: AppContext,
                                                         centre_store: Store) -> None:
    now = utcnow()
    a_little = make_request(centre_store, district_code="1-1", due_at=now - dt.timedelta(hours=5))
    very = make_request(centre_store, district_code="2-1", neighbourhood_code="fin",
                        due_at=now - dt.timedelta(days=9))
    some = make_request(centre_store, district_code="1-2", neighbourhood_code="posht-e-mashhad",
                        status="assigned", due_at=now - dt.timedelta(days=2))
    make_request(centre_store, district_code="1-1", due_at=now + dt.timedelta(days=1))  # not yet
    make_request(centre_store, district_code="1-1", status="done",
                 due_at=now - dt.timedelta(days=30))  # closed: not overdue
    page = OverduePage(centre_ctx)
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.sig_loaded):
        pass
    assert page.ids() == [very.id, some.id, a_little.id]
    assert page.model.index(0, 0).data() == "⚠ 9 days"
    assert page.model.index(2, 0).data() == "⚠ 5 h"
    shares = {page.by_district.item(r, 0).text(): page.by_district.item(r, 1).text()
              for r in range(page.by_district.rowCount())}
    assert shares["District 2-1"] == "1 of 1" and shares["District 1-1"] == "1 of 2"
    with qtbot.waitSignal(page.sig_open) as opened:
        page.table.setCurrentIndex(page.model.index(1, 0))
        page.table.setFocus()
        page.activateWindow()
        qtbot.waitUntil(page.isActiveWindow)
        key(Qt.Key.Key_Return)
    assert opened.args[0] == some.id
