"""The rules a change to a request or a crew obeys, written once for the office and the centre.

The office's Desk checks a person's action with these functions before it writes it;
the centre checks a pushed mutation, and its own actions, with the same ones, so a
change the office allows is one the centre accepts by construction (unless the
centre's copy moved on meanwhile, which sync settles).  A refusal is a
:class:`RuleError`: a stable code and the field it concerns, which the Desk turns into
its ``ServiceError``/``ValidationFailed`` and push into a ``Refusal``.  What a rule
needs to know from a database (is there such a reason, such a request …) comes
through a :class:`Lookup`, so that each end asks its own.

The fields of a request and of a crew are one table each (:data:`REQUEST_FIELDS`,
:data:`CREW_FIELDS`): the walk-in form, an edit and push all read them.  Every text
a person types has a length limit here (the notes' too, :func:`check_note`), so an
office's form refuses what the centre would (``too_long``, tied to the field), and
a forged push cannot make the centre store a note of 50 MB.  Text is stored
through :func:`sync.text.clean`, which drops control characters at both ends; a
*code* (a reason, a neighbourhood …) is never typed, so one that is not a code
(:func:`is_code`) is refused before any database is asked about it.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sync import workflow
from sync.text import PhoneError, clean, parse_phone
from sync.workflow import Role, Status, TransitionError


class RuleError(ValueError):
    """A change the rules refuse.  ``code`` is stable; ``field`` names the field to fix."""

    def __init__(self, code: str, message: str, field: str | None = None, **params: object):
        self.code = code
        self.field = field
        self.params = params
        super().__init__(message)


class Lookup(Protocol):
    """What the rules ask of one end's database."""

    def reason_exists(self, code: str) -> bool: ...

    def request_exists(self, request_id: uuid.UUID) -> bool: ...

    def category_exists(self, code: str) -> bool: ...

    def district_of(self, neighbourhood_code: str) -> str | None: ...


@dataclass(frozen=True)
class ModelLookup:
    """A :class:`Lookup` through a session and one end's models module (``Reason``,
    ``ServiceRequest``, ``Category``, ``Neighbourhood``: both ends name them alike)."""

    session: Any
    models: Any

    def reason_exists(self, code: str) -> bool:
        return self.session.get(self.models.Reason, code) is not None

    def request_exists(self, request_id: uuid.UUID) -> bool:
        return self.session.get(self.models.ServiceRequest, request_id) is not None

    def category_exists(self, code: str) -> bool:
        return self.session.get(self.models.Category, code) is not None

    def district_of(self, neighbourhood_code: str) -> str | None:
        hood = self.session.get(self.models.Neighbourhood, neighbourhood_code)
        return hood.district_code if hood is not None else None


# --------------------------------------------------------------------- who acts

#: Roles an office's people have; ``centre`` moves are the centre's own.
OFFICE_ROLES: frozenset[Role] = frozenset({Role.CLERK, Role.SUPERVISOR, Role.MANAGER})


def office_role(role: Role | str | None, *, centre_office: bool = False) -> Role:
    """``role`` as a :class:`Role`, if an office's person may have it: ``centre``
    only at the centre's own office (``centre_office``: enrolled with every district)."""
    try:
        known = Role(role or "")
    except ValueError:
        raise RuleError("role_not_allowed", f"unknown role {role!r}") from None
    if known == Role.CENTRE and centre_office:
        return known
    if known == Role.CENTRE:
        raise RuleError("centre_user_at_district_office",
                        "a district office cannot act as centre: the centre's users work "
                        "at the centre's office only")
    if known not in OFFICE_ROLES:
        raise RuleError("role_not_allowed", f"an office cannot act as {known}")
    return known


# ------------------------------------------------------------------- the centre
#
# The 137 centre's desk is the office app enrolled with every district
# (``daftar-server office add NAME --all``) and used by people of role ``centre``.
# Its moves — taking a call in, referring, moving to another district, a repeat
# call — are refused from any other device and to anyone else (DESIGN.md).

