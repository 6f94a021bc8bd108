"""Summary reports as a use case: the office's scope, a read-only session, the file.

``daftar report summary`` (:mod:`desktop_app.cli.reports`) and the window's reports page
(:func:`export_report`) both come here, so a report from the command line and one
saved from the window cover the same districts and hold the same pages.
"""

from __future__ import annotations

from pathlib import Path

from desktop_app.reports.summary import SummaryReport, export, output_format
from desktop_app.services.scope import office_scope
from desktop_app.store.db import Store
from sync.dates import Period


def _districts(store: Store) -> tuple[str, ...] | None:
    scope = office_scope(store)
    return None if scope.everywhere else scope.districts


def export_report(store: Store, period: Period, by: str, out: Path,
                  fmt: str | None = None) -> SummaryReport:
    """Write the summary of ``period`` by ``by`` for this office's districts."""
    with store.reading() as session:
        return export(session, period, by, out, output_format(fmt, out),
                      districts=_districts(store))
