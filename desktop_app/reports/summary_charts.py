"""The summary report's charts, palette and number formats (ReportLab graphics).

Stacked outcome bars by group, the month-by-month trend line and the cover's outcome
strip, all right to left: names on the right, bars growing leftwards, the first
month on the right.  One colour per outcome on every chart and legend, and numbers
in Persian digits with Persian separators, as in the tables of
:mod:`desktop_app.reports.summary_pdf`, which lays the pages out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from math import ceil, floor, log10

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from desktop_app.reports.persian import FONT, FONT_BOLD, fa, visual
from desktop_app.reports.summary_data import SummaryReport, SummaryRow
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


# ------------------------------------------------------------------ charts


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
