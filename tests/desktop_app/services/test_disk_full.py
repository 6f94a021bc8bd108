"""The office's disk fills during a pull: the round stops with a message that names
the full disk (not a database error, not the network), nothing is half-written — the
database is whole, its cursor stands where the last page fully applied ends, the
outbox's change was answered exactly once — and once there is room again the next
round fetches everything.  The office's data folder is on a small tmpfs
(:mod:`tests.tmpfs`); the centre is in process, on SQLite, outside it.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from desktop_app.cli import main as daftar
from desktop_app.services import replica, sync_service
from desktop_app.services.requests import Desk
from desktop_app.store import models as m
from desktop_app.store.db import Store, open_store
from sync.client import SyncError
from sync.server import db as centre_db
from sync.server.models import AppliedMutation, ChangeLog, Crew
from sync.workflow import Role
from tests.sync.client.harness import D1, Centre, fill_centre, make_rows, office_actor
from tests.tmpfs import small_disk

#: More requests than the small disk holds with their history and search index.
REQUESTS = 5000
MESSAGE = "the disk holding the office's data is full: free space and sync again"


@pytest.fixture
def centre(tmp_path: Path) -> Centre:
    engine = centre_db.open_engine(f"sqlite:///{tmp_path / 'centre.sqlite3'}")
    centre_db.upgrade(engine)
    return Centre.on(engine)


def enrolled_office(folder: Path, centre: Centre, client: TestClient) -> Store:
    store = open_store(folder)
    sync_service.enroll(store, "http://localhost", centre.add_office("A", [D1]), client=client)
    return store


def crew_made_at_office(store: Store) -> None:
    """A change in the outbox, which the round pushes before it pulls: a crew made by
    the office's manager (one of the staff the centre knows, tests.sync.client.harness)."""
    desk = Desk(store.sessions, office_actor(store, Role.MANAGER))
    desk.save_crew(name="اکیپ شبانه", district_code=D1)
    assert sync_service.pending_count(store) == 1


def assert_nothing_half_written(store: Store, centre: Centre) -> None:
    """The database is whole and holds exactly what the change log up to its cursor
    names: every page before it whole, nothing of the page that did not fit."""
    with sqlite3.connect(store.db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    cursor = replica.OfficeReplica(store.sessions).cursor()
    with centre_db.session_factory(centre.engine)() as session:
        logged = {entity: set(session.scalars(
            sa.select(ChangeLog.entity_key).where(ChangeLog.entity == entity, ChangeLog.seq <= cursor)))
            for entity in ("request", "event")}
    with store.sessions() as session:
        assert {str(i) for i in session.scalars(sa.select(m.ServiceRequest.id))} == logged["request"]
        assert {str(i) for i in session.scalars(sa.select(m.Event.id))} >= logged["event"]


def centre_answered(centre: Centre) -> tuple[int, int]:
    """The centre's crews and the office mutations it has answered."""
    with centre_db.session_factory(centre.engine)() as session:
        return tuple(session.scalar(sa.select(sa.func.count()).select_from(model))
                     for model in (Crew, AppliedMutation))


def office_requests(store: Store) -> int:
    with store.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(m.ServiceRequest))


def test_a_full_disk_stops_the_pull_cleanly_and_the_next_round_completes(tmp_path: Path, centre: Centre) -> None:
    client = centre.client()
    with small_disk(tmp_path / "disk", "3m") as disk:
        store = enrolled_office(disk.path / "office", centre, client)
        with contextlib.closing(store):
            sync_service.sync_once(store, client=client)  # the reference data
            crew_made_at_office(store)
            fill_centre(centre.engine, *make_rows(REQUESTS, [D1]))
            with pytest.raises(SyncError) as failed:
                sync_service.sync_once(store, client=client)
            assert failed.value.code == "disk_full"
            assert str(failed.value) == MESSAGE
            assert office_requests(store) < REQUESTS
            assert_nothing_half_written(store, centre)
            # Pushed before the pull began, and answered once.
            assert sync_service.pending_count(store) == 0
            assert centre_answered(centre) == (1, 1)

            disk.grow("64m")
            report = sync_service.sync_once(store, client=client)
            assert report.pushed == 0
            assert office_requests(store) == REQUESTS
            assert_nothing_half_written(store, centre)
            assert centre_answered(centre) == (1, 1)


def test_daftar_sync_says_the_disk_is_full_in_one_line_and_succeeds_once_there_is_room(
        tmp_path: Path, centre: Centre, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    client = centre.client()
    real = sync_service.sync_once
    monkeypatch.setattr(sync_service, "sync_once", lambda s, **kw: real(s, client=client, **kw))
    fill_centre(centre.engine, *make_rows(REQUESTS, [D1]))
    with small_disk(tmp_path / "disk", "3m") as disk:
        folder = disk.path / "office"
        enrolled_office(folder, centre, client).close()
        capsys.readouterr()
        assert daftar(["--data-dir", str(folder), "sync"]) == 1
        captured = capsys.readouterr()
        assert captured.err.splitlines() == [f"daftar: error: {MESSAGE}"]
        assert captured.out == ""
        with contextlib.closing(open_store(folder)) as store:
            assert_nothing_half_written(store, centre)

        disk.grow("64m")
        assert daftar(["--data-dir", str(folder), "sync"]) == 0
        assert capsys.readouterr().out.startswith("sync: pushed 0 ")
        with contextlib.closing(open_store(folder)) as store:
            assert office_requests(store) == REQUESTS
            assert_nothing_half_written(store, centre)
