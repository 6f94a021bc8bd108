"""``daftar-server``: the centre's admin command line (DESIGN.md, "Contracts").

Scripts, schedulers and the acceptance checks call these commands, so their shape is
a public contract: a global ``--database-url`` before the sub-command, ``--help`` on
each, ``--version``, and on any failure a non-zero exit with one line
``daftar-server: error: <what to fix>`` on standard error, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import sqlite3
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import NoReturn

import sqlalchemy as sa
from alembic.util import CommandError
from alembic.script import ScriptDirectory
from sqlalchemy.orm import Session

from sync import migrate
from sync import reference as ref
from sync.dates import format_jalali_datetime, utcnow
from sync.server import db
from sync.server.demo import DemoError, fill_demo
from sync.server.enrolment import ENROLMENT_VALID, hash_enrolment_code, new_enrolment_code
from sync.server.importer import ArchiveError, import_archive
from sync.server.models import Device, District, Office, OfficeDistrict
from sync.server.reference_io import load_reference
from sync.server.refusals import ACTOR_CODES, refusals
from sync.text import clean, to_latin_digits

PROG = "daftar-server"
DEFAULT_PORT = 8137
DEFAULT_DEMO_REQUESTS = 2854  # the seed's six months: the demo then reproduces its table

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class CliError(Exception):
    """A failure the user can fix; its message says how (one line)."""

    exit_code = EXIT_FAILURE


class UsageError(CliError):
    """The command line itself is wrong."""

    exit_code = EXIT_USAGE


# ------------------------------------------------------------------------- parser


class _Parser(argparse.ArgumentParser):
    """argparse prints usage and a message over several lines; the contract wants one."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _version() -> str:
    try:
        return metadata.version("daftar")
    except metadata.PackageNotFoundError:
        return "unknown"


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
    parser.add_argument("--version", action="version", version=f"{PROG} {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("migrate", help="create or upgrade the database").set_defaults(
        handler=_migrate
    )

    serve = commands.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"({DEFAULT_PORT})")
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

    _add_office_commands(commands)

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


def _add_office_commands(commands: argparse._SubParsersAction[_Parser]) -> None:
    office = commands.add_parser("office", help="district offices and their enrolment")
    actions = office.add_subparsers(dest="action", required=True, metavar="ACTION")

    add = actions.add_parser("add", help="add an office; prints its one-time enrolment code")
    add.add_argument("name", metavar="NAME")
    scope = add.add_mutually_exclusive_group(required=True)
    scope.add_argument(
        "--districts", metavar="CODE,...", help="the district codes the office serves"
    )
    scope.add_argument("--all", action="store_true", help="every district (the centre's own)")
    add.set_defaults(handler=_office_add)

    code = actions.add_parser(
        "code", help="a new one-time enrolment code for an office (the old one stops working)"
    )
    code.add_argument("name", metavar="NAME")
    code.set_defaults(handler=_office_code)

    revoke = actions.add_parser(
        "revoke", help="revoke every device of an office and its unused enrolment code"
    )
    revoke.add_argument("name", metavar="NAME")
    revoke.set_defaults(handler=_office_revoke)

    actions.add_parser("list", help="one line per office").set_defaults(handler=_office_list)
    actions.add_parser(
        "refusals", help="pushed changes the centre refused, per office and code (a run of "
        "unknown_actor or role_not_allowed is worth a visit)"
    ).set_defaults(handler=_office_refusals)


# ----------------------------------------------------------------------- database


def _database_url(args: argparse.Namespace) -> str:
    return args.database_url or db.default_url()


