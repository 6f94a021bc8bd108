"""The idle round (``daftar sync`` with nothing to do): one hello over real HTTP to a
centre on loopback, the time of the round recorded, and the full round in every case
where there is anything else to do."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
import uvicorn

from desktop_app.services import idle_sync, sync_service, sync_state
from desktop_app.services.requests import Desk
from desktop_app.store import backup, fts, photos
from desktop_app.store import db as store_db
from desktop_app.store import models as m
from desktop_app.store.db import Store, open_store
from sync.client import transport
from sync.protocol import (
    CLOCK_SKEW_WARNING_SECONDS,
    CREDENTIAL_HEADER,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    OfficeInfo,
)
from sync.server.models import Device, OfficeDistrict
from tests.desktop_app.services.sync_support import centre  # noqa: F401 - fixture
from tests.sync.client.harness import D1, D2, Centre, office_actor


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Live:
    """The centre's app served by uvicorn on loopback, in a thread."""

    centre: Centre
    base: str
    server: uvicorn.Server


@pytest.fixture
def live(centre: Centre) -> Iterator[Live]:  # noqa: F811 - the fixture above
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(centre.app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the centre did not start"
        time.sleep(0.02)
    try:
        yield Live(centre, f"http://127.0.0.1:{port}", server)
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def synced(tmp_path: Path, live: Live) -> Iterator[Store]:
    """An office enrolled over HTTP with one request of its district, fully synced."""
    live.centre.intake(D1)
    store = open_store(tmp_path / "office")
    sync_service.enroll(store, live.base, live.centre.add_office("A", (D1,)))
    sync_service.sync_once(store)
    try:
        yield store
    finally:
        store.close()


def state_of(store: Store) -> dict[str, object]:
    with store.sessions() as session:
        return {row.key: row.value for row in session.scalars(sa.select(m.SyncState))}


def test_an_idle_round_is_recorded_as_the_full_round_records_it(synced: Store) -> None:
    before = state_of(synced)
    started = dt.datetime.now(dt.timezone.utc)
    done = idle_sync.idle_round(synced.folder)
    assert done is not None
    assert abs(done.clock_skew_seconds) < 5 and not done.clock_skew_warning
    assert done.open_problems == 0
    after = state_of(synced)
    # The time of the round, read back as the window reads it; nothing else changed.
    assert started <= sync_service.last_sync_at(synced) == done.finished_at
    assert {k: v for k, v in after.items() if k != sync_state.LAST_SYNC_AT} \
        == {k: v for k, v in before.items() if k != sync_state.LAST_SYNC_AT}
    # ... and the next full round finds nothing either.
    report = sync_service.sync_once(synced)
    assert (report.pushed, report.pulled) == (0, 0)


def test_new_work_at_the_centre_is_for_the_full_round(synced: Store, live: Live) -> None:
    before = state_of(synced)
    live.centre.intake(D1)
    assert idle_sync.idle_round(synced.folder) is None
    assert state_of(synced) == before  # nothing written
    assert sync_service.sync_once(synced).new_referrals == 1
    assert idle_sync.idle_round(synced.folder) is not None


def test_a_change_waiting_in_the_outbox_is_for_the_full_round(synced: Store) -> None:
    with synced.sessions() as session:
        request_id = session.scalars(sa.select(m.ServiceRequest.id)).one()
    Desk(synced.sessions, office_actor(synced)).add_note(request_id, "بازدید شد")
    assert idle_sync.idle_round(synced.folder) is None
    assert sync_service.sync_once(synced).applied == 1
    assert idle_sync.idle_round(synced.folder) is not None


def test_new_districts_at_the_centre_are_for_the_full_round(synced: Store, live: Live) -> None:
    with live.centre.sessions.begin() as session:
        office_id = session.scalars(sa.select(OfficeDistrict.office_id)).one()
        session.add(OfficeDistrict(office_id=office_id, district_code=D2))
    # Nothing new in the log for the office: only the hello's description differs.
    assert idle_sync.idle_round(synced.folder) is None
    sync_service.sync_once(synced)
    assert set(sync_service.office_identity(synced).districts) == {D1, D2}
    assert idle_sync.idle_round(synced.folder) is not None


def test_a_refusing_centre_is_for_the_full_round_to_report(synced: Store, live: Live) -> None:
    with live.centre.sessions.begin() as session:
        session.execute(sa.update(Device).values(revoked_at=dt.datetime.now(dt.timezone.utc)))
    assert idle_sync.idle_round(synced.folder) is None
    with pytest.raises(sync_service.SyncError):
        sync_service.sync_once(synced)


def test_an_unreachable_centre_is_for_the_full_round(synced: Store, live: Live) -> None:
    live.server.should_exit = True
    deadline = time.monotonic() + 10
    while live.server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert idle_sync.idle_round(synced.folder) is None


def _sql(store: Store, statement: str, *params: object) -> None:
    with sqlite3.connect(store.db_path) as db:
        db.execute(statement, params)


@pytest.mark.parametrize("unready", [
    "newer schema", "older schema", "indexes set aside", "search index set aside", "restore pending",
    "search trigger gone",
    "photo not here", "photo to send", "proxy", "not enrolled",
])
def test_anything_opening_or_the_round_would_do_is_for_the_full_round(
        synced: Store, unready: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert idle_sync.idle_round(synced.folder) is not None
    if unready == "newer schema":
        _sql(synced, "UPDATE alembic_version SET version_num = '0000next0001'")
    elif unready == "older schema":
        _sql(synced, "UPDATE alembic_version SET version_num = 'a7c3e9f15b24'")
    elif unready == "indexes set aside":
        _sql(synced, "INSERT INTO sync_state (key, value) VALUES (?, '[]')", store_db.SUSPENDED_INDEXES)
    elif unready == "search index set aside":
        _sql(synced, "INSERT INTO sync_state (key, value) VALUES (?, 0)", fts.BUILT_TO)
    elif unready == "restore pending":
        (synced.folder / backup.PENDING).write_text(str(synced.folder / "elsewhere"), encoding="utf-8")
    elif unready == "search trigger gone":
        _sql(synced, f"DROP TRIGGER {fts.FTS_TABLE}_au")
    elif unready in ("photo not here", "photo to send"):
        with synced.sessions() as session:
            request_id = session.scalars(sa.select(m.ServiceRequest.id)).one()
        _sql(synced, "INSERT INTO attachments (id, request_id, filename, media_type, size, sha256, "
             "caption, added_at, added_by, needs_upload) VALUES (?, ?, 'a.jpg', 'image/jpeg', 3, ?, "
             "'', '2026-12-07 00:00:00.000000', 'clerk', ?)",
             uuid.uuid4().hex, request_id.hex, hashlib.sha256(b"abc").hexdigest(),
             unready == "photo to send")
        if unready == "photo to send":
            photos.PhotoFolder.beside(synced.db_path).put(b"abc")  # here, but not sent
    elif unready == "proxy":
        monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    elif unready == "not enrolled":
        _sql(synced, "DELETE FROM sync_state WHERE key = ?", sync_state.CREDENTIAL)
    before = state_of(synced)
    assert idle_sync.idle_round(synced.folder) is None
    assert state_of(synced) == before


def test_an_idle_round_on_a_fresh_folder_is_none(tmp_path: Path) -> None:
    assert idle_sync.idle_round(tmp_path / "nothing here") is None
    open_store(tmp_path / "fresh").close()
    assert idle_sync.idle_round(tmp_path / "fresh") is None


def test_the_command_says_an_idle_round_as_a_full_one(synced: Store, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.cli import main as daftar

    full = sync_service.sync_once
    monkeypatch.setattr(sync_service, "sync_once", lambda *a, **kw: pytest.fail("the full round ran"))
    assert daftar(["--data-dir", str(synced.folder), "sync"]) == 0
    out, err = capsys.readouterr()
    assert out == "sync: pushed 0 (0 applied, 0 rejected, 0 conflicts), pulled 0 rows, 0 new referrals\n"
    assert err == ""
    # A clock ten minutes behind the centre's is said as the full round says it.
    real = idle_sync._utcnow
    monkeypatch.setattr(idle_sync, "_utcnow", lambda: real() - dt.timedelta(minutes=10))
    assert daftar(["--data-dir", str(synced.folder), "sync"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("warning: this computer's clock is 600 s behind the centre's")
    monkeypatch.setattr(sync_service, "sync_once", full)


def test_open_problems_are_counted_as_the_full_round_counts_them(synced: Store) -> None:
    with synced.sessions.begin() as session:
        session.add(m.SyncProblem(mutation_id=uuid.uuid4(), kind="rejected", entity="request",
                                  entity_id=uuid.uuid4(), op="add_note", payload={}, reason_code="x",
                                  message="", created_at=dt.datetime.now(dt.timezone.utc)))
    done = idle_sync.idle_round(synced.folder)
    assert done is not None
    assert done.open_problems == len(sync_service.open_problems(synced)) == 1


def test_its_constants_are_the_stores_and_the_protocols() -> None:
    """The idle round may not import these modules (they load SQLAlchemy or pydantic)."""
    assert idle_sync.MIGRATIONS == store_db.MIGRATIONS
    assert idle_sync.SUSPENDED_INDEXES == store_db.SUSPENDED_INDEXES
    assert idle_sync.PENDING_RESTORE == backup.PENDING
    assert idle_sync.PHOTOS_DIR == photos.PHOTOS_DIR
    assert idle_sync.FTS_TABLE == fts.FTS_TABLE
    assert idle_sync.FTS_BUILT_TO == fts.BUILT_TO
    assert set(idle_sync.FTS_TRIGGERS) == set(fts.TRIGGERS)
    assert idle_sync.FTS_HASH_SIZE == fts.HASH_SIZE
    assert (idle_sync.CENTRE_URL, idle_sync.ALLOW_INSECURE, idle_sync.CREDENTIAL, idle_sync.OFFICE,
            idle_sync.CURSOR, idle_sync.LAST_SYNC_AT, idle_sync.UPLOADS_LEFT_BEHIND) \
        == (sync_state.CENTRE_URL, sync_state.ALLOW_INSECURE, sync_state.CREDENTIAL, sync_state.OFFICE,
            sync_state.CURSOR, sync_state.LAST_SYNC_AT, sync_state.UPLOADS_LEFT_BEHIND)
    assert (idle_sync.PROTOCOL_VERSION, idle_sync.CREDENTIAL_HEADER, idle_sync.PROTOCOL_HEADER) \
        == (PROTOCOL_VERSION, CREDENTIAL_HEADER, PROTOCOL_HEADER)
    assert idle_sync.CLOCK_SKEW_WARNING_SECONDS == CLOCK_SKEW_WARNING_SECONDS
    assert idle_sync.CA_FILE_ENV == transport.CA_FILE_ENV
    assert set(idle_sync.OFFICE_FIELDS) == set(OfficeInfo.model_fields)


def test_the_stored_office_reads_as_the_centre_describes_it(synced: Store) -> None:
    with synced.sessions() as session:
        stored = sync_state.read(session, sync_state.OFFICE)
    info = OfficeInfo.model_validate(stored)
    assert idle_sync._office(stored) == idle_sync._office(json.loads(info.model_dump_json()))


def test_the_idle_command_loads_no_library(synced: Store) -> None:
    """No SQLAlchemy, httpx, pydantic, Alembic or Qt: the point of the idle round."""
    from tests.desktop_app.cli.test_startup import loaded_by

    before = sync_service.last_sync_at(synced)
    printed, loaded = loaded_by("desktop_app.cli", ["--data-dir", str(synced.folder), "sync"])
    assert printed == "sync: pushed 0 (0 applied, 0 rejected, 0 conflicts), pulled 0 rows, 0 new referrals\n"
    assert loaded == []
    assert sync_service.last_sync_at(synced) > before


def test_a_centre_answering_nonsense_is_for_the_full_round(synced: Store, tmp_path: Path) -> None:
    """Not HTTP at all (http.client's own errors), or not JSON: the full round decides."""
    for answer in (b"garbage\r\n\r\n", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nnope!"):
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            port = listener.getsockname()[1]

            def reply() -> None:
                connection, _ = listener.accept()
                with connection:
                    connection.recv(65536)
                    connection.sendall(answer)

            thread = threading.Thread(target=reply, daemon=True)
            thread.start()
            _sql(synced, "UPDATE sync_state SET value = ? WHERE key = ?",
                 json.dumps(f"http://127.0.0.1:{port}"), sync_state.CENTRE_URL)
            assert idle_sync.idle_round(synced.folder) is None
            thread.join(10)


@pytest.mark.parametrize("variable, counts", [("HTTPS_PROXY", True), ("http_proxy", True),
                                              ("ALL_PROXY", True), ("NO_PROXY", False),
                                              ("TRAVIS_APT_PROXY", False)])
def test_only_a_proxy_the_full_rounds_client_would_use_counts(monkeypatch: pytest.MonkeyPatch,
                                                              variable: str, counts: bool) -> None:
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    monkeypatch.setenv(variable, "http://127.0.0.1:9")
    assert idle_sync._proxy_set() is counts
