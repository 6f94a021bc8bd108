"""The wire contract between an office and the centre: its constants and pydantic messages.

Offices *push* mutations (``POST /sync/push``): each is one user action with a
``mutation_id`` born with it, which the centre applies exactly once; a business
rejection is an answer (``rejected``/``conflict``, HTTP 200), never an error, so only
network failures and 5xx are retried.  Offices *pull* pages of the centre's change
log (``GET /sync/pull?cursor=N``) as the *state* the entries point at, grouped by
table in column-oriented :class:`Table` s: idempotent, and compact enough for a
100,000-request first sync.  The other endpoints are ``/health``, ``/sync/enrol``
(a one-time code in, a device credential out) and ``/sync/hello`` (who the device
is, and the centre's clock).  Every request states its protocol version in
:data:`PROTOCOL_HEADER`; the centre answers versions outside its range with HTTP 426
and an :class:`ErrorBody` of code ``unsupported_protocol``, so the app can tell which
side to update.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sync import rules
from sync.workflow import Status

PROTOCOL_VERSION = 1
MIN_PROTOCOL_VERSION = 1

#: Header that carries a device's credential (never a query string or a body).
CREDENTIAL_HEADER = "X-Daftar-Credential"
#: Header that carries the protocol version of every request.
PROTOCOL_HEADER = "X-Daftar-Protocol"

#: Headers of a pull answer that repeat where the next page starts and the log's
#: end (``next_cursor``, ``last_seq``), so that an office can ask for the next page
#: before it has read this one.  An answer without them is read for them.
NEXT_CURSOR_HEADER = "X-Daftar-Next-Cursor"
LAST_SEQ_HEADER = "X-Daftar-Last-Seq"

MAX_PUSH_BATCH = 200
#: Change-log entries per pull page: the default, and the most the centre serves.
DEFAULT_PULL_PAGE = 5000
MAX_PULL_PAGE = 20000

#: Clocks further apart than this get a warning in the app (sync.md, "Clock").
CLOCK_SKEW_WARNING_SECONDS = 300.0


class Op(enum.StrEnum):
    """What a pushed mutation does.  Each op's payload is described by :data:`PAYLOADS`."""

    CREATE_REQUEST = "create_request"  # a walk-in registered at the office
    CHANGE_STATUS = "change_status"  # a lifecycle move
    ASSIGN = "assign"  # crew assigned (referred -> assigned) or changed
    ADD_NOTE = "add_note"
    WORK_ORDER_ISSUED = "work_order_issued"
    EDIT_REQUEST = "edit_request"  # plain fields (address, description …), base-checked
    UPSERT_CREW = "upsert_crew"
    #: An office's user created or changed (by its manager): the centre checks every
    #: later mutation's actor against the users it holds (never a password).
    UPSERT_USER = "upsert_user"
    # centre-core (issue 15): the centre's own moves, made at its office (enrolled
    # with every district) by users of role ``centre``; refused from any other device.
    #: received -> referred, to a district, with a deadline (``due_at``).
    REFER = "refer"
    #: A referred (or later) request sent to another district, with a reason.
    MOVE_DISTRICT = "move_district"
    #: The caller rang again about an open request (an event, no new request).
    REPEAT_CALL = "repeat_call"


#: Plain request fields an office may edit (everything else moves by events): the
#: rule book's request fields.
EDITABLE_FIELDS = rules.EDITABLE_FIELDS

# ----------------------------------------------------------------- row shapes
#
# The columns of each synced table as they travel.  They are spelled out here, not
# read from the database models, so that adding a database column is a decision
# about the protocol too (tests/sync/client/test_protocol.py holds them against the schemas).