#: Ops (wire values) only the centre's desk makes.
CENTRE_OPS: frozenset[str] = frozenset({"refer", "move_district", "repeat_call"})
#: Channels the centre types in (a walk-in is the district counter's).
CENTRE_CHANNELS: tuple[str, ...] = ("phone", "web", "sms")
#: Why a request moves to another district: free text, as long as a note.
MOVE_REASON_LENGTH = 4000


def check_centre_desk(role: Role | str, *, centre_office: bool) -> None:
    """A centre move: only at the centre's office and only by a ``centre`` user."""
    if not centre_office:
        raise RuleError("not_centre_office",
                        "the centre's moves are made only at the 137 centre's office "
                        "(enrolled with every district)")
    if role != Role.CENTRE:
        raise RuleError("role_not_allowed", f"{role} may not make the centre's moves")


def check_repeat_call(status: Status | str) -> None:
    """A repeat call is attached to a request still open (a closed one: a new call)."""
    if Status(status) not in workflow.OPEN_STATUSES:
        raise RuleError("not_open", "the request is closed: take the call as a new request",
                        status=str(status))


def check_referral(status: Status | str) -> None:
    """Referral is the centre's first move on a received request; work already with a
    district moves by :data:`~sync.protocol.Op.MOVE_DISTRICT` or a status change."""
    if Status(status) != Status.RECEIVED:
        raise RuleError("not_received", "only a received request is referred", status=str(status))


def check_referral_district(district_code: object, exists: bool) -> str:
    if not is_code(district_code, DISTRICT_CODE_LENGTH) or not exists:
        raise RuleError("unknown_district", "no such district", "district_code")
    return district_code  # type: ignore[return-value]


#: What a request may be moved to another district in: once referred and until closed
#: (before, the centre refers it where it belongs; after, reopen it first).
MOVABLE_STATUSES: frozenset[Status] = frozenset({Status.REFERRED, Status.ASSIGNED,
                                                 Status.IN_PROGRESS})


def check_district_move(status: Status | str, from_district: str, to_district: object,
                        exists: bool, reason: str | None) -> str:
    """A move to another district (the centre's): of a request the district works on,
    to another known district, with a reason; returns the reason as stored."""
    if Status(status) not in MOVABLE_STATUSES:
        raise RuleError("cannot_move", f"a {status} request is not moved", status=str(status))
    check_referral_district(to_district, exists)
    if to_district == from_district:
        raise RuleError("same_district", "the request is already in this district",
                        "district_code")
    if not isinstance(reason, str | None):
        raise RuleError("not_text", "a reason is text", "reason")
    text = check_length("reason", clean(reason), MOVE_REASON_LENGTH)
    if not text:
        raise RuleError("required", "say why the request moves", "reason")
    return text


def check_centre_channel(channel: object) -> str:
    if channel not in CENTRE_CHANNELS:
        raise RuleError("invalid_channel", "the centre takes phone, web and SMS requests",
                        "channel")
    return channel  # type: ignore[return-value]


def default_due(referred_at: dt.datetime, target_days: int) -> dt.datetime:
    """The deadline a referral gets unless the centre sets another: the referral's
    time plus the category's target days."""
    return referred_at + dt.timedelta(days=int(target_days))


def check_due(due_at: object, referred_at: dt.datetime) -> dt.datetime:
    """A deadline the centre sets: an instant with its offset, after the referral."""
    if not isinstance(due_at, dt.datetime) or due_at.tzinfo is None:
        raise RuleError("invalid_due", "a deadline is an instant with its offset", "due_at")
    if due_at <= referred_at:
        raise RuleError("due_in_past", "the deadline must be after the referral", "due_at")
    return due_at


# ------------------------------------------------------------------------ users
#
# An office's people are its own (it signs them in, offline), and the centre holds
# a copy of each (``upsert_user``, never a password) so that it can check who acts.

