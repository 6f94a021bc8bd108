"""Text in a spreadsheet's cell stays text: the one guard every CSV and workbook writer
puts user text through.

A spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a
formula, and a tab or a carriage return ahead of one as the same: a crew, a
neighbourhood or a reason named ``=HYPERLINK(…)`` or ``=cmd|…`` would run when a
manager opens the file.  As OWASP's "CSV Injection" advises, such text is written
with a single quote in front, which a spreadsheet shows as text; the same prefix in
both formats, so that a CSV and a workbook of one report say the same.  Numbers
are left alone (a negative count is a number, not a formula), and so are the
report's own formulas, which never pass through here.
"""

from __future__ import annotations

from typing import TypeVar

#: What a formula may start with, for a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: What goes in front of such text.
TEXT_PREFIX = "'"

T = TypeVar("T")


def as_text(value: T) -> T | str:
    """``value`` as a cell shows it as text: a string that a spreadsheet would read
    as a formula gets :data:`TEXT_PREFIX`; anything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return TEXT_PREFIX + value
    return value
