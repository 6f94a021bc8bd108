"""Benchmark of sync as users run it: the installed ``daftar`` command as a process,
against the installed ``daftar-server serve``, beside the raw insert and PouchDB.

A script, not a test (pytest does not collect ``bench_*.py``); it prints numbers and
asserts nothing about time.

    .venv/bin/python tests/bench/bench_command_sync.py [--requests 100000] [--runs 3] [--large-runs 1]
        [--postgres URL] [--scale 10000,100000,1000000] [--pouchdb-max 100000]
        [--rounds 10] [--in-process] [--no-pouchdb]

In ONE run, for each size (``--requests``, or every size of ``--scale``):

1. a centre (SQLite, or with ``--postgres`` a throwaway database on that server) is
   filled with that many referred requests and their two history entries each
   (:func:`tests.sync.client.harness.make_rows` / ``fill_centre``), and served by
   the ``daftar-server serve`` command in its own process;
2. ``--runs`` times (``--large-runs`` above 100,000 requests), each with a fresh office folder: ``daftar --data-dir D enroll``
   (not timed), then ``daftar --data-dir D sync`` **timed as a process**, cold start
   included, until it exits (every row stored, every index and the search index
   built), its peak RSS (its own ``VmHWM``) and CPU time (``os.wait4``), the office's row counts
   checked; then ``daftar sync`` again, with nothing to do (the no-op round, timed
   the same way).  Interleaved with each run, the **raw insert** of the very same
   rows (``bench_sync.raw_insert_seconds``: a bare ``sqlite3`` executemany in one
   transaction, no plain indexes, no search index: the physical limit);
3. **PouchDB** (``tests/bench/pouchdb``: pouchdb 9.0.0 replicating from
   pouchdb-server 4.2.0, both on LevelDB, pinned in its package-lock.json) on the
   same requests, each a document with its two history entries inside, tuned
   (``batch_size`` 500, ``batches_limit`` 10) and default, ``--runs`` times each;
   ``npm ci`` first if its ``node_modules`` is missing; a "skipped" line where node
   or npm is missing, and above ``--pouchdb-max`` requests;
4. the ratios: PouchDB tuned / daftar (target >= 5) and daftar / raw (target <= 3).

With ``--scale``, a table of the sizes: seconds, ns per request and per row
(request or history entry), and each step's growth (time ratio over size ratio: 1.0
is linear).  At the first size, ``--rounds`` rounds (default 10) of one long-lived
office process (``sync_once`` in a loop, as the window's poll does), with 50 changes
each way before each round, and its RSS after each round (no growth expected).

Every number is printed with the load average beside it (the machine is shared).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

POUCHDB_DIR = Path(__file__).resolve().parent / "pouchdb"
#: Changes each way before each of the long-lived office's rounds.
ROUND_CHANGES = 50
#: Above this many requests, ``--large-runs`` runs instead of ``--runs``.
LARGE = 100_000


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def median(values: list[float]) -> float:
    return statistics.median(values)


def seconds_list(times: list[float]) -> str:
    return f"median {median(times):.2f} s ({', '.join(f'{t:.2f}' for t in times)})"


# ------------------------------------------------------------------ processes


def console_script(name: str) -> str:
    """The installed console script ``name``: beside this Python first (the venv's),
    else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name}: not found beside {sys.executable} nor on PATH (install the project)")
    return found


