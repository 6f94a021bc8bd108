"""The ``daftar`` command line (DESIGN.md, "Contracts that outside tools rely on").

``daftar`` alone opens the window; the sub-commands work headless on the same data
folder, so schedulers and scripts can sync and print without anyone at the desk.
This module parses the contract and hands ``(store, args)`` to the sub-command's
printer in this package (:mod:`~desktop_app.cli.syncing`,
:mod:`~desktop_app.cli.reports`, :mod:`~desktop_app.cli.workorders`), which calls the
services the window calls and says what was done in a line or two.  Failures end
with one line on standard error and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

PROG = "daftar"
#: Set (to anything) to have the command say on standard error when it has parsed its
#: arguments and when it is about to begin its work (``daftar: parsed at <epoch
#: seconds> cpu <seconds of CPU so far>``, ``daftar: ready at …``):
#: tests/bench/bench_commands.py times start-up so.
TRACE_START_ENV = "DAFTAR_TRACE_START"
#: As `daftar-server demo-data`'s default: Kashan's 2,854 calls of the seed.
DEMO_REQUESTS = 2854

#: sub-command -> "module:function"; the function takes (store, args) and returns
#: the exit code.  Imported only when used, so ``daftar sync`` never loads Qt.
HANDLERS = {
    "enroll": "desktop_app.cli.syncing:cli_enroll",
    "sync": "desktop_app.cli.syncing:cli_sync",
    "report": "desktop_app.cli.reports:cli_summary",
    "workorders": "desktop_app.cli.workorders:cli_workorders",
}


class CliError(Exception):
    """A problem the user can fix; its text is the one line shown."""


def _version() -> str:
    # importlib.metadata costs more than the rest of ``daftar --help``: read only
    # when asked (:class:`_VersionAction`).
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("daftar")
    except PackageNotFoundError:
        return "unknown"


class _VersionAction(argparse.Action):
    """argparse's ``version`` action, with the version read only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: Any = argparse.SUPPRESS, help: str | None = None) -> None:  # noqa: A002
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0,
                         help=help or "show program's version number and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        print(f"{PROG} {_version()}")
        parser.exit()


class _Groupings:
    """``--by``'s choices, the codes of :data:`desktop_app.reports.groupings.GROUPINGS`,
    read when ``report summary`` is parsed or its help shown, not for every command."""

    @staticmethod
    def _codes() -> list[str]:
        from desktop_app.reports.groupings import GROUPINGS

        return list(GROUPINGS)

    def __contains__(self, code: object) -> bool:
        return code in self._codes()

    def __iter__(self) -> Any:
        return iter(self._codes())


def _day(text: str):  # type: ignore[no-untyped-def]
    from sync.dates import DateError, parse_day  # jdatetime: only when a date is given

    try:
        return parse_day(text)
    except DateError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _mark(moment: str) -> None:
    """``daftar: <moment> at <epoch seconds>`` on standard error, when asked
    (:data:`TRACE_START_ENV`)."""
    if os.environ.get(TRACE_START_ENV):
        print(f"{PROG}: {moment} at {time.time():.6f} cpu {time.process_time():.3f}", file=sys.stderr,
              flush=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Daftar: the district office's desk for 137 requests. "
        "Without a sub-command, opens the window.",
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("--data-dir", type=Path, metavar="DIR",
                        help="the office's data folder (default: env DAFTAR_DATA_DIR, "
                        "else the user data folder)")
    parser.add_argument("--lang", choices=["fa", "en"], help="language of the window (default: fa)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="first run: a local centre with demo data, this app "
                          "enrolled to it, the window open")
    demo.add_argument("--requests", type=int, default=DEMO_REQUESTS,
                      help=f"demo requests (default {DEMO_REQUESTS}: the seed's six months, "
                      "so the demo's summary by region is the seed's table)")
    demo.add_argument("--no-window", action="store_true",
                      help="set everything up and sync, but do not open the window")

    enroll = sub.add_parser("enroll", help="join the centre with an enrolment code")
    enroll.add_argument("url", help="the centre's address, e.g. https://137.kashan.ir")
    enroll.add_argument("code", help="the one-time code from `daftar-server office add`")
    enroll.add_argument("--allow-insecure", action="store_true",
                        help="allow plain http:// to a host other than this computer")

    sub.add_parser("sync", help="one full sync round, headless; exit 0 only on success")

    report = sub.add_parser("report", help="reports for managers")
    report_sub = report.add_subparsers(dest="report", metavar="REPORT", required=True)
    summary = report_sub.add_parser("summary", help="outcome counts by group over a period")
    summary.add_argument("--from", dest="date_from", required=True, type=_day, metavar="D",
                         help="first day, Jalali YYYY-MM-DD (inclusive)")
    summary.add_argument("--to", dest="date_to", required=True, type=_day, metavar="D",
                         help="last day, Jalali YYYY-MM-DD (inclusive)")
    by = summary.add_argument("--by", required=True, choices=_Groupings(), metavar="G")
    # argparse formats an argument's metavar as it is added (the choices, if none is
    # given): with one given then, the help still lists the choices, read only then.
    by.metavar = None
    summary.add_argument("--format", choices=["pdf", "csv", "xlsx"],
                         help="default: from the --out file's extension, else pdf")
    summary.add_argument("--out", required=True, type=Path, metavar="FILE")
    centre = report_sub.add_parser(
        "centre", help="the 137 centre's own report: the seed's table by region, repeat calls, "
        "time to referral and to close, districts ranked by overdue share")
    centre.add_argument("--from", dest="date_from", required=True, type=_day, metavar="D",
                        help="first day, Jalali YYYY-MM-DD (inclusive)")
    centre.add_argument("--to", dest="date_to", required=True, type=_day, metavar="D",
                        help="last day, Jalali YYYY-MM-DD (inclusive)")
    centre.add_argument("--format", choices=["pdf", "csv", "xlsx"],
                        help="default: from the --out file's extension, else pdf")
    centre.add_argument("--out", required=True, type=Path, metavar="FILE")

    orders = sub.add_parser("workorders", help="print work orders as one PDF")
    which = orders.add_mutually_exclusive_group(required=True)
    which.add_argument("--request", dest="requests", action="append", metavar="CODE",
                       help="a tracking code; repeat for more")
    which.add_argument("--crew", metavar="CREW", help="a crew's name or id: its open work")
    orders.add_argument("--date", type=_day, metavar="D",
                        help="with --crew: the day of the sheet (Jalali YYYY-MM-DD)")
    orders.add_argument("--page-size", choices=["A4", "A5"], default="A4")
    orders.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    return parser


def _handler(command: str) -> Callable[..., int]:
    module, _, name = HANDLERS[command].partition(":")
    return getattr(importlib.import_module(module), name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "workorders" and args.crew and args.date is None:
        parser.error("--crew needs --date (the day of the crew's sheet)")
    _mark("parsed")
    try:
        if args.command is None:
            from desktop_app.app import run_gui

            return run_gui(args)
        if args.command == "demo":
            from desktop_app.demo import run_demo

            return run_demo(args)
        if args.command == "sync":
            # A round with nothing to do needs neither the database layer nor the
            # network client (see desktop_app.services.idle_sync): tried first.
            from desktop_app.cli.syncing import cli_idle_sync

            code = cli_idle_sync(args)
            if code is not None:
                return code
        from desktop_app.store.db import open_store

        store = open_store(args.data_dir)
        try:
            handler = _handler(args.command)
            _mark("ready")
            return handler(store, args)
        finally:
            store.close()
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the contract: one line, non-zero exit
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
