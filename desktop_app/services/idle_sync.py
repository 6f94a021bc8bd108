"""``daftar sync`` when there is nothing to do: one call to the centre, no machinery.

A scheduler runs ``daftar sync`` every few minutes, and most of those rounds find
nothing to push and nothing to pull.  The full round
(:func:`desktop_app.services.sync_service.sync_once`) needs SQLAlchemy, the office's
models, httpx and pydantic, whose import alone took a second of CPU on an office PC
while the round itself was one small call.  This module does that round with the
standard library only, when it can be sure the round has nothing else to do, and
says "run the full round" (``None``) in every other case — so the full round stays
the only one that changes anything but the time of the last sync.

It does the idle round only when, read from the database before anything is sent:

* opening the folder would do nothing (:func:`desktop_app.store.db.open_store`): no
  restore waits, the schema is current, no bulk write left indexes set aside, the
  search index and its triggers are there;
* the office is enrolled, its address is one the app may use, and no proxy is set
  (the full round's client would use it);
* the outbox is empty, and no photo waits to go up or to come down;

and then only when the centre's ``/sync/hello`` answers ``200`` that nothing follows
the office's cursor and describes the office exactly as stored.  Then, like the full
round, it measures the clock skew and records when the round completed
(``last_sync_at``).  Anything else — a network error, a refusal, another answer —
and the caller runs the full round, which retries, reports and applies as always.

The constants below repeat a few of the store's and the protocol's, which this module
must not import (they bring SQLAlchemy or pydantic); a test holds them equal.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from desktop_app.store.folder import DB_NAME
from sync import migrate

#: :data:`desktop_app.store.db.MIGRATIONS`, ``SUSPENDED_INDEXES``.
MIGRATIONS = Path(__file__).resolve().parents[1] / "store" / "migrations"
SUSPENDED_INDEXES = "suspended_indexes"
#: :data:`desktop_app.store.backup.PENDING`: a restore waits for the next opening.
PENDING_RESTORE = "restore-pending"
#: :data:`desktop_app.store.photos.PHOTOS_DIR`.
PHOTOS_DIR = "photos"
#: :mod:`desktop_app.store.fts`: the search index, its triggers, its hash size.
FTS_TABLE = "requests_fts"
FTS_TRIGGERS = (f"{FTS_TABLE}_ai", f"{FTS_TABLE}_ad", f"{FTS_TABLE}_au")
FTS_HASH_SIZE = 64 << 20
FTS_BUILT_TO = "search_index_built_to"
#: :mod:`desktop_app.services.sync_state`'s keys.
CENTRE_URL, ALLOW_INSECURE, CREDENTIAL = "centre_url", "allow_insecure", "credential"
OFFICE, CURSOR, LAST_SYNC_AT = "office", "cursor", "last_sync_at"
UPLOADS_LEFT_BEHIND = "uploads_left_behind"
#: :mod:`sync.protocol` and :mod:`sync.client.transport`.
PROTOCOL_VERSION = 1
CREDENTIAL_HEADER = "X-Daftar-Credential"
PROTOCOL_HEADER = "X-Daftar-Protocol"
CLOCK_SKEW_WARNING_SECONDS = 300.0
CA_FILE_ENV = "DAFTAR_CA_FILE"
#: httpx's: connecting is quick or hopeless; the answer may take a while.
CONNECT_TIMEOUT, READ_TIMEOUT = 10.0, 60.0
#: The fields of the office as the centre describes it (``OfficeInfo``).
OFFICE_FIELDS = ("office_id", "name", "number", "districts", "all_districts")


@dataclass(frozen=True)
class IdleRound:
    """A completed round that had nothing to push, pull or move."""

    finished_at: dt.datetime
    #: The centre's clock minus the office's, in seconds.
    clock_skew_seconds: float
    #: Refused or stale changes that wait for a person (``sync_problems`` unsettled).
    open_problems: int

    @property
    def clock_skew_warning(self) -> bool:
        return abs(self.clock_skew_seconds) > CLOCK_SKEW_WARNING_SECONDS


class _NotIdle(Exception):
    """The full round must run (the reason is for tests and debugging)."""


def idle_round(folder: Path) -> IdleRound | None:
    """The round, if it had nothing to do (see the module); ``None``: run the full one."""
    try:
        return _idle_round(folder)
    except Exception:  # noqa: BLE001 - whatever went wrong, the full round runs and says it
        return None


def _proxy_set() -> bool:
    """Whether the full round's client would go through a proxy: httpx takes its
    proxies from :func:`urllib.request.getproxies` — the environment, and on Windows
    the Internet Options in the registry, on macOS the system settings."""
    from urllib.request import getproxies

    return any(getproxies().get(scheme) for scheme in ("http", "https", "all"))


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _idle_round(folder: Path) -> IdleRound:
    path = folder / DB_NAME
    if (folder / PENDING_RESTORE).exists() or not path.is_file() or path.stat().st_size == 0:
        raise _NotIdle("the folder is not ready")
    if _proxy_set():
        raise _NotIdle("a proxy is set")
    db = sqlite3.connect(path.resolve().as_uri() + "?mode=rw", uri=True, isolation_level=None,
                         timeout=10.0)
    try:
        db.execute("PRAGMA busy_timeout = 10000")
        db.execute("PRAGMA synchronous = NORMAL")
        state, cursor = _read_office(folder, db)
        base = _base_url(state)
        sent = _utcnow()
        hello = _hello(base, state[CREDENTIAL], cursor)
        received = _utcnow()
        skew = _clock_skew(hello, sent, received)
        if hello.get("changes_after") is not False:
            raise _NotIdle("the centre has changes after the cursor, or does not say")
        if _office(hello.get("office")) != _office(state.get(OFFICE)):
            raise _NotIdle("the centre describes the office otherwise")
        finished = _utcnow()
        db.execute("BEGIN IMMEDIATE")
        try:
            # The full round's last step (``OfficeReplica.finish_round``).
            db.execute("INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) "
                       "DO UPDATE SET value = excluded.value",
                       (LAST_SYNC_AT, json.dumps(finished.isoformat())))
            problems = db.execute("SELECT count(*) FROM sync_problems WHERE resolved_at IS NULL"
                                  ).fetchone()[0]
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    finally:
        db.close()
    return IdleRound(finished, skew, problems)


def _json(stored: Any) -> Any:
    """A ``JSON`` column's value: a number comes back as one (the column's numeric
    affinity made it one), anything else is JSON text."""
    return stored if isinstance(stored, (int, float)) else json.loads(stored)


def _read_office(folder: Path, db: sqlite3.Connection) -> tuple[dict[str, Any], int]:
    """The office's sync state and cursor, once everything says the round would have
    nothing to do but say hello; :class:`_NotIdle` otherwise."""
    db.execute("BEGIN")
    try:
        if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            raise _NotIdle("not in WAL mode yet")
        stamped = [row[0] for row in db.execute("SELECT version_num FROM alembic_version")]
        if stamped != [migrate.head_revision(MIGRATIONS)]:
            raise _NotIdle("the schema is not current")
        names = {row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE ?",
            (f"{FTS_TABLE}%",))}
        if not {FTS_TABLE, *FTS_TRIGGERS} <= names or db.execute(
                f"SELECT v FROM {FTS_TABLE}_config WHERE k = 'hashsize'").fetchone() != (FTS_HASH_SIZE,):
            raise _NotIdle("the search index must be made")
        state = {key: _json(value) for key, value in db.execute(
            "SELECT key, value FROM sync_state WHERE key IN (?, ?, ?, ?, ?, ?, ?, ?)",
            (CENTRE_URL, ALLOW_INSECURE, CREDENTIAL, OFFICE, CURSOR, UPLOADS_LEFT_BEHIND,
             SUSPENDED_INDEXES, FTS_BUILT_TO))}
        if SUSPENDED_INDEXES in state or FTS_BUILT_TO in state:
            raise _NotIdle("a bulk write left indexes set aside")
        if not state.get(CENTRE_URL) or not state.get(CREDENTIAL) or not state.get(OFFICE):
            raise _NotIdle("not enrolled")
        if db.execute("SELECT 1 FROM outbox LIMIT 1").fetchone() is not None:
            raise _NotIdle("the outbox has changes to push")
        if state.get(UPLOADS_LEFT_BEHIND) or db.execute(
                "SELECT 1 FROM attachments WHERE needs_upload LIMIT 1").fetchone() is not None:
            raise _NotIdle("photos to send")
        photos = folder / PHOTOS_DIR
        for (sha256,) in db.execute("SELECT DISTINCT sha256 FROM attachments"):
            if not (photos / sha256[:2] / sha256).is_file():
                raise _NotIdle("photos to fetch")
        cursor = state.get(CURSOR, 0)
        if type(cursor) is not int:
            raise _NotIdle("no cursor")
        return state, cursor
    finally:
        db.execute("COMMIT")


def _is_local(host: str) -> bool:
    """:func:`sync.client.transport.is_local`, without its imports."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    import ipaddress

    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _base_url(state: dict[str, Any]) -> str:
    """The centre's address, as :func:`sync.client.transport.check_url` lets it be used
    (anything it would refuse is for the full round to say)."""
    url = str(state[CENTRE_URL]).strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _NotIdle("not a web address")
    if parts.scheme == "http" and not _is_local(parts.hostname) and not state.get(ALLOW_INSECURE):
        raise _NotIdle("plain http to another computer")
    return url.rstrip("/")


