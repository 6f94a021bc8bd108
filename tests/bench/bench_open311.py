"""Benchmark of the Open311 endpoints on PostgreSQL, over HTTP to a real server.

A script, not a test (pytest does not collect ``bench_*.py``).  It makes a
throwaway database on the PostgreSQL server, migrates it, loads the Kashan
reference data, fills it with ``--requests`` requests (1,000,000 by default:
written by one ``INSERT … SELECT generate_series`` — the GET side reads only the
requests table, so no history or change log is made for them), starts
``daftar-server serve`` (uvicorn) in a subprocess and then measures:

* ``POST requests.json`` — ``--clients`` concurrent httpx async clients (50), each
  posting ``--posts-each`` requests: p50/p95/max latency and requests per second;
* ``GET requests.json`` with the standard's filters, one client, ``--gets``
  repetitions of each query shape: p50/p95/max latency and the rows answered.

It prints the load average (``uptime``) before and after: the machine is shared.

    .venv/bin/python tests/bench/bench_open311.py [--postgres URL] [--requests N]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sync import reference as ref
from sync.dates import utcnow
from sync.server import db
from sync.server.models import ApiClient
from sync.server.open311.keys import hash_key, new_key
from sync.server.reference_io import load_reference

DEFAULT_URL = os.environ.get("DAFTAR_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")

FILL = """
INSERT INTO requests (id, tracking_code, received_at, channel, district_code, neighbourhood_code,
    category_code, description, citizen_name, citizen_phone, address, latitude, longitude, status,
    closed_at, outcome_reason, outcome_note, version, updated_at, due_at)
SELECT gen_random_uuid(), (1300000000 + g)::text, at, 'phone', h.district_code, h.code, c.code,
    'آسفالت کوچه خراب است و چاله دارد', 'علی کریمی', '0913' || lpad((g % 10000000)::text, 7, '0'),
    h.name_fa || '، خیابان امیرکبیر', 33.98, 51.43,
    s.status, CASE WHEN s.status IN ('done', 'not_actionable') THEN at + interval '3 days' END,
    CASE WHEN s.status = 'not_actionable' THEN (ARRAY['duplicate','not_municipal','false_report',
        'not_found'])[1 + g % 4] END,
    '', 1, at + interval '3 days', at + interval '7 days'
FROM (SELECT g, now() - ((g::bigint * 7919) % 31536000) * interval '1 second' AS at,
             g % :hoods AS hi, (g / 7) % :cats AS ci, g % 10 AS si
      FROM generate_series(1, :n) AS g) AS x
JOIN (SELECT code, district_code, name_fa, row_number() OVER (ORDER BY code) - 1 AS i
      FROM neighbourhoods) AS h ON h.i = x.hi
JOIN (SELECT code, row_number() OVER (ORDER BY code) - 1 AS i FROM categories) AS c ON c.i = x.ci
JOIN (VALUES (0, 'done'), (1, 'done'), (2, 'done'), (3, 'done'), (4, 'not_actionable'),
             (5, 'referred'), (6, 'assigned'), (7, 'in_progress'), (8, 'received'),
             (9, 'done')) AS s(i, status) ON s.i = x.si
