"""The walk-in serials leave the sync bookkeeping for a table of their own: an office
upgraded from a version that kept them in ``sync_state`` goes on numbering where it
was, and a downgrade gives them back."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from alembic import command

from desktop_app.store import db as store_db
from desktop_app.store.db import open_store
from desktop_app.store.models import WalkInSerial
from sync import migrate
from sync.dates import jalali, utcnow
from tests.factories import CLERK, desk, office

BEFORE = "c4e1a9d27b58"  # the last revision with the serials in sync_state
SERIALS = "e2b7c5d41f93"


def sync_state(path: Path) -> dict[str, object]:
    """The sync state's values as JSON (SQLite may keep a number's text as a number)."""
    with sqlite3.connect(path) as conn:
        return {key: json.loads(str(value))
                for key, value in conn.execute("SELECT key, value FROM sync_state")}


def serials(path: Path) -> dict[int, int]:
    with sqlite3.connect(path) as conn:
        return dict(conn.execute("SELECT year, serial FROM walk_in_serials").fetchall())


def test_serials_kept_in_the_sync_state_are_carried_over_and_numbering_goes_on(tmp_path: Path) -> None:
    year = jalali(utcnow()).year
    store = office(tmp_path)
    command.downgrade(migrate.config_for(store_db.MIGRATIONS, store.engine), BEFORE)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO sync_state (key, value) VALUES (?, ?), (?, ?), (?, ?)",
                             (f"walk_in_serial:{year - 1}", "7", f"walk_in_serial:{year}", "41",
                              "cursor", "5"))
    path = store.db_path
    store.close()

    store = open_store(tmp_path)  # upgrades, as on an office PC after an update
    try:
        assert serials(path) == {year - 1: 7, year: 41}
        assert sync_state(path) == {"cursor": 5}
        request = desk(store).register_walk_in(_walk_in())
        assert request.tracking_code == f"{year}-{CLERK.office_number}-42"
        with store.sessions() as session:
            assert session.get(WalkInSerial, year).serial == 42
    finally:
        store.close()


def test_a_downgrade_gives_the_serials_back_to_the_sync_state(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    try:
        with store.sessions.begin() as session:
            session.add(WalkInSerial(year=1405, serial=12))
        command.downgrade(migrate.config_for(store_db.MIGRATIONS, store.engine), BEFORE)
        assert sync_state(store.db_path) == {"walk_in_serial:1405": 12}
        migrate.upgrade(store.engine, store_db.MIGRATIONS, SERIALS)
        assert serials(store.db_path) == {1405: 12} and sync_state(store.db_path) == {}
    finally:
        store.close()


def _walk_in():  # type: ignore[no-untyped-def]
    from tests.desktop_app.services.test_requests import walk_in

    return walk_in()
