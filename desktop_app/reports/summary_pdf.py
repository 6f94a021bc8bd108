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
run their axes backwards so that they read from the right.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from math import ceil, floor, log10
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak, Flowable, KeepTogether, PageBreak, SimpleDocTemplate, Spacer, Table,
    TableStyle,
)

from desktop_app.reports.figures import (
    NeighbourhoodCalls, SummaryReport, SummaryRow, period_range_label,
)
from desktop_app.reports.persian import FONT, FONT_BOLD, RtlParagraph, fa, register_fonts, visual
from sync.dates import format_jalali_datetime
from sync.workflow import Bucket

PAGE = A4
MARGIN = 16 * mm
WIDTH = PAGE[0] - 2 * MARGIN

INK = HexColor("#1f2933")
MUTED = HexColor("#616e7c")
RULE = HexColor("#cbd2d9")
BAND = HexColor("#eef2f6")
ACCENT = HexColor("#1d4e89")
#: One colour per outcome, the same on every chart and in every legend.
COLOURS: dict[Bucket, Color] = {
    Bucket.DONE: HexColor("#2f855a"),
    Bucket.NOT_ACTIONABLE: HexColor("#dd8a1a"),
    Bucket.IN_PROGRESS: HexColor("#2b6cb0"),
}
RECEIVED_COLOUR = INK
#: The seed's own words for the three outcomes.
BUCKET_LABELS: dict[Bucket, str] = {
    Bucket.DONE: "انجام شده",
    Bucket.NOT_ACTIONABLE: "قابل انجام نبوده",
    Bucket.IN_PROGRESS: "در دست اقدام و پیگیری",
}

TITLE = "گزارش خلاصهٔ درخواست‌های شهروندان"
SERVICE = "سامانهٔ مدیریت شهری ۱۳۷"


# ------------------------------------------------------------------ numbers


def number(value: int) -> str:
    """``۱٬۲۳۴``: Persian digits, Persian thousands separator."""
    return fa(f"{value:,}").replace(",", "٬")


def decimal(value: float) -> str:
    """``۳٫۷``: one decimal, Persian decimal separator."""
    return fa(f"{value:.1f}").replace(".", "٫")


def percent(share: float | None) -> str:
    return "—" if share is None else decimal(share * 100) + "٪"


def days(hours: float | None) -> str:
    """Time to close in days: managers count asphalt in days, not hours."""
    return "—" if hours is None else decimal(hours / 24)


