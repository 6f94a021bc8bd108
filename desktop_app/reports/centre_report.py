"""The centre's report as files: CSV, Excel and PDF (figures: :mod:`~desktop_app.reports.centre_figures`).

* **CSV** — one line per district, its first columns the summary's contract
  (``group,received,done,not_actionable,in_progress``; ``group`` is the district
  code), then :data:`CSV_COLUMNS`' others: repeat calls, receipt → referral and
  referral → close (how many requests, median and mean hours), the open work with a
  deadline, the overdue part of it, its share (0–1) and the district's rank by it,
  the district's name and region.  No totals line, so that a script can sum.
* **Excel** — a right-to-left workbook: the seed's table by region (totals as
  formulas), the districts' line, and the ranking by overdue share.
* **PDF** — a cover with the headline figures, the seed's table, the districts'
  speed, and the ranking (:func:`build_centre_pdf`).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from desktop_app.reports.cells import as_text
from desktop_app.reports.centre_figures import CentreReport, DistrictFigures, Hours
from desktop_app.reports.persian import register_fonts
from desktop_app.reports.progress import NO_PROGRESS, Progress, stop_if_cancelled
from desktop_app.reports.summary import _BOLD, _TITLE, _head, _put, _replacing, _sheet, _widths
from desktop_app.reports.summary_charts import (
    ACCENT,
    BUCKET_LABELS,
    MARGIN,
    MUTED,
    PAGE,
    RULE,
    SERVICE,
    WIDTH,
    decimal,
    number,
    percent,
)
from desktop_app.reports.summary_data import SummaryRow
from desktop_app.reports.summary_pdf import _canvas_class, _heading, _para, _rtl_table
from sync.dates import format_jalali_datetime
from sync.workflow import Bucket

__all__ = ["CENTRE_TITLE", "CSV_COLUMNS", "build_centre_pdf", "write_centre", "write_centre_csv",
           "write_centre_pdf", "write_centre_xlsx"]

CENTRE_TITLE = "گزارش مرکز ۱۳۷: ارجاع‌ها و پاسخ نواحی"

CSV_COLUMNS: tuple[str, ...] = (
    "group", "received", "done", "not_actionable", "in_progress", "repeat_calls",
    "referred", "median_hours_to_referral", "mean_hours_to_referral",
    "closed_after_referral", "median_hours_referral_to_close", "mean_hours_referral_to_close",
    "open_with_deadline", "overdue", "overdue_share", "overdue_rank", "name", "region",
)


def _blank(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _csv_line(d: DistrictFigures) -> list[object]:
    return [
        as_text(d.code), d.received, d.done, d.not_actionable, d.in_progress, d.repeat_calls,
        d.to_referral.count, _blank(d.to_referral.median, 2), _blank(d.to_referral.mean, 2),
        d.referral_to_close.count, _blank(d.referral_to_close.median, 2),
        _blank(d.referral_to_close.mean, 2), d.open_with_deadline, d.overdue,
        _blank(d.overdue_share, 4), d.rank, as_text(d.name),
        "" if d.region_number is None else d.region_number,
    ]


def write_centre_csv(report: CentreReport, out: str | os.PathLike[str], *,
                     state: Progress = NO_PROGRESS) -> None:
    with (_replacing(out, state) as file,
          file.part.open("w", encoding="utf-8", newline="") as handle):
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(_csv_line(d) for d in report.districts)


# ------------------------------------------------------------------ Excel

_SEED_HEAD = ["دریافت شده", "انجام شده", "قابل انجام نبوده", "در دست اقدام و پیگیری"]
_DISTRICT_HEAD = [
    "ناحیه", *_SEED_HEAD, "تماس تکراری", "ارجاع شده", "میانهٔ ثبت تا ارجاع (ساعت)",
    "میانگین ثبت تا ارجاع (ساعت)", "بسته شده پس از ارجاع", "میانهٔ ارجاع تا بستن (ساعت)",
    "میانگین ارجاع تا بستن (ساعت)", "باز با مهلت", "معوق", "سهم معوق", "رتبهٔ معوق", "کد",
]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _seed_sheet(sheet: Worksheet, report: CentreReport) -> None:
    _put(sheet, 1, 1, "تماس‌ها به تفکیک منطقه").font = _TITLE
    _put(sheet, 2, 1, f"{report.period_label} ({report.period_range_label}) — {report.scope_label}")
    _head(sheet, 4, ["منطقه", *_SEED_HEAD])
    rows = list(report.regions.rows)
    for r, row in enumerate(rows, 5):
        for col, value in enumerate([row.name, row.received, row.done, row.not_actionable,
                                     row.in_progress], 1):
            _put(sheet, r, col, value)
    total = 5 + len(rows)
    _put(sheet, total, 1, "جمع").font = _BOLD
    for col in "BCDE":
        cell = sheet[f"{col}{total}"]
        cell.value = f"=SUM({col}5:{col}{total - 1})" if rows else 0
        cell.font = _BOLD
    _widths(sheet, [24, 14, 14, 16, 20])


def _district_sheet(sheet: Worksheet, report: CentreReport) -> None:
    _head(sheet, 1, _DISTRICT_HEAD)
    for r, d in enumerate([*report.districts, report.totals], 2):
        values = [d.name, d.received, d.done, d.not_actionable, d.in_progress, d.repeat_calls,
                  d.to_referral.count, _round(d.to_referral.median), _round(d.to_referral.mean),
                  d.referral_to_close.count, _round(d.referral_to_close.median),
                  _round(d.referral_to_close.mean), d.open_with_deadline, d.overdue,
                  None, d.rank or None, d.code]
        for col, value in enumerate(values, 1):
            _put(sheet, r, col, value)
        sheet[f"O{r}"] = f'=IF(M{r}=0,"",N{r}/M{r})'
        sheet[f"O{r}"].number_format = "0.0%"
    for cell in sheet[len(report.districts) + 2]:
        cell.font = _BOLD
    sheet.freeze_panes = "B2"
    _widths(sheet, [24] + [13] * 15 + [10])


def _ranking_sheet(sheet: Worksheet, report: CentreReport) -> None:
    _head(sheet, 1, ["رتبه", "ناحیه", "باز با مهلت", "معوق", "سهم معوق", "کد"])
    for r, d in enumerate(report.ranking, 2):
        for col, value in enumerate([d.rank, d.name, d.open_with_deadline, d.overdue, None,
                                     d.code], 1):
            _put(sheet, r, col, value)
        sheet[f"E{r}"] = f'=IF(C{r}=0,"",D{r}/C{r})'
        sheet[f"E{r}"].number_format = "0.0%"
    sheet.freeze_panes = "A2"
    _widths(sheet, [8, 24, 14, 10, 12, 10])


def write_centre_xlsx(report: CentreReport, out: str | os.PathLike[str], *,
                      state: Progress = NO_PROGRESS) -> None:
    book = Workbook()
    _seed_sheet(_sheet(book, "مناطق", first=True), report)
    _district_sheet(_sheet(book, "نواحی"), report)
    _ranking_sheet(_sheet(book, "رتبهٔ معوق"), report)
    with _replacing(out, state) as file:
        book.save(file.part)


# ------------------------------------------------------------------ PDF


def _hours(value: float | None) -> str:
    return "—" if value is None else decimal(value)


def _seed_table(report: CentreReport) -> Table:
    """The seed's table: region, received, done, not actionable, in progress."""
    rows: list[SummaryRow] = [*report.regions.rows, report.regions.totals]
    body = [[row.name, number(row.received), number(row.done), number(row.not_actionable),
             number(row.in_progress)] for row in rows]
    header = ["منطقه", "تماس‌های دریافتی", BUCKET_LABELS[Bucket.DONE],
              BUCKET_LABELS[Bucket.NOT_ACTIONABLE], "در دست اقدام و پیگیری"]
    return _rtl_table(header, body, [40 * mm] + [(WIDTH - 40 * mm) / 4] * 4, totals=True)


