"""What a district office does to requests: the use cases behind every button.

Each public method of :class:`Desk` is one user action and one transaction: the
change to the request, its history event and its outbox entry are written together
or not at all (DESIGN.md, "Sync, in one paragraph").  Every check is the rule book's
(:mod:`sync.rules`), the one the centre applies to what the office pushes, so a
change the office allows is one the centre accepts — unless the centre's copy
changed meanwhile, which sync settles.  Each method returns what it changed
(:class:`Changes`, or a result carrying them), never a database row.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.errors import FieldProblem, ServiceError, ValidationFailed
from desktop_app.services.sync_state import stored_identity
from desktop_app.store import models as m
from sync import rules
from sync.dates import jalali, utcnow
from sync.protocol import (
    AddNotePayload,
    AssignPayload,
    ChangeStatusPayload,
    CreateRequestPayload,
    EditRequestPayload,
    Op,
    UpsertCrewPayload,
    Wire,
    WorkOrderIssuedPayload,
)
from sync.rules import CITIZEN_NAME_LENGTH, EDIT_ROLES, EDITABLE_STATUSES, RuleError, may_edit
from sync.schema import new_id
from sync.text import clean, search_text
from sync.workflow import EventKind, Role, Status

__all__ = ["CITIZEN_NAME_LENGTH", "EDITABLE_STATUSES", "EDIT_ROLES", "Actor", "Changes",
           "CrewSaved", "Desk", "Registered", "WalkIn", "may_edit"]

@dataclass(frozen=True)
class Actor:
    """Who is working: every event and outbox entry carries it."""

    username: str
    role: Role
    display_name: str = ""
    office_id: uuid.UUID | None = None
    #: The office's number from enrolment; 0 before enrolment (the demo).
    office_number: int = 0


@dataclass
class WalkIn:
    """The walk-in form, as typed (any digits, any ی/ي)."""

    citizen_name: str = ""
    citizen_phone: str = ""
    district_code: str = ""
    neighbourhood_code: str = ""
    category_code: str = ""
    description: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> WalkIn:
        """The form filled from a request's wire row (a refused walk-in registered again)."""
        return cls(**{f.name: f.default if row.get(f.name) is None else row[f.name]
                      for f in fields(cls)})


@dataclass
class Changes:
    """What an action changed, for views to refresh themselves (Anki's OpChanges)."""

    request_ids: list[uuid.UUID] = field(default_factory=list)
    crews: bool = False

    def __bool__(self) -> bool:
        return bool(self.request_ids) or self.crews


@dataclass(frozen=True)
class Registered:
    """A walk-in just registered: its tracking code is final, to give the citizen."""

    id: uuid.UUID
    tracking_code: str
    status: Status
    category_code: str
    neighbourhood_code: str
    changes: Changes


@dataclass(frozen=True)
class CrewSaved:
    id: uuid.UUID
    changes: Changes


#: ``Session.info`` key: the actor's role, once checked in this transaction.
_ROLE_CHECKED = "daftar_acting_role"


def is_centre_session(session: Session) -> bool:
    """Whether the office is the centre's desk (enrolled with every district)."""
    with session.no_autoflush:
        identity = stored_identity(session)
    return identity is not None and identity.all_districts


def _refused(error: RuleError, **params: object) -> ServiceError:
    """The desk's error for a change the rule book refuses."""
    if error.field is not None:
        return ValidationFailed([_problem(error)])
    return ServiceError(error.code, str(error), **params, **error.params)


def _problem(error: RuleError) -> FieldProblem:
    return FieldProblem(error.field or "", error.code, str(error))


def _request_row(request: m.ServiceRequest) -> dict[str, Any]:
    """The wire form of a request's columns (a create mutation's payload)."""
    out: dict[str, Any] = {}
    for column in m.ServiceRequest.__table__.columns:
        if column.key == "search_text":
            continue
        value = getattr(request, column.key)
        if isinstance(value, uuid.UUID):
            value = str(value)
        elif isinstance(value, dt.datetime):
            value = value.isoformat()
        out[column.key] = value
    return out


