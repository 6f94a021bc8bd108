"""Benchmark of the commands as users run them: ``daftar`` and ``daftar-server`` as
processes, cold start included.

A script, not a test (pytest does not collect ``bench_*.py``); it prints numbers and
asserts nothing about time.

    .venv/bin/python tests/bench/bench_commands.py [--runs 7] [--requests 2000]
                                                   [--postgres URL] [--busy]

Every command is started as a new process by its console script (``daftar``,
``daftar-server`` from the interpreter's ``bin`` folder, importing this checkout's
code: ``PYTHONPATH`` is set to it), with bytecode caches allowed as after an install
(``PYTHONDONTWRITEBYTECODE`` is dropped; one untimed warm-up run of each writes them).
For each: the median and the fastest of ``--runs`` wall times, the median CPU time of
the process (user + system, from ``wait4``) and its peak RSS, and the load average
(1 min) beside it: the machine is shared, so CPU time is the steadier figure.

1. ``daftar --help``, ``daftar --version``, ``daftar-server --help``,
   ``daftar-server --version``: whole;
2. ``daftar report summary`` (CSV and PDF, a year, by region) on the office of 3
   (its first sync done): whole, and
   up to the moment work begins: with ``DAFTAR_TRACE_START=1`` the command writes to
   standard error when it has parsed its arguments (``parsed``) and when the store is
   open and the sub-command about to run (``ready``), with its CPU time so far;
   measured from just before the process is started;
3. ``daftar sync`` with nothing to do, against a live centre (``daftar-server serve``
   on loopback, on SQLite and with ``--postgres`` on PostgreSQL too), after
   ``daftar enroll`` and a first ``daftar sync`` of ``--requests`` demo requests
   (not timed).  Beside it the network round alone: the centre's ``/sync/hello`` asked
   from this process over a kept-open connection (what the command cannot go below).

``--busy`` runs everything while another process keeps one core busy.  ``--baseline
DIR`` times every command from the code in DIR too (the centre stays this checkout's),
the runs alternating so that both see the same load, and prints the ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REFERENCE = ROOT / "resources" / "reference" / "kashan-reference.json"


def command_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its .pyc
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(ROOT)
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


ENV = command_env()


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mb: float
    #: moment -> (wall seconds from the start, CPU seconds of the process), as it said
    marks: dict[str, tuple[float, float]]
    stdout: str
    stderr: str
    code: int


def run(argv: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """One process, waited for with ``wait4``: its wall time, CPU time and peak RSS."""
    env = env or ENV
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started_at = time.time()
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    marks = {name: (float(at) - started_at, float(cpu))
             for name, at, cpu in re.findall(r"^daftar: (\w+) at ([0-9.]+) cpu ([0-9.]+)$", stderr, re.M)}
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, marks, stdout, stderr,
               process.returncode)


def checked(argv: Sequence[str], env: dict[str, str] | None = None) -> Run:
    result = run(argv, env)
    if result.code != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({result.code}):\n{result.stdout}{result.stderr}")
    return result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:6.0f} ms"


def summary_line(label: str, results: list[Run]) -> str:
    walls = sorted(r.wall for r in results)
    return (f"{label:<46} wall median {ms(statistics.median(walls))}, fastest {ms(walls[0])}; "
            f"CPU {ms(statistics.median(r.cpu for r in results))}; "
            f"peak RSS {statistics.median(r.rss_mb for r in results):4.0f} MB; {load()}")


def mark_lines(results: list[Run], marks: Sequence[str]) -> Iterator[str]:
    for mark in marks:
        at = sorted(r.marks[mark][0] for r in results if mark in r.marks)
        cpu = [r.marks[mark][1] for r in results if mark in r.marks]
        if at:
            yield (f"{'  ... until ' + mark:<46} wall median {ms(statistics.median(at))}, "
                   f"fastest {ms(at[0])}; CPU {ms(statistics.median(cpu))}")


def timed(label: str, argv: Sequence[str], runs: int, env: dict[str, str] | None = None,
          marks: Sequence[str] = ()) -> list[Run]:
    """``runs`` runs after a warm-up; with ``--baseline``, the same command from that
    code too, the runs alternating, and the ratios (baseline / this) of the medians."""
    env = env or ENV
    variants = {"": env}
    if ARGS.baseline:
        variants["baseline"] = {**env, "PYTHONPATH": str(ARGS.baseline)}
    results: dict[str, list[Run]] = {name: [] for name in variants}
    for name, variant in variants.items():
        checked(argv, variant)  # warm-up: bytecode caches, the file cache
    for _ in range(runs):
        for name, variant in variants.items():
            results[name].append(checked(argv, variant))
    for name, done in results.items():
        print(summary_line(f"{label} [{name}]" if name else label, done), flush=True)
        for line in mark_lines(done, marks):
            print(line, flush=True)
    if ARGS.baseline:
        this, base = results[""], results["baseline"]
        print(f"{'  baseline / this':<46} wall "
              f"{statistics.median(r.wall for r in base) / statistics.median(r.wall for r in this):5.1f}x, "
              f"CPU {statistics.median(r.cpu for r in base) / statistics.median(r.cpu for r in this):5.1f}x",
              flush=True)
    return results[""]


# ------------------------------------------------------------------ the centre


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(url: str, work: Path) -> Iterator[str]:
    """A centre on ``url``: migrated, the reference loaded, demo data, served."""
    server = [str(BIN / "daftar-server"), "--database-url", url]
    checked([*server, "migrate"])
    checked([*server, "reference", "load", str(REFERENCE)])
    checked([*server, "demo-data", "--requests", str(ARGS.requests)])
    port = free_port()
    log = (work / f"serve-{port}.log").open("w")
    process = subprocess.Popen([*server, "serve", "--port", str(port)], env=ENV,
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(600):
            with contextlib.suppress(OSError):
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            if process.poll() is not None:
                raise SystemExit(f"the centre did not start: {(work / f'serve-{port}.log').read_text()}")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(20)
        log.close()


def enrolled_office(url: str, base: str, folder: Path) -> None:
    added = checked([str(BIN / "daftar-server"), "--database-url", url, "office", "add", "--all",
                     f"Bench {uuid.uuid4().hex[:6]}"])
    code = added.stdout.strip().splitlines()[-1].strip()
    checked([str(BIN / "daftar"), "--data-dir", str(folder), "enroll", base, code])
    first = checked([str(BIN / "daftar"), "--data-dir", str(folder), "sync"])
    print(f"  first sync: {first.stdout.strip()} ({first.wall:.1f} s)")


def hello_seconds(base: str, folder: Path, runs: int) -> list[float]:
    """The network round alone: ``/sync/hello`` over one kept-open connection."""
    db = sqlite3.connect(folder / "office.sqlite3")
    credential = json.loads(db.execute("SELECT value FROM sync_state WHERE key = 'credential'")
                            .fetchone()[0])
    cursor = db.execute("SELECT value FROM sync_state WHERE key = 'cursor'").fetchone()[0]
    cursor = cursor if isinstance(cursor, int) else json.loads(cursor)  # JSON's numeric affinity
    db.close()
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    headers = {"X-Daftar-Credential": credential, "X-Daftar-Protocol": "1"}
    times = []
    try:
        for _ in range(runs + 1):
            started = time.perf_counter()
            connection.request("GET", f"/sync/hello?cursor={cursor}", headers=headers)
            response = connection.getresponse()
            response.read()
            times.append(time.perf_counter() - started)
            assert response.status == 200, response.status
    finally:
        connection.close()
    return times[1:]


def bench_sync(label: str, url: str, work: Path, *, report: bool = False) -> None:
    print(f"[{label}] centre with {ARGS.requests} demo requests; {load()}", flush=True)
    with serving(url, work) as base:
        folder = work / f"office-{label}"
        enrolled_office(url, base, folder)
        if report:
            bench_report(folder, work)
        results = timed(f"daftar sync, nothing to do ({label})",
                        [str(BIN / "daftar"), "--data-dir", str(folder), "sync"], ARGS.runs)
        assert all("pulled 0 rows" in r.stdout for r in results), results[-1].stdout
        hello = sorted(hello_seconds(base, folder, ARGS.runs))
        print(f"{'  the network round alone (/sync/hello)':<46} wall median "
              f"{ms(statistics.median(hello))}, fastest {ms(hello[0])}; {load()}", flush=True)


_PG_ADMIN = """
import sys
import sqlalchemy as sa
admin = sa.create_engine(sys.argv[1].replace("postgresql://", "postgresql+psycopg://", 1),
                         isolation_level="AUTOCOMMIT")
