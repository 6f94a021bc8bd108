"""What each pushed operation does at the centre: one handler per :class:`Op`.

A handler reads its payload, checks the mutation against the centre's current row,
the office's scope (every row a payload names — a crew, a duplicate's original, a
district — must be one the office may see) and the rule book (:mod:`sync.rules`,
with the role the person had) *before* it changes anything, then writes the change
and its history event.  A business rejection is a :class:`Refusal` (or a
:class:`~sync.rules.RuleError`, which the batch turns into one).  The batch machinery around the handlers — claims, locks,
answers — is :mod:`sync.server.push`.

Every text a payload carries is held to the rule book's limits and stored through
:func:`sync.text.clean` (which drops control characters, as the office's Desk
does); the envelope's own text (:func:`check_envelope`) and every code are checked
before any database is asked about them, so that a NUL or a 50 MB string gets an
``invalid_value`` naming the field, not a database error.

Where the office's clock enters the projection (``closed_at``, ``assigned_at``,
``received_at`` of a walk-in) it is the time the clerk recorded the fact — an office
can be offline for days — but never later than the centre's clock.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.orm import Session

from sync import rules
from sync.protocol import (
    EDITABLE_FIELDS,
    PAYLOADS,
    AddAttachmentPayload,
    AddNotePayload,
    AssignPayload,
    ChangeStatusPayload,
    CreateRequestPayload,
    EditRequestPayload,
    MoveDistrictPayload,
    Mutation,
    Op,
    Outcome,
    ReferPayload,
    RemoveAttachmentPayload,
    RepeatCallPayload,
    RequestPayload,
    UpsertCrewPayload,
    UpsertUserPayload,
    parse_time,
)
from sync.server import models
from sync.server import operations as ops
from sync.server.auth import Scope
from sync.server.changes import Entry
from sync.server.models import (
    Attachment,
    Category,
    Crew,
    District,
    Event,
    Neighbourhood,
    OfficeUser,
    ServiceRequest,
)
from sync.text import clean
from sync.workflow import EventKind, Role, Status


class Refusal(Exception):
    """A business answer other than ``applied``: rolls back the mutation's savepoint."""

    def __init__(self, code: str, message: str, outcome: Outcome = Outcome.REJECTED):
        self.code = code
        self.outcome = outcome
        super().__init__(message)


#: A refused field answers ``invalid_value``, except these (codes offices know already).
_FIELD_CODES = {("note", "required"): "note_empty"}


def refusal(error: rules.RuleError) -> Refusal:
    """The answer to a change the rule book refuses: ``invalid_value`` and a message
    naming the field (and the limit, for a value too long)."""
    if error.field is None:
        return Refusal(error.code, str(error))
    return Refusal(_FIELD_CODES.get((error.field, error.code), "invalid_value"),
                   f"{error.field}: {error}")


#: The widths of the envelope's text as the centre stores it (``events.actor``,
#: ``events.actor_role``).
ACTOR_LENGTH = 100
ACTOR_ROLE_LENGTH = 16


def check_envelope(mutation: Mutation) -> None:
    """The mutation's own text — who acted, in what role — is a name, not prose: no
    wider than its column and without control characters.  Checked before any
    handler looks anyone up by it."""
    if not rules.is_code(mutation.actor, ACTOR_LENGTH):
        raise Refusal("invalid_value", f"actor: a user name of at most {ACTOR_LENGTH} "
                      "characters, without control characters")
    if mutation.actor_role is not None and not rules.is_code(mutation.actor_role, ACTOR_ROLE_LENGTH):
        raise Refusal("invalid_value", f"actor_role: a role of at most {ACTOR_ROLE_LENGTH} characters")


def _district_in_scope(ctx: MutationBeingApplied, district: object) -> str:
    """A district a payload names, if it is one of the office's (else one answer,
    ``not_in_scope``, whether it exists or not)."""
    if not rules.is_code(district, rules.DISTRICT_CODE_LENGTH) or not ctx.scope.covers(district) \
            or ctx.session.get(District, district) is None:
        raise Refusal("not_in_scope", "the district is not one of this office's")
    return district  # type: ignore[return-value]


