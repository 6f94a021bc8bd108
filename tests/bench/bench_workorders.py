"""Benchmark of the work orders: 500 in one PDF under 5 s, one under 300 ms.

A script, not a test (pytest does not collect ``bench_*.py``).  It makes an office
in a temporary folder with a crew's worth of realistic requests — each with its
own description, address and history, so that the shaping caches help only where
they help in real life (labels, names, common words) — and then measures, each
time in a fresh Python process (fonts not registered, nothing shaped or cached;
imports excluded, the window has them already):

* the crew day sheet with every request: load (database to DTOs) and render
  (cover + one work order a page, PDF file written);
* one work order, as the request form's preview does it: load and render into
  memory; then the same again in that process (warm);
* ``issue_work_orders`` for one request: PDF file written and event recorded.

    .venv/bin/python tests/bench/bench_workorders.py [--count 500] [--page-size A4]

The machine is shared, so wall-clock times are noisy: each measurement is
repeated and printed as best and median, next to the CPU time of the process
(what the code costs, whoever else is using the cores).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from desktop_app.reports import workorders as wo  # noqa: E402
from desktop_app.services import printing  # noqa: E402
from desktop_app.store.db import Store, open_store  # noqa: E402
from sync.dates import UTC, to_tehran, utcnow  # noqa: E402
from tests.factories import CREW_A, SUPERVISOR, desk, make_request, office  # noqa: E402

WORDS = (
    "زباله کیسه جوی آب گرفتگی آسفالت چاله خیابان کوچه پیاده‌رو درخت شاخه شکسته چراغ "
    "روشنایی خاموش تابلو کج ایستگاه اتوبوس نیمکت جدول ترمیم بلوک فرش نشست لوله بو "
    "نخاله ساختمانی رها شده مسیر مدرسه بیمارستان مسجد بازار میدان سه‌راه پل عابر "
    "پیاده شب گذشته از هفته پیش هنوز رسیدگی نشده لطفاً فوری اقدام کنید خطرناک برای "
    "کودکان و سالمندان است همسایه‌ها هم شکایت دارند نزدیک پلاک تقاطع روبروی کنار"
).split()
STREETS = ("خیابان امیرکبیر", "بلوار قطب راوندی", "خیابان بابا افضل", "خیابان فاضل نراقی",
           "بلوار مطهری", "خیابان محتشم", "کوچه شهید رجایی", "میدان کمال‌الملک")
NAMES = ("محمد", "زهرا", "علی", "فاطمه", "حسین", "مریم", "رضا", "سارا")
FAMILIES = ("حسینی", "احمدی", "کریمی", "رضایی", "محمدی", "صادقی", "نراقی", "کاشانی")
HOODS = ("bazaar", "sabze-meydan", "fin", "sarsiab", "abuzar", "amir-kabir")
CATEGORIES = ("garbage", "street_cleaning", "asphalt", "green_space", "curbs", "street_signs")


def make_office(folder: Path, count: int, seed: int = 137) -> Store:
    """An office whose crew A has ``count`` open requests, each with its own text."""
    rng = random.Random(seed)
    store = office(folder)
    ids = []
    for i in range(count):
        description = " ".join(rng.choice(WORDS) for _ in range(rng.randint(15, 70)))
        if i % 7 == 0:  # some mixed lines: Latin names and codes in Persian text
            description += f" (پلاک {rng.randint(1, 300)}-B، فروشگاه Kashan Market)"
        ids.append(make_request(
            store,
            received_at=dt.datetime(2026, 4, 1, 6, 30, tzinfo=UTC) + dt.timedelta(minutes=17 * i),
            neighbourhood_code=rng.choice(HOODS), category_code=rng.choice(CATEGORIES),
            description=description,
            citizen_name=f"{rng.choice(NAMES)} {rng.choice(FAMILIES)}",
            address=f"کاشان، {rng.choice(STREETS)}، کوچه {rng.randint(1, 60)}، "
                    f"پلاک {rng.randint(1, 300)}",
            latitude=33.98 + rng.random() / 50, longitude=51.43 + rng.random() / 50,
        ).id)
    supervisor = desk(store, SUPERVISOR)
    supervisor.assign(ids, CREW_A)
    for request_id in ids[::3]:
        supervisor.add_note(request_id, "شهروند تماس گرفت؛ " + " ".join(rng.sample(WORDS, 8)))
    return store


class Clock:
    """Wall-clock and CPU seconds of one measured step."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def measure(folder: Path, page_size: str) -> dict[str, list[float]]:
    """One cold run of every step, in this (fresh) process."""
    store = open_store(folder)
    day = to_tehran(utcnow()).date()
    out: dict[str, list[float]] = {}

    with Clock() as one_cold:
        with store.sessions() as session:
            some = wo.load_crew_day(session, CREW_A, day)[:1]
        wo.render_work_orders(some, io.BytesIO(), page_size=page_size)
    out["one: load + render to memory, cold"] = [one_cold.wall, one_cold.cpu]
    with Clock() as one_warm:
        with store.sessions() as session:
            some = wo.load_work_orders(session, [some[0].request_id])
        wo.render_work_orders(some, io.BytesIO(), page_size=page_size)
    out["one: load + render to memory, warm"] = [one_warm.wall, one_warm.cpu]
    with Clock() as issue:
        printing.issue_work_orders(store, SUPERVISOR, [some[0].request_id], folder / "one.pdf",
                             page_size=page_size)
    out["one: issue_work_orders (file + event)"] = [issue.wall, issue.cpu]

    with Clock() as load:
        with store.sessions() as session:
            items = wo.load_crew_day(session, CREW_A, day)
            cover = wo.load_day_sheet_cover(session, CREW_A, day)
    out["day sheet: load"] = [load.wall, load.cpu]
    with Clock() as render:
        wo.render_work_orders(items, folder / "day.pdf", page_size=page_size, cover=cover)
    out["day sheet: render to file"] = [render.wall, render.cpu]
    out["day sheet: load + render"] = [load.wall + render.wall, load.cpu + render.cpu]
    # As the window draws it: read in steps of printing.READ_STEP, each its own
    # session (the longest step is what a table query may wait for).
    steps: list[float] = []

    def timed_read(read: Any) -> Any:
        started = time.perf_counter()
        try:
            return read()
        finally:
            steps.append(time.perf_counter() - started)

    with Clock() as stepped:
        printout = printing.draw_crew_day(store, CREW_A, day, folder / "day-steps.pdf",
                                          page_size=page_size, on_db=timed_read)
    printout.discard()
    out["day sheet: in steps, read + render"] = [stepped.wall, stepped.cpu]
    out["day sheet: longest read step"] = [max(steps), 0.0]
    out["pages"] = [len(items)]
    store.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--page-size", choices=wo.PAGE_SIZES, default="A4")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:  # the child: one cold run, results as JSON
        print(json.dumps(measure(args.measure, args.page_size)))
        return

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "office"
        with Clock() as making:
            make_office(folder, args.count).close()
        print(f"office with {args.count} open requests made in {making.wall:.1f} s")
        runs = []
        for _ in range(args.repeat):
            child = subprocess.run(
                [sys.executable, __file__, "--measure", str(folder), "--page-size", args.page_size],
                capture_output=True, text=True, check=True)
            runs.append(json.loads(child.stdout.strip().splitlines()[-1]))
        size = (folder / "day.pdf").stat().st_size
    print(f"{args.page_size}, {args.repeat} fresh processes; day sheet: cover + "
          f"{runs[0]['pages'][0]} work orders, {size / 1e6:.1f} MB\n")
    print(f"{'':40} {'wall best':>10} {'wall median':>12} {'cpu best':>10}")
    for name in runs[0]:
        if name == "pages":
            continue
        wall = [run[name][0] * 1000 for run in runs]
        cpu = [run[name][1] * 1000 for run in runs]
        print(f"{name:40} {min(wall):8.0f} ms {statistics.median(wall):10.0f} ms "
              f"{min(cpu):8.0f} ms")


if __name__ == "__main__":
    main()
