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


def run_env(target_metadata: sa.MetaData) -> None:
    """The body of every ``env.py`` here: online migrations on the handed-over engine."""
    engine: sa.Engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
