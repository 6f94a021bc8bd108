"""The citizen's SMS thread in the request form: how the request came, each message
sent and received (with its text), the 1-5 answer — in Persian, right to left; and
the outcome form's notice that its text goes to the citizen.  With ``DAFTAR_SHOTS``
set, the two windows are saved there as PNGs (the review's screenshots)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from PySide6.QtWidgets import QLabel, QTextBrowser

from desktop_app.store import models as m
from desktop_app.store.db import Store
from desktop_app.ui.context import AppContext
from desktop_app.ui.outcome import OutcomeDialog
from sync.workflow import EventKind, Status
from tests.desktop_app.ui.forms_support import MakeContext, ctx, make_ctx, open_form, persian, store
from tests.factories import CLERK, make_request

__all__ = ["ctx", "make_ctx", "persian", "store"]  # fixtures used by name

UTC = dt.UTC
T0 = dt.datetime(2026, 4, 1, 6, 30, tzinfo=UTC)
SMS_IN = "جوی آب کوچه ۱۲ خیابان بابا افضل گرفته و آب در کوچه راه افتاده"


def _thread(store: Store) -> m.ServiceRequest:
    """A request that came by SMS and was closed, with its thread as the office
    pulled it from the centre."""
    request = make_request(store, channel="sms", citizen_name="", status="done",
                           description=SMS_IN, received_at=T0, closed_at=T0 + dt.timedelta(days=2),
                           outcome_note="لایروبی جوی انجام شد و آب باز شد.")
    code = request.tracking_code

    def event(minutes: int, kind: EventKind, note: str = "", **values: object) -> m.Event:
        at = T0 + dt.timedelta(minutes=minutes)
        return m.Event(request_id=request.id, kind=kind.value, actor="sms", actor_role="centre",
                       server_time=at, client_time=at, note=note,
                       data=values.pop("data", {}), **values)

    with store.sessions.begin() as session:
        created = session.scalars(m.Event.__table__.select().where(
            m.Event.request_id == request.id)).first()
        session.execute(m.Event.__table__.update().where(m.Event.request_id == request.id)
                        .values(data={"source": "sms"}, to_status="received"))
        assert created is not None
        session.add_all([
            event(0, EventKind.SMS_RECEIVED, SMS_IN, data={"action": "new_request"}),
            event(1, EventKind.SMS_SENT, f"درخواست شما در سامانه ۱۳۷ ثبت شد. کد پیگیری: {code}",
                  data={"purpose": "registered"}),
            event(2880, EventKind.STATUS, "لایروبی جوی انجام شد و آب باز شد.", from_status="in_progress",
                  to_status="done"),
            event(2881, EventKind.SMS_SENT, f"درخواست {code} انجام شد.\nلایروبی جوی انجام شد و آب باز شد.\n"
                  "از ۱ تا ۵ به رسیدگی ما چه نمره‌ای می‌دهید؟ فقط عدد را پاسخ دهید.",
                  data={"purpose": "closed"}),
            event(2940, EventKind.SATISFACTION, "۵", data={"score": 5}),
        ])
    return request


def _shot(widget: object, name: str) -> None:
    folder = os.environ.get("DAFTAR_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(folder) / name))  # type: ignore[attr-defined]


def test_the_history_shows_the_channel_the_sms_thread_and_the_score(
        qtbot, persian, make_ctx: MakeContext, store: Store) -> None:
    request = _thread(store)
    form = open_form(qtbot, make_ctx(CLERK, "fa"), request.id)
    form.resize(980, 1180)
    browser = form.findChild(QTextBrowser, "history")
    history = browser.toPlainText()
    assert "راه ثبت: پیامک ۱۰۰۰۷۰۰۰۱۳۷" in history
    assert history.count("پیامک به شهروند فرستاده شد") == 2
    assert "پیامک از شهروند" in history and SMS_IN in history
    assert "رضایت شهروند: ۵ از ۵" in history
    assert "از ۱ تا ۵ به رسیدگی ما چه نمره‌ای می‌دهید؟" in history
    qtbot.waitUntil(lambda: browser.height() > 300)
    browser.verticalScrollBar().setValue(browser.verticalScrollBar().maximum())
    _shot(form, "request_form_sms_thread.png")


def test_english_names_the_same_entries(qtbot, ctx: AppContext, store: Store) -> None:
    request = _thread(store)
    form = open_form(qtbot, ctx, request.id)
    history = form.findChild(QTextBrowser, "history").toPlainText()
    assert "Came by: SMS 10007000137" in history
    assert "SMS sent to the citizen" in history and "SMS from the citizen" in history
    assert "The citizen's satisfaction: 5 of 5" in history


def test_the_outcome_form_says_its_text_goes_to_the_citizen(
        qtbot, persian, make_ctx: MakeContext, store: Store) -> None:
    request = make_request(store, status="assigned")
    for target, shown in ((Status.DONE, True), (Status.NOT_ACTIONABLE, True), (Status.IN_PROGRESS, False)):
        dialog = OutcomeDialog(make_ctx(CLERK, "fa"), [request.id], target)
        qtbot.addWidget(dialog)
        dialog.show()
        notice = dialog.findChild(QLabel, "smsNotice")
        assert notice.isVisible() is shown
        assert notice.text().startswith("این متن را شهروند می‌خواند")
        if target == Status.NOT_ACTIONABLE:
            qtbot.waitUntil(lambda d=dialog: d.findChild(QLabel, "intro").text() != "")
            dialog.resize(560, 430)
            _shot(dialog, "outcome_form_sms_notice.png")
