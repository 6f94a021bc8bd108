"""``daftar report summary`` and ``daftar report centre``: a manager's report
written to a file, headless.

The same use case as the window's reports page
(:func:`desktop_app.services.reporting.export_report`): the office's districts, the
same pages.  Here the period is checked, the file written and its totals said in
one line.
"""

from __future__ import annotations

import argparse

from desktop_app.reports.summary import ReportError, output_format
from desktop_app.services.reporting import export_centre_report, export_report
from desktop_app.store.db import Store
from sync.dates import Period, format_jalali_date


def _period(args: argparse.Namespace) -> Period:
    if args.date_to < args.date_from:
        raise ReportError(
            f"--to {format_jalali_date(args.date_to, persian_digits=False)} is before --from "
            f"{format_jalali_date(args.date_from, persian_digits=False)}: give the first day "
            "with --from and the last with --to"
        )
    return Period(args.date_from, args.date_to)


def cli_summary(store: Store, args: argparse.Namespace) -> int:
    """``daftar report summary --from D --to D --by G [--format F] --out FILE``, and
    ``daftar report centre`` (:func:`cli_centre`)."""
    if args.report == "centre":
        return cli_centre(store, args)
    period = _period(args)
    fmt = output_format(args.format, args.out)
    report = export_report(store, period, args.by, args.out, fmt)
    t = report.totals
    first = format_jalali_date(period.first, persian_digits=False)
    last = format_jalali_date(period.last, persian_digits=False)
    print(f"wrote {args.out} ({fmt}): {first} to {last} by {args.by}, {len(report.rows)} groups, "
          f"{t.received} received: {t.done} done, {t.not_actionable} not actionable, "
          f"{t.in_progress} in progress ({t.overdue} overdue)")
    return 0


def cli_centre(store: Store, args: argparse.Namespace) -> int:
    """``daftar report centre --from D --to D [--format F] --out FILE``."""
    period = _period(args)
    fmt = output_format(args.format, args.out)
    report = export_centre_report(store, period, args.out, fmt)
    t = report.totals
    first = format_jalali_date(period.first, persian_digits=False)
    last = format_jalali_date(period.last, persian_digits=False)
    print(f"wrote {args.out} ({fmt}): centre report {first} to {last}, {len(report.districts)} "
          f"districts, {t.received} received, {t.repeat_calls} repeat calls, "
          f"{t.overdue} of {t.open_with_deadline} open overdue")
    return 0
