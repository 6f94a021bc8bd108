"""Benchmark of the background poll: 50 offices, each syncing every 30 s, against a
centre on PostgreSQL under uvicorn on loopback.

A script, not a test (pytest does not collect ``bench_*.py``); it prints numbers and
asserts nothing about time.

    DAFTAR_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test \\
    .venv/bin/python tests/bench/bench_poll.py [--offices 50] [--interval 30]
        [--seconds 90] [--requests 20000] [--trickle 2] [--legacy]

A throwaway database is made on that server (and dropped afterwards), migrated, given
the Kashan reference data and ``--requests`` referred requests.  ``--offices`` offices
(one district each, in turn) are enrolled and pulled up to date; then each runs the
real office round (``sync_service.sync_once`` over its own SQLite store) every
``--interval`` seconds, their phases spread evenly, in two windows of ``--seconds``:

1. **idle** — nothing changes anywhere;
2. **trickle** — the centre takes a call and refers it every ``--trickle`` seconds,
   to the offices' districts in turn (as its operators would; straight into its
   database, so the PostgreSQL CPU of this window includes the referrals' own writes),
   until one interval before the window's end, so that each can arrive within it.

For each window it prints the rounds made, the centre's CPU — the uvicorn process
(``/proc/<pid>/stat``) and the PostgreSQL backends serving the database
(``pg_stat_activity`` pids, their ``/proc`` stat) — in total and per round, and the
rounds' p50 / p95 / max wall time.  For the trickle, also each referral's delivery to
each office of its district: from its commit at the centre to the end of that office's
round that brought it (p50 / p95 / max).  ``--legacy`` makes every round pull as before
this change (the hello's ``changes_after`` ignored), for comparison.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from desktop_app.services import sync_service
from desktop_app.store import models as m
from desktop_app.store.db import Store, open_store
from sync import reference as ref
from sync.client import engine as engine_module
from sync.server import db as centre_db
from sync.server import operations as ops
from sync.server.reference_io import load_reference
from tests.bench.bench_sync import _postgres_database, add_office, free_port
from tests.sync.client.harness import fill_centre, make_rows

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of process ``pid`` so far (0 for one that has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def backend_pids(engine: sa.Engine, database: str) -> set[int]:
    with engine.connect() as conn:
        return set(conn.execute(sa.text(
            "SELECT pid FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()"),
            {"d": database}).scalars())


class CentreCpu:
    """The centre's CPU over a window: uvicorn's process and the database's backends."""

    def __init__(self, server_pid: int, engine: sa.Engine, database: str):
        self.server_pid, self.engine, self.database = server_pid, engine, database

    def sample(self) -> tuple[float, dict[int, float]]:
        return cpu_seconds(self.server_pid), {p: cpu_seconds(p) for p in backend_pids(self.engine, self.database)}

    @staticmethod
    def used(start: tuple[float, dict[int, float]], end: tuple[float, dict[int, float]]) -> tuple[float, float]:
        server = end[0] - start[0]
        backends = sum(seconds - start[1].get(pid, 0.0) for pid, seconds in end[1].items())
        return server, backends


@contextlib.contextmanager
def serving(url: str) -> Iterator[tuple[str, int]]:
    """The centre under uvicorn in a process of its own: its address and pid."""
    port = free_port()
    code = f"from sync.server.app import run; run({url!r}, host='127.0.0.1', port={port})"
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(base + "/health").status_code == 200:
                    break
            time.sleep(0.05)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(10)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