def _speed_table(report: CentreReport) -> Table:
    lines = [*report.districts, report.totals]

    def pair(hours: Hours) -> list[str]:
        return [number(hours.count), _hours(hours.median), _hours(hours.mean)]

    body = [[d.name, number(d.received), number(d.repeat_calls), *pair(d.to_referral),
             *pair(d.referral_to_close)] for d in lines]
    header = ["ناحیه", "دریافت شده", "تماس تکراری", "ارجاع شده", "ثبت تا ارجاع: میانه (ساعت)",
              "ثبت تا ارجاع: میانگین (ساعت)", "بسته شده پس از ارجاع",
              "ارجاع تا بستن: میانه (ساعت)", "ارجاع تا بستن: میانگین (ساعت)"]
    muted = [i for i, d in enumerate(report.districts) if d.received == 0]
    name_width = 32 * mm
    return _rtl_table(header, body, [name_width] + [(WIDTH - name_width) / 8] * 8, totals=True,
                      muted_rows=muted)


def _ranking_table(report: CentreReport) -> Table:
    body = [[number(d.rank), d.name, number(d.open_with_deadline), number(d.overdue),
             percent(d.overdue_share)] for d in report.ranking]
    return _rtl_table(["رتبه", "ناحیه", "باز با مهلت", "معوق (گذشته از مهلت)", "سهم معوق"], body,
                      [15 * mm, 45 * mm, 30 * mm, 35 * mm, 25 * mm], first_align="center",
                      muted_rows=[i for i, d in enumerate(report.ranking) if d.open_with_deadline == 0])


