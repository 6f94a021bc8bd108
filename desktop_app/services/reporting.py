"""Summary reports as a use case: the office's scope, a read-only session, the file.

``daftar report summary`` (:func:`cli_summary`) and the window's reports page
(:func:`export_report`) both come here, so a report from the command line and one
saved from the window cover the same districts and hold the same pages.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop_app.reports.summary import ReportError, SummaryReport, export, output_format
from desktop_app.services.scope import office_scope
from desktop_app.store.db import Store
from sync.dates import Period, format_jalali_date


def _districts(store: Store) -> tuple[str, ...] | None:
    scope = office_scope(store)
    return None if scope.everywhere else scope.districts


def export_report(store: Store, period: Period, by: str, out: Path,
                  fmt: str | None = None) -> SummaryReport:
    """Write the summary of ``period`` by ``by`` for this office's districts."""
    with store.reading() as session:
        return export(session, period, by, out, output_format(fmt, out),
                      districts=_districts(store))


def cli_summary(store: Store, args: argparse.Namespace) -> int:
    """``daftar report summary --from D --to D --by G [--format F] --out FILE``."""
    if args.date_to < args.date_from:
        raise ReportError(
            f"--to {format_jalali_date(args.date_to, persian_digits=False)} is before --from "
            f"{format_jalali_date(args.date_from, persian_digits=False)}: give the first day "
            "with --from and the last with --to"
        )
    period = Period(args.date_from, args.date_to)
    fmt = output_format(args.format, args.out)
    report = export_report(store, period, args.by, args.out, fmt)
    t = report.totals
    first = format_jalali_date(period.first, persian_digits=False)
    last = format_jalali_date(period.last, persian_digits=False)
    print(f"wrote {args.out} ({fmt}): {first} to {last} by {args.by}, {len(report.rows)} groups, "
          f"{t.received} received: {t.done} done, {t.not_actionable} not actionable, "
          f"{t.in_progress} in progress ({t.overdue} overdue)")
    return 0
