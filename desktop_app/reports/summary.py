"""The managers' summary report: its figures, its three file formats, its command.

This is the module the rest of the app calls (the reports page of the window,
``daftar report summary``).  The figures are computed in
:mod:`desktop_app.reports.figures` (SQL aggregates; definitions there), the PDF is
laid out in :mod:`desktop_app.reports.summary_pdf`; this module writes the files.

* **CSV** — the machine contract of DESIGN.md: UTF-8, a header row, first columns
  exactly ``group,received,done,not_actionable,in_progress``, then ``share_done``
  (0–1), ``median_hours_to_close``, ``p90_hours_to_close``, ``overdue``, ``name``
  and one ``not_actionable_<reason>`` column per reason, then ``repeat_calls``
  (added last, so that every older column keeps its place).  One line per group,
  groups without requests included; no totals line, so that a script can sum the
  columns.  Empty cells where a figure does not exist (no closed requests).
* **Excel** — for managers who work the numbers further: a right-to-left sheet
  whose totals and shares are formulas, so that they follow any edit; reasons (by
  group), and the trend and least-calling neighbourhoods when given, on sheets of
  their own.

Names in both (a crew's, a neighbourhood's …) are people's text: each goes through
:func:`desktop_app.reports.cells.as_text`, so that none is read as a formula.
* **PDF** — the printed report (see :mod:`~desktop_app.reports.summary_pdf`).

Files are written beside their target and moved into place when complete, so a
failed run never leaves half a report where a scheduler expects one.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.orm import Session

from desktop_app.reports.cells import as_text
from desktop_app.reports.files import AtomicFile
from desktop_app.reports.figures import (
    GROUPING_LABELS_FA, GROUPINGS, MONTH, NO_REASON_FA, NeighbourhoodCalls, ReasonCount,
    ReportError, SummaryReport, SummaryRow, compute_summary, least_calling, monthly_figures,
    monthly_trend, period_label, period_range_label,
)
from desktop_app.reports.progress import NO_PROGRESS, Progress, step
from sync.dates import Period, format_jalali_datetime

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    from desktop_app.reports.summary_pdf import build_pdf

# openpyxl and the PDF builder (ReportLab) are loaded when a workbook or a PDF is
# first written, or one of their names here first asked for (centre_report's
# ``from … import _BOLD``): ``daftar report summary --out x.csv`` needs neither.
_EXCEL_NAMES = ("Workbook", "Alignment", "Font", "PatternFill", "get_column_letter", "_BOLD", "_TITLE",
                "_HEAD_FILL")


def _load_excel() -> None:
    if "_BOLD" in globals():
        return
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    globals().update(Workbook=Workbook, Alignment=Alignment, Font=Font, PatternFill=PatternFill,
                     get_column_letter=get_column_letter, _BOLD=Font(bold=True),
                     _TITLE=Font(bold=True, size=14), _HEAD_FILL=PatternFill("solid", fgColor="EEF2F6"))


def _load_pdf() -> None:
    if "build_pdf" not in globals():  # a test may have put its own
        from desktop_app.reports.summary_pdf import build_pdf

        globals()["build_pdf"] = build_pdf


def __getattr__(name: str) -> Any:
    if name in _EXCEL_NAMES:
        _load_excel()
        return globals()[name]
    if name == "build_pdf":
        _load_pdf()
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "FORMATS", "GROUPINGS", "GROUPING_LABELS_FA", "MONTH", "NeighbourhoodCalls", "ReasonCount",
    "ReportError", "SummaryReport", "SummaryRow", "compute_summary", "export",
    "csv_header", "least_calling", "monthly_figures", "monthly_trend", "output_format",
    "period_label", "period_range_label", "write_csv", "write_pdf", "write_xlsx",
]

FORMATS: tuple[str, ...] = ("pdf", "csv", "xlsx")
CSV_COLUMNS: tuple[str, ...] = (
    "group", "received", "done", "not_actionable", "in_progress", "share_done",
    "median_hours_to_close", "p90_hours_to_close", "overdue", "name",
)
#: The neighbourhoods listed as calling least in a printed report.
LEAST_CALLING_SHOWN = 10

T = TypeVar("T")


def _replacing(out: str | os.PathLike[str], state: Progress) -> AtomicFile:
    """``out``, written beside itself and moved into place once complete."""
    target = Path(out)
    if not target.parent.is_dir():
        raise ReportError(f"the folder {target.parent} does not exist: create it or write "
                          "the report elsewhere")
    return AtomicFile(target, state)


# ------------------------------------------------------------------ CSV


def _reason_codes(report: SummaryReport) -> list[str]:
    """Reason columns in a fixed order (by code), whatever the counts."""
    return sorted(r.code for r in report.reasons)


def csv_header(report: SummaryReport) -> list[str]:
    return [*CSV_COLUMNS, *(f"not_actionable_{code or 'unrecorded'}"
                            for code in _reason_codes(report)), "repeat_calls",
            *SATISFACTION_COLUMNS]


#: After the repeat calls: the citizens' answers to the closing SMS (issue 16).
SATISFACTION_COLUMNS = ("satisfaction_asked", "satisfaction_answered", "answer_rate",
                        "satisfaction_rate", "mean_score")


def _blank(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def write_csv(report: SummaryReport, out: str | os.PathLike[str], *,
              state: Progress = NO_PROGRESS) -> None:
    reasons = _reason_codes(report)
    with (_replacing(out, state) as file,
          file.part.open("w", encoding="utf-8", newline="") as handle):
        writer = csv.writer(handle)
        writer.writerow(csv_header(report))
        for row in report.rows:
            writer.writerow([
                as_text(row.group), row.received, row.done, row.not_actionable, row.in_progress,
                _blank(row.share_done, 4), _blank(row.median_hours_to_close, 2),
                _blank(row.p90_hours_to_close, 2), row.overdue, as_text(row.name),
                *(row.reasons.get(code, 0) for code in reasons), row.repeat_calls,
                row.satisfaction.asked, row.satisfaction.answered, _blank(row.answer_rate, 4),
                _blank(row.satisfaction_rate, 4), _blank(row.satisfaction.mean_score, 2),
            ])


# ------------------------------------------------------------------ Excel

_DAYS = "0.0"
_SHARE = "0.0%"


def _sheet(book: Workbook, title: str, first: bool = False) -> Worksheet:
    sheet = book.active if first else book.create_sheet()
    assert sheet is not None
    sheet.title = title
    sheet.sheet_view.rightToLeft = True
    return sheet


def _put(sheet: Worksheet, row: int, col: int, value: Any) -> Any:
    """A cell of data or a label: text goes in as text (:func:`as_text`); the
    report's own formulas are written apart, never through here."""
    return sheet.cell(row, col, as_text(value))