REQUEST_COLUMNS: tuple[str, ...] = (
    "id", "tracking_code", "received_at", "channel", "district_code", "neighbourhood_code",
    "category_code", "description", "citizen_name", "citizen_phone", "address", "latitude",
    "longitude", "status", "closed_at", "outcome_reason", "outcome_note", "crew_id",
    "assigned_at", "duplicate_of", "version", "updated_at", "due_at",
)
EVENT_COLUMNS: tuple[str, ...] = (
    "id", "request_id", "kind", "from_status", "to_status", "reason", "note", "data",
    "actor", "actor_role", "office_id", "client_time", "server_time", "mutation_id",
)
CREW_COLUMNS: tuple[str, ...] = (
    "id", "district_code", "name", "supervisor", "phone", "active", "version", "updated_at",
)
#: Reference kinds in the order an office must write them (parents first); their
#: columns are those of :mod:`sync.schema`'s reference mixins.
REFERENCE_KINDS: tuple[str, ...] = (
    "region", "category_family", "district", "neighbourhood", "category", "channel", "reason",
)

#: Columns that hold a UUID (sent as its canonical string) …
UUID_COLUMNS = frozenset({"id", "request_id", "crew_id", "duplicate_of", "office_id", "mutation_id"})
#: … and an instant (ISO 8601 with its offset; the centre sends UTC, ``Z``).
TIME_COLUMNS = frozenset(
    {"received_at", "closed_at", "assigned_at", "updated_at", "client_time", "server_time",
     "due_at"}
)


def parse_time(value: str | dt.datetime | None) -> dt.datetime | None:
    """An instant from the wire, always aware (a naive one is refused, not guessed)."""
    if value is None or isinstance(value, dt.datetime):
        moment = value
    else:
        moment = dt.datetime.fromisoformat(value)
    if moment is not None and moment.tzinfo is None:
        raise ValueError(f"instant without an offset: {value!r}")
    return moment


# ------------------------------------------------------------------ messages


class Wire(BaseModel):
    # Unknown fields are ignored: an N-1 client keeps working against an N server.
    model_config = ConfigDict(extra="ignore")


class Table(Wire):
    """Rows of one table, column-oriented: a few kilobytes of names instead of a key
    per value, which halves the size of a first sync."""

    columns: list[str]
    rows: list[list[Any]] = Field(default_factory=list)

    def dicts(self) -> Iterator[dict[str, Any]]:
        for row in self.rows:
            yield dict(zip(self.columns, row))

    def __len__(self) -> int:
        return len(self.rows)


class Mutation(Wire):
    mutation_id: uuid.UUID
    #: The outbox's own order; the centre records it for the audit.
    office_seq: int
    op: Op
    entity: str  # request | crew | user
    entity_id: uuid.UUID
    #: The version of the entity the change was made on (crews: a stale one is a conflict).
    base_version: int | None = None
    client_time: dt.datetime
    actor: str
    #: The role the person had when acting; ``None`` for ops without a lifecycle
    #: (crews, users).  The centre checks every move with the role *it* holds for
    #: ``actor`` (an office's user, :attr:`Op.UPSERT_USER`) and refuses a claim that
    #: differs from it.
    actor_role: str | None = None
    payload: dict[str, Any] = Field(default_factory=dict)


class RequestPayload(Wire):
    """What every request op carries: the id of the history entry the office wrote
    for it, which the centre keeps, so the entry is not doubled when pulled back."""

    event_id: uuid.UUID


class CreateRequestPayload(RequestPayload):
    #: The walk-in's columns (:data:`REQUEST_COLUMNS`); its tracking code is final.
    request: dict[str, Any]


class ChangeStatusPayload(RequestPayload):
    from_status: Status | None = None
    to_status: Status
    reason: str | None = None
    note: str = ""
    duplicate_of: uuid.UUID | None = None


class AssignPayload(RequestPayload):
    crew_id: uuid.UUID
    from_status: Status | None = None


class AddNotePayload(RequestPayload):
    note: str
    #: Why the note was written, when it is more than a note: ``ask_citizen`` (the
    #: centre asks the citizen for more before it verifies).  Kept in the event's data.
    purpose: str | None = None

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        """Without ``purpose`` when there is none: a plain note keeps the shape older
        centres read."""
        out = super().model_dump(**kwargs)
        if out.get("purpose") is None:
            out.pop("purpose", None)
        return out


class ReferPayload(RequestPayload):
    """The centre verified a received request and referred it (:attr:`Op.REFER`)."""

    from_status: Status | None = None
    #: The district that must act (suggested from the neighbourhood, changeable).
    district_code: str
    #: The neighbourhood, when the district chosen is not the one the request has.
    neighbourhood_code: str | None = None
    #: The deadline; ``None``: referral time plus the category's ``target_days``.
    due_at: dt.datetime | None = None
    note: str = ""


