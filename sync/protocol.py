"""The wire contract between an office and the centre.

Every message carries ``protocol_version``; the centre serves
``MIN_PROTOCOL_VERSION..PROTOCOL_VERSION`` and answers anything else with a clear
``unsupported_protocol`` error (HTTP 426) that the app shows as it is.

Offices *push* mutations: each is one user action, made where the action happened,
with a ``mutation_id`` born with it.  The centre applies each exactly once and
stores its answer; a replay gets the stored answer.  Offices *pull* changes from
the centre's ordered change log after a cursor, in pages.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

PROTOCOL_VERSION = 1
MIN_PROTOCOL_VERSION = 1

#: Header that carries a device's credential (never a query string or a body).
CREDENTIAL_HEADER = "X-Daftar-Credential"
#: Header that carries the protocol version of every request.
PROTOCOL_HEADER = "X-Daftar-Protocol"

MAX_PUSH_BATCH = 200
MAX_PULL_PAGE = 2000


class Op(enum.StrEnum):
    """What a pushed mutation does.  Payload keys per op are in :data:`OP_FIELDS`."""

    CREATE_REQUEST = "create_request"  # a walk-in registered at the office
    CHANGE_STATUS = "change_status"  # a lifecycle move
    ASSIGN = "assign"  # crew assigned (referred -> assigned) or changed
    ADD_NOTE = "add_note"
    WORK_ORDER_ISSUED = "work_order_issued"
    EDIT_REQUEST = "edit_request"  # plain fields (address, description …), base-checked
    UPSERT_CREW = "upsert_crew"


#: The payload keys each op carries (besides ``event_id`` on request ops).
OP_FIELDS: dict[Op, tuple[str, ...]] = {
    Op.CREATE_REQUEST: (
        "request",  # the request's columns, as in :class:`RequestData`
    ),
    Op.CHANGE_STATUS: ("from_status", "to_status", "reason", "note", "duplicate_of"),
    Op.ASSIGN: ("crew_id", "from_status"),
    Op.ADD_NOTE: ("note",),
    Op.WORK_ORDER_ISSUED: (),
    Op.EDIT_REQUEST: ("changes", "base"),  # {field: new}, {field: value it was edited from}
    Op.UPSERT_CREW: ("crew",),
}

#: Plain request fields an office may edit (everything else moves by events).
EDITABLE_FIELDS = (
    "description", "citizen_name", "citizen_phone", "address", "latitude", "longitude",
    "neighbourhood_code", "category_code",
)


class Outcome(enum.StrEnum):
    APPLIED = "applied"
    #: A business rejection (illegal move, out of scope …): an answer, not an error.
    REJECTED = "rejected"
    #: A stale edit of a plain field: the centre kept its value, the office's is kept
    #: as a conflict for a person to settle.
    CONFLICT = "conflict"


class Wire(BaseModel):
    # Unknown fields are ignored: an N-1 client keeps working against an N server.
    model_config = ConfigDict(extra="ignore")


class Mutation(Wire):
    mutation_id: uuid.UUID
    office_seq: int
    op: Op
    entity: str
    entity_id: uuid.UUID
    base_version: int | None = None
    client_time: dt.datetime
    actor: str
    actor_role: str
    payload: dict[str, Any] = Field(default_factory=dict)


class PushRequest(Wire):
    protocol_version: int
    mutations: list[Mutation] = Field(max_length=MAX_PUSH_BATCH)
    client_time: dt.datetime


class MutationResult(Wire):
    mutation_id: uuid.UUID
    outcome: Outcome
    code: str | None = None
    message: str = ""
    #: The centre's copy of the entity after the mutation (or as it stands, when
    #: rejected), so that the office can show both sides.
    server_value: dict[str, Any] | None = None


class PushResponse(Wire):
    protocol_version: int
    results: list[MutationResult]
    server_time: dt.datetime


class Change(Wire):
    seq: int
    entity: str  # request | event | crew | reference
    op: str  # upsert | moved_out
    key: str
    data: dict[str, Any] | None = None


class PullResponse(Wire):
    protocol_version: int
    changes: list[Change]
    next_cursor: int
    has_more: bool
    server_time: dt.datetime


class EnrolRequest(Wire):
    protocol_version: int
    code: str
    device_name: str = ""


class EnrolResponse(Wire):
    protocol_version: int
    office_id: uuid.UUID
    office_name: str
    device_id: uuid.UUID
    credential: str
    districts: list[str]
    all_districts: bool


class ErrorBody(Wire):
    """Every error the centre returns.  ``code`` is stable; ``message`` is English
    for logs; the app shows its own translation of ``code``."""

    code: str
    message: str
    min_protocol_version: int | None = None
    max_protocol_version: int | None = None
