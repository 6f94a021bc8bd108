"""One request as its form shows it: the fields with every code already turned into
names, and its history, read in one go on the database thread.

The request form must never hold an ORM object (a lazy attribute would query the
database on the GUI thread), so this read hands back frozen dataclasses only: a
:class:`RequestSnapshot` with its :class:`HistoryEntry` s.  The history merges the
request's events (what travels to the centre) with the office's audit entries for
its photos (kept at this office only, :mod:`desktop_app.services.attachments`),
ordered by time, so the form shows one story without knowing where each part lives.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from desktop_app.errors import ServiceError
from desktop_app.services.attachments import AUDIT_ADDED, AUDIT_CHANGED, AUDIT_REMOVED
from desktop_app.services.office import Store
from desktop_app.store import models as m
from desktop_app.store.reference import Lookup
from sync.workflow import Status

#: A name in Persian and in English (:func:`desktop_app.ui.messages.local_name`).
Names = tuple[str, str]
_EPOCH = dt.datetime.min.replace(tzinfo=dt.UTC)


def _instant(text: object) -> dt.datetime | None:
    """An instant an event's data holds as ISO text, or ``None``."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class HistoryEntry:
    """One event, with every code already turned into a name."""

    moment: dt.datetime | None
    actor: str
    actor_role: str
    kind: str
    from_status: str | None
    to_status: str | None
    reason: Names | None
    note: str
    crew: str
    previous_crew: str
    original_code: str
    edited: tuple[str, ...]
    # The centre has not accepted it yet (``server_time`` is empty).
    pending: bool
    # The attachment an ``attachment_added``/``attachment_removed`` entry is about.
    filename: str = ""
    # From the office's audit log: it never goes to the centre.
    office_only: bool = False
    # A repeat call's phone, a note's purpose (``ask_citizen``), a move's districts
    # and a referral's deadline, from the event's data.
    phone: str = ""
    purpose: str = ""
    from_district: Names | None = None
    to_district: Names | None = None
    due_at: dt.datetime | None = None
    # ``created``: the channel the request came by (``sms``, ``phone`` …), named.
    channel: Names | None = None
    # ``satisfaction``: the citizen's 1-5 answer to the closing SMS.
    score: int | None = None
    # ``sms_sent`` / ``sms_received``: what the message was (``registered``,
    # ``closed``, ``status_query`` …; data ``purpose`` or ``action``).
    sms_purpose: str = ""
    # A photo's kind and internal mark as added or changed to ("": not said, entries
    # from before kinds; ``None``: the mark did not change).
    photo_kind: str = ""
    photo_internal: bool | None = None


@dataclass(frozen=True)
class RequestSnapshot:
    """Everything the form shows, read in one go on the database thread."""

    id: uuid.UUID
    tracking_code: str
    status: Status
    received_at: dt.datetime
    district_code: str
    neighbourhood_code: str | None
    category_code: str
    channel: Names | None
    district: Names | None
    neighbourhood: Names | None
    category: Names | None
    description: str
    citizen_name: str
    citizen_phone: str
    address: str
    latitude: float | None
    longitude: float | None
    crew: str
    crew_supervisor: str
    assigned_at: dt.datetime | None
    closed_at: dt.datetime | None
    outcome_reason: Names | None
    outcome_note: str
    original_code: str
    # Local changes of this request the centre has not answered yet.
    waiting: int
    history: tuple[HistoryEntry, ...]
    #: The deadline the centre set at referral (``None`` while not referred).
    due_at: dt.datetime | None = None


def _score(value: object) -> int | None:
    return value if isinstance(value, int) and 1 <= value <= 5 else None