class MoveDistrictPayload(RequestPayload):
    """The centre sends a request to another district (:attr:`Op.MOVE_DISTRICT`)."""

    district_code: str
    neighbourhood_code: str | None = None
    #: Why (free text, required): it goes into the history the new district reads.
    reason: str


class RepeatCallPayload(RequestPayload):
    """Someone called again about an open request (:attr:`Op.REPEAT_CALL`)."""

    phone: str | None = None
    note: str = ""


class WorkOrderIssuedPayload(RequestPayload):
    pass


class EditRequestPayload(RequestPayload):
    #: ``{field: new value}`` and ``{field: the value it was edited from}``: the centre
    #: applies the edit only where its value is still the base (else a conflict).
    changes: dict[str, Any]
    base: dict[str, Any]


class UpsertCrewPayload(Wire):
    #: ``id, name, supervisor, phone, district_code, active``.
    crew: dict[str, Any]


class UpsertUserPayload(Wire):
    """One of the office's users as the centre holds them: never a password hash,
    which does not leave the office.  ``entity_id`` is the office's id of the user;
    the centre knows a user by office and ``username``."""

    username: str = Field(min_length=1, max_length=rules.USERNAME_LENGTH)
    display_name: str = Field(max_length=rules.DISPLAY_NAME_LENGTH)
    role: str
    active: bool


#: The payload of each op, as the centre reads it.
PAYLOADS: dict[Op, type[Wire]] = {
    Op.CREATE_REQUEST: CreateRequestPayload,
    Op.CHANGE_STATUS: ChangeStatusPayload,
    Op.ASSIGN: AssignPayload,
    Op.ADD_NOTE: AddNotePayload,
    Op.WORK_ORDER_ISSUED: WorkOrderIssuedPayload,
    Op.EDIT_REQUEST: EditRequestPayload,
    Op.UPSERT_CREW: UpsertCrewPayload,
    Op.UPSERT_USER: UpsertUserPayload,
    Op.REFER: ReferPayload,
    Op.MOVE_DISTRICT: MoveDistrictPayload,
    Op.REPEAT_CALL: RepeatCallPayload,
}


class PushRequest(Wire):
    protocol_version: int
    mutations: list[Mutation] = Field(max_length=MAX_PUSH_BATCH)
    client_time: dt.datetime


class Outcome(enum.StrEnum):
    APPLIED = "applied"
    #: A business rejection (illegal move, out of scope …): an answer, not an error.
    REJECTED = "rejected"
    #: A stale edit of a plain field: the centre kept its value, the office's is kept
    #: as a conflict for a person to settle.
    CONFLICT = "conflict"


class MutationResult(Wire):
    mutation_id: uuid.UUID
    outcome: Outcome
    code: str | None = None
    message: str = ""
    #: The centre's copy of the entity (request or crew, :data:`REQUEST_COLUMNS` /
    #: :data:`CREW_COLUMNS`) after the mutation — or as it stands, when refused — so
    #: that the office can show both sides.  ``None`` when the entity is unknown or
    #: outside the office's districts: an answer never carries another district's data.
    server_value: dict[str, Any] | None = None
    #: The history entry the centre wrote for an applied request op
    #: (:data:`EVENT_COLUMNS`), with the centre's ``server_time``.
    event: dict[str, Any] | None = None


class PushResponse(Wire):
    protocol_version: int
    results: list[MutationResult]
    server_time: dt.datetime


