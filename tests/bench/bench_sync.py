"""Benchmark of sync: a real centre under uvicorn on loopback, real offices.

A script, not a test (pytest does not collect ``bench_*.py``); it prints numbers and
asserts nothing about time.

    .venv/bin/python tests/bench/bench_sync.py [--requests 100000] [--postgres URL]
                                               [--offices 50] [--skip-sqlite] [--runs 3]

For the centre on SQLite and, with ``--postgres``, on PostgreSQL (a throwaway database
made on that server and dropped afterwards), it measures:

1. **initial sync**: ``--requests`` referred requests (each with its two history
   entries: created, referred) into an empty office that serves every district, for
   ``--runs`` fresh offices; the wall time of ``sync_once`` — which returns once the
   office is fully usable: every row, every index, the search index — and its ratio
   to the *raw insert*, the physical limit: a bare ``sqlite3`` ``executemany`` of the
   very same rows (search text already computed) in one transaction into the
   office's ``requests`` and ``events`` tables without their plain indexes and
   without the search index, timed in the same run.  The raw insert into the tables
   with all their indexes (still without the search index) is printed beside it;
2. **an empty round** (nothing to push or pull): the median of 5 rounds;
3. **1,000 changes each way**: 1,000 office actions (notes, by a user the centre
   knows: every one applied) and 1,000 centre actions (status changes), then one round;
   ``--runs`` times on fresh requests, the median, and each round's CPU time: the
   office's, the centre's process's and its database's (PostgreSQL's backends);
4. PostgreSQL only: **``--offices`` offices at once**, each in its own (forked)
   process, each with its district's share already pulled; every office makes 5
   changes, the centre 20 per district, then all start a round together; the
   p50/p95/max round time, an office's CPU, and the centre's CPU per round.

Before 3 and 4 the bench waits for the centre's SMS sender to send the texts the
centre's changes queued (a job beside the API, timed on its own), so that a round is
not timed with it.  The offices run on the centre's two cores here: their CPU counts
against the round (in the field each office has a computer of its own).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import multiprocessing as mp
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from desktop_app.services import sync_service, users  # noqa: E402
from desktop_app.services.requests import Actor, Desk  # noqa: E402
from desktop_app.store import reference as store_reference  # noqa: E402
from desktop_app.store.db import DB_NAME, indexes_suspended, open_store  # noqa: E402
from desktop_app.store.fts import FTS_TABLE  # noqa: E402
from sync import reference as ref  # noqa: E402
from sync.dates import UTC, utcnow  # noqa: E402
from sync.server import db as centre_db  # noqa: E402
from sync.server import operations as ops  # noqa: E402
from sync.server.enrolment import hash_enrolment_code, new_enrolment_code  # noqa: E402
from sync.server.models import Office, OfficeDistrict, ServiceRequest, SmsOutbox  # noqa: E402
from sync.server.reference_io import load_reference  # noqa: E402
from sync.text import search_text  # noqa: E402
from sync.workflow import Role  # noqa: E402
from tests.sync.client.harness import fill_centre, make_rows  # noqa: E402


def add_office(engine: sa.Engine, name: str, districts: list[str] | None) -> str:
    code = new_enrolment_code()
    with centre_db.session_factory(engine).begin() as session:
        number = (session.scalar(sa.select(sa.func.max(Office.number))) or 0) + 1
        office = Office(name=name, number=number, all_districts=districts is None,
                        created_at=utcnow(), enrolment_code_hash=hash_enrolment_code(code),
                        enrolment_expires_at=utcnow() + dt.timedelta(days=1))
        session.add(office)
        session.flush()
        session.add_all(OfficeDistrict(office_id=office.id, district_code=d) for d in districts or [])
    return code


# ------------------------------------------------------------- the raw insert


def _hex(value: uuid.UUID | None) -> str | None:
    return value.hex if value else None


def _text_time(value: dt.datetime | None) -> str | None:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds") if value else None


def raw_insert_seconds(folder: Path, requests: list[dict[str, Any]], events: list[dict[str, Any]], *,
                       indexes: bool) -> float:
    """A bare ``executemany`` of the office's rows into an office database of the
    same schema, without the search index, and with ``indexes`` or without the plain
    indexes of the two tables: the physical limit of the job."""
    store = open_store(folder)
    with store.sessions.begin() as session:
        store_reference.install(session, ref.default())
        dropped = session.execute(sa.text(
            "SELECT type, name FROM sqlite_master WHERE tbl_name IN ('requests', 'events') AND sql IS NOT NULL "
            "AND (type = 'trigger' OR (type = 'index' AND NOT :indexes))"), {"indexes": indexes}).all()
        for kind, name in dropped:
            session.execute(sa.text(f"DROP {kind.upper()} {name}"))
    store.close()
    request_rows = [(
        _hex(r["id"]), r["tracking_code"], _text_time(r["received_at"]), r["channel"],
        r["district_code"], r["neighbourhood_code"], r["category_code"], r["description"],
        r["citizen_name"], r["citizen_phone"], r["address"], r["latitude"], r["longitude"],
        r["status"], None, None, "", None, None, None, r["version"], _text_time(r["updated_at"]),
        search_text(r["tracking_code"], r["citizen_name"], r["citizen_phone"], r["address"],
                    r["description"]),
    ) for r in requests]
    event_rows = [(
        _hex(e["id"]), _hex(e["request_id"]), e["kind"], e["from_status"], e["to_status"], None,
        "", "{}", e["actor"], e["actor_role"], None, _text_time(e["client_time"]),
        _text_time(e["server_time"]), None,
    ) for e in events]
    connection = sqlite3.connect(folder / DB_NAME, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        connection.execute(f"PRAGMA {pragma}")
    started = time.perf_counter()
    connection.execute("BEGIN")
    connection.executemany(
        "INSERT INTO requests (id, tracking_code, received_at, channel, district_code, "
        "neighbourhood_code, category_code, description, citizen_name, citizen_phone, address, "
        "latitude, longitude, status, closed_at, outcome_reason, outcome_note, crew_id, "
        "assigned_at, duplicate_of, version, updated_at, search_text) "
        f"VALUES ({', '.join('?' * 23)})", request_rows)
    connection.executemany(
        "INSERT INTO events (id, request_id, kind, from_status, to_status, reason, note, data, "
        "actor, actor_role, office_id, client_time, server_time, mutation_id) "
        f"VALUES ({', '.join('?' * 14)})", event_rows)
    connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    connection.close()
    return seconds


# ----------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: The centre process serving each base URL (for its CPU time, :func:`cpu_seconds`).
CENTRE_PIDS: dict[str, int] = {}


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (/proc/<pid>/stat); 0 where there
    is no /proc.  On a loaded machine a round's wall time says more about the other
    processes than about the round: its CPU time does not."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def serving(url: str) -> Iterator[str]:
    port = free_port()
    code = f"from sync.server.app import run; run({url!r}, host='127.0.0.1', port={port})"
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    CENTRE_PIDS[base] = process.pid
    try:
        for _ in range(200):
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(base + "/health").status_code == 200:
                    break
            time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(10)


# ------------------------------------------------------------------ measures


def office_actor(store: Any) -> Actor:
    """The office's user who acts in the benchmark: made (as the office's first
    manager) if the office has none yet, so that the centre knows them once their
    ``upsert_user`` is pushed — the centre refuses changes by anyone else, and a
    benchmark of refusals measures the wrong path."""
    identity = sync_service.office_identity(store)
    assert identity is not None
    if not any(account.username == BENCH_USER for account in users.list_users(store.sessions)):
        users.create_user(store.sessions, username=BENCH_USER, display_name="bench",
                          role=Role.MANAGER, password="bench-password")
    return Actor(username=BENCH_USER, role=Role.MANAGER, office_id=identity.office_id,
                 office_number=identity.number)


BENCH_USER = "bench"


def timed_round(store: Any) -> tuple[float, sync_service.SyncReport]:
    started = time.perf_counter()
    report = sync_service.sync_once(store)
    return time.perf_counter() - started, report


def fully_usable(store: Any, fresh: set[str]) -> bool:
    """Every index a fresh office has, nothing set aside, the search index whole
    (FTS5's own check against every row)."""
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")
        return indexes_of(conn) == fresh and not indexes_suspended(conn)


def indexes_of(conn: sa.Connection) -> set[str]:
    return set(conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger') "
                                    "AND tbl_name IN ('requests', 'events')").scalars())


