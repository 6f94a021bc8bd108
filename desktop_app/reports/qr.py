"""QR codes on ReportLab pages, drawn as filled rectangles from segno's matrix.

ReportLab's own QR widget costs about 13 ms a code (platform.md); on a 500-page
day sheet that alone breaks the 5 s budget.  Here segno picks the smallest
version for the text (a 10-digit tracking code is a version-1 numeric symbol)
and the symbol becomes one filled path of horizontal runs, written in module
units under a scaling matrix: a few hundred bytes of PDF, well under a
millisecond, crisp at any printer resolution.
"""

from __future__ import annotations

from functools import lru_cache

import segno
from reportlab.pdfgen.canvas import Canvas

#: The light margin a reader needs around the symbol, in modules (ISO 18004: 4).
QUIET_ZONE = 4

#: The mask pattern of every symbol (ISO 18004 pattern 1: alternate rows).
QR_MASK = 1


def qr_matrix(text: str) -> tuple[tuple[bool, ...], ...]:
    """The symbol's modules, row by row from the top, True for dark.

    Error correction M (15 %): a crumpled, coffee-stained sheet from a truck
    still scans, and the symbol stays small.  The mask is fixed: choosing the
    best of eight is three quarters of segno's time, and every reader decodes
    every mask."""
    matrix = segno.make_qr(text, error="m", boost_error=False, mask=QR_MASK).matrix
    return tuple(tuple(bool(module) for module in row) for row in matrix)


@lru_cache(maxsize=64)
def _path(text: str) -> tuple[int, str]:
    """The symbol's size in modules and its dark runs as PDF path operators, in
    module units with the origin at the symbol's lower-left corner."""
    matrix = qr_matrix(text)
    size = len(matrix)
    ops: list[str] = []
    for row, modules in enumerate(matrix):
        y = size - 1 - row
        start = None
        for col, dark in enumerate((*modules, False)):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                ops.append(f"{start} {y} {col - start} 1 re")
                start = None
    return size, " ".join(ops)


def draw_qr(canvas: Canvas, x: float, y: float, size: float, text: str) -> None:
    """Draw the QR code of ``text`` in the square with lower-left corner (x, y) and
    side ``size`` points, quiet zone included (painted white, so a grey band
    behind the code cannot eat it)."""
    modules, path = _path(text)
    module = size / (modules + 2 * QUIET_ZONE)
    canvas.addLiteral(
        f"q 1 g {x:.3f} {y:.3f} {size:.3f} {size:.3f} re f "
        f"{module:.5f} 0 0 {module:.5f} {x + QUIET_ZONE * module:.3f} "
        f"{y + QUIET_ZONE * module:.3f} cm 0 g {path} f Q"
    )
