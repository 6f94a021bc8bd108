"""Alembic, driven from code, for both databases.

Each database keeps its migrations beside its models (``sync/server/migrations``,
``desktop_app/store/migrations``); their ``env.py`` is one call to :func:`run_env`.
No ``alembic.ini`` is needed: the engine is handed over in ``config.attributes``.

Asking whether a database is current costs no Alembic: every command opens its
database, and importing Alembic (with the DDL of every dialect it knows) and loading
every migration script took a headless ``daftar`` command longer than the rest of
its start-up.  :func:`current_revision` reads the version table with one query and
:func:`head_revision` reads the ``revision`` and ``down_revision`` lines of the
scripts as text; Alembic is imported only to migrate, or when the scripts are not
plain enough to read that way (then its own answer is taken).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlalchemy as sa
    from alembic.config import Config

#: Alembic's version table (its default name; neither database renames it).
VERSION_TABLE = "alembic_version"


def config_for(script_location: Path, engine: sa.Engine | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: sa.Engine, script_location: Path, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(config_for(script_location, engine), revision)


def current_revision(engine: sa.Engine) -> str | None:
    """The revision the database is stamped with (``None``: not under Alembic yet)."""
    import sqlalchemy as sa

    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(VERSION_TABLE):
            return None
        stamped = conn.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").scalars().all()
        if len(stamped) <= 1:
            return stamped[0] if stamped else None
        # Several heads stamped: Alembic's own error says so.
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(conn).get_current_revision()


#: ``revision = "…"`` and ``down_revision = …`` at the start of a line, with or
#: without a type annotation, as Alembic's template writes them.
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.+?)\s*(?:#.*)?$", re.M)


def _read_graph(script_location: Path) -> dict[str, tuple[str, ...]] | None:
    """Each revision of the scripts in ``versions/`` and those it revises, read as
    text (as Alembic finds them: every ``*.py`` but ``__init__.py``); ``None`` when a
    script does not say both as plain literals, once each (Alembic must read it)."""
    graph: dict[str, tuple[str, ...]] = {}
    try:
        scripts = sorted((script_location / "versions").glob("*.py"))
    except OSError:
        return None
    for script in scripts:
        if script.name == "__init__.py" or script.name.startswith(".#"):
            continue
        try:
            found = _ASSIGNMENT.findall(script.read_text(encoding="utf-8"))
            values = {name: ast.literal_eval(value) for name, value in found}
        except (OSError, UnicodeDecodeError, ValueError, SyntaxError):
            return None
        revision, down = values.get("revision"), values.get("down_revision", ...)
        if len(found) != 2 or not isinstance(revision, str) or revision in graph:
            return None
        if down is None:
            graph[revision] = ()
        elif isinstance(down, str):
            graph[revision] = (down,)
        elif isinstance(down, (tuple, list)) and all(isinstance(d, str) for d in down):
            graph[revision] = tuple(down)
        else:
            return None
    return graph


def head_revision(script_location: Path) -> str | None:
    """The newest revision of the scripts (``None``: there are none)."""
    graph = _read_graph(script_location)
    if graph is not None:
        revised = {down for downs in graph.values() for down in downs}
        heads = [revision for revision in graph if revision not in revised]
        if len(heads) <= 1 and revised <= graph.keys():
            return heads[0] if heads else None
    # Several heads, or scripts not read as text: Alembic answers (or raises).
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(config_for(script_location)).get_current_head()


def is_known_revision(script_location: Path, revision: str | None) -> bool:
    """False for a database stamped by migrations this program does not have, i.e.
    written by a newer version."""
    if revision is None:
        return True
    graph = _read_graph(script_location)
    if graph is not None and revision in graph:
        return True
    from alembic.script import ScriptDirectory

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
    from alembic import context

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
