"""Benchmark: the main window on a 1,000,000-request office database.

Not collected by pytest (no ``test_`` prefix).  Run::

    .venv/bin/python tests/bench/bench_ui.py [--rows 1000000] [--db DIR] [--keep] [--counts-tradeoff]

It builds the office database in a temporary folder (or reuses ``--db DIR`` when it
already holds one of the same size), then measures what a clerk feels:

* time to first rows: from creating the main window to the first page on screen;
* filter, search (per keystroke, Persian) and sort latency: from the change to
  the table showing the new rows;
* the read side alone (the SQL of each step, no Qt);
* the counts beside the table: from the change until they are this filter's (after
  a search, from its last keystroke; a status click or a sort keeps them);
* the longest stall of the GUI thread throughout: a 5 ms timer on the GUI thread
  notes the largest gap between two of its ticks.

With ``--counts-tradeoff`` it first measures both ends of the status counts' trade-off
in one run: counts from the covering status index and from the maintained counters,
the cost to build each on these rows, and what the counters' triggers add to inserts.

Targets (issue 4): first rows < 1 s; filter or search < 150 ms; no GUI stall > 100 ms.
(Issue 18: status counts < 100 ms; measure the window with another process loading
one core, e.g. ``python3 -c 'while 1: pass' &``, and say so.)
It prints numbers and never fails on them: machines differ.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gc
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop_app.services.request_list import RequestFilter, Sort  # noqa: E402
from desktop_app.services.request_queries import RequestQueries  # noqa: E402
from desktop_app.store import reference as store_reference  # noqa: E402
from desktop_app.store.db import open_store  # noqa: E402
from sync import reference  # noqa: E402
from sync.text import search_text  # noqa: E402
from sync.workflow import Role  # noqa: E402

FIRST_NAMES = ["محمد", "علی", "حسین", "رضا", "مهدی", "زهرا", "فاطمه", "مریم", "سارا", "نرگس",
               "حسن", "امیر", "ابوالفضل", "سمیه", "معصومه", "جواد", "ناصر", "اکبر", "لیلا", "کبری"]
LAST_NAMES = ["حسینی", "احمدی", "کریمی", "محمدی", "رضایی", "صادقی", "موسوی", "کاشانی", "نراقی",
              "جعفری", "قمصری", "فینی", "راوندی", "نوش‌آبادی", "طاهری", "یزدانی", "اکبری", "زارعی"]
STREETS = ["خیابان بابا افضل", "خیابان امیرکبیر", "خیابان فین", "بلوار قطب راوندی", "خیابان شهید بهشتی",
           "خیابان محتشم", "میدان کمال‌الملک", "خیابان پانزده خرداد", "بلوار مطهری", "خیابان آیت‌الله کاشانی"]
PROBLEMS = ["زباله‌ها دو روز است جمع‌آوری نشده", "چاله بزرگ در آسفالت خیابان", "چراغ روشنایی معبر خاموش است",
            "آب‌گرفتگی پس از بارندگی", "سد معبر توسط مغازه‌دار", "درخت خشکیده در پیاده‌رو",
            "جوی آب مسدود شده", "نخاله ساختمانی رها شده", "سگ‌های ولگرد در کوچه", "پیاده‌رو تخریب شده"]
STATUS_MIX = ["done"] * 78 + ["not_actionable"] * 8 + ["referred"] * 6 + ["assigned"] * 4 + \
             ["in_progress"] * 3 + ["received"] * 1
CHANNELS = ["phone"] * 6 + ["web"] * 2 + ["sms"] + ["walk_in"]
N_CREWS = 24


# ------------------------------------------------------------------ the database


def build_database(folder: Path, rows: int, seed: int = 137) -> None:
    """An office database with ``rows`` requests spread over three years, inserted
    with ``executemany`` in one transaction through the live FTS triggers."""
    store = open_store(folder)
    ref = reference.load()
    with store.sessions.begin() as session:
        store_reference.install(session, ref)
    store.close()
    rnd = random.Random(seed)
    neighbourhoods = [(n.code, n.district_code) for n in ref.neighbourhoods]
    categories = [c.code for c in ref.categories]
    districts = sorted({d for _, d in neighbourhoods})
    now = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    crews = [(uuid.uuid4().hex, districts[i % len(districts)], f"اکیپ {i + 1}") for i in range(N_CREWS)]
    conn = sqlite3.connect(folder / "office.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO crews (id, district_code, name, supervisor, phone, active, version, updated_at) "
        "VALUES (?, ?, ?, '', NULL, 1, 1, '2026-01-01 00:00:00.000000')", crews)

    def generate() -> Iterator[tuple[object, ...]]:
        span = 3 * 365 * 24 * 3600
        for i in range(rows):
            received = now - dt.timedelta(seconds=span * (i / rows) ** 0.8 + rnd.random() * 60)
            neighbourhood, district = rnd.choice(neighbourhoods)
            status = rnd.choice(STATUS_MIX)
            crew = rnd.choice(crews)[0] if status in ("assigned", "in_progress", "done") else None
            code = f"14{i:08d}"
            name = f"{rnd.choice(FIRST_NAMES)} {rnd.choice(LAST_NAMES)}"
            phone = f"0913{rnd.randrange(10**7):07d}"
            address = f"کاشان، {rnd.choice(STREETS)}، کوچه {rnd.randrange(1, 60)}"
            description = rnd.choice(PROBLEMS)
            stamp = received.strftime("%Y-%m-%d %H:%M:%S.%f")
            yield (uuid.uuid4().hex, code, stamp, rnd.choice(CHANNELS), district, neighbourhood,
                   rnd.choice(categories), description, name, phone, address, status,
                   stamp if status in ("done", "not_actionable") else None,
                   "duplicate" if status == "not_actionable" else None, crew,
                   search_text(code, name, phone, address, description), stamp)

    conn.executemany(
        "INSERT INTO requests (id, tracking_code, received_at, channel, district_code, "
        "neighbourhood_code, category_code, description, citizen_name, citizen_phone, address, "
        "status, closed_at, outcome_reason, crew_id, search_text, updated_at, outcome_note, version) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', 1)", generate())
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def missing_indexes(db: Path) -> None:
    """Make the office's own indexes of ``requests`` that a reused database lacks:
    one built while their migrations were still reserved and empty is stamped as
    up to date without them, and would be measured without them."""
    import sqlalchemy as sa
    from sqlalchemy.dialects import sqlite

    from desktop_app.store import models

    with sqlite3.connect(db) as conn:
        have = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        for index in (*models.LIST_INDEXES, *models.REPORT_INDEXES):
            if index.name not in have:
                started = time.perf_counter()
                conn.execute(str(sa.schema.CreateIndex(index).compile(dialect=sqlite.dialect())))
                print(f"made the missing index {index.name} ({time.perf_counter() - started:.1f} s)")


def missing_counters(db: Path) -> None:
    """Give a reused database built before the status counters their table, filled
    (what migration 4d8b2f6e1c93 and the next open do; without the open's other
    work, which on a million requests rebuilds the search index)."""
    from desktop_app.store import models
    from desktop_app.store.status_counts import COUNTS_TABLE, ensure_counts
    from desktop_app.store.db import MIGRATIONS
    from sync import migrate
    from sync.db import make_engine

    engine = make_engine(f"sqlite:///{db}")
    try:
        with engine.begin() as conn:
            if conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = ?", (COUNTS_TABLE,)).first():
                started = time.perf_counter()
                if ensure_counts(conn):
                    print(f"counted the status counters again ({time.perf_counter() - started:.1f} s)")
                return
            models.RequestCount.__table__.create(conn)
            started = time.perf_counter()
            ensure_counts(conn)
            print(f"made the status counters ({time.perf_counter() - started:.1f} s)")
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = ?",
                                 (migrate.head_revision(MIGRATIONS),))
    finally:
        engine.dispose()


def database(rows: int, folder: Path | None) -> Path:
    if folder and (folder / "office.sqlite3").exists():
        with sqlite3.connect(folder / "office.sqlite3") as conn:
            (have,) = conn.execute("SELECT count(*) FROM requests").fetchone()
        if have == rows:
            print(f"reusing {folder} ({have:,} requests)")
            missing_indexes(folder / "office.sqlite3")
            missing_counters(folder / "office.sqlite3")
            return folder
        shutil.rmtree(folder)
    folder = folder or Path(tempfile.mkdtemp(prefix="daftar-bench-"))
    started = time.perf_counter()
    build_database(folder, rows)
    size = (folder / "office.sqlite3").stat().st_size / 2**20
    print(f"built {rows:,} requests in {time.perf_counter() - started:.1f} s ({size:,.0f} MiB) at {folder}")
    return folder


# ----------------------------------------------------------------- measurements


def median_ms(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


SEARCHES = ["کریمی", "۰۹۱۳۱۲۳", "1400012345", "امیرکبیر کوچه ۱۲", "چاله", "کاشان"]
#: Three letters in every request or in one of ten (trigrams with huge hit lists),
#: and a street in three of four: the costly ends of search-as-you-type.
HARD_SEARCHES = ["کوچ", "محم", "خیابان", "0913"]


def bench_queries(folder: Path) -> None:
    queries = RequestQueries.for_database(folder / "office.sqlite3")
    print("\nread side alone (median of 5, ms):")
    with sqlite3.connect(folder / "office.sqlite3") as conn:
        (crew,) = conn.execute("SELECT crew_id FROM requests WHERE crew_id IS NOT NULL LIMIT 1").fetchone()
    crew_id = uuid.UUID(crew)
    rare = RequestFilter(statuses=frozenset({"received"}), category="asphalt", neighbourhood="bazaar")
    month = dict(first_day=dt.date(2025, 3, 21), last_day=dt.date(2025, 4, 20))
    cases: list[tuple[str, RequestFilter, Sort]] = [
        ("first page", RequestFilter(), Sort()),
        ("status referred", RequestFilter(statuses=frozenset({"referred"})), Sort()),
        ("status received", RequestFilter(statuses=frozenset({"received"})), Sort()),
        ("category", RequestFilter(category="asphalt"), Sort()),
        ("neighbourhood", RequestFilter(neighbourhood="bazaar"), Sort()),
        ("crew", RequestFilter(crew=crew_id), Sort()),
        ("channel", RequestFilter(channel="walk_in"), Sort()),
        ("category + neighbourhood", RequestFilter(category="asphalt", neighbourhood="bazaar"), Sort()),
        ("received + category + nbh", rare, Sort()),
        ("crew + received (none)", RequestFilter(crew=crew_id, statuses=frozenset({"received"})), Sort()),
        ("overdue", RequestFilter(overdue=True), Sort()),
        ("Jalali month", RequestFilter(**month), Sort()),  # type: ignore[arg-type]
        ("category + month", RequestFilter(category="asphalt", **month), Sort()),  # type: ignore[arg-type]
        *((f"search {text!r}", RequestFilter(text=text), Sort()) for text in SEARCHES + HARD_SEARCHES),
        ("search 'چاله' + referred + cat", RequestFilter(text="چاله", category="asphalt",
                                                       statuses=frozenset({"referred"})), Sort()),
        ("search 'کاشان' + rare filter", dataclasses.replace(rare, text="کاشان"), Sort()),
        ("search 'کوچ' + crew", RequestFilter(text="کوچ", crew=crew_id), Sort()),
        *((f"sort {key}", RequestFilter(), Sort(key, False)) for key in
          ("tracking_code", "category_code", "neighbourhood_code", "crew_id")),
        ("sort crew + received", RequestFilter(statuses=frozenset({"received"})), Sort("crew_id")),
        ("sort code + rare filter", rare, Sort("tracking_code")),
        ("sort category + referred", RequestFilter(statuses=frozenset({"referred"})), Sort("category_code")),
    ]
    for label, filt, sort in cases:
        page_ms = median_ms(lambda: queries.page(filt, sort))
        first = queries.page(filt, sort)
        next_ms = median_ms(lambda: queries.page(filt, sort, first.rows[-1].cursor(sort))) \
            if first.has_more else 0.0
        counts_ms = median_ms(lambda: queries.counts(filt), repeat=3)
        print(f"  {label:32s} page {page_ms:7.1f}   next page {next_ms:7.1f}   counts {counts_ms:7.1f}",
              flush=True)
    queries.close()


def bench_counts_tradeoff(folder: Path, inserts: int = 20_000) -> None:
    """Both ends of the status counts' trade-off, on this database: the counts from
    the covering status index and from the counters, what each costs to build on
    these rows, and what the counters' triggers add to inserting requests (a pull's
    page: ``inserts`` copies of requests, with every index and trigger in place).
    Everything is rolled back or dropped again."""
    from desktop_app.store import status_counts
    from desktop_app.store.models import LIST_INDEXES

    print(f"\nstatus counts, covering index vs counters (median of 5, ms; load {os.getloadavg()}):")
    conn = sqlite3.connect(folder / "office.sqlite3", isolation_level=None)
    every = "status IN ('received', 'referred', 'assigned', 'in_progress', 'done', 'not_actionable')"
    (neighbourhood,) = conn.execute("SELECT neighbourhood_code FROM requests LIMIT 1").fetchone()
    (crew,) = conn.execute("SELECT crew_id FROM requests WHERE crew_id IS NOT NULL LIMIT 1").fetchone()
    filters = [("no filter", "", ""), ("category", "category_code = ?", "asphalt"),
               ("neighbourhood", "neighbourhood_code = ?", neighbourhood),
               ("crew", "crew_id = ?", crew), ("channel", "channel = ?", "walk_in")]
    for label, test, value in filters:
        args = (value,) if test else ()
        index_ms = median_ms(lambda: conn.execute(
            f"SELECT status, count(*) FROM requests INDEXED BY ix_requests_by_status WHERE {every}"
            f"{' AND ' + test if test else ''} GROUP BY status", args).fetchall())
        counters_ms = median_ms(lambda: conn.execute(
            f"SELECT status, sum(n) FROM request_counts{' WHERE ' + test if test else ''} "
            "GROUP BY status", args).fetchall())
        print(f"  {label:16s} index {index_ms:7.1f}   counters {counters_ms:7.1f}", flush=True)
    (groups,) = conn.execute("SELECT count(*) FROM request_counts").fetchone()
    print(f"  counters' rows: {groups:,}")
    # Building each on these rows: the index (as a first sync's restore does) and a recount.
    (index,) = LIST_INDEXES
    columns = ", ".join(c.name for c in index.columns)
    started = time.perf_counter()
    conn.execute(f"CREATE INDEX ix_bench_cost ON requests ({columns})")
    print(f"  build ix_requests_by_status's twin   {(time.perf_counter() - started) * 1000:8.0f} ms")
    conn.execute("DROP INDEX ix_bench_cost")
    conn.execute("BEGIN")
    started = time.perf_counter()
    conn.execute("DELETE FROM request_counts")
    key = ", ".join(f"coalesce({c}, '')" for c in status_counts.KEY_COLUMNS)
    conn.execute(f"INSERT INTO request_counts SELECT {key}, count(*) FROM requests GROUP BY {key}")
    print(f"  count the counters again             {(time.perf_counter() - started) * 1000:8.0f} ms")
    conn.execute("ROLLBACK")
    # What the triggers add to a pull's inserts: the same rows with and without them.
    columns_of = [d[0] for d in conn.execute("SELECT * FROM requests LIMIT 0").description]
    rows = conn.execute(f"SELECT * FROM requests LIMIT {inserts}").fetchall()
    at_id, at_code = columns_of.index("id"), columns_of.index("tracking_code")
    insert = (f"INSERT INTO requests ({', '.join(columns_of)}) "
              f"VALUES ({', '.join('?' * len(columns_of))})")
    for attempt in range(2):
        for with_triggers in (False, True):
            fresh = [tuple(uuid.uuid4().hex if i == at_id else f"B{attempt}{j:09d}" if i == at_code else v
                           for i, v in enumerate(row)) for j, row in enumerate(rows)]
            conn.execute("BEGIN")
            if not with_triggers:
                for name in status_counts.TRIGGERS:
                    conn.execute(f"DROP TRIGGER {name}")
            started = time.perf_counter()
            conn.executemany(insert, fresh)
            took = (time.perf_counter() - started) * 1000
            conn.execute("ROLLBACK")
            print(f"  insert {inserts:,} requests {'with' if with_triggers else 'without':7s} the counters' "
                  f"triggers {took:8.0f} ms  (load {os.getloadavg()[0]:.1f})", flush=True)
    conn.close()


class GcPauses:
    """The longest garbage collection, which holds the GIL whichever thread runs it,
    and the longest of each generation (how many of them ran, too)."""

    def __init__(self) -> None:
        self.worst = 0.0
        self.by_generation: dict[int, tuple[int, float]] = {}
        self._started = 0.0
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            took = (time.perf_counter() - self._started) * 1000
            self.worst = max(self.worst, took)
            runs, longest = self.by_generation.get(info["generation"], (0, 0.0))
            self.by_generation[info["generation"]] = (runs + 1, max(longest, took))

    def summary(self) -> str:
        kinds = ", ".join(f"generation {g}: {runs} runs, longest {longest:.1f} ms"
                          for g, (runs, longest) in sorted(self.by_generation.items()))
        return f"{kinds}; objects tracked {len(gc.get_objects()):,}, frozen {gc.get_freeze_count():,}"


class StallMeter:
    """Largest gap between ticks of a 5 ms timer on the GUI thread."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.worst = 0.0
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(5)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, (now - self._last) * 1000)
        self._last = now

    def reset(self) -> None:
        self.worst = 0.0
        self._last = time.perf_counter()