@dataclass(frozen=True)
class ScopedLookup(rules.ModelLookup):
    """The rule book's questions as the office may ask them: a request of another
    district is no request at all, so a duplicate link into it gets the answer an
    unknown one gets (``bad_original``), and the answer tells nothing of it."""

    scope: Scope

    def request_exists(self, request_id: uuid.UUID) -> bool:
        request = self.session.get(ServiceRequest, request_id)
        return request is not None and self.scope.covers(request.district_code)


@dataclass
class MutationBeingApplied:
    """One mutation while its handler applies it, and what applying it wrote."""

    session: Session
    scope: Scope
    mutation: Mutation
    now: dt.datetime
    #: Event ids the centre holds already (the batch reads them in one query).
    existing_events: set[uuid.UUID]
    entries: list[Entry] = field(default_factory=list)
    event: Event | None = None

    @property
    def lookup(self) -> rules.Lookup:
        """The rule book's lookup, within the office's scope."""
        return ScopedLookup(self.session, models, self.scope)

    @property
    def office_time(self) -> dt.datetime:
        """When the office says it happened, but never in the centre's future."""
        return min(self.mutation.client_time, self.now)

    #: The role the centre holds for the actor, once :meth:`check_actor` found it.
    acting: Role | None = None
    #: An ``upsert_user`` of an office with no active manager at the centre yet: its
    #: users are introduced on the strength of the device's credential alone.
    introducing: bool = False

    def check_actor(self) -> None:
        """The actor must be an active user of the credential's office, or a system
        user making an op it may (:func:`sync.rules.acting_role`); a role claimed
        must be the one the centre holds.  Push calls this before every handler."""
        mutation = self.mutation
        # (Without flushing what earlier handlers wrote: a write the database refuses
        # must fail the batch, which then runs again a savepoint at a time.)
        with self.session.no_autoflush:
            if mutation.op == Op.UPSERT_USER and not _managers(self.session, self.scope.office_id):
                self.introducing = True
                return
            user = self.session.get(OfficeUser, (self.scope.office_id, mutation.actor))
        known = rules.KnownUser(user.role, user.active) if user is not None else None
        self.acting = rules.acting_role(mutation.actor, mutation.actor_role, mutation.op.value, known,
                                        centre_office=self.scope.all_districts)

    def centre_move(self) -> Role:
        """The acting role of a centre move, which only the centre's office (enrolled
        with every district) and only its ``centre`` users make."""
        role = self.role()
        rules.check_centre_desk(role, centre_office=self.scope.all_districts)
        return role

    def role(self) -> Role:
        """The acting person's role, as the centre holds it (never the device's claim)."""
        if self.acting is None:
            self.check_actor()
        if self.acting is None:
            raise Refusal("role_not_allowed", "no role to act with")
        return self.acting

    def payload(self) -> Any:
        """The op's payload, read and checked; the first thing every handler does."""
        try:
            payload = PAYLOADS[self.mutation.op].model_validate(self.mutation.payload)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise Refusal("invalid_payload", f"payload {where}: {first['msg']}") from None
        if isinstance(payload, RequestPayload) and payload.event_id in self.existing_events:
            raise Refusal("duplicate_event", "an event with this id already exists")
        return payload

    def request(self) -> ServiceRequest:
        """The mutation's request, locked, if this office may write it."""
        request = self.session.get(ServiceRequest, self.mutation.entity_id)  # locked by the batch
        if request is None or not self.scope.covers(request.district_code):
            # One answer for "unknown" and "another district's": it tells nothing.
            raise Refusal("not_in_scope", "the request is not in this office's districts")
        return request

    def add_event(self, request: ServiceRequest, payload: RequestPayload, kind: EventKind,
                  **values: Any) -> Event:
        self.event = ops.add_event(
            self.session, request, kind, actor=self.mutation.actor,
            role=self.role().value, at=self.now, event_id=payload.event_id,
            office_id=self.scope.office_id, client_time=self.mutation.client_time,
            mutation_id=self.mutation.mutation_id, **values,
        )
        self.entries.append(ops.event_entry(self.event, request.district_code))
        return self.event

    def changed(self, request: ServiceRequest) -> None:
        ops.touch(request, self.now)
        self.entries.append(ops.request_entry(request))