with admin.connect() as conn:
    if sys.argv[2] == "create":
        conn.execute(sa.text(f'CREATE DATABASE "{sys.argv[3]}"'))
    else:
        conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": sys.argv[3]})
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{sys.argv[3]}"'))
"""


@contextlib.contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A throwaway database on that server, made and dropped by a child process: this
    one stays small, as a child's peak RSS counts the parent's pages it was forked with."""
    name = f"daftar_bench_{uuid.uuid4().hex[:8]}"
    subprocess.run([sys.executable, "-c", _PG_ADMIN, admin_url, "create", name], check=True, env=ENV)
    try:
        base, _, _old = admin_url.rpartition("/")
        yield f"{base}/{name}"
    finally:
        subprocess.run([sys.executable, "-c", _PG_ADMIN, admin_url, "drop", name], check=True, env=ENV)


# ------------------------------------------------------------------------ main


def bench_help() -> None:
    daftar, server = str(BIN / "daftar"), str(BIN / "daftar-server")
    timed("python -c pass (the floor)", [sys.executable, "-c", "pass"], ARGS.runs)
    timed("daftar --help", [daftar, "--help"], ARGS.runs)
    timed("daftar --version", [daftar, "--version"], ARGS.runs)
    timed("daftar report --help", [daftar, "report", "summary", "--help"], ARGS.runs)
    timed("daftar-server --help", [server, "--help"], ARGS.runs)
    timed("daftar-server --version", [server, "--version"], ARGS.runs)


