"""The request lifecycle, checked against a table written out here by hand.

The expected table is deliberately *not* derived from ``sync.workflow.TRANSITIONS``:
a change to the lifecycle must be made in both places, on purpose.
"""

from __future__ import annotations

import itertools

import pytest

from sync.workflow import (
    BUCKETS,
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Bucket,
    Role,
    Status,
    TransitionError,
    allowed_targets,
    bucket,
    can_transition,
    check_transition,
    is_move,
    is_open,
    statuses_in,
)

# Role letters: c = clerk, s = supervisor, m = manager, x = centre.
ROLE_LETTERS = {"c": Role.CLERK, "s": Role.SUPERVISOR, "m": Role.MANAGER, "x": Role.CENTRE}

# Rows are the status a request is in, columns the status it moves to.  "-" is not a
# move at all (nobody may make it); otherwise the letters of the roles that may.
COLUMNS = ["received", "referred", "assigned", "in_progress", "done", "not_actionable"]
# fmt: off
TABLE = """
from \\ to       received  referred  assigned  in_progress  done  not_actionable
received         -         x         -         -            -     x
referred         -         -         csm       -            -     csmx
assigned         -         cmx       -         csm          csm   csm
in_progress      -         cmx       -         -            csm   csm
done             -         cmx       -         -            -     -
not_actionable   -         cmx       -         -            -     -
"""
# fmt: on


