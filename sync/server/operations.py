"""What the centre does to requests, and the pieces that office mutations share.

Every write to a request goes through the helpers here, in the caller's transaction:
the row is locked first (:func:`lock_request`), so two writers to one request on
PostgreSQL queue up and each checks the rules (:mod:`sync.rules`) against what the
other committed; the version goes up (:func:`touch`); and the change log gets an
entry per row written, in the same transaction (:mod:`sync.server.changes`).  The
public actions (:func:`intake`, :func:`refer`, :func:`change_status`, :func:`move`)
are the centre's own: its operators act with :attr:`Role.CENTRE`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync import rules
from sync.dates import jalali, utcnow
from sync.protocol import CREW_COLUMNS, EVENT_COLUMNS, REQUEST_COLUMNS
from sync.schema import new_id
from sync.server import models
from sync.server.changes import Entry, log_changes
from sync.server.models import (
    Category,
    Crew,
    District,
    Event,
    Neighbourhood,
    ServiceRequest,
)
from sync.server.tracking import next_codes
from sync.text import clean
from sync.workflow import EventKind, Role, Status


class OperationError(ValueError):
    """A centre action that cannot be done; ``code`` is stable for tools to show."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


# ------------------------------------------------------------------ building blocks


def lock_request(session: Session, request_id: uuid.UUID) -> ServiceRequest | None:
    """The request, locked for the rest of the transaction (``FOR UPDATE`` on
    PostgreSQL; SQLite has one writer at a time anyway), read fresh from the database."""
    return session.scalars(
        sa.select(ServiceRequest)
        .where(ServiceRequest.id == request_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()


def add_event(
    session: Session,
    request: ServiceRequest,
    kind: EventKind,
    *,
    actor: str,
    role: Role | str,
    at: dt.datetime,
    event_id: uuid.UUID | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    office_id: uuid.UUID | None = None,
    client_time: dt.datetime | None = None,
    mutation_id: uuid.UUID | None = None,
) -> Event:
    """Append one history entry, stamped with the centre's clock (``server_time``)."""
    event = Event(
        id=event_id or new_id(), request_id=request.id, kind=kind.value,
        from_status=from_status, to_status=to_status, reason=reason, note=note,
        data=data or {}, actor=actor, actor_role=str(role), office_id=office_id,
        client_time=client_time, server_time=at, mutation_id=mutation_id,
    )
    session.add(event)
    return event


def touch(request: ServiceRequest | Crew, at: dt.datetime) -> None:
    """Every change the centre makes raises the version offices base their edits on."""
    request.version = (request.version or 0) + 1
    request.updated_at = at


def _wire(model: Any, columns: Iterable[str]) -> dict[str, Any]:
    return {column: getattr(model, column) for column in columns}


def request_row(request: ServiceRequest) -> dict[str, Any]:
    """The request as it travels (:data:`~sync.protocol.REQUEST_COLUMNS`)."""
    return _wire(request, REQUEST_COLUMNS)


def event_row(event: Event) -> dict[str, Any]:
    return _wire(event, EVENT_COLUMNS)


def crew_row(crew: Crew) -> dict[str, Any]:
    return _wire(crew, CREW_COLUMNS)


def request_entry(request: ServiceRequest) -> Entry:
    return Entry("request", str(request.id), request.district_code)


def event_entry(event: Event, district_code: str) -> Entry:
    return Entry("event", str(event.id), district_code)


# --------------------------------------------------------------- centre actions


def _centre_event(
    session: Session, request: ServiceRequest, kind: EventKind, actor: str, at: dt.datetime,
    **values: Any,
) -> Event:
    return add_event(session, request, kind, actor=actor, role=Role.CENTRE, at=at,
                     client_time=at, **values)


def _locked(session: Session, request_id: uuid.UUID) -> ServiceRequest:
    request = lock_request(session, request_id)
    if request is None:
        raise OperationError("unknown_request", f"no such request: {request_id}")
    return request


def _check_neighbourhood(session: Session, code: str | None, district_code: str) -> None:
    if code is not None:
        hood = session.get(Neighbourhood, code)
        if hood is None or hood.district_code != district_code:
            raise OperationError("wrong_neighbourhood",
                                 f"{code} is not a neighbourhood of {district_code}")


def intake(
    session: Session,
    *,
    district_code: str,
    category_code: str,
    description: str,
    actor: str,
    channel: str = "phone",
    neighbourhood_code: str | None = None,
    citizen_name: str = "",
    citizen_phone: str | None = None,
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    received_at: dt.datetime | None = None,
) -> ServiceRequest:
    """A request the centre takes in (phone, web, SMS): ``received``, with the next
    tracking code of the year.  Verification is :func:`refer`."""
    at = utcnow()
    received = received_at or at
    if session.get(District, district_code) is None:
        raise OperationError("unknown_district", f"no such district: {district_code}")
    if session.get(Category, category_code) is None:
        raise OperationError("unknown_category", f"no such category: {category_code}")
    _check_neighbourhood(session, neighbourhood_code, district_code)
    (code,) = next_codes(session, jalali(received).year, 1)
    request = ServiceRequest(
        id=new_id(), tracking_code=code, received_at=received, channel=channel,
        district_code=district_code, neighbourhood_code=neighbourhood_code,
        category_code=category_code, description=clean(description),
        citizen_name=clean(citizen_name), citizen_phone=citizen_phone, address=clean(address),
        latitude=latitude, longitude=longitude, status=Status.RECEIVED.value, outcome_note="",
        version=1, updated_at=at,
    )
    session.add(request)
    session.flush()
    event = _centre_event(session, request, EventKind.CREATED, actor, at,
                          to_status=Status.RECEIVED.value, data={"source": channel})
    session.flush()
    log_changes(session, [request_entry(request), event_entry(event, district_code)])
    return request


def change_status(
    session: Session,
    request_id: uuid.UUID,
    target: Status | str,
    *,
    actor: str,
    reason: str | None = None,
    note: str = "",
    due_at: dt.datetime | None = None,
) -> ServiceRequest:
    """A lifecycle move made at the centre (refer, close, take back, reopen).  A
    referral gets a deadline: ``due_at``, or now plus the category's target days."""
    request = _locked(session, request_id)
    source, target = Status(request.status), Status(target)
    try:
        rules.check_status_change(rules.ModelLookup(session, models), request.id, source, target,
                                  Role.CENTRE, reason=reason)
    except rules.RuleError as exc:
        raise OperationError(exc.code, str(exc)) from None
    at = utcnow()
    note = clean(note)
    data: dict[str, Any] = {}
    if target == Status.REFERRED and source == Status.RECEIVED:
        try:
            request.due_at = rules.check_due(due_at, at) if due_at is not None else \
                rules.default_due(at, session.get(Category, request.category_code).target_days)  # type: ignore[union-attr]
        except rules.RuleError as exc:
            raise OperationError(exc.code, str(exc)) from None
        data["due_at"] = request.due_at.isoformat()
    event = _centre_event(session, request, EventKind.STATUS, actor, at, from_status=source.value,
                          to_status=target.value, reason=reason, note=note, data=data)
    rules.project_status(request, target, at=at, reason=reason, note=note)
    touch(request, at)
    session.flush()
    log_changes(session, [request_entry(request), event_entry(event, request.district_code)])
    return request


def refer(session: Session, request_id: uuid.UUID, *, actor: str, note: str = "",
          due_at: dt.datetime | None = None) -> ServiceRequest:
    """The centre verified a received request: it goes to its district's offices,
    with a deadline (``due_at``, or now plus the category's target days)."""
    return change_status(session, request_id, Status.REFERRED, actor=actor, note=note,
                         due_at=due_at)


def moved_entries(session: Session, request: ServiceRequest, old_district: str) -> list[Entry]:
    """The change log of a request that left ``old_district``: ``moved_out`` there,
    and the request with its whole history for its new district's offices."""
    event_ids = session.scalars(sa.select(Event.id).where(Event.request_id == request.id))
    return [Entry("request", str(request.id), old_district, op="moved_out"),
            request_entry(request),
            *(Entry("event", str(event_id), request.district_code) for event_id in event_ids)]


def move(
    session: Session,
    request_id: uuid.UUID,
    district_code: str,
    *,
    actor: str,
    neighbourhood_code: str | None = None,
    note: str = "",
) -> ServiceRequest:
    """Refer a request to another district (the centre's decision alone).

    Work the old district's crew had is taken back first (the crew is the old
    district's), so the request arrives at the new district's desk as ``referred``.
    The old district's offices are told ``moved_out``; the new district's get the
    request and its whole history (sync.md, "Partial replication")."""
    request = _locked(session, request_id)
    old = request.district_code
    if district_code == old:
        raise OperationError("same_district", f"the request is already in {district_code}")
    if session.get(District, district_code) is None:
        raise OperationError("unknown_district", f"no such district: {district_code}")
    _check_neighbourhood(session, neighbourhood_code, district_code)
    at = utcnow()
    source = Status(request.status)
    if source in (Status.ASSIGNED, Status.IN_PROGRESS):
        rules.check_move(source, Status.REFERRED, Role.CENTRE)
        _centre_event(session, request, EventKind.STATUS, actor, at, from_status=source.value,
                      to_status=Status.REFERRED.value, note="")
        rules.project_status(request, Status.REFERRED, at=at)
    _centre_event(session, request, EventKind.MOVED, actor, at, from_status=request.status,
                  to_status=request.status, note=clean(note),
                  data={"from_district": old, "to_district": district_code})
    request.district_code = district_code
    request.neighbourhood_code = neighbourhood_code
    touch(request, at)
    session.flush()
    log_changes(session, moved_entries(session, request, old))
    return request
