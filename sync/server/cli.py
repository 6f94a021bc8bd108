"""``daftar-server``: the centre's admin command line (DESIGN.md, "Contracts").

Scripts, schedulers and the acceptance checks call these commands, so their shape is
a public contract: a global ``--database-url`` before the sub-command, ``--help`` on
each, ``--version``, and on any failure a non-zero exit with one line
``daftar-server: error: <what to fix>`` on standard error, never a traceback.
The office commands are :mod:`sync.server.cli_offices`; what every command shares
(its errors, the way to the database) is :mod:`sync.server.cli_support`.
"""

from __future__ import annotations

import argparse
import errno
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from sync import migrate
from sync.server.cli_parsers import add_apikey_commands, add_office_commands
from sync.server.cli_sms import add_provider_option, add_sms_commands, sms_settings
from sync.server.cli_support import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    PROG,
    CliError,
    UsageError,
    check_known,
    check_schema,
    database_url,
    opened_engine,
    shown,
    transaction,
)
from sync.text import to_latin_digits

# Each command imports what it uses (SQLAlchemy, the centre's models, the importer,
# the demo, the HTTP app) when it runs: ``--help`` and ``--version`` load none of it.

DEFAULT_PORT = 8137
DEFAULT_DEMO_REQUESTS = 2854  # the seed's six months: the demo then reproduces its table

# ------------------------------------------------------------------------- parser


class _Parser(argparse.ArgumentParser):
    """argparse prints usage and a message over several lines; the contract wants one."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("daftar")
    except metadata.PackageNotFoundError:
        return "unknown"


class _VersionAction(argparse.Action):
    """argparse's ``version`` action, with the version read only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: object = argparse.SUPPRESS, help: str | None = None) -> None:  # noqa: A002
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0,
                         help=help or "show program's version number and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        print(f"{PROG} {_version()}")
        parser.exit()


