"""The request lifecycle: one table of truth that the office and the centre both import.

A request moves through the statuses below; every move is an event with who, when,
from and to (DESIGN.md, "The request lifecycle").  Whether a move is allowed depends
on the pair of statuses *and* on the role of the person making it; nothing else in
the code base decides that.

Core code speaks in codes (``Status.DONE``, ``Role.CLERK``); the words people read
live in the UI's translations and in :data:`STATUS_LABELS_FA` for printed matter.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping


class Status(enum.StrEnum):
    RECEIVED = "received"
    REFERRED = "referred"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_ACTIONABLE = "not_actionable"


class Role(enum.StrEnum):
    CLERK = "clerk"  # کارشناس ناحیه
    SUPERVISOR = "supervisor"  # سرپرست اکیپ
    MANAGER = "manager"  # مدیر ناحیه
    CENTRE = "centre"  # اپراتور / مدیر مرکز ۱۳۷


class Bucket(enum.StrEnum):
    """The three outcome columns of the seed's table (and of every summary report)."""

    DONE = "done"
    NOT_ACTIONABLE = "not_actionable"
    IN_PROGRESS = "in_progress"


OPEN_STATUSES: frozenset[Status] = frozenset(
    {Status.RECEIVED, Status.REFERRED, Status.ASSIGNED, Status.IN_PROGRESS}
)
CLOSED_STATUSES: frozenset[Status] = frozenset({Status.DONE, Status.NOT_ACTIONABLE})

BUCKETS: Mapping[Status, Bucket] = {
    Status.RECEIVED: Bucket.IN_PROGRESS,
    Status.REFERRED: Bucket.IN_PROGRESS,
    Status.ASSIGNED: Bucket.IN_PROGRESS,
    Status.IN_PROGRESS: Bucket.IN_PROGRESS,
    Status.DONE: Bucket.DONE,
    Status.NOT_ACTIONABLE: Bucket.NOT_ACTIONABLE,
}

STATUS_LABELS_FA: Mapping[Status, str] = {
    Status.RECEIVED: "ثبت شده",
    Status.REFERRED: "ارجاع شده",
    Status.ASSIGNED: "واگذار شده",
    Status.IN_PROGRESS: "در دست اقدام",
    Status.DONE: "انجام شده",
    Status.NOT_ACTIONABLE: "قابل انجام نیست",
}

_DISTRICT = frozenset({Role.CLERK, Role.SUPERVISOR, Role.MANAGER})
_DESK = frozenset({Role.CLERK, Role.MANAGER})

#: (from, to) -> the roles that may make that move.  A pair that is not here is not a
#: move at all.  Reassigning a crew is not a status change (see ``EventKind.ASSIGNED``).
TRANSITIONS: Mapping[tuple[Status, Status], frozenset[Role]] = {
    # The centre verifies what came in and refers it to a district, or closes it
    # at once (a duplicate, a false report).
    (Status.RECEIVED, Status.REFERRED): frozenset({Role.CENTRE}),
    (Status.RECEIVED, Status.NOT_ACTIONABLE): frozenset({Role.CENTRE}),
    # The district assigns a crew, or finds it cannot act.
    (Status.REFERRED, Status.ASSIGNED): _DISTRICT,
    (Status.REFERRED, Status.NOT_ACTIONABLE): _DISTRICT | {Role.CENTRE},
    # The crew starts and finishes.
    (Status.ASSIGNED, Status.IN_PROGRESS): _DISTRICT,
    (Status.ASSIGNED, Status.DONE): _DISTRICT,
    (Status.ASSIGNED, Status.NOT_ACTIONABLE): _DISTRICT,
    (Status.IN_PROGRESS, Status.DONE): _DISTRICT,
    (Status.IN_PROGRESS, Status.NOT_ACTIONABLE): _DISTRICT,
    # Taking work back from a crew returns it to the district's desk.
    (Status.ASSIGNED, Status.REFERRED): _DESK | {Role.CENTRE},
    (Status.IN_PROGRESS, Status.REFERRED): _DESK | {Role.CENTRE},
    # Reopening a closed request starts a new cycle at the desk.
    (Status.DONE, Status.REFERRED): _DESK | {Role.CENTRE},
    (Status.NOT_ACTIONABLE, Status.REFERRED): _DESK | {Role.CENTRE},
}

#: Roles that may assign or reassign a crew while a request stays assigned.
ASSIGN_ROLES: frozenset[Role] = _DISTRICT
#: Moving a request to another district is the centre's decision (DESIGN.md).
MOVE_DISTRICT_ROLES: frozenset[Role] = frozenset({Role.CENTRE})


class EventKind(enum.StrEnum):
    """What an entry of a request's history records.  History is only appended to."""

    CREATED = "created"  # registered (centre intake, walk-in, archive import)
    STATUS = "status"  # a lifecycle move, from_status -> to_status
    ASSIGNED = "assigned"  # crew assigned or changed
    NOTE = "note"  # free text
    MOVED = "moved"  # referred to another district by the centre
    WORK_ORDER_ISSUED = "work_order_issued"  # a work order was printed
    CONFLICT_SETTLED = "conflict_settled"  # a person settled a sync problem
    # centre-core (issue 15): the caller rang again about an open request instead of
    # a second request being made; ``data = {"phone": "09…"}``.  Reports count them.
    REPEAT_CALL = "repeat_call"


class TransitionError(ValueError):
    """A move the lifecycle does not allow.  ``code`` is stable; UIs translate it."""

    def __init__(self, code: str, source: Status, target: Status, role: Role | None = None):
        self.code = code
        self.source = source
        self.target = target
        self.role = role
        super().__init__(f"{code}: {source} -> {target}" + (f" by {role}" if role else ""))


def is_move(source: Status, target: Status) -> bool:
    """True when the lifecycle knows the move at all, whoever makes it."""
    return (source, target) in TRANSITIONS


def can_transition(source: Status, target: Status, role: Role) -> bool:
    return role in TRANSITIONS.get((source, target), frozenset())


def check_transition(
    source: Status, target: Status, role: Role, *, reason: str | None = None
) -> None:
    """Raise :class:`TransitionError` unless ``role`` may move ``source`` to ``target``.

    A move to ``not_actionable`` needs a reason code; any other move must not carry one.
    """
    if not is_move(source, target):
        raise TransitionError("not_a_move", source, target)
    if not can_transition(source, target, role):
        raise TransitionError("role_not_allowed", source, target, role)
    # ``==``, not ``is``: statuses read from a database row are plain ``str``.
    # A reason of only spaces is no reason.
    given = bool(reason and reason.strip())
    if target == Status.NOT_ACTIONABLE and not given:
        raise TransitionError("reason_required", source, target, role)
    if target != Status.NOT_ACTIONABLE and reason:
        raise TransitionError("reason_not_expected", source, target, role)


def allowed_targets(source: Status, role: Role) -> list[Status]:
    """The statuses ``role`` may move a request in ``source`` to, in lifecycle order."""
    return [target for target in Status if can_transition(source, target, role)]


def bucket(status: Status | str) -> Bucket:
    return BUCKETS[Status(status)]


def statuses_in(bucket_: Bucket | str) -> list[Status]:
    return [status for status, b in BUCKETS.items() if b == bucket_]


def is_open(status: Status | str) -> bool:
    return Status(status) in OPEN_STATUSES


def parse_statuses(values: Iterable[str]) -> list[Status]:
    return [Status(v) for v in values]