def _managers(session: Session, office_id: uuid.UUID, *, besides: str | None = None) -> int:
    """How many active users of the office may manage its people (but ``besides``)."""
    query = sa.select(sa.func.count()).select_from(OfficeUser).where(
        OfficeUser.office_id == office_id, OfficeUser.active.is_(True),
        OfficeUser.role.in_([r.value for r in rules.USER_MANAGER_ROLES]))
    if besides is not None:
        query = query.where(OfficeUser.username != besides)
    return session.scalar(query) or 0


def _first(problems: list[rules.RuleError]) -> None:
    if problems:
        raise problems[0]


def _change_status(ctx: MutationBeingApplied) -> None:
    p: ChangeStatusPayload = ctx.payload()
    role = ctx.role()
    request = ctx.request()
    source = Status(request.status)
    rules.check_status_change(ctx.lookup, request.id, source, p.to_status, role,
                              reason=p.reason, duplicate_of=p.duplicate_of)
    note = rules.check_note(p.note, required=False)
    data: dict[str, Any] = {"duplicate_of": str(p.duplicate_of)} if p.duplicate_of else {}
    if p.from_status is not None and p.from_status != source:
        # Accepted from where the centre stands (the move is legal from there), and
        # flagged: the office made it on an older picture (sync.md, "Conflicts").
        data["office_from_status"] = p.from_status.value
    ctx.add_event(request, p, EventKind.STATUS, from_status=source.value,
                  to_status=p.to_status.value, reason=p.reason, note=note, data=data)
    rules.project_status(request, p.to_status, at=ctx.office_time, reason=p.reason, note=note,
                         duplicate_of=p.duplicate_of)
    if source == Status.RECEIVED and p.to_status == Status.REFERRED and request.due_at is None:
        # A referral made as a plain status change gets the default deadline too.
        category = ctx.session.get(Category, request.category_code)
        request.due_at = rules.default_due(ctx.office_time, category.target_days if category else 0)
    ctx.changed(request)


def _assign(ctx: MutationBeingApplied) -> None:
    p: AssignPayload = ctx.payload()
    role = ctx.role()
    request = ctx.request()
    crew = ctx.session.get(Crew, p.crew_id)
    if crew is None or not ctx.scope.covers(crew.district_code):
        raise Refusal("unknown_crew", "no such crew in this office's districts")
    rules.check_crew_for(request.district_code, crew.district_code, crew.active)
    source = Status(request.status)
    request.status = rules.assigned_status(source, role).value
    ctx.add_event(request, p, EventKind.ASSIGNED, from_status=source.value,
                  to_status=request.status,
                  data={"crew_id": str(crew.id), "crew_name": crew.name,
                        "previous_crew_id": str(request.crew_id) if request.crew_id else None})
    request.crew_id = crew.id
    request.assigned_at = ctx.office_time
    ctx.changed(request)


#: What an :class:`AddNotePayload`'s ``purpose`` may be, and whether it is a centre move.
_NOTE_PURPOSES = {"ask_citizen": True}


def _add_note(ctx: MutationBeingApplied) -> None:
    p: AddNotePayload = ctx.payload()
    if p.purpose is None:
        ctx.role()
    elif p.purpose not in _NOTE_PURPOSES:
        raise Refusal("invalid_value", "purpose: not a purpose the centre knows")
    else:
        ctx.centre_move()
    note = rules.check_note(p.note)
    ctx.add_event(ctx.request(), p, EventKind.NOTE, note=note,
                  data={"purpose": p.purpose} if p.purpose else {})


