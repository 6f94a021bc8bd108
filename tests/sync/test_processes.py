"""Real processes: ``daftar-server serve`` under uvicorn on loopback with PostgreSQL,
``daftar sync`` in another process, and ``kill -9`` at the worst moments — the server
in the middle of a push and of a pull, the office in the middle of applying pages.
After a restart every office converges on the centre, with nothing lost or doubled.
And the server over TLS, which the office trusts only with the right certificate.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from desktop_app.services import sync_service
from desktop_app.services.requests import Desk
from desktop_app.store import models as m
from desktop_app.store.db import DB_NAME, open_store
from sync import reference
from sync.protocol import EVENT_COLUMNS, REQUEST_COLUMNS
from sync.server import db as centre_db
from sync.server.models import AppliedMutation, Event, Office, ServiceRequest
from sync.server.reference_io import load_reference
from tests.sync.client.harness import D1, add_users, fill_centre, make_rows, office_actor


ROOT = Path(__file__).resolve().parents[2]
#: Requests in the office's district: enough pages for a kill to land between two.
REQUESTS = 5000
NOTES = 1200


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listens(pid: int, port: int) -> bool:
    """Whether process ``pid`` holds a socket listening on loopback ``port`` (Linux:
    the listening socket's inode in /proc/net/tcp among the process's descriptors)."""
    inodes = set()
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{inode}]")
    if not inodes:
        return False
    with contextlib.suppress(FileNotFoundError, ProcessLookupError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                    return True
    return False


class Server:
    """``daftar-server serve`` in its own process group, killed the hard way."""

    def __init__(self, url: str, env: dict[str, str] | None = None, verify: ssl.SSLContext | bool = True):
        self.url = url
        self.port = free_port()
        self.env = {**os.environ, **(env or {})}
        self.verify = verify
        scheme = "https" if env and "DAFTAR_TLS_CERT" in env else "http"
        self.base = f"{scheme}://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.started = False

    def start(self) -> None:
        """Start and wait until this process listens and answers.  The port was free
        when chosen, but another test run may take it first: then the server cannot
        bind and exits, and it starts again on a new port (the first time only: a
        restarted server keeps the address the offices know)."""
        for _ in range(5):
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sync.server.cli", "--database-url", self.url, "serve",
                 "--port", str(self.port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                start_new_session=True, env=self.env)
            # Wait until it is *this* process that listens, so that /health below is
            # never answered by someone else's server on a reused port.
            deadline = time.monotonic() + 30
            while self.process.poll() is None and not listens(self.process.pid, self.port):
                assert time.monotonic() < deadline, "the server did not come up"
                time.sleep(0.05)
            if self.process.poll() is None:
                break
            err = self.process.stderr.read().decode() if self.process.stderr else ""
            assert "address already in use" in err.lower() and not self.started, err
            self.port = free_port()
            self.base = self.base.rsplit(":", 1)[0] + f":{self.port}"
        self.started = True
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(self.base + "/health", timeout=1, verify=self.verify).status_code == 200:
                    return
            assert self.process.poll() is None, self.process.stderr.read().decode() if self.process.stderr else ""
            time.sleep(0.05)
        raise AssertionError("the server did not come up")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def daftar(folder: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "desktop_app", "--data-dir", str(folder), *args],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, env={**os.environ, **(env or {})})


def sync_until_done(folder: Path, tries: int = 4) -> None:
    for _ in range(tries):
        process = daftar(folder, "sync")
        out, err = process.communicate(timeout=120)
        if process.returncode == 0:
            return
    raise AssertionError(f"daftar sync kept failing: {err}")


def wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def cursor_of(folder: Path) -> int:
    """The office's stored cursor, read without opening the store (a poll must be
    quick: a first sync of this size is over in well under a second)."""
    path = folder / DB_NAME
    if not path.exists():
        return 0
    with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=10)) as conn:
        try:
            row = conn.execute("SELECT value FROM sync_state WHERE key = 'cursor'").fetchone()
        except sqlite3.OperationalError:  # not made yet
            return 0
    return int(row[0]) if row else 0  # JSON text on disk, which SQLite reads as a number


@pytest.fixture
def centre_url(postgres_url: str) -> Iterator[str]:
    """An empty database of its own on the test server, migrated, with reference data."""
    admin = sa.create_engine(sa.make_url(postgres_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = f"daftar_processes_{os.getpid()}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    engine = centre_db.open_engine(url)
    centre_db.upgrade(engine)
    with centre_db.session_factory(engine).begin() as session:
        load_reference(session, reference.default())
    engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                       "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def add_office(url: str, name: str) -> str:
    """``daftar-server office add``; the office's staff (harness.STAFF) known at the
    centre, as if it had synced its users."""
    out = subprocess.run([sys.executable, "-m", "sync.server.cli", "--database-url", url, "office", "add",
                          name, "--districts", D1], cwd=ROOT, capture_output=True, text=True, check=True)
    engine = centre_db.open_engine(url)
    try:
        with centre_db.session_factory(engine).begin() as session:
            add_users(session, session.scalars(sa.select(Office.id).where(Office.name == name)).one())
    finally:
        engine.dispose()
    return out.stdout.strip().splitlines()[-1]


def test_over_tls_the_office_trusts_the_centre_only_with_its_certificate(tmp_path: Path) -> None:
    cert, key = tmp_path / "centre.pem", tmp_path / "centre.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    url = f"sqlite:///{tmp_path / 'centre.sqlite3'}"
    subprocess.run([sys.executable, "-m", "sync.server.cli", "--database-url", url, "migrate"], cwd=ROOT,
                   check=True, capture_output=True)
    engine = centre_db.open_engine(url)
    with centre_db.session_factory(engine).begin() as session:
        load_reference(session, reference.default())
    engine.dispose()
    server = Server(url, env={"DAFTAR_TLS_CERT": str(cert), "DAFTAR_TLS_KEY": str(key)},
                    verify=ssl.create_default_context(cafile=str(cert)))
    server.start()
    try:
        code = add_office(url, "Secure")
        untrusted = daftar(tmp_path / "office", "enroll", server.base, code)
        assert untrusted.wait(60) == 1
        assert "certificate is not trusted" in untrusted.stderr.read()
        trusted = daftar(tmp_path / "office", "enroll", server.base, code, env={"DAFTAR_CA_FILE": str(cert)})
        assert trusted.wait(60) == 0, trusted.stderr.read()
        synced = daftar(tmp_path / "office", "sync", env={"DAFTAR_CA_FILE": str(cert)})
        assert synced.wait(60) == 0, synced.stderr.read()
        try:  # no plain HTTP on that port: refused, or dropped
            assert httpx.get(f"http://127.0.0.1:{server.port}/health").status_code >= 400
        except httpx.TransportError:
            pass
    finally:
        server.kill()


def assert_same_as_centre(folder: Path, engine: sa.Engine) -> None:
    def table(session: sa.orm.Session, model: type, columns: tuple[str, ...], where: sa.ColumnElement[bool]):
        return {row[0]: tuple(row) for row in session.execute(
            sa.select(*(getattr(model, c) for c in columns)).where(where))}

    with centre_db.session_factory(engine)() as session:
        want = (table(session, ServiceRequest, REQUEST_COLUMNS, ServiceRequest.district_code == D1),
                table(session, Event, EVENT_COLUMNS, Event.request_id.in_(
                    sa.select(ServiceRequest.id).where(ServiceRequest.district_code == D1))))
    with contextlib.closing(open_store(folder)) as store, store.sessions() as session:
        have = (table(session, m.ServiceRequest, REQUEST_COLUMNS, sa.true()),
                table(session, m.Event, EVENT_COLUMNS, sa.true()))
        assert session.scalar(sa.select(sa.func.count()).select_from(m.OutboxEntry)) == 0
    assert have[0] == want[0], "requests differ"
    assert have[1] == want[1], "histories differ"


@pytest.mark.postgres
def test_kill_9_anywhere_and_everything_converges(centre_url: str, tmp_path: Path) -> None:
    engine = centre_db.open_engine(centre_url)
    requests, events = make_rows(REQUESTS, districts=[D1])
    fill_centre(engine, requests, events)
    server = Server(centre_url)
    server.start()
    try:
        # ---- the server dies in the middle of a first sync's pull
        with centre_db.session_factory(engine)() as session:
            last = centre_db.last_seq(session)
        for attempt in range(5):  # a first sync may be over before it can be caught midway
            first = tmp_path / f"first-{attempt}"
            enrol = daftar(first, "enroll", server.base, add_office(centre_url, f"First {attempt}"))
            assert enrol.wait(60) == 0, enrol.stderr.read() if enrol.stderr else ""
            client = daftar(first, "sync")
            wait_for(lambda: 0 < cursor_of(first) < last or client.poll() is not None)
            if client.poll() is None:
                break
        else:
            raise AssertionError("every first sync ended before the server could be killed midway")
        server.kill()
        server.start()  # the client is still retrying, or gave up
        client.wait(120)
        sync_until_done(first)
        assert cursor_of(first) == last
        assert_same_as_centre(first, engine)

        # ---- the office dies in the middle of applying pages, twice
        second = tmp_path / "second"
        enrol = daftar(second, "enroll", server.base, add_office(centre_url, "Second"))
        assert enrol.wait(60) == 0
        interrupted = 0
        for _ in range(3):
            client = daftar(second, "sync")
            start = cursor_of(second)
            wait_for(lambda: cursor_of(second) > start or client.poll() is not None)
            # A page just committed: the next one is being fetched or applied.
            if client.poll() is None:
                with contextlib.suppress(ProcessLookupError):  # it may finish meanwhile
                    os.killpg(client.pid, signal.SIGKILL)
                    interrupted += 1
            client.wait()
        assert interrupted, "the office finished every sync before it could be killed"
        sync_until_done(second)
        assert_same_as_centre(second, engine)

        # ---- the server dies in the middle of a push of many changes
        def applied() -> int:
            with centre_db.session_factory(engine)() as session:
                return session.scalar(sa.select(sa.func.count()).select_from(AppliedMutation))

        for attempt in range(REQUESTS // NOTES):  # a push may be over before it can be caught
            with contextlib.closing(open_store(first)) as store:
                desk = Desk(store.sessions, office_actor(store))
                for request in requests[attempt * NOTES:(attempt + 1) * NOTES]:
                    desk.add_note(request["id"], "پیگیری تلفنی")
                assert sync_service.pending_count(store) == NOTES
            sent = attempt * NOTES
            client = daftar(first, "sync")
            wait_for(lambda: sent < applied() < sent + NOTES or client.poll() is not None)
            if client.poll() is None:
                break
        else:
            raise AssertionError("every push ended before the server could be killed midway")
        server.kill()
        server.start()
        client.wait(120)
        sync_until_done(first)
        sync_until_done(second)
        noted = (attempt + 1) * NOTES
        with centre_db.session_factory(engine)() as session:
            assert applied() == noted
            notes = session.scalars(sa.select(Event.mutation_id).where(Event.kind == "note")).all()
        assert len(notes) == len(set(notes)) == noted  # each once
        assert_same_as_centre(first, engine)
        assert_same_as_centre(second, engine)
    finally:
        if server.process is not None and server.process.poll() is None:
            server.kill()
        engine.dispose()
