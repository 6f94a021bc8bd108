"""Photos kept inside the database before they travelled: the upgrade moves each into
the content-addressed folder beside it (named by its hash) and drops the column."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

from alembic import command

from desktop_app.store import db as store_db
from desktop_app.store.db import open_store
from desktop_app.store.photos import PhotoFolder
from sync import migrate
from tests.factories import make_request, office

BEFORE = "a7c3e9f15b24"  # the last revision with the bytes in the database


def test_photos_move_out_of_the_database_into_the_folder(tmp_path: Path) -> None:
    store = office(tmp_path)
    request = make_request(store)
    command.downgrade(migrate.config_for(store_db.MIGRATIONS, store.engine), BEFORE)
    photos = [b"\xff\xd8\xff\xe0" + os.urandom(3000), b"\x89PNG\r\n\x1a\n" + os.urandom(2000)]
    with store.engine.begin() as conn:
        for i, content in enumerate(photos):
            conn.exec_driver_sql(
                "INSERT INTO attachments (id, request_id, filename, media_type, size, sha256, content,"
                " caption, added_by, added_at) VALUES (?, ?, ?, 'image/jpeg', ?, ?, ?, '', 'clerk',"
                " '2026-12-01 10:00:00.000000+00:00')",
                (f"{i:032x}", request.id.hex, f"{i}.jpg", len(content),
                 hashlib.sha256(content).hexdigest(), content))
    path = store.db_path
    store.close()

    open_store(tmp_path).close()  # upgrades, as on an office PC after an update
    folder = PhotoFolder.beside(path)
    assert {p.name: p.read_bytes() for p in folder.all()} == {
        hashlib.sha256(c).hexdigest(): c for c in photos}
    with sqlite3.connect(path) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(attachments)")}
        assert "content" not in columns and "needs_upload" in columns
        assert conn.execute("SELECT count(*) FROM attachments WHERE needs_upload IS NULL").fetchone() == (2,)
