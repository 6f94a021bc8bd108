"""The drawing engine of work orders: page sizes, rows that paginate, and a canvas
that draws right-to-left text fast.

Pages are drawn straight on the ReportLab canvas with a small row-based layout
instead of Platypus, because a crew's 500-page batch must come out in seconds:
every string is shaped once (:func:`desktop_app.reports.persian.visual` is cached,
and the labels repeat on every page) and a page's text goes into one PDF text
object; what is the same on many pages (header, footer, the completion block) is
drawn once as a PDF form and referenced.  :class:`Sheet` knows nothing of requests;
:mod:`desktop_app.reports.workorders` composes the pages from its rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4, A5
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from desktop_app.reports.persian import FONT, FONT_BOLD, fa, visual, wrap
from desktop_app.reports.workorder_data import DASH, WorkOrderData
from sync.dates import format_jalali_datetime

MUNICIPALITY = "شهرداری کاشان"
SERVICE = "سامانه مدیریت شهری ۱۳۷"

PAGE_SIZES = ("A4", "A5")

GREY = Color(0.9, 0.9, 0.9)
MID_GREY = Color(0.45, 0.45, 0.45)


@dataclass(frozen=True)
class Metrics:
    """Sizes for one paper size.  A5 is not a scaled A4: text shrinks less than
    the page (it must stay readable in a truck), so A5 has fewer ruled lines and
    continues to a second page sooner."""

    width: float
    height: float
    margin: float
    body: float
    small: float
    heading: float
    title: float
    leading: float
    qr: float
    header: float
    footer: float
    #: Handwriting needs room whatever the paper: the gap between ruled lines.
    ruled: float
    work_lines: int
    material_rows: int
    #: History entries shown; older ones are counted in one line.
    history: int


METRICS = {
    "A4": Metrics(*A4, margin=30, body=9.5, small=7.5, heading=10.5, title=20, leading=14.5,
                   qr=72, header=96, footer=18, ruled=21, work_lines=3, material_rows=3,
                   history=6),
    "A5": Metrics(*A5, margin=20, body=8, small=6.5, heading=8.5, title=15, leading=12,
                   qr=56, header=74, footer=14, ruled=16.5, work_lines=2, material_rows=2,
                   history=3),
}


@dataclass
class Row:
    """A horizontal slice of a page: the unit of pagination."""

    height: float
    draw: Callable[[float], None]  # called with the y of the row's top edge
    #: A heading must not end a page with its content on the next.
    keep_with_next: bool = False


@dataclass
class Block:
    """Something drawn at a fixed place (the completion block at the page foot)."""

    height: float
    draw: Callable[[], None]


@lru_cache(maxsize=16384)
def shown_width(shown: str, font: str, size: float) -> float:
    """The width of a painted (visual) string: labels are measured on every page."""
    return stringWidth(shown, font, size)


def text_width(text: str, font: str, size: float) -> float:
    """The width of logical-order ``text`` once painted."""
    return shown_width(visual(text), font, size)


class Sheet:
    """Drawing primitives for one PDF: right-to-left text placed by its right edge,
    rules, boxes, and "stamps" — what is the same on many pages (the page frame,
    the completion block) is drawn once into a PDF form and reused by reference.

    Text is gathered into one PDF text object per page and painted when the page
    ends, over the page's shapes (grey bands, boxes).  Every string goes through
    :func:`visual` (cached), and is measured once per (string, font, size)."""

    def __init__(self, canvas: Canvas, metrics: Metrics, printed_at: dt.datetime,
                 work_day: dt.date):
        self.c = canvas
        self.m = metrics
        self.printed_fa = format_jalali_datetime(printed_at)
        #: The day the work is for: what "overdue" is measured against.
        self.work_day = work_day
        self.right = metrics.width - metrics.margin
        self.left = metrics.margin
        self.content = self.right - self.left
        self.gap = metrics.body * 0.5
        self._text: PDFTextObject | None = None
        self._style: tuple[str, float, Color] | None = None
        self._stamps: dict[tuple[object, ...], str] = {}

    # ---------------------------------------------------------------- text

    def text(self, x: float, y: float, text: str, *, font: str = FONT, size: float | None = None,
             align: str = "right", color: Color = black) -> None:
        size = size or self.m.body
        shown = visual(text)
        if align == "right":
            x -= shown_width(shown, font, size)
        elif align == "centre":
            x -= shown_width(shown, font, size) / 2
        if self._text is None:
            self._text = self.c.beginText()
            self._style = None
        if self._style != (font, size, color):
            if self._style is None or self._style[:2] != (font, size):
                self._text.setFont(font, size)
            if self._style is None or self._style[2] != color:
                self._text.setFillColor(color)
            self._style = (font, size, color)
        self._text.setTextOrigin(x, y)
        self._text.textOut(shown)

    def flush(self) -> None:
        """Paint the text gathered so far."""
        if self._text is not None:
            self.c.drawText(self._text)
            self._text = None

    def end_page(self) -> None:
        self.flush()
        self.c.showPage()

    def stamp(self, key: tuple[object, ...], draw: Callable[[], None]) -> None:
        """Draw what ``draw`` draws; the first time for a ``key`` into a PDF form,
        every later time as a reference to it (a few bytes instead of the
        drawing).  ``key`` must name everything ``draw`` depends on."""
        name = self._stamps.get(key)
        if name is None:
            name = self._stamps[key] = f"Stamp{len(self._stamps)}"
            self.flush()
            self.c.beginForm(name)
            draw()
            self.flush()
            self.c.endForm()
        self.c.doForm(name)

    def baseline(self, y_top: float, size: float | None = None) -> float:
        """The baseline of a line of text in a slot of one leading below ``y_top``."""
        return y_top - 0.5 * self.m.leading - 0.3 * (size or self.m.body)

    def fit(self, text: str, max_width: float, font: str = FONT, size: float | None = None) -> str:
        """``text`` on one line, cut with an ellipsis if it is wider than ``max_width``
        (for table cells and history lines; the full text is elsewhere on paper)."""
        size = size or self.m.body
        if text_width(text, font, size) <= max_width:
            return text
        return wrap(text, font, size, max_width - text_width("…", font, size))[0].rstrip() + "…"

    # --------------------------------------------------------------- shapes

    def hline(self, x1: float, x2: float, y: float, line_width: float = 0.5,
              color: Color = black) -> None:
        self.c.setStrokeColor(color)
        self.c.setLineWidth(line_width)
        self.c.line(x1, y, x2, y)

    def box(self, x: float, y: float, w: float, h: float, *, fill: Color | None = None,
            line_width: float = 0.6) -> None:
        self.c.setLineWidth(line_width)
        self.c.setStrokeColor(black)
        if fill is not None:
            self.c.setFillColor(fill)
        self.c.rect(x, y, w, h, stroke=1 if line_width else 0, fill=1 if fill is not None else 0)

    def tick_box(self, x_right: float, y: float) -> None:
        """An empty square to tick, right edge at ``x_right``, sitting on baseline ``y``."""
        side = self.m.body * 0.95
        self.box(x_right - side, y - 1, side, side, line_width=0.8)

    # -------------------------------------------------------------- rows

    def section(self, title: str) -> Row:
        height = self.m.heading * 2.0

        def draw(y: float) -> None:
            self.box(self.left, y - height + 2, self.content, height - 4, fill=GREY, line_width=0)
            self.text(self.right - self.gap, y - height / 2 - self.m.heading * 0.3, title,
                      font=FONT_BOLD, size=self.m.heading)

        return Row(height, draw, keep_with_next=True)

    def label_width(self, label: str) -> float:
        return text_width(label, FONT_BOLD, self.m.body) + self.gap

    def fields(self, *cells: tuple[str, str], width: float | None = None) -> Row:
        """One row of "label: value" cells side by side; a long value wraps
        inside its cell and the row grows, nothing is cut.  ``width`` (from the
        right edge) leaves the rest of the line to something drawn beside it."""
        count = len(cells)
        column = ((width or self.content) - self.gap * 2 * (count - 1)) / count
        laid = []
        for index, (label, value) in enumerate(cells):
            x_right = self.right - index * (column + self.gap * 2)
            label_w = self.label_width(label)
            lines = wrap(value or DASH, FONT, self.m.body, column - label_w)
            laid.append((x_right, label, label_w, lines))
        height = max(len(lines) for *_, lines in laid) * self.m.leading

        def draw(y: float) -> None:
            for x_right, label, label_w, lines in laid:
                base = self.baseline(y)
                self.text(x_right, base, label, font=FONT_BOLD)
                for line in lines:
                    self.text(x_right - label_w, base, line)
                    base -= self.m.leading

        return Row(height, draw)

    def paragraph(self, label: str, text: str) -> list[Row]:
        """A labelled paragraph as one row per line, so that a long one can
        continue on the next page in reading order."""
        label_w = self.label_width(label)
        lines = wrap(text or DASH, FONT, self.m.body, self.content - label_w)
        rows = []
        for index, line in enumerate(lines):
            def draw(y: float, line: str = line, first: bool = index == 0) -> None:
                base = self.baseline(y)
                if first:
                    self.text(self.right, base, label, font=FONT_BOLD)
                self.text(self.right - label_w, base, line)

            rows.append(Row(self.m.leading, draw))
        return rows

    def history(self, item: WorkOrderData) -> list[Row]:
        label = "سابقه:"
        label_w = self.label_width(label)
        date_w = text_width("۱۴۰۵/۰۱/۰۱ ۰۰:۰۰", FONT, self.m.small) + self.gap * 2
        text_w = self.content - label_w - date_w
        shown = item.history[-self.m.history:]
        earlier = item.earlier_history + len(item.history) - len(shown)
        entries: list[tuple[str, str]] = []
        if earlier:
            entries.append(("", f"… و {fa(earlier)} رویداد پیش‌تر"))
        entries += [(format_jalali_datetime(h.at), self.fit(h.text, text_w)) for h in shown]
        if not entries:
            entries.append(("", DASH))
        rows = []
        for index, (when, what) in enumerate(entries):
            def draw(y: float, when: str = when, what: str = what,
                     first: bool = index == 0) -> None:
                base = self.baseline(y)
                if first:
                    self.text(self.right, base, label, font=FONT_BOLD)
                x = self.right - label_w
                self.text(x, base, when, size=self.m.small, color=MID_GREY)
                self.text(x - date_w, base, what)

            rows.append(Row(self.m.leading, draw))
        return rows

    # ------------------------------------------------------- page furniture

    def left_slot(self, index: int) -> tuple[float, float]:
        """Baselines of the label and the value of the ``index``-th entry of the
        header's left-hand block."""
        label = self.m.height - self.m.margin - self.m.small * 1.6 - index * self.m.heading * 3.0
        return label, label - self.m.heading * 1.6

    def frame(self, title: str, subtitle: str, region_fa: str, district_fa: str,
              left_x: float, left: tuple[tuple[str, str], ...]) -> None:
        """What every page of a kind shows in the same place: the header
        (municipality, region and district, title; ``left``: label and value
        pairs at ``left_x``) and the footer's rule and line.  Stamped."""
        m = self.m

        def draw() -> None:
            top = m.height - m.margin
            self.text(self.right, top - m.heading * 1.2, MUNICIPALITY, font=FONT_BOLD,
                      size=m.heading * 1.25)
            self.text(self.right, top - m.heading * 2.6, SERVICE, size=m.small)
            where = "، ".join(p for p in (region_fa, district_fa) if p) or DASH
            self.text(self.right, top - m.heading * 4.0, where)
            centre = m.width / 2
            self.text(centre, top - m.title, title, font=FONT_BOLD, size=m.title, align="centre")
            self.text(centre, top - m.title - m.heading * 1.7, subtitle, font=FONT_BOLD,
                      size=m.heading, align="centre")
            for index, (label, value) in enumerate(left):
                label_y, value_y = self.left_slot(index)
                self.text(left_x, label_y, label, size=m.small, align="left", color=MID_GREY)
                if value and index == 0:
                    self.text(left_x, value_y, value, font=FONT_BOLD, size=m.heading, align="left")
                elif value:
                    self.text(left_x, label_y - m.small * 1.6, value, size=m.small, align="left")
            self.hline(self.left, self.right, top - m.header + m.body * 0.6, line_width=1.2)
            self.hline(self.left, self.right, m.margin + m.footer - m.small * 1.2,
                       line_width=0.4, color=MID_GREY)
            self.text(self.right, self.footer_y, f"{MUNICIPALITY} — {SERVICE}", size=m.small,
                      color=MID_GREY)

        self.stamp(("frame", title, subtitle, region_fa, district_fa, left_x, left), draw)

    @property
    def footer_y(self) -> float:
        return self.m.margin - self.m.small * 0.2

    def footer(self, left_text: str, page: int, pages: int) -> None:
        """The footer's changing part: page number and the left-hand note."""
        m = self.m
        self.text(m.width / 2, self.footer_y, f"صفحه {fa(page)} از {fa(pages)}", size=m.small,
                  color=MID_GREY, align="centre")
        self.text(self.left, self.footer_y, left_text, size=m.small, color=MID_GREY,
                  align="left")

    @property
    def body_top(self) -> float:
        return self.m.height - self.m.margin - self.m.header

    @property
    def body_bottom(self) -> float:
        return self.m.margin + self.m.footer

    def paginate(self, rows: list[Row], reserve_last: float = 0.0,
                 repeat: Row | None = None) -> list[list[Row]]:
        """Rows into pages.  The last page keeps ``reserve_last`` points free at
        its foot (the completion block); ``repeat`` (a table header) opens every
        page after the first."""
        avail = self.body_top - self.body_bottom
        pages: list[list[Row]] = [[]]
        used = 0.0
        for index, row in enumerate(rows):
            need = row.height
            if row.keep_with_next and index + 1 < len(rows):
                need += rows[index + 1].height
            if pages[-1] and used + need > avail:
                pages.append([repeat] if repeat else [])
                used = repeat.height if repeat else 0.0
            pages[-1].append(row)
            used += row.height
        if used + reserve_last > avail:
            pages[-1:] = self._split_for(pages[-1], avail - reserve_last)
        return pages

    @staticmethod
    def _split_for(rows: list[Row], room: float) -> list[list[Row]]:
        """The reserved block needs a new page: take whole sections from the end
        of ``rows`` along — as many as fit in ``room`` above it — so the block
        does not stand alone on its sheet; failing that, as many trailing rows
        as fit, never leaving a heading behind without its rows."""
        def tail(split: int) -> float:
            return sum(row.height for row in rows[split:])

        sections = [k for k in range(1, len(rows)) if rows[k].keep_with_next and tail(k) <= room]
        if sections:
            split = sections[0]
        else:
            split = len(rows)
            while split > 1 and tail(split - 1) <= room:
                split -= 1
            while split < len(rows) and rows[split - 1].keep_with_next:
                split += 1
        return [rows[:split], rows[split:]]

    def draw_rows(self, rows: Iterable[Row]) -> None:
        y = self.body_top
        for row in rows:
            row.draw(y)
            y -= row.height
