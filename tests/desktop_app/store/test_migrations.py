"""The office database: migrations give the models' schema, and an upgrade never
costs an office its data (a backup first; foreign keys survive table rebuilds).

There is one revision so far.  "An older revision" is simulated by copying the
migrations to a temporary folder, adding a revision there, and pointing
``desktop_app.store.db.MIGRATIONS`` at the copy: the real head then *is* the older
revision, exactly as on an office PC after an update.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from desktop_app.store import db as store_db
from desktop_app.store.db import DB_NAME, open_store
from desktop_app.store.models import Base
from sync import migrate

HEAD = migrate.head_revision(store_db.MIGRATIONS)


def _virtual_tables(conn: sa.Connection) -> set[str]:
    return set(
        conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'"
        ).scalars()
    )


def schema_differences(engine: sa.Engine) -> list:
    """What autogenerate would change.  Virtual tables (the search index) and their
    shadow tables are derived data outside Alembic and are left out."""
    with engine.connect() as conn:
        virtual = _virtual_tables(conn)

        def include_name(name, type_, _parent) -> bool:
            if type_ == "table" and name not in Base.metadata.tables:
                return not any(name == v or name.startswith(v + "_") for v in virtual)
            return True

        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_name": include_name,
            },
        )
        return compare_metadata(context, Base.metadata)


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def revision_of(path: Path) -> str | None:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()
    return rows[0][0] if rows else None


def backups(folder: Path) -> list[str]:
    """The backup copies in ``folder`` (not the -wal/-shm files SQLite keeps
    beside a copy while it is open)."""
    return sorted(
        p.name for p in folder.glob(f"{DB_NAME}.bak-*") if not p.name.endswith(("-wal", "-shm"))
    )


def add_reference_rows(store) -> None:
    with store.engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO regions VALUES (1, 'منطقه یک', 'Region 1')")
        conn.exec_driver_sql("INSERT INTO districts VALUES ('1-1', 1, 'ناحیه', 'District 1-1')")
        conn.exec_driver_sql(
            "INSERT INTO neighbourhoods VALUES ('bazaar', '1-1', 'بازار', 'Bazaar')"
        )


# --------------------------------------------------------------------- schema


def test_empty_folder_migrates_to_the_models_schema(tmp_path: Path):
    store = open_store(tmp_path / "office")
    try:
        assert store.db_path == tmp_path / "office" / DB_NAME
        assert migrate.current_revision(store.engine) == HEAD
        assert set(Base.metadata.tables) <= tables(store.db_path)
        assert schema_differences(store.engine) == []
    finally:
        store.close()
    # A new office has nothing to back up.
    assert backups(tmp_path / "office") == []


def test_the_comparison_sees_a_difference(tmp_path: Path):
    store = open_store(tmp_path)
    try:
        with store.engine.begin() as conn:
            conn.exec_driver_sql("DROP INDEX ix_outbox_entity_id")
            conn.exec_driver_sql("CREATE TABLE stray (x INTEGER)")
        kinds = {d[0] for d in schema_differences(store.engine) if isinstance(d, tuple)}
        assert {"add_index", "remove_table"} <= kinds
    finally:
        store.close()


def test_check_constraints_match_create_all(tmp_path: Path):
    def checks(engine: sa.Engine) -> dict[str, list]:
        inspector = sa.inspect(engine)
        return {
            t: sorted((c["name"], c["sqltext"]) for c in inspector.get_check_constraints(t))
            for t in Base.metadata.tables
        }

    store = open_store(tmp_path / "migrated")
    reference = sa.create_engine(f"sqlite:///{tmp_path / 'reference.sqlite3'}")
    try:
        Base.metadata.create_all(reference)
        assert checks(store.engine)["requests"]
        assert checks(store.engine) == checks(reference)
    finally:
        store.close()
        reference.dispose()


def test_downgrade_to_base_and_up_again(tmp_path: Path):
    store = open_store(tmp_path)
    try:
        command.downgrade(migrate.config_for(store_db.MIGRATIONS, store.engine), "base")
        assert not set(Base.metadata.tables) & tables(store.db_path)
        migrate.upgrade(store.engine, store_db.MIGRATIONS)
        assert schema_differences(store.engine) == []
    finally:
        store.close()


# ------------------------------------------------------------------ reopening


def test_open_store_twice_is_a_no_op_the_second_time(tmp_path: Path, monkeypatch):
    first = open_store(tmp_path)
    add_reference_rows(first)
    first.close()

    def must_not_run(*_args, **_kwargs):
        raise AssertionError("a current database was migrated or backed up again")

    monkeypatch.setattr(store_db.migrate, "upgrade", must_not_run)
    monkeypatch.setattr(store_db, "backup_file", must_not_run)
    second = open_store(tmp_path)
    try:
        assert migrate.current_revision(second.engine) == HEAD
        with second.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT code FROM districts").scalars().all() == ["1-1"]
    finally:
        second.close()
    assert backups(tmp_path) == []


# -------------------------------------------------------------------- backups


def test_an_older_revision_is_backed_up_before_migrating(tmp_path: Path, newer_migrations):
    store = open_store(tmp_path)
    add_reference_rows(store)
    store.close()

    new_head = newer_migrations(
        """
        op.create_table("next_table", sa.Column("id", sa.Integer, primary_key=True))
        """
    )
    store = open_store(tmp_path)
    try:
        assert migrate.current_revision(store.engine) == new_head
        assert "next_table" in tables(store.db_path)
    finally:
        store.close()

    backup = tmp_path / f"{DB_NAME}.bak-{HEAD}"
    assert backup.is_file()
    # The copy is of the database *before* the migration, with its data.
    assert revision_of(backup) == HEAD
    assert "next_table" not in tables(backup)
    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT code, region_number FROM districts").fetchall() == [
            ("1-1", 1)
        ]
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # Opening again is quiet: no second backup, no change.
    backup_time = backup.stat().st_mtime_ns
    open_store(tmp_path).close()
    assert backups(tmp_path) == [backup.name]
    assert backup.stat().st_mtime_ns == backup_time


def test_backup_holds_data_still_in_the_write_ahead_log(tmp_path: Path, newer_migrations):
    """WAL: fresh writes sit in office.sqlite3-wal until a checkpoint.  A plain file
    copy of office.sqlite3 would miss them; the backup must not."""
    store = open_store(tmp_path)
    add_reference_rows(store)
    # Keep a reader open so the last writer does not checkpoint on close.
    keeper = sqlite3.connect(store.db_path)
    keeper.execute("SELECT 1 FROM districts").fetchall()
    store.close()
    assert (tmp_path / f"{DB_NAME}-wal").stat().st_size > 0
    try:
        newer_migrations("pass")
        open_store(tmp_path).close()
    finally:
        keeper.close()
    with sqlite3.connect(tmp_path / f"{DB_NAME}.bak-{HEAD}") as conn:
        assert conn.execute("SELECT count(*) FROM neighbourhoods").fetchone() == (1,)


def test_an_unversioned_existing_file_is_backed_up(tmp_path: Path):
    path = tmp_path / DB_NAME
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
        conn.execute("INSERT INTO notes VALUES ('kept')")
    conn.close()
    store = open_store(tmp_path)
    try:
        assert migrate.current_revision(store.engine) == HEAD
    finally:
        store.close()
    backup = tmp_path / f"{DB_NAME}.bak-unversioned"
    assert backup.is_file()
    with sqlite3.connect(backup) as conn:
        assert conn.execute("SELECT text FROM notes").fetchall() == [("kept",)]
    conn.close()


def test_an_empty_file_is_a_new_database(tmp_path: Path):
    (tmp_path / DB_NAME).touch()
    open_store(tmp_path).close()
    assert revision_of(tmp_path / DB_NAME) == HEAD
    assert backups(tmp_path) == []


# ---------------------------------------------- table rebuilds on SQLite with data


def test_a_batch_rebuild_of_a_referenced_table_keeps_the_data(tmp_path: Path, newer_migrations):
    """SQLite cannot ALTER most things: Alembic's batch mode rebuilds the table
    (create, copy, drop, rename).  Dropping ``districts`` while neighbourhoods point
    at it must not fail with "FOREIGN KEY constraint failed" once an office has data."""
    store = open_store(tmp_path)
    add_reference_rows(store)
    store.close()
    new_head = newer_migrations(
        """
        with op.batch_alter_table("districts", recreate="always") as batch:
            batch.add_column(sa.Column("note", sa.Text(), nullable=True))
        """
    )
    store = open_store(tmp_path)
    try:
        assert migrate.current_revision(store.engine) == new_head
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT code, note FROM districts").all() == [
                ("1-1", None)
            ]
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            # Foreign keys are enforced again on every connection afterwards.
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        with pytest.raises(sa.exc.IntegrityError):
            with store.engine.begin() as conn:
                conn.exec_driver_sql(
                    "INSERT INTO neighbourhoods VALUES ('x', 'no-such', 'x', 'x')"
                )
    finally:
        store.close()


def test_a_migration_that_breaks_references_changes_nothing(tmp_path: Path, newer_migrations):
    store = open_store(tmp_path)
    add_reference_rows(store)
    store.close()
    newer_migrations(
        """
        op.execute("DELETE FROM districts")
        op.create_table("next_table", sa.Column("id", sa.Integer, primary_key=True))
        """
    )
    with pytest.raises(migrate.ForeignKeyViolation, match="pointing at nothing"):
        open_store(tmp_path)
    # Rolled back as a whole: same revision, same rows, no half-made table.
    assert revision_of(tmp_path / DB_NAME) == HEAD
    assert "next_table" not in tables(tmp_path / DB_NAME)
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        assert conn.execute("SELECT count(*) FROM districts").fetchone() == (1,)
    # … and the copy taken before trying is there.
    assert revision_of(tmp_path / f"{DB_NAME}.bak-{HEAD}") == HEAD