def seconds_list(times: list[float]) -> str:
    return f"median {statistics.median(times):.2f} s ({', '.join(f'{t:.2f}' for t in times)})"


def bench_backend(label: str, url: str, requests: list[dict[str, Any]], events: list[dict[str, Any]],
                  raw: float, indexed: float, work: Path) -> None:
    engine = centre_db.open_engine(url)
    centre_db.upgrade(engine)
    started = time.perf_counter()
    with centre_db.session_factory(engine).begin() as session:
        load_reference(session, ref.default())
    fill_centre(engine, requests, events)
    print(f"[{label}] centre filled with {len(requests)} requests in {time.perf_counter() - started:.1f} s")
    fresh = open_store(work / f"fresh-{label}")
    with fresh.engine.connect() as conn:
        wanted = indexes_of(conn)
    fresh.close()
    with serving(url) as base:
        times, stores = [], []
        for run in range(ARGS.runs):
            store = open_store(work / f"office-{label}-{run}")
            sync_service.enroll(store, base, add_office(engine, f"bench-{label}-{run}", None))
            office_cpu, centre_cpu = time.process_time(), cpu_seconds(CENTRE_PIDS[base])
            seconds, report = timed_round(store)
            office_cpu = time.process_time() - office_cpu
            centre_cpu = cpu_seconds(CENTRE_PIDS[base]) - centre_cpu
            times.append(seconds)
            stores.append(store)
            print(f"[{label}] initial sync {run + 1}: {seconds:.2f} s for {report.pulled} rows in "
                  f"{report.pages} pages (CPU: office {office_cpu:.2f} s, centre {centre_cpu:.2f} s); "
                  f"fully usable: {fully_usable(store, wanted)}; load average {os.getloadavg()[0]:.1f}")
        median = statistics.median(times)
        print(f"[{label}] initial sync: {seconds_list(times)}; {median / raw:.1f}x the raw insert "
              f"({raw:.2f} s; {indexed:.2f} s with the tables' indexes); floor 4.4 s, PouchDB took 22 s")
        for extra in stores[1:]:
            extra.close()
        store = stores[0]
        empty = sorted(timed_round(store)[0] for _ in range(5))
        print(f"[{label}] empty round: median {1000 * statistics.median(empty):.0f} ms "
              f"(min {1000 * empty[0]:.0f}, max {1000 * empty[-1]:.0f})")
        bench_each_way(label, engine, base, store, requests)
        store.close()
        if label == "postgresql" and ARGS.offices:
            bench_many(engine, base, work, ARGS.offices)
    engine.dispose()


