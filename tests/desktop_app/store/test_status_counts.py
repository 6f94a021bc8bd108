"""The status counters stay right after every kind of write to ``requests`` — a
new row, a change of each counted column (to and from NULL), an upsert, a delete —
and are set aside for a bulk write and counted again after it, or on the next open
when a crash left them aside, or after a migration dropped their triggers."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop_app.store import status_counts
from desktop_app.store.db import Store, open_store, restore_indexes, suspend_indexes
from desktop_app.store.status_counts import COUNTS_TABLE, counts_ready, ensure_counts
from tests.factories import CREW_A, CREW_B, make_request, office

KEY = ", ".join(f"coalesce({c}, '')" for c in status_counts.KEY_COLUMNS)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = office(tmp_path)
    yield store
    store.close()


def kept(conn: sa.Connection) -> dict[tuple[str, ...], int]:
    return {tuple(row[:-1]): row[-1] for row in conn.exec_driver_sql(
        f"SELECT {', '.join(status_counts.KEY_COLUMNS)}, n FROM {COUNTS_TABLE} WHERE n != 0")}


def counted(conn: sa.Connection) -> dict[tuple[str, ...], int]:
    return {tuple(row[:-1]): row[-1] for row in conn.exec_driver_sql(
        f"SELECT {KEY}, count(*) FROM requests GROUP BY {KEY}")}


def assert_right(store: Store) -> None:
    with store.engine.connect() as conn:
        assert counts_ready(conn)
        assert kept(conn) == counted(conn)


def test_a_new_office_keeps_counters(store: Store) -> None:
    assert_right(store)
    make_request(store, status="done", crew_id=CREW_A)
    make_request(store, neighbourhood_code=None)
    with store.engine.connect() as conn:
        assert sum(kept(conn).values()) == 2
    assert_right(store)


@pytest.mark.parametrize("change", [
    "status = 'done'", "category_code = 'asphalt'", "neighbourhood_code = NULL",
    "crew_id = '{a}'", "crew_id = '{b}'", "channel = 'web'",
    "status = 'assigned', crew_id = '{b}', neighbourhood_code = 'bazaar'",
    "description = 'x'", "status = status",
])
def test_every_change_of_a_counted_column_moves_its_count(store: Store, change: str) -> None:
    make_request(store, status="referred", crew_id=CREW_A)
    make_request(store, status="assigned", crew_id=None, neighbourhood_code=None)
    make_request(store, status="done", channel="sms", crew_id=CREW_B)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE requests SET " + change.format(a=CREW_A.hex, b=CREW_B.hex))
    assert_right(store)


def test_upserts_and_deletes_move_the_counts(store: Store) -> None:
    first = make_request(store, status="referred")
    make_request(store, status="done")
    with store.engine.begin() as conn:
        # As sync's bulk writer does: INSERT … ON CONFLICT DO UPDATE, new and old rows.
        row = conn.exec_driver_sql("SELECT * FROM requests WHERE id = ?", (first.id.hex,)).mappings().one()
        values = dict(row)
        values["status"], values["crew_id"] = "in_progress", CREW_A.hex
        columns = ", ".join(values)
        conn.exec_driver_sql(
            f"INSERT INTO requests ({columns}) VALUES ({', '.join('?' * len(values))}) "
            f"ON CONFLICT (id) DO UPDATE SET status = excluded.status, crew_id = excluded.crew_id",
            tuple(values.values()))
    assert_right(store)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM events")
        conn.exec_driver_sql("DELETE FROM requests WHERE id = ?", (first.id.hex,))
    assert_right(store)
    with store.engine.connect() as conn:
        assert sum(kept(conn).values()) == 1


def test_a_bulk_write_sets_them_aside_and_counts_after_it(store: Store) -> None:
    make_request(store, status="done")
    with store.engine.begin() as conn:
        suspend_indexes(conn, ["requests", "events"])
        assert not counts_ready(conn)
    for _ in range(3):
        make_request(store, status="received", crew_id=CREW_A)  # no trigger: not counted now
    with store.engine.connect() as conn:
        assert sum(kept(conn).values()) == 1
    assert restore_indexes(store.engine)
    assert_right(store)
    with store.engine.connect() as conn:
        assert sum(kept(conn).values()) == 4


def test_a_crash_in_a_bulk_write_is_counted_on_the_next_open(tmp_path: Path) -> None:
    store = office(tmp_path)
    make_request(store)
    with store.engine.begin() as conn:
        suspend_indexes(conn, ["requests", "events"])
    make_request(store, status="done")
    store.close()  # the process dies here: nothing restored
    again = open_store(tmp_path)
    try:
        assert_right(again)
        with again.engine.connect() as conn:
            assert sum(kept(conn).values()) == 2
    finally:
        again.close()


def test_counters_without_their_triggers_are_counted_again(store: Store) -> None:
    """A batch migration copies ``requests`` and its triggers go: the counters are
    then not ready (readers use the index) until counted again."""
    make_request(store)
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TRIGGER {COUNTS_TABLE}_au")
        assert not counts_ready(conn)
        conn.exec_driver_sql("UPDATE requests SET status = 'done'")  # not kept
        assert ensure_counts(conn)
        assert not ensure_counts(conn)  # ready now: nothing to do
    assert_right(store)


def test_the_migration_makes_the_table_and_the_open_fills_it(tmp_path: Path) -> None:
    """An office from before the counters: its requests are counted on the first open."""
    store = office(tmp_path)
    make_request(store, status="done", crew_id=CREW_B)
    make_request(store, received_at=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    store.close()
    with sqlite3.connect(tmp_path / "office.sqlite3") as raw:
        for name in status_counts.TRIGGERS:
            raw.execute(f"DROP TRIGGER {name}")
        raw.execute(f"DROP TABLE {COUNTS_TABLE}")
        # ... and before the summary's index (4a7e1c9d2b58), which comes after.
        raw.execute("DROP INDEX ix_events_summary")
        raw.execute("CREATE INDEX ix_events_satisfaction ON events (request_id) "
                    "WHERE kind IN ('satisfaction', 'sms_sent')")
        raw.execute("UPDATE alembic_version SET version_num = 'c91d4b7e2a68'")
    again = open_store(tmp_path)
    try:
        assert_right(again)
        with again.engine.connect() as conn:
            assert sum(kept(conn).values()) == 2
    finally:
        again.close()
