"""Benchmark of the archive import: 100,000 rows must go in well under 30 s on SQLite,
and 1,000,000 under 2 minutes in under 500 MB of memory (the import streams).

A script, not a test (pytest does not collect ``bench_*.py``): it writes a valid
archive CSV in a temporary folder, imports it into a fresh centre and prints, for the
dry run, the real import and the second (idempotent) import, the rows, the seconds,
the rows per second, the CPU seconds and the peak resident memory (VmHWM) of the
importing process — each import runs in a process of its own, so that its peak is
its own.

    .venv/bin/python tests/bench/bench_import.py [--rows N] [--postgres URL]
    .venv/bin/python tests/bench/bench_import.py --rows 1000000

``--postgres`` also runs it on PostgreSQL, in a throwaway database made on that
server and dropped afterwards.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import resource
import subprocess
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sync import reference as ref  # noqa: E402
from sync.dates import TEHRAN, UTC, Period  # noqa: E402
from sync.server import db  # noqa: E402
from sync.server.importer import COLUMNS, ImportResult, import_archive  # noqa: E402
from sync.server.reference_io import load_reference  # noqa: E402

STATUSES = ("done", "done", "done", "not_actionable", "referred", "assigned", "in_progress")


def write_archive(path: Path, rows: int, seed: int = 1405) -> None:
    """A valid archive of ``rows`` requests over the first half of 1405."""
    rng = random.Random(seed)
    refset = ref.load()
    hoods = list(refset.neighbourhoods)
    categories = [c.code for c in refset.categories]
    reasons = [r.code for r in refset.reasons]
    period = Period.jalali_half(1405, 1)
    seconds = int((period.end - period.start).total_seconds())
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for i in range(1, rows + 1):
            hood = rng.choice(hoods)
            received = period.start + dt.timedelta(seconds=rng.randrange(seconds))
            status = rng.choice(STATUSES)
            closed = received + dt.timedelta(hours=rng.randrange(1, 400))
            writer.writerow([
                f"1405{i:06d}",
                received.astimezone(TEHRAN if i % 2 else UTC).isoformat(),
                rng.choice(("phone", "phone", "phone", "web", "sms")),
                hood.district_code,
                hood.code,
                rng.choice(categories),
                "آسفالت کوچه خراب است و چاله دارد",
                "علی کریمی",
                f"0913{rng.randrange(10**7):07d}",
                f"{hood.name_fa}، خیابان امیرکبیر، پلاک {i % 300}",
                f"{33.98 + rng.uniform(-0.03, 0.03):.6f}",
                f"{51.43 + rng.uniform(-0.03, 0.03):.6f}",
                status,
                closed.isoformat() if status in ("done", "not_actionable") else "",
                rng.choice(reasons) if status == "not_actionable" else "",
                "",
            ])


def timed_import(
    engine: sa.Engine, path: Path, *, dry_run: bool
) -> tuple[ImportResult, float, float]:
    """The result, the seconds it took and this process's CPU seconds (on a busy
    machine the two part; the CPU time is what the import itself costs)."""
    start, cpu = time.perf_counter(), time.process_time()
    with db.session_factory(engine)() as session, session.begin():
        result = import_archive(session, path, dry_run=dry_run)
    return result, time.perf_counter() - start, time.process_time() - cpu


def peak_rss_mb() -> float:
    """This process's peak resident memory: VmHWM, or getrusage where there is no /proc."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(url: str, path: Path, dry_run: bool) -> None:
    """One import in this (fresh) process; its numbers as one JSON line."""
    engine = db.open_engine(url)
    try:
        result, seconds, cpu = timed_import(engine, path, dry_run=dry_run)
    finally:
        engine.dispose()
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_mb": peak_rss_mb(),
                      "rejected": result.rejected, "summary": result.summary(),
                      "problems": [str(p) for p in result.problems[:3]]}))


def run(label: str, url: str, path: Path, rows: int) -> None:
    engine = db.open_engine(url)
    try:
        db.upgrade(engine)
        with db.session_factory(engine)() as session, session.begin():
            load_reference(session, ref.load())
    finally:
        engine.dispose()
    for name, dry_run in (("dry run", True), ("import", False), ("second import", False)):
        command = [sys.executable, __file__, "--child", url, str(path)]
        if dry_run:
            command.append("--dry-run")
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        numbers = json.loads(done.stdout.strip().splitlines()[-1])
        if numbers["rejected"]:
            raise SystemExit(f"{label}: the generated file was rejected: {numbers['problems']}")
        seconds = numbers["seconds"]
        print(
            f"{label:10} {name:14} rows {rows:7d}  {seconds:6.2f} s  "
            f"{rows / seconds:7.0f} rows/s  (cpu {numbers['cpu']:5.2f} s)  "
            f"peak RSS {numbers['rss_mb']:5.0f} MB  {numbers['summary']}"
        )


@contextmanager
def throwaway_postgres(admin_url: str) -> Iterator[str]:
    admin = sa.create_engine(db.normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    name = f"daftar_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL server")
    parser.add_argument("--child", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--dry-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), args.dry_run)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "archive.csv"
        start = time.perf_counter()
        write_archive(path, args.rows)
        print(f"wrote {args.rows} rows ({path.stat().st_size / 1e6:.1f} MB) in "
              f"{time.perf_counter() - start:.1f} s")
        run("sqlite", f"sqlite:///{Path(folder) / 'centre.sqlite3'}", path, args.rows)
        if args.postgres:
            with throwaway_postgres(args.postgres) as url:
                run("postgresql", url, path, args.rows)


if __name__ == "__main__":
    main()
