"""The summary report as a PDF a manager prints (ReportLab, A4 portrait).

Pages, in order:

1. a cover: what the report is, its period in Jalali terms (and the exact days),
   whose requests, when it was made, the headline figures, one bar of the outcome
   split, and how to read the figures;
2. the table by group, with a totals row, then a bar chart of the outcomes of each
   group (stacked: done, not actionable, in progress, each segment labelled);
3. the reasons requests were not actionable;
4. when given: the neighbourhoods that call least, and the month-by-month trend
   (a line chart and its table).

Every page but the cover carries the report's title and period on top and
"page n of m" at the foot.

Persian on ReportLab goes through :mod:`desktop_app.reports.persian`.  ReportLab lays
out tables and charts left to right, so every string handed to them is already in
visual order (:func:`~desktop_app.reports.persian.visual`), table columns are listed
in reverse (the first column of a Persian table is the rightmost), and the charts
run their axes backwards so that they read from the right (the charts:
:mod:`desktop_app.reports.summary_charts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak, Flowable, KeepTogether, PageBreak, SimpleDocTemplate, Spacer, Table,
    TableStyle,
)

from desktop_app.reports.persian import FONT, FONT_BOLD, RtlParagraph, fa, register_fonts, visual
from desktop_app.reports.progress import NO_PROGRESS, Progress, stop_if_cancelled
from desktop_app.reports.summary_charts import (
    ACCENT, BAND, BUCKET_LABELS, INK, MARGIN, MUTED, PAGE, RULE, SERVICE, TITLE, WIDTH, days,
    number, outcome_charts, outcome_strip, percent, trend_chart,
)
from desktop_app.reports.summary_data import (
    NeighbourhoodCalls, SummaryReport, SummaryRow, period_range_label,
)
from sync.dates import format_jalali_datetime
from sync.workflow import Bucket

# ------------------------------------------------------------------ blocks


def _para(text: str, size: float = 10, *, bold: bool = False, colour: Color = INK,
          align: str = "right", leading: float | None = None) -> RtlParagraph:
    return RtlParagraph(text, FONT_BOLD if bold else FONT, size, leading, colour, align)


def _heading(text: str) -> list[Flowable]:
    return [_para(text, 13, bold=True, colour=ACCENT), Spacer(1, 3 * mm)]


_COLUMNS = (
    "دریافت شده", BUCKET_LABELS[Bucket.DONE], BUCKET_LABELS[Bucket.NOT_ACTIONABLE],
    "در دست اقدام", "سهم انجام شده", "میانهٔ زمان بستن (روز)", "صدک ۹۰ زمان بستن (روز)",
    "معوق", "تماس تکراری", "نرخ پاسخ پیامک", "رضایت شهروند",
)


def _figures(row: SummaryRow) -> list[str]:
    return [number(row.received), number(row.done), number(row.not_actionable),
            number(row.in_progress), percent(row.share_done), days(row.median_hours_to_close),
            days(row.p90_hours_to_close), number(row.overdue), number(row.repeat_calls),
            percent(row.answer_rate), percent(row.satisfaction_rate)]


CELL_SIZE = 8.5


def _rtl_table(header: Sequence[str], body: Sequence[Sequence[str]], widths: Sequence[float],
               *, totals: bool = False, muted_rows: Sequence[int] = (),
               first_align: str = "right") -> Table:
    """A table whose first logical column is the rightmost.  ``header`` and the
    cells are logical-order text; the first column (names) wraps within its width;
    the last body row is a totals row when ``totals``."""
    head = [_para(text, 8, bold=True, align="center", leading=10) for text in header]
    last = len(body)

    def name(text: str, row: int) -> RtlParagraph:
        colour = MUTED if row in muted_rows else INK
        return _para(fa(text), CELL_SIZE, bold=totals and row == last - 1, colour=colour,
                     align=first_align, leading=CELL_SIZE * 1.3)

    # Names come as stored; on Persian paper every digit is Persian.
    data = [list(reversed(head))] + [
        [visual(fa(value)) for value in reversed(row[1:])] + [name(row[0], i)]
        for i, row in enumerate(body)
    ]
    style = [
        ("FONTNAME", (0, 1), (-1, -1), FONT),
        ("FONTSIZE", (0, 1), (-1, -1), CELL_SIZE),
        ("TEXTCOLOR", (0, 1), (-1, -1), INK),
        ("ALIGN", (0, 1), (-1, -1), "CENTER"),
        ("ALIGN", (-1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 0), BAND),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
    ]
    style += [("TEXTCOLOR", (0, r + 1), (-1, r + 1), MUTED) for r in muted_rows]
    if totals:
        style += [("FONTNAME", (0, last), (-1, last), FONT_BOLD),
                  ("BACKGROUND", (0, last), (-1, last), BAND),
                  ("LINEABOVE", (0, last), (-1, last), 0.8, ACCENT)]
    return Table(data, colWidths=list(reversed(widths)), repeatRows=1, style=TableStyle(style),
                 hAlign="RIGHT")


def figures_table(report: SummaryReport) -> Table:
    """The report's rows and totals, one group a line, zeros included."""
    rows = list(report.rows) + [report.totals]
    body = [[row.name, *_figures(row)] for row in rows]
    name_width = 40 * mm
    other = (WIDTH - name_width) / len(_COLUMNS)
    muted = [i for i, row in enumerate(report.rows) if row.received == 0]
    return _rtl_table([report.grouping_label, *_COLUMNS], body,
                      [name_width] + [other] * len(_COLUMNS), totals=True, muted_rows=muted)