def nice_ceiling(value: float, steps: int = 5) -> tuple[float, float]:
    """An axis maximum at or above ``value`` and a round step (1, 2, 2.5 or 5 × 10ⁿ,
    whole numbers only: the axis counts requests) that divides it into at most
    ``steps`` parts."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / steps
    magnitude = 10.0 ** floor(log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        step = max(1.0, multiple * magnitude)
        if step >= raw and step.is_integer():
            break
    return step * ceil(value / step), step


# ------------------------------------------------------------------ blocks


def _para(text: str, size: float = 10, *, bold: bool = False, colour: Color = INK,
          align: str = "right", leading: float | None = None) -> RtlParagraph:
    return RtlParagraph(text, FONT_BOLD if bold else FONT, size, leading, colour, align)


def _heading(text: str) -> list[Flowable]:
    return [_para(text, 13, bold=True, colour=ACCENT), Spacer(1, 3 * mm)]


_COLUMNS = (
    "دریافت شده", BUCKET_LABELS[Bucket.DONE], BUCKET_LABELS[Bucket.NOT_ACTIONABLE],
    "در دست اقدام", "سهم انجام شده", "میانهٔ زمان بستن (روز)", "صدک ۹۰ زمان بستن (روز)",
    "معوق",
)


def _figures(row: SummaryRow) -> list[str]:
    return [number(row.received), number(row.done), number(row.not_actionable),
            number(row.in_progress), percent(row.share_done), days(row.median_hours_to_close),
            days(row.p90_hours_to_close), number(row.overdue)]


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


def _fit(text: str, room: float, font: str, size: float) -> str:
    """``text``, cut at its end with "…" until it fits in ``room`` points (chart
    labels cannot wrap; the table beside the chart has the full name)."""
    if stringWidth(visual(text), font, size) <= room:
        return text
    while len(text) > 1 and stringWidth(visual(text + "…"), font, size) > room:
        text = text[:-1].rstrip()
    return text + "…"


def _legend(drawing: Drawing, x_right: float, y: float,
            entries: Sequence[tuple[Color, str]], size: float = 8) -> None:
    """A right-to-left legend: swatch, then its label to the left, the next entry
    further left."""
    x = x_right
    for colour, label in entries:
        drawing.add(Rect(x - 8, y, 8, 8, fillColor=colour, strokeColor=None))
        drawing.add(String(x - 12, y + 1, visual(label), fontName=FONT, fontSize=size,
                           fillColor=INK, textAnchor="end"))
        x -= 12 + stringWidth(visual(label), FONT, size) + 14


#: Bars on one chart: as many as fit on a page under a heading.
BARS_PER_CHART = 36


def outcome_charts(rows: Sequence[SummaryRow], width: float = WIDTH) -> list[Drawing]:
    """The outcome bars of ``rows``, one chart per page's worth of groups, all on
    the same scale so that bars on different pages compare."""
    top = max((row.received for row in rows), default=0)
    return [outcome_chart(rows[i:i + BARS_PER_CHART], width, largest=top)
            for i in range(0, max(len(rows), 1), BARS_PER_CHART)]


def outcome_chart(rows: Sequence[SummaryRow], width: float = WIDTH, *,
                  largest: int | None = None) -> Drawing:
    """Stacked horizontal bars, one per group: done, not actionable, in progress.

    Names on the right, bars growing leftwards, a count inside every segment wide
    enough to hold it and the group's total at the end of its bar.  ``largest``
    sets the scale (default: the largest group here)."""
    band = 17.0
    label_width = 40 * mm
    top_gap, bottom_gap = 22.0, 22.0
    height = top_gap + band * len(rows) + bottom_gap
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 30, bottom_gap
    chart.width, chart.height = width - label_width - chart.x, band * len(rows)
    buckets = list(COLOURS)
    chart.data = [[_count(row, bucket) for row in rows] for bucket in buckets]
    if largest is None:
        largest = max((row.received for row in rows), default=0)
    top, step = nice_ceiling(largest * 1.08)
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, top, step
    chart.valueAxis.reverseDirection = 1
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: number(int(v))
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = RULE
    chart.valueAxis.gridStrokeWidth = 0.4
    chart.valueAxis.strokeColor = RULE
    axis = chart.categoryAxis
    axis.style = "stacked"
    axis.categoryNames = [visual(_fit(fa(row.name), label_width - 8, FONT, 8)) for row in rows]
    axis.reverseDirection = 1
    axis.joinAxisMode = "right"
    axis.labelAxisMode = "high"
    axis.labels.boxAnchor = "w"
    axis.labels.dx = 6
    axis.labels.fontName = FONT
    axis.labels.fontSize = 8
    axis.strokeColor = MUTED
    chart.barWidth = band * 0.62
    chart.groupSpacing = band * 0.38
    for i, bucket in enumerate(buckets):
        chart.bars[i].fillColor = COLOURS[bucket]
        chart.bars[i].strokeColor = None
    points_per_request = chart.width / top
    chart.barLabelFormat = lambda v: (
        number(int(v)) if v and v * points_per_request >= 6 + 4.5 * len(str(int(v))) else ""
    )
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.fillColor = white
    chart.barLabels.boxTarget = "mid"
    drawing.add(chart)
    for i, row in enumerate(rows):
        # Categories run top-down (reversed axis); bars grow from the right edge.
        y = chart.y + chart.height - (i + 0.5) * band - 2.5
        x = chart.x + chart.width - row.received * points_per_request - 3
        drawing.add(String(x, y, number(row.received), fontName=FONT_BOLD, fontSize=7,
                           fillColor=INK, textAnchor="end"))
    _legend(drawing, width, height - 12, [(COLOURS[b], BUCKET_LABELS[b]) for b in buckets])
    drawing.add(String(0, height - 11, visual("عدد سر هر میله: کل دریافت شده"), fontName=FONT,
                       fontSize=7.5, fillColor=MUTED))
    return drawing


def _count(row: SummaryRow, bucket: Bucket) -> int:
    return {Bucket.DONE: row.done, Bucket.NOT_ACTIONABLE: row.not_actionable,
            Bucket.IN_PROGRESS: row.in_progress}[bucket]


def trend_chart(trend: SummaryReport, width: float = WIDTH) -> Drawing:
    """Received and the three outcomes, month by month, the first month on the right."""
    height = 230.0
    drawing = Drawing(width, height)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 10, 34, width - 50, height - 70
    series: list[tuple[str, Color, Callable[[SummaryRow], int]]] = [
        ("دریافت شده", RECEIVED_COLOUR, lambda r: r.received),
        (BUCKET_LABELS[Bucket.DONE], COLOURS[Bucket.DONE], lambda r: r.done),
        (BUCKET_LABELS[Bucket.NOT_ACTIONABLE], COLOURS[Bucket.NOT_ACTIONABLE],
         lambda r: r.not_actionable),
        (BUCKET_LABELS[Bucket.IN_PROGRESS], COLOURS[Bucket.IN_PROGRESS], lambda r: r.in_progress),
    ]
    chart.data = [[value(row) for row in trend.rows] for _, _, value in series]
    top, step = nice_ceiling(max((row.received for row in trend.rows), default=0) * 1.15)
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, top, step
    chart.valueAxis.joinAxisMode = "right"
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labels.boxAnchor = "w"
    chart.valueAxis.labels.dx = 5
    chart.valueAxis.labelTextFormat = lambda v: number(int(v))
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = RULE
    chart.valueAxis.gridStrokeWidth = 0.4
    chart.valueAxis.strokeColor = RULE
    chart.categoryAxis.categoryNames = [visual(row.name.split()[0]) for row in trend.rows]
    chart.categoryAxis.reverseDirection = 1
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.dy = -3
    chart.categoryAxis.strokeColor = MUTED
    for i, (_, colour, _) in enumerate(series):
        chart.lines[i].strokeColor = colour
        chart.lines[i].strokeWidth = 1.6 if i == 0 else 1.1
        chart.lines[i].symbol = makeMarker("FilledCircle", size=3.2 if i == 0 else 2.4,
                                           fillColor=colour, strokeColor=colour)
    # Only the received line is labelled: four labelled lines would overprint.
    chart.lineLabelFormat = "values"
    chart.lineLabelArray = [[number(v) for v in chart.data[0]]] + [
        [""] * len(trend.rows) for _ in series[1:]
    ]
    chart.lineLabels.fontName = FONT
    chart.lineLabels.fontSize = 7
    chart.lineLabels.dy = 7
    chart.lineLabels.fillColor = RECEIVED_COLOUR
    drawing.add(chart)
    _legend(drawing, width, height - 14, [(colour, label) for label, colour, _ in series])
    return drawing


def outcome_strip(totals: SummaryRow, width: float = WIDTH) -> Drawing:
    """One bar for the whole report: the shares of the three outcomes."""
    height = 46.0
    drawing = Drawing(width, height)
    x = width
    for bucket in COLOURS:
        count = _count(totals, bucket)
        if not totals.received or not count:
            continue
        w = width * count / totals.received
        drawing.add(Rect(x - w, 20, w, 16, fillColor=COLOURS[bucket], strokeColor=None))
        label = percent(count / totals.received)
        if w > stringWidth(label, FONT, 8) + 6:
            drawing.add(String(x - w / 2, 24.5, label, fontName=FONT_BOLD, fontSize=8,
                               fillColor=white, textAnchor="middle"))
        x -= w
    if not totals.received:
        drawing.add(Rect(0, 20, width, 16, fillColor=BAND, strokeColor=RULE))
    _legend(drawing, width, 2, [(COLOURS[b], f"{BUCKET_LABELS[b]}: {percent(_share(totals, b))}")
                                 for b in COLOURS])
    return drawing


def _share(row: SummaryRow, bucket: Bucket) -> float | None:
    return _count(row, bucket) / row.received if row.received else None


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


def _canvas_class(report: SummaryReport) -> type[Canvas]:
    """A canvas that holds its pages back until the last one, so that every page
    can say "page n of m", and draws the running header and footer then."""
    header = f"{TITLE} — به تفکیک {report.grouping_label} — {report.period_label}"
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
              least: Sequence[NeighbourhoodCalls] | None = None) -> None:
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
    doc.build(story, canvasmaker=_canvas_class(report))