USERNAME_LENGTH = 50
DISPLAY_NAME_LENGTH = 100
#: Who adds, changes and deactivates an office's people.
USER_MANAGER_ROLES: frozenset[Role] = frozenset({Role.MANAGER})


@dataclass(frozen=True)
class SystemUser:
    """A built-in actor of every office that is no person: nobody signs in as it,
    it has a fixed role and makes only the ops named (by their wire value)."""

    role: Role
    ops: frozenset[str]


#: The command line (``daftar workorders``) prints work orders and records them
#: issued; that is all it may push.
CLI_USERNAME = "cli"
SYSTEM_USERS: Mapping[str, SystemUser] = {
    CLI_USERNAME: SystemUser(Role.SUPERVISOR, frozenset({"work_order_issued"})),
}


@dataclass(frozen=True)
class KnownUser:
    """What the checking end holds about one of the office's users."""

    role: str
    active: bool


def acting_role(actor: str, claimed: str | None, op: str, user: KnownUser | None, *,
                centre_office: bool = False) -> Role:
    """The role ``actor`` makes ``op`` with: the one the checking end holds for that
    user (``user``; ``None`` when it knows no such user), never the one claimed.  A
    claim (``claimed``, the role the device says the person had) that differs is
    refused, as is an unknown or deactivated user and a system user's op it may not
    make."""
    system = SYSTEM_USERS.get(actor)
    if system is not None:
        if op not in system.ops:
            raise RuleError("role_not_allowed", f"{actor} may not {op}")
        role = system.role
    elif user is None:
        raise RuleError("unknown_actor", f"{actor!r} is no user of this office", actor=actor)
    elif not user.active:
        raise RuleError("actor_inactive", f"{actor!r} is no longer an active user", actor=actor)
    else:
        role = office_role(user.role, centre_office=centre_office)
    if claimed is not None and claimed != role.value:
        raise RuleError("role_not_allowed", f"{actor} acts as {role}, not as {claimed}")
    return role


def check_user_manager(role: Role) -> None:
    if role not in USER_MANAGER_ROLES:
        raise RuleError("role_not_allowed", f"{role} may not manage users")


def check_username(username: str) -> str:
    """A user name as stored (trimmed, case-folded); the system users' names are taken."""
    name = clean(username).casefold()
    if not name:
        raise RuleError("required", "choose a user name", field="username")
    if len(name) > USERNAME_LENGTH:
        raise RuleError("too_long", f"at most {USERNAME_LENGTH} characters", field="username")
    if name in SYSTEM_USERS:
        raise RuleError("reserved", f"{name!r} is the name of a built-in user", field="username")
    return name


# -------------------------------------------------------------------- lifecycle


def check_move(source: Status | str, target: Status | str, role: Role, *,
               reason: str | None = None) -> None:
    """The lifecycle's verdict (:func:`sync.workflow.check_transition`) as a rule."""
    try:
        workflow.check_transition(Status(source), Status(target), role, reason=reason)
    except TransitionError as exc:
        raise RuleError(exc.code, str(exc)) from None


#: Reference codes, at most as wide as their columns (:mod:`sync.schema`).
REASON_CODE_LENGTH = 32
NEIGHBOURHOOD_CODE_LENGTH = 48
CATEGORY_CODE_LENGTH = 32
DISTRICT_CODE_LENGTH = 16


def is_code(value: object, width: int) -> bool:
    """Whether ``value`` can be a code of a column ``width`` wide: text, not empty,
    no wider, and without control characters or line breaks — no database is asked
    about anything else (PostgreSQL refuses a NUL with an error, not an answer)."""
    return isinstance(value, str) and 0 < len(value) <= width and value.isprintable()


