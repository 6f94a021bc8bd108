"""The one hook: every event the centre records passes here (from
:func:`sync.server.operations.add_event`, in the transaction that records it), and
the events a citizen is told about queue their message in that same transaction.
So a request registered by phone, Open311, SMS or an office's walk-in, referred,
moved, closed or reopened notifies the citizen — by whatever path it was made —
and a rolled-back change sends nothing.

Nothing here flushes the session: the hook runs inside handlers that check before
they write (:mod:`sync.server.mutations`); it reads reference names only, with
autoflush off.  Whether the number opted out is decided when the message goes
(:mod:`.outbox`), so that an opt-out between the two is honoured.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.orm import Session

from sync.dates import utcnow
from sync.server.models import District, Event, Reason, ServiceRequest, SmsOutbox
from sync.server.sms import texts
from sync.workflow import EventKind, Status


def queue(session: Session, phone: str, text: str, purpose: str, *,
          request_id: uuid.UUID | None = None, event_id: uuid.UUID | None = None,
          at: dt.datetime | None = None) -> SmsOutbox:
    """Put one message in the outbox (the caller's transaction commits it)."""
    at = at or utcnow()
    row = SmsOutbox(phone=phone, text=text, purpose=purpose, request_id=request_id,
                    event_id=event_id, status="pending", attempts=0, created_at=at,
                    next_attempt_at=at, last_error="")
    session.add(row)
    return row


def _district_name(session: Session, code: str | None) -> str:
    district = session.get(District, code) if code else None
    return district.name_fa if district is not None else "ناحیه"


def _reason_name(session: Session, code: str | None) -> str | None:
    reason = session.get(Reason, code) if code else None
    return reason.name_fa if reason is not None else code


def message_for(session: Session, request: ServiceRequest, event: Event) -> tuple[str, str] | None:
    """``(purpose, text)`` of the citizen's message about ``event``, or ``None``."""
    code = request.tracking_code
    kind, target = event.kind, event.to_status
    if kind == EventKind.CREATED:
        return "registered", texts.registered(code)
    if kind == EventKind.STATUS and target == Status.REFERRED:
        if event.from_status == Status.RECEIVED:
            return "referred", texts.referred(code, _district_name(session, request.district_code))
        if event.from_status in (Status.DONE, Status.NOT_ACTIONABLE):
            return "reopened", texts.reopened(code)
        return None  # work taken back from a crew: the district's own business
    if kind == EventKind.STATUS and target in (Status.DONE, Status.NOT_ACTIONABLE):
        return "closed", texts.closed(code, target, _reason_name(session, event.reason), event.note)
    if kind == EventKind.MOVED and event.from_status != Status.RECEIVED:
        # Referred again, to another district (before verification a move is only
        # the centre putting the request where it belongs: the referral tells).
        to = (event.data or {}).get("to_district")
        return "referred", texts.referred(code, _district_name(session, to))
    return None


def on_event(session: Session, request: ServiceRequest, event: Event) -> None:
    """Queue the citizen's message about ``event``, if there is one and a mobile
    number to send it to."""
    if event.kind in (EventKind.SMS_SENT, EventKind.SMS_RECEIVED, EventKind.SATISFACTION):
        return
    phone = texts.phone_key(request.citizen_phone)
    if phone is None:
        return
    with session.no_autoflush:
        found = message_for(session, request, event)
    if found is not None:
        purpose, text = found
        queue(session, phone, text, purpose, request_id=request.id, event_id=event.id,
              at=event.server_time)
