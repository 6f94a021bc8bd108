"""The request form, driven like a clerk drives it: the actions it offers for each
status and role, assigning (one request or many), recording outcomes, notes, and
the history it shows."""

from __future__ import annotations

import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QLocale, Qt, QThread
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
)

from desktop_app import ui
from desktop_app.services.requests import Actor
from desktop_app.store import models as m
from desktop_app.store.db import Store
from desktop_app.ui.assign import AssignDialog
from desktop_app.ui.context import AppContext
from desktop_app.ui.outcome import OutcomeDialog
from desktop_app.ui.request_form import RequestForm
from sync.paths import resource_path
from sync.workflow import Status
from tests.desktop_app.ui.forms_support import (
    MakeContext,
    button,
    open_form,
    ctx,
    make_ctx,
    persian,
    plain,
    store,
    type_text,
)
from tests.factories import CLERK, CREW_A, CREW_B, MANAGER, SUPERVISOR, desk, make_request

__all__ = ["ctx", "make_ctx", "persian", "store"]  # fixtures used by name

ACTIONS = ("assign", "start", "done", "notActionable", "referBack", "printWorkOrder")


def offered(form: RequestForm) -> set[str]:
    return {name for name in ACTIONS if button(form, name).isVisible()}


def click_and_wait(qtbot, target: QPushButton, signal) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(signal):
        qtbot.mouseClick(target, Qt.MouseButton.LeftButton)


def status_of(store: Store, request_id: uuid.UUID) -> m.ServiceRequest:
    with store.sessions() as session:
        request = session.get(m.ServiceRequest, request_id)
        assert request is not None
        return request


# ----------------------------------------------------------- what is offered

# Written out by hand, not derived from sync.workflow: a change to the lifecycle
# must show up here on purpose.
OFFERS = [
    (Status.REFERRED, CLERK, {"assign", "notActionable"}),
    (Status.REFERRED, SUPERVISOR, {"assign", "notActionable"}),
    (Status.ASSIGNED, CLERK, {"assign", "start", "done", "notActionable", "referBack",
                              "printWorkOrder"}),
    (Status.ASSIGNED, SUPERVISOR, {"assign", "start", "done", "notActionable", "printWorkOrder"}),
    (Status.IN_PROGRESS, SUPERVISOR, {"assign", "done", "notActionable", "printWorkOrder"}),
    (Status.IN_PROGRESS, MANAGER, {"assign", "done", "notActionable", "referBack",
                                   "printWorkOrder"}),
    (Status.DONE, CLERK, {"referBack"}),
    (Status.DONE, SUPERVISOR, set()),
    (Status.NOT_ACTIONABLE, MANAGER, {"referBack"}),
    (Status.RECEIVED, MANAGER, set()),
]


@pytest.mark.parametrize("status, actor, expected", OFFERS,
                         ids=[f"{s.value}-{a.role.value}" for s, a, _ in OFFERS])
def test_only_the_moves_the_role_may_make_are_offered(qtbot, make_ctx: MakeContext, store: Store,
                                                      status: Status, actor: Actor,
                                                      expected: set[str]) -> None:
    crew = CREW_A if status in (Status.ASSIGNED, Status.IN_PROGRESS) else None
    request = make_request(store, status=status.value, crew_id=crew)
    form = open_form(qtbot, make_ctx(actor), request.id)
    assert offered(form) == expected
    assert button(form, "addNote").isVisible()


def test_reopen_and_take_back_are_worded_for_what_they_do(qtbot, ctx: AppContext,
                                                          store: Store) -> None:
    closed = open_form(qtbot, ctx, make_request(store, status="done").id)
    assigned = open_form(qtbot, ctx, make_request(store, status="assigned", crew_id=CREW_A).id)
    assert button(closed, "referBack").text() == "Reopen…"
    assert button(assigned, "referBack").text() == "Take back from the crew…"
    assert button(assigned, "assign").text() == "Change crew…"


# ------------------------------------------------------------------- assigning