class PullResponse(Wire):
    protocol_version: int
    #: The cursor this page starts after (echoed, so an office applies a page only on
    #: the cursor it asked with).
    cursor: int
    #: The cursor to store with this page and to ask the next page with.
    next_cursor: int
    #: The newest change-log entry the centre had when it read the page (progress).
    last_seq: int
    has_more: bool
    server_time: dt.datetime
    #: Reference rows by kind (:data:`REFERENCE_KINDS`); every office gets them.
    reference: dict[str, Table] = Field(default_factory=dict)
    crews: Table = Field(default_factory=lambda: Table(columns=list(CREW_COLUMNS)))
    requests: Table = Field(default_factory=lambda: Table(columns=list(REQUEST_COLUMNS)))
    events: Table = Field(default_factory=lambda: Table(columns=list(EVENT_COLUMNS)))
    #: Requests that left the office's districts (moved by the centre): drop them
    #: and their history, unless the office still has unsent changes to them.
    removed_requests: list[uuid.UUID] = Field(default_factory=list)
    #: Set when each request row ends with a ``search_text`` column made by these
    #: rules (:data:`sync.text.SEARCH_TEXT_RULES`): the office asked for them with
    #: ``search_text_rules`` and the centre makes them by the same rules.  Otherwise
    #: there is no such column and the office makes its own.
    search_text_rules: int | None = None

    @property
    def row_count(self) -> int:
        return (
            sum(len(t) for t in self.reference.values()) + len(self.crews) + len(self.requests)
            + len(self.events) + len(self.removed_requests)
        )


class OfficeInfo(Wire):
    office_id: uuid.UUID
    name: str
    #: Part of the tracking codes the office gives walk-ins (``1405-<number>-17``).
    number: int
    #: The districts the office serves; every district when ``all_districts``.
    districts: list[str]
    all_districts: bool


class EnrolRequest(Wire):
    protocol_version: int
    code: str
    #: The office the enrolling data folder already belongs to, if any: the centre
    #: refuses a code of another office *without using it up* (code
    #: ``enrolled_elsewhere``), so the code still serves the folder it was meant for.
    #: (A centre that predates this field ignores it; the office checks the answer too.)
    office_id: uuid.UUID | None = None


class EnrolResponse(Wire):
    protocol_version: int
    office: OfficeInfo
    device_id: uuid.UUID
    #: Shown once; the centre keeps only its hash.  Sent back in :data:`CREDENTIAL_HEADER`.
    credential: str
    #: Jalali year -> the highest walk-in serial the centre has from this office, so a
    #: reinstalled office never hands out a tracking code twice.
    walk_in_serials: dict[int, int] = Field(default_factory=dict)
    server_time: dt.datetime


class HelloResponse(Wire):
    protocol_version: int
    min_protocol_version: int
    server_time: dt.datetime
    office: OfficeInfo
    last_seq: int
    #: Asked with ``?cursor=N``: whether the log holds anything for this office after
    #: ``N`` (or ``N`` is past the log's end, which only a pull can settle).  ``False``
    #: lets an idle office skip its pull: a poll every 30 s from every office then
    #: costs the centre one small read.  ``None``: not asked, or an older centre.
    changes_after: bool | None = None


class HealthResponse(Wire):
    status: str
    protocol_version: int
    min_protocol_version: int
    server_time: dt.datetime


class ErrorCode(enum.StrEnum):
    """Stable codes of :class:`ErrorBody`; the app translates them for the clerk."""

    UNSUPPORTED_PROTOCOL = "unsupported_protocol"  # 426
    BAD_CREDENTIAL = "bad_credential"  # 401: missing, malformed, unknown or wrong
    CREDENTIAL_REVOKED = "credential_revoked"  # 401: the centre revoked this device
    ENROLMENT_CODE_INVALID = "enrolment_code_invalid"  # 403: wrong, used or expired
    ENROLLED_ELSEWHERE = "enrolled_elsewhere"  # 409: the folder belongs to another office
    CURSOR_AHEAD = "cursor_ahead"  # 409: the centre's log is behind the office (restored)
    BAD_REQUEST = "bad_request"  # 400/422: a malformed request
    PAYLOAD_TOO_LARGE = "payload_too_large"  # 413: a body over the centre's limit
    TOO_MANY_ATTEMPTS = "too_many_attempts"  # 429: enrolment guesses; wait Retry-After
    NOT_FOUND = "not_found"  # 404
    SERVER_ERROR = "server_error"  # 500: nothing about the cause is sent


class ErrorBody(Wire):
    """Every error the centre returns.  ``code`` is stable; ``message`` is English
    for logs; the app shows its own translation of ``code``."""

    code: str
    message: str
    min_protocol_version: int | None = None
    max_protocol_version: int | None = None
