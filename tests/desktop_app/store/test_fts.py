"""The trigram index stays in step with ``requests`` whoever writes, survives a
migration's table copy, and reads Persian input the way the stored text was folded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from desktop_app.store import db as store_db
from desktop_app.store import fts
from desktop_app.store import models as m
from desktop_app.store.db import (
    DB_NAME,
    MIGRATIONS,
    Store,
    open_store,
    restore_indexes,
    suspend_indexes,
)
from desktop_app.store.fts import (
    AUTOMERGE,
    CRISISMERGE,
    FTS_TABLE,
    HASH_SIZE,
    defer_merging,
    ensure_fts,
    is_fts_table,
    match_expression,
    merge_step,
    resume_merging,
)
from sync import migrate
from sync.text import search_text
from tests.factories import desk, make_request, office


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = office(tmp_path)
    yield store
    store.close()


def hits(store: Store, query: str) -> set[str]:
    match = match_expression(query)
    assert match is not None, query
    with store.engine.connect() as conn:
        return set(conn.execute(sa.text(
            f"SELECT r.tracking_code FROM {FTS_TABLE} f JOIN requests r ON r.rowid = f.rowid "
            f"WHERE {FTS_TABLE} MATCH :q"), {"q": match}).scalars())


def test_new_requests_are_found_by_any_fragment(store: Store) -> None:
    request = make_request(store, citizen_name="فاطمه كاظمي", citizen_phone="09131234567")
    code = request.tracking_code
    assert hits(store, "کاظمی") == {code}  # Arabic kaf/yeh stored, Persian typed
    assert hits(store, "۱۲۳۴۵") == {code}  # Persian digits typed, middle of the phone
    assert hits(store, "جمع آوری") == {code}  # ZWNJ in the text, a space typed
    assert hits(store, code[3:8]) == {code}


def test_edit_updates_and_delete_removes_the_entry(store: Store) -> None:
    request = make_request(store, address="خیابان امیرکبیر")
    desk(store).edit(request.id, address="میدان کمال‌الملک")
    assert hits(store, "امیرکبیر") == set()
    assert hits(store, "کمال الملک") == {request.tracking_code}
    with store.sessions.begin() as session:
        session.execute(sa.delete(m.Event).where(m.Event.request_id == request.id))
        session.execute(sa.delete(m.ServiceRequest).where(m.ServiceRequest.id == request.id))
    assert hits(store, "کمال الملک") == set()


def test_ensure_is_idempotent_and_rebuild_follows_a_table_copy(store: Store) -> None:
    first = make_request(store, citizen_name="نرگس")
    second = make_request(store, citizen_name="شیرین")
    ensure_fts(store.engine)
    assert hits(store, "نرگس") == {first.tracking_code}
    # What an Alembic batch migration does: copy the table, rowids renumbered,
    # triggers gone with the old table.
    raw = store.engine.raw_connection()  # autocommit: foreign keys can be switched off
    try:
        raw.execute("PRAGMA foreign_keys=OFF")
        (ddl,) = raw.execute("SELECT sql FROM sqlite_master WHERE name = 'requests'").fetchone()
        raw.execute(ddl.replace("CREATE TABLE requests", "CREATE TABLE requests_copy", 1))
        raw.execute("INSERT INTO requests_copy SELECT * FROM requests ORDER BY tracking_code DESC")
        raw.execute("DROP TABLE requests")
        raw.execute("ALTER TABLE requests_copy RENAME TO requests")
        raw.execute("PRAGMA foreign_keys=ON")
    finally:
        raw.close()
    ensure_fts(store.engine, rebuild=True)
    assert hits(store, "نرگس") == {first.tracking_code}
    assert hits(store, "شیرین") == {second.tracking_code}
    third = make_request(store, citizen_name="نسرین")
    assert hits(store, "نسرین") == {third.tracking_code}


def fts_definition(store: Store) -> str:
    with store.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = ?", (FTS_TABLE,)).scalar_one()


def test_an_office_from_before_the_case_sensitive_index_gets_it_made_anew(tmp_path: Path) -> None:
    store = office(tmp_path)
    made = make_request(store, citizen_name="ژاله", address="BAGH-E FIN")
    # Yesterday's office: the schema before the revision, and the index it made
    # (case folded by the tokenizer).
    command.downgrade(migrate.config_for(MIGRATIONS, store.engine), "9a6d3f2e8c41")
    with store.engine.begin() as conn:
        conn.exec_driver_sql(fts._CREATE.replace("trigram case_sensitive 1", "trigram"))
        for ddl in fts.TRIGGERS.values():
            conn.exec_driver_sql(ddl)
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    assert "case_sensitive" not in fts_definition(store)
    store.close()
    store = open_store(tmp_path)
    try:
        assert "tokenize='trigram case_sensitive 1'" in fts_definition(store)
        assert hits(store, "ژاله") == hits(store, "bagh-e") == {made.tracking_code}
        assert hits(store, "BAGH-E") == {made.tracking_code}  # the query is folded as the text was
        later = make_request(store, citizen_name="ژاله")
        assert hits(store, "ژاله") == {made.tracking_code, later.tracking_code}
        with store.engine.begin() as conn:
            conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")
    finally:
        store.close()
    assert (tmp_path / f"{DB_NAME}.bak-9a6d3f2e8c41").exists()


def test_reopening_an_existing_store_keeps_the_index(tmp_path: Path) -> None:
    store = office(tmp_path)
    request = make_request(store, citizen_name="پروانه")
    store.close()
    again = open_store(tmp_path)
    try:
        assert hits(again, "پروانه") == {request.tracking_code}
    finally:
        again.close()


def test_every_office_index_keeps_a_big_write_in_memory_as_one_segment(tmp_path: Path) -> None:
    """New and existing offices alike get :data:`HASH_SIZE` (an office from before it
    has FTS5's default, 1 MiB, in its index's config)."""
    store = office(tmp_path)

    def hash_size() -> int | None:
        with store.engine.connect() as conn:
            return conn.exec_driver_sql(f"SELECT v FROM {FTS_TABLE}_config WHERE k = 'hashsize'").scalar()

    assert hash_size() == HASH_SIZE
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM {FTS_TABLE}_config WHERE k = 'hashsize'")
    store.close()
    store = open_store(tmp_path)
    try:
        assert hash_size() == HASH_SIZE
    finally:
        store.close()


def segments(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.exec_driver_sql(f"SELECT count(DISTINCT segid) FROM {FTS_TABLE}_idx").scalar_one()


def test_a_bulk_write_leaves_each_transaction_a_segment_until_merging_resumes(store: Store) -> None:
    with store.engine.begin() as conn:
        # FTS5 merges after so many leaf pages written: tiny pages, so that a
        # request's few entries count as much as a first sync's page.
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('pgsz', 32)")
        defer_merging(conn)
    names = [f"نام{i}" for i in range(10)]
    made = [make_request(store, citizen_name=name) for name in names]  # a transaction each
    assert segments(store) == 10
    with store.engine.begin() as conn:
        resume_merging(conn)
    made += [make_request(store, citizen_name=name + "ی") for name in names]
    assert segments(store) < 10
    assert hits(store, "نام") == {r.tracking_code for r in made}
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")


def test_a_crowded_index_is_merged_in_steps_before_it_merges_as_usual(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Else the first write after a big first sync would merge every segment at once.
    The index comes back a range of rows a segment: a request a range here, as many
    segments as one and a half million requests make."""
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('pgsz', 32)")
        suspend_indexes(conn, ("requests", "events"))
    made = [make_request(store, citizen_name=f"نام{i}") for i in range(CRISISMERGE + 4)]
    monkeypatch.setattr(fts, "BUILD_CHUNK", 1)
    most: list[int] = []
    steps: list[bool] = []

    def merging_step(conn: sa.Connection) -> bool:
        most.append(conn.exec_driver_sql(f"SELECT count(DISTINCT segid) FROM {FTS_TABLE}_idx").scalar_one())
        steps.append(merge_step(conn))
        return steps[-1]

    monkeypatch.setattr(store_db, "merge_step", merging_step)
    assert restore_indexes(store.engine)
    assert most[0] == CRISISMERGE + 4
    assert steps and all(steps) and segments(store) < CRISISMERGE
    with store.engine.connect() as conn:
        config = dict(conn.exec_driver_sql(f"SELECT k, v FROM {FTS_TABLE}_config").all())
        assert (config["automerge"], config["crisismerge"]) == (AUTOMERGE, CRISISMERGE)
    assert hits(store, "نام") == {r.tracking_code for r in made}
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")


