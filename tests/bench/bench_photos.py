"""An office back online with 500 photos of 1.5 MB each.

A real centre (``daftar-server serve`` in its own process, SQLite, blobs in its data
folder) and an office in this process, over loopback HTTP.  Measured:

* the time to send all the photos' bytes (the blob part of the round), and its ratio
  to a plain HTTP upload of the same bytes on loopback (httpx, one PUT per photo, to
  a trivial server that reads and drops the body, in its own process as well);
* the change-log part of the same round (hello, push, pull: the centre's changes to
  pull and the office's notes to push, plus the photos' 500 metadata rows) against
  the same round's change-log part without photos waiting.

    .venv/bin/python tests/bench/bench_photos.py [--photos 500] [--size 1500000]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from desktop_app.services import sync_service  # noqa: E402
from desktop_app.services.attachments import Attachments  # noqa: E402
from desktop_app.services.requests import Actor, Desk  # noqa: E402
from desktop_app.store.db import open_store  # noqa: E402
from sync import reference  # noqa: E402
from sync.server import db as centre_db  # noqa: E402
from sync.server import operations as ops  # noqa: E402
from sync.dates import utcnow  # noqa: E402
from sync.server.changes import log_changes  # noqa: E402
from sync.server.models import ServiceRequest  # noqa: E402
from sync.server.reference_io import load_reference  # noqa: E402
from sync.workflow import Role  # noqa: E402

TRIVIAL = """
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

async def put(request):
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
    return Response(str(size))

app = Starlette(routes=[Route("/{name}", put, methods=["PUT"])])
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str) -> None:
    for _ in range(600):
        with contextlib.suppress(httpx.TransportError):
            httpx.get(url, timeout=1)
            return
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


def centre_changes(engine, requests: list, note: str) -> None:  # type: ignore[no-untyped-def]
    """The centre corrects each request's address: rows for the office to pull."""
    sessions = centre_db.session_factory(engine)
    with sessions.begin() as session:
        for request_id in requests:
            request = session.get(ServiceRequest, request_id)
            request.address = note
            ops.touch(request, utcnow())
        log_changes(session, [ops.request_entry(session.get(ServiceRequest, i)) for i in requests])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=500)
    parser.add_argument("--size", type=int, default=1_500_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--notes", type=int, default=200)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-photos-"))
    print(f"{args.photos} photos of {args.size / 1e6:.1f} MB; {args.requests} centre changes and "
          f"{args.notes} office notes per round; load {os.getloadavg()}", flush=True)
    url = f"sqlite:///{base / 'centre' / 'centre.sqlite3'}"
    (base / "centre").mkdir()
    engine = centre_db.open_engine(url)
    centre_db.upgrade(engine)
    sessions = centre_db.session_factory(engine)
    with sessions.begin() as session:
        load_reference(session, reference.default())
        district = reference.default().districts[0].code
        neighbourhood = reference.default().neighbourhoods_of(district)[0].code
        requests = []
        for _ in range(args.requests):
            request = ops.intake(session, district_code=district, category_code="garbage",
                                 description="شرح", neighbourhood_code=neighbourhood, actor="operator",
                                 citizen_phone="09121234567")
            ops.refer(session, request.id, actor="operator")
            requests.append(request.id)
    code = subprocess.run([sys.executable, "-m", "sync.server.cli", "--database-url", url, "office",
                           "add", "Bench", "--districts", district], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout.strip().splitlines()[-1]
    port, plain_port = free_port(), free_port()
    (base / "trivial.py").write_text(TRIVIAL)
    processes = [
        subprocess.Popen([sys.executable, "-m", "sync.server.cli", "--database-url", url, "serve",
                          "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL),
        subprocess.Popen([sys.executable, "-m", "uvicorn", "trivial:app", "--port", str(plain_port),
                          "--log-level", "warning"], cwd=base, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL),
    ]
    try:
        wait_up(f"http://127.0.0.1:{port}/health")
        wait_up(f"http://127.0.0.1:{plain_port}/")
        store = open_store(base / "office")
        sync_service.enroll(store, f"http://127.0.0.1:{port}", code)
        identity = sync_service.office_identity(store)
        manager = Actor(username="manager", role=Role.MANAGER, office_id=identity.office_id,
                        office_number=identity.number)
        # The office's first user is its manager (introduced to the centre by the round).
        from desktop_app.services.users import create_user  # noqa: PLC0415

        create_user(store.sessions, username="manager", display_name="مدیر", role=Role.MANAGER,
                    password="manager1234")
        sync_service.sync_once(store)

        def round_with(label: str, photos: int) -> sync_service.SyncReport:
            centre_changes(engine, requests, label)
            desk = Desk(store.sessions, manager)
            for request_id in requests[:args.notes]:
                desk.add_note(request_id, label)
            if photos:
                shelf = Attachments(store.sessions, manager)
                start = time.perf_counter()
                for i in range(photos):
                    shelf.attach(requests[i % len(requests)], filename=f"{i}.jpg", media_type="image/jpeg",
                                 content=b"\xff\xd8\xff\xe0" + os.urandom(args.size - 4))
                print(f"  (attaching {photos} photos at the desk took {time.perf_counter() - start:.1f} s)")
            report = sync_service.sync_once(store)
            rows = (report.rows_finished_at - report.started_at).total_seconds()
            blobs = (report.finished_at - report.rows_finished_at).total_seconds()
            print(f"{label:<28} rows part {rows:7.2f} s   bytes part {blobs:7.2f} s   "
                  f"pushed {report.pushed}, pulled {report.pulled}, photos sent {report.blobs.sent} "
                  f"({report.blobs.sent_bytes / 1e6:.0f} MB), failed {report.blobs.failed}; "
                  f"load {os.getloadavg()[0]:.2f}", flush=True)
            return report

        without = [round_with(f"round without photos {i}", 0) for i in (1, 2)]
        with_photos = round_with("round with photos", args.photos)
        after = round_with("round without photos 3", 0)
        plain_start = time.perf_counter()
        with httpx.Client(timeout=60) as client:
            for i in range(args.photos):
                client.put(f"http://127.0.0.1:{plain_port}/{i}",
                           content=b"\xff\xd8\xff\xe0" + os.urandom(args.size - 4)).raise_for_status()
        plain = time.perf_counter() - plain_start
        # (os.urandom is inside the plain loop: time it alone and take it out.)
        gen_start = time.perf_counter()
        for _ in range(args.photos):
            os.urandom(args.size)
        plain -= time.perf_counter() - gen_start
        sent = (with_photos.finished_at - with_photos.rows_finished_at).total_seconds()
        rows_without = sorted((r.rows_finished_at - r.started_at).total_seconds() for r in (*without, after))
        rows_with = (with_photos.rows_finished_at - with_photos.started_at).total_seconds()
        median = rows_without[len(rows_without) // 2]
        print(f"plain HTTP upload of the same bytes: {plain:.2f} s; Daftar's bytes part: {sent:.2f} s; "
              f"ratio {sent / plain:.2f}")
        print(f"change-log part: {rows_with:.2f} s with photos waiting vs {median:.2f} s (median of "
              f"{len(rows_without)} without): {100 * (rows_with / median - 1):+.1f} %")
        print(f"load {os.getloadavg()}")
        store.close()
    finally:
        for process in processes:
            process.kill()
            process.wait()
        engine.dispose()
        import shutil

        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