def _expected() -> dict[tuple[Status, Status], frozenset[Role]]:
    lines = [line.split() for line in TABLE.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert header[-len(COLUMNS):] == COLUMNS
    table: dict[tuple[Status, Status], frozenset[Role]] = {}
    for row in rows:
        source, cells = row[0], row[1:]
        assert len(cells) == len(COLUMNS), row
        for target, cell in zip(COLUMNS, cells):
            roles = frozenset() if cell == "-" else frozenset(ROLE_LETTERS[ch] for ch in cell)
            table[Status(source), Status(target)] = roles
    return table


EXPECTED = _expected()
ALL_PAIRS = list(itertools.product(Status, Status))
ALL_CASES = [(s, t, r) for s, t in ALL_PAIRS for r in Role]


def _reason_for(target: Status) -> str | None:
    return "duplicate" if target is Status.NOT_ACTIONABLE else None


def test_expected_table_covers_every_pair():
    assert set(EXPECTED) == set(ALL_PAIRS)
    assert len(EXPECTED) == len(Status) ** 2 == 36


@pytest.mark.parametrize(("source", "target", "role"), ALL_CASES, ids=lambda v: str(v))
def test_can_transition_matches_the_table(source: Status, target: Status, role: Role):
    assert can_transition(source, target, role) is (role in EXPECTED[source, target])


@pytest.mark.parametrize(("source", "target", "role"), ALL_CASES, ids=lambda v: str(v))
def test_check_transition_matches_the_table(source: Status, target: Status, role: Role):
    allowed = EXPECTED[source, target]
    reason = _reason_for(target)
    if role in allowed:
        check_transition(source, target, role, reason=reason)  # must not raise
        return
    with pytest.raises(TransitionError) as info:
        check_transition(source, target, role, reason=reason)
    err = info.value
    assert err.code == ("role_not_allowed" if allowed else "not_a_move")
    assert (err.source, err.target) == (source, target)


@pytest.mark.parametrize(("source", "target"), ALL_PAIRS, ids=lambda v: str(v))
def test_is_move_matches_the_table(source: Status, target: Status):
    assert is_move(source, target) is bool(EXPECTED[source, target])


@pytest.mark.parametrize(("source", "target", "role"), ALL_CASES, ids=lambda v: str(v))
def test_plain_strings_from_the_database_behave_like_enums(source, target, role):
    """Rows hand statuses and roles back as plain ``str``; the answer must not change."""
    s, t, r = str(source.value), str(target.value), str(role.value)
    assert type(s) is str
    assert can_transition(s, t, r) is (role in EXPECTED[source, target])
    if role in EXPECTED[source, target]:
        check_transition(s, t, r, reason=_reason_for(target))
        if target is Status.NOT_ACTIONABLE:
            with pytest.raises(TransitionError, match="reason_required"):
                check_transition(s, t, r)
        else:
            with pytest.raises(TransitionError, match="reason_not_expected"):
                check_transition(s, t, r, reason="duplicate")
    else:
        with pytest.raises(TransitionError):
            check_transition(s, t, r, reason=_reason_for(target))


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("role", list(Role))
def test_same_status_is_not_a_move(status: Status, role: Role):
    assert not is_move(status, status)
    assert not can_transition(status, status, role)
    for reason in (None, "duplicate"):
        with pytest.raises(TransitionError) as info:
            check_transition(status, status, role, reason=reason)
        assert info.value.code == "not_a_move"


NOT_ACTIONABLE_MOVES = [
    (s, r) for (s, t), roles in EXPECTED.items() if t is Status.NOT_ACTIONABLE for r in roles
]
OTHER_MOVES = [
    (s, t, r)
    for (s, t), roles in EXPECTED.items()
    if t is not Status.NOT_ACTIONABLE
    for r in roles
]


def test_there_are_moves_of_both_kinds():
    assert len(NOT_ACTIONABLE_MOVES) == 1 + 4 + 3 + 3
    assert OTHER_MOVES


@pytest.mark.parametrize(("source", "role"), NOT_ACTIONABLE_MOVES, ids=lambda v: str(v))
@pytest.mark.parametrize("missing", [None, "", "   "])
def test_not_actionable_requires_a_reason(source, role, missing):
    with pytest.raises(TransitionError) as info:
        check_transition(source, Status.NOT_ACTIONABLE, role, reason=missing)
    assert info.value.code == "reason_required"
    assert info.value.role == role
    check_transition(source, Status.NOT_ACTIONABLE, role, reason="not_found")


@pytest.mark.parametrize(("source", "target", "role"), OTHER_MOVES, ids=lambda v: str(v))
def test_other_targets_refuse_a_reason(source, target, role):
    with pytest.raises(TransitionError) as info:
        check_transition(source, target, role, reason="duplicate")
    assert info.value.code == "reason_not_expected"
    check_transition(source, target, role)
    check_transition(source, target, role, reason=None)


def test_role_check_comes_before_reason_check():
    # A supervisor may not reopen; the answer is about the role, not the reason.
    with pytest.raises(TransitionError) as info:
        check_transition(Status.DONE, Status.REFERRED, Role.SUPERVISOR, reason="x")
    assert info.value.code == "role_not_allowed"


def test_transition_error_is_a_value_error_with_a_stable_message():
    with pytest.raises(ValueError, match=r"^role_not_allowed: done -> referred by supervisor$"):
        check_transition(Status.DONE, Status.REFERRED, Role.SUPERVISOR)
    with pytest.raises(ValueError, match=r"^not_a_move: done -> assigned$"):
        check_transition(Status.DONE, Status.ASSIGNED, Role.CENTRE)


# ------------------------------------------------------------------------ buckets


def test_buckets_are_the_seeds_three_columns():
    assert {b.value for b in Bucket} == {"done", "not_actionable", "in_progress"}
    assert bucket(Status.DONE) is Bucket.DONE
    assert bucket(Status.NOT_ACTIONABLE) is Bucket.NOT_ACTIONABLE
    for status in ("received", "referred", "assigned", "in_progress"):
        assert bucket(status) is Bucket.IN_PROGRESS, status
    assert set(BUCKETS) == set(Status)


def test_every_open_status_is_in_progress_and_only_those():
    assert OPEN_STATUSES == {
        Status.RECEIVED, Status.REFERRED, Status.ASSIGNED, Status.IN_PROGRESS
    }
    assert CLOSED_STATUSES == {Status.DONE, Status.NOT_ACTIONABLE}
    assert OPEN_STATUSES | CLOSED_STATUSES == set(Status)
    assert not OPEN_STATUSES & CLOSED_STATUSES
    for status in Status:
        assert is_open(status) is (bucket(status) is Bucket.IN_PROGRESS)
        assert is_open(status.value) is is_open(status)


@pytest.mark.parametrize(
    ("which", "members"),
    [
        (Bucket.DONE, [Status.DONE]),
        (Bucket.NOT_ACTIONABLE, [Status.NOT_ACTIONABLE]),
        (
            Bucket.IN_PROGRESS,
            [Status.RECEIVED, Status.REFERRED, Status.ASSIGNED, Status.IN_PROGRESS],
        ),
    ],
)
def test_statuses_in_a_bucket(which: Bucket, members: list[Status]):
    assert statuses_in(which) == members
    # Report code passes the bucket's code as read from a CSV or a URL.
    assert statuses_in(which.value) == members


def test_unknown_status_is_refused():
    with pytest.raises(ValueError):
        bucket("closed")
    with pytest.raises(ValueError):
        is_open("closed")


# ------------------------------------------------------------- allowed targets


LIFECYCLE_ORDER = [Status(c) for c in COLUMNS]


@pytest.mark.parametrize("source", list(Status))
@pytest.mark.parametrize("role", list(Role))
def test_allowed_targets_in_lifecycle_order(source: Status, role: Role):
    expected = [t for t in LIFECYCLE_ORDER if role in EXPECTED[source, t]]
    assert allowed_targets(source, role) == expected


def test_allowed_targets_examples():
    assert allowed_targets(Status.ASSIGNED, Role.CLERK) == [
        Status.REFERRED, Status.IN_PROGRESS, Status.DONE, Status.NOT_ACTIONABLE
    ]
    assert allowed_targets(Status.RECEIVED, Role.CLERK) == []
    assert allowed_targets(Status.RECEIVED, Role.CENTRE) == [
        Status.REFERRED, Status.NOT_ACTIONABLE
    ]
    assert allowed_targets(Status.DONE, Role.SUPERVISOR) == []


@pytest.mark.parametrize("closed", [Status.DONE, Status.NOT_ACTIONABLE])
def test_reopen_returns_to_referred(closed: Status):
    for role in Role:
        targets = allowed_targets(closed, role)
        assert targets in ([], [Status.REFERRED]), (closed, role, targets)
    for role in (Role.CLERK, Role.MANAGER, Role.CENTRE):
        assert allowed_targets(closed, role) == [Status.REFERRED]
        check_transition(closed, Status.REFERRED, role)
    # Nowhere else: a closed request is never reopened straight to a crew.
    for target in (Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS):
        assert not is_move(closed, target)
