"""Benchmark: what the citizen's photo costs a work order batch.

A script, not a test (pytest does not collect ``bench_*.py``).  It makes an office
in a temporary folder with ``--count`` requests assigned to one crew, then gives
every one of them a citizen's photo (a 1600×1200 JPEG of noise and shapes, about
what a phone photo is after the desk scales it: a few hundred kilobytes), and
measures, before and after the photos:

* load: database to work order values (with photos: read, turned, scaled to 600 px);
* render: the day sheet PDF (cover + one work order per request) into memory;
* the PDF's size.

    .venv/bin/python tests/bench/bench_workorder_photos.py [--count 30] [--repeat 3]

Wall-clock on a shared machine is noisy: each step is repeated, best and median
printed, with the process's CPU time for the best run.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw

from desktop_app.reports import workorders as wo
from desktop_app.services.attachments import Attachments, Kind
from sync.dates import utcnow
from tests.factories import CLERK, CREW_A, make_request, office


def phone_photo(seed: int) -> bytes:
    rng = random.Random(seed)
    image = Image.effect_noise((1600, 1200), 40).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(1400), rng.randrange(1000)
        draw.rectangle([x, y, x + rng.randrange(50, 300), y + rng.randrange(50, 300)],
                       fill=tuple(rng.randrange(256) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def timed(work, repeat: int):  # type: ignore[no-untyped-def]
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    best = min(range(repeat), key=walls.__getitem__)
    return result, walls[best], statistics.median(walls), cpus[best]


def measure(store, ids, cover, repeat: int, label: str) -> None:  # type: ignore[no-untyped-def]
    def load():  # type: ignore[no-untyped-def]
        with store.sessions() as session:
            return wo.load_work_orders(session, ids)

    items, best, median, cpu = timed(load, repeat)
    print(f"{label:12} load    best {best * 1000:7.0f} ms  median {median * 1000:7.0f} ms  "
          f"cpu {cpu * 1000:7.0f} ms")

    def render() -> bytes:
        out = io.BytesIO()
        wo.render_work_orders(items, out, cover=cover)
        return out.getvalue()

    pdf, best, median, cpu = timed(render, repeat)
    print(f"{label:12} render  best {best * 1000:7.0f} ms  median {median * 1000:7.0f} ms  "
          f"cpu {cpu * 1000:7.0f} ms  pdf {len(pdf) / 1024:8.0f} KiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = office(Path(folder))
        try:
            ids = [make_request(store, status="assigned", crew_id=CREW_A,
                                assigned_at=utcnow()).id for _ in range(args.count)]
            cover = wo.DaySheetCover("اکیپ تنظیف ۱", "حسین رضایی", "منطقه یک", "ناحیه ۱",
                                     utcnow().date())
            measure(store, ids, cover, args.repeat, "no photos")
            shelf = Attachments(store.sessions, CLERK)
            sizes = []
            for seed, request_id in enumerate(ids):
                content = phone_photo(seed)
                sizes.append(len(content))
                shelf.attach(request_id, filename=f"{seed}.jpg", media_type="image/jpeg",
                             content=content, kind=Kind.CITIZEN)
            print(f"photos: {len(sizes)}, mean {statistics.mean(sizes) / 1024:.0f} KiB each")
            measure(store, ids, cover, args.repeat, "with photos")
        finally:
            store.close()


if __name__ == "__main__":
    main()
