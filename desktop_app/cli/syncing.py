"""``daftar enroll`` and ``daftar sync``: joining the centre and one round, headless.

For schedulers and scripts: a round's counts on standard output, progress on
standard error only when someone watches it, and exit 0 only when the round
completed (a failure raises, and :func:`desktop_app.cli.main` prints its one line).
"""

from __future__ import annotations

import argparse
import sys

from desktop_app.services import sync_service
from desktop_app.store.db import Store


def cli_enroll(store: Store, args: argparse.Namespace) -> int:
    """``daftar enroll URL CODE [--allow-insecure]``."""
    identity = sync_service.enroll(store, args.url, args.code, allow_insecure=args.allow_insecure)
    scope = "every district" if identity.all_districts else "districts " + ", ".join(identity.districts)
    print(f"enrolled as office {identity.name} (number {identity.number}), for {scope}")
    print("run `daftar sync` to fetch the office's requests")
    return 0


def _print_progress(phase: str, done: int, total: int) -> None:
    if total > 0:
        print(f"\r{phase}: {min(100, 100 * done // total):3d}%", end="", file=sys.stderr, flush=True)


def cli_sync(store: Store, args: argparse.Namespace) -> int:
    """``daftar sync``: one round; exit 0 only when it completed (a failure raises, and
    the command line prints its one line and exits non-zero)."""
    interactive = sys.stderr.isatty()
    try:
        report = sync_service.sync_once(store, progress=_print_progress if interactive else None)
    finally:
        if interactive:
            print(file=sys.stderr)
    print(f"sync: pushed {report.pushed} ({report.applied} applied, {report.rejected} rejected, "
          f"{report.conflicts} conflicts), pulled {report.pulled} rows, "
          f"{report.new_referrals} new referrals")
    if report.clock_skew_warning:
        print(f"warning: this computer's clock is {abs(report.clock_skew_seconds or 0):.0f} s "
              f"{'behind' if (report.clock_skew_seconds or 0) > 0 else 'ahead of'} the centre's; "
              "set the right time", file=sys.stderr)
    problems = len(sync_service.open_problems(store))
    if problems:
        print(f"{problems} sync problems wait for a person (open the app: Sync problems)",
              file=sys.stderr)
    return 0