def _shown(url: str) -> str:
    """The URL as it may be printed: never with its password."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


@contextmanager
def _engine(args: argparse.Namespace, *, create: bool = False) -> Iterator[sa.Engine]:
    url = _database_url(args)
    try:
        engine = db.open_engine(url)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
        raise CliError(f"not a database URL: {_shown(url)!r} ({exc})") from None
    path = engine.url.database
    if engine.dialect.name == "sqlite" and not create and path and path != ":memory:":
        if not Path(path).exists():
            engine.dispose()
            raise CliError(f"there is no database at {path}: run `{PROG} migrate` first")
    try:
        yield engine
    finally:
        engine.dispose()


def _check_schema(engine: sa.Engine) -> None:
    """Refuse to work on a database this version did not shape, saying what to do."""
    if db.is_current(engine):
        return
    current = migrate.current_revision(engine)
    where = engine.url.render_as_string(hide_password=True)
    if current is None:
        raise CliError(f"the database {where} has no Daftar tables: run `{PROG} migrate` first")
    _check_known(current)
    raise CliError(f"the database {where} is from an older version: run `{PROG} migrate` first")


def _check_known(revision: str) -> None:
    scripts = ScriptDirectory.from_config(migrate.config_for(db.MIGRATIONS))
    try:
        scripts.get_revision(revision)
    except CommandError:
        raise CliError(
            f"the database was shaped by a newer {PROG} (schema {revision}): "
            f"use that version or a newer one"
        ) from None


@contextmanager
def _session(args: argparse.Namespace) -> Iterator[Session]:
    """One transaction on a migrated database: committed when the block succeeds."""
    with _engine(args) as engine:
        _check_schema(engine)
        with db.session_factory(engine)() as session, session.begin():
            yield session


# ----------------------------------------------------------------------- commands


def _migrate(args: argparse.Namespace) -> int:
    with _engine(args, create=True) as engine:
        current = migrate.current_revision(engine)
        if current is not None:
            _check_known(current)
        db.upgrade(engine)
        head = migrate.current_revision(engine)
        print(f"database {_shown(_database_url(args))} is at schema {head}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    with _engine(args) as engine:
        _check_schema(engine)
    try:
        from sync.server.app import run
    except ModuleNotFoundError as exc:
        if exc.name != "sync.server.app":
            raise
        raise CliError("this build has no HTTP server (sync/server/app.py is missing)") from None
    try:
        run(_database_url(args), host=args.host, port=args.port)
    except ValueError as exc:  # the app's own settings (TLS files) are wrong
        raise CliError(str(exc)) from None
    return 0


def _reference_load(args: argparse.Namespace) -> int:
    try:
        refset = ref.load(args.file)
    except ref.ReferenceError as exc:
        raise CliError(f"reference file {exc}: fix the file and load it again") from None
    with _session(args) as session:
        result = load_reference(session, refset)
    print(
        f"reference loaded from {args.file}: {result.total_added} added, "
        f"{result.total_changed} changed, {result.unchanged} unchanged"
    )
    return 0


def _import(args: argparse.Namespace) -> int:
    try:
        with _session(args) as session:
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
    cause, url, tmp = getattr(exc, "orig", exc), _shown(_database_url(args)), tempfile.gettempdir()
    if isinstance(cause, OSError) and cause.errno == errno.ENOSPC:
        return f"the disk of {tmp}, where the import spills checked rows (set TMPDIR for another),"
    if isinstance(cause, sqlite3.Error) and getattr(cause, "sqlite_errorcode", 0) == sqlite3.SQLITE_FULL:
        return f"the disk of the centre's database {url} (or of SQLite's temporary files, in {tmp})"
    if "53100" in (getattr(cause, "sqlstate", None), getattr(cause, "pgcode", None)):
        return f"the disk of the centre's database server ({url})"
    return None


def _districts(session: Session, text: str) -> list[str]:
    """The codes of ``--districts``, each checked against the reference data."""
    wanted = list(dict.fromkeys(c.strip() for c in to_latin_digits(text).split(",") if c.strip()))
    if not wanted:
        raise CliError("--districts is empty: give district codes separated by commas")
    known = set(session.scalars(sa.select(District.code)))
    if not known:
        raise CliError(f"the centre has no districts yet: run `{PROG} reference load FILE` first")
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise CliError(
            f"unknown district codes: {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    return wanted


def _office_name(text: str) -> str:
    name = clean(text)
    if not name or len(name) > 100:
        raise CliError("an office name must be 1 to 100 characters")
    return name


def _find_office(session: Session, text: str) -> Office:
    name = _office_name(text)
    office = session.scalar(sa.select(Office).where(Office.name == name))
    if office is None:
        raise CliError(f"there is no office named {name!r} (see `{PROG} office list`)")
    return office


def _issue_code(office: Office) -> tuple[str, dt.datetime]:
    """Give ``office`` a fresh one-time code; only its hash is kept.  Returns the code
    and when it expires."""
    code = new_enrolment_code()
    expires = utcnow() + ENROLMENT_VALID
    office.enrolment_code_hash = hash_enrolment_code(code)
    office.enrolment_expires_at = expires
    return code, expires


def _print_code(name: str, code: str, expires: dt.datetime) -> None:
    """The code goes alone on the last line: scripts take it with ``tail -n 1``."""
    until = format_jalali_datetime(expires, persian_digits=False)
    print(f"enrolment code for {name}, single use, valid until {until} Tehran time:")
    print(code)


def _office_add(args: argparse.Namespace) -> int:
    name = _office_name(args.name)
    with _session(args) as session:
        if session.scalar(sa.select(Office.id).where(Office.name == name)) is not None:
            raise CliError(f"an office named {name!r} already exists (see `{PROG} office list`)")
        districts = [] if args.all else _districts(session, args.districts)
        number = (session.scalar(sa.select(sa.func.max(Office.number))) or 0) + 1
        office = Office(name=name, number=number, all_districts=args.all, created_at=utcnow())
        code, expires = _issue_code(office)
        session.add(office)
        session.flush()
        session.add_all(OfficeDistrict(office_id=office.id, district_code=d) for d in districts)
    scope = "every district" if args.all else "districts " + ", ".join(districts)
    print(f"office {name} added as number {number}, for {scope}")
    _print_code(name, code, expires)
    return 0


def _office_code(args: argparse.Namespace) -> int:
    with _session(args) as session:
        office = _find_office(session, args.name)
        code, expires = _issue_code(office)
    _print_code(office.name, code, expires)
    return 0


def _office_revoke(args: argparse.Namespace) -> int:
    with _session(args) as session:
        office = _find_office(session, args.name)
        revoked = session.execute(
            sa.update(Device)
            .where(Device.office_id == office.id, Device.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        ).rowcount
        office.enrolment_code_hash = None
        office.enrolment_expires_at = None
    print(f"office {office.name}: {revoked} devices revoked, enrolment code cleared")
    return 0


def _office_list(args: argparse.Namespace) -> int:
    with _session(args) as session:
        offices = session.scalars(sa.select(Office).order_by(Office.number)).all()
        scopes = _office_scopes(session)
        devices = _device_counts(session)
        now = utcnow()
        for office in offices:
            scope = "all" if office.all_districts else ",".join(scopes.get(office.id, [])) or "-"
            active, revoked = devices.get(office.id, (0, 0))
            print(
                f"{office.number}\t{office.name}\tdistricts: {scope}\t"
                f"devices: {active} active, {revoked} revoked\t"
                f"enrolment code: {_code_state(office, now)}"
            )
    return 0


def _office_refusals(args: argparse.Namespace) -> int:
    with _session(args) as session:
        for row in refusals(session):
            mark = "  (who acted)" if row.code in ACTOR_CODES else ""
            print(f"{row.office}\t{row.code}\t{row.count}\tlast {row.last_at.isoformat()}{mark}")
    return 0


def _office_scopes(session: Session) -> dict[uuid.UUID, list[str]]:
    scopes: dict[uuid.UUID, list[str]] = {}
    rows = session.execute(
        sa.select(OfficeDistrict.office_id, OfficeDistrict.district_code).order_by(
            OfficeDistrict.district_code
        )
    )
    for office_id, code in rows:
        scopes.setdefault(office_id, []).append(code)
    return scopes


def _device_counts(session: Session) -> dict[uuid.UUID, tuple[int, int]]:
    revoked = Device.revoked_at.is_not(None)
    rows = session.execute(
        sa.select(
            Device.office_id,
            sa.func.count().filter(~revoked),
            sa.func.count().filter(revoked),
        ).group_by(Device.office_id)
    )
    return {office_id: (active, gone) for office_id, active, gone in rows}


def _code_state(office: Office, now: dt.datetime) -> str:
    if office.enrolment_code_hash is None or office.enrolment_expires_at is None:
        return "none"
    if office.enrolment_expires_at <= now:
        return "expired"
    until = format_jalali_datetime(office.enrolment_expires_at, persian_digits=False)
    return f"unused, valid until {until}"


def _demo_data(args: argparse.Namespace) -> int:
    try:
        with _session(args) as session:
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
    except sa.exc.OperationalError as exc:
        if (where := _full_disk(exc, args)) is not None:
            _fail(f"{where} is full: free space there and run the command again")
            return EXIT_FAILURE
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        _fail(
            f"cannot use the database {_shown(_database_url(args))}: {reason} "
            "(check --database-url or DATABASE_URL)"
        )
        return EXIT_FAILURE
    except KeyboardInterrupt:
        _fail("interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:  # the contract: one line, never a traceback
        _fail(f"unexpected {type(exc).__name__}: {exc}")
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