def _positive(text: str) -> int:
    try:
        value = int(to_latin_digits(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def _port(text: str) -> int:
    value = _positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (1 to 65535)")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="The Daftar 137 centre: database, server, admin.")
    parser.add_argument(
        "--database-url", metavar="URL",
        help="the centre's database (env DATABASE_URL; default: a SQLite file in the "
        "user data folder)",
    )
    parser.add_argument("--version", action=_VersionAction)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("migrate", help="create or upgrade the database").set_defaults(
        handler=_migrate
    )

    serve = commands.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"({DEFAULT_PORT})")
    add_provider_option(serve)
    serve.set_defaults(handler=_serve)

    reference = commands.add_parser("reference", help="reference data")
    ref_commands = reference.add_subparsers(dest="action", required=True, metavar="ACTION")
    load = ref_commands.add_parser(
        "load", help="load regions, districts, neighbourhoods, categories from a JSON file"
    )
    load.add_argument("file", metavar="FILE.json", type=Path)
    load.set_defaults(handler=_reference_load)

    archive = commands.add_parser("import", help="bulk import of an archive CSV")
    archive.add_argument("file", metavar="FILE.csv", type=Path)
    archive.add_argument(
        "--dry-run", action="store_true", help="check every row and report; write nothing"
    )
    archive.set_defaults(handler=_import)

    add_office_commands(commands)
    add_sms_commands(commands)
    add_apikey_commands(commands)

    demo = commands.add_parser("demo-data", help="fill an empty centre with realistic demo data")
    demo.add_argument(
        "--requests", type=_positive, default=DEFAULT_DEMO_REQUESTS, metavar="N",
        help=f"how many requests ({DEFAULT_DEMO_REQUESTS}, the seed's six months)",
    )
    demo.add_argument(
        "--seed", type=int, default=1405, help="random seed: the same seed, the same data"
    )
    demo.set_defaults(handler=_demo_data)
    return parser


# ----------------------------------------------------------------------- commands


def _migrate(args: argparse.Namespace) -> int:
    from sync.server import db

    with opened_engine(args, create=True) as engine:
        current = migrate.current_revision(engine)
        if current is not None:
            check_known(current)
        db.upgrade(engine)
        head = migrate.current_revision(engine)
        print(f"database {shown(database_url(args))} is at schema {head}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    with opened_engine(args) as engine:
        check_schema(engine)
    sms = sms_settings(args)
    try:
        from sync.server.app import run
    except ModuleNotFoundError as exc:
        if exc.name != "sync.server.app":
            raise
        raise CliError("this build has no HTTP server (sync/server/app.py is missing)") from None
    try:
        run(database_url(args), host=args.host, port=args.port, sms_settings=sms)
    except ValueError as exc:  # the app's own settings (TLS files) are wrong
        raise CliError(str(exc)) from None
    return 0


def _reference_load(args: argparse.Namespace) -> int:
    from sync import reference as ref
    from sync.server.reference_io import load_reference

    try:
        refset = ref.load(args.file)
    except ref.ReferenceError as exc:
        raise CliError(f"reference file {exc}: fix the file and load it again") from None
    with transaction(args) as session:
        result = load_reference(session, refset)
    print(
        f"reference loaded from {args.file}: {result.total_added} added, "
        f"{result.total_changed} changed, {result.unchanged} unchanged"
    )
    return 0


def _import(args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from sync.server.importer import ArchiveError, import_archive

    try:
        with transaction(args) as session:
            result = import_archive(session, args.file, dry_run=args.dry_run)
    except ArchiveError as exc:
        raise CliError(str(exc)) from None
    except (OSError, sa.exc.OperationalError) as exc:
        if (where := _full_disk(exc, args)) is None:
            raise
        raise CliError(f"{where} is full, so nothing of {args.file} was imported: free space "
                       "there and import again") from None
    except sa.exc.IntegrityError:
        raise CliError(
            "another import added some of these requests while this one ran; nothing was "
            "imported: run the import again"
        ) from None
    for problem in result.problems:
        print(problem, file=sys.stderr)
    if args.dry_run:
        print("dry run: nothing was written")
    print(result.summary())
    if result.rejected:
        raise CliError(
            f"{result.rejected} rows of {args.file} are invalid (listed above), so nothing "
            "was imported: fix them and import the file again"
        )
    return 0


def _full_disk(exc: Exception, args: argparse.Namespace) -> str | None:
    """Which disk ``exc`` says is full, in words (``None``: it says something else).
    The import writes one file, its spill; SQLite cannot tell its database's disk
    from its temporary files' (sorts, the staging table), so it names both."""
    import sqlite3

    cause, url, tmp = getattr(exc, "orig", exc), shown(database_url(args)), tempfile.gettempdir()
    if isinstance(cause, OSError) and cause.errno == errno.ENOSPC:
        return f"the disk of {tmp}, where the import spills checked rows (set TMPDIR for another),"
    if isinstance(cause, sqlite3.Error) and getattr(cause, "sqlite_errorcode", 0) == sqlite3.SQLITE_FULL:
        return f"the disk of the centre's database {url} (or of SQLite's temporary files, in {tmp})"
    if "53100" in (getattr(cause, "sqlstate", None), getattr(cause, "pgcode", None)):
        return f"the disk of the centre's database server ({url})"
    return None


def _demo_data(args: argparse.Namespace) -> int:
    from sync.server.demo import DemoError, fill_demo

    try:
        with transaction(args) as session:
            summary = fill_demo(session, requests=args.requests, seed=args.seed)
    except DemoError as exc:
        raise CliError(str(exc)) from None
    print(summary)
    return 0


# --------------------------------------------------------------------------- main


def _fail(message: str) -> None:
    print(f"{PROG}: error: {' '.join(message.split())}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code (0 only on success)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help and --version end the parse with exit 0
        return int(exc.code or 0)
    except UsageError as exc:
        _fail(str(exc))
        return exc.exit_code
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except CliError as exc:
        _fail(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        _fail("interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:  # the contract: one line, never a traceback
        if _is_operational_error(exc):
            if (where := _full_disk(exc, args)) is not None:
                _fail(f"{where} is full: free space there and run the command again")
                return EXIT_FAILURE
            orig = getattr(exc, "orig", None)
            reason = str(orig).strip().splitlines()[0] if orig else str(exc)
            _fail(
                f"cannot use the database {shown(database_url(args))}: {reason} "
                "(check --database-url or DATABASE_URL)"
            )
            return EXIT_FAILURE
        _fail(f"unexpected {type(exc).__name__}: {exc}")
        return EXIT_FAILURE


def _is_operational_error(exc: Exception) -> bool:
    """SQLAlchemy's ``OperationalError`` (the database cannot be used), without
    importing SQLAlchemy for a command that never loaded it."""
    sa = sys.modules.get("sqlalchemy")
    return sa is not None and isinstance(exc, sa.exc.OperationalError)


if __name__ == "__main__":
    sys.exit(main())
