"""What a district office does to requests: the use cases behind every button.

Each public method of :class:`Desk` is one user action and one transaction: the
change to the request, its history event and its outbox entry are written together
or not at all (DESIGN.md, "Sync, in one paragraph").  The lifecycle is checked here
with the same table the centre checks it with (:mod:`sync.workflow`), so a move the
office allows is a move the centre accepts — unless the centre's copy changed in
the meantime, which sync settles.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.errors import FieldProblem, ServiceError, ValidationFailed
from desktop_app.store import models as m
from sync import workflow
from sync.dates import jalali, utcnow
from sync.protocol import EDITABLE_FIELDS, Op
from sync.schema import new_id
from sync.text import PhoneError, clean, parse_phone, search_text
from sync.workflow import EventKind, Role, Status, TransitionError

#: Who corrects a request's plain fields: the desk, not the crews.
EDIT_ROLES: frozenset[Role] = frozenset({Role.CLERK, Role.MANAGER})
#: A request is corrected while the district works on it.  Before referral it is
#: the centre's; once closed it is a record the reports have counted — reopen it to
#: correct it.
EDITABLE_STATUSES: frozenset[Status] = frozenset({Status.REFERRED, Status.ASSIGNED,
                                                  Status.IN_PROGRESS})
#: The citizen's name column holds this many characters, here and at the centre.
CITIZEN_NAME_LENGTH = 200


def may_edit(role: Role, status: Status | str) -> bool:
    """Whether ``role`` may correct the plain fields of a request in ``status``."""
    return role in EDIT_ROLES and status in EDITABLE_STATUSES


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


@dataclass
class Changes:
    """What an action changed, for views to refresh themselves (Anki's OpChanges)."""

    request_ids: list[uuid.UUID] = field(default_factory=list)
    crews: bool = False

    def __bool__(self) -> bool:
        return bool(self.request_ids) or self.crews


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

    def _event(self, session: Session, request: m.ServiceRequest, kind: EventKind, *,
               now: dt.datetime, **values: Any) -> m.Event:
        event = m.Event(
            id=new_id(), request_id=request.id, kind=kind.value, actor=self.actor.username,
            actor_role=self.actor.role.value, office_id=self.actor.office_id,
            client_time=now, data=values.pop("data", {}), **values,
        )
        session.add(event)
        return event

    def _outbox(self, session: Session, op: Op, entity_id: uuid.UUID, *, now: dt.datetime,
                base_version: int | None, payload: dict[str, Any], entity: str = "request") -> None:
        session.add(m.OutboxEntry(
            mutation_id=new_id(), entity=entity, entity_id=entity_id, op=op.value,
            base_version=base_version, payload=payload, created_at=now,
            actor=self.actor.username,
        ))

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
              duplicate_of: uuid.UUID | None = None, crew_id: uuid.UUID | None = None) -> None:
        source = Status(request.status)
        try:
            workflow.check_transition(source, target, self.actor.role, reason=reason)
        except TransitionError as exc:
            raise ServiceError(exc.code, str(exc), tracking_code=request.tracking_code) from None
        if reason is not None and session.get(m.Reason, reason) is None:
            raise ServiceError("unknown_reason", f"no such reason: {reason}", reason=reason)
        if duplicate_of is not None:
            if reason != "duplicate":
                raise ServiceError("duplicate_needs_reason", "only a duplicate links to an original")
            if duplicate_of == request.id or session.get(m.ServiceRequest, duplicate_of) is None:
                raise ServiceError("bad_original", "the original must be another known request")
        event = self._event(
            session, request, EventKind.STATUS, now=now, from_status=source.value,
            to_status=target.value, reason=reason, note=clean(note),
            data={"duplicate_of": str(duplicate_of)} if duplicate_of else {},
        )
        request.status = target.value
        request.updated_at = now
        if target in workflow.CLOSED_STATUSES:
            request.closed_at = now
            request.outcome_reason = reason
            request.outcome_note = clean(note)
            request.duplicate_of = duplicate_of
        elif target is Status.REFERRED:  # reopened or taken back from the crew
            request.closed_at = None
            request.outcome_reason = None
            request.outcome_note = ""
            request.duplicate_of = None
            request.crew_id = None
            request.assigned_at = None
        self._outbox(session, Op.CHANGE_STATUS, request.id, now=now, base_version=request.version,
                     payload={"event_id": str(event.id), "from_status": source.value,
                              "to_status": target.value, "reason": reason, "note": event.note,
                              "duplicate_of": str(duplicate_of) if duplicate_of else None})

    # --------------------------------------------------------------- actions

    def change_status(self, request_ids: Sequence[uuid.UUID], target: Status | str, *,
                      reason: str | None = None, note: str = "",
                      duplicate_of: uuid.UUID | None = None) -> Changes:
        """Start, finish, close as not actionable, take back or reopen — for one
        request or many, all or nothing."""
        now = utcnow()
        with self.sessions.begin() as session:
            for request in self._load(session, request_ids):
                self._move(session, request, Status(target), now=now, reason=reason, note=note,
                           duplicate_of=duplicate_of)
        return Changes(list(request_ids))

    def assign(self, request_ids: Sequence[uuid.UUID], crew_id: uuid.UUID) -> Changes:
        """Give requests to a crew: referred ones become assigned, assigned or
        in-progress ones change crew.  One transaction for the whole selection."""
        if self.actor.role not in workflow.ASSIGN_ROLES:
            raise ServiceError("role_not_allowed", f"{self.actor.role} may not assign crews")
        now = utcnow()
        with self.sessions.begin() as session:
            crew = session.get(m.Crew, crew_id)
            if crew is None or not crew.active:
                raise ServiceError("unknown_crew", "no such active crew", crew_id=crew_id)
            for request in self._load(session, request_ids):
                source = Status(request.status)
                if source is Status.REFERRED:
                    workflow.check_transition(source, Status.ASSIGNED, self.actor.role)
                    request.status = Status.ASSIGNED.value
                elif source not in (Status.ASSIGNED, Status.IN_PROGRESS):
                    raise ServiceError("cannot_assign", f"a {source} request cannot be assigned",
                                       tracking_code=request.tracking_code, status=source.value)
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
                             payload={"event_id": str(event.id), "crew_id": str(crew.id),
                                      "from_status": source.value})
        return Changes(list(request_ids))

    def add_note(self, request_id: uuid.UUID, note: str) -> Changes:
        text = clean(note)
        if not text:
            raise ValidationFailed([FieldProblem("note", "required", "write the note first")])
        now = utcnow()
        with self.sessions.begin() as session:
            (request,) = self._load(session, [request_id])
            event = self._event(session, request, EventKind.NOTE, now=now, note=text)
            self._outbox(session, Op.ADD_NOTE, request.id, now=now, base_version=request.version,
                         payload={"event_id": str(event.id), "note": text})
        return Changes([request_id])

    def record_work_orders_issued(self, request_ids: Sequence[uuid.UUID]) -> Changes:
        """Printing a work order is an event the centre hears of."""
        now = utcnow()
        with self.sessions.begin() as session:
            for request in self._load(session, request_ids):
                event = self._event(session, request, EventKind.WORK_ORDER_ISSUED, now=now)
                self._outbox(session, Op.WORK_ORDER_ISSUED, request.id, now=now,
                             base_version=request.version, payload={"event_id": str(event.id)})
        return Changes(list(request_ids))

    def edit(self, request_id: uuid.UUID, **changes: Any) -> Changes:
        """Correct plain fields (phone, address, description …) of an open request.

        The values are checked as the walk-in form's are (:meth:`field_problems`),
        every problem tied to its field; the neighbourhood stays in the request's
        district, since moving a request is the centre's decision.  The outbox entry
        carries the values edited *from*, so the centre can tell a stale edit."""
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise ServiceError("not_editable", f"not editable here: {sorted(unknown)}")
        if self.actor.role not in EDIT_ROLES:
            raise ServiceError("role_not_allowed", f"{self.actor.role} may not correct requests")
        now = utcnow()
        with self.sessions.begin() as session:
            (request,) = self._load(session, [request_id])
            if request.status not in EDITABLE_STATUSES:
                raise ServiceError("not_editable_now", f"a {request.status} request is not edited",
                                   tracking_code=request.tracking_code, status=request.status)
            problems = self.field_problems(session, changes, district_code=request.district_code,
                                           phone_required=False)
            if problems:
                raise ValidationFailed(problems)
            if "citizen_phone" in changes:
                changes["citizen_phone"] = self._phone(changes["citizen_phone"], required=False)
            changes = {k: clean(v) if isinstance(v, str) and k != "citizen_phone" else v
                       for k, v in changes.items()}
            base = {k: getattr(request, k) for k in changes}
            changed = {k: v for k, v in changes.items() if base[k] != v}
            if not changed:
                return Changes()
            for key, value in changed.items():
                setattr(request, key, value)
            request.updated_at = now
            request.search_text = self._search_text(request)
            event = self._event(session, request, EventKind.NOTE, now=now,
                                data={"edited": sorted(changed)})
            self._outbox(session, Op.EDIT_REQUEST, request.id, now=now, base_version=request.version,
                         payload={"event_id": str(event.id), "changes": changed,
                                  "base": {k: base[k] for k in changed}})
        return Changes([request_id])

    # -------------------------------------------------------------- walk-ins

    @staticmethod
    def _phone(raw: str | None, *, required: bool) -> str | None:
        if not (raw or "").strip():
            if required:
                raise ValidationFailed([FieldProblem("citizen_phone", "required",
                                                     "the citizen's phone number is required")])
            return None
        try:
            return parse_phone(raw)
        except PhoneError as exc:
            raise ValidationFailed([FieldProblem("citizen_phone", exc.problem.value, exc.message)]) from None

    @staticmethod
    def _search_text(request: m.ServiceRequest) -> str:
        return search_text(request.tracking_code, request.citizen_name, request.citizen_phone,
                           request.address, request.description)

    def field_problems(self, session: Session, values: Mapping[str, Any], *,
                       district_code: str, phone_required: bool) -> list[FieldProblem]:
        """What is wrong with request fields as typed, each problem tied to its
        field: the one set of rules for registering a walk-in and correcting a
        request.  Only the fields in ``values`` are checked; a neighbourhood must lie
        in ``district_code`` (when one is given)."""
        problems: list[FieldProblem] = []
        if "citizen_phone" in values or phone_required:
            try:
                self._phone(values.get("citizen_phone"), required=phone_required)
            except ValidationFailed as exc:
                problems += exc.problems
        if len(clean(values.get("citizen_name"))) > CITIZEN_NAME_LENGTH:
            problems.append(FieldProblem("citizen_name", "too_long",
                                         f"at most {CITIZEN_NAME_LENGTH} characters"))
        if "neighbourhood_code" in values:
            code = values["neighbourhood_code"]
            neighbourhood = session.get(m.Neighbourhood, code) if code else None
            if neighbourhood is None:
                problems.append(FieldProblem("neighbourhood_code", "required",
                                             "choose the neighbourhood"))
            elif district_code and neighbourhood.district_code != district_code:
                problems.append(FieldProblem("neighbourhood_code", "wrong_district",
                                             "this neighbourhood is not in the chosen district"))
        if "category_code" in values:
            code = values["category_code"]
            if not code or session.get(m.Category, code) is None:
                problems.append(FieldProblem("category_code", "required", "choose the category"))
        if "description" in values and not clean(values["description"]):
            problems.append(FieldProblem("description", "required",
                                         "describe what the citizen reports"))
        for name, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
            value = values.get(name)
            if value is not None and not low <= value <= high:
                problems.append(FieldProblem(name, "out_of_range",
                                             f"{name} must be between {low} and {high}"))
        return problems

    def validate_walk_in(self, session: Session, form: WalkIn) -> list[FieldProblem]:
        values = {k: v for k, v in vars(form).items() if k != "district_code"}
        return self.field_problems(session, values, district_code=form.district_code,
                                   phone_required=True)

    def _next_walk_in_code(self, session: Session, now: dt.datetime) -> str:
        year = jalali(now).year
        counter = session.get(m.WalkInSerial, year)
        if counter is None:
            counter = m.WalkInSerial(year=year, serial=0)
            session.add(counter)
        counter.serial += 1
        return f"{year}-{self.actor.office_number}-{counter.serial}"

    def register_walk_in(self, form: WalkIn) -> m.ServiceRequest:
        """A citizen at the counter.  Returns the new request; its tracking code is
        final (office-numbered), so the citizen can be given it at once, offline."""
        now = utcnow()
        with self.sessions.begin() as session:
            problems = self.validate_walk_in(session, form)
            if problems:
                raise ValidationFailed(problems)
            neighbourhood = session.get(m.Neighbourhood, form.neighbourhood_code)
            assert neighbourhood is not None
            request = m.ServiceRequest(
                id=new_id(), tracking_code=self._next_walk_in_code(session, now), received_at=now,
                channel="walk_in", district_code=neighbourhood.district_code,
                neighbourhood_code=neighbourhood.code, category_code=form.category_code,
                description=clean(form.description), citizen_name=clean(form.citizen_name),
                citizen_phone=self._phone(form.citizen_phone, required=True),
                address=clean(form.address), latitude=form.latitude, longitude=form.longitude,
                # Registered at the district that will act on it: no referral needed.
                status=Status.REFERRED.value, outcome_note="", version=0, updated_at=now,
            )
            request.search_text = self._search_text(request)
            session.add(request)
            session.flush()
            event = self._event(session, request, EventKind.CREATED, now=now,
                                to_status=request.status, data={"source": "walk_in"})
            self._outbox(session, Op.CREATE_REQUEST, request.id, now=now, base_version=None,
                         payload={"event_id": str(event.id), "request": _request_row(request)})
        return request

    # ----------------------------------------------------------------- crews

    def save_crew(self, *, name: str, supervisor: str = "", phone: str = "",
                  district_code: str, active: bool = True,
                  crew_id: uuid.UUID | None = None) -> m.Crew:
        if self.actor.role not in (Role.MANAGER, Role.SUPERVISOR):
            raise ServiceError("role_not_allowed", "only a manager or supervisor manages crews")
        problems = []
        if not clean(name):
            problems.append(FieldProblem("name", "required", "the crew needs a name"))
        try:
            phone_value = self._phone(phone, required=False)
        except ValidationFailed as exc:
            problems += exc.problems
            phone_value = None
        if problems:
            raise ValidationFailed(problems)
        now = utcnow()
        with self.sessions.begin() as session:
            if session.get(m.District, district_code) is None:
                raise ValidationFailed([FieldProblem("district_code", "required", "choose the district")])
            crew = session.get(m.Crew, crew_id) if crew_id else None
            action = "crew_updated" if crew else "crew_created"
            if crew is None:
                crew = m.Crew(id=crew_id or new_id(), version=0)
                session.add(crew)
            crew.name, crew.supervisor, crew.phone = clean(name), clean(supervisor), phone_value
            crew.district_code, crew.active, crew.updated_at = district_code, active, now
            session.flush()
            values = {"id": str(crew.id), "name": crew.name, "supervisor": crew.supervisor,
                      "phone": crew.phone, "district_code": crew.district_code, "active": crew.active}
            session.add(m.AuditEntry(at=now, actor=self.actor.username, action=action,
                                     entity="crew", entity_key=str(crew.id), details=values))
            self._outbox(session, Op.UPSERT_CREW, crew.id, now=now, base_version=crew.version,
                         payload={"crew": values}, entity="crew")
        return crew