def bench_report(folder: Path, work: Path) -> None:
    """``daftar report summary`` on the office folder (synced: the centre's demo data)."""
    env = {**ENV, "DAFTAR_TRACE_START": "1"}
    out = work / "summary.csv"
    timed("daftar report summary (csv, a year, region)",
          [str(BIN / "daftar"), "--data-dir", str(folder), "report", "summary", "--from", "1405-01-01",
           "--to", "1405-12-29", "--by", "region", "--out", str(out)], ARGS.runs, env,
          marks=("parsed", "ready"))
    timed("daftar report summary (pdf, a year, region)",
          [str(BIN / "daftar"), "--data-dir", str(folder), "report", "summary", "--from", "1405-01-01",
           "--to", "1405-12-29", "--by", "region", "--out", str(work / "summary.pdf")], ARGS.runs, env,
          marks=("parsed", "ready"))


def main() -> None:
    print(f"{os.cpu_count()} cores; {load()} at start; code from {ROOT}; runs {ARGS.runs}"
          + (f"; baseline {ARGS.baseline}" if ARGS.baseline else ""), flush=True)
    busy = None
    if ARGS.busy:
        busy = subprocess.Popen([sys.executable, "-c", "while 1: pass"])
        print(f"another process (pid {busy.pid}) keeps one core busy throughout", flush=True)
    work = Path(tempfile.mkdtemp(prefix="daftar-bench-commands-"))
    try:
        bench_help()
        bench_sync("sqlite", f"sqlite:///{work / 'centre.sqlite3'}", work, report=True)
        if ARGS.postgres:
            with postgres_database(ARGS.postgres) as url:
                bench_sync("postgresql", url, work)
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{load()} at the end", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--requests", type=int, default=2000,
                        help="demo requests in the centre and the report's office (2000)")
    parser.add_argument("--postgres", metavar="URL", help="also a centre on this PostgreSQL server")
    parser.add_argument("--busy", action="store_true", help="another process loads one core")
    parser.add_argument("--baseline", type=Path, metavar="DIR",
                        help="also time the commands with the code of DIR (e.g. a `git worktree` of "
                        "main), alternating with this checkout's runs, and print the ratios")
    ARGS = parser.parse_args()
    main()
