"""``daftar enroll`` and ``daftar sync``: joining the centre and one round, headless.

For schedulers and scripts: a round's counts on standard output, progress on
standard error only when someone watches it, and exit 0 only when the round
completed (a failure raises, and :func:`desktop_app.cli.main` prints its one line).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop_app.store.db import Store

# The services are imported in the functions: :func:`cli_idle_sync` must not load the
# database layer or the network client (desktop_app.services.idle_sync).


def cli_enroll(store: Store, args: argparse.Namespace) -> int:
    """``daftar enroll URL CODE [--allow-insecure]``."""
    from desktop_app.services import sync_service

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
    from desktop_app.services import sync_service

    interactive = sys.stderr.isatty()
    try:
        report = sync_service.sync_once(store, progress=_print_progress if interactive else None)
    finally:
        if interactive:
            print(file=sys.stderr)
    _print_round(pushed=report.pushed, applied=report.applied, rejected=report.rejected,
                 conflicts=report.conflicts, pulled=report.pulled, new_referrals=report.new_referrals,
                 skew_warning=report.clock_skew_warning, skew_seconds=report.clock_skew_seconds,
                 problems=len(sync_service.open_problems(store)))
    return 0


def cli_idle_sync(args: argparse.Namespace) -> int | None:
    """``daftar sync`` when the round has nothing to do, said as :func:`cli_sync` says it,
    without opening the store the usual way (:mod:`desktop_app.services.idle_sync`);
    ``None``: the full round must run."""
    from desktop_app.services.idle_sync import idle_round
    from desktop_app.store.folder import data_folder

    done = idle_round(data_folder(args.data_dir))
    if done is None:
        return None
    if sys.stderr.isatty():
        print(file=sys.stderr)  # as after the full round's progress line
    _print_round(pushed=0, applied=0, rejected=0, conflicts=0, pulled=0, new_referrals=0,
                 skew_warning=done.clock_skew_warning, skew_seconds=done.clock_skew_seconds,
                 problems=done.open_problems)
    return 0


def _print_round(*, pushed: int, applied: int, rejected: int, conflicts: int, pulled: int,
                 new_referrals: int, skew_warning: bool, skew_seconds: float | None,
                 problems: int) -> None:
    print(f"sync: pushed {pushed} ({applied} applied, {rejected} rejected, "
          f"{conflicts} conflicts), pulled {pulled} rows, {new_referrals} new referrals")
    if skew_warning:
        print(f"warning: this computer's clock is {abs(skew_seconds or 0):.0f} s "
              f"{'behind' if (skew_seconds or 0) > 0 else 'ahead of'} the centre's; "
              "set the right time", file=sys.stderr)
    if problems:
        print(f"{problems} sync problems wait for a person (open the app: Sync problems)",
              file=sys.stderr)
