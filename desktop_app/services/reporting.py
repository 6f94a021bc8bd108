"""Summary reports as a use case: the office's scope, read-only sessions, the file.

``daftar report summary`` (:mod:`desktop_app.cli.reports`) and the window's reports
page (:func:`summary_figures`) both come here, so a report from the command line and one
saved from the window cover the same districts and hold the same pages.

The window runs :func:`summary_figures` as a long job: each query is one short read
on its database thread (``on_db``), the file is written on the job's own thread,
and a cancel before the file is written leaves none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy.orm import Session

from desktop_app.reports.centre_figures import CentreReport, compute_centre_report
from desktop_app.reports.groupings import GROUPING
from desktop_app.reports.progress import NO_PROGRESS, OnDb, Progress, run_here
from desktop_app.reports.summary import SummaryReport, export, output_format
from desktop_app.services.scope import office_scope
from desktop_app.store.db import Store
from desktop_app.store.reference import Lookup
from sync.dates import Period

T = TypeVar("T")


@dataclass(frozen=True)
class Figures:
    """A report and the names of its groups in both languages (the report's own
    names are Persian, for the printed page), by CSV group code."""

    report: SummaryReport
    names: dict[str, tuple[str, str]]


def _districts(store: Store) -> tuple[str, ...] | None:
    scope = office_scope(store)
    return None if scope.everywhere else scope.districts


def group_names(session: Session, grouping: str) -> dict[str, tuple[str, str]]:
    """(name_fa, name_en) by CSV group code, for the groupings named by reference data."""
    table = GROUPING[grouping].lookup if grouping in GROUPING else None
    if table is None:
        return {}
    names: dict[object, tuple[str, str]] = getattr(Lookup(session), table)
    return {str(code): pair for code, pair in names.items()}


def summary_figures(store: Store, period: Period, by: str, out: Path | None = None,
                    fmt: str | None = None, *, state: Progress = NO_PROGRESS,
                    on_db: OnDb = run_here) -> Figures:
    """The summary of ``period`` by ``by`` for this office's districts and the
    names of its groups; with ``out``, the report written there as the command line
    would write it (the format from ``fmt`` or the extension)."""
    def read(work: Callable[[Session], T]) -> T:
        def in_session() -> T:
            with store.reading() as session:
                return work(session)
        return on_db(in_session)

    districts = on_db(lambda: _districts(store))
    report = export(read, period, by, out, output_format(fmt, out) if out else "",
                    districts=districts, state=state)
    return Figures(report, read(lambda session: group_names(session, by)))


def export_report(store: Store, period: Period, by: str, out: Path,
                  fmt: str | None = None) -> SummaryReport:
    """Write the summary of ``period`` by ``by`` for this office's districts, every
    figure read in one read-only session (the command line)."""
    districts = _districts(store)
    with store.reading() as session:
        return export(lambda work: work(session), period, by, out, output_format(fmt, out),
                      districts=districts)



@dataclass(frozen=True)
class CentreFigures:
    """The centre's report and its districts' names in both languages, by code."""

    report: CentreReport
    names: dict[str, tuple[str, str]]


def centre_figures(store: Store, period: Period, out: Path | None = None, fmt: str | None = None,
                   *, state: Progress = NO_PROGRESS, on_db: OnDb = run_here) -> CentreFigures:
    """The centre's report of ``period`` over this office's districts (every
    district at the centre) and the names of its districts; with ``out``, the report
    written there (format from ``fmt`` or the extension).  The figures are one read on
    the database thread, the file is written where this runs."""
    def read() -> CentreFigures:
        districts = _districts(store)
        with store.reading() as session:
            return CentreFigures(compute_centre_report(session, period, districts=districts),
                                 group_names(session, "district"))

    figures = on_db(read)
    if out is not None:
        from desktop_app.reports.centre_report import write_centre  # ReportLab, openpyxl: when used

        write_centre(figures.report, out, output_format(fmt, out), state=state)
    return figures


def export_centre_report(store: Store, period: Period, out: Path,
                         fmt: str | None = None) -> CentreReport:
    """Write the centre's report (the command line)."""
    return centre_figures(store, period, out, fmt).report
