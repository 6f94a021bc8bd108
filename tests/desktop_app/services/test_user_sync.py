"""An office's users reach the centre, which then takes changes only from them.

A user created, renamed, given another role or deactivated at the office is the same
at the centre after the next sync (never with a password); an office the centre
knows no users of yet introduces its first manager itself; and the office keeps
every change the centre refused for who made it in its sync-problems inbox — for
every op (the centre's end of the same: tests/sync/server/test_forged_push.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from desktop_app.services import sync_problems, sync_service
from desktop_app.services.centre import CentreDesk
from desktop_app.services.requests import Actor, Desk, WalkIn
from desktop_app.services.users import Account, actor_for, create_user, update_user
from desktop_app.store import models as m
from desktop_app.store.db import Store, open_store
from sync.protocol import Op
from sync.server.models import AppliedMutation
from sync.workflow import Role
from tests.desktop_app.services.sync_support import centre, client, office, sync
from tests.sync.client.harness import D1, D2, Centre, neighbourhood_of, office_actor

__all__ = ["centre", "client"]  # fixtures used by name


def new_office(tmp_path: Path, centre: Centre, client: TestClient, name: str = "N") -> Store:
    """An office the centre knows no users of yet (a new one, or one from before)."""
    store = open_store(tmp_path / name)
    sync_service.enroll(store, "http://localhost", centre.add_office(name, [D1], users={}),
                        client=client)
    return store


def as_actor(store: Store, account: Account) -> Actor:
    identity = sync_service.office_identity(store)
    return actor_for(account, office_id=identity.office_id, office_number=identity.number)


def test_users_created_renamed_given_a_role_and_deactivated_reach_the_centre(
        tmp_path: Path, centre: Centre, client: TestClient) -> None:
    store = new_office(tmp_path, centre, client)
    manager = as_actor(store, create_user(store.sessions, username="maryam", display_name="مریم",
                                          role="manager", password="secret1"))
    create_user(store.sessions, username="Ali", display_name="علی", role="clerk", password="secret1",
                by=manager)
    assert sync(store, client).applied == 2
    assert centre.users("N") == {"maryam": ("مریم", "manager", True), "ali": ("علی", "clerk", True)}

    update_user(store.sessions, manager, "ali", display_name="علی رضایی")
    sync(store, client)
    assert centre.users("N")["ali"] == ("علی رضایی", "clerk", True)
    update_user(store.sessions, manager, "ali", role=Role.SUPERVISOR)
    sync(store, client)
    assert centre.users("N")["ali"] == ("علی رضایی", "supervisor", True)
    update_user(store.sessions, manager, "ali", active=False)
    sync(store, client)
    assert centre.users("N")["ali"] == ("علی رضایی", "supervisor", False)

    # A new password stays at the office: nothing goes out for it.
    update_user(store.sessions, manager, "maryam", password="another1")
    assert sync_service.pending_count(store) == 0
    with centre.sessions() as session:
        pushed = [row.payload for row in session.scalars(sa.select(AppliedMutation))]
    assert pushed and all("password" not in str(p) and "hash" not in str(p) for p in pushed)
    with store.sessions() as session:  # each change audited, as before
        actions = session.scalars(sa.select(m.AuditEntry.action).where(m.AuditEntry.entity == "user")
                                  .order_by(m.AuditEntry.id)).all()
    assert actions == ["user_created", "user_created", "user_updated", "user_updated",
                       "user_updated", "user_updated"]


def test_once_the_centre_knows_a_manager_a_self_introduced_user_is_unknown(
        tmp_path: Path, centre: Centre, client: TestClient) -> None:
    """The first manager comes in on the device's word; after that, only a manager
    brings people in — a second "first run" is refused."""
    store = new_office(tmp_path, centre, client)
    create_user(store.sessions, username="maryam", display_name="مریم", role="manager",
                password="secret1")
    sync(store, client)
    create_user(store.sessions, username="intruder", display_name="x", role="manager",
                password="secret1")
    assert sync(store, client).rejected == 1
    (problem,) = sync_problems.open_problems(store)
    assert (problem.op, problem.reason_code) == ("upsert_user", "unknown_actor")
    assert set(centre.users("N")) == {"maryam"}


def test_a_clerks_forged_user_change_is_refused_and_a_manager_sends_it_again(
        tmp_path: Path, centre: Centre, client: TestClient) -> None:
    store = office(tmp_path, centre, client)  # clerk, super and boss known at the centre
    clerk = office_actor(store, Role.CLERK)
    # The clerk makes herself a manager by editing the office database: the office's
    # own check is bypassed, the centre's is not.
    create_user(store.sessions, username="clerk", display_name="clerk", role="clerk",
                password="secret1", by=office_actor(store, Role.MANAGER))
    with store.sessions.begin() as session:
        user = session.scalar(sa.select(m.User).where(m.User.username == "clerk"))
        user.role = "manager"
        session.add(m.OutboxEntry(
            mutation_id=uuid.uuid4(), entity="user", entity_id=user.id, op="upsert_user",
            base_version=None, created_at=user.created_at, actor=clerk.username,
            payload={"username": "clerk", "display_name": "clerk", "role": "manager", "active": True}))
    assert sync(store, client).rejected == 1
    (problem,) = sync_problems.open_problems(store)
    assert (problem.op, problem.reason_code) == ("upsert_user", "role_not_allowed")
    assert centre.users("A")["clerk"][1] == "clerk"

    # Re-applying sends the user as the office holds them, as a manager's change.
    sync_problems.reapply_problem(store, problem.id, office_actor(store, Role.MANAGER))
    assert sync(store, client).applied == 1
    assert centre.users("A")["clerk"][1] == "manager"


# ------------------------------------------------------- refusals kept at the office

def _walk_in(store: Store, desk: Desk, refs: dict[str, Any]) -> None:
    desk.register_walk_in(WalkIn(citizen_phone="09121234567", district_code=D1,
                                 neighbourhood_code=neighbourhood_of(D1), category_code="garbage",
                                 description="سد معبر"))


ACTIONS: dict[Op, Callable[[Store, Desk, dict[str, Any]], object]] = {
    Op.CREATE_REQUEST: _walk_in,
    Op.CHANGE_STATUS: lambda s, d, r: d.change_status([r["request"]], "not_actionable",
                                                      reason="duplicate"),
    Op.ASSIGN: lambda s, d, r: d.assign([r["request"]], r["crew"]),
    Op.ADD_NOTE: lambda s, d, r: d.add_note(r["request"], "یادداشت"),
    Op.WORK_ORDER_ISSUED: lambda s, d, r: d.record_work_orders_issued([r["request"]]),
    Op.EDIT_REQUEST: lambda s, d, r: d.edit(r["request"], address="کوچه ۳"),
    Op.UPSERT_CREW: lambda s, d, r: d.save_crew(name="اکیپ نو", district_code=D1),
    Op.UPSERT_USER: lambda s, d, r: create_user(s.sessions, username="neda", display_name="ندا",
                                                role="clerk", password="secret1", by=d.actor),
    # The centre's moves, made at its own office with its desk.
    Op.REFER: lambda s, d, r: d.refer([r["received"]]),  # type: ignore[attr-defined]
    Op.MOVE_DISTRICT: lambda s, d, r: d.move_district(r["request"], D2, "محل"),  # type: ignore[attr-defined]
    Op.REPEAT_CALL: lambda s, d, r: d.attach_repeat_call(r["request"], "09121234567"),  # type: ignore[attr-defined]
}
CENTRE_OPS = {Op.REFER, Op.MOVE_DISTRICT, Op.REPEAT_CALL}


def test_every_op_has_an_office_action() -> None:
    assert set(ACTIONS) == set(Op)


@pytest.mark.parametrize("op", list(Op))
@pytest.mark.parametrize(("who", "code"), [
    ("mallory", "unknown_actor"),  # no user of this office at the centre
    ("boss", "actor_inactive"),  # deactivated at the centre (by another manager)
    ("clerk", "role_not_allowed"),  # the office's database says manager; the centre, clerk
])
def test_a_change_refused_for_who_made_it_is_kept_in_the_offices_inbox(
        tmp_path: Path, centre: Centre, client: TestClient, op: Op, who: str, code: str) -> None:
    refs = {"request": centre.intake(D1), "crew": centre.add_crew(D1),
            "received": centre.intake(D1, refer=False)}
    if op in CENTRE_OPS:  # the centre's own office; the person acts as its operator
        store = open_store(tmp_path / "centre-office")
        sync_service.enroll(store, "http://localhost", centre.add_office("A", all_districts=True),
                            client=client)
    else:
        store = office(tmp_path, centre, client)
    sync(store, client)
    if code == "actor_inactive":
        centre.set_user("A", "boss2", Role.MANAGER)
        centre.set_user("A", "boss", active=False)
    if op in CENTRE_OPS:
        desk: Desk = CentreDesk(store.sessions, office_actor(store, Role.CENTRE, who))
    else:
        desk = Desk(store.sessions, office_actor(store, Role.MANAGER, who))
    ACTIONS[op](store, desk, refs)
    assert sync(store, client).rejected == 1
    (problem,) = sync_problems.open_problems(store)
    assert (problem.kind, problem.op, problem.reason_code) == ("rejected", op.value, code)
    if op != Op.UPSERT_USER and op != Op.UPSERT_CREW and op != Op.CREATE_REQUEST:
        # The request is the centre's again, without the refused history entry.
        with store.sessions() as session:
            assert session.get(m.Event, uuid.UUID(problem.payload["event_id"])) is None
