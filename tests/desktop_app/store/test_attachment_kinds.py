"""Photos kept before kinds existed: after the upgrade they are ``before`` (staff added
them at the office; nobody chose to publish them) and not internal."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command

from desktop_app.store import db as store_db
from desktop_app.store.db import open_store
from sync import migrate
from tests.factories import make_request, office

BEFORE = "7c2d9a4b1e60"  # the last revision without kinds


def test_photos_from_before_kinds_become_before_and_not_internal(tmp_path: Path) -> None:
    store = office(tmp_path)
    request = make_request(store)
    command.downgrade(migrate.config_for(store_db.MIGRATIONS, store.engine), BEFORE)
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO attachments (id, request_id, filename, media_type, size, sha256, content,"
            " caption, added_by, added_at) VALUES (?, ?, 'a.jpg', 'image/jpeg', 3, 'x', ?, '',"
            " 'clerk', '2026-12-01 10:00:00.000000+00:00')",
            ("0" * 32, request.id.hex, b"\xff\xd8\xff"))
    path = store.db_path
    store.close()

    store = open_store(tmp_path)  # upgrades, as on an office PC after an update
    store.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT filename, kind, internal FROM attachments").fetchall() == [
            ("a.jpg", "before", 0)]