"""


def _uptime() -> str:
    return subprocess.run(["uptime"], check=False, capture_output=True, text=True).stdout.strip()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stats(name: str, seconds: list[float], extra: str = "") -> None:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
    print(f"{name:<58} n={len(ms):>5}  p50 {statistics.median(ms):7.1f} ms  "
          f"p95 {p95:7.1f} ms  max {ms[-1]:7.1f} ms  {extra}", flush=True)


def prepare(url: str, rows: int, *, fill: bool = True) -> str:
    engine = db.open_engine(url)
    db.upgrade(engine)
    sessions = db.session_factory(engine)
    with sessions.begin() as session:
        load_reference(session, ref.load())
        key = new_key()
        session.add(ApiClient(name=f"bench-{uuid.uuid4().hex[:8]}", key_hash=hash_key(key),
                              created_at=utcnow()))
    if not fill:
        engine.dispose()
        return key
    started = time.perf_counter()
    with engine.begin() as conn:
        hoods = conn.scalar(sa.text("SELECT count(*) FROM neighbourhoods"))
        cats = conn.scalar(sa.text("SELECT count(*) FROM categories"))
        conn.execute(sa.text(FILL), {"n": rows, "hoods": hoods, "cats": cats})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE requests"))
    print(f"filled {rows:,} requests in {time.perf_counter() - started:.1f} s", flush=True)
    engine.dispose()
    return key


async def post_phase(base: str, key: str, clients: int, each: int) -> None:
    latencies: list[float] = []
    failures: list[str] = []

    async def one_client(number: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            for i in range(each):
                form = {"api_key": key, "service_code": "asphalt", "address_id": "fin",
                        "description": f"چاله در کوچه {number}-{i}", "first_name": "علی",
                        "last_name": "کریمی", "phone": "09131234567", "lat": "33.98", "long": "51.43"}
                started = time.perf_counter()
                response = await client.post("/open311/v2/requests.json", data=form)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 201:
                    failures.append(f"{response.status_code} {response.text[:200]}")

    started = time.perf_counter()
    await asyncio.gather(*(one_client(n) for n in range(clients)))
    wall = time.perf_counter() - started
    _stats(f"POST requests.json, {clients} concurrent clients", latencies,
           f"{len(latencies) / wall:.0f} req/s, {len(failures)} failed")
    if failures:
        print("  first failure:", failures[0])


def get_phase(base: str, reps: int) -> None:
    now = utcnow()
    month_ago = (now - dt.timedelta(days=30)).isoformat()
    half_year = (now - dt.timedelta(days=180)).isoformat()
    five_months = (now - dt.timedelta(days=150)).isoformat()
    shapes = {
        "default (last 90 days, 1000 rows)": {},
        "status=open": {"status": "open"},
        "service_code=garbage": {"service_code": "garbage"},
        "service_code=garbage&status=closed": {"service_code": "garbage", "status": "closed"},
        "start/end (a month, 150-180 days ago)&service_code": {
            "start_date": half_year, "end_date": five_months, "service_code": "asphalt,curbs"},
        "start_date (30 days)&status=open&page_size=100&page=3": {
            "start_date": month_ago, "status": "open", "page_size": "100", "page": "3"},
        "service_request_id (20 codes)": {
            "service_request_id": ",".join(str(1300000000 + i * 4999) for i in range(1, 21))},
        "page=50&page_size=100 (deep page)": {"page": "50", "page_size": "100"},
    }
    with httpx.Client(base_url=base, timeout=60) as client:
        for name, params in shapes.items():
            for fmt in ("json", "xml"):
                latencies, count = [], 0
                for _ in range(reps):
                    started = time.perf_counter()
                    response = client.get(f"/open311/v2/requests.{fmt}", params=params)
                    latencies.append(time.perf_counter() - started)
                    assert response.status_code == 200, response.text[:300]
                    count = len(response.json()) if fmt == "json" else response.text.count("<request>")
                _stats(f"GET requests.{fmt} {name}", latencies, f"{count} rows")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default=DEFAULT_URL, help="server URL (a throwaway "
                        "database is made there and dropped)")
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--posts-each", type=int, default=20)
    parser.add_argument("--gets", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the database (prints its URL)")
    parser.add_argument("--reuse", metavar="URL", help="a database kept by --keep: upgraded, "
                        "not filled again, kept")
    args = parser.parse_args()
    if args.reuse:
        return measure(args, args.reuse, fill=False)

    admin = sa.create_engine(db.normalise_url(args.postgres), isolation_level="AUTOCOMMIT")
    name = f"daftar_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(db.normalise_url(args.postgres)).set(database=name).render_as_string(
        hide_password=False)
    try:
        measure(args, url, fill=True)
    finally:
        if args.keep:
            print("kept:", url)
        else:
            with admin.connect() as conn:
                conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                     "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
    return 0


def measure(args: argparse.Namespace, url: str, *, fill: bool) -> int:
    server = None
    try:
        print("load before:", _uptime(), flush=True)
        key = prepare(url, args.requests, fill=fill)
        port = _free_port()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        server = subprocess.Popen(
            [sys.executable, "-m", "sync.server.cli", "--database-url", url, "serve",
             "--port", str(port)], env=env, cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        get_phase(base, args.gets)
        asyncio.run(post_phase(base, key, args.clients, args.posts_each))
        print("load after:", _uptime(), flush=True)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
