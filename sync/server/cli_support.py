"""What every ``daftar-server`` command shares: its errors (a failure the user can fix,
said in one line) and the way to the centre's database (a migrated one, in one
transaction)."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sync import migrate

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

# SQLAlchemy, the centre's models and Alembic are imported where a command uses them:
# ``daftar-server --help`` and ``--version`` need none of them.

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


class Lazy:
    """A command's handler named ``"module:function"``, imported when the command runs
    (``set_defaults(handler=Lazy(…))``): building the parser imports no command."""

    def __init__(self, target: str):
        self.target = target

    def __call__(self, args: argparse.Namespace) -> int:
        module, _, name = self.target.partition(":")
        handler: Callable[[argparse.Namespace], int] = getattr(importlib.import_module(module), name)
        return handler(args)


def database_url(args: argparse.Namespace) -> str:
    from sync.server import db

    return args.database_url or db.default_url()


def shown(url: str) -> str:
    """The URL as it may be printed: never with its password."""
    import sqlalchemy as sa

    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


@contextmanager
def opened_engine(args: argparse.Namespace, *, create: bool = False) -> Iterator[sa.Engine]:
    """The database of ``--database-url`` (or the default), disposed of after; a SQLite
    file that is not there is an error unless ``create``."""
    import sqlalchemy as sa

    from sync.server import db

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
    from sync.server import db

    if db.is_current(engine):
        return
    current = migrate.current_revision(engine)
    where = engine.url.render_as_string(hide_password=True)
    if current is None:
        raise CliError(f"the database {where} has no Daftar tables: run `{PROG} migrate` first")
    check_known(current)
    raise CliError(f"the database {where} is from an older version: run `{PROG} migrate` first")


def check_known(revision: str) -> None:
    from sync.server import db

    if not migrate.is_known_revision(db.MIGRATIONS, revision):
        raise CliError(
            f"the database was shaped by a newer {PROG} (schema {revision}): "
            f"use that version or a newer one"
        ) from None


@contextmanager
def transaction(args: argparse.Namespace) -> Iterator[Session]:
    """One transaction on a migrated database: committed when the block succeeds."""
    from sync.server import db

    with opened_engine(args) as engine:
        check_schema(engine)
        with db.session_factory(engine)() as session, session.begin():
            yield session