class CentreLoad:
    """CPU seconds of the centre's process and of the database's own processes serving
    it (PostgreSQL's backends on this machine; none for SQLite, which works in the
    centre's process) between :meth:`start` and :meth:`stop`.  A backend that ends in
    between (the pool closes what overflowed) takes its CPU with it: the database's
    figure is at least that."""

    def __init__(self, engine: sa.Engine, base: str):
        self.engine, self.pid = engine, CENTRE_PIDS[base]

    def _backends(self) -> dict[int, float]:
        if self.engine.dialect.name != "postgresql":
            return {}
        with self.engine.connect() as conn:
            pids = conn.execute(sa.text("SELECT pid FROM pg_stat_activity WHERE datname = "
                                        "current_database() AND pid <> pg_backend_pid()")).scalars().all()
        return {pid: cpu_seconds(pid) for pid in pids}

    def start(self) -> None:
        self.centre, self.backends = cpu_seconds(self.pid), self._backends()

    def stop(self) -> tuple[float, float]:
        """The centre's and its database's CPU seconds since :meth:`start`."""
        backends = self._backends()
        database = sum(cpu - self.backends.get(pid, 0.0) for pid, cpu in backends.items())
        return cpu_seconds(self.pid) - self.centre, database


def sms_drained(engine: sa.Engine, limit: float = 300.0) -> float:
    """Wait until the centre's SMS sender has sent what the centre's changes queued
    (each status change texts the citizen); the seconds it took.  The sender is a
    job of its own beside the API: left running, it would be timed as part of the
    round that happens to overlap it."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        with engine.connect() as conn:
            waiting = conn.execute(sa.select(sa.func.count()).select_from(SmsOutbox).where(
                SmsOutbox.status.in_(["pending", "sending"]))).scalar()
        if not waiting:
            break
        time.sleep(0.2)
    return time.perf_counter() - started


def bench_each_way(label: str, engine: sa.Engine, base: str, store: Any,
                   requests: list[dict[str, Any]]) -> None:
    """1,000 office actions (notes) and 1,000 centre actions (status changes), then one
    round; ``--runs`` times on fresh requests: the wall time and the CPU time of each
    end (the office's process; the centre's process and its database's)."""
    desk = Desk(store.sessions, office_actor(store))
    sync_service.sync_once(store)  # the bench's user, made just now, goes to the centre
    load = CentreLoad(engine, base)
    rounds, lines = [], []
    for run in range(ARGS.runs):
        mine, theirs = requests[2000 * run:2000 * run + 1000], requests[2000 * run + 1000:2000 * (run + 1)]
        for request in mine:
            desk.add_note(request["id"], "پیگیری شد")
        with centre_db.session_factory(engine).begin() as session:
            for request in theirs:
                ops.change_status(session, request["id"], "not_actionable", actor="operator",
                                  reason="duplicate")
        sms = sms_drained(engine)
        load.start()
        office = time.process_time()
        seconds, report = timed_round(store)
        office = time.process_time() - office
        centre, database = load.stop()
        rounds.append(seconds)
        assert (report.pushed, report.applied) == (1000, 1000), report
        lines.append(f"[{label}] 1,000 each way {run + 1}: {seconds:.2f} s; CPU: office {office:.2f} s, "
                     f"centre {centre:.2f} s, its database at least {database:.2f} s; {report.pulled} rows pulled "
                     f"(the centre's SMS sender had sent the 1,000 texts first, {sms:.1f} s); "
                     f"load average {os.getloadavg()[0]:.1f}")
        print(lines[-1])
    print(f"[{label}] 1,000 changes each way: {seconds_list(rounds)}")


def _office_round(args: tuple[str, Any]) -> tuple[float, float]:
    """One office's round, in a process of its own: 5 notes, then the round once every
    office is ready; its wall time and its process's CPU time."""
    folder, barrier = args
    store = open_store(folder)
    desk = Desk(store.sessions, office_actor(store))
    with store.sessions() as session:
        from desktop_app.store import models as m

        ids = list(session.scalars(sa.select(m.ServiceRequest.id).limit(5)))
    for request_id in ids:
        desk.add_note(request_id, "پیگیری شد")
    barrier.wait()
    cpu = time.process_time()
    seconds, report = timed_round(store)
    cpu = time.process_time() - cpu
    store.close()
    assert report.applied == len(ids), report
    return seconds, cpu


def bench_many(engine: sa.Engine, base: str, work: Path, offices: int) -> None:
    """``offices`` offices at once, each in its own process (forked: each starts with
    what the bench has imported, as an office's long-running window would), each with
    its district's share already pulled and its user known to the centre: every office
    makes 5 changes, the centre 20 per district, then all start a round together.  The
    p50/p95/max round time, each office's CPU, and the centre's CPU per round."""
    refset = ref.default()
    districts = [d.code for d in refset.districts]
    folders = []
    for i in range(offices):
        district = districts[i % len(districts)]
        code = add_office(engine, f"many-{i}", [district])
        store = open_store(work / f"many-{i}")
        sync_service.enroll(store, base, code)
        office_actor(store)
        sync_service.sync_once(store)
        store.close()
        folders.append(str(work / f"many-{i}"))
    sessions = centre_db.session_factory(engine)
    with sessions.begin() as session:
        for district in districts[:offices]:
            for _ in range(20):
                ops.intake(session, district_code=district, category_code="garbage",
                           description="درخواست تازه", actor="operator")
    with sessions.begin() as session:
        for request_id in session.scalars(sa.select(ServiceRequest.id)
                                          .where(ServiceRequest.status == "received")):
            ops.refer(session, request_id, actor="operator")
    sms = sms_drained(engine)
    load = CentreLoad(engine, base)
    with mp.Manager() as manager:
        barrier = manager.Barrier(offices + 1)
        with mp.get_context("fork").Pool(offices) as pool:
            answers = pool.map_async(_office_round, [(f, barrier) for f in folders])
            load.start()
            barrier.wait()
            results = answers.get()
            centre, database = load.stop()
    times = sorted(seconds for seconds, _ in results)
    cpus = sorted(cpu for _, cpu in results)
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    print(f"[postgresql] {offices} offices at once: p50 {statistics.median(times):.2f} s, "
          f"p95 {p95:.2f} s, max {times[-1]:.2f} s; CPU: an office's round median "
          f"{1000 * statistics.median(cpus):.0f} ms (all {sum(cpus):.1f} s), the centre "
          f"{1000 * centre / offices:.0f} ms a round ({centre:.2f} s), its database at least "
          f"{1000 * database / offices:.0f} ms a round; the SMS sender had sent the "
          f"intake's texts first ({sms:.1f} s); load average {os.getloadavg()[0]:.1f}")


def _postgres_database(admin_url: str) -> Iterator[str]:
    admin = sa.create_engine(centre_db.normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    name = f"daftar_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(centre_db.normalise_url(admin_url)).set(database=name) \
            .render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def main() -> None:
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at start")
    requests, events = make_rows(ARGS.requests)
    if not ARGS.history:
        events = []  # documents alone, as in the PouchDB peer's measure
    # The bench's own rows (millions of objects at 100,000 requests) are no office's:
    # out of the cyclic collector's reach, as the office's window puts what it made at
    # start-up (desktop_app/app.py).  Else a full collection that happens to fall in
    # a timed round walks them all on the office's clock (148 ms at 20,000 requests).
    gc.freeze()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        raw = statistics.median(raw_insert_seconds(work / f"raw-{i}", requests, events, indexes=False)
                                for i in range(3))
        indexed = raw_insert_seconds(work / "indexed", requests, events, indexes=True)
        print(f"raw insert of {len(requests)} requests + {len(events)} events: {raw:.2f} s (median of 3; "
              f"{indexed:.2f} s into the tables with their indexes; neither with the search index)")
        if not ARGS.skip_sqlite:
            bench_backend("sqlite", f"sqlite:///{work / 'centre.sqlite3'}", requests, events, raw, indexed,
                          work)
        if ARGS.postgres:
            with contextlib.contextmanager(_postgres_database)(ARGS.postgres) as url:
                bench_backend("postgresql", url, requests, events, raw, indexed, work)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--postgres", metavar="URL", help="also on this PostgreSQL server")
    parser.add_argument("--offices", type=int, default=50, help="offices at once (PostgreSQL)")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--no-history", dest="history", action="store_false",
                        help="requests without their two history entries each")
    parser.add_argument("--runs", type=int, default=3, help="initial syncs and 1,000-each-way rounds")
    ARGS = parser.parse_args()
    main()
