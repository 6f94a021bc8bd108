"""Benchmark: the 137 centre's desk on a 1,000,000-request office database.

Not collected by pytest (no ``test_`` prefix).  Run::

    .venv/bin/python tests/bench/bench_centre.py [--rows 1000000] [--db DIR] [--received 0.05]

It builds (or reuses, with ``--db``) the office database of the centre's own office —
every district, a share of the requests still ``received``, open ones with a
deadline, 40 % with coordinates — and measures the service calls the call form and
the verification queue make (no Qt):

* the duplicate lookup while typing (target < 100 ms);
* the verification queue's first rows and its count (target < 200 ms);
* a bulk referral of 500 (target < 2 s);
* a call taken, from the service call to the code (the "Enter to code" part of the
  issue's < 1 s, less the window's drawing);
* the caller's history, a category by letters, every district's overdue work;
* the two office-only indexes of the centre desk, each dropped and measured without.

It prints numbers and never fails on them: machines differ.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop_app.services import centre as c
from desktop_app.services.centre import Call, CentreDesk
from desktop_app.services.requests import Actor
from desktop_app.store import models
from desktop_app.store import reference as store_reference
from desktop_app.store.db import Store, open_store
from sync import reference
from sync.workflow import Role
from tests.bench.bench_ui import (
    FIRST_NAMES,
    LAST_NAMES,
    PROBLEMS,
    STREETS,
)
from tests.factories import enrol_as

OPERATOR = Actor(username="operator137", role=Role.CENTRE, display_name="اپراتور", office_number=1)
CLOSED_MIX = ["done"] * 78 + ["not_actionable"] * 8
OPEN_MIX = ["referred"] * 6 + ["assigned"] * 4 + ["in_progress"] * 3


def build_database(folder: Path, rows: int, received_share: float, seed: int = 137) -> None:
    """``rows`` requests over three years: ``received_share`` of the newest still
    waiting for verification, the rest closed or open with a deadline."""
    store = open_store(folder)
    ref = reference.load()
    with store.sessions.begin() as session:
        store_reference.install(session, ref)
    enrol_as(store, everywhere=True, number=1)
    store.close()
    rnd = random.Random(seed)
    hoods = [(n.code, n.district_code) for n in ref.neighbourhoods]
    days = {cat.code: cat.target_days for cat in ref.categories}
    categories = list(days)
    now = dt.datetime.now(dt.UTC)
    conn = sqlite3.connect(folder / "office.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-200000")
    # A million rows go in much faster without the secondary indexes (made again after,
    # each in one sorted pass) and without the search index's insert trigger (made
    # again after, for the rows to come: search is not measured here, and the old
    # rows are not in it).
    kept = conn.execute("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'requests' "
                        "AND type IN ('index', 'trigger') AND sql IS NOT NULL").fetchall()
    for name, sql in kept:
        conn.execute(f"DROP {'TRIGGER' if sql.upper().startswith('CREATE TRIGGER') else 'INDEX'} {name}")
    conn.execute("BEGIN")
    # The rows are made by SQLite itself (a recursive series, random() for every
    # choice): a million in a minute or two, where Python's executemany took most
    # of an hour on the shared machine.  Search text is left empty (search is not
    # measured here).
    conn.execute("CREATE TEMP TABLE hoods (n INTEGER PRIMARY KEY, code TEXT, district TEXT)")
    conn.executemany("INSERT INTO hoods VALUES (?, ?, ?)",
                     [(i, code, district) for i, (code, district) in enumerate(hoods)])
    conn.execute("CREATE TEMP TABLE cats (n INTEGER PRIMARY KEY, code TEXT, days INTEGER)")
    conn.executemany("INSERT INTO cats VALUES (?, ?, ?)",
                     [(i, code, days[code]) for i, code in enumerate(categories)])
    conn.execute("CREATE TEMP TABLE words (n INTEGER PRIMARY KEY, description TEXT, name TEXT, "
                 "address TEXT)")
    conn.executemany("INSERT INTO words VALUES (?, ?, ?, ?)", [
        (i, rnd.choice(PROBLEMS), f"{rnd.choice(FIRST_NAMES)} {rnd.choice(LAST_NAMES)}",
         f"کاشان، {rnd.choice(STREETS)}، کوچه {rnd.randrange(1, 60)}") for i in range(1000)])
    waiting_from = int(rows * (1 - received_share))
    now_jd = (now.timestamp() / 86400.0) + 2440587.5
    span_days = 3 * 365
    fmt = "strftime('%Y-%m-%d %H:%M:%S', {0}) || '.000000'"
    conn.execute(f"""
        WITH RECURSIVE series(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM series WHERE i < {rows - 1}),
        base AS (
            SELECT i,
                   {now_jd} - {span_days} * pow(1.0 - i * 1.0 / {rows}, 1.5) AS jd,
                   abs(random()) % {len(hoods)} AS hood, abs(random()) % {len(categories)} AS cat,
                   abs(random()) % 1000 AS word, abs(random()) % 100 AS dice,
                   abs(random()) % 13 AS open_pick, abs(random()) % 86 AS closed_pick,
                   abs(random()) % 1000000 AS phone, abs(random()) % 10 AS channel,
                   abs(random()) % 100 AS point, abs(random()) % 20 + 1 AS close_days
            FROM series),
        shaped AS (
            SELECT b.*, CASE
                WHEN i >= {waiting_from} THEN 'received'
                WHEN i >= {int(rows * 0.9)} AND dice < 40 THEN
                    CASE WHEN open_pick < 6 THEN 'referred' WHEN open_pick < 10 THEN 'assigned'
                         ELSE 'in_progress' END
                WHEN closed_pick < 78 THEN 'done' ELSE 'not_actionable' END AS status
            FROM base b)
        INSERT INTO requests (id, tracking_code, received_at, channel, district_code,
            neighbourhood_code, category_code, description, citizen_name, citizen_phone, address,
            status, closed_at, outcome_reason, latitude, longitude, due_at, search_text,
            updated_at, outcome_note, version)
        SELECT lower(hex(randomblob(16))), printf('14%08d', i), {fmt.format('jd')},
               CASE WHEN channel < 6 THEN 'phone' WHEN channel < 8 THEN 'web' ELSE 'sms' END,
               h.district, h.code, c.code, w.description, w.name, printf('0913%06d0', phone),
               w.address, status,
               CASE WHEN status IN ('done', 'not_actionable')
                    THEN {fmt.format('jd + close_days')} END,
               CASE WHEN status = 'not_actionable' THEN 'duplicate' END,
               CASE WHEN point < 40 THEN 33.95 + (abs(random()) % 100000) / 1000000.0 END,
               CASE WHEN point < 40 THEN 51.40 + (abs(random()) % 100000) / 1000000.0 END,
               CASE WHEN status <> 'received' THEN {fmt.format('jd + c.days + 2 / 24.0')} END,
               '', {fmt.format('jd')}, '', 1
        FROM shaped JOIN hoods h ON h.n = hood JOIN cats c ON c.n = cat JOIN words w ON w.n = word
    """)
    conn.execute("COMMIT")
    for name, sql in kept:
        started = time.perf_counter()
        conn.execute(sql)
        print(f"  made {name} ({time.perf_counter() - started:.1f} s)")
    conn.execute("ANALYZE")
    conn.close()


def database(rows: int, folder: Path | None, received_share: float) -> Path:
    if folder and (folder / "office.sqlite3").exists():
        with sqlite3.connect(folder / "office.sqlite3") as conn:
            (have,) = conn.execute("SELECT count(*) FROM requests").fetchone()
        if have >= rows:
            print(f"reusing {folder} ({have:,} requests)")
            return folder
        shutil.rmtree(folder)
    folder = folder or Path(tempfile.mkdtemp(prefix="daftar-bench-centre-"))
    started = time.perf_counter()
    build_database(folder, rows, received_share)
    size = (folder / "office.sqlite3").stat().st_size / 2**20
    print(f"built {rows:,} requests in {time.perf_counter() - started:.1f} s "
          f"({size:,.0f} MiB) at {folder}")
    return folder


# ----------------------------------------------------------------- measurements


def timings(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and worst, in ms, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def report(label: str, fn: Callable[[], object], repeat: int = 20, target: str = "") -> None:
    median, worst = timings(fn, repeat)
    print(f"  {label:<46} median {median:8.1f} ms   worst {worst:8.1f} ms  {target}")


def plan(store: Store, sql: str) -> str:
    with sqlite3.connect(store.db_path) as conn:
        return "; ".join(row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql))


def bench(store: Store, rows: int) -> None:
    rnd = random.Random(7)
    ref = reference.load()
    hoods = [n.code for n in ref.neighbourhoods]
    cats = [cat.code for cat in ref.categories]
    print(f"\n{rows:,} requests; load average {os.getloadavg()}")
    with sqlite3.connect(store.db_path) as conn:
        counts = dict(conn.execute("SELECT status, count(*) FROM requests GROUP BY status").fetchall())
    print(f"  statuses: {counts}")

    print("\nthe call form")
    report("duplicate lookup (category, neighbourhood, point)",
           lambda: c.possible_duplicates(store, rnd.choice(cats), rnd.choice(hoods),
                                         33.95 + rnd.random() / 10, 51.40 + rnd.random() / 10),
           target="(target < 100 ms)")
    report("duplicate lookup, no point",
           lambda: c.possible_duplicates(store, rnd.choice(cats), rnd.choice(hoods)))
    report("caller's history (a number with ~10 requests)",
           lambda: c.caller_history(store, f"0913{rnd.randrange(10**6):06d}0"))
    report("category by two letters", lambda: c.find_categories(store, "آس"))
    report("neighbourhood by two letters", lambda: c.find_neighbourhoods(store, "فی"))
    desk = CentreDesk(store.sessions, OPERATOR)
    report("take a call (service: checks, code, event, outbox)",
           lambda: desk.take_call(Call(citizen_phone="09123456789", category_code=rnd.choice(cats),
                                       neighbourhood_code=rnd.choice(hoods),
                                       description="چاله بزرگ جلوی مدرسه")),
           target="(issue: < 1 s Enter to code, window included)")

    print("\nthe verification queue")
    report("first 50 rows + the count", lambda: c.verification_queue(store, limit=50),
           target="(target < 200 ms)")
    report("page 20 (offset 1000)", lambda: c.verification_queue(store, limit=50, offset=1000))
    report("every district's overdue work (first 200)",
           lambda: c.overdue_everywhere(store, limit=200), repeat=10)
    report("every district's overdue work (all)", lambda: c.overdue_everywhere(store), repeat=5)
    report("overdue share by district", lambda: c.overdue_by_district(store), repeat=5)

    times = []
    for _ in range(3):
        ids = [row.id for row in c.verification_queue(store, limit=500).rows]
        started = time.perf_counter()
        desk.refer(ids)
        times.append((time.perf_counter() - started) * 1000)
    print(f"  {'bulk referral of 500 (3 runs)':<46} " + ", ".join(f"{t:.0f} ms" for t in times)
          + "  (target < 2 s)")

    print("\nquery plans")
    print("  duplicates:", plan(store, "SELECT id FROM requests WHERE status IN ('received',"
          "'referred','assigned','in_progress') AND category_code = 'asphalt' AND "
          "received_at >= '2026-11-01' AND neighbourhood_code = 'fin'"))
    print("  queue:", plan(store, "SELECT id FROM requests WHERE status = 'received' "
          "ORDER BY received_at LIMIT 50"))
    print("  overdue:", plan(store, "SELECT id, tracking_code FROM requests "
          "INDEXED BY ix_requests_open_due WHERE status IN "
          "('received', 'referred', 'assigned', 'in_progress') AND due_at < '2026-12-07' "
          "ORDER BY due_at"))
    print("  overdue by district:", plan(store, "SELECT district_code, count(*) FROM requests "
          "INDEXED BY ix_requests_open_due "
          "WHERE status IN ('received', 'referred', 'assigned', 'in_progress') AND due_at IS NOT "
          "NULL GROUP BY district_code"))

    print("\nwithout the centre desk's indexes (dropped, measured, made again)")
    for index, label, fn in (
            ("ix_requests_status_received", "first 50 rows + the count",
             lambda: c.verification_queue(store, limit=50)),
            ("ix_requests_citizen_phone", "caller's history",
             lambda: c.caller_history(store, f"0913{rnd.randrange(10**6):06d}0")),
            # (ix_requests_open_due is named by the query itself: without it, no plan.)
             ):
        with sqlite3.connect(store.db_path) as conn:
            conn.execute(f"DROP INDEX {index}")
        report(f"{label}, without {index}", fn, repeat=3)
        every = (*models.ServiceRequest.__table__.indexes,)
        (made,) = [i for i in every if i.name == index]
        started = time.perf_counter()
        made.create(store.engine)
        print(f"  (made {index} again in {time.perf_counter() - started:.1f} s)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="a folder to build in, or reuse")
    parser.add_argument("--received", type=float, default=0.05,
                        help="share of requests still waiting for verification")
    parser.add_argument("--keep", action="store_true", help="keep a temporary database")
    args = parser.parse_args()
    folder = database(args.rows, args.db, args.received)
    store = open_store(folder)
    try:
        bench(store, args.rows)
    finally:
        store.close()
        if not args.db and not args.keep:
            shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