class Desk:
    """The office's use cases, for one signed-in person."""

    def __init__(self, sessions: sessionmaker[Session], actor: Actor):
        self.sessions = sessions
        self.actor = actor

    # ---------------------------------------------------------------- helpers

    def _role(self, session: Session) -> Role:
        """The actor's role, if they may act at this office: a centre user only at the
        centre's office (``centre_user_at_district_office`` anywhere else).  Asked
        once per transaction (a bulk action writes hundreds of events)."""
        known = session.info.get(_ROLE_CHECKED)
        if known is not None:
            return known
        try:
            role = rules.office_role(self.actor.role, centre_office=is_centre_session(session))
        except RuleError as exc:
            raise _refused(exc) from None
        session.info[_ROLE_CHECKED] = role
        return role

    def _event(self, session: Session, request: m.ServiceRequest, kind: EventKind, *,
               now: dt.datetime, **values: Any) -> m.Event:
        # Every request action writes an event: here the office refuses who may not act.
        self._role(session)
        event = m.Event(
            id=new_id(), request_id=request.id, kind=kind.value, actor=self.actor.username,
            actor_role=self.actor.role.value, office_id=self.actor.office_id,
            client_time=now, data=values.pop("data", {}), **values,
        )
        session.add(event)
        return event

    def _outbox(self, session: Session, op: Op, entity_id: uuid.UUID, *, now: dt.datetime,
                base_version: int | None, payload: Wire, entity: str = "request") -> None:
        session.add(m.OutboxEntry(**self._outbox_row(op, entity_id, now=now,
                                                     base_version=base_version, payload=payload,
                                                     entity=entity)))

    def _outbox_row(self, op: Op, entity_id: uuid.UUID, *, now: dt.datetime,
                    base_version: int | None, payload: Wire,
                    entity: str = "request") -> dict[str, Any]:
        """An outbox entry's columns (for a bulk insert, or :meth:`_outbox`)."""
        return {"mutation_id": new_id(), "entity": entity, "entity_id": entity_id,
                "op": op.value, "base_version": base_version,
                "payload": payload.model_dump(mode="json"), "created_at": now,
                "actor": self.actor.username, "attempts": 0}

    def _event_row(self, event_id: uuid.UUID, request_id: uuid.UUID, kind: EventKind, *,
                   now: dt.datetime, from_status: str | None = None,
                   to_status: str | None = None, reason: str | None = None, note: str = "",
                   data: dict[str, Any] | None = None) -> dict[str, Any]:
        """A history entry's columns, for a bulk insert (the actor checked already)."""
        return {"id": event_id, "request_id": request_id, "kind": kind.value,
                "from_status": from_status, "to_status": to_status, "reason": reason,
                "note": note, "data": data or {}, "actor": self.actor.username,
                "actor_role": self.actor.role.value, "office_id": self.actor.office_id,
                "client_time": now, "server_time": None, "mutation_id": None}

    @staticmethod
    def _lookup(session: Session) -> rules.Lookup:
        return rules.ModelLookup(session, m)

    def _load(self, session: Session, request_ids: Iterable[uuid.UUID]) -> list[m.ServiceRequest]:
        ids = list(request_ids)
        rows = session.scalars(sa.select(m.ServiceRequest).where(m.ServiceRequest.id.in_(ids))).all()
        found = {r.id: r for r in rows}
        missing = [i for i in ids if i not in found]
        if missing:
            raise ServiceError("unknown_request", f"no such request: {missing[0]}", id=missing[0])
        return [found[i] for i in ids]

    def _move(self, session: Session, request: m.ServiceRequest, target: Status, *,
              now: dt.datetime, reason: str | None = None, note: str = "",
              duplicate_of: uuid.UUID | None = None) -> None:
        source = Status(request.status)
        role = self._role(session)
        try:
            rules.check_status_change(self._lookup(session), request.id, source, target, role,
                                      reason=reason, duplicate_of=duplicate_of)
        except RuleError as exc:
            raise _refused(exc, tracking_code=request.tracking_code) from None
        note = clean(note)
        event = self._event(
            session, request, EventKind.STATUS, now=now, from_status=source.value,
            to_status=target.value, reason=reason, note=note,
            data={"duplicate_of": str(duplicate_of)} if duplicate_of else {},
        )
        rules.project_status(request, target, at=now, reason=reason, note=note,
                             duplicate_of=duplicate_of)
        if source == Status.RECEIVED and target == Status.REFERRED and request.due_at is None:
            # As at the centre: a referral gets the category's deadline.
            request.due_at = rules.default_due(now, self._target_days(session, request.category_code))
        request.updated_at = now
        self._outbox(session, Op.CHANGE_STATUS, request.id, now=now, base_version=request.version,
                     payload=ChangeStatusPayload(event_id=event.id, from_status=source,
                                                 to_status=target, reason=reason, note=note,
                                                 duplicate_of=duplicate_of))

    # --------------------------------------------------------------- actions

    def change_status(self, request_ids: Sequence[uuid.UUID], target: Status | str, *,
                      reason: str | None = None, note: str = "",
                      duplicate_of: uuid.UUID | None = None) -> Changes:
        """Start, finish, close as not actionable, take back or reopen — for one
        request or many, all or nothing."""
        try:
            note = rules.check_note(note, required=False)
        except RuleError as exc:
            raise _refused(exc) from None
        now = utcnow()
        with self.sessions.begin() as session:
            for request in self._load(session, request_ids):
                self._move(session, request, Status(target), now=now, reason=reason, note=note,
                           duplicate_of=duplicate_of)
        return Changes(list(request_ids))

    def assign(self, request_ids: Sequence[uuid.UUID], crew_id: uuid.UUID) -> Changes:
        """Give requests to a crew: referred ones become assigned, assigned or
        in-progress ones change crew.  One transaction for the whole selection."""
        now = utcnow()
        with self.sessions.begin() as session:
            role = self._role(session)
            try:
                rules.check_assigner(role)
            except RuleError as exc:
                raise _refused(exc) from None
            crew = session.get(m.Crew, crew_id)
            if crew is None or not crew.active:
                raise ServiceError("unknown_crew", "no such active crew", crew_id=crew_id)
            for request in self._load(session, request_ids):
                source = Status(request.status)
                try:
                    rules.check_crew_for(request.district_code, crew.district_code, crew.active)
                    request.status = rules.assigned_status(source, role).value
                except RuleError as exc:
                    raise _refused(exc, tracking_code=request.tracking_code) from None
                event = self._event(
                    session, request, EventKind.ASSIGNED, now=now, from_status=source.value,
                    to_status=request.status,
                    data={"crew_id": str(crew.id), "crew_name": crew.name,
                          "previous_crew_id": str(request.crew_id) if request.crew_id else None},
                )
                request.crew_id = crew.id
                request.assigned_at = now
                request.updated_at = now
                self._outbox(session, Op.ASSIGN, request.id, now=now, base_version=request.version,
                             payload=AssignPayload(event_id=event.id, crew_id=crew.id,
                                                   from_status=source))
        return Changes(list(request_ids))

    def add_note(self, request_id: uuid.UUID, note: str) -> Changes:
        try:
            text = rules.check_note(note)
        except RuleError as exc:
            raise _refused(exc) from None
        now = utcnow()
        with self.sessions.begin() as session:
            (request,) = self._load(session, [request_id])
            event = self._event(session, request, EventKind.NOTE, now=now, note=text)
            self._outbox(session, Op.ADD_NOTE, request.id, now=now, base_version=request.version,
                         payload=AddNotePayload(event_id=event.id, note=text))
        return Changes([request_id])

    def record_work_orders_issued(self, request_ids: Sequence[uuid.UUID]) -> Changes:
        """Printing a work order is an event the centre hears of."""
        now = utcnow()
        with self.sessions.begin() as session:
            for request in self._load(session, request_ids):
                event = self._event(session, request, EventKind.WORK_ORDER_ISSUED, now=now)
                self._outbox(session, Op.WORK_ORDER_ISSUED, request.id, now=now,
                             base_version=request.version,
                             payload=WorkOrderIssuedPayload(event_id=event.id))
        return Changes(list(request_ids))

    def edit(self, request_id: uuid.UUID, **changes: Any) -> Changes:
        """Correct plain fields (phone, address, description …) of an open request,
        by the rule book's field rules, every problem tied to its field.  The outbox
        entry carries the values edited *from*, so the centre can tell a stale edit."""
        try:
            rules.check_editable(changes)
        except RuleError as exc:
            raise _refused(exc) from None
        now = utcnow()
        with self.sessions.begin() as session:
            (request,) = self._load(session, [request_id])
            try:
                rules.check_edit(self.actor.role, request.status)
            except RuleError as exc:
                raise _refused(exc, tracking_code=request.tracking_code) from None
            values, problems = rules.check_request_edit(changes, self._lookup(session),
                                                        district_code=request.district_code)
            if problems:
                raise ValidationFailed([_problem(p) for p in problems])
            base = {k: getattr(request, k) for k in values}
            changed = {k: v for k, v in values.items() if base[k] != v}
            if not changed:
                return Changes()
            for key, value in changed.items():
                setattr(request, key, value)
            request.updated_at = now
            request.search_text = self._search_text(request)
            event = self._event(session, request, EventKind.NOTE, now=now,
                                data={"edited": sorted(changed)})
            self._outbox(session, Op.EDIT_REQUEST, request.id, now=now, base_version=request.version,
                         payload=EditRequestPayload(event_id=event.id, changes=changed,
                                                    base={k: base[k] for k in changed}))
        return Changes([request_id])

    # -------------------------------------------------------------- walk-ins

    @staticmethod
    def _search_text(request: m.ServiceRequest) -> str:
        return search_text(request.tracking_code, request.citizen_name, request.citizen_phone,
                           request.address, request.description)

    def _check_walk_in(self, session: Session, form: WalkIn) -> tuple[dict[str, Any], list[RuleError]]:
        values = {k: v for k, v in vars(form).items() if k != "district_code"}
        return rules.check_walk_in(values, self._lookup(session), district_code=form.district_code)

    def validate_walk_in(self, session: Session, form: WalkIn) -> list[FieldProblem]:
        """What is wrong with the walk-in form as typed, each problem tied to its field."""
        return [_problem(p) for p in self._check_walk_in(session, form)[1]]

    @staticmethod
    def _target_days(session: Session, category_code: str) -> int:
        category = session.get(m.Category, category_code)
        return category.target_days if category is not None else 0

    def _next_walk_in_code(self, session: Session, now: dt.datetime) -> str:
        year = jalali(now).year
        counter = session.get(m.WalkInSerial, year)
        if counter is None:
            counter = m.WalkInSerial(year=year, serial=0)
            session.add(counter)
        counter.serial += 1
        return f"{year}-{self.actor.office_number}-{counter.serial}"

    def register_walk_in(self, form: WalkIn) -> Registered:
        """A citizen at the counter.  The new request's tracking code is final
        (office-numbered), so the citizen can be given it at once, offline."""
        now = utcnow()
        with self.sessions.begin() as session:
            values, problems = self._check_walk_in(session, form)
            if problems:
                raise ValidationFailed([_problem(p) for p in problems])
            request = m.ServiceRequest(
                id=new_id(), tracking_code=self._next_walk_in_code(session, now), received_at=now,
                channel="walk_in",
                district_code=self._lookup(session).district_of(values["neighbourhood_code"]),
                **values,
                # Registered at the district that will act on it: no referral needed.
                status=Status.REFERRED.value, outcome_note="", version=0, updated_at=now,
                due_at=rules.default_due(now, self._target_days(session, values["category_code"])),
            )
            request.search_text = self._search_text(request)
            session.add(request)
            session.flush()
            event = self._event(session, request, EventKind.CREATED, now=now,
                                to_status=request.status, data={"source": "walk_in"})
            self._outbox(session, Op.CREATE_REQUEST, request.id, now=now, base_version=None,
                         payload=CreateRequestPayload(event_id=event.id,
                                                      request=_request_row(request)))
            return Registered(request.id, request.tracking_code, Status(request.status),
                              request.category_code, request.neighbourhood_code,
                              Changes([request.id]))

    # ----------------------------------------------------------------- crews

    def save_crew(self, *, name: str, supervisor: str = "", phone: str = "",
                  district_code: str, active: bool = True,
                  crew_id: uuid.UUID | None = None) -> CrewSaved:
        if self.actor.role not in rules.CREW_ROLES:
            raise ServiceError("role_not_allowed", "only a manager or supervisor manages crews")
        checked, problems = rules.check_crew({"name": name, "supervisor": supervisor, "phone": phone})
        if problems:
            # The crew form shows a phone problem where the walk-in form does.
            raise ValidationFailed([FieldProblem("citizen_phone" if p.field == "phone" else p.field or "",
                                                 p.code, str(p)) for p in problems])
        now = utcnow()
        with self.sessions.begin() as session:
            if session.get(m.District, district_code) is None:
                raise ValidationFailed([FieldProblem("district_code", "required", "choose the district")])
            crew = session.get(m.Crew, crew_id) if crew_id else None
            action = "crew_updated" if crew else "crew_created"
            if crew is None:
                crew = m.Crew(id=crew_id or new_id(), version=0)
                session.add(crew)
            crew.name, crew.supervisor, crew.phone = checked["name"], checked["supervisor"], checked["phone"]
            crew.district_code, crew.active, crew.updated_at = district_code, active, now
            session.flush()
            values = {"id": str(crew.id), "name": crew.name, "supervisor": crew.supervisor,
                      "phone": crew.phone, "district_code": crew.district_code, "active": crew.active}
            session.add(m.AuditEntry(at=now, actor=self.actor.username, action=action,
                                     entity="crew", entity_key=str(crew.id), details=values))
            self._outbox(session, Op.UPSERT_CREW, crew.id, now=now, base_version=crew.version,
                         payload=UpsertCrewPayload(crew=values), entity="crew")
            return CrewSaved(crew.id, Changes(crews=True))