def check_status_change(
    lookup: Lookup, request_id: uuid.UUID, source: Status | str, target: Status | str,
    role: Role, *, reason: str | None = None, duplicate_of: uuid.UUID | None = None,
) -> None:
    """A lifecycle move: allowed for ``role`` (:mod:`sync.workflow`), with a known
    reason, and a duplicate linked only to another known request."""
    check_move(source, target, role, reason=reason)
    if reason is not None and not is_code(reason, REASON_CODE_LENGTH):
        raise RuleError("unknown_reason", "no such reason")
    if reason is not None and not lookup.reason_exists(reason):
        raise RuleError("unknown_reason", f"no such reason: {reason}", reason=reason)
    if duplicate_of is not None:
        if reason != "duplicate":
            raise RuleError("duplicate_needs_reason", "only a duplicate links to an original")
        if duplicate_of == request_id or not lookup.request_exists(duplicate_of):
            raise RuleError("bad_original", "the original must be another known request")


def project_status(request: Any, target: Status, *, at: Any, reason: str | None = None,
                   note: str = "", duplicate_of: uuid.UUID | None = None) -> None:
    """Move a request row (either end's) to ``target``: closing records the outcome,
    returning to ``referred`` (reopened, taken back) clears outcome and crew."""
    request.status = target.value
    if target in workflow.CLOSED_STATUSES:
        request.closed_at = at
        request.outcome_reason = reason
        request.outcome_note = note
        request.duplicate_of = duplicate_of
    elif target == Status.REFERRED:
        request.closed_at = None
        request.outcome_reason = None
        request.outcome_note = ""
        request.duplicate_of = None
        request.crew_id = None
        request.assigned_at = None


def check_assigner(role: Role) -> None:
    if role not in workflow.ASSIGN_ROLES:
        raise RuleError("role_not_allowed", f"{role} may not assign crews")


def assigned_status(source: Status | str, role: Role) -> Status:
    """The status a request in ``source`` has once ``role`` gives it to a crew:
    referred ones become assigned, assigned or in-progress ones only change crew."""
    check_assigner(role)
    source = Status(source)
    if source == Status.REFERRED:
        check_move(source, Status.ASSIGNED, role)
        return Status.ASSIGNED
    if source not in (Status.ASSIGNED, Status.IN_PROGRESS):
        raise RuleError("cannot_assign", f"a {source} request cannot be assigned",
                        status=source.value)
    return source


def check_crew_for(request_district: str, crew_district: str, active: bool) -> None:
    """A crew takes work in its own district, and only while active."""
    if crew_district != request_district:
        raise RuleError("crew_not_in_district", "the crew works in another district")
    if not active:
        raise RuleError("crew_inactive", "the crew is no longer active")


# ------------------------------------------------------------------------ edits

#: Who corrects a request's plain fields: the desk, not the crews.
EDIT_ROLES: frozenset[Role] = frozenset({Role.CLERK, Role.MANAGER})
#: A request is corrected while the district works on it.  Before referral it is
#: the centre's; once closed it is a record the reports have counted — reopen it to
#: correct it.
EDITABLE_STATUSES: frozenset[Status] = frozenset({Status.REFERRED, Status.ASSIGNED,
                                                  Status.IN_PROGRESS})


def may_edit(role: Role, status: Status | str) -> bool:
    """Whether ``role`` may correct the plain fields of a request in ``status``."""
    return role in EDIT_ROLES and status in EDITABLE_STATUSES


def check_editable(names: Iterable[str]) -> None:
    unknown = sorted(set(names) - set(EDITABLE_FIELDS))
    if unknown:
        raise RuleError("not_editable", f"not editable: {unknown}")


def check_edit(role: Role, status: Status | str) -> None:
    if role not in EDIT_ROLES:
        raise RuleError("role_not_allowed", f"{role} may not correct requests")
    if status not in EDITABLE_STATUSES:
        raise RuleError("not_editable_now", f"a {status} request is not edited",
                        status=str(status))


#: A note (on its own, with a status change, or a closed request's outcome note)
#: holds at most this many characters: a page and a half of Persian (some 700
#: words); a clerk's notes run to a few lines.  The columns are unbounded ``Text``.
NOTE_LENGTH = 4000