def triggers(store: Store) -> dict[str, str]:
    with store.engine.connect() as conn:
        return dict(conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE ?",
            (f"{FTS_TABLE}%",)).all())


def usual() -> dict[str, str]:
    """The index's own triggers, as SQLite keeps their text."""
    return {name: sql.replace(" IF NOT EXISTS", "") for name, sql in fts.TRIGGERS.items()}


def set_text(store: Store, rowid: int, text: str) -> None:
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE requests SET search_text = ? WHERE rowid = ?", (text, rowid))


def delete_row(store: Store, rowid: int) -> None:
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM events WHERE request_id = (SELECT id FROM requests WHERE rowid = ?)",
                             (rowid,))
        conn.exec_driver_sql("DELETE FROM requests WHERE rowid = ?", (rowid,))


def test_a_set_aside_index_comes_back_a_range_at_a_time_whatever_the_desk_writes_between(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Between two steps the desk may save, edit or delete a request, on either side
    of the rows indexed so far; at the end the index is what a rebuild would make."""
    earlier = make_request(store, citizen_name="پیشین")
    with store.engine.begin() as conn:
        fts.set_aside(conn)
        assert fts.built_to(conn) == 0
    assert hits(store, "پیشین") == set()  # emptied: made again with the rest
    made = [make_request(store, citizen_name=f"رضا{i}") for i in range(6)]
    assert hits(store, "رضا") == set()  # no triggers while set aside
    with store.engine.connect() as conn:
        rowid = dict(conn.exec_driver_sql("SELECT tracking_code, rowid FROM requests").all())
    monkeypatch.setattr(fts, "BUILD_CHUNK", 3)
    with store.engine.begin() as conn:
        assert not fts.build_step(conn)
        assert fts.built_to(conn) == 3
    assert hits(store, "پیشین") == {earlier.tracking_code}
    indexed_yet, later = made[0], made[4]
    assert rowid[indexed_yet.tracking_code] <= 3 < rowid[later.tracking_code]
    set_text(store, rowid[earlier.tracking_code], "تازه یک")  # indexed: the trigger follows
    delete_row(store, rowid[indexed_yet.tracking_code])  # indexed: the trigger takes it out
    set_text(store, rowid[later.tracking_code], "تازه دو")  # not yet: indexed as it is then
    walk_in = make_request(store, citizen_name="رضای تازه")  # after the last: a later step
    done = 1
    while True:
        with store.engine.begin() as conn:
            done += 1
            if fts.build_step(conn):
                assert fts.built_to(conn) is None
                break
    assert done == 3
    assert hits(store, "پیشین") == set()
    assert hits(store, "تازه") == {earlier.tracking_code, later.tracking_code, walk_in.tracking_code}
    assert hits(store, "رضا") == {r.tracking_code for r in (*made[1:4], made[5], walk_in)}
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")
    assert triggers(store) == usual()
    assert fts.build_step(store.engine.connect())  # whole: nothing more to do


def test_a_crash_while_the_index_is_made_again_is_made_good_on_the_next_open(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = office(tmp_path)
    with store.engine.begin() as conn:
        suspend_indexes(conn, ("requests", "events"))
    made = [make_request(store, citizen_name=f"مریم{i}") for i in range(5)]
    monkeypatch.setattr(fts, "BUILD_CHUNK", 2)
    with store.engine.begin() as conn:
        assert not fts.build_step(conn)  # and then the power went
    store.close()
    store = open_store(tmp_path)
    try:
        assert hits(store, "مریم") == {r.tracking_code for r in made}
        with store.engine.connect() as conn:
            assert fts.built_to(conn) is None
        assert triggers(store) == usual()
    finally:
        store.close()


def test_opening_leaves_a_set_aside_index_to_its_builder(store: Store) -> None:
    """Another process may be in the middle of a first sync: opening the folder must
    not put back triggers that would index its next pages row by row (nor make the
    index whole: restoring does that, in steps)."""
    with store.engine.begin() as conn:
        fts.set_aside(conn)
    ensure_fts(store.engine)
    assert triggers(store) == {}
    with store.engine.connect() as conn:
        assert fts.built_to(conn) == 0
    ensure_fts(store.engine, rebuild=True)  # after a migration: made whole at once
    assert triggers(store) == usual()
    with store.engine.connect() as conn:
        assert fts.built_to(conn) is None


def test_search_text_and_query_fold_alike() -> None:
    stored = search_text("1405000001", "علي", "09121234567", "كوچه ۱۲", "")
    assert "علی" in stored and "کوچه 12" in stored
    assert match_expression("کوچه ۱۲") == '"کوچه 12"'


@pytest.mark.parametrize(("typed", "expected"), [
    ("", None),
    ("ب", None),
    ("با", '" با"'),
    ("باغ", '"باغ"'),
    ("حسینی محمد", '"حسینی" AND "محمد"'),
    ("ع محمد", '"ع محمد"'),
    ("محمد ع", '"محمد ع"'),
    ('سه"ر', '"سه""ر"'),
    ("a b", '"a b"'),
])
def test_match_expression(typed: str, expected: str | None) -> None:
    assert match_expression(typed) == expected


def test_index_tables_are_recognised_for_migration_tooling() -> None:
    assert is_fts_table("requests_fts") and is_fts_table("requests_fts_data")
    assert not is_fts_table("requests")