def test_assign_many_requests_to_a_crew_at_once(qtbot, ctx: AppContext, store: Store) -> None:
    requests = [make_request(store) for _ in range(3)]
    dialog = AssignDialog(ctx, [r.id for r in requests])
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.sig_loaded):
        pass
    assert dialog.findChild(QLabel, "intro").text() == "Which crew should do these 3 requests?"
    crews = dialog.findChild(QListWidget, "crews")
    assert crews.count() == 2
    ok = button(dialog, "ok")
    assert not ok.isEnabled()  # no crew chosen yet
    (item,) = [crews.item(row) for row in range(crews.count())
               if crews.item(row).data(Qt.ItemDataRole.UserRole) == CREW_B]
    crews.setCurrentItem(item)

    with qtbot.waitSignal(ctx.bus.sig_changed) as changed:
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    assert changed.args[0].request_ids == [r.id for r in requests]
    assert dialog.result() == QDialog.DialogCode.Accepted
    for request in requests:
        row = status_of(store, request.id)
        assert (row.status, row.crew_id) == ("assigned", CREW_B)


def test_a_bulk_assign_with_a_closed_request_changes_nothing_and_says_which(
        qtbot, ctx: AppContext, store: Store) -> None:
    fine = make_request(store)
    closed = make_request(store, status="done")
    dialog = AssignDialog(ctx, [fine.id, closed.id])
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.sig_loaded):
        pass
    dialog.findChild(QListWidget, "crews").setCurrentRow(0)
    error = dialog.findChild(QLabel, "error")

    with qtbot.assertNotEmitted(ctx.bus.sig_changed):
        qtbot.mouseClick(button(dialog, "ok"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(error.isVisible)

    assert closed.tracking_code in error.text()
    assert "reopen it first" in error.text()
    assert dialog.isVisible()
    assert status_of(store, fine.id).crew_id is None


def test_assigning_from_the_form_shows_the_crew(qtbot, ctx: AppContext, store: Store) -> None:
    request = make_request(store)
    form = open_form(qtbot, ctx, request.id)
    assert form.findChild(QLabel, "field_crew").text().endswith("not assigned")

    qtbot.mouseClick(button(form, "assign"), Qt.MouseButton.LeftButton)
    dialog = form.findChild(AssignDialog)
    with qtbot.waitSignal(dialog.sig_loaded):
        pass
    dialog.findChild(QListWidget, "crews").setCurrentRow(0)
    click_and_wait(qtbot, button(dialog, "ok"), form.sig_loaded)

    assert form.snapshot is not None and form.snapshot.status is Status.ASSIGNED
    assert "اکیپ" in form.findChild(QLabel, "field_crew").text()
    assert "Assigned to crew" in form.findChild(QTextBrowser, "history").toPlainText()


# -------------------------------------------------------------------- outcomes


def open_outcome(qtbot, form: RequestForm, action: str) -> OutcomeDialog:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button(form, action), Qt.MouseButton.LeftButton)
    dialog = form.findChild(OutcomeDialog)
    assert dialog is not None and dialog.isVisible()
    with qtbot.waitSignal(dialog.sig_loaded):
        pass
    return dialog


def test_start_then_done_with_a_note(qtbot, make_ctx: MakeContext, store: Store) -> None:
    request = make_request(store, status="assigned", crew_id=CREW_A)
    form = open_form(qtbot, make_ctx(SUPERVISOR), request.id)

    click_and_wait(qtbot, button(form, "start"), form.sig_loaded)
    assert status_of(store, request.id).status == "in_progress"
    assert offered(form) == {"assign", "done", "notActionable", "printWorkOrder"}

    dialog = open_outcome(qtbot, form, "done")
    assert dialog.windowTitle() == "Mark as done"
    assert not dialog.findChild(QComboBox, "reason").isVisible()  # done takes no reason
    type_text(dialog.findChild(QPlainTextEdit, "note"), "کیسه‌ها جمع شد")
    click_and_wait(qtbot, button(dialog, "ok"), form.sig_loaded)

    row = status_of(store, request.id)
    assert (row.status, row.outcome_note) == ("done", "کیسه‌ها جمع شد")
    history = form.findChild(QTextBrowser, "history").toPlainText()
    assert "Status changed from “In progress” to “Done”" in history
    assert "کیسه‌ها جمع شد" in history
    assert offered(form) == set()  # a supervisor may not reopen


def test_not_actionable_asks_for_the_reason_first(qtbot, ctx: AppContext, store: Store) -> None:
    request = make_request(store)
    form = open_form(qtbot, ctx, request.id)
    dialog = open_outcome(qtbot, form, "notActionable")
    reason_error = dialog.findChild(QLabel, "reasonError")

    with qtbot.assertNotEmitted(ctx.bus.sig_changed):
        qtbot.mouseClick(button(dialog, "ok"), Qt.MouseButton.LeftButton)
    assert reason_error.isVisible()
    assert reason_error.text() == "Choose why the request cannot be done."
    assert dialog.isVisible()

    reason = dialog.findChild(QComboBox, "reason")
    reason.setCurrentIndex(reason.findData("not_found"))
    assert not dialog.findChild(QLineEdit, "original").isVisible()  # only duplicates link
    click_and_wait(qtbot, button(dialog, "ok"), form.sig_loaded)
    row = status_of(store, request.id)
    assert (row.status, row.outcome_reason) == ("not_actionable", "not_found")
    assert form.findChild(QLabel, "field_reason").text().endswith("Not found on site")


def test_a_duplicate_is_linked_by_the_originals_code_in_persian_digits(
        qtbot, ctx: AppContext, store: Store) -> None:
    original = make_request(store, tracking_code="1405000777")
    request = make_request(store)
    form = open_form(qtbot, ctx, request.id)
    dialog = open_outcome(qtbot, form, "notActionable")
    reason = dialog.findChild(QComboBox, "reason")
    assert reason.itemData(0) == "duplicate"  # the most frequent reason comes first
    reason.setCurrentIndex(0)
    code = dialog.findChild(QLineEdit, "original")
    assert code.isVisible()

    type_text(code, "۱۴۰۵۰۰۰۷۷۷")
    found = dialog.findChild(QLabel, "originalFound")
    code.editingFinished.emit()
    qtbot.waitUntil(lambda: bool(found.text()))
    assert plain(found.text()).startswith("1405000777: Garbage collection in Bazaar")

    click_and_wait(qtbot, button(dialog, "ok"), form.sig_loaded)
    row = status_of(store, request.id)
    assert (row.outcome_reason, row.duplicate_of) == ("duplicate", original.id)
    assert form.findChild(QLabel, "field_original").text().endswith("1405000777")
    history = form.findChild(QTextBrowser, "history").toPlainText()
    assert "Duplicate of request 1405000777" in history


def test_a_duplicate_of_an_unknown_code_is_refused_beside_the_field(
        qtbot, ctx: AppContext, store: Store) -> None:
    request = make_request(store)
    form = open_form(qtbot, ctx, request.id)
    dialog = open_outcome(qtbot, form, "notActionable")
    dialog.findChild(QComboBox, "reason").setCurrentIndex(0)
    original_error = dialog.findChild(QLabel, "originalError")

    qtbot.mouseClick(button(dialog, "ok"), Qt.MouseButton.LeftButton)
    assert original_error.text() == "A duplicate must name its original: enter its tracking code."

    type_text(dialog.findChild(QLineEdit, "original"), "9999")
    with qtbot.assertNotEmitted(ctx.bus.sig_changed):
        qtbot.mouseClick(button(dialog, "ok"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: button(dialog, "ok").isEnabled())
    assert original_error.isVisible()
    assert original_error.text() == "The original must be another request this office has."
    assert status_of(store, request.id).status == "referred"


def test_reopening_a_closed_request(qtbot, ctx: AppContext, store: Store) -> None:
    request = make_request(store, status="not_actionable", outcome_reason="not_found")
    form = open_form(qtbot, ctx, request.id)
    dialog = open_outcome(qtbot, form, "referBack")
    assert dialog.windowTitle() == "Reopen"
    type_text(dialog.findChild(QPlainTextEdit, "note"), "شهروند دوباره تماس گرفت")
    click_and_wait(qtbot, button(dialog, "ok"), form.sig_loaded)
    row = status_of(store, request.id)
    assert (row.status, row.outcome_reason) == ("referred", None)
    assert offered(form) == {"assign", "notActionable"}


# ------------------------------------------------------------- notes, history


def test_a_note_typed_in_persian_joins_the_history(qtbot, ctx: AppContext, store: Store) -> None:
    request = make_request(store)
    form = open_form(qtbot, ctx, request.id)
    add = button(form, "addNote")
    assert not add.isEnabled()  # nothing to add yet
    type_text(form.findChild(QPlainTextEdit, "note"), "با شهروند تماس گرفتم؛ فردا صبح")
    assert add.isEnabled()

    click_and_wait(qtbot, add, form.sig_loaded)
    history = form.findChild(QTextBrowser, "history").toPlainText()
    assert "با شهروند تماس گرفتم؛ فردا صبح" in history
    assert form.findChild(QPlainTextEdit, "note").toPlainText() == ""


def test_the_history_marks_what_the_centre_has_not_accepted(qtbot, ctx: AppContext,
                                                            store: Store) -> None:
    request = make_request(store)  # its "created" event came from the centre
    form = open_form(qtbot, ctx, request.id)
    history = form.findChild(QTextBrowser, "history")
    assert "waiting to be sent" not in history.toPlainText()
    assert form.findChild(QLabel, "waiting").text() == ""

    desk(store).add_note(request.id, "یادداشت محلی")
    with qtbot.waitSignal(form.sig_loaded):
        ctx.bus.sig_sync_state.emit()
    lines = history.toPlainText()
    assert lines.count("waiting to be sent") == 1
    assert "Registered as “Referred”" in lines
    assert "centre" in lines and "137 centre" in lines  # who: the actor and the role
    assert form.findChild(QLabel, "waiting").text() == "Changes waiting to be sent to the centre: 1"


def test_the_form_follows_changes_made_elsewhere(qtbot, ctx: AppContext, store: Store) -> None:
    request = make_request(store)
    other = make_request(store)
    form = open_form(qtbot, ctx, request.id)

    loads: list[None] = []
    form.sig_loaded.connect(lambda: loads.append(None))

    ctx.bus.changed(desk(store).add_note(other.id, "دیگری"))  # not this request: ignored
    with qtbot.waitSignal(form.sig_loaded):
        ctx.bus.changed(desk(store).assign([request.id], CREW_B))
    qtbot.waitUntil(lambda: not ctx.tasks.busy)
    assert len(loads) == 1
    assert form.snapshot is not None and form.snapshot.crew == "اکیپ آسفالت"


def test_every_field_is_shown(qtbot, ctx: AppContext, store: Store) -> None:
    request = make_request(store, latitude=33.98, longitude=51.43, status="assigned",
                           crew_id=CREW_A)
    form = open_form(qtbot, ctx, request.id)
    text = {name: plain(form.findChild(QLabel, f"field_{name}").text())
            for name in ("received", "category", "place", "address", "description", "citizen",
                         "phone", "location", "crew")}
    assert text["received"] == "1405/01/12 10:00, by Phone 137"  # Jalali, Tehran time
    assert text["category"] == "Garbage collection"
    assert text["place"] == "Bazaar (District 1-1)"
    assert (text["address"], text["description"]) == (request.address, request.description)
    assert (text["citizen"], text["phone"]) == ("محمد حسینی", "09121234567")
    assert text["location"] == "33.98000, 51.43000"
    assert text["crew"] == "اکیپ تنظیف ۱ (supervisor: حسین رضایی)"
    assert not form.findChild(QLabel, "field_closed").isVisible()  # still open
    assert form.findChild(QLabel, "trackingCode").text() == request.tracking_code


def test_in_persian_the_form_reads_right_to_left_with_persian_digits(
        qtbot, persian: None, make_ctx: MakeContext, store: Store) -> None:
    request = make_request(store, tracking_code="1405000123")
    form = open_form(qtbot, make_ctx(CLERK, "fa"), request.id)
    assert QLocale().language() == QLocale.Language.Persian
    assert form.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert form.findChild(QLabel, "trackingCode").text() == "۱۴۰۵۰۰۰۱۲۳"
    assert form.findChild(QLabel, "statusChip").text() == "ارجاع شده"
    assert button(form, "assign").text() == "واگذاری به اکیپ…"
    assert plain(form.findChild(QLabel, "field_category").text()) == "جمع‌آوری زباله"
    assert "۱۴۰۵/۰۱/۱۲ ۱۰:۰۰" in form.findChild(QLabel, "field_received").text()
    assert "ثبت شد با وضعیت «ارجاع شده»" in form.findChild(QTextBrowser, "history").toPlainText()


def test_an_unknown_request_says_so(qtbot, ctx: AppContext) -> None:
    form = RequestForm(ctx, uuid.uuid4())
    qtbot.addWidget(form)
    form.show()
    error = form.findChild(QLabel, "error")
    qtbot.waitUntil(error.isVisible)
    assert error.text() == "This request is no longer in the office's database."
    assert offered(form) == set()
    add_photo = form.findChild(QPushButton, "addPhoto")
    assert add_photo is not None and not add_photo.isEnabled()  # nothing to attach it to


def test_nothing_is_queried_on_the_gui_thread(qtbot, ctx: AppContext, store: Store) -> None:
    """The form reads through the database thread only: no query runs on the
    thread that paints (style.md, convention 3)."""
    gui = QApplication.instance().thread()  # type: ignore[union-attr]
    request = make_request(store)
    on_gui: list[str] = []

    def check(*_args: object) -> None:
        if QThread.currentThread() == gui:
            on_gui.append("query")

    sa.event.listen(store.engine, "before_cursor_execute", check)
    try:
        open_form(qtbot, ctx, request.id)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", check)
    assert on_gui == []


# ------------------------------------------------------------------ translation

FORM_MODULES = ("messages", "request_form", "assign", "outcome", "walk_in", "crews", "users",
                "sync_problems", "reports_page", "print_actions", "photos", "edit_request")


def _messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    return {(context.findtext("name") or "", message.findtext("source") or ""): message
            for context in ET.parse(ts).getroot().iter("context")
            for message in context.iter("message")}


def test_every_string_of_the_forms_has_its_persian_translation(tmp_path: Path) -> None:
    """The committed .ts holds every string lupdate finds in the forms, each
    translated, and the committed .qm is that .ts compiled: a new string cannot
    reach a Persian clerk in English by accident."""
    tools = Path(sys.executable).parent
    sources = [str(Path(ui.__file__).parent / f"{name}.py") for name in FORM_MODULES]
    fresh = tmp_path / "fresh.ts"
    subprocess.run([str(tools / "pyside6-lupdate"), "-no-obsolete", *sources, "-ts", str(fresh)],
                   check=True, capture_output=True)
    committed_ts = resource_path("i18n/daftar_forms_fa.ts")
    committed = _messages(committed_ts)
    missing = sorted(set(_messages(fresh)) - set(committed))
    assert missing == [], "run pyside6-lupdate and translate"
    unfinished = sorted(key for key, message in committed.items()
                        if message.find("translation").get("type") in ("unfinished", "vanished")
                        or not message.findtext("translation"))
    assert unfinished == []

    compiled = tmp_path / "forms.qm"
    subprocess.run([str(tools / "pyside6-lrelease"), str(committed_ts), "-qm", str(compiled)],
                   check=True, capture_output=True)
    assert compiled.read_bytes() == resource_path("i18n/daftar_forms_fa.qm").read_bytes()
