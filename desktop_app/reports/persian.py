"""Persian text on ReportLab pages: shaped, right-to-left, wrapped in the right order.

ReportLab cannot lay out Persian by itself (platform.md: its harfbuzz shaping joins
letters but orders words left-to-right).  What works, with the three traps avoided:

1. ``arabic_reshaper`` joins the letters, keeping diacritics (``delete_harakat``
   off, or لطفاً loses its tanwin);
2. ``bidi.algorithm.get_display`` (the pure-Python one, which mirrors brackets)
   puts one *line* into visual order;
3. paragraphs are wrapped here, in logical order, measuring each candidate line;
   only then is each line reordered.  Reordering a whole paragraph first would
   put its lines in reverse order.

Everything that draws text on our PDFs goes through :func:`visual`,
:func:`wrap`, :func:`draw_right` or :class:`RtlParagraph`.
"""

from __future__ import annotations

from functools import lru_cache

import arabic_reshaper
from bidi.algorithm import get_display
from reportlab.lib.colors import Color, black
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from sync.paths import resource_path
from sync.text import to_persian_digits

FONT = "Vazirmatn"
FONT_BOLD = "Vazirmatn-Bold"

_RESHAPER = arabic_reshaper.ArabicReshaper(configuration={"delete_harakat": False})


def register_fonts() -> None:
    """Register the bundled Vazirmatn faces (idempotent).  They are embedded, subset,
    in every PDF that uses them, so the paper looks the same on any printer."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(FONT, str(resource_path("fonts/Vazirmatn-Regular.ttf"))))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(resource_path("fonts/Vazirmatn-Bold.ttf"))))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


@lru_cache(maxsize=8192)
def visual(text: str) -> str:
    """One line of logical-order text in the order it is painted, letters joined.

    The base direction is right-to-left: a line that starts with Latin or digits
    (a tracking code) still sits in a Persian sentence."""
    if not text:
        return ""
    return get_display(_RESHAPER.reshape(text), base_dir="R")


def fa(value: object) -> str:
    """A value as Persian text: digits in Persian (for numbers, codes, dates)."""
    return to_persian_digits("" if value is None else str(value))


def width(text: str, font: str, size: float) -> float:
    return stringWidth(visual(text), font, size)


def wrap(text: str, font: str, size: float, max_width: float) -> list[str]:
    """Break logical-order ``text`` into lines no wider than ``max_width``.

    Line breaks in the text are kept; a word wider than a whole line (a long URL)
    is cut by characters rather than overflowing the box."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split()
        if not words:
            lines.append("")
            continue
        current = ""
        for word in words:
            candidate = f"{current} {word}" if current else word
            if width(candidate, font, size) <= max_width:
                current = candidate
                continue
            if current:
                lines.append(current)
            current = word
            while width(current, font, size) > max_width and len(current) > 1:
                cut = len(current) - 1
                while cut > 1 and width(current[:cut], font, size) > max_width:
                    cut -= 1
                lines.append(current[:cut])
                current = current[cut:]
        lines.append(current)
    return lines


def draw_right(canvas: Canvas, x_right: float, y: float, text: str, font: str = FONT,
               size: float = 10, color: Color = black) -> None:
    """One line, its right edge at ``x_right`` (Persian lines start on the right)."""
    canvas.setFont(font, size)
    canvas.setFillColor(color)
    canvas.drawRightString(x_right, y, visual(text))


def draw_paragraph(canvas: Canvas, x_right: float, y_top: float, max_width: float, text: str,
                   font: str = FONT, size: float = 10, leading: float | None = None,
                   max_lines: int | None = None) -> float:
    """Wrap and draw ``text`` downwards from ``y_top`` (the first baseline); returns
    the baseline below the last line drawn."""
    leading = leading or size * 1.45
    lines = wrap(text, font, size, max_width)
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[: max_lines - 1] + [lines[max_lines - 1].rstrip() + " …"]
    y = y_top
    for line in lines:
        draw_right(canvas, x_right, y, line, font, size)
        y -= leading
    return y


class RtlParagraph(Flowable):
    """A Platypus flowable for a Persian paragraph: wraps to the frame it is given,
    aligns right, splits across pages between lines."""

    def __init__(self, text: str, font: str = FONT, size: float = 10,
                 leading: float | None = None, color: Color = black, align: str = "right"):
        super().__init__()
        self.text = text
        self.font = font
        self.size = size
        self.leading = leading or size * 1.45
        self.color = color
        self.align = align
        self._lines: list[str] = []

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self._lines = wrap(self.text, self.font, self.size, avail_width)
        self.height = self.leading * len(self._lines)
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        self.wrap(avail_width, avail_height)
        fits = int(avail_height // self.leading)
        if fits <= 0 or fits >= len(self._lines):
            return [] if fits <= 0 else [self]
        head = RtlParagraph("\n".join(self._lines[:fits]), self.font, self.size, self.leading,
                            self.color, self.align)
        tail = RtlParagraph("\n".join(self._lines[fits:]), self.font, self.size, self.leading,
                            self.color, self.align)
        return [head, tail]

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFont(self.font, self.size)
        canvas.setFillColor(self.color)
        y = self.height - self.size
        for line in self._lines:
            shown = visual(line)
            if self.align == "center":
                canvas.drawCentredString(self.width / 2, y, shown)
            elif self.align == "left":
                canvas.drawString(0, y, shown)
            else:
                canvas.drawRightString(self.width, y, shown)
            y -= self.leading