def command_env() -> dict[str, str]:
    """The environment of the commands: this checkout's code first on the path (the
    console scripts import ``desktop_app``/``sync`` from it), no Qt display."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


@dataclass
class Timed:
    """One command run as a process: wall seconds, peak RSS, CPU seconds, output."""

    seconds: float
    peak_rss_mb: float
    cpu_seconds: float
    stdout: str
    stderr: str


def run_timed(argv: list[str], work: Path) -> Timed:
    """``argv`` as a process, timed from spawn to exit; its CPU time from ``wait4``
    (this child's rusage alone, not every child's), its peak RSS from its own
    ``VmHWM`` (:func:`peak_rss_mb`)."""
    out, err = work / "stdout.txt", work / "stderr.txt"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                                   env=command_env())
        with peak_rss_mb(process.pid) as peak:
            _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
    timed = Timed(seconds, peak[0], usage.ru_utime + usage.ru_stime,
                  out.read_text(errors="replace"), err.read_text(errors="replace"))
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {process.returncode}:\n{timed.stdout}{timed.stderr}")
    return timed


@contextlib.contextmanager
def peak_rss_mb(pid: int, every: float = 0.02) -> Iterator[list[float]]:
    """The process's peak RSS in MB (``[mb]``, filled when the block ends), read from
    ``/proc/<pid>/status``'s ``VmHWM`` on a thread until it exits.  Not ``wait4``'s
    ``ru_maxrss``: that counts the pages of this benchmark that the child was forked
    with before its ``exec`` (the rows of a 1M run: gigabytes the command never had)."""
    import threading

    peak = [0.0]
    done = threading.Event()

    def watch() -> None:
        path = Path(f"/proc/{pid}/status")
        while not done.is_set():
            with contextlib.suppress(OSError, ValueError):
                for line in path.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak[0] = max(peak[0], int(line.split()[1]) / 1024)
            done.wait(every)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield peak
    finally:
        done.set()
        watcher.join()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """The CPU time (user + system) process ``pid`` has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def centre_server(url: str, work: Path) -> Iterator[tuple[str, int]]:
    """``daftar-server --database-url URL serve`` in its own process: its address
    and its pid (for its CPU time)."""
    import httpx

    port = free_port()
    log = (work / "server.log").open("wb")
    process = subprocess.Popen([console_script("daftar-server"), "--database-url", url, "serve",
                                "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, env=command_env())
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if process.poll() is not None:
                raise SystemExit(f"daftar-server exited {process.returncode}: "
                                 f"{(work / 'server.log').read_text(errors='replace')}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(base + "/health").status_code == 200:
                    break
            time.sleep(0.1)
        else:
            raise SystemExit("daftar-server did not answer /health within 60 s")
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(20)
        log.close()


@contextlib.contextmanager
def centre_database(work: Path) -> Iterator[str]:
    """A throwaway centre database: a SQLite file in ``work``, or on ``--postgres``."""
    if ARGS.postgres:
        from tests.bench.bench_sync import _postgres_database

        with contextlib.contextmanager(_postgres_database)(ARGS.postgres) as url:
            yield url
    else:
        yield f"sqlite:///{work / 'centre.sqlite3'}"


def office_counts(folder: Path) -> tuple[int, int]:
    from desktop_app.store.db import DB_NAME

    with contextlib.closing(sqlite3.connect(folder / DB_NAME)) as conn:
        return (conn.execute("SELECT count(*) FROM requests").fetchone()[0],
                conn.execute("SELECT count(*) FROM events").fetchone()[0])


# -------------------------------------------------------------------- PouchDB


def _json_value(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def write_pouch_docs(path: Path, requests: list[dict[str, Any]], events: list[dict[str, Any]]) -> None:
    """The same requests as PouchDB documents, one JSON document a line: the request's
    columns with its history entries inside (the document model's way)."""
    history: dict[Any, list[dict[str, Any]]] = {}
    for event in events:
        entry = {k: _json_value(v) for k, v in event.items() if k != "request_id"}
        history.setdefault(event["request_id"], []).append(entry)
    with path.open("w", encoding="utf-8") as out:
        for request in requests:
            doc = {"_id": str(request["id"]), "type": "request"}
            doc.update((k, _json_value(v)) for k, v in request.items() if k != "id")
            doc["history"] = history.get(request["id"], [])
            out.write(json.dumps(doc, ensure_ascii=False))
            out.write("\n")


def pouchdb_ready() -> str | None:
    """``None`` when the peer can run (after ``npm ci`` if its node_modules is
    missing), else why not."""
    if shutil.which("node") is None:
        return "node not found"
    if not (POUCHDB_DIR / "node_modules" / "pouchdb-server").exists():
        npm = shutil.which("npm")
        if npm is None:
            return "npm not found (node_modules missing)"
        print(f"npm ci in {POUCHDB_DIR} ...", flush=True)
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=POUCHDB_DIR,
                              capture_output=True, text=True)
        if done.returncode != 0:
            return f"npm ci failed: {done.stderr.strip().splitlines()[-1:]}"
    return None


def run_pouchdb(requests: list[dict[str, Any]], events: list[dict[str, Any]], work: Path,
                runs: int) -> dict[str, Any] | None:
    docs = work / "pouch-docs.ndjson"
    write_pouch_docs(docs, requests, events)
    pouch_work = work / "pouch"
    pouch_work.mkdir()
    try:
        done = subprocess.run(["node", str(POUCHDB_DIR / "replicate.js"), "--docs", str(docs),
                               "--runs", str(runs), "--work", str(pouch_work)],
                              cwd=POUCHDB_DIR, stdout=subprocess.PIPE, stderr=None, text=True)
    finally:
        docs.unlink(missing_ok=True)
        shutil.rmtree(pouch_work, ignore_errors=True)
    if done.returncode != 0:
        print(f"PouchDB: failed (exit {done.returncode}); see its lines above")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


# ------------------------------------------------------- the long-lived office


def office_worker(folder: Path) -> None:
    """``--office-worker FOLDER``: one office process doing rounds on command.  Each
    line ``round`` on stdin: ``ROUND_CHANGES`` notes on its requests, one
    ``sync_once``, then one JSON line on stdout with the round's counts and this
    process's RSS."""
    import sqlalchemy as sa

    from desktop_app.services import sync_service
    from desktop_app.services.requests import Actor, Desk
    from desktop_app.store import models as m
    from desktop_app.store.db import open_store
    from sync.workflow import Role

    store = open_store(folder)
    identity = sync_service.office_identity(store)
    assert identity is not None
    desk = Desk(store.sessions, Actor(username="bench", role=Role.CLERK, office_id=identity.office_id,
                                      office_number=identity.number))
    with store.sessions() as session:
        ids = list(session.scalars(sa.select(m.ServiceRequest.id)
                                   .order_by(m.ServiceRequest.tracking_code).limit(2000)))
    for number, _ in enumerate(sys.stdin):
        for request_id in ids[number * ROUND_CHANGES:(number + 1) * ROUND_CHANGES]:
            desk.add_note(request_id, "پیگیری شد")
        started = time.perf_counter()
        report = sync_service.sync_once(store)
        seconds = time.perf_counter() - started
        status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines()
                      if line.startswith(("VmRSS", "VmHWM")))
        print(json.dumps({"seconds": seconds, "pushed": report.pushed, "pulled": report.pulled,
                          "rss_mb": int(status["VmRSS"].split()[0]) / 1024,
                          "hwm_mb": int(status["VmHWM"].split()[0]) / 1024}), flush=True)
    store.close()


def bench_rounds(engine: Any, folder: Path, requests: list[dict[str, Any]], rounds: int) -> None:
    from sync.server import db as centre_db
    from sync.server import operations as ops

    worker = subprocess.Popen([sys.executable, __file__, "--office-worker", str(folder)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env=command_env())
    assert worker.stdin is not None and worker.stdout is not None
    sessions = centre_db.session_factory(engine)
    theirs = requests[-ROUND_CHANGES * rounds:]
    rss = []
    try:
        for number in range(rounds):
            with sessions.begin() as session:
                for request in theirs[number * ROUND_CHANGES:(number + 1) * ROUND_CHANGES]:
                    ops.change_status(session, request["id"], "not_actionable", actor="operator",
                                      reason="duplicate")
            worker.stdin.write("round\n")
            worker.stdin.flush()
            line = worker.stdout.readline()
            if not line:
                raise SystemExit(f"the office process died (exit {worker.wait()})")
            result = json.loads(line)
            rss.append(result["rss_mb"])
            print(f"  round {number + 1:2d}: {result['seconds'] * 1000:5.0f} ms, pushed "
                  f"{result['pushed']}, pulled {result['pulled']}; RSS {result['rss_mb']:.0f} MB "
                  f"(peak {result['hwm_mb']:.0f}); {load()}", flush=True)
    finally:
        worker.stdin.close()
        worker.wait(60)
    print(f"{rounds} rounds of one office process: RSS {rss[0]:.0f} MB after the first, "
          f"{rss[-1]:.0f} MB after the last ({rss[-1] - rss[0]:+.1f} MB; "
          f"{rss[-1] - rss[1] if len(rss) > 1 else 0:+.1f} MB from the second on)")


# -------------------------------------------------------------------- a size


class _CpuClock:
    """Stands in for bench_sync's ``time`` module during ``raw_insert_seconds``: its
    ``perf_counter`` is the real one, and each call also notes this process's CPU
    time, so the timed section's CPU seconds are known as well as its wall time."""

    def __init__(self) -> None:
        self.cpu: list[float] = []

    def perf_counter(self) -> float:
        self.cpu.append(time.process_time())
        return time.perf_counter()


def raw_insert(folder: Path, requests: list[dict[str, Any]], events: list[dict[str, Any]],
               ) -> tuple[float, float]:
    """``bench_sync.raw_insert_seconds`` without the plain indexes: (wall, CPU) seconds."""
    from tests.bench import bench_sync

    clock, real = _CpuClock(), bench_sync.time
    bench_sync.time = clock  # type: ignore[assignment]
    try:
        seconds = bench_sync.raw_insert_seconds(folder, requests, events, indexes=False)
    finally:
        bench_sync.time = real
    assert len(clock.cpu) == 2, clock.cpu
    return seconds, clock.cpu[1] - clock.cpu[0]


@dataclass
class SizeResult:
    requests: int
    rows: int
    daftar: list[float]
    raw: list[float]
    noop: list[float]
    peak_rss_mb: list[float]
    pouch: dict[str, Any] | None
    #: CPU seconds: the office's command plus the centre's, and the raw insert's.
    daftar_cpu: list[float]
    raw_cpu: list[float]


def bench_size(n: int, work: Path, *, with_pouch: bool, rounds: int) -> SizeResult:
    import sqlalchemy as sa

    from sync import reference as ref
    from sync.server import db as centre_db
    from sync.server.reference_io import load_reference
    from tests.bench.bench_sync import add_office
    from tests.sync.client.harness import fill_centre, make_rows

    daftar = console_script("daftar")
    started = time.perf_counter()
    requests, events = make_rows(n)
    rows = len(requests) + len(events)
    print(f"\n=== {n:,} requests + {len(events):,} history entries "
          f"(made in {time.perf_counter() - started:.1f} s; {load()})", flush=True)
    times, raws, noops, noop_cpu, rss, cpu, centre_cpu, raw_cpu = [], [], [], [], [], [], [], []
    with centre_database(work) as url:
        engine = centre_db.open_engine(url)
        try:
            started = time.perf_counter()
            centre_db.upgrade(engine)
            with centre_db.session_factory(engine).begin() as session:
                load_reference(session, ref.default())
            fill_centre(engine, requests, events)
            print(f"centre ({engine.dialect.name}) filled in {time.perf_counter() - started:.1f} s; "
                  f"{load()}", flush=True)
            with centre_server(url, work) as (base, server_pid):
                for run in range(ARGS.runs if n <= LARGE else ARGS.large_runs):
                    raw, cpu_of_raw = raw_insert(work / f"raw-{run}", requests, events)
                    shutil.rmtree(work / f"raw-{run}")
                    raws.append(raw)
                    raw_cpu.append(cpu_of_raw)
                    office = work / f"office-{run}"
                    code = add_office(engine, f"bench-command-{run}", None)
                    run_timed([daftar, "--data-dir", str(office), "enroll", base, code], work)
                    server_cpu = cpu_seconds(server_pid)
                    timed = run_timed([daftar, "--data-dir", str(office), "sync"], work)
                    server_cpu = cpu_seconds(server_pid) - server_cpu
                    counts = office_counts(office)
                    if counts != (len(requests), len(events)):
                        raise SystemExit(f"daftar sync left {counts} rows, not {(len(requests), len(events))}")
                    noop = run_timed([daftar, "--data-dir", str(office), "sync"], work)
                    times.append(timed.seconds)
                    rss.append(timed.peak_rss_mb)
                    cpu.append(timed.cpu_seconds)
                    centre_cpu.append(server_cpu)
                    noops.append(noop.seconds)
                    noop_cpu.append(noop.cpu_seconds)
                    print(f"run {run + 1}: daftar sync {timed.seconds:.2f} s (CPU {timed.cpu_seconds:.2f} s, "
                          f"peak RSS {timed.peak_rss_mb:.0f} MB; centre CPU {server_cpu:.2f} s), "
                          f"{timed.stdout.strip()!r}; raw insert "
                          f"{raw:.2f} s (CPU {cpu_of_raw:.2f} s); no-op daftar sync {noop.seconds * 1000:.0f} ms (CPU "
                          f"{noop.cpu_seconds * 1000:.0f} ms); {load()}",
                          flush=True)
                    if ARGS.in_process and run == 0:
                        in_process(engine, base, work, n)
                    if run > 0 or not rounds:
                        shutil.rmtree(office)
                if rounds:  # last: its changes would reach the next fresh offices
                    print(f"{rounds} rounds of one long-lived office process (the first run's), "
                          f"{ROUND_CHANGES} changes each way before each:", flush=True)
                    bench_rounds(engine, work / "office-0", requests, rounds)
                    shutil.rmtree(work / "office-0")
        finally:
            engine.dispose()
            with contextlib.suppress(FileNotFoundError):
                for leftover in work.glob("centre.sqlite3*"):
                    leftover.unlink()
    print(f"daftar sync (the command, cold start included): {seconds_list(times)}; "
          f"{1e9 * median(times) / n:,.0f} ns/request, {1e9 * median(times) / rows:,.0f} ns/row; "
          f"its CPU {seconds_list(cpu)}; the centre's CPU {seconds_list(centre_cpu)}"
          f"{' (the daftar-server process; not PostgreSQL’s own)' if ARGS.postgres else ''}; "
          f"peak RSS {max(rss):.0f} MB")
    print(f"raw insert of the same rows: {seconds_list(raws)}; CPU {seconds_list(raw_cpu)}")
    print(f"no-op daftar sync right after: {', '.join(f'{1000 * t:.0f}' for t in noops)} ms wall, "
          f"{', '.join(f'{1000 * t:.0f}' for t in noop_cpu)} ms CPU (target < 300 ms wall)")
    pouch = None
    if with_pouch:
        why = pouchdb_ready()
        if why:
            print(f"PouchDB: skipped: {why}")
        else:
            pouch = run_pouchdb(requests, events, work, ARGS.runs if n <= LARGE else ARGS.large_runs)
            if pouch:
                for mode, values in pouch["seconds"].items():
                    print(f"PouchDB {pouch['versions']['pouchdb']} from pouchdb-server "
                          f"{pouch['versions']['pouchdb-server']}, {mode} "
                          f"{json.dumps(pouch['options'][mode])}: {seconds_list(values)}; CPU "
                          f"{seconds_list(pouch['cpu_seconds'][mode])} + pouchdb-server's "
                          f"{seconds_list(pouch['server_cpu_seconds'][mode])}; "
                          f"node peak RSS {pouch['peak_rss_mb'][mode]:.0f} MB")
                print(f"(pouchdb-server filled in {pouch['fill_seconds']:.1f} s; {load()})")
    else:
        print(f"PouchDB: skipped above --pouchdb-max {ARGS.pouchdb_max:,} requests"
              if not ARGS.no_pouchdb else "PouchDB: skipped (--no-pouchdb)")
    result = SizeResult(n, rows, times, raws, noops, rss, pouch,
                        [a + b for a, b in zip(cpu, centre_cpu, strict=True)], raw_cpu)
    print_ratios(result)
    return result


def print_ratios(result: SizeResult) -> None:
    daftar, raw = median(result.daftar), median(result.raw)
    line = f"RATIOS at {result.requests:,}: daftar/raw = {daftar / raw:.1f}x (target <= 3: " \
           f"{'yes' if daftar / raw <= 3 else 'NO'})"
    if result.pouch:
        for mode, values in result.pouch["seconds"].items():
            ratio = median(values) / daftar
            line += f"; PouchDB {mode}/daftar = {ratio:.1f}x"
            if mode == "tuned":
                line += f" (target >= 5: {'yes' if ratio >= 5 else 'NO'})"
    else:
        line += "; PouchDB not run"
    print(f"{line}; {load()}", flush=True)
    # CPU seconds move far less with the machine's load than wall times do (they still
    # grow on a crowded machine: caches, a VM's stolen time).
    daftar_cpu, raw_cpu = median(result.daftar_cpu), median(result.raw_cpu)
    line = f"CPU RATIOS at {result.requests:,} (office + centre{' process' if ARGS.postgres else ''}; " \
           f"steadier than wall under load): " \
           f"daftar {daftar_cpu:.2f} s / raw {raw_cpu:.2f} s = {daftar_cpu / raw_cpu:.1f}x"
    if result.pouch and "cpu_seconds" in result.pouch:
        for mode in result.pouch["seconds"]:
            pouch_cpu = median([a + b for a, b in zip(result.pouch["cpu_seconds"][mode],
                                                      result.pouch["server_cpu_seconds"][mode],
                                                      strict=True)])
            line += f"; PouchDB {mode} (node + pouchdb-server) {pouch_cpu:.2f} s / daftar = " \
                    f"{pouch_cpu / daftar_cpu:.1f}x"
    print(line, flush=True)


def in_process(engine: Any, base: str, work: Path, n: int) -> None:
    """The same initial sync with ``sync_once`` inside this process (no start-up, no
    import), to tell the command's own cost from the round's."""
    from desktop_app.services import sync_service
    from desktop_app.store.db import open_store
    from tests.bench.bench_sync import add_office

    folder = work / "office-in-process"
    store = open_store(folder)
    sync_service.enroll(store, base, add_office(engine, "bench-in-process", None))
    started = time.perf_counter()
    sync_service.sync_once(store)
    seconds = time.perf_counter() - started
    store.close()
    shutil.rmtree(folder)
    print(f"  in-process sync_once of the same: {seconds:.2f} s; {load()}", flush=True)


def print_scale(results: list[SizeResult]) -> None:
    print("\nSCALE CURVE (medians; growth = time ratio / size ratio to the previous size, 1.0 linear)")
    print(f"{'requests':>10} {'rows':>10} {'daftar s':>9} {'ns/req':>8} {'ns/row':>7} {'growth':>7} "
          f"{'CPU s':>7} {'CPU growth':>10} {'raw s':>7} {'raw ns/row':>10} {'pouch tuned s':>14}")
    previous: SizeResult | None = None
    for r in results:
        daftar = median(r.daftar)
        growth = cpu_growth = ""
        if previous is not None:
            size_ratio = r.requests / previous.requests
            growth = f"{(daftar / median(previous.daftar)) / size_ratio:.2f}"
            cpu_growth = f"{(median(r.daftar_cpu) / median(previous.daftar_cpu)) / size_ratio:.2f}"
        pouch = f"{median(r.pouch['seconds']['tuned']):.1f}" if r.pouch and "tuned" in r.pouch["seconds"] else "-"
        print(f"{r.requests:>10,} {r.rows:>10,} {daftar:>9.2f} {1e9 * daftar / r.requests:>8,.0f} "
              f"{1e9 * daftar / r.rows:>7,.0f} {growth:>7} {median(r.daftar_cpu):>7.2f} {cpu_growth:>10} "
              f"{median(r.raw):>7.2f} "
              f"{1e9 * median(r.raw) / r.rows:>10,.0f} {pouch:>14}")
        previous = r


def main() -> None:
    print(f"{os.cpu_count()} cores; {load()} at start; centre on "
          f"{'PostgreSQL' if ARGS.postgres else 'SQLite'}; daftar = {console_script('daftar')}")
    sizes = ARGS.scale or [ARGS.requests]
    results = []
    with tempfile.TemporaryDirectory(prefix="daftar-bench-command-") as tmp:
        for index, n in enumerate(sizes):
            work = Path(tmp) / f"size-{n}"
            work.mkdir()
            results.append(bench_size(n, work, with_pouch=not ARGS.no_pouchdb and n <= ARGS.pouchdb_max,
                                      rounds=ARGS.rounds if index == 0 else 0))
            shutil.rmtree(work, ignore_errors=True)
    if len(results) > 1:
        print_scale(results)
    print(f"{load()} at the end")


def _sizes(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part]


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--office-worker":
        office_worker(Path(sys.argv[2]))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="fresh offices per size (median)")
    parser.add_argument("--large-runs", type=int, default=1,
                        help=f"fresh offices per size above {LARGE:,} requests")
    parser.add_argument("--postgres", metavar="URL", help="the centre on this PostgreSQL server "
                        "(a throwaway database), not SQLite")
    parser.add_argument("--scale", type=_sizes, metavar="N,N,...",
                        help="sizes of the scale curve, e.g. 10000,100000,1000000")
    parser.add_argument("--pouchdb-max", type=int, default=100_000,
                        help="run PouchDB only up to this many requests")
    parser.add_argument("--no-pouchdb", action="store_true")
    parser.add_argument("--rounds", type=int, default=10,
                        help="rounds of one long-lived office process at the first size (0: none)")
    parser.add_argument("--in-process", action="store_true",
                        help="also the same initial sync inside this process, once a size")
    ARGS = parser.parse_args()
    main()
