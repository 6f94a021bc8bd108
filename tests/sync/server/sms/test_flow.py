"""The SMS channel end to end at the centre, with the local provider: every path
that registers, refers and closes a request queues the citizen's message in the same
transaction; what a citizen sends becomes a request, a status answer, a score or an
opt-out."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from sync.server import operations as ops
from sync.server.models import Event, ServiceRequest, SmsInbound, SmsOptOut, SmsOutbox
from sync.server.sms import texts
from sync.server.sms.inbound import take_in
from sync.server.sms.outbox import Sender
from sync.server.sms.provider import LocalProvider
from sync.workflow import EventKind, Status

PHONE = "09121234567"


def _intake(sessions: sessionmaker[Session], phone: str | None = PHONE) -> ServiceRequest:
    with sessions.begin() as session:
        return ops.intake(session, district_code="1-1", category_code="asphalt",
                          description="چاله در خیابان", actor="operator", citizen_phone=phone)


def _outbox(sessions: sessionmaker[Session]) -> list[SmsOutbox]:
    with sessions() as session:
        return list(session.scalars(sa.select(SmsOutbox).order_by(SmsOutbox.id)))


def _events(sessions: sessionmaker[Session], request_id, kind: EventKind) -> list[Event]:
    with sessions() as session:
        return list(session.scalars(sa.select(Event).where(
            Event.request_id == request_id, Event.kind == kind.value).order_by(Event.server_time)))


def test_registered_referred_closed_each_queue_one_persian_message(sessions, sender, local):
    request = _intake(sessions)
    with sessions.begin() as session:
        ops.refer(session, request.id, actor="operator")
    with sessions.begin() as session:
        ops.change_status(session, request.id, Status.NOT_ACTIONABLE, actor="operator",
                          reason="not_municipal", note="این کار با اداره برق است.")
    rows = _outbox(sessions)
    assert [r.purpose for r in rows] == ["registered", "referred", "closed"]
    assert all(r.status == "pending" and r.phone == PHONE for r in rows)
    assert request.tracking_code in rows[0].text and "ثبت شد" in rows[0].text
    assert "ناحیه ۱ منطقه ۱" in rows[1].text
    # Closed: not actionable, the reason in words, the clerk's text, the question.
    assert "قابل انجام نیست" in rows[2].text and "خارج از وظایف شهرداری" in rows[2].text
    assert "این کار با اداره برق است." in rows[2].text and "۱ تا ۵" in rows[2].text

    result = sender.drain()
    assert result.sent == 3
    assert [m["localid"] for m in local.messages()] == [r.id for r in rows]
    rows = _outbox(sessions)
    assert all(r.status == "sent" and r.gateway_message_id == f"local-{r.id}" for r in rows)
    assert all(r.gateway_answer and r.gateway_answer["receptor"] == PHONE for r in rows)
    # Each sent message joins the request's history (and so travels to its offices).
    sent = _events(sessions, request.id, EventKind.SMS_SENT)
    assert [e.note for e in sent] == [r.text for r in rows]
    # Nothing is sent twice: another round finds nothing to do.
    assert sender.drain().claimed == 0 and len(local.messages()) == 3


def test_a_rolled_back_change_queues_nothing_and_no_phone_no_message(sessions):
    try:
        with sessions.begin() as session:
            ops.intake(session, district_code="1-1", category_code="asphalt", description="x",
                       actor="operator", citizen_phone=PHONE)
            raise RuntimeError("the operator's transaction fails")
    except RuntimeError:
        pass
    _intake(sessions, phone=None)
    _intake(sessions, phone="03155551234")  # a landline takes no SMS
    assert _outbox(sessions) == []


def test_sms_becomes_a_received_request_on_the_sms_channel(sessions, settings, sender, local):
    with sessions.begin() as session:
        record = take_in(session, settings, message_id="m-1", sender="+989121234567",
                         text="  جوی آب کوچه ۱۲ گرفته است ")
    assert record.action == "new_request"
    with sessions() as session:
        request = session.get(ServiceRequest, record.request_id)
        assert (request.status, request.channel, request.citizen_phone, request.district_code,
                request.category_code) == ("received", "sms", PHONE, "1-1", "other")
        assert request.description == "جوی آب کوچه ۱۲ گرفته است"
    sender.drain()
    (reply,) = local.messages()
    assert reply["receptor"] == PHONE and request.tracking_code in reply["message"]
    # The same callback again (the gateway repeats it) is taken once.
    with sessions.begin() as session:
        again = take_in(session, settings, message_id="m-1", sender="09121234567", text="x")
    assert again.id == record.id
    with sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(ServiceRequest)) == 1


def test_a_tracking_code_alone_answers_the_status_in_persian(sessions, settings, sender, local):
    request = _intake(sessions)
    with sessions.begin() as session:
        ops.refer(session, request.id, actor="operator")
    sender.drain()
    persian = request.tracking_code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    with sessions.begin() as session:
        record = take_in(session, settings, message_id="q-1", sender="09350000000", text=persian)
    assert record.action == "status_query" and record.request_id == request.id
    sender.drain()
    answer = local.messages()[-1]
    assert answer["receptor"] == "09350000000"
    assert answer["message"] == f"وضعیت درخواست {request.tracking_code}: ارجاع شده."
    (asked,) = _events(sessions, request.id, EventKind.SMS_RECEIVED)
    assert asked.note == persian
    with sessions.begin() as session:
        unknown = take_in(session, settings, message_id="q-2", sender=PHONE, text="1405999999")
    assert unknown.action == "unknown_code"


def test_a_score_after_the_closing_message_is_a_satisfaction_event(sessions, settings, sender):
    request = _intake(sessions)
    with sessions.begin() as session:
        ops.refer(session, request.id, actor="operator")
    with sessions.begin() as session:
        ops.change_status(session, request.id, Status.NOT_ACTIONABLE, actor="operator",
                          reason="duplicate", note="")
    sender.drain()
    with sessions.begin() as session:
        record = take_in(session, settings, message_id="s-1", sender=PHONE, text="۴")
    assert record.action == "satisfaction"
    (event,) = _events(sessions, request.id, EventKind.SATISFACTION)
    assert event.data["score"] == 4 and event.actor == "sms"
    # From a number that got no closing message, a digit is not a score.
    with sessions.begin() as session:
        stray = take_in(session, settings, message_id="s-2", sender="09129999999", text="5")
    assert stray.action == "unmatched"


def test_opt_out_stops_every_later_message_and_start_resumes(sessions, settings, sender, local):
    request = _intake(sessions)
    sender.drain()
    with sessions.begin() as session:
        take_in(session, settings, message_id="o-1", sender=PHONE, text="لغو")
    with sessions.begin() as session:
        ops.refer(session, request.id, actor="operator")
    result = sender.drain()
    with sessions() as session:
        assert session.get(SmsOptOut, PHONE) is not None
    # The confirmation goes; the referral does not.
    assert [m["message"][:12] for m in local.messages()][-1].startswith("دیگر پیامکی")
    assert result.opted_out == 1
    assert [r.status for r in _outbox(sessions)] == ["sent", "sent", "opted_out"]
    with sessions.begin() as session:
        take_in(session, settings, message_id="o-2", sender=PHONE, text="STOP ")
        take_in(session, settings, message_id="o-3", sender=PHONE, text="شروع")
    with sessions.begin() as session:
        ops.change_status(session, request.id, Status.NOT_ACTIONABLE, actor="operator",
                          reason="duplicate")
    sender.drain()
    assert "قابل انجام نیست" in local.messages()[-1]["message"]
    with sessions() as session:
        actions = list(session.scalars(sa.select(SmsInbound.action).order_by(SmsInbound.received_at)))
    assert actions == ["opt_out", "opt_out", "opt_in"]


class _Flaky(LocalProvider):
    """Refuses (retry) twice, then takes the message."""

    def __init__(self, folder, failures):
        super().__init__(folder)
        self.failures = failures

    def send(self, phone, text, local_id):
        from sync.server.sms.provider import GatewayError

        if self.failures:
            self.failures -= 1
            raise GatewayError("409 busy", retry=True, status=409, answer={"status": 409})
        return super().send(phone, text, local_id)


def test_retries_with_backoff_then_sent_and_permanent_refusal_fails(sessions, settings, tmp_path):
    import time

    _intake(sessions)
    flaky = _Flaky(tmp_path / "flaky", failures=2)
    sender = Sender(sessions, flaky, settings)
    assert sender.run_once().retry == 1
    (row,) = _outbox(sessions)
    assert row.status == "pending" and row.attempts == 1 and row.gateway_answer == {"status": 409}
    assert row.next_attempt_at > row.created_at
    for _ in range(50):
        sender.run_once()
        if _outbox(sessions)[0].status == "sent":
            break
        time.sleep(0.02)
    (row,) = _outbox(sessions)
    assert row.status == "sent" and row.attempts == 3

    class _Refusing(LocalProvider):
        def send(self, phone, text, local_id):
            from sync.server.sms.provider import GatewayError

            raise GatewayError("411 receptor", retry=False, status=411, answer={"status": 411})

    _intake(sessions)
    assert Sender(sessions, _Refusing(tmp_path / "r"), settings).run_once().failed == 1
    assert _outbox(sessions)[-1].status == "failed"


def test_an_uncertain_message_is_looked_up_not_sent_again(sessions, settings, local):
    """A sender died after the gateway took the message: once its lease is over the
    next sender finds it by localid and records it, without a second send."""
    import dataclasses
    import time

    _intake(sessions)
    short = dataclasses.replace(settings, lease_seconds=0.05)
    sender = Sender(sessions, local, short)
    (claimed,), _ = sender.claim()
    local.send(claimed.phone, claimed.text, claimed.id)  # ... and then the process died
    time.sleep(0.1)

    class _Counting(LocalProvider):
        sends = 0

        def send(self, phone, text, local_id):
            _Counting.sends += 1
            return super().send(phone, text, local_id)

    result = Sender(sessions, _Counting(local.folder), short).run_once()
    assert (result.found, result.sent, _Counting.sends) == (1, 0, 0)
    (row,) = _outbox(sessions)
    assert row.status == "sent" and row.attempts == 2
    # The dead sender's late answer changes nothing: its claim is gone.
    assert sender._sent(claimed, local.lookup(claimed.id), False) == "lost_lease"
    assert len(_events(sessions, row.request_id, EventKind.SMS_SENT)) == 1


def test_a_status_query_gives_the_clerks_note_only_to_the_requests_own_citizen(sessions, settings, sender, local):
    request = _intake(sessions)
    with sessions.begin() as session:
        ops.change_status(session, request.id, Status.NOT_ACTIONABLE, actor="operator",
                          reason="not_municipal", note="تلفن همراه شاکی ۰۹۱۲۰۰۰۰۰۰۰ است.")
    sender.drain()
    with sessions.begin() as session:
        take_in(session, settings, message_id="p-1", sender="09350000000", text=request.tracking_code)
    sender.drain()
    stranger = local.messages()[-1]
    assert stranger["receptor"] == "09350000000"
    assert "قابل انجام نیست" in stranger["message"] and "خارج از وظایف شهرداری" in stranger["message"]
    assert "تلفن همراه" not in stranger["message"]
    with sessions.begin() as session:
        take_in(session, settings, message_id="p-2", sender="+989121234567", text=request.tracking_code)
    sender.drain()
    own = local.messages()[-1]
    assert own["receptor"] == PHONE and "تلفن همراه شاکی" in own["message"]


def test_a_status_query_for_a_false_report_is_answered_like_an_unknown_code(sessions, settings, sender, local):
    request = _intake(sessions)
    with sessions.begin() as session:
        ops.change_status(session, request.id, Status.NOT_ACTIONABLE, actor="operator",
                          reason="false_report", note="گزارش نادرست بود")
    sender.drain()
    with sessions.begin() as session:
        record = take_in(session, settings, message_id="f-1", sender="09350000000", text=request.tracking_code)
    assert record.action == "unknown_code" and record.request_id is None
    sender.drain()
    answer = local.messages()[-1]
    assert answer["message"] == texts.unknown_code(request.tracking_code)
    assert _events(sessions, request.id, EventKind.SMS_RECEIVED) == []


def test_an_uncertain_message_whose_lookup_fails_stays_uncertain_and_is_not_sent(sessions, settings, local):
    """The lookup answers a retryable error: the message may still be at the gateway,
    so it must not go back to pending (the next round would send it blindly)."""
    import dataclasses
    import time

    from sync.server.sms.provider import GatewayError

    _intake(sessions)
    short = dataclasses.replace(settings, lease_seconds=0.05)
    (claimed,), _ = Sender(sessions, local, short).claim()
    local.send(claimed.phone, claimed.text, claimed.id)  # ... and then the process died
    time.sleep(0.1)

    class _Flaky(LocalProvider):
        sends = 0

        def lookup(self, local_id):
            raise GatewayError("502 bad gateway", retry=True, status=502)

        def send(self, phone, text, local_id):
            _Flaky.sends += 1
            return super().send(phone, text, local_id)

    flaky = Sender(sessions, _Flaky(local.folder), short)
    for _ in range(2):
        result = flaky.run_once()
        time.sleep(0.1)
    assert (result.unknown, result.retry, _Flaky.sends) == (1, 0, 0)
    (row,) = _outbox(sessions)
    assert row.status == "unknown" and "502" in row.last_error


def test_a_message_claimed_by_another_sender_since_is_skipped_not_sent(sessions, settings, local):
    """A round's messages share one lease; when it ran out during the earlier sends
    and another sender claimed the rest, this sender must not send them too."""
    import dataclasses
    import time

    _intake(sessions)
    _intake(sessions)
    short = dataclasses.replace(settings, lease_seconds=0.05)
    slow = Sender(sessions, local, short)
    batch, _ = slow.claim()
    assert len(batch) == 2
    time.sleep(0.1)  # the first send was slow: the batch's lease is over
    taken, _ = Sender(sessions, local, settings).claim()
    assert [m.id for m in taken] == [m.id for m in batch]

    class _Counting(LocalProvider):
        sends = 0

        def send(self, phone, text, local_id):
            _Counting.sends += 1
            return super().send(phone, text, local_id)

    late = Sender(sessions, _Counting(local.folder), short)
    assert [late.deliver(m) for m in batch] == ["lost_lease", "lost_lease"]
    assert _Counting.sends == 0 and local.messages() == []
