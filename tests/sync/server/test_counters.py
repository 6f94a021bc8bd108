"""The centre's counters: change-log sequence numbers are consecutive, gap-free and
commit in order, so that an office pulling "seq > cursor" never skips a change.

The concurrency tests use real threads, each with its own connection, against the
real database (PostgreSQL is where it matters; SQLite serialises writers).
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync.db import make_engine
from sync.server import db as centre_db
from sync.server.db import allocate_seq, last_seq, take_numbers
from sync.server.models import ChangeLog, Counter

NOW = dt.datetime(2026, 3, 21, tzinfo=dt.timezone.utc)


def log_row(session: Session, seq: int, key: str) -> None:
    session.execute(
        sa.insert(ChangeLog).values(
            seq=seq, entity="request", entity_key=key, district_code="1-1", op="upsert", at=NOW
        )
    )


def seqs(engine: sa.Engine, after: int = 0) -> list[int]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(ChangeLog.seq).where(ChangeLog.seq > after).order_by(ChangeLog.seq)
            ).scalars()
        )


# ------------------------------------------------------------ one connection


def test_numbers_are_consecutive(centre_engine: sa.Engine):
    sessions = centre_db.session_factory(centre_engine)
    with sessions.begin() as session:
        assert last_seq(session) == 0
        assert allocate_seq(session) == 1
        assert allocate_seq(session) == 2
        assert allocate_seq(session, 5) == 3  # 3..7
        assert last_seq(session) == 7
    with sessions.begin() as session:
        assert allocate_seq(session) == 8
        assert take_numbers(session, centre_db.CHANGE_LOG_COUNTER, 2) == 9
        assert last_seq(session) == 10


def test_counters_are_independent(centre_engine: sa.Engine):
    sessions = centre_db.session_factory(centre_engine)
    with sessions.begin() as session:
        assert take_numbers(session, "tracking:1405") == 1
        assert take_numbers(session, "tracking:1405") == 2
        assert take_numbers(session, "tracking:1406", 3) == 1
        assert take_numbers(session, "tracking:1406") == 4
        assert allocate_seq(session) == 1
    with sessions() as session:
        values = dict(session.execute(sa.select(Counter.name, Counter.value)).all())
    assert values == {"tracking:1405": 2, "tracking:1406": 4, "change_log": 1}


def test_a_rolled_back_transaction_gives_its_numbers_back(centre_engine: sa.Engine):
    sessions = centre_db.session_factory(centre_engine)
    with sessions.begin() as session:
        assert allocate_seq(session, 3) == 1
    session = sessions()
    assert allocate_seq(session, 10) == 4
    session.rollback()
    session.close()
    with sessions.begin() as session:
        assert allocate_seq(session) == 4
    # Also the very first use of a counter.
    session = sessions()
    assert take_numbers(session, "fresh", 2) == 1
    session.rollback()
    session.close()
    with sessions.begin() as session:
        assert take_numbers(session, "fresh") == 1


@pytest.mark.parametrize("count", [0, -1])
def test_count_must_be_positive(centre_engine: sa.Engine, count: int):
    with centre_db.session_factory(centre_engine)() as session:
        with pytest.raises(ValueError):
            take_numbers(session, "x", count)


# -------------------------------------------------------------- concurrency


def _impatient(url: str) -> sa.Engine:
    """A writing engine that gives up at once instead of waiting for a lock another
    transaction holds: SQLite with no busy timeout, PostgreSQL with a short
    ``lock_timeout``.  Its error is the proof that a writer would have had to wait."""
    engine = make_engine(centre_db.normalise_url(url))

    @sa.event.listens_for(engine, "connect")
    def _give_up_at_once(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA busy_timeout=0")
        else:
            cursor.execute("SET lock_timeout = '100ms'")
            dbapi_conn.commit()
        cursor.close()

    return engine


def _until_a_backend_waits_for_a_lock(engine: sa.Engine, gave_up: threading.Event) -> None:
    """Poll PostgreSQL until a session of this database waits for a lock (writer B
    behind A's counter row); fails if ``gave_up`` is set first (B got through)."""
    deadline = time.monotonic() + 30
    with engine.connect() as conn:
        while not gave_up.is_set():
            waiting = conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
            conn.rollback()
            if waiting:
                return
            assert time.monotonic() < deadline, "writer B neither waited nor got a number"
            time.sleep(0.01)
    pytest.fail("B got a number while A was open")


def test_a_second_writer_waits_for_the_first_to_commit(centre_engine: sa.Engine, centre_url: str):
    """Writer A takes a number and holds its transaction open; writer B must not get
    a number (let alone commit a larger one) until A has committed, or a pull that
    ran in between would pass over A's change for good.

    The order is made by the test, not by sleeps: A stays open until the test
    commits it, an impatient B proves it cannot get a number meanwhile, and a
    patient B that asked while A was open gets the next number once A commits."""
    sessions = centre_db.session_factory(centre_engine)
    with sessions.begin() as session:  # the counter row exists: the common case
        log_row(session, allocate_seq(session), "warm-up")

    a = sessions()
    try:
        assert allocate_seq(a) == 2
        log_row(a, 2, "a")

        # A pull while A is open (a reading engine: on SQLite it must not queue as a
        # writer, or this would wait for A, which only this thread can commit).
        reader = make_engine(centre_db.normalise_url(centre_url), immediate=False)
        try:
            assert seqs(reader, after=1) == []
        finally:
            reader.dispose()

        # A writer that will not wait is refused: B cannot get a number while A is open.
        impatient = _impatient(centre_url)
        try:
            with pytest.raises(sa.exc.OperationalError):
                with centre_db.session_factory(impatient).begin() as b:
                    allocate_seq(b)
        finally:
            impatient.dispose()

        # A writer that waits: it asks while A is open and gets its number after A.
        b_asks, b_has_number = threading.Event(), threading.Event()
        numbers: dict[str, int] = {}
        errors: list[BaseException] = []

        def writer_b() -> None:
            try:
                with sessions.begin() as session:
                    b_asks.set()
                    numbers["b"] = allocate_seq(session)
                    b_has_number.set()
                    log_row(session, numbers["b"], "b")
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)
                b_asks.set()

        b = threading.Thread(target=writer_b)
        b.start()
        assert b_asks.wait(30), "writer B never started"
        if centre_engine.dialect.name == "postgresql":
            _until_a_backend_waits_for_a_lock(centre_engine, b_has_number)
        assert not b_has_number.is_set(), "B got a number while A was open"
        a.commit()
    finally:
        a.close()
    b.join(30)
    assert not b.is_alive(), "writer B still waits after A committed"
    assert not errors, errors
    assert numbers == {"b": 3}
    assert seqs(centre_engine) == [1, 2, 3]


