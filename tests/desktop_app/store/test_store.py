"""The office's local database: where it lives and how its SQLite connections behave."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop_app.store import db as store_db
from desktop_app.store import models as m
from desktop_app.store.db import DB_NAME, default_data_dir, open_store
from sync.dates import TEHRAN, UTC
from sync.db import make_engine


@pytest.fixture
def store(tmp_path: Path):
    opened = open_store(tmp_path / "data")
    yield opened
    opened.close()


def pragma(conn: sa.Connection, name: str):
    return conn.exec_driver_sql(f"PRAGMA {name}").scalar()


def add_reference(store) -> None:
    with store.sessions.begin() as session:
        session.add(m.Region(number=1, name_fa="منطقه یک", name_en="Region 1"))
        session.flush()
        session.add(m.District(code="1-1", region_number=1, name_fa="ناحیه", name_en="D"))


# ----------------------------------------------------------------- the folder


def test_open_store_makes_the_folder_and_the_file(tmp_path: Path):
    folder = tmp_path / "a" / "b"
    opened = open_store(folder)
    try:
        assert opened.folder == folder
        assert opened.db_path == folder / DB_NAME
        assert opened.db_path.is_file()
    finally:
        opened.close()


def test_open_store_accepts_a_string(tmp_path: Path):
    opened = open_store(str(tmp_path))
    opened.close()
    assert (tmp_path / DB_NAME).is_file()


def test_default_data_dir_follows_the_environment(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("DAFTAR_DATA_DIR", str(tmp_path / "env"))
    assert default_data_dir() == tmp_path / "env"
    opened = open_store()
    try:
        assert opened.db_path == tmp_path / "env" / DB_NAME
    finally:
        opened.close()
    monkeypatch.delenv("DAFTAR_DATA_DIR")
    assert default_data_dir() != tmp_path / "env"
    assert "daftar" in str(default_data_dir()).lower()


# ------------------------------------------------------------------- pragmas


def test_every_store_connection_is_wal_with_foreign_keys(store):
    for _ in range(3):  # pooled and new connections alike
        with store.engine.connect() as conn:
            assert pragma(conn, "journal_mode") == "wal"
            assert pragma(conn, "foreign_keys") == 1
            assert pragma(conn, "busy_timeout") == 10000
            assert pragma(conn, "synchronous") == 1  # NORMAL
    with store.sessions() as session:
        assert session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"


def test_pragmas_hold_on_connections_made_from_other_threads(store):
    seen: list[tuple] = []

    def look() -> None:
        with store.engine.connect() as conn:
            seen.append((pragma(conn, "journal_mode"), pragma(conn, "foreign_keys")))

    threads = [threading.Thread(target=look) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [("wal", 1)] * 4


def test_foreign_keys_are_enforced(store):
    add_reference(store)
    with pytest.raises(sa.exc.IntegrityError, match="FOREIGN KEY"):
        with store.sessions.begin() as session:
            session.add(m.Neighbourhood(code="x", district_code="9-9", name_fa="x", name_en="x"))
    with store.sessions.begin() as session:
        session.add(m.Neighbourhood(code="x", district_code="1-1", name_fa="x", name_en="x"))


def test_savepoints_work(store):
    """pysqlite's own transaction handling breaks SAVEPOINT; sync.db takes it over."""
    add_reference(store)
    with store.sessions.begin() as session:
        try:
            with session.begin_nested():
                session.add(m.Region(number=1, name_fa="dup", name_en="dup"))
        except sa.exc.IntegrityError:
            pass
        session.add(m.Region(number=2, name_fa="دو", name_en="Two"))
    with store.sessions() as session:
        assert session.scalars(sa.select(m.Region.number).order_by(m.Region.number)).all() == [1, 2]


def test_a_rolled_back_transaction_leaves_nothing(store):
    with pytest.raises(RuntimeError):
        with store.sessions.begin() as session:
            session.add(m.Region(number=7, name_fa="هفت", name_en="Seven"))
            session.flush()
            raise RuntimeError("crash mid-change")
    with store.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(m.Region)) == 0


