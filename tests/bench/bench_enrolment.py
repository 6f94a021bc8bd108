"""Benchmark: offices keep syncing while clients guess enrolment codes.

A script, not a test (pytest does not collect ``bench_*.py``); it prints numbers and
asserts nothing about time.  A real centre under uvicorn on loopback (as in
``bench_sync.py``), ``--offices`` enrolled offices and ``--legacy-codes`` offices
waiting with codes hashed the old way (no hint: every admitted guess runs argon2 on
each of them, the worst case, while such codes last; with codes made now a wrong
guess almost never reaches argon2).  Two phases:

1. **quiet**: every office does ``--rounds`` sync rounds (hello, then an empty pull);
2. **under guessing**: the same while ``--guessers`` clients send wrong codes as fast
   as they are answered (from a process of their own), each guess from a new address (``X-Forwarded-For``, which
   uvicorn trusts from loopback), so only the global limit holds them back.

For each phase: the p50/p95/max of a round, the count of 5xx answers (must be 0),
and the guesses' answers by status.  Bounded: the guessers stop when the offices are
done, and the whole run by ``--deadline`` seconds.

    .venv/bin/python tests/bench/bench_enrolment.py [--offices 50] [--guessers 20]
        [--rounds 10] [--legacy-codes 0] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import datetime as dt
import itertools
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any
from pathlib import Path

import httpx
import sqlalchemy as sa
from argon2 import PasswordHasher

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sync import reference as ref  # noqa: E402
from sync.dates import utcnow  # noqa: E402
from sync.protocol import CREDENTIAL_HEADER, PROTOCOL_HEADER, PROTOCOL_VERSION  # noqa: E402
from sync.server import db as centre_db  # noqa: E402
from sync.server.enrolment import new_enrolment_code, normalise_enrolment_code  # noqa: E402
from sync.server.models import Office  # noqa: E402
from sync.server.reference_io import load_reference  # noqa: E402
from tests.bench.bench_import import throwaway_postgres  # noqa: E402
from tests.bench.bench_sync import add_office, serving  # noqa: E402

HEADERS = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def prepare(url: str, offices: int, legacy: int) -> list[str]:
    """A centre with reference data; the enrolment codes of ``offices`` new offices,
    and ``legacy`` more offices waiting with old-style (hint-less) hashes."""
    engine = centre_db.open_engine(url)
    centre_db.upgrade(engine)
    with centre_db.session_factory(engine).begin() as session:
        load_reference(session, ref.default())
    districts = [d.code for d in ref.default().districts]
    codes = [add_office(engine, f"office-{i}", [districts[i % len(districts)]])
             for i in range(offices)]
    hasher = PasswordHasher()
    with centre_db.session_factory(engine).begin() as session:
        for i in range(legacy):
            number = (session.scalar(sa.select(sa.func.max(Office.number))) or 0) + 1
            session.add(Office(name=f"waiting-{i}", number=number, all_districts=False,
                               created_at=utcnow(),
                               enrolment_code_hash=hasher.hash(
                                   normalise_enrolment_code(new_enrolment_code())),
                               enrolment_expires_at=utcnow() + dt.timedelta(days=1)))
    engine.dispose()
    return codes


def enrol_all(base: str, codes: list[str]) -> list[str]:
    with httpx.Client(base_url=base, timeout=60) as client:
        credentials = []
        for code in codes:
            response = client.post("/sync/enrol", headers=HEADERS,
                                   json={"protocol_version": PROTOCOL_VERSION, "code": code})
            response.raise_for_status()
            credentials.append(response.json()["credential"])
        return credentials


async def office(client: httpx.AsyncClient, credential: str, rounds: int,
                 times: list[float], statuses: collections.Counter[int]) -> None:
    headers = {**HEADERS, CREDENTIAL_HEADER: credential}
    for _ in range(rounds):
        started = time.perf_counter()
        hello = await client.get("/sync/hello", headers=headers)
        statuses[hello.status_code] += 1
        last = hello.json().get("last_seq", 0) if hello.status_code == 200 else 0
        pull = await client.get("/sync/pull", headers=headers, params={"cursor": last})
        statuses[pull.status_code] += 1
        times.append(time.perf_counter() - started)


async def guesser(client: httpx.AsyncClient, addresses: Iterator[int], stop: Any,
                  statuses: collections.Counter[int]) -> None:
    while not stop.is_set():
        n = next(addresses)
        forwarded = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
        try:
            response = await client.post(
                "/sync/enrol", headers={**HEADERS, "X-Forwarded-For": forwarded},
                json={"protocol_version": PROTOCOL_VERSION, "code": new_enrolment_code()})
            statuses[response.status_code] += 1
        except httpx.TransportError:
            statuses[0] += 1


def guessing_process(base: str, guessers: int, first_address: int, started: Any, stop: Any,
                     answers: Any) -> None:
    """The guessers, in a process of their own: their client work must not slow the
    offices' event loop, which would count as sync time."""
    async def main() -> collections.Counter[int]:
        statuses: collections.Counter[int] = collections.Counter()
        limits = httpx.Limits(max_connections=guessers + 5, keepalive_expiry=2.0)
        async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
            addresses = itertools.count(first_address)
            tasks = [asyncio.create_task(guesser(client, addresses, stop, statuses))
                     for _ in range(guessers)]
            started.set()
            await asyncio.gather(*tasks)
        return statuses

    answers.put(dict(asyncio.run(main())))


