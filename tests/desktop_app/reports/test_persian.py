"""Persian on ReportLab pages: joined letters, right-to-left order, wrapping.

Expected strings are written out by hand in *visual* order (left to right as
painted) after NFKC, which maps the presentation forms the shaper produces back
to plain letters: ``"باتک"`` is کتاب painted right to left.
"""

from __future__ import annotations

import unicodedata

import pytest
from bidi.algorithm import get_display
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.reports import persian
from desktop_app.reports.persian import FONT, fa, visual, width, wrap

PERSIAN_LETTERS = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیآئءأ"


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@pytest.fixture(scope="module", autouse=True)
def fonts() -> None:
    persian.register_fonts()


def test_letters_are_joined_and_painted_right_to_left() -> None:
    shown = visual("کتاب")
    assert nfkc(shown) == "باتک"
    # Joined: the letters are contextual presentation forms, not the bare letters.
    assert all(0xFB50 <= ord(ch) <= 0xFEFF for ch in shown)


@pytest.mark.parametrize(("logical", "painted"), [
    # Latin and digit runs keep their own order inside the right-to-left line.
    ("کد 1405000123 در خیابان Baba Afzal", "Baba Afzal نابایخ رد 1405000123 دک"),
    # A line that starts with Latin is still a Persian line: it sits on the right.
    ("Sangak نانوایی", "ییاونان Sangak"),
    # Persian digits: a date and a time read left to right, the date first (right).
    ("۱۴۰۵/۰۱/۱۲ ۱۰:۳۰", "۱۰:۳۰ ۱۴۰۵/۰۱/۱۲"),
    # Brackets are mirrored, so they still open towards their content (trap 1).
    ("تا ۱۴۰۵/۰۱/۱۳ (گذشته از مهلت)", "(تلهم زا هتشذگ) ۱۴۰۵/۰۱/۱۳ ات"),
    ("کوچه ۱۲، شماره 45", "45 هرامش ،۱۲ هچوک"),
    # Lam-alef is one ligature glyph; NFKC gives its two letters in logical order.
    ("سلام", "ملاس"),
])
def test_mixed_lines_are_in_visual_order(logical: str, painted: str) -> None:
    assert nfkc(visual(logical)) == painted


def test_tanwin_is_kept() -> None:
    # Trap 2: with the reshaper's default, لطفاً loses its tanwin.
    assert "\u064b" in visual("لطفاً")


def test_zero_width_joiner_does_not_break_shaping() -> None:
    # arabic-reshaper raises IndexError on a ZWJ before lam-alef (emoji sequences
    # pasted into web requests end in ZWJs); the joiner joins nothing on paper.
    assert visual("\u200dلا") == visual("لا")


def test_fa_writes_persian_digits() -> None:
    assert fa(1405) == "۱۴۰۵"
    assert fa("1405-3-12") == "۱۴۰۵-۳-۱۲"
    assert fa(None) == ""


# A reference for visual(): the definition it started from, one pure-Python
# bidi call on the whole reshaped line.  The fast path (word-by-word shaping,
# the Rust bidi when nothing needs mirroring) must paint exactly the same.
def reference_visual(text: str) -> str:
    return get_display(persian._RESHAPER.reshape(text), base_dir="R") if text else ""


LINE_ALPHABET = PERSIAN_LETTERS + "۰۱۲۳۴۵۶۷۸۹0123456789abcXYZ .,:;/-،؛؟!٪%()«»\u200c\u064b"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=LINE_ALPHABET, max_size=60))
def test_visual_paints_what_the_reference_paints(text: str) -> None:
    assert visual(text) == reference_visual(text)


WORDS = st.text(alphabet=PERSIAN_LETTERS + "۰۱۲۳۴۵۶۷۸۹Latin.،\u200c", min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=80), st.floats(min_value=60, max_value=400))
def test_wrap_keeps_every_word_in_order_and_within_the_width(words: list[str],
                                                            max_width: float) -> None:
    text = " ".join(words)
    lines = wrap(text, FONT, 10, max_width)
    assert all(width(line, FONT, 10) <= max_width + 1e-6 for line in lines)
    if all(width(word, FONT, 10) <= max_width for word in words):
        assert " ".join(lines).split() == text.split()
    else:  # a word wider than the line is cut, never dropped
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_wrap_fills_lines_greedily() -> None:
    words = ["زباله‌ها", "دو", "روز", "است", "جمع‌آوری", "نشده"] * 8
    lines = wrap(" ".join(words), FONT, 10, 150)
    assert len(lines) > 2
    # Each line but the last would overflow with the next line's first word.
    for line, following in zip(lines, lines[1:], strict=False):
        assert width(f"{line} {following.split()[0]}", FONT, 10) > 150


def test_wrap_keeps_paragraph_breaks_and_cuts_overlong_words() -> None:
    assert wrap("یک\n\nدو", FONT, 10, 200) == ["یک", "", "دو"]
    url = "https://137.kashan.ir/requests/1405000123/photos/very-long-name.jpg"
    lines = wrap(url, FONT, 10, 80)
    assert len(lines) > 1 and "".join(lines) == url
    assert all(width(line, FONT, 10) <= 80 for line in lines)
