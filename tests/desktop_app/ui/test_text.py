"""The direction of a piece of text, by its first strong character."""

from __future__ import annotations

from desktop_app.ui.text import text_direction


def test_the_first_letter_decides_the_direction() -> None:
    assert text_direction("کوچه ۱۲، پلاک 4") == "rtl"
    assert text_direction("  1405000123 Bazaar") == "ltr"
    assert text_direction("Bazaar، کوچه ۱۲") == "ltr"
    assert text_direction("«رضا» Karimi") == "rtl"  # punctuation is not a letter


def test_text_without_a_letter_has_no_direction_of_its_own() -> None:
    assert text_direction("۱۴۰۵-۳-۱") is None  # digits alone follow the window
    assert text_direction("") is None