def check_length(name: str, text: str, limit: int) -> str:
    if len(text) > limit:
        raise RuleError("too_long", f"at most {limit} characters (this has {len(text)})",
                        name, limit=limit)
    return text


def check_note(text: str | None, *, required: bool = True) -> str:
    """A note as stored: cleaned, at most :data:`NOTE_LENGTH` characters, and, when
    ``required`` (a note on its own), not empty."""
    if not isinstance(text, str | None):
        raise RuleError("not_text", "a note is text", "note")
    note = check_length("note", clean(text), NOTE_LENGTH)
    if required and not note:
        raise RuleError("required", "write the note first", field="note")
    return note


# ----------------------------------------------------------------------- fields


class Kind(enum.Enum):
    TEXT = "text"
    PHONE = "phone"
    COORDINATE = "coordinate"
    NEIGHBOURHOOD = "neighbourhood"
    CATEGORY = "category"


@dataclass(frozen=True)
class Field:
    kind: Kind = Kind.TEXT
    #: Never empty.
    required: bool = False
    #: The most characters it holds as stored: the column's width where it has one
    #: (which PostgreSQL enforces at the centre), else a length no real text meets.
    max_length: int | None = None
    #: A coordinate lies in ``-bound..bound``.
    bound: float = 0.0

    @property
    def empty(self) -> Any:
        return "" if self.kind is Kind.TEXT else None


#: The citizen's name column holds this many characters, at both ends.
CITIZEN_NAME_LENGTH = 200
PHONE_LENGTH = 20
TRACKING_CODE_LENGTH = 32
#: What the citizen reports, as long as a note (:data:`NOTE_LENGTH`): the
#: 137 line's descriptions are a few sentences.
DESCRIPTION_LENGTH = NOTE_LENGTH
#: An Iranian address spelled out in full (province, city, street, alley, plaque,
#: unit, landmark) is some 150 characters; 1,000 leaves room for directions.
ADDRESS_LENGTH = 1000
#: A crew's name and its supervisor's: the columns' width.
CREW_NAME_LENGTH = 100

#: The fields a person types into a request: the walk-in form's, the edit form's,
#: and those an office may send in a walk-in or an edit.
REQUEST_FIELDS: Mapping[str, Field] = {
    "description": Field(required=True, max_length=DESCRIPTION_LENGTH),
    "citizen_name": Field(max_length=CITIZEN_NAME_LENGTH),
    "citizen_phone": Field(Kind.PHONE, max_length=PHONE_LENGTH),
    "address": Field(max_length=ADDRESS_LENGTH),
    "latitude": Field(Kind.COORDINATE, bound=90),
    "longitude": Field(Kind.COORDINATE, bound=180),
    "neighbourhood_code": Field(Kind.NEIGHBOURHOOD, required=True,
                                max_length=NEIGHBOURHOOD_CODE_LENGTH),
    "category_code": Field(Kind.CATEGORY, required=True, max_length=CATEGORY_CODE_LENGTH),
}
#: Plain request fields an office may edit (everything else moves by events).
EDITABLE_FIELDS: tuple[str, ...] = tuple(REQUEST_FIELDS)
#: A walk-in also leaves a phone number, so that the office can call back.
WALK_IN_REQUIRED: frozenset[str] = frozenset({"citizen_phone"})

CREW_FIELDS: Mapping[str, Field] = {
    "name": Field(required=True, max_length=CREW_NAME_LENGTH),
    "supervisor": Field(max_length=CREW_NAME_LENGTH),
    "phone": Field(Kind.PHONE, max_length=PHONE_LENGTH),
}