async def offices(base: str, credentials: list[str], rounds: int,
                  deadline: float) -> tuple[list[float], collections.Counter[int]]:
    times: list[float] = []
    statuses: collections.Counter[int] = collections.Counter()
    # Idle connections are dropped before uvicorn closes them (5 s), not raced.
    limits = httpx.Limits(max_connections=len(credentials) + 10, keepalive_expiry=2.0)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        await asyncio.wait_for(asyncio.gather(
            *(office(client, c, rounds, times, statuses) for c in credentials)), deadline)
    return times, statuses


def phase(base: str, credentials: list[str], rounds: int, guessers: int, deadline: float,
          first_address: int) -> tuple[list[float], collections.Counter[int], collections.Counter[int]]:
    context = mp.get_context("spawn")
    started, stop, answers = context.Event(), context.Event(), context.Queue()
    process = None
    if guessers:
        process = context.Process(target=guessing_process,
                                  args=(base, guessers, first_address, started, stop, answers))
        process.start()
        started.wait(120)
    try:
        times, sync_statuses = asyncio.run(offices(base, credentials, rounds, deadline))
    finally:
        stop.set()
    guess_statuses: collections.Counter[int] = collections.Counter()
    if process is not None:
        guess_statuses.update(answers.get(timeout=300))
        process.join(60)
    return times, sync_statuses, guess_statuses


def report(label: str, times: list[float], sync_statuses: collections.Counter[int],
           guess_statuses: collections.Counter[int], seconds: float) -> None:
    fives = sum(n for status, n in (sync_statuses + guess_statuses).items() if status >= 500)
    print(f"[{label}] {len(times)} rounds (hello + empty pull) in {seconds:.1f} s: "
          f"p50 {1000 * statistics.median(times):.0f} ms, p95 {1000 * percentile(times, 0.95):.0f} ms, "
          f"max {1000 * max(times):.0f} ms; sync answers {dict(sorted(sync_statuses.items()))}; "
          f"guesses {dict(sorted(guess_statuses.items()))}; 5xx: {fives}; "
          f"load average {os.getloadavg()[0]:.1f}")


def bench(label: str, url: str) -> None:
    codes = prepare(url, ARGS.offices, ARGS.legacy_codes)
    with serving(url) as base:
        credentials = enrol_all(base, codes)
        for n, (name, guessers) in enumerate((("quiet", 0), ("under guessing", ARGS.guessers))):
            started = time.perf_counter()
            times, sync_statuses, guess_statuses = phase(
                base, credentials, ARGS.rounds, guessers, ARGS.deadline, 1 + n * 1_000_000)
            report(f"{label}, {name}", times, sync_statuses, guess_statuses,
                   time.perf_counter() - started)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        bench("sqlite", f"sqlite:///{Path(folder) / 'centre.sqlite3'}")
    if ARGS.postgres:
        with contextlib.ExitStack() as stack:
            bench("postgresql", stack.enter_context(throwaway_postgres(ARGS.postgres)))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offices", type=int, default=50)
    parser.add_argument("--guessers", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=10, help="sync rounds per office and phase")
    parser.add_argument("--legacy-codes", type=int, default=0,
                        help="offices waiting with hint-less hashes (argon2 on every guess)")
    parser.add_argument("--deadline", type=float, default=300.0, help="seconds per phase at most")
    parser.add_argument("--postgres", metavar="URL", help="also on this PostgreSQL server")
    ARGS = parser.parse_args()
    main()
