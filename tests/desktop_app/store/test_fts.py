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
        for ddl in fts._TRIGGERS.values():
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
    """Else the first write after a big first sync would merge every segment at once."""
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('pgsz', 32)")
        suspend_indexes(conn, ("requests", "events"))
    made = [make_request(store, citizen_name=f"نام{i}") for i in range(CRISISMERGE + 4)]
    assert segments(store) == CRISISMERGE + 4
    steps: list[bool] = []
    monkeypatch.setattr(store_db, "merge_step", lambda conn: steps.append(merge_step(conn)) or steps[-1])
    assert restore_indexes(store.engine)
    assert steps and all(steps) and segments(store) < CRISISMERGE
    with store.engine.connect() as conn:
        config = dict(conn.exec_driver_sql(f"SELECT k, v FROM {FTS_TABLE}_config").all())
        assert (config["automerge"], config["crisismerge"]) == (AUTOMERGE, CRISISMERGE)
    assert hits(store, "نام") == {r.tracking_code for r in made}
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")


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