def _refer(ctx: MutationBeingApplied) -> None:
    """The centre's office referred a received request, maybe to another district
    than its neighbourhood's, with a deadline."""
    p: ReferPayload = ctx.payload()
    role = ctx.centre_move()
    request = ctx.request()
    session = ctx.session
    source = Status(request.status)
    rules.check_status_change(ctx.lookup, request.id, source, Status.REFERRED, role)
    rules.check_referral(source)
    district = rules.check_referral_district(
        p.district_code, rules.is_code(p.district_code, rules.DISTRICT_CODE_LENGTH)
        and session.get(District, p.district_code) is not None)
    hood = request.neighbourhood_code if p.neighbourhood_code is None else p.neighbourhood_code
    if hood is not None:
        found = session.get(Neighbourhood, hood) if rules.is_code(
            hood, rules.NEIGHBOURHOOD_CODE_LENGTH) else None
        if found is None or found.district_code != district:
            if p.neighbourhood_code is not None:
                raise Refusal("invalid_value", "neighbourhood_code: not in the district")
            hood = None
    note = rules.check_note(p.note, required=False)
    at = ctx.office_time
    if p.due_at is not None:
        due = rules.check_due(p.due_at, at)
    else:
        category = session.get(Category, request.category_code)
        due = rules.default_due(at, category.target_days if category else 0)
    old = request.district_code
    data: dict[str, Any] = {"due_at": due.isoformat(), "district_code": district}
    if old != district:
        data["from_district"] = old
    if p.from_status is not None and p.from_status != source:
        data["office_from_status"] = p.from_status.value
    rules.project_status(request, Status.REFERRED, at=at)
    request.district_code, request.neighbourhood_code, request.due_at = district, hood, due
    ctx.add_event(request, p, EventKind.STATUS, from_status=source.value,
                  to_status=Status.REFERRED.value, note=note, data=data)
    ctx.changed(request)
    if old != district:
        session.flush()
        # The request before its history, in the log (which ``add_event`` began).
        ctx.entries = ops.moved_entries(session, request, old)


def _move_district(ctx: MutationBeingApplied) -> None:
    """The centre's office sent a request to another district, with a reason.  Work
    a crew had is taken back (the crew is the old district's); the new district's
    offices get the request with its whole history, the old ones ``moved_out``."""
    p: MoveDistrictPayload = ctx.payload()
    ctx.centre_move()
    request = ctx.request()
    session = ctx.session
    exists = rules.is_code(p.district_code, rules.DISTRICT_CODE_LENGTH) \
        and session.get(District, p.district_code) is not None
    reason = rules.check_district_move(request.status, request.district_code, p.district_code,
                                       exists, p.reason)
    if p.neighbourhood_code is not None:
        found = session.get(Neighbourhood, p.neighbourhood_code) if rules.is_code(
            p.neighbourhood_code, rules.NEIGHBOURHOOD_CODE_LENGTH) else None
        if found is None or found.district_code != p.district_code:
            raise Refusal("invalid_value", "neighbourhood_code: not in the district")
    old, source = request.district_code, Status(request.status)
    if source in (Status.ASSIGNED, Status.IN_PROGRESS):
        rules.project_status(request, Status.REFERRED, at=ctx.office_time)
    request.district_code, request.neighbourhood_code = p.district_code, p.neighbourhood_code
    ctx.add_event(request, p, EventKind.MOVED, from_status=source.value,
                  to_status=request.status, note=reason,
                  data={"from_district": old, "to_district": p.district_code})
    ctx.changed(request)
    session.flush()
    # The request before its history, in the log (which ``add_event`` began).
    ctx.entries = ops.moved_entries(session, request, old)