def _head(sheet: Worksheet, row: int, labels: Sequence[str]) -> None:
    for col, label in enumerate(labels, 1):
        cell = _put(sheet, row, col, label)
        cell.font = _BOLD
        cell.fill = _HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _widths(sheet: Worksheet, widths: Sequence[float]) -> None:
    for col, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(col)].width = width


def _figures_sheet(sheet: Worksheet, report: SummaryReport, start: int) -> None:
    """Rows from ``start``: the header, one line per group, a totals line of
    formulas.  Shares are formulas too; times to close are values (a median of
    medians is not a median)."""
    _head(sheet, start, [report.grouping_label, "دریافت شده", "انجام شده", "قابل انجام نبوده",
                         "در دست اقدام و پیگیری", "سهم انجام شده", "میانهٔ زمان بستن (روز)",
                         "صدک ۹۰ زمان بستن (روز)", "معوق", "کد", "تماس تکراری",
                         "پرسش رضایت (پیامک)", "پاسخ شهروند", "نرخ پاسخ", "رضایت (۴ و ۵)"])
    first = start + 1
    for r, row in enumerate(report.rows, first):
        _figures_line(sheet, r, row, row.group)
    total = first + len(report.rows)
    last = total - 1
    _figures_line(sheet, total, report.totals, "")
    for col in "BCDEIKLM":
        sheet[f"{col}{total}"] = f"=SUM({col}{first}:{col}{last})" if report.rows else 0
    for cell in sheet[total]:
        cell.font = _BOLD
    sheet.freeze_panes = sheet.cell(first, 2)
    _widths(sheet, [28, 12, 12, 14, 16, 13, 16, 16, 10, 38, 12, 14, 12, 11, 12])


