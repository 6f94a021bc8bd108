"""The sync problems inbox: each refused change is shown in words and settled by a
person, re-applied or discarded, with their name on the decision."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton, QTableWidget, QTextBrowser

from desktop_app.store import models as m
from desktop_app.store.db import Store
from desktop_app.ui.context import AppContext
from desktop_app.ui.sync_problems import CHANGE_TEXTS, ProblemRow, SyncProblemsDialog, change_text
from sync.dates import utcnow
from sync.protocol import Op
from tests.desktop_app.ui.forms_support import MakeContext, ctx, make_ctx, persian, store
from tests.factories import CLERK, CREW_A, make_request

__all__ = ["ctx", "make_ctx", "persian", "store"]  # fixtures used by name

Refused = tuple[m.ServiceRequest, uuid.UUID]


def add_problem(store: Store, request: m.ServiceRequest, *, kind: str, op: Op,
                payload: dict[str, object], reason_code: str, message: str = "",
                server_value: dict[str, object] | None = None) -> uuid.UUID:
    """A problem as the sync engine stores it when the centre answers."""
    problem_id = uuid.uuid4()
    with store.sessions.begin() as session:
        session.add(m.SyncProblem(
            id=problem_id, mutation_id=uuid.uuid4(), kind=kind, entity="request",
            entity_id=request.id, op=op.value, payload=payload, reason_code=reason_code,
            message=message, server_value=server_value, created_at=utcnow()))
    return problem_id


def problem(store: Store, problem_id: uuid.UUID) -> m.SyncProblem:
    with store.sessions() as session:
        found = session.get(m.SyncProblem, problem_id)
        assert found is not None
        return found


def open_dialog(qtbot, ctx: AppContext) -> SyncProblemsDialog:  # type: ignore[no-untyped-def]
    dialog = SyncProblemsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.sig_loaded):
        pass
    return dialog


def rows(dialog: SyncProblemsDialog) -> list[list[str]]:
    table = dialog.findChild(QTableWidget, "problems")
    return [[table.item(r, c).text() for c in range(1, table.columnCount())]
            for r in range(table.rowCount())]


@pytest.fixture
def refused_done(store: Store) -> Refused:
    """The crew's 'done' that the centre refused: another office had reopened it."""
    request = make_request(store, status="in_progress", crew_id=CREW_A)
    problem_id = add_problem(
        store, request, kind="rejected", op=Op.CHANGE_STATUS, reason_code="not_a_move",
        message="referred -> done is not a move",
        payload={"event_id": str(uuid.uuid4()), "from_status": "assigned", "to_status": "done",
                 "reason": None, "note": "انجام شد", "duplicate_of": None})
    return request, problem_id


def test_a_refused_change_is_shown_in_words(qtbot, ctx: AppContext, store: Store,
                                            refused_done: Refused) -> None:
    request, _ = refused_done
    dialog = open_dialog(qtbot, ctx)
    assert rows(dialog) == [[request.tracking_code, "Status to “Done”",
                             "The request's status at the centre no longer allows it."]]
    detail = dialog.findChild(QTextBrowser, "detail").toPlainText()
    assert "The centre said:\nreferred -> done is not a move" in detail


@pytest.mark.parametrize(("code", "words"), [
    ("unknown_actor", "The centre does not know the person who made this change as a user of "
                      "this office. A manager can send the office's users again."),
    ("actor_inactive", "The person who made this change is no longer an active user at the centre."),
    ("role_not_allowed", "The centre does not allow this role to do it."),
])
def test_a_change_refused_for_who_made_it_says_so(qtbot, ctx: AppContext, store: Store,
                                                  code: str, words: str) -> None:
    request = make_request(store)
    add_problem(store, request, kind="rejected", op=Op.ADD_NOTE, reason_code=code,
                message="the centre's English", payload={"event_id": str(uuid.uuid4()), "note": "x"})
    dialog = open_dialog(qtbot, ctx)
    assert rows(dialog) == [[request.tracking_code, "Note: x", words]]


