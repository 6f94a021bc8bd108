"""Benchmark: the SMS channel's throughput at the centre.

A script, not a test (pytest does not collect ``bench_*.py``); it prints numbers and
asserts nothing about time.  For each database (a SQLite file, and PostgreSQL when
``--postgres URL`` or ``DAFTAR_TEST_POSTGRES_URL`` reaches a server):

1. **inbound**: a real ``daftar-server serve`` on loopback takes ``--messages``
   citizens' SMS posted to its gateway callback by ``--clients`` concurrent clients
   (each one a new request: the heaviest kind — a tracking code, the request, two
   events, the registration SMS queued); prints messages/s and p50/p95 latency.
2. **outbox**: the registration messages so queued are sent by one sender
   (``Sender.drain``, what ``serve`` and ``sms send-pending`` run) through Kavenegar's
   API to the fake gateway process (tests/sync/server/sms/fake_gateway.py, no delay);
   prints messages/s, and checks each localid reached the gateway once.

    .venv/bin/python tests/bench/bench_sms.py [--messages 2000] [--clients 32] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sync import reference
from sync.server import db as centre_db
from sync.server.models import SmsOutbox
from sync.server.reference_io import load_reference
from sync.server.sms.kavenegar import KavenegarProvider
from sync.server.sms.outbox import Sender
from sync.server.sms.settings import SmsSettings
from tests.sync.test_processes import Server, free_port

SECRET = "bench-secret"


def _prepare(url: str) -> None:
    engine = centre_db.open_engine(url)
    centre_db.upgrade(engine)
    with centre_db.session_factory(engine).begin() as session:
        load_reference(session, reference.default())
    engine.dispose()


async def _post_all(base: str, messages: int, clients: int) -> list[float]:
    limit = asyncio.Semaphore(clients)
    times: list[float] = []
    async with httpx.AsyncClient(base_url=base, timeout=120,
                                 limits=httpx.Limits(max_connections=clients)) as client:
        async def one(i: int) -> None:
            async with limit:
                start = time.perf_counter()
                answer = await client.post("/sms/kavenegar/receive", params={"secret": SECRET}, data={
                    "messageid": f"bench-{i}", "from": f"0935{i:07d}", "to": "10007000137",
                    "message": f"گزارش {i}: چاله بزرگ در خیابان امیرکبیر"})
                answer.raise_for_status()
                times.append(time.perf_counter() - start)
        await asyncio.gather(*(one(i) for i in range(messages)))
    return times


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(name: str, url: str, messages: int, clients: int, workdir: Path) -> None:
    _prepare(url)
    server = Server(url, env={"DAFTAR_SMS_SECRET": SECRET, "DAFTAR_SMS_INTERVAL": "3600",
                              "DAFTAR_SMS_DIR": str(workdir / f"{name}-sms")})
    server.start()
    try:
        start = time.perf_counter()
        times = asyncio.run(_post_all(server.base, messages, clients))
        wall = time.perf_counter() - start
    finally:
        server.kill()
    print(f"{name} inbound: {messages} SMS by {clients} clients in {wall:.1f} s = "
          f"{messages / wall:.0f} SMS/s; latency p50 {_pct(times, .5) * 1000:.0f} ms, "
          f"p95 {_pct(times, .95) * 1000:.0f} ms")

    log = workdir / f"{name}-gateway.jsonl"
    port = free_port()
    gateway = subprocess.Popen([sys.executable, "-m", "tests.sync.server.sms.fake_gateway", str(port),
                                str(log), "0"], cwd=ROOT)
    try:
        for _ in range(100):
            try:
                httpx.post(f"http://127.0.0.1:{port}/v1/k/sms/x.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        engine = centre_db.open_engine(url)
        settings = SmsSettings(provider="kavenegar", api_key="bench")
        provider = KavenegarProvider("bench", base_url=f"http://127.0.0.1:{port}/v1")
        sender = Sender(centre_db.session_factory(engine), provider, settings)
        start = time.perf_counter()
        result = sender.drain(limit=100)
        wall = time.perf_counter() - start
        with engine.connect() as conn:
            left = conn.scalar(sa.select(sa.func.count()).select_from(SmsOutbox)
                               .where(SmsOutbox.status != "sent"))
        engine.dispose()
    finally:
        gateway.kill()
        gateway.wait()
    sends = collections.Counter(json.loads(line)["localid"] for line in log.read_text().splitlines()
                                if json.loads(line)["method"] == "send")
    print(f"{name} outbox: {result.sent} sent in {wall:.1f} s = {result.sent / wall:.0f} SMS/s "
          f"(one sender, HTTP to the fake gateway, a sms_sent event each); not sent: {left}; "
          f"sent twice: {sum(1 for n in sends.values() if n > 1)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--postgres", default=os.environ.get(
        "DAFTAR_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="bench-sms-") as folder:
        work = Path(folder)
        run("sqlite", f"sqlite:///{work / 'centre.sqlite3'}", args.messages, args.clients, work)
        admin = sa.create_engine(centre_db.normalise_url(args.postgres), isolation_level="AUTOCOMMIT")
        name = f"bench_sms_{uuid.uuid4().hex[:8]}"
        try:
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        except sa.exc.OperationalError as exc:
            print(f"postgresql: skipped ({exc.orig})")
            return
        try:
            url = sa.make_url(centre_db.normalise_url(args.postgres)).set(database=name)
            run("postgresql", url.render_as_string(hide_password=False), args.messages,
                args.clients, work)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                     "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            admin.dispose()
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
