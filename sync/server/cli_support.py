"""What every ``daftar-server`` command shares: its errors (a failure the user can fix,
said in one line) and the way to the centre's database (a migrated one, in one
transaction)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.orm import Session

from sync import migrate
from sync.server import db

PROG = "daftar-server"

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class CliError(Exception):
    """A failure the user can fix; its message says how (one line)."""

    exit_code = EXIT_FAILURE


class UsageError(CliError):
    """The command line itself is wrong."""

    exit_code = EXIT_USAGE


def database_url(args: argparse.Namespace) -> str:
    return args.database_url or db.default_url()


def shown(url: str) -> str:
    """The URL as it may be printed: never with its password."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


@contextmanager
def opened_engine(args: argparse.Namespace, *, create: bool = False) -> Iterator[sa.Engine]:
    """The database of ``--database-url`` (or the default), disposed of after; a SQLite
    file that is not there is an error unless ``create``."""
    url = database_url(args)
    try:
        engine = db.open_engine(url)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
        raise CliError(f"not a database URL: {shown(url)!r} ({exc})") from None
    path = engine.url.database
    if engine.dialect.name == "sqlite" and not create and path and path != ":memory:":
        if not Path(path).exists():
            engine.dispose()
            raise CliError(f"there is no database at {path}: run `{PROG} migrate` first")
    try:
        yield engine
    finally:
        engine.dispose()


def check_schema(engine: sa.Engine) -> None:
    """Refuse to work on a database this version did not shape, saying what to do."""
    if db.is_current(engine):
        return
    current = migrate.current_revision(engine)
    where = engine.url.render_as_string(hide_password=True)
    if current is None:
        raise CliError(f"the database {where} has no Daftar tables: run `{PROG} migrate` first")
    check_known(current)
    raise CliError(f"the database {where} is from an older version: run `{PROG} migrate` first")


def check_known(revision: str) -> None:
    scripts = ScriptDirectory.from_config(migrate.config_for(db.MIGRATIONS))
    try:
        scripts.get_revision(revision)
    except CommandError:
        raise CliError(
            f"the database was shaped by a newer {PROG} (schema {revision}): "
            f"use that version or a newer one"
        ) from None


@contextmanager
def transaction(args: argparse.Namespace) -> Iterator[Session]:
    """One transaction on a migrated database: committed when the block succeeds."""
    with opened_engine(args) as engine:
        check_schema(engine)
        with db.session_factory(engine)() as session, session.begin():
            yield session