def bench_window(folder: Path) -> None:
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QSettings, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    from desktop_app.app import build_app
    from desktop_app.services.requests import Actor

    actor = Actor(username="bench", role=Role.CLERK, display_name="کارشناس")
    settings = tempfile.mkdtemp(prefix="daftar-bench-settings-")  # not the user's own
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, settings)
    QApplication.instance() or QApplication([])
    meter = StallMeter()
    pauses = GcPauses()

    def wait_for(condition: Callable[[], bool], timeout: float = 120.0) -> float:
        started = time.perf_counter()
        while not condition():
            if time.perf_counter() - started > timeout:
                raise TimeoutError("the table did not answer")
            # Sleep until an event comes (the stall meter ticks every 5 ms): a busy
            # loop here would fight the reader thread for the GIL.
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        return (time.perf_counter() - started) * 1000

    print("\nthe window (ms, from the change to new rows in the table):")
    print(f"  load average of this machine (1, 5, 15 min): {os.getloadavg()}")
    started = time.perf_counter()
    built = build_app(folder, language="fa", actor=actor, use_default_sync=False)
    assert built is not None
    window = built.window
    window.show()
    model = window.table.source
    wait_for(lambda: model.rowCount() > 0 and not model.loading)
    print(f"  time to first rows              {(time.perf_counter() - started) * 1000:7.1f}")
    print(f"  (longest GUI stall while opening {meter.worst:7.1f}: building the window, no events yet)")

    def after(change: Callable[[], None]) -> float:
        generation = model.generation
        started = time.perf_counter()
        change()
        wait_for(lambda: model.generation > generation and not model.loading)
        return (time.perf_counter() - started) * 1000

    filters = window.filters
    results: dict[str, list[float]] = {}
    stalls: dict[str, float] = {}

    counted: dict[str, list[float]] = {}

    def measure(label: str, change: Callable[[], None], *, counts: bool = True) -> float:
        """Rows, then (unless typing goes on) the counts beside them: from the
        change until they are no longer the previous filter's (greyed)."""
        meter.reset()
        started = time.perf_counter()
        took = after(change)
        results.setdefault(label, []).append(took)
        if counts and filters.counts_stale:
            wait_for(lambda: not filters.counts_stale)
            counted.setdefault(label, []).append((time.perf_counter() - started) * 1000)
        stalls[label] = max(stalls.get(label, 0.0), meter.worst)
        return took

    for _ in range(3):
        measure("filter status", lambda: filters.set_statuses({"referred"}))
        measure("filter clear", filters.clear)
        measure("filter category", lambda: filters.set_category("asphalt"))
        measure("filter overdue", lambda: filters.set_overdue(True))
        filters.clear()
        wait_for(lambda: not model.loading and not filters.counts_stale)
    for column in ("tracking_code", "category_code", "crew_id", "received_at"):
        measure("sort", lambda c=column: window.table.sort_by(c, c == "received_at"))
    search = filters.search
    slowest = ("", 0.0)
    for text in SEARCHES + HARD_SEARCHES:
        search.clear()
        filters.apply_now()
        wait_for(lambda: not model.loading and not filters.pending and not filters.counts_stale)
        for i, ch in enumerate(text):
            def key(ch: str = ch) -> None:
                search.setFocus()
                QApplication.sendEvent(search, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_unknown,
                                                         Qt.KeyboardModifier.NoModifier, ch))
                filters.apply_now()
            # Counts only after the last key: while typing, each key supersedes them.
            took = measure("search keystroke", key, counts=i == len(text) - 1)
            if took > slowest[1]:
                slowest = (text[:i + 1], took)
    for label, values in results.items():
        print(f"  {label:32s} median {statistics.median(values):7.1f}   worst {max(values):7.1f}"
              f"   longest GUI stall {stalls[label]:7.1f}")
    for label, values in counted.items():
        print(f"  counts after {label:19s} median {statistics.median(values):7.1f}   worst {max(values):7.1f}")
    print(f"  longest GUI stall overall         {max(stalls.values()):7.1f}")
    print(f"  slowest keystroke: {slowest[0]!r} ({slowest[1]:.1f} ms)")
    print(f"  longest garbage collection      {pauses.worst:7.1f} ({pauses.summary()})")
    common = Counter(type(o).__name__ for o in gc.get_objects()).most_common(8)
    print(f"  most common tracked objects: {common}")
    print(f"  load average of this machine (1, 5, 15 min): {os.getloadavg()}")
    built.close()
    shutil.rmtree(settings, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="folder to build in or reuse")
    parser.add_argument("--keep", action="store_true", help="keep a temporary database")
    parser.add_argument("--no-window", action="store_true", help="measure the SQL only")
    parser.add_argument("--window-only", action="store_true", help="measure the window only")
    parser.add_argument("--counts-tradeoff", action="store_true",
                        help="also measure the status counts from the index and from the counters")
    args = parser.parse_args()
    folder = database(args.rows, args.db)
    try:
        if args.counts_tradeoff:
            bench_counts_tradeoff(folder)
        if not args.window_only:
            bench_queries(folder)
        if not args.no_window:
            bench_window(folder)
    finally:
        if not args.db and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