def _tiles(report: SummaryReport) -> Table:
    """The headline figures as six tiles, three to a row, read from the right."""
    t = report.totals
    tiles = [
        (number(t.received), "درخواست دریافت شده"),
        (number(t.done), f"انجام شده ({percent(t.share_done)})"),
        (number(t.not_actionable), "قابل انجام نبوده"),
        (number(t.in_progress), "در دست اقدام و پیگیری"),
        (number(t.overdue), "معوق (گذشته از مهلت موضوع)"),
        (days(t.median_hours_to_close), "میانهٔ زمان بستن (روز)"),
    ]
    cells = [[_para(value, 20, bold=True, align="center", colour=ACCENT, leading=26),
              _para(caption, 9, align="center", colour=MUTED)] for value, caption in tiles]
    rows = [list(reversed(cells[i:i + 3])) for i in range(0, len(cells), 3)]
    return Table(rows, colWidths=[WIDTH / 3] * 3, style=TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.6, RULE),
        ("INNERGRID", (0, 0), (-1, -1), 0.6, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 8),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
    ]))


def _cover(report: SummaryReport) -> list[Flowable]:
    made = format_jalali_datetime(report.generated_at)
    notes = (
        "دریافت شده: درخواست‌هایی که زمان ثبتشان در این دوره است (روزهای کامل به وقت تهران). "
        "ستون‌های نتیجه وضعیت کنونی همان درخواست‌هاست، در زمان تهیهٔ گزارش: «در دست اقدام و "
        "پیگیری» همهٔ وضعیت‌های باز است (ثبت شده، ارجاع شده، واگذار شده، در دست اقدام)."
        "\nمعوق: درخواست باز که در زمان تهیهٔ گزارش بیش از مهلت موضوعش از ثبت آن گذشته است."
        "\nزمان بستن: از ثبت تا انجام یا قابل انجام نبودن، برای درخواست‌های بسته‌شدهٔ این دوره؛ "
        "میانه یعنی نیمی از درخواست‌ها زودتر بسته شده‌اند و صدک ۹۰ یعنی نُه دهم آن‌ها."
    )
    return [
        Spacer(1, 18 * mm),
        _para(SERVICE, 12, colour=MUTED, align="center"),
        Spacer(1, 3 * mm),
        _para(TITLE, 22, bold=True, align="center", colour=ACCENT),
        Spacer(1, 2 * mm),
        _para(f"به تفکیک {report.grouping_label}", 14, align="center"),
        Spacer(1, 12 * mm),
        _para(report.period_label, 20, bold=True, align="center"),
        Spacer(1, 1 * mm),
        _para(f"{period_range_label(report.period)} — به وقت تهران", 11, align="center",
              colour=MUTED),
        Spacer(1, 8 * mm),
        _para(f"محدوده: {report.scope_label}", 11, align="center"),
        _para(f"تهیه شده در {made}", 10, align="center", colour=MUTED),
        Spacer(1, 12 * mm),
        _tiles(report),
        Spacer(1, 8 * mm),
        outcome_strip(report.totals),
        Spacer(1, 10 * mm),
        _para("راهنمای خواندن ارقام", 10, bold=True),
        Spacer(1, 1.5 * mm),
        _para(notes, 8.5, colour=MUTED),
    ]


def _reasons(report: SummaryReport) -> list[Flowable]:
    total = report.totals.not_actionable
    body = [[r.name, number(r.count), percent(r.count / total if total else None)]
            for r in report.reasons]
    body.append(["جمع", number(total), percent(1.0 if total else None)])
    return [*_heading("دلیل‌های قابل انجام نبودن"),
            _rtl_table(["دلیل", "تعداد", "سهم از قابل انجام نبوده"], body,
                       [70 * mm, 30 * mm, 40 * mm], totals=True)]