def _tls_context() -> Any:
    """The certificates httpx trusts as the full round's client is made
    (``sync.client.transport._verify``; httpx: ``SSL_CERT_FILE``, ``SSL_CERT_DIR``,
    else certifi's bundle)."""
    import ssl

    ca_file = os.environ.get(CA_FILE_ENV)
    if ca_file:
        context = ssl.create_default_context()
        context.load_verify_locations(cafile=ca_file)
        return context
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def _hello(base: str, credential: str, cursor: int) -> dict[str, Any]:
    """``GET /sync/hello?cursor=N``'s answer, if ``200`` and JSON."""
    import http.client

    parts = urlsplit(base)
    if parts.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=CONNECT_TIMEOUT, context=_tls_context())
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=CONNECT_TIMEOUT)
    try:
        connection.connect()
        connection.sock.settimeout(READ_TIMEOUT)
        connection.request("GET", f"{parts.path}/sync/hello?{urlencode({'cursor': cursor})}",
                           headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION),
                                    CREDENTIAL_HEADER: credential, "Accept": "application/json"})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise _NotIdle(f"the centre answered {response.status}")
    answer = json.loads(body)
    if not isinstance(answer, dict):
        raise _NotIdle("not a hello")
    return answer


def _clock_skew(hello: dict[str, Any], sent: dt.datetime, received: dt.datetime) -> float:
    """As the full round measures it: the centre read its clock between send and
    receipt, so it is compared with the middle."""
    server_time = dt.datetime.fromisoformat(hello["server_time"])
    if server_time.tzinfo is None:
        raise _NotIdle("the centre's time has no zone")
    return (server_time - (sent + (received - sent) / 2)).total_seconds()


def _office(value: Any) -> tuple[Any, ...]:
    """The office as ``OfficeInfo`` would read it, to compare the stored one with the
    centre's (anything but exactly these fields, of these kinds, is not compared)."""
    if not isinstance(value, dict) or sorted(value) != sorted(OFFICE_FIELDS):
        raise _NotIdle("an office of another shape")
    districts, number = value["districts"], value["number"]
    if not isinstance(districts, list) or not all(isinstance(d, str) for d in districts) \
            or type(number) is not int or not isinstance(value["name"], str) \
            or not isinstance(value["all_districts"], bool):
        raise _NotIdle("an office of another shape")
    # The id as 32 hex digits, as uuid.UUID would compare it (without importing it).
    office_id = str(value["office_id"]).replace("-", "").lower()
    if len(office_id) != 32 or any(c not in "0123456789abcdef" for c in office_id):
        raise _NotIdle("an office id of another form")
    return (office_id, value["name"], number, tuple(districts), value["all_districts"])
