"""The office sees the citizen's side: a request its clerk closes sends the closing
SMS (the push lands at the centre, whose one hook queues it), the sent message and
the citizen's 1-5 answer travel back to the office as events, the request form's
history tells them, and the office's summary report counts the answer."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop_app.reports.figures import compute_summary
from desktop_app.services import sync_service
from desktop_app.services.request_view import load_request
from desktop_app.services.requests import Desk
from desktop_app.store import models as m
from desktop_app.store.db import open_store
from sync.dates import Period, jalali, utcnow
from sync.server import db as centre_db
from sync.server.models import SmsOutbox
from sync.server.sms.inbound import take_in
from sync.server.sms.outbox import Sender
from sync.server.sms.provider import LocalProvider
from sync.workflow import EventKind, Role, Status
from tests.sync.client.harness import D1, Centre, office_actor


@pytest.fixture
def centre(tmp_path: Path) -> Centre:
    engine = centre_db.open_engine(f"sqlite:///{tmp_path / 'centre.sqlite3'}")
    centre_db.upgrade(engine)
    return Centre.on(engine)


def test_closing_sms_and_the_score_reach_the_office_history_and_report(centre, settings, tmp_path):
    client = centre.client()
    store = open_store(tmp_path / "office")
    sync_service.enroll(store, "http://localhost", centre.add_office("A", [D1]), client=client)
    request_id = centre.intake(D1)  # by phone, with the citizen's mobile, referred
    crew = centre.add_crew(D1)
    sync_service.sync_once(store, client=client)

    desk = Desk(store.sessions, office_actor(store, Role.CLERK))
    desk.assign([request_id], crew)
    desk.change_status([request_id], Status.DONE, note="چاله با آسفالت گرم پر شد.")
    sync_service.sync_once(store, client=client)  # the outcome reaches the centre

    local = LocalProvider(tmp_path / "sms")
    Sender(centre.sessions, local, settings).drain()
    closing = local.messages()[-1]
    assert "انجام شد" in closing["message"] and "چاله با آسفالت گرم پر شد." in closing["message"]
    with centre.sessions.begin() as session:
        take_in(session, settings, message_id="score-1", sender="09121234567", text="5")
    Sender(centre.sessions, local, settings).drain()  # the thanks
    sync_service.sync_once(store, client=client)

    with store.sessions() as session:
        kinds = [e.kind for e in session.scalars(
            sa.select(m.Event).where(m.Event.request_id == request_id).order_by(m.Event.server_time))]
    assert kinds.count(EventKind.SMS_SENT) == 4  # registered, referred, closed, thanks
    assert kinds.count(EventKind.SATISFACTION) == 1

    snapshot = load_request(store, request_id)
    (answer,) = [h for h in snapshot.history if h.kind == EventKind.SATISFACTION]
    assert answer.score == 5
    texts = [h.note for h in snapshot.history if h.kind == EventKind.SMS_SENT]
    assert texts[2] == closing["message"]

    today = jalali(utcnow())
    period = Period.jalali_months(today.year, today.month, today.month)
    with store.sessions() as session:
        report = compute_summary(session, period, "district", districts=[D1])
    row = next(r for r in report.rows if r.group == D1)
    assert (row.satisfaction.asked, row.satisfaction.answered, row.satisfaction.satisfied) == (1, 1, 1)
    assert row.answer_rate == 1.0 and row.satisfaction_rate == 1.0
    assert report.totals.satisfaction.mean_score == 5.0
    with centre.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(SmsOutbox)
                              .where(SmsOutbox.status != "sent")) == 0
    store.close()