def test_two_writers_that_read_first_do_not_fail_with_database_is_locked(store):
    """BEGIN IMMEDIATE: a read-then-write transaction waits for the other writer
    instead of failing at its first write."""
    add_reference(store)
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(10):
                with store.engine.begin() as conn:
                    count = conn.execute(sa.select(sa.func.count()).select_from(m.Region)).scalar()
                    time.sleep(0.002)
                    conn.execute(
                        sa.insert(m.Region).values(
                            number=100 + n * 100 + i, name_fa=str(count), name_en="x"
                        )
                    )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(m.Region)).scalar() == 21


def _no_busy_wait(engine: sa.Engine) -> sa.Engine:
    """``engine`` with no busy timeout: where it would wait for a lock it fails with
    "database is locked" instead, so waiting shows as an error, not as time."""

    @sa.event.listens_for(engine, "connect")
    def _fail_at_once(dbapi_conn, _record) -> None:
        dbapi_conn.execute("PRAGMA busy_timeout=0")

    return engine


def test_a_reader_engine_does_not_wait_for_a_writer(store):
    reader = _no_busy_wait(make_engine(f"sqlite:///{store.db_path}", immediate=False))
    writer_behind = _no_busy_wait(make_engine(f"sqlite:///{store.db_path}"))
    try:
        with store.engine.connect() as writer:
            writer.begin()
            writer.execute(sa.insert(m.Region).values(number=5, name_fa="پنج", name_en="Five"))
            # The open writer holds the lock: a second writer would have to wait.
            with pytest.raises(sa.exc.OperationalError, match="locked"):
                with writer_behind.connect() as conn:
                    conn.execute(sa.select(sa.func.count()).select_from(m.Region))
            with reader.connect() as conn:
                # WAL: the reader sees the last committed state without waiting.
                assert conn.execute(sa.select(sa.func.count()).select_from(m.Region)).scalar() == 0
            writer.commit()
        with reader.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(m.Region)).scalar() == 1
    finally:
        reader.dispose()
        writer_behind.dispose()


# -------------------------------------------------------------------- values


def test_instants_come_back_aware_and_in_utc(store):
    add_reference(store)
    moment = dt.datetime(2026, 3, 21, 0, 10, tzinfo=TEHRAN)
    crew_id = uuid.uuid4()
    with store.sessions.begin() as session:
        session.add(m.Crew(id=crew_id, district_code="1-1", name="اکیپ ۱", updated_at=moment))
    with store.sessions() as session:
        crew = session.get(m.Crew, crew_id)
        assert crew.updated_at == moment
        assert crew.updated_at.tzinfo is not None
        assert crew.updated_at.utcoffset() == dt.timedelta(0)
        assert crew.updated_at == dt.datetime(2026, 3, 20, 20, 40, tzinfo=UTC)
        assert crew.id == crew_id and crew.active is True and crew.version == 1


def test_a_naive_instant_is_refused(store):
    add_reference(store)
    with pytest.raises(sa.exc.StatementError, match="naive"):
        with store.sessions.begin() as session:
            session.add(
                m.Crew(district_code="1-1", name="x", updated_at=dt.datetime(2026, 3, 21))
            )


def test_persian_text_round_trips(store):
    name = "ناحیهٔ یک\u200cم — ۱۴۰۵"
    with store.sessions.begin() as session:
        session.add(m.Region(number=3, name_fa=name, name_en="Three"))
    with store.sessions() as session:
        assert session.get(m.Region, 3).name_fa == name


def test_close_leaves_one_self_contained_file(tmp_path: Path):
    """Closing checkpoints the write-ahead log: the closed database is one file that
    can be copied or moved on its own."""
    opened = open_store(tmp_path)
    add_reference(opened)
    assert (tmp_path / f"{DB_NAME}-wal").exists()
    opened.close()
    assert not (tmp_path / f"{DB_NAME}-wal").exists()
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes((tmp_path / DB_NAME).read_bytes())
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT code FROM districts").fetchall() == [("1-1",)]
    conn.close()


def test_the_store_module_names_its_migrations_folder():
    assert (store_db.MIGRATIONS / "env.py").is_file()
    assert list((store_db.MIGRATIONS / "versions").glob("*.py"))
