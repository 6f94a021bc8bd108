"""Alembic, driven from code, for both databases.

Each database keeps its migrations beside its models (``sync/server/migrations``,
``desktop_app/store/migrations``); their ``env.py`` is one call to :func:`run_env`.
No ``alembic.ini`` is needed: the engine is handed over in ``config.attributes``.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory


def config_for(script_location: Path, engine: sa.Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: sa.Engine, script_location: Path, revision: str = "head") -> None:
    command.upgrade(config_for(script_location, engine), revision)


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(script_location: Path) -> str | None:
    return ScriptDirectory.from_config(config_for(script_location)).get_current_head()


def is_known_revision(script_location: Path, revision: str | None) -> bool:
    """False for a database stamped by migrations this program does not have, i.e.
    written by a newer version."""
    if revision is None:
        return True
    try:
        ScriptDirectory.from_config(config_for(script_location)).get_revision(revision)
    except Exception:  # noqa: BLE001 - alembic raises several kinds for an unknown id
        return False
    return True


class ForeignKeyViolation(RuntimeError):
    """A migration left rows that point at nothing; it was rolled back."""


def _sqlite_pragma(connection: sa.Connection, pragma: str) -> None:
    # On the DBAPI connection, outside any transaction: SQLite ignores
    # ``PRAGMA foreign_keys`` inside one, and SQLAlchemy would begin one.
    cursor = connection.connection.cursor()
    try:
        cursor.execute(pragma)
    finally:
        cursor.close()


def run_env(target_metadata: sa.MetaData) -> None:
    """The body of every ``env.py`` here: online migrations on the handed-over engine.

    The whole upgrade is one transaction, on SQLite too.  On SQLite, foreign keys
    are off while migrating and checked before commit: a
    batch migration rebuilds a table (create new, copy, drop old, rename), and with
    enforcement on, dropping a table that other rows refer to fails ("FOREIGN KEY
    constraint failed") as soon as an office has data.  This is SQLite's own recipe
    for changing a table (sqlite.org/lang_altertable.html, "other kinds of changes").
    """
    engine: sa.Engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_pragma(connection, "PRAGMA foreign_keys=OFF")
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies
                compare_type=True,
                # SQLite's DDL is transactional once pysqlite stops managing
                # transactions (sync.db does): run every revision of an upgrade in
                # one transaction, so a failed upgrade leaves the file as it was.
                transactional_ddl=True,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise ForeignKeyViolation(
                            f"the migration would leave {len(broken)} rows pointing at "
                            f"nothing, e.g. {tuple(broken[0])}; nothing was changed"
                        )
            connection.commit()
        finally:
            if sqlite:
                # Never hand a connection with foreign keys off back to the pool.
                connection.invalidate()