def _repeat_call(ctx: MutationBeingApplied) -> None:
    p: RepeatCallPayload = ctx.payload()
    ctx.centre_move()
    request = ctx.request()
    rules.check_repeat_call(request.status)
    phone = rules.field_value("phone", rules.REQUEST_FIELDS["citizen_phone"], p.phone, ctx.lookup)
    note = rules.check_note(p.note, required=False)
    ctx.add_event(request, p, EventKind.REPEAT_CALL, note=note, data={"phone": phone})


def _work_order_issued(ctx: MutationBeingApplied) -> None:
    p: RequestPayload = ctx.payload()
    ctx.role()
    ctx.add_event(ctx.request(), p, EventKind.WORK_ORDER_ISSUED)


def _edit_request(ctx: MutationBeingApplied) -> None:
    p: EditRequestPayload = ctx.payload()
    role = ctx.role()
    unknown = sorted((set(p.changes) | set(p.base)) - set(EDITABLE_FIELDS))
    if unknown or set(p.base) != set(p.changes):
        raise Refusal("not_editable", f"not editable, or without a base: {unknown or sorted(p.changes)}")
    request = ctx.request()
    rules.check_edit(role, request.status)
    wanted, problems = rules.check_request_edit(p.changes, ctx.lookup,
                                                district_code=request.district_code)
    _first(problems)
    # Field by field: a field the centre still holds at the office's base takes the
    # office's value; one that already holds it is fine; any other is a stale edit.
    stale = sorted(name for name, value in wanted.items()
                   if getattr(request, name) not in (value, p.base[name]))
    if stale:
        raise Refusal("stale_edit", f"changed at the centre since the office read it: "
                      f"{', '.join(stale)}", Outcome.CONFLICT)
    for name, value in wanted.items():
        setattr(request, name, value)
    ctx.add_event(request, p, EventKind.NOTE, data={"edited": sorted(wanted)})
    ctx.changed(request)


_WALK_IN_CODE = re.compile(r"^(\d{4})-(\d+)-(\d+)$")


def _create_request(ctx: MutationBeingApplied) -> None:
    p: CreateRequestPayload = ctx.payload()
    ctx.role()
    row = p.request
    session = ctx.session
    district = _district_in_scope(ctx, row.get("district_code"))
    if str(row.get("id")) != str(ctx.mutation.entity_id):
        raise Refusal("invalid_payload", "the request's id is not the mutation's entity")
    if session.get(ServiceRequest, ctx.mutation.entity_id) is not None:
        raise Refusal("already_exists", "a request with this id already exists")
    code = row.get("tracking_code")
    if not isinstance(code, str) or len(clean(code)) > rules.TRACKING_CODE_LENGTH:
        raise Refusal("invalid_value", f"tracking_code is text of at most "
                      f"{rules.TRACKING_CODE_LENGTH} characters")
    code = clean(code)
    match = _WALK_IN_CODE.match(code)
    if match is None or int(match[2]) != ctx.scope.number:
        raise Refusal("bad_tracking_code", f"a walk-in's code is YEAR-{ctx.scope.number}-SERIAL")
    if session.scalar(sa.select(ServiceRequest.id).where(ServiceRequest.tracking_code == code)):
        raise Refusal("tracking_code_taken", f"tracking code {code} is already in use")
    channel = row.get("channel")
    if channel == "walk_in":
        status = Status.REFERRED
        values, problems = rules.check_walk_in(row, ctx.lookup, district_code=district)
    elif channel in rules.CENTRE_CHANNELS:
        # A call (or a web or SMS request typed in) at the centre's office: it waits
        # for verification like any the centre takes in.
        ctx.centre_move()
        status = Status.RECEIVED
        values, problems = rules.check_fields(
            rules.REQUEST_FIELDS, row, ctx.lookup, district_code=district, complete=True,
            required=("citizen_phone",) if channel in ("phone", "sms") else ())
    else:
        raise Refusal("invalid_value", "an office registers walk-ins, and the centre's office "
                      "phone, web and SMS requests")
    _first(problems)
    try:
        received = parse_time(row.get("received_at"))
    except (TypeError, ValueError):
        received = None
    if received is None:
        raise Refusal("invalid_value", "received_at must be an instant with its offset")
    received = min(received, ctx.now)
    due = None
    if status == Status.REFERRED:
        # Registered at the district that acts on it: no referral needed (the desk's
        # rule), and the deadline a referral would have had.
        category = session.get(Category, values["category_code"])
        due = rules.default_due(received, category.target_days if category else 0)
    request = ServiceRequest(
        id=ctx.mutation.entity_id, tracking_code=code, received_at=received,
        channel=channel, district_code=district, **values,
        status=status.value, outcome_note="", version=1, updated_at=ctx.now, due_at=due,
    )
    session.add(request)
    ctx.entries.append(ops.request_entry(request))
    ctx.add_event(request, p, EventKind.CREATED, to_status=request.status,
                  data={"source": channel})


