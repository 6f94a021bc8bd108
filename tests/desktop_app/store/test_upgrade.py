"""An upgrade keeps everything: a newer Daftar opens an office database made by the
previous schema, backs it up, migrates it — rebuilding the very tables that hold
unsent work — and the pending outbox entries still reach the centre afterwards."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from desktop_app.services import sync_service
from desktop_app.services.requests import Desk, WalkIn
from desktop_app.store import models as m
from desktop_app.store.db import DB_NAME, open_store
from sync.server import db as centre_db
from sync.server.models import AppliedMutation, ServiceRequest
from tests.desktop_app.store.conftest import HEAD
from tests.sync.client.harness import D1, Centre, neighbourhood_of, office_actor


def test_pending_work_survives_an_upgrade_and_syncs_afterwards(tmp_path: Path, newer_migrations) -> None:
    engine = centre_db.open_engine(f"sqlite:///{tmp_path / 'centre.sqlite3'}")
    centre_db.upgrade(engine)
    centre = Centre.on(engine)
    client = centre.client()

    # Yesterday's version: enrolled, synced, then a day of offline work.
    store = open_store(tmp_path / "office")
    sync_service.enroll(store, "http://localhost", centre.add_office("Fin", [D1]), client=client)
    sync_service.sync_once(store, client=client)
    desk = Desk(store.sessions, office_actor(store))
    walk_in = desk.register_walk_in(WalkIn(
        citizen_phone="۰۹۱۳۱۲۳۴۵۶۷", neighbourhood_code=neighbourhood_of(D1),
        category_code="garbage", description="زباله‌های کوچه جمع نشده", citizen_name="مینا"))
    desk.add_note(walk_in.id, "شهروند دوباره تماس گرفت")
    with store.sessions() as session:
        pending = [e.mutation_id for e in session.scalars(sa.select(m.OutboxEntry).order_by(m.OutboxEntry.seq))]
    assert len(pending) == 2
    store.close()

    # Today's version adds a column to the outbox and to requests; on SQLite both
    # tables are rebuilt (copied, dropped, renamed) under the batch migration.
    new_head = newer_migrations(
        """
        with op.batch_alter_table("outbox", recreate="always") as batch:
            batch.add_column(sa.Column("note", sa.Text, nullable=True))
        with op.batch_alter_table("requests", recreate="always") as batch:
            batch.add_column(sa.Column("priority", sa.Integer, nullable=True))
        """
    )
    store = open_store(tmp_path / "office")
    try:
        assert (tmp_path / "office" / f"{DB_NAME}.bak-{HEAD}").is_file()
        with store.sessions() as session:
            assert session.scalar(sa.text("SELECT version_num FROM alembic_version")) == new_head
            survived = [e.mutation_id for e in session.scalars(sa.select(m.OutboxEntry).order_by(m.OutboxEntry.seq))]
            assert survived == pending
            assert session.get(m.ServiceRequest, walk_in.id).tracking_code == walk_in.tracking_code

        report = sync_service.sync_once(store, client=client)
        assert report.pushed == 2 and report.rejected == 0
        assert sync_service.pending_count(store) == 0
    finally:
        store.close()

    with centre.sessions() as session:
        applied = set(session.scalars(sa.select(AppliedMutation.mutation_id)))
        assert set(pending) <= applied
        assert session.scalar(sa.select(ServiceRequest.tracking_code)
                              .where(ServiceRequest.id == walk_in.id)) == walk_in.tracking_code