def test_a_refused_user_change_is_named_by_the_user(qtbot, ctx: AppContext, store: Store) -> None:
    with store.sessions.begin() as session:
        session.add(m.SyncProblem(
            id=uuid.uuid4(), mutation_id=uuid.uuid4(), kind="rejected", entity="user",
            entity_id=uuid.uuid4(), op=Op.UPSERT_USER.value, reason_code="role_not_allowed",
            payload={"username": "ali", "display_name": "علی", "role": "manager", "active": True},
            message="", created_at=utcnow()))
    dialog = open_dialog(qtbot, ctx)
    assert rows(dialog) == [["User", "User “ali” (Manager)",
                             "The centre does not allow this role to do it."]]


def test_every_operation_is_put_in_words() -> None:
    assert set(CHANGE_TEXTS) == set(Op)


@pytest.mark.parametrize(("op", "payload", "words"), [
    (Op.CREATE_REQUEST, {"request": {}}, "New walk-in request"),
    (Op.CHANGE_STATUS, {"to_status": "done"}, "Status to “Done”"),
    (Op.ASSIGN, {"crew_id": str(CREW_A)}, "Assign to crew “اکیپ”"),
    (Op.ADD_NOTE, {"note": "سلام"}, "Note: سلام"),
    (Op.WORK_ORDER_ISSUED, {}, "Work order printed"),
    (Op.UPSERT_CREW, {"crew": {"name": "اکیپ شب"}}, "Crew details: اکیپ شب"),
    (Op.UPSERT_USER, {"username": "ali", "role": "supervisor"}, "User “ali” (Crew supervisor)"),
    (Op.CREATE_REQUEST, {"request": {"channel": "phone"}}, "New request taken by the centre"),
    (Op.REFER, {"district_code": "2-1"}, "Referral to district 2-1"),
    (Op.MOVE_DISTRICT, {"district_code": "2-1", "reason": "محل"}, "Move to district 2-1: محل"),
    (Op.REPEAT_CALL, {"phone": "09121234567"}, "Repeat call from 09121234567"),
])
def test_each_operation_says_what_it_would_have_done(qapp, op: Op, payload: dict[str, object],  # type: ignore[no-untyped-def]
                                                     words: str) -> None:
    problem = ProblemRow(uuid.uuid4(), "rejected", op.value, "request", uuid.uuid4(), "", payload,
                         "x", "", None, utcnow(), {str(CREW_A): "اکیپ"})
    assert change_text(problem) == words


def test_an_operation_of_a_newer_centre_is_named_as_it_came(qapp) -> None:  # type: ignore[no-untyped-def]
    problem = ProblemRow(uuid.uuid4(), "rejected", "split_request", "request", uuid.uuid4(), "", {},
                         "x", "", None, utcnow(), {})
    assert change_text(problem) == "split_request"


def test_reapplying_does_the_change_again_and_settles_the_problem(
        qtbot, ctx: AppContext, store: Store,
        refused_done: Refused) -> None:
    request, problem_id = refused_done
    dialog = open_dialog(qtbot, ctx)

    with qtbot.waitSignal(ctx.bus.sig_changed) as changed, qtbot.waitSignal(dialog.sig_loaded):
        qtbot.mouseClick(dialog.findChild(QPushButton, "reapply"), Qt.MouseButton.LeftButton)

    assert changed.args[0].request_ids == [request.id]
    settled = problem(store, problem_id)
    assert (settled.resolution, settled.resolved_by) == ("reapplied", CLERK.username)
    with store.sessions() as session:
        assert session.get(m.ServiceRequest, request.id).status == "done"
        entry = session.scalar(
            sa.select(m.OutboxEntry).where(m.OutboxEntry.entity_id == request.id))
    assert entry.payload["to_status"] == "done" and entry.actor == CLERK.username
    assert rows(dialog) == []
    assert dialog.findChild(QLabel, "intro").text() == (
        "There are no sync problems: every change was taken.")
    assert dialog.findChild(QLabel, "status").text() == (
        "Applied again; it is sent at the next sync.")


