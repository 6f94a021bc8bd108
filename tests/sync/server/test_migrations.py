"""The centre's migrations build exactly the schema its models describe.

On SQLite and on PostgreSQL, from an empty database: upgrade to head, then ask
Alembic's autogenerate what it would change (it must find nothing), and compare the
CHECK constraints (which autogenerate does not look at) with ``create_all``'s.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from sync import migrate
from sync.server import db as centre_db
from sync.server.models import Base
from sync.workflow import Status


def schema_differences(engine: sa.Engine, metadata: sa.MetaData) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        return compare_metadata(context, metadata)


def check_constraints(engine: sa.Engine) -> dict[str, set[tuple[str | None, str]]]:
    inspector = sa.inspect(engine)
    out: dict[str, set[tuple[str | None, str]]] = {}
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        out[table] = {
            (c["name"], " ".join(c["sqltext"].split()))
            for c in inspector.get_check_constraints(table)
        }
    return out


def user_tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


@pytest.fixture
def new_postgres_database(postgres_url: str) -> Iterator:
    """Makes empty PostgreSQL databases of their own (the session's one may already
    be migrated by other tests); drops them at the end."""
    admin = sa.create_engine(centre_db.normalise_url(postgres_url), isolation_level="AUTOCOMMIT")
    base = sa.make_url(centre_db.normalise_url(postgres_url))
    names: list[str] = []

    def make() -> str:
        name = f"{base.database}_m{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        names.append(name)
        return base.set(database=name).render_as_string(hide_password=False)

    yield make
    with admin.connect() as conn:
        for name in names:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def new_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator:
    """Makes empty centre databases of the parametrised kind."""
    engines: list[sa.Engine] = []

    def make() -> sa.Engine:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / f'centre-{len(engines)}.sqlite3'}"
        else:
            url = request.getfixturevalue("new_postgres_database")()
        engine = centre_db.open_engine(url)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture
def empty_engine(new_engine) -> sa.Engine:
    return new_engine()


def test_upgrade_of_an_empty_database_gives_the_models_schema(empty_engine: sa.Engine):
    assert user_tables(empty_engine) == set()
    assert migrate.current_revision(empty_engine) is None
    centre_db.upgrade(empty_engine)
    assert centre_db.is_current(empty_engine)
    assert migrate.current_revision(empty_engine) == migrate.head_revision(centre_db.MIGRATIONS)
    assert user_tables(empty_engine) == set(Base.metadata.tables)
    assert schema_differences(empty_engine, Base.metadata) == []


def test_check_constraints_match_create_all(empty_engine: sa.Engine, new_engine):
    centre_db.upgrade(empty_engine)
    migrated = check_constraints(empty_engine)
    assert migrated["requests"], "the lifecycle's CHECK constraints are missing"
    reference = new_engine()
    Base.metadata.create_all(reference)
    assert migrated == check_constraints(reference)


def test_the_comparison_sees_a_difference(empty_engine: sa.Engine):
    """The tests above are only worth something if a drifted schema shows up."""
    centre_db.upgrade(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(sa.text("DROP INDEX ix_requests_received_at"))
        conn.execute(sa.text("ALTER TABLE counters ADD COLUMN extra INTEGER"))
    kinds = {d[0] if isinstance(d, tuple) else d[0][0] for d in
             schema_differences(empty_engine, Base.metadata)}
    assert {"add_index", "remove_column"} <= kinds


def test_upgrade_twice_changes_nothing(empty_engine: sa.Engine):
    centre_db.upgrade(empty_engine)
    with empty_engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO counters (name, value) VALUES ('change_log', 41)"))
    centre_db.upgrade(empty_engine)
    with empty_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT value FROM counters")).scalar_one() == 41
    assert schema_differences(empty_engine, Base.metadata) == []


def test_downgrade_to_base_and_up_again(empty_engine: sa.Engine):
    centre_db.upgrade(empty_engine)
    command.downgrade(migrate.config_for(centre_db.MIGRATIONS, empty_engine), "base")
    assert user_tables(empty_engine) == set()
    assert migrate.current_revision(empty_engine) is None
    centre_db.upgrade(empty_engine)
    assert schema_differences(empty_engine, Base.metadata) == []


def test_one_head():
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(migrate.config_for(centre_db.MIGRATIONS))
    assert len(script.get_heads()) == 1


def test_check_constraints_allow_exactly_the_lifecycle_and_the_channels(empty_engine: sa.Engine):
    """The CHECK lists are written out in sync/schema.py; they must follow
    sync.workflow.Status and the intake channels of DESIGN.md."""
    centre_db.upgrade(empty_engine)
    checks = {
        c["name"]: set(re.findall(r"'([^']*)'", c["sqltext"]))
        for c in sa.inspect(empty_engine).get_check_constraints("requests")
    }
    assert checks["ck_requests_status_known"] == {s.value for s in Status}
    assert checks["ck_requests_channel_known"] == {"phone", "web", "sms", "walk_in"}