def field_value(name: str, rule: Field, value: Any, lookup: Lookup, *,
                district_code: str | None = None, required: bool = False) -> Any:
    """``value`` as stored, or :class:`RuleError` naming ``name``.  A neighbourhood must
    lie in ``district_code`` when one is given."""
    required = required or rule.required
    if rule.kind is Kind.COORDINATE:
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not -rule.bound <= value <= rule.bound:
            raise RuleError("out_of_range",
                            f"{name} must be a number from -{rule.bound:g} to {rule.bound:g}", name)
        return float(value)
    if not isinstance(value, str) and (value is not None or rule.kind is Kind.TEXT):
        raise RuleError("not_text", f"{name} must be text", name)
    text = clean(value)
    if not text:
        if required:
            raise RuleError("required", f"{name} is required", name)
        return rule.empty
    if rule.kind is Kind.PHONE:
        try:
            text = parse_phone(value)
        except PhoneError as exc:
            raise RuleError(exc.problem.value, exc.message, name) from None
    elif rule.kind is Kind.NEIGHBOURHOOD:
        district = lookup.district_of(value) if is_code(value, rule.max_length or 0) else None
        if district is None:
            raise RuleError("required", "no such neighbourhood", name)
        if district_code and district != district_code:
            raise RuleError("wrong_district", "the neighbourhood is not in the district", name)
        return value
    elif rule.kind is Kind.CATEGORY:
        if not (is_code(value, rule.max_length or 0) and lookup.category_exists(value)):
            raise RuleError("required", "no such category", name)
        return value
    if rule.max_length is not None:
        check_length(name, text, rule.max_length)
    return text


def check_fields(fields: Mapping[str, Field], values: Mapping[str, Any], lookup: Lookup, *,
                 district_code: str | None = None, complete: bool = False,
                 required: Iterable[str] = ()) -> tuple[dict[str, Any], list[RuleError]]:
    """The values as stored and every problem, one per field, in the table's order.
    Only the fields in ``values`` are checked, or, when ``complete``, every field of
    the table (a missing one as empty)."""
    must = set(required)
    out: dict[str, Any] = {}
    problems: list[RuleError] = []
    for name, rule in fields.items():
        if name not in values and not complete:
            continue
        try:
            out[name] = field_value(name, rule, values.get(name, rule.empty), lookup,
                                    district_code=district_code, required=name in must)
        except RuleError as problem:
            problems.append(problem)
    return out, problems


def check_walk_in(values: Mapping[str, Any], lookup: Lookup, *,
                  district_code: str | None) -> tuple[dict[str, Any], list[RuleError]]:
    """A walk-in's fields, every one of the table, as the counter takes them."""
    return check_fields(REQUEST_FIELDS, values, lookup, district_code=district_code,
                        complete=True, required=WALK_IN_REQUIRED)


def check_request_edit(values: Mapping[str, Any], lookup: Lookup, *,
                       district_code: str) -> tuple[dict[str, Any], list[RuleError]]:
    """The edited fields; the neighbourhood stays in the request's district (moving a
    request is the centre's decision)."""
    check_editable(values)
    return check_fields(REQUEST_FIELDS, values, lookup, district_code=district_code)


class _NoLookup:
    def reason_exists(self, code: str) -> bool:
        return False

    def request_exists(self, request_id: uuid.UUID) -> bool:
        return False

    def category_exists(self, code: str) -> bool:
        return False

    def district_of(self, neighbourhood_code: str) -> str | None:
        return None


_NO_LOOKUP = _NoLookup()


#: Who manages crews.
CREW_ROLES: frozenset[Role] = frozenset({Role.MANAGER, Role.SUPERVISOR})


def check_crew_manager(role: Role) -> None:
    if role not in CREW_ROLES:
        raise RuleError("role_not_allowed", f"{role} may not manage crews")


def check_crew(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[RuleError]]:
    """A crew's name, supervisor and phone as stored."""
    return check_fields(CREW_FIELDS, values, _NO_LOOKUP, complete=True)


# ------------------------------------------------------------------ attachments