def _upsert_crew(ctx: MutationBeingApplied) -> None:
    p: UpsertCrewPayload = ctx.payload()
    values = p.crew
    if str(values.get("id")) != str(ctx.mutation.entity_id):
        raise Refusal("invalid_payload", "the crew's id is not the mutation's entity")
    district = _district_in_scope(ctx, values.get("district_code"))
    rules.check_crew_manager(ctx.role())
    checked, problems = rules.check_crew(values)
    _first(problems)
    active = values.get("active", True)
    if not isinstance(active, bool):
        raise Refusal("invalid_value", "active must be true or false")
    crew = ctx.session.get(Crew, ctx.mutation.entity_id)  # locked by the batch
    if crew is None:
        crew = Crew(id=ctx.mutation.entity_id, district_code=district, version=0)
        ctx.session.add(crew)
    elif not ctx.scope.covers(crew.district_code):
        raise Refusal("not_in_scope", "the crew is not in this office's districts")
    elif crew.district_code != district:
        raise Refusal("crew_district_fixed", "a crew stays in its district; add a new crew")
    elif ctx.mutation.base_version != crew.version:
        raise Refusal("stale_crew", "the crew was changed at the centre since the office read it",
                      Outcome.CONFLICT)
    crew.name, crew.supervisor, crew.phone = checked["name"], checked["supervisor"], checked["phone"]
    crew.active = active
    ops.touch(crew, ctx.now)
    ctx.entries.append(Entry("crew", str(crew.id), crew.district_code))


def _upsert_user(ctx: MutationBeingApplied) -> None:
    p: UpsertUserPayload = ctx.payload()
    if not ctx.introducing:
        rules.check_user_manager(ctx.role())
    username = rules.check_username(p.username)
    if username != p.username:
        raise Refusal("invalid_value", "username: not as the office stores it")
    try:
        role = rules.office_role(p.role, centre_office=ctx.scope.all_districts)
    except rules.RuleError:
        raise Refusal("invalid_value", f"role: not an office role: {p.role!r}") from None
    manages = p.active and role in rules.USER_MANAGER_ROLES
    if not ctx.introducing and not manages \
            and not _managers(ctx.session, ctx.scope.office_id, besides=username):
        # As at the office: nobody would be left to manage its people.
        raise Refusal("last_manager", "the office must keep an active manager")
    user = ctx.session.get(OfficeUser, (ctx.scope.office_id, username), with_for_update=True)
    if user is None:
        user = OfficeUser(office_id=ctx.scope.office_id, username=username, version=0)
        ctx.session.add(user)
    user.display_name, user.role, user.active = clean(p.display_name) or username, role.value, p.active
    user.version += 1
    user.updated_at = ctx.now


def attachment_entry(attachment: Attachment, district_code: str) -> Entry:
    """The change-log entry that sends an attachment's metadata to the offices of
    its request's district."""
    return Entry("attachment", str(attachment.id), district_code)


