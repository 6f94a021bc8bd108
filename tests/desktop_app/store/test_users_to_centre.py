"""An office upgraded from before users were synced tells the centre about every user
it has, ahead of the changes already waiting: the centre takes a change only from a
user it knows."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from desktop_app.store import db as store_db
from desktop_app.store import models as m
from desktop_app.store.db import open_store
from sync import migrate
from sync.dates import UTC

BEFORE = "e2b7c5d41f93"  # the last revision before users were synced


def test_every_user_is_queued_for_the_centre_managers_first_ahead_of_waiting_changes(
        tmp_path: Path) -> None:
    store = open_store(tmp_path)
    command.downgrade(migrate.config_for(store_db.MIGRATIONS, store.engine), BEFORE)
    now = dt.datetime(2026, 11, 1, tzinfo=UTC)
    waiting = uuid.uuid4()
    with store.engine.begin() as conn:
        users = sa.table("users", *(sa.column(c) for c in (
            "id", "username", "display_name", "role", "password_hash", "active", "created_at")))
        conn.execute(sa.insert(users), [
            {"id": uuid.uuid4().hex, "username": u, "display_name": n, "role": r,
             "password_hash": "x", "active": a, "created_at": now.isoformat()}
            for u, n, r, a in (("ali", "علی", "clerk", True), ("reza", "رضا", "manager", False),
                               ("maryam", "مریم", "manager", True), ("sara", "سارا", "supervisor", True))])
        conn.execute(sa.text(
            "INSERT INTO outbox (seq, mutation_id, entity, entity_id, op, base_version, payload, "
            "created_at, actor, attempts) VALUES (1, :m, 'request', :e, 'add_note', 1, '{}', :t, 'ali', 0)"),
            {"m": waiting.hex, "e": uuid.uuid4().hex, "t": now.isoformat()})
    store.close()

    store = open_store(tmp_path)  # upgrades, as on an office PC after an update
    try:
        with store.sessions() as session:
            entries = session.scalars(sa.select(m.OutboxEntry).order_by(m.OutboxEntry.seq)).all()
            user_ids = dict(session.execute(sa.select(m.User.username, m.User.id)).all())
        assert [(e.op, e.payload.get("username"), e.actor) for e in entries] == [
            ("upsert_user", "maryam", "maryam"),  # the active manager introduces herself …
            ("upsert_user", "ali", "maryam"),  # … and the others, as her change
            ("upsert_user", "reza", "maryam"),
            ("upsert_user", "sara", "maryam"),
            ("add_note", None, "ali"),  # what waited goes after them
        ]
        assert entries[-1].mutation_id == waiting
        assert entries[2].payload == {"username": "reza", "display_name": "رضا", "role": "manager",
                                      "active": False}
        assert all(e.entity == "user" and e.entity_id == user_ids[e.payload["username"]]
                   for e in entries[:4])
        assert "password_hash" not in str([e.payload for e in entries])
        # A downgrade drops what an older office could not send.
        command.downgrade(migrate.config_for(store_db.MIGRATIONS, store.engine), BEFORE)
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT op FROM outbox").scalars().all() == ["add_note"]
    finally:
        store.close()


def test_an_office_without_users_queues_nothing(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    try:
        with store.sessions() as session:
            assert session.scalar(sa.select(sa.func.count()).select_from(m.OutboxEntry)) == 0
    finally:
        store.close()