def _least(least: Sequence[NeighbourhoodCalls], period_label: str) -> list[Flowable]:
    body = [[number(n.rank), n.name, n.district_name, number(n.received)] for n in least]
    return [
        *_heading("محله‌هایی که کمتر از همه تماس گرفته‌اند"),
        _para(f"درخواست‌های دریافت شده در {period_label}، از کم به زیاد؛ محله‌های بدون درخواست "
              "هم آمده‌اند. برای هدف‌گیری اطلاع‌رسانی ۱۳۷.", 9, colour=MUTED),
        Spacer(1, 2 * mm),
        _rtl_table(["رتبه", "محله", "ناحیه", "درخواست‌ها"], body,
                   [15 * mm, 45 * mm, 45 * mm, 25 * mm], first_align="center"),
    ]


def _trend(trend: SummaryReport) -> list[Flowable]:
    rows = list(trend.rows) + [trend.totals]
    body = [[row.name, *_figures(row)] for row in rows]
    name_width = 28 * mm
    other = (WIDTH - name_width) / len(_COLUMNS)
    return [
        *_heading(f"روند ماهانه — {trend.period_label}"),
        trend_chart(trend),
        Spacer(1, 4 * mm),
        _rtl_table(["ماه", *_COLUMNS], body, [name_width] + [other] * len(_COLUMNS), totals=True,
                   muted_rows=[i for i, row in enumerate(trend.rows) if row.received == 0]),
    ]


# ------------------------------------------------------------------ pages


def _canvas_class(report: SummaryReport, header: str | None = None) -> type[Canvas]:
    """A canvas that holds its pages back until the last one, so that every page
    can say "page n of m", and draws the running header (``header``, else the
    summary's title, grouping and period) and footer then."""
    header = header or f"{TITLE} — به تفکیک {report.grouping_label} — {report.period_label}"
    made = f"تهیه شده در {format_jalali_datetime(report.generated_at)}"

    class PagedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - ReportLab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for number_, page in enumerate(self._pages, 1):
                self.__dict__.update(page)
                self._decorate(number_, len(self._pages))
                super().showPage()
            super().save()

        def _decorate(self, page: int, pages: int) -> None:
            self.saveState()
            self.setFillColor(MUTED)
            self.setFont(FONT, 8)
            width, height = PAGE
            if page > 1:
                self.drawRightString(width - MARGIN, height - 10 * mm, visual(header))
                self.setStrokeColor(RULE)
                self.setLineWidth(0.5)
                self.line(MARGIN, height - 11.5 * mm, width - MARGIN, height - 11.5 * mm)
            self.drawCentredString(width / 2, 9 * mm, visual(f"صفحه {fa(page)} از {fa(pages)}"))
            self.drawString(MARGIN, 9 * mm, visual(made))
            self.drawRightString(width - MARGIN, 9 * mm, visual(SERVICE))
            self.restoreState()

    return PagedCanvas


def build_pdf(report: SummaryReport, out: Path, *, trend: SummaryReport | None = None,
              least: Sequence[NeighbourhoodCalls] | None = None,
              state: Progress = NO_PROGRESS) -> None:
    """Lay the report out into ``out``; a cancel of ``state`` stops it between two
    blocks of the page (:class:`~desktop_app.reports.progress.Cancelled`)."""
    register_fonts()
    story: list[Flowable] = _cover(report)
    by = f"به تفکیک {report.grouping_label}"
    story += [PageBreak(), *_heading(f"ارقام {by} — {report.period_label}"),
              figures_table(report), Spacer(1, 8 * mm)]
    for part, chart in enumerate(outcome_charts(list(report.rows))):
        heading = f"نتیجهٔ درخواست‌ها {by}" + (" (ادامه)" if part else "")
        story += [CondPageBreak(chart.height + 30 * mm),
                  KeepTogether([*_heading(heading), chart])]
    story += [Spacer(1, 8 * mm), KeepTogether(_reasons(report))]
    if least is not None:
        story += [Spacer(1, 8 * mm), KeepTogether(_least(least, report.period_label))]
    if trend is not None:
        story += [PageBreak(), *_trend(trend)]
    doc = SimpleDocTemplate(
        str(out), pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN,
        topMargin=MARGIN + 4 * mm, bottomMargin=MARGIN + 2 * mm,
        title=f"{TITLE} — {report.period_label}", author=SERVICE,
        subject=f"به تفکیک {report.grouping_label} — {report.scope_label}", creator="Daftar",
    )
    doc.afterFlowable = lambda _flowable: stop_if_cancelled(state)  # type: ignore[method-assign]
    doc.build(story, canvasmaker=_canvas_class(report))
