"""Which way a piece of text runs, by the Unicode bidi rule for a paragraph.

What people write is laid out in its own direction whatever the window's: a
Persian address in the English window starts at the right, an English name in the
Persian window at the left.  One pure function, without Qt, for the table's cells
and the rich text of the forms alike; each caller decides what text without a
letter follows (the window's direction).
"""

from __future__ import annotations

import unicodedata
from typing import Literal

Direction = Literal["rtl", "ltr"]


def text_direction(text: str) -> Direction | None:
    """``"rtl"`` or ``"ltr"`` from ``text``'s first strong character (Unicode bidi
    rule P2), or ``None`` for text without one (digits, punctuation)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return None
