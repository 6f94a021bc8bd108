"""What a citizen's SMS becomes, in the transaction that takes it in.

* a tracking code alone (Persian or Latin digits) — the request's status, answered
  in Persian; the question and the answer join the request's history;
* a digit 1–5 — the citizen's score for the request whose closing message last
  went to that number (within :data:`SCORE_DAYS`): a ``satisfaction`` event, which
  offices pull like any event and the summary reports count;
* «لغو» / stop — no more messages to that number (``شروع`` / start undoes it);
* anything else — a new request, ``received`` on the ``sms`` channel with the
  sender's number, in the configured district (default: the first by code) and
  category (default ``other``) for the centre to verify and correct: the text
  rarely says where.  Its registration message gives the tracking code.

The gateway's message id is unique: a callback the gateway repeats is taken once.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync.dates import utcnow
from sync.server import operations as ops
from sync.server.changes import log_changes
from sync.server.models import District, ServiceRequest, SmsInbound, SmsOptOut, SmsOutbox
from sync.server.open311.georeport import shown
from sync.server.sms import texts
from sync.server.sms.notify import queue
from sync.server.sms.outbox import ACTOR
from sync.server.sms.settings import SmsSettings
from sync.text import clean
from sync.workflow import EventKind, Role

#: A score answers the closing message of the last this many days.
SCORE_DAYS = 30
#: The longest SMS text kept (a long SMS is at most a few hundred characters).
TEXT_LIMIT = 2000


def default_district(session: Session, settings: SmsSettings) -> str:
    if settings.district:
        return settings.district
    code = session.scalar(sa.select(District.code).order_by(District.code).limit(1))
    if code is None:
        raise ops.OperationError("unknown_district", "the centre has no districts: load the reference data")
    return code


def _event(session: Session, request: ServiceRequest, kind: EventKind, at: dt.datetime,
           **values: object) -> None:
    event = ops.add_event(session, request, kind, actor=ACTOR, role=Role.CENTRE, at=at,
                          client_time=at, **values)  # type: ignore[arg-type]
    session.flush()
    log_changes(session, [ops.event_entry(event, request.district_code)])


def _find(session: Session, code: str) -> ServiceRequest | None:
    """The request a status query names, unless it is hidden from the public (closed
    as a false report): that one is answered like an unknown code."""
    return session.scalars(sa.select(ServiceRequest).where(
        ServiceRequest.tracking_code == code, shown())).one_or_none()


def take_in(session: Session, settings: SmsSettings, *, message_id: str, sender: str,
            text: str, line: str = "", at: dt.datetime | None = None) -> SmsInbound:
    """Record one SMS and act on it; a message id seen before returns its first record."""
    seen = session.scalars(sa.select(SmsInbound).where(SmsInbound.gateway_message_id == message_id)).first()
    if seen is not None:
        return seen
    at = at or utcnow()
    text = clean(text)[:TEXT_LIMIT]
    phone = texts.phone_key(sender)
    record = SmsInbound(id=uuid.uuid4(), gateway_message_id=message_id, phone=phone or clean(sender)[:20],
                        line=clean(line)[:20], text=text, received_at=at, action="", request_id=None)
    session.add(record)
    kind, value = texts.classify(text)

    def reply(body: str, purpose: str, request_id: uuid.UUID | None = None) -> None:
        if phone is not None:
            queue(session, phone, body, purpose, request_id=request_id, at=at)

    if kind == "opt_out":
        record.action = "opt_out"
        if phone is not None and session.get(SmsOptOut, phone) is None:
            session.add(SmsOptOut(phone=phone, at=at, inbound_id=record.id))
        reply(texts.opted_out(), "opt_out")
    elif kind == "opt_in":
        record.action = "opt_in"
        if phone is not None:
            session.execute(sa.delete(SmsOptOut).where(SmsOptOut.phone == phone))
        reply(texts.opted_in(), "opt_in")
    elif kind == "code":
        request = _find(session, value)
        if request is None:
            record.action = "unknown_code"
            reply(texts.unknown_code(value), "status_reply")
        else:
            record.action, record.request_id = "status_query", request.id
            _event(session, request, EventKind.SMS_RECEIVED, at, note=text,
                   data={"inbound_id": str(record.id), "action": "status_query"})
            reason = ops.session_reason_name(session, request.outcome_reason)
            # Anyone may ask by code; the clerk's own words go only to the citizen who asked for it.
            own = phone is not None and texts.phone_key(request.citizen_phone) == phone
            reply(texts.status_reply(request.tracking_code, request.status, reason,
                                     request.outcome_note if own else ""),
                  "status_reply", request.id)
    elif kind == "score" and phone is not None and (request := _scored(session, phone, at)) is not None:
        record.action, record.request_id = "satisfaction", request.id
        score = int(value)
        _event(session, request, EventKind.SATISFACTION, at, note=text,
               data={"score": score, "inbound_id": str(record.id)})
        reply(texts.thanks(request.tracking_code, score), "satisfaction_thanks", request.id)
    elif kind == "score":
        record.action = "unmatched"
        reply(texts.unmatched_score(), "help")
    else:
        request = ops.intake(session, district_code=default_district(session, settings),
                             category_code=settings.category, description=value or text,
                             actor=ACTOR, channel="sms", citizen_phone=phone or None, received_at=at)
        record.action, record.request_id = "new_request", request.id
        _event(session, request, EventKind.SMS_RECEIVED, at, note=text,
               data={"inbound_id": str(record.id), "action": "new_request"})
    return record


def _scored(session: Session, phone: str, at: dt.datetime) -> ServiceRequest | None:
    """The request whose closing message last went to ``phone``, lately."""
    request_id = session.scalar(
        sa.select(SmsOutbox.request_id).where(
            SmsOutbox.phone == phone, SmsOutbox.purpose == "closed",
            SmsOutbox.created_at >= at - dt.timedelta(days=SCORE_DAYS))
        .order_by(SmsOutbox.id.desc()).limit(1))
    return ops.lock_request(session, request_id) if request_id else None


def record_delivery(session: Session, message_id: str, status: str) -> bool:
    """A delivery report: kept with the gateway's answer of the message it is about."""
    row = session.scalars(sa.select(SmsOutbox).where(SmsOutbox.gateway_message_id == message_id)
                          .with_for_update()).first()
    if row is None:
        return False
    row.gateway_answer = {**(row.gateway_answer or {}),
                          "delivery": {"status": status, "at": utcnow().isoformat()}}
    return True
