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

Speed (a 500-page day sheet must render in seconds): letters never join across
a space, so text is shaped word by word and each distinct word once (words
repeat across a city's requests far more than lines do), and lines are
reordered by python-bidi's Rust implementation whenever that gives the same
answer as the pure-Python one — that is, when nothing in the line needs
mirroring (trap 1) and no invisible bidi control is in it.
"""

from __future__ import annotations

from functools import lru_cache

import arabic_reshaper
from bidi import get_display as _rust_display
from bidi.algorithm import get_display
from bidi.mirror import MIRRORED
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

ZWNJ = "\u200c"
#: Zero-width joiner: arabic-reshaper raises IndexError on some words that hold
#: one (emoji sequences pasted into a web request), and it joins nothing we print.
_ZWJ = "\u200d"
#: Characters only the pure-Python bidi handles as the standard says: brackets
#: and other mirrored pairs, explicit embeddings and marks, and the invisible
#: "boundary neutral" characters it removes (ZWNJ is removed on the fast path too).
_SLOW_PATH = frozenset(MIRRORED) | frozenset(
    "\u00ad\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff"
)


def register_fonts() -> None:
    """Register the bundled Vazirmatn faces (idempotent).  They are embedded, subset,
    in every PDF that uses them, so the paper looks the same on any printer."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(FONT, str(resource_path("fonts/Vazirmatn-Regular.ttf"))))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(resource_path("fonts/Vazirmatn-Bold.ttf"))))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


@lru_cache(maxsize=65536)
def _shaped_word(word: str) -> str:
    """One space-free piece of text with its letters joined (presentation forms)."""
    return _RESHAPER.reshape(word.replace(_ZWJ, ""))


@lru_cache(maxsize=8192)
def visual(text: str) -> str:
    """One line of logical-order text in the order it is painted, letters joined.

    The base direction is right-to-left: a line that starts with Latin or digits
    (a tracking code) still sits in a Persian sentence."""
    if not text:
        return ""
    shaped = " ".join(_shaped_word(word) for word in text.split(" "))
    if _SLOW_PATH.isdisjoint(shaped):
        return _rust_display(shaped.replace(ZWNJ, ""), base_dir="R")
    return get_display(shaped, base_dir="R")


def fa(value: object) -> str:
    """A value as Persian text: digits in Persian (for numbers, codes, dates)."""
    return to_persian_digits("" if value is None else str(value))


def width(text: str, font: str, size: float) -> float:
    return stringWidth(visual(text), font, size)


@lru_cache(maxsize=65536)
def _word_width(word: str, font: str, size: float) -> float:
    return stringWidth(_shaped_word(word), font, size)


def wrap(text: str, font: str, size: float, max_width: float) -> list[str]:
    """Break logical-order ``text`` into lines no wider than ``max_width``.

    Line breaks in the text are kept; a word wider than a whole line (a long URL)
    is cut by characters rather than overflowing the box.  A line is measured as
    its words plus the spaces between them: reordering a line moves glyphs but
    does not change their widths."""
    space = stringWidth(" ", font, size)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split()
        if not words:
            lines.append("")
            continue
        current: list[str] = []
        current_width = 0.0
        for word in words:
            word_width = _word_width(word, font, size)
            candidate = current_width + space + word_width if current else word_width
            if candidate <= max_width:
                current.append(word)
                current_width = candidate
                continue
            if current:
                lines.append(" ".join(current))
            while word_width > max_width and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and _word_width(word[:cut], font, size) > max_width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
                word_width = _word_width(word, font, size)
            current, current_width = [word], word_width
        lines.append(" ".join(current))
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