def _figures_line(sheet: Worksheet, r: int, row: SummaryRow, code: str) -> None:
    values = [row.name, row.received, row.done, row.not_actionable, row.in_progress, None,
              _in_days(row.median_hours_to_close), _in_days(row.p90_hours_to_close),
              row.overdue, code, row.repeat_calls, row.satisfaction.asked,
              row.satisfaction.answered, None, None]
    for col, value in enumerate(values, 1):
        _put(sheet, r, col, value)
    # The two rates as figures (empty when nobody was asked / answered).
    for col, rate in (("N", row.answer_rate), ("O", row.satisfaction_rate)):
        if rate is not None:
            sheet[f"{col}{r}"] = rate
        sheet[f"{col}{r}"].number_format = _SHARE
    sheet[f"F{r}"] = f'=IF(B{r}=0,"",C{r}/B{r})'
    sheet[f"F{r}"].number_format = _SHARE
    sheet[f"G{r}"].number_format = _DAYS
    sheet[f"H{r}"].number_format = _DAYS


def _in_days(hours: float | None) -> float | None:
    return None if hours is None else round(hours / 24, 2)


def _reasons_sheet(sheet: Worksheet, report: SummaryReport) -> None:
    codes = _reason_codes(report)
    names = {r.code: r.name for r in report.reasons}
    _head(sheet, 1, [report.grouping_label, *(names.get(c) or NO_REASON_FA for c in codes), "جمع"])
    rows = list(report.rows)
    for r, row in enumerate(rows, 2):
        _put(sheet, r, 1, row.name)
        for col, code in enumerate(codes, 2):
            sheet.cell(r, col, row.reasons.get(code, 0))
        end = get_column_letter(len(codes) + 1)
        sheet.cell(r, len(codes) + 2, f"=SUM(B{r}:{end}{r})")
    total = len(rows) + 2
    _put(sheet, total, 1, "جمع").font = _BOLD
    for col in range(2, len(codes) + 3):
        letter = get_column_letter(col)
        cell = sheet.cell(total, col, f"=SUM({letter}2:{letter}{total - 1})" if rows else 0)
        cell.font = _BOLD
    sheet.freeze_panes = "B2"
    _widths(sheet, [28] + [16] * (len(codes) + 1))


def _least_sheet(sheet: Worksheet, least: Sequence[NeighbourhoodCalls]) -> None:
    _head(sheet, 1, ["رتبه", "محله", "ناحیه", "منطقه", "درخواست‌ها", "کد محله"])
    for r, n in enumerate(least, 2):
        for col, value in enumerate([n.rank, n.name, n.district_name, n.region_number,
                                     n.received, n.code], 1):
            _put(sheet, r, col, value)
    sheet.freeze_panes = "A2"
    _widths(sheet, [8, 22, 22, 10, 12, 20])