def _hammer(engine: sa.Engine, writers: int, per_writer: int, fresh_counter: bool):
    """Writers allocate, insert, dawdle a little and commit (some roll back), while
    a reader pulls "seq > cursor" as an office does.  Returns what it saw: every
    writer's last round waits until the reader has seen a page, so there are at
    least two pages when any last round commits."""
    sessions = centre_db.session_factory(engine)
    if not fresh_counter:
        with sessions.begin() as session:
            take_numbers(session, centre_db.CHANGE_LOG_COUNTER, 1)
            log_row(session, 1, "seed")

    committed: list[int] = []
    lock = threading.Lock()
    errors: list[BaseException] = []
    start = threading.Barrier(writers + 1)
    done = threading.Event()
    pulls: list[list[int]] = []
    first_page = threading.Event()

    def writer(n: int) -> None:
        rnd = random.Random(n)
        try:
            start.wait()
            for i in range(per_writer):
                if i == per_writer - 1:
                    # The last round commits after the reader has seen a page, so
                    # the reader pulls alongside the writers however they are scheduled.
                    first_page.wait(60)
                session = sessions()
                try:
                    count = rnd.randint(1, 3)
                    first = allocate_seq(session, count)
                    for k in range(count):
                        log_row(session, first + k, f"w{n}-{i}-{k}")
                    time.sleep(rnd.random() * 0.004)
                    if rnd.random() < 0.15:
                        session.rollback()
                    else:
                        session.commit()
                        with lock:
                            committed.extend(range(first, first + count))
                finally:
                    session.close()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    def reader() -> None:
        cursor = 0 if fresh_counter else 1
        try:
            start.wait()
            while True:
                finished = done.is_set()
                page = seqs(engine, after=cursor)
                if page:
                    pulls.append(page)
                    cursor = page[-1]
                    first_page.set()
                if finished:
                    return
                time.sleep(0.001)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    pull = threading.Thread(target=reader)
    for t in threads:
        t.start()
    pull.start()
    for t in threads:
        t.join(120)
    done.set()
    pull.join(30)
    assert not errors, errors[:3]
    return sorted(committed), pulls


def _check(engine: sa.Engine, committed: list[int], pulls: list[list[int]], base: int) -> None:
    total = len(committed)
    assert total > 0
    # Gap-free and no duplicates: exactly base+1 .. base+total were committed.
    assert committed == list(range(base + 1, base + total + 1))
    assert seqs(engine, after=base) == committed
    # Every pull was a run with no hole: a hole is a smaller number committing
    # after a larger one was visible, and the office would skip it for ever.
    for page in pulls:
        assert page == list(range(page[0], page[0] + len(page))), page
    seen = [s for page in pulls for s in page]
    assert seen == committed, "the puller skipped or repeated a change"
    with centre_db.session_factory(engine)() as session:
        assert last_seq(session) == base + total


@pytest.mark.postgres
@pytest.mark.parametrize("centre_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("fresh_counter", [False, True], ids=["counter-exists", "first-use"])
def test_concurrent_writers_on_postgresql(centre_url: str, fresh_counter: bool):
    assert centre_url.startswith("postgresql")
    engine = make_engine(centre_db.normalise_url(centre_url), pool_size=12, max_overflow=0)
    try:
        committed, pulls = _hammer(engine, writers=8, per_writer=25, fresh_counter=fresh_counter)
        _check(engine, committed, pulls, base=0 if fresh_counter else 1)
        assert len(pulls) > 1  # the reader ran alongside (the seeds commit last rounds)
    finally:
        engine.dispose()


@pytest.mark.parametrize("centre_url", ["sqlite"], indirect=True)
def test_concurrent_writers_on_sqlite(centre_url: str):
    assert centre_url.startswith("sqlite")
    engine = centre_db.open_engine(centre_url)
    try:
        committed, pulls = _hammer(engine, writers=4, per_writer=10, fresh_counter=True)
        _check(engine, committed, pulls, base=0)
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("centre_url", ["postgresql"], indirect=True)
def test_first_use_race_on_postgresql(centre_url: str):
    """Many transactions take the first number of a counter that does not exist
    yet, all at once: one inserts the row, the others wait and then update it."""
    assert centre_url.startswith("postgresql")
    engine = make_engine(centre_db.normalise_url(centre_url), pool_size=10, max_overflow=0)
    sessions = centre_db.session_factory(engine)
    got: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def take() -> None:
        try:
            with sessions.begin() as session:
                barrier.wait()
                got.append(take_numbers(session, "tracking:race"))
                time.sleep(0.05)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=take) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    engine.dispose()
    assert not errors, errors
    assert sorted(got) == list(range(1, 9))