def load_request(store: Store, request_id: uuid.UUID) -> RequestSnapshot:
    """Read one request and its history (runs on the database thread).

    Raises :class:`ServiceError` ``unknown_request`` when the office no longer has it
    (the centre moved it to another district)."""
    with store.sessions() as session:
        request = session.get(m.ServiceRequest, request_id)
        if request is None:
            raise ServiceError("unknown_request", f"no such request: {request_id}", id=request_id)
        names = Lookup(session)
        events = session.scalars(
            sa.select(m.Event).where(m.Event.request_id == request_id)
            .order_by(sa.func.coalesce(m.Event.client_time, m.Event.server_time), m.Event.id)
        ).all()
        crews = {c.id: c for c in session.scalars(sa.select(m.Crew))}
        users = session.execute(sa.select(m.User.username, m.User.display_name, m.User.role)).all()
        people = {u.username: u.display_name for u in users}
        roles = {u.username: u.role for u in users}
        photo_trail = session.scalars(
            sa.select(m.AuditEntry).where(
                m.AuditEntry.entity == "request", m.AuditEntry.entity_key == str(request_id),
                m.AuditEntry.action.in_((AUDIT_ADDED, AUDIT_REMOVED, AUDIT_CHANGED)))
        ).all()
        linked = {uuid.UUID(e.data["duplicate_of"]) for e in events if e.data.get("duplicate_of")}
        if request.duplicate_of:
            linked.add(request.duplicate_of)
        codes = dict(session.execute(
            sa.select(m.ServiceRequest.id, m.ServiceRequest.tracking_code)
            .where(m.ServiceRequest.id.in_(linked))
        ).all()) if linked else {}
        waiting = session.scalar(sa.select(sa.func.count()).select_from(m.OutboxEntry)
                                 .where(m.OutboxEntry.entity_id == request_id)) or 0
        crew_names = {str(crew_id): crew.name for crew_id, crew in crews.items()}

        history = tuple(
            HistoryEntry(
                moment=e.client_time or e.server_time,
                actor=people.get(e.actor, e.actor),
                actor_role=e.actor_role,
                kind=e.kind,
                from_status=e.from_status,
                to_status=e.to_status,
                reason=names.reasons.get(e.reason) if e.reason else None,
                note=e.note or "",
                crew=e.data.get("crew_name") or crew_names.get(str(e.data.get("crew_id")), ""),
                previous_crew=crew_names.get(str(e.data.get("previous_crew_id")), ""),
                original_code=codes.get(uuid.UUID(e.data["duplicate_of"]), "")
                if e.data.get("duplicate_of") else "",
                edited=tuple(e.data.get("edited", ())),
                pending=e.server_time is None,
                phone=str(e.data.get("phone") or ""),
                purpose=str(e.data.get("purpose") or ""),
                from_district=names.districts.get(e.data.get("from_district") or ""),
                to_district=names.districts.get(e.data.get("to_district")
                                                or e.data.get("district_code") or ""),
                due_at=_instant(e.data.get("due_at")),
                channel=names.channels.get(e.data.get("source")) if e.data.get("source") else None,
                score=_score(e.data.get("score")),
                sms_purpose=str(e.data.get("purpose") or e.data.get("action") or ""),
            )
            for e in events
        ) + tuple(
            HistoryEntry(
                moment=a.at, actor=people.get(a.actor, a.actor), actor_role=roles.get(a.actor, ""),
                kind=a.action, from_status=None, to_status=None, reason=None, note="", crew="",
                previous_crew="", original_code="", edited=(), pending=False,
                # Not "kept at this office": photos travel with the sync now.
                filename=a.details.get("filename", ""), office_only=False,
                photo_kind=a.details.get("kind", "") if a.action != AUDIT_REMOVED else "",
                photo_internal={"true": True, "false": False}.get(a.details.get("internal", "")),
            )
            for a in photo_trail
        )
        # Stable: events keep their order among themselves, photos join by time.
        history = tuple(sorted(history, key=lambda h: h.moment or _EPOCH))
        crew = crews.get(request.crew_id) if request.crew_id else None
        return RequestSnapshot(
            id=request.id, tracking_code=request.tracking_code, status=Status(request.status),
            received_at=request.received_at, district_code=request.district_code,
            neighbourhood_code=request.neighbourhood_code, category_code=request.category_code,
            channel=names.channels.get(request.channel),
            district=names.districts.get(request.district_code),
            neighbourhood=names.neighbourhoods.get(request.neighbourhood_code),
            category=names.categories.get(request.category_code),
            description=request.description or "", citizen_name=request.citizen_name or "",
            citizen_phone=request.citizen_phone or "", address=request.address or "",
            latitude=request.latitude, longitude=request.longitude,
            crew=crew.name if crew else "", crew_supervisor=crew.supervisor if crew else "",
            assigned_at=request.assigned_at, closed_at=request.closed_at,
            outcome_reason=names.reasons.get(request.outcome_reason) if request.outcome_reason
            else None,
            outcome_note=request.outcome_note or "",
            original_code=codes.get(request.duplicate_of, "") if request.duplicate_of else "",
            waiting=waiting, history=history, due_at=request.due_at,
        )