def write_xlsx(report: SummaryReport, out: str | os.PathLike[str], *,
               trend: SummaryReport | None = None,
               least: Sequence[NeighbourhoodCalls] | None = None,
               state: Progress = NO_PROGRESS) -> None:
    _load_excel()
    book = Workbook()
    sheet = _sheet(book, "خلاصه", first=True)
    _put(sheet, 1, 1, f"گزارش خلاصهٔ درخواست‌ها به تفکیک {report.grouping_label}").font = _TITLE
    _put(sheet, 2, 1, f"{report.period_label} ({period_range_label(report.period)})")
    _put(sheet, 3, 1, f"محدوده: {report.scope_label} — تهیه شده در "
                      f"{format_jalali_datetime(report.generated_at)}")
    _figures_sheet(sheet, report, start=5)
    _reasons_sheet(_sheet(book, "دلیل‌های قابل انجام نبودن"), report)
    if least is not None:
        _least_sheet(_sheet(book, "کم‌تماس‌ترین محله‌ها"), least)
    if trend is not None:
        trend_sheet = _sheet(book, "روند ماهانه")
        _put(trend_sheet, 1, 1, f"روند ماهانه — {trend.period_label}").font = _TITLE
        _figures_sheet(trend_sheet, trend, start=3)
    with _replacing(out, state) as file:
        book.save(file.part)


# ------------------------------------------------------------------ PDF


def write_pdf(report: SummaryReport, out: str | os.PathLike[str], *,
              trend: SummaryReport | None = None,
              least: Sequence[NeighbourhoodCalls] | None = None,
              state: Progress = NO_PROGRESS) -> None:
    """The printed report; ``trend`` (a :data:`MONTH` report) and ``least`` add
    their pages."""
    if trend is not None and trend.grouping != MONTH:
        raise ReportError(f"the trend must be a month-by-month report, not one by {trend.grouping}")
    _load_pdf()
    with _replacing(out, state) as file:
        build_pdf(report, file.part, trend=trend, least=least, state=state)


# ------------------------------------------------------------------ command line


def output_format(requested: str | None, out: Path) -> str:
    """``--format`` when given, else the ``--out`` extension, else PDF (DESIGN.md)."""
    if requested is not None:
        if requested not in FORMATS:
            raise ReportError(f"unknown format {requested!r}: use one of {', '.join(FORMATS)}")
        return requested
    suffix = out.suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else "pdf"


#: Runs a read with a session and returns its result: directly on one session (the
#: command line), or a fresh session per read on the window's database thread.
Read = Callable[[Callable[[Session], T]], T]

#: How many steps :func:`export` reports (its progress counts them).
EXPORT_STEPS = 4


def export(read: Read[Any], period: Period, by: str, out: Path | None, fmt: str, *,
           districts: Sequence[str] | None = None,
           state: Progress = NO_PROGRESS) -> SummaryReport:
    """Compute the summary of ``period`` by ``by`` and, given ``out``, write it as
    ``fmt``: the CSV holds the figures alone; the PDF and the workbook add who calls
    least and, for a period of two to twelve months, the month-by-month trend.

    Every query is one ``read`` (the window runs each on its database thread, which
    serves the desk between them); the file is written where this runs, after the
    last read, and not at all once ``state`` is cancelled."""
    if by not in GROUPINGS:
        raise ReportError(f"unknown grouping {by!r}: use one of {', '.join(GROUPINGS)}")
    step(state, "figures", 0, EXPORT_STEPS)
    report = read(lambda session: compute_summary(session, period, by, districts=districts))
    if out is None:
        return report
    if fmt == "csv":
        step(state, "writing", EXPORT_STEPS - 1, EXPORT_STEPS)
        write_csv(report, out, state=state)
        return report
    step(state, "least", 1, EXPORT_STEPS)
    least = read(lambda session: least_calling(session, period, LEAST_CALLING_SHOWN,
                                               districts=districts))
    # A trend needs two months at least; past a year its chart has no room.
    trend = None
    if 1 < len(period.months()) <= 12:
        step(state, "trend", 2, EXPORT_STEPS)
        trend = read(lambda session: monthly_figures(session, period, as_of=report.generated_at,
                                                     districts=districts))
    step(state, "writing", EXPORT_STEPS - 1, EXPORT_STEPS)
    writer = write_pdf if fmt == "pdf" else write_xlsx
    writer(report, out, trend=trend, least=least, state=state)
    return report