#: Widths of an attachment's text as both ends store it.
ATTACHMENT_NAME_LENGTH = 255
ATTACHMENT_CAPTION_LENGTH = 500
#: Kinds of attachment, and the media types kept (the same as the protocol's).
ATTACHMENT_KINDS = frozenset({"citizen", "before", "after"})
ATTACHMENT_MEDIA_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})
#: The most one attachment holds, in bytes (:data:`sync.protocol.MAX_ATTACHMENT_BYTES`).
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
#: Who may remove an attachment someone else added (the adder may take back their own).
REMOVE_ANY_ATTACHMENT_ROLES: frozenset[Role] = frozenset({Role.MANAGER})
_SHA256 = frozenset("0123456789abcdef")


def is_sha256(value: object) -> bool:
    """A blob's name: 64 lower-case hex digits."""
    return isinstance(value, str) and len(value) == 64 and set(value) <= _SHA256


def check_attachment(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[RuleError]]:
    """An attachment's metadata as both ends store it: its hash, size within
    :data:`MAX_ATTACHMENT_BYTES`, a kept media type, a kind, and its name and caption
    within their widths (without control characters: :func:`sync.text.clean` is the
    caller's).  Returns the checked values and every problem."""
    out: dict[str, Any] = {}
    problems: list[RuleError] = []
    sha = values.get("sha256")
    if is_sha256(sha):
        out["sha256"] = sha
    else:
        problems.append(RuleError("invalid_value", "a SHA-256 of 64 lower-case hex digits", "sha256"))
    size = values.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        problems.append(RuleError("invalid_value", "a size in bytes", "size"))
    elif size > MAX_ATTACHMENT_BYTES:
        problems.append(RuleError("attachment_too_big",
                                  f"{size} bytes; at most {MAX_ATTACHMENT_BYTES} are kept", "size",
                                  limit=MAX_ATTACHMENT_BYTES))
    else:
        out["size"] = size
    media_type = values.get("media_type")
    # A list or object is unhashable: ask isinstance first, or the check raises.
    if isinstance(media_type, str) and media_type in ATTACHMENT_MEDIA_TYPES:
        out["media_type"] = media_type
    else:
        problems.append(RuleError("attachment_type", "a JPEG, PNG or PDF", "media_type"))
    kind = values.get("kind", "before")
    if isinstance(kind, str) and kind in ATTACHMENT_KINDS:
        out["kind"] = kind
    else:
        problems.append(RuleError("invalid_value", f"one of {sorted(ATTACHMENT_KINDS)}", "kind"))
    internal = values.get("internal", False)
    if isinstance(internal, bool):
        out["internal"] = internal
    else:
        problems.append(RuleError("invalid_value", "true or false", "internal"))
    for name, limit, required in (("filename", ATTACHMENT_NAME_LENGTH, True),
                                  ("caption", ATTACHMENT_CAPTION_LENGTH, False)):
        text = values.get(name, "")
        if text is None and not required:
            text = ""
        if not isinstance(text, str) or (required and not text.strip()):
            problems.append(RuleError("invalid_value", "text" + (", not empty" if required else ""), name))
        elif len(text) > limit:
            problems.append(RuleError("too_long", f"at most {limit} characters", name, limit=limit))
        else:
            out[name] = text
    return out, problems


def check_attachment_removal(role: Role, actor: str, added_by: str, *, same_office: bool) -> None:
    """The person who added an attachment may take it back; a manager may remove any.
    Usernames are an office's own: the adder is ``added_by`` *at the office that added
    it* (``same_office``), not a namesake at another office."""
    if role not in REMOVE_ANY_ATTACHMENT_ROLES and not (same_office and actor == added_by):
        raise RuleError("role_not_allowed", "only a manager or the person who added it removes a file")


def check_attachment_change(role: Role, actor: str, added_by: str, *, same_office: bool,
                            hides_only: bool) -> None:
    """Anyone may mark a photo internal (that only hides it); any other change of its
    kind or mark is for those who may remove it."""
    if not hides_only:
        check_attachment_removal(role, actor, added_by, same_office=same_office)
