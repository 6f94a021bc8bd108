"""The users service hands back accounts as plain frozen data (never the ORM row,
never the password hash): listed active first, signed in, created and changed."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.errors import ServiceError
from desktop_app.services import users
from desktop_app.store.db import Store
from sync.workflow import Role
from tests.factories import MANAGER, office


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    office_store = office(tmp_path)
    yield office_store
    office_store.close()


def test_accounts_are_plain_data_without_the_password(store: Store) -> None:
    created = users.create_user(store.sessions, username=" Boss ", display_name="مریم صادقی",
                                role=Role.MANAGER, password="secret-1")
    assert created == users.Account("boss", "مریم صادقی", "manager", True)
    assert [f.name for f in dataclasses.fields(users.Account)] == [
        "username", "display_name", "role", "active"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        created.role = "clerk"  # type: ignore[misc]

    signed_in = users.sign_in(store.sessions, "BOSS", "secret-1")
    assert signed_in == created
    actor = users.actor_for(signed_in, office_number=3)
    assert (actor.username, actor.role, actor.display_name) == ("boss", Role.MANAGER, "مریم صادقی")
    with pytest.raises(ServiceError):
        users.sign_in(store.sessions, "boss", "wrong")


def test_the_list_puts_active_people_first_by_name(store: Store) -> None:
    for username, name, role in (("zahra", "زهرا احمدی", Role.CLERK),
                                 ("ali", "علی محمدی", Role.SUPERVISOR),
                                 ("boss", "مریم صادقی", Role.MANAGER)):
        users.create_user(store.sessions, username=username, display_name=name, role=role,
                          password="secret-1")
    changed = users.update_user(store.sessions, MANAGER, "ali", active=False)
    assert changed == users.Account("ali", "علی محمدی", "supervisor", False)

    assert [(a.username, a.active) for a in users.list_users(store.sessions)] == [
        ("zahra", True), ("boss", True), ("ali", False)]