class Poller:
    """The offices, each polling on its own thread at its own phase."""

    def __init__(self, stores: list[Store], districts: list[str], interval: float):
        self.stores, self.districts, self.interval = stores, districts, interval
        self.lock = threading.Lock()
        self.times: list[float] = []
        self.failures = 0
        #: request id -> (district, its commit at the centre, monotonic); and when it
        #: arrived at each office of the district, by (request id, office).
        self.sent: dict[uuid.UUID, tuple[str, float]] = {}
        self.arrived: dict[tuple[uuid.UUID, int], float] = {}

    def run(self, seconds: float) -> None:
        stop_at = time.monotonic() + seconds
        threads = [threading.Thread(target=self._office, args=(i, stop_at), daemon=True)
                   for i in range(len(self.stores))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _office(self, i: int, stop_at: float) -> None:
        store, district = self.stores[i], self.districts[i]
        due = time.monotonic() + self.interval * i / len(self.stores)
        while True:
            time.sleep(max(0.0, due - time.monotonic()))
            if time.monotonic() >= stop_at:
                return
            started = time.perf_counter()
            try:
                sync_service.sync_once(store)
            except Exception:  # noqa: BLE001 - counted and reported
                with self.lock:
                    self.failures += 1
            else:
                finished = time.perf_counter()
                with self.lock:
                    self.times.append(finished - started)
                    waiting = [rid for rid, (d, _) in self.sent.items()
                               if d == district and (rid, i) not in self.arrived]
                if waiting:
                    with store.sessions() as session:
                        here = set(session.scalars(sa.select(m.ServiceRequest.id)
                                                   .where(m.ServiceRequest.id.in_(waiting))))
                    with self.lock:
                        for rid in here:
                            self.arrived[(rid, i)] = time.monotonic()
            due += self.interval


def trickle(engine: sa.Engine, districts: list[str], every: float, seconds: float,
            poller: Poller) -> None:
    sessions = centre_db.session_factory(engine)
    stop_at = time.monotonic() + seconds
    n = 0
    while time.monotonic() < stop_at:
        district = districts[n % len(districts)]
        with sessions.begin() as session:
            request = ops.intake(session, district_code=district, category_code="garbage",
                                 description="زباله جمع نشده", actor="operator",
                                 neighbourhood_code=ref.default().neighbourhoods_of(district)[0].code,
                                 citizen_phone="09121234567")
            ops.refer(session, request.id, actor="operator")
            rid = request.id
        with poller.lock:
            poller.sent[rid] = (district, time.monotonic())
        n += 1
        time.sleep(every)


def window(label: str, poller: Poller, cpu: CentreCpu, seconds: float,
           during: threading.Thread | None = None) -> None:
    poller.times.clear()
    poller.failures = 0
    start = cpu.sample()
    load = os.getloadavg()[0]
    if during is not None:
        during.start()
    poller.run(seconds)
    if during is not None:
        during.join()
    server, backends = CentreCpu.used(start, cpu.sample())
    rounds = len(poller.times)
    print(f"[{label}] {rounds} rounds in {seconds:.0f} s ({poller.failures} failed), load {load:.1f}: "
          f"centre CPU {server + backends:.2f} s (uvicorn {server:.2f}, PostgreSQL {backends:.2f}) = "
          f"{1000 * (server + backends) / max(rounds, 1):.1f} ms per round, "
          f"{100 * (server + backends) / seconds:.1f}% of one core; round p50 "
          f"{1000 * statistics.median(poller.times):.0f} ms, p95 {1000 * percentile(poller.times, 0.95):.0f} ms, "
          f"max {1000 * max(poller.times):.0f} ms")


@contextlib.contextmanager
def legacy_rounds(enabled: bool) -> Iterator[None]:
    """Every round pulls, as before the centre said whether there is anything."""
    if not enabled:
        yield
        return
    hello = engine_module.SyncEngine._hello

    def always_pull(self: engine_module.SyncEngine, report: engine_module.SyncReport) -> bool:
        hello(self, report)
        return False

    engine_module.SyncEngine._hello = always_pull  # type: ignore[method-assign]
    try:
        yield
    finally:
        engine_module.SyncEngine._hello = hello  # type: ignore[method-assign]


def main() -> None:
    admin = os.environ.get("DAFTAR_TEST_POSTGRES_URL") or ARGS.postgres
    if not admin:
        sys.exit("set DAFTAR_TEST_POSTGRES_URL (or --postgres URL)")
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at start; "
          f"{ARGS.offices} offices every {ARGS.interval:.0f} s" + (" (legacy: always pull)" if ARGS.legacy else ""))
    with contextlib.contextmanager(_postgres_database)(admin) as url, \
            tempfile.TemporaryDirectory() as tmp:
        engine = centre_db.open_engine(url)
        centre_db.upgrade(engine)
        with centre_db.session_factory(engine).begin() as session:
            load_reference(session, ref.default())
        fill_centre(engine, *make_rows(ARGS.requests))
        districts = [d.code for d in ref.default().districts]
        with serving(url) as (base, pid):
            stores, served = [], []
            for i in range(ARGS.offices):
                district = districts[i % len(districts)]
                store = open_store(Path(tmp) / f"office-{i}")
                sync_service.enroll(store, base, add_office(engine, f"poll-{i}", [district]))
                sync_service.sync_once(store)
                stores.append(store)
                served.append(district)
            print(f"centre: {ARGS.requests} requests; {ARGS.offices} offices enrolled and up to date")
            database = sa.make_url(url).database or ""
            cpu = CentreCpu(pid, engine, database)
            poller = Poller(stores, served, ARGS.interval)
            with legacy_rounds(ARGS.legacy):
                window("idle", poller, cpu, ARGS.seconds)
                feeder = threading.Thread(target=trickle, args=(engine, sorted(set(served)), ARGS.trickle,
                                                                 ARGS.seconds - ARGS.interval, poller))
                window(f"trickle: a referral every {ARGS.trickle:.0f} s", poller, cpu, ARGS.seconds,
                       during=feeder)
            offices_of = {d: [i for i, s in enumerate(served) if s == d] for d in set(served)}
            pairs = [(rid, i, at) for rid, (d, at) in poller.sent.items() for i in offices_of[d]]
            delays = [poller.arrived[(rid, i)] - at for rid, i, at in pairs if (rid, i) in poller.arrived]
            print(f"[delivery] {len(poller.sent)} referrals to {len(pairs)} offices (each office of "
                  f"the district), {len(delays)} arrived: p50 {statistics.median(delays):.1f} s, p95 "
                  f"{percentile(delays, 0.95):.1f} s, max {max(delays):.1f} s after the centre's commit")
            for store in stores:
                store.close()
        engine.dispose()
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="the server (else DAFTAR_TEST_POSTGRES_URL)")
    parser.add_argument("--offices", type=int, default=50)
    parser.add_argument("--interval", type=float, default=30.0)
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--trickle", type=float, default=2.0)
    parser.add_argument("--legacy", action="store_true")
    ARGS = parser.parse_args()
    main()