def _tiles(report: CentreReport) -> Table:
    t = report.totals
    worst = report.ranking[0] if report.ranking and report.ranking[0].overdue else None
    tiles = [
        (number(t.received), "تماس دریافت شده"),
        (number(t.repeat_calls), "تماس تکراری"),
        (number(t.in_progress), "در دست اقدام و پیگیری"),
        (_hours(t.to_referral.median), "میانهٔ ثبت تا ارجاع (ساعت)"),
        (_hours(t.referral_to_close.median), "میانهٔ ارجاع تا بستن (ساعت)"),
        (percent(t.overdue_share), "سهم معوق" + (f" (بیشترین: {worst.name})" if worst else "")),
    ]
    cells = [[_para(value, 18, bold=True, align="center", colour=ACCENT, leading=24),
              _para(caption, 9, align="center", colour=MUTED)] for value, caption in tiles]
    rows = [list(reversed(cells[i:i + 3])) for i in range(0, len(cells), 3)]
    return Table(rows, colWidths=[WIDTH / 3] * 3, style=TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.6, RULE), ("INNERGRID", (0, 0), (-1, -1), 0.6, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 7), ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
    ]))


_NOTES = (
    "تماس‌ها به تفکیک منطقه همان جدول گزارش ۱۳۷ است: درخواست‌هایی که در این دوره ثبت شده‌اند "
    "و وضعیت کنونی آن‌ها."
    "\nتماس تکراری: تماسی که به درخواست باز پیشین پیوست شد (شهروند دوباره زنگ زد)."
    "\nثبت تا ارجاع: از ثبت درخواست تا نخستین ارجاع مرکز به ناحیه. ارجاع تا بستن: از همان ارجاع "
    "تا انجام یا قابل انجام نبودن، برای درخواست‌های بسته‌شده."
    "\nسهم معوق: از کارهای باز هر ناحیه که مهلت دارند، آن‌ها که در زمان تهیهٔ گزارش از مهلتشان "
    "گذشته‌اند؛ هرچه بیشتر، رتبه بالاتر."
)


def build_centre_pdf(report: CentreReport, out: Path, *, state: Progress = NO_PROGRESS) -> None:
    register_fonts()
    story: list[Flowable] = [
        Spacer(1, 14 * mm),
        _para(SERVICE, 12, colour=MUTED, align="center"),
        Spacer(1, 3 * mm),
        _para(CENTRE_TITLE, 20, bold=True, align="center", colour=ACCENT),
        Spacer(1, 10 * mm),
        _para(report.period_label, 18, bold=True, align="center"),
        _para(f"{report.period_range_label} — به وقت تهران", 11, align="center", colour=MUTED),
        Spacer(1, 6 * mm),
        _para(f"محدوده: {report.scope_label}", 11, align="center"),
        _para(f"تهیه شده در {format_jalali_datetime(report.generated_at)}", 10, align="center",
              colour=MUTED),
        Spacer(1, 10 * mm),
        _tiles(report),
        Spacer(1, 8 * mm),
        KeepTogether([*_heading("تماس‌ها به تفکیک منطقه"), _seed_table(report)]),
        Spacer(1, 8 * mm),
        _para("راهنمای خواندن ارقام", 10, bold=True),
        Spacer(1, 1.5 * mm),
        _para(_NOTES, 8.5, colour=MUTED),
        PageBreak(),
        *_heading(f"سرعت ارجاع و پاسخ نواحی — {report.period_label}"),
        _speed_table(report),
        Spacer(1, 8 * mm),
        KeepTogether([*_heading("رتبه‌بندی نواحی بر پایهٔ سهم کار معوق"),
                      _para("کارهای باز هر ناحیه در زمان تهیهٔ گزارش، هرچه ثبت شده‌اند.", 9,
                            colour=MUTED),
                      Spacer(1, 2 * mm), _ranking_table(report)]),
    ]
    doc = SimpleDocTemplate(
        str(out), pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN,
        topMargin=MARGIN + 4 * mm, bottomMargin=MARGIN + 2 * mm,
        title=f"{CENTRE_TITLE} — {report.period_label}", author=SERVICE,
        subject=report.scope_label, creator="Daftar",
    )
    doc.afterFlowable = lambda _flowable: stop_if_cancelled(state)  # type: ignore[method-assign]
    doc.build(story, canvasmaker=_canvas_class(
        report.regions, f"{CENTRE_TITLE} — {report.period_label}"))


def write_centre_pdf(report: CentreReport, out: str | os.PathLike[str], *,
                     state: Progress = NO_PROGRESS) -> None:
    with _replacing(out, state) as file:
        build_centre_pdf(report, file.part, state=state)


WRITERS = {"csv": write_centre_csv, "xlsx": write_centre_xlsx, "pdf": write_centre_pdf}


def write_centre(report: CentreReport, out: str | os.PathLike[str], fmt: str, *,
                 state: Progress = NO_PROGRESS) -> None:
    """``report`` written to ``out`` as ``fmt`` (``pdf``, ``csv`` or ``xlsx``)."""
    WRITERS[fmt](report, out, state=state)