def _add_attachment(ctx: MutationBeingApplied) -> None:
    """An attachment's metadata, under the request (its scope, its lock); sent again,
    its kind, internal mark and caption as they now are.  The bytes follow by
    ``PUT /sync/blobs/{sha256}``, which the centre accepts only for a hash an
    attachment of the office's districts names: this is that name."""
    p: AddAttachmentPayload = ctx.payload()
    role = ctx.role()
    request = ctx.request()
    values = p.attachment
    try:
        attachment_id = uuid.UUID(str(values.get("id")))
    except ValueError:
        raise Refusal("invalid_payload", "attachment.id: not a UUID") from None
    checked, problems = rules.check_attachment(values)
    _first(problems)
    attachment = ctx.session.get(Attachment, attachment_id)
    if attachment is None:
        twin = ctx.session.scalar(sa.select(Attachment.id).where(
            Attachment.request_id == request.id, Attachment.sha256 == checked["sha256"],
            Attachment.removed_at.is_(None)))
        if twin is not None:
            raise Refusal("attachment_duplicate", "the request has this file already")
        attachment = Attachment(
            id=attachment_id, request_id=request.id, sha256=checked["sha256"], size=checked["size"],
            media_type=checked["media_type"], added_by=ctx.mutation.actor, added_at=ctx.office_time,
            office_id=ctx.scope.office_id)
        ctx.session.add(attachment)
    elif (attachment.request_id, attachment.sha256, attachment.size) \
            != (request.id, checked["sha256"], checked["size"]):
        raise Refusal("already_exists", "an attachment with this id holds another file")
    elif attachment.removed_at is not None:
        raise Refusal("attachment_removed", "the attachment was removed")
    elif (checked["kind"], checked["internal"]) != (attachment.kind, attachment.internal):
        rules.check_attachment_change(role, ctx.mutation.actor, attachment.added_by,
                                      same_office=attachment.office_id == ctx.scope.office_id,
                                      hides_only=checked["kind"] == attachment.kind
                                      and checked["internal"])
    attachment.kind, attachment.internal = checked["kind"], checked["internal"]
    attachment.filename = clean(checked["filename"]) or "attachment"
    attachment.caption = clean(checked["caption"])
    ctx.entries.append(attachment_entry(attachment, request.district_code))


def _remove_attachment(ctx: MutationBeingApplied) -> None:
    """Take an attachment back: the centre keeps the row (``removed_at``) and the
    bytes; the offices drop it with the next pull."""
    p: RemoveAttachmentPayload = ctx.payload()
    role = ctx.role()
    request = ctx.request()
    attachment = ctx.session.get(Attachment, p.attachment_id)
    if attachment is None or attachment.request_id != request.id:
        raise Refusal("unknown_attachment", "no such attachment on this request")
    rules.check_attachment_removal(role, ctx.mutation.actor, attachment.added_by,
                                   same_office=attachment.office_id == ctx.scope.office_id)
    if attachment.removed_at is None:
        attachment.removed_at, attachment.removed_by = ctx.now, ctx.mutation.actor
        ctx.entries.append(attachment_entry(attachment, request.district_code))


#: The handler of every op: a test holds its keys equal to ``set(Op)``.
HANDLERS: dict[Op, Callable[[MutationBeingApplied], None]] = {
    Op.CREATE_REQUEST: _create_request,
    Op.CHANGE_STATUS: _change_status,
    Op.ASSIGN: _assign,
    Op.ADD_NOTE: _add_note,
    Op.WORK_ORDER_ISSUED: _work_order_issued,
    Op.EDIT_REQUEST: _edit_request,
    Op.UPSERT_CREW: _upsert_crew,
    Op.UPSERT_USER: _upsert_user,
    Op.REFER: _refer,
    Op.MOVE_DISTRICT: _move_district,
    Op.REPEAT_CALL: _repeat_call,
    Op.ADD_ATTACHMENT: _add_attachment,
    Op.REMOVE_ATTACHMENT: _remove_attachment,
}
