"""What the tests of the office end of sync share: a centre in process (SQLite), an
office enrolled with it, and looks into the office database."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from desktop_app.services import replica, sync_service
from desktop_app.store import models as m
from desktop_app.store.db import Store, open_store
from desktop_app.services.request_list import RequestFilter
from desktop_app.services.request_queries import RequestQueries

from desktop_app.store.fts import AUTOMERGE, CRISISMERGE, FTS_TABLE, TRIGGERS, built_to, match_expression
from sync.protocol import PullResponse
from sync.server import db as centre_db
from tests.sync.client.harness import (
    D1,
    Centre,
    pull,
)


@pytest.fixture
def centre(tmp_path: Path) -> Centre:
    """A SQLite centre: the office end does not care which database the centre runs on
    (the end-to-end tests on PostgreSQL are in tests/sync)."""
    engine = centre_db.open_engine(f"sqlite:///{tmp_path / 'centre.sqlite3'}")
    centre_db.upgrade(engine)
    return Centre.on(engine)


@pytest.fixture
def client(centre: Centre) -> TestClient:
    return centre.client()


def office(tmp_path: Path, centre: Centre, client: TestClient, districts=(D1,), name: str = "A",
           folder: str = "office") -> Store:
    store = open_store(tmp_path / folder)
    sync_service.enroll(store, "http://localhost", centre.add_office(name, districts), client=client)
    return store


def sync(store: Store, client: TestClient) -> sync_service.SyncReport:
    return sync_service.sync_once(store, client=client)


def pull_only(store: Store, client: TestClient, edit: Callable[[dict[str, Any]], None] = lambda body: None,
              limit: int | None = None, **params: int) -> None:
    """The next page applied as a round would, but with nothing pushed first (as when
    the clerk acts while a round is between its push and its pull)."""
    office_replica = replica.OfficeReplica(store.sessions)
    with store.sessions() as session:
        credential = session.get(m.SyncState, "credential").value
    body = pull(client, credential, office_replica.cursor(), limit, **params)
    edit(body)
    office_replica.apply_page(PullResponse.model_validate(body))


def local(store: Store, request_id: uuid.UUID) -> m.ServiceRequest | None:
    with store.sessions() as session:
        return session.get(m.ServiceRequest, request_id)


def history(store: Store, request_id: uuid.UUID) -> list[str]:
    with store.sessions() as session:
        return sorted(session.scalars(sa.select(m.Event.kind).where(m.Event.request_id == request_id)))


def count(store: Store, model: type) -> int:
    with store.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model))


def found(store: Store, query: str) -> set[uuid.UUID]:
    """The requests the search index finds for ``query``."""
    with store.engine.connect() as conn:
        return {uuid.UUID(key) for key in conn.exec_driver_sql(
            f"SELECT r.id FROM {FTS_TABLE} f JOIN requests r ON r.rowid = f.rowid "
            f"WHERE {FTS_TABLE} MATCH ?", (match_expression(query),)).scalars()}


def desk_found(store: Store, query: str) -> set[uuid.UUID]:
    """The requests the desk's search finds for ``query``, index or not."""
    queries = RequestQueries.for_database(store.db_path)
    try:
        return {row.id for row in queries.page(RequestFilter(text=query), limit=10_000).rows}
    finally:
        queries.close()


def index_is_whole(store: Store) -> bool:
    """FTS5's own check of the index against every row of ``requests``, and the
    triggers that keep it so for the desk (the usual ones, not those that keep a
    part of it while it is made again)."""
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")
        triggers = dict(conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'requests' "
            "AND name LIKE ?", (f"{FTS_TABLE}%",)).all())
        rebuilding = built_to(conn)
    return rebuilding is None and triggers == {
        name: sql.replace(" IF NOT EXISTS", "") for name, sql in TRIGGERS.items()}


def plain_indexes(store: Store) -> set[str]:
    with store.engine.connect() as conn:
        return set(conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('requests', 'events')").scalars())


def merging(store: Store) -> tuple[int, int]:
    """The search index's ``automerge`` and ``crisismerge``, FTS5's defaults where unset."""
    with store.engine.connect() as conn:
        config = dict(conn.exec_driver_sql(f"SELECT k, v FROM {FTS_TABLE}_config").all())
    return config.get("automerge", AUTOMERGE), config.get("crisismerge", CRISISMERGE)