def test_a_change_that_no_longer_makes_sense_stays_open(qtbot, ctx: AppContext,
                                                        store: Store) -> None:
    request = make_request(store, status="done")
    problem_id = add_problem(
        store, request, kind="rejected", op=Op.CHANGE_STATUS, reason_code="not_a_move",
        payload={"event_id": str(uuid.uuid4()), "from_status": "assigned",
                 "to_status": "in_progress", "reason": None, "note": "", "duplicate_of": None})
    dialog = open_dialog(qtbot, ctx)
    status = dialog.findChild(QLabel, "status")

    with qtbot.assertNotEmitted(ctx.bus.sig_changed):
        qtbot.mouseClick(dialog.findChild(QPushButton, "reapply"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: status.text() != "")
    assert status.text().startswith(f"Request {request.tracking_code}: The request's status")
    assert problem(store, problem_id).resolved_at is None
    assert len(rows(dialog)) == 1


def test_a_conflict_shows_both_values_and_can_be_discarded(qtbot, ctx: AppContext,
                                                           store: Store) -> None:
    request = make_request(store, address="کوچه ۵، پلاک ۳")
    problem_id = add_problem(
        store, request, kind="conflict", op=Op.EDIT_REQUEST, reason_code="stale",
        payload={"event_id": str(uuid.uuid4()), "changes": {"address": "کوچه ۷"},
                 "base": {"address": "کوچه ۵"}},
        server_value={"address": "کوچه ۵، پلاک ۳"})
    dialog = open_dialog(qtbot, ctx)
    assert rows(dialog)[0][1:] == ["Correction of: address",
                                   "The centre's copy changed after this edit was made."]
    detail = dialog.findChild(QTextBrowser, "detail").toPlainText()
    assert "Value here" in detail and "کوچه ۷" in detail and "کوچه ۵، پلاک ۳" in detail

    qtbot.mouseClick(dialog.findChild(QPushButton, "discard"), Qt.MouseButton.LeftButton)
    confirm = dialog.findChild(QMessageBox, "confirmDiscard")
    assert confirm.isVisible()
    with qtbot.waitSignal(ctx.bus.sig_sync_state), qtbot.waitSignal(dialog.sig_loaded):
        qtbot.mouseClick(confirm.button(QMessageBox.StandardButton.Discard),
                         Qt.MouseButton.LeftButton)

    settled = problem(store, problem_id)
    assert (settled.resolution, settled.resolved_by) == ("discarded", CLERK.username)
    with store.sessions() as session:
        audit = session.scalar(sa.select(m.AuditEntry).where(
            m.AuditEntry.action == "sync_problem_discarded"))
    assert audit.actor == CLERK.username
    assert rows(dialog) == []


def test_keeping_it_settles_nothing(qtbot, ctx: AppContext, store: Store,
                                    refused_done: Refused) -> None:
    _, problem_id = refused_done
    dialog = open_dialog(qtbot, ctx)
    qtbot.mouseClick(dialog.findChild(QPushButton, "discard"), Qt.MouseButton.LeftButton)
    confirm = dialog.findChild(QMessageBox, "confirmDiscard")
    with qtbot.assertNotEmitted(ctx.bus.sig_sync_state):
        qtbot.mouseClick(confirm.button(QMessageBox.StandardButton.Cancel),
                         Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not confirm.isVisible())
    assert problem(store, problem_id).resolved_at is None
    assert len(rows(dialog)) == 1


def test_in_persian_the_first_problem_is_ready_to_settle(
        qtbot, persian: None, make_ctx: MakeContext, store: Store,
        refused_done: Refused) -> None:
    request, _ = refused_done
    dialog = open_dialog(qtbot, make_ctx(CLERK, "fa"))
    persian_digits = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    assert rows(dialog) == [[request.tracking_code.translate(persian_digits),
                             "وضعیت به «انجام شده»",
                             "وضعیت درخواست در مرکز دیگر این کار را نمی‌پذیرد."]]
    # Selected and ready (QTableView.selectRow selects nothing in a right-to-left view).
    assert dialog.findChild(QPushButton, "reapply").isEnabled()
    assert "وضعیت به «انجام شده»" in dialog.findChild(QTextBrowser, "detail").toPlainText()
