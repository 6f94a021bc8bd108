"""Persian text rules: what is stored (clean), what is compared (search_key), phones."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sync.text import (
    PhoneError,
    PhoneProblem,
    clean,
    is_mobile,
    parse_phone,
    SEARCH_TEXT_RULES,
    search_key,
    search_text,
    to_latin_digits,
    to_persian_digits,
)

ZWNJ = "\u200c"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"


# --------------------------------------------------------------------- clean


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("\u064a", "\u06cc"),  # ARABIC YEH -> FARSI YEH
        ("\u0649", "\u06cc"),  # ALEF MAKSURA -> FARSI YEH
        ("\u0643", "\u06a9"),  # ARABIC KAF -> KEHEH
        ("كاشاني", "کاشانی"),
        ("علي", "علی"),
        ("موسى", "موسی"),
        ("كوچه", "کوچه"),
    ],
)
def test_arabic_letters_become_persian(raw: str, stored: str):
    assert clean(raw) == stored
    assert not set("\u064a\u0649\u0643") & set(clean(raw))


def test_digits():
    # Arabic-Indic digits are stored as Persian ones; Persian and Latin stay.
    assert clean(ARABIC_DIGITS) == PERSIAN_DIGITS
    assert clean(PERSIAN_DIGITS) == PERSIAN_DIGITS
    assert clean("پلاک 12") == "پلاک 12"
    assert to_latin_digits(PERSIAN_DIGITS + ARABIC_DIGITS) == "0123456789" * 2
    assert to_persian_digits("0123456789") == PERSIAN_DIGITS
    assert to_persian_digits(ARABIC_DIGITS) == PERSIAN_DIGITS
    assert to_persian_digits(1405) == "۱۴۰۵"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        # Kept between two letters.
        (f"می{ZWNJ}خواهم", f"می{ZWNJ}خواهم"),
        (f"کتاب{ZWNJ}ها", f"کتاب{ZWNJ}ها"),
        # Doubled (or more) is one.
        (f"می{ZWNJ}{ZWNJ}خواهم", f"می{ZWNJ}خواهم"),
        (f"می{ZWNJ * 5}خواهم", f"می{ZWNJ}خواهم"),
        # At the edges of the text or of a line.
        (f"{ZWNJ}سلام{ZWNJ}", "سلام"),
        (f"سلام{ZWNJ}\n{ZWNJ}خوبی", "سلام\nخوبی"),
        # Next to a space, on either side.
        (f"کتاب{ZWNJ} ها", "کتاب ها"),
        (f"کتاب {ZWNJ}ها", "کتاب ها"),
        (f"کتاب {ZWNJ}{ZWNJ} ها", "کتاب ها"),
        # Next to a digit or punctuation: joins nothing.
        (f"پلاک{ZWNJ}۱۲", "پلاک۱۲"),
        (f"سلام{ZWNJ}.", "سلام."),
        # A letter with a mark on it is still a letter.
        (f"خانه\u0654{ZWNJ}ای", f"خانهٔ{ZWNJ}ای"),
        # Only ZWNJs is nothing.
        (ZWNJ * 3, ""),
    ],
)
def test_zwnj(raw: str, stored: str):
    assert clean(raw) == stored


@pytest.mark.parametrize(
    "invisible",
    [
        "\u0640",  # tatweel
        "\u200b",  # zero-width space
        "\ufeff",  # BOM
        "\u200e",  # LRM
        "\u200f",  # RLM
        "\u061c",  # ALM
        "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",  # embeddings, overrides, PDF
        "\u2066", "\u2067", "\u2068", "\u2069",  # isolates
    ],
)
def test_invisible_characters_are_removed(invisible: str):
    assert clean(f"{invisible}کا{invisible}شان{invisible}") == "کاشان"
    assert invisible not in clean(f"a {invisible} b")


def test_tatweel_runs():
    assert clean("کاشــــان") == "کاشان"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("  خیابان   امیرکبیر  ", "خیابان امیرکبیر"),
        ("a\t\tb", "a b"),
        ("a\u00a0\u00a0b", "a b"),  # no-break space
        ("a\u202fb", "a b"),  # narrow no-break space, common in Persian text
        ("a \u2009 b", "a b"),  # thin space
        ("a\u3000b", "a b"),
        ("line one  \n  line two", "line one\nline two"),
        ("para one\n\npara two", "para one\n\npara two"),  # a paragraph break is kept
        ("para one\n\n\n\n\npara two", "para one\n\npara two"),  # … but only one
        ("para one\n   \n \t \npara two", "para one\n\npara two"),
        ("a\r\nb", "a\nb"),
        ("\n\n  text  \n\n", "text"),
        ("", ""),
        ("   \n\t ", ""),
        (None, ""),
    ],
)
def test_whitespace(raw, stored):
    assert clean(raw) == stored


def test_nfc():
    # Alef + maddah written as two characters is the one letter آ.
    assert clean("\u0627\u0653") == "\u0622"
    # … also when an invisible character stood between them.
    assert clean("\u0627\u200b\u0653") == "\u0622"


# ---------------------------------------------------------------- search_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("كاشاني ۱۲۳", "کاشانی 123"),
        ("كاشاني ١٢٣", "کاشانی ۱۲۳"),
        ("پلاک ۴۵", "پلاک 45"),
        (f"می{ZWNJ}خواهم", "می خواهم"),
        (f"کتاب{ZWNJ}ها", "کتاب   ها"),
        ("مسأله", "مساله"),
        ("مسئله", "مسیله"),
        ("آب", "اب"),
        ("إمام", "امام"),
        ("مؤسسه", "موسسه"),
        ("خانهٔ من", "خانه من"),
        ("خانۀ من", "خانه من"),
        ("مدرسة", "مدرسه"),
        ("مُحَمَّد", "محمد"),  # diacritics dropped
        ("KASHAN Street", "kashan street"),
        ("کاشــان", "کاشان"),
        ("\u202a0912 123 4567\u202c", "۰۹۱۲ ۱۲۳ ۴۵۶۷"),
        ("  خیابان\n\nامیرکبیر ", "خیابان امیرکبیر"),
    ],
)
def test_same_for_a_clerk_same_key(a: str, b: str):
    assert search_key(a) == search_key(b)
    assert search_key(a)  # and not trivially so


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("کاشان", "کاشانی"),
        ("123", "124"),
        ("کتابها", "کتاب ها"),  # joined without ZWNJ is a different spelling
        ("ب", "پ"),
        ("ک", "گ"),
    ],
)
def test_different_texts_different_keys(a: str, b: str):
    assert search_key(a) != search_key(b)


def test_search_key_form():
    assert search_key("۰۱۲٣٤") == "01234"
    assert search_key(None) == ""
    assert search_key("") == ""
    assert search_key("  ") == ""
    assert ZWNJ not in search_key(f"می{ZWNJ}خواهم")
    assert search_key("ABC\u00dfx") == "abcssx"  # casefold, not just lower


# ------------------------------------------------------------ property tests

# Text a clerk can produce, weighted towards the characters the rules are about.
_ALPHABET = (
    "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
    "يكىأإآؤئۀةٱ"
    + PERSIAN_DIGITS + ARABIC_DIGITS + "0123456789"
    + "abcXYZ .,-()/"
    + ZWNJ * 4 + "\u200b\ufeff\u200e\u200f\u0640\u00a0\u202f\u202a\u202c\u2067\u2069"
    + "\u064b\u064e\u0650\u0651\u0652\u0653\u0654\u0670"
    + "  \t\n\n\r"
)
persian_text = st.text(alphabet=_ALPHABET, max_size=40)
any_text = st.text(max_size=40)


@settings(max_examples=400)
@given(st.one_of(persian_text, any_text))
@example("\u0627\u200b\u0653")
@example(f"a{ZWNJ}\u0653")
def test_clean_is_idempotent(text: str):
    once = clean(text)
    assert clean(once) == once


@settings(max_examples=400)
@given(st.one_of(persian_text, any_text))
@example("\u0627\u200b\u0653")
def test_search_key_of_clean_text_is_the_same(text: str):
    assert search_key(clean(text)) == search_key(text)


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(max_codepoint=0xA0) | st.sampled_from("آبپ"), max_size=40))
def test_clean_keeps_no_control_character_but_line_breaks(text: str):
    """Both ends store text through clean(): no NUL (PostgreSQL cannot store one) nor
    any other C0/C1 control reaches a database; a line break stays one."""
    out = clean(text)
    assert not {ch for ch in out if unicodedata.category(ch) == "Cc"} - {"\n"}
    assert clean("یک\x00دو\x1b\x7f\x9f") == "یکدو"
    assert clean("یک\x85دو\x0bسه\tچهار") == "یک\nدو\nسه چهار"


@settings(max_examples=300)
@given(persian_text)
def test_clean_output_shape(text: str):
    out = clean(text)
    assert out == out.strip()
    for ch in "\u064a\u0649\u0643\u0640\u200b\ufeff\u200e\u200f\u202a\u202c\u2067\u2069":
        assert ch not in out
    assert not set(ARABIC_DIGITS) & set(out)
    assert "  " not in out and "\t" not in out and "\n\n\n" not in out
    assert ZWNJ * 2 not in out
    for i, ch in enumerate(out):
        if ch == ZWNJ:
            assert 0 < i < len(out) - 1
            assert out[i - 1].isalpha() or out[i - 1] in "\u064b\u064e\u0650\u0651\u0652\u0653\u0654\u0670"
            assert out[i + 1].isalpha() or out[i + 1] in "\u064b\u064e\u0650\u0651\u0652\u0653\u0654\u0670"


def _search_key_by_definition(text: str | None) -> str:
    """search_key as its docstring defines it, step by step (the function itself
    takes a faster road)."""
    text = clean(text)
    if not text:
        return ""
    folds = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ی",
                           "ۀ": "ه", "ة": "ه", ZWNJ: " "})
    text = re.sub("[\u064b-\u065f\u0670]", "", to_latin_digits(text).translate(folds))
    return " ".join(text.casefold().split())


@settings(max_examples=1500)
@given(st.one_of(persian_text, any_text, st.text(alphabet=_ALPHABET + "\u2028\x1c\x85\u2000", max_size=80)))
@example("\u0627\u200b\u0653")
@example(f"a{ZWNJ}1 b{ZWNJ}\u0653{ZWNJ}{ZWNJ}c \u200b{ZWNJ}d")
@example("e\u200b\u0301 \u06d5\u200b\u0654")  # composed only once the ZWSP is gone
@example("\U0001d400\uff21\u0130")  # past the table's end; casefold grows a mark
def test_search_key_is_its_definition(text: str):
    assert search_key(text) == _search_key_by_definition(text)


@settings(max_examples=300)
@given(persian_text)
def test_search_key_folds_digits_and_spacing(text: str):
    key = search_key(text)
    assert not set(PERSIAN_DIGITS + ARABIC_DIGITS) & set(key)
    assert ZWNJ not in key and "\n" not in key and "  " not in key
    assert search_key(to_persian_digits(text)) == search_key(to_latin_digits(text))


# -------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("09121234567", "09121234567"),
        ("9121234567", "09121234567"),
        ("+98 912 123 4567", "09121234567"),
        ("+989121234567", "09121234567"),
        ("0098 912 123 4567", "09121234567"),
        ("00989121234567", "09121234567"),
        ("989121234567", "09121234567"),
        ("۰۹۱۲۱۲۳۴۵۶۷", "09121234567"),
        ("٠٩١٢١٢٣٤٥٦٧", "09121234567"),
        ("۰۹۱۲-۱۲۳-۴۵۶۷", "09121234567"),
        ("0912-123-4567", "09121234567"),
        ("(0912) 123 4567", "09121234567"),
        ("0912.123.4567", "09121234567"),
        ("  09121234567  ", "09121234567"),
        ("\u202a+98 912 123 4567\u202c", "09121234567"),  # pasted from a phone
        ("09901234567", "09901234567"),
        # Landlines, with and without the area code.
        ("03155501234", "03155501234"),
        ("031-5550 1234", "03155501234"),
        ("(031) 5550-1234", "03155501234"),
        ("+98 31 5550 1234", "03155501234"),
        ("۰۳۱۵۵۵۰۱۲۳۴", "03155501234"),
        ("5550 1234", "03155501234"),
        ("55501234", "03155501234"),
        ("۵۵۵۰۱۲۳۴", "03155501234"),
        ("02188776655", "02188776655"),
    ],
)
def test_phone_accepted(raw: str, canonical: str):
    assert parse_phone(raw) == canonical


def test_landline_without_area_code_takes_the_given_one():
    assert parse_phone("88776655", area_code="021") == "02188776655"


def test_is_mobile():
    assert is_mobile(parse_phone("+98 912 123 4567"))
    assert not is_mobile(parse_phone("5550 1234"))


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (None, PhoneProblem.EMPTY),
        ("", PhoneProblem.EMPTY),
        ("   ", PhoneProblem.EMPTY),
        ("\u200c\u200b", PhoneProblem.EMPTY),
        ("0912abc4567", PhoneProblem.BAD_CHARACTERS),
        ("phone", PhoneProblem.BAD_CHARACTERS),
        ("0912_123_4567", PhoneProblem.BAD_CHARACTERS),
        ("0912+1234567", PhoneProblem.BAD_CHARACTERS),
        ("۰۹۱۲ الف", PhoneProblem.BAD_CHARACTERS),
        ("0912123", PhoneProblem.WRONG_LENGTH),
        ("091212345", PhoneProblem.WRONG_LENGTH),
        ("091212345678", PhoneProblem.WRONG_LENGTH),
        ("0912123456789", PhoneProblem.WRONG_LENGTH),
        ("+98 912 123 45", PhoneProblem.WRONG_LENGTH),
        ("+98 912 123 456789", PhoneProblem.WRONG_LENGTH),
        ("123", PhoneProblem.WRONG_LENGTH),
        ("+44 20 7946 0958", PhoneProblem.NOT_IRANIAN),
        ("0044 20 7946 0958", PhoneProblem.NOT_IRANIAN),
        ("+1 555 123 4567", PhoneProblem.NOT_IRANIAN),
        ("00 1 555 123 4567", PhoneProblem.NOT_IRANIAN),
        ("0550 1234", PhoneProblem.BAD_PREFIX),  # a local number never starts with 0
        ("15501234", PhoneProblem.BAD_PREFIX),
        ("031 0550 1234", PhoneProblem.BAD_PREFIX),  # subscriber number starts with 0
        ("031 1550 1234", PhoneProblem.BAD_PREFIX),  # … or with 1
        ("0091 22 1234 5678", PhoneProblem.NOT_IRANIAN),  # India
        ("91212345678", PhoneProblem.BAD_PREFIX),  # 11 digits without the 0
    ],
)
def test_phone_refused(raw, problem: PhoneProblem):
    with pytest.raises(PhoneError) as info:
        parse_phone(raw)
    assert info.value.problem is problem
    assert info.value.raw == (raw or "")
    assert info.value.message
    assert isinstance(info.value, ValueError)


@settings(max_examples=300)
@given(st.from_regex(r"09[0-9]{9}", fullmatch=True), st.sampled_from(["", " ", "-", "  "]))
def test_any_mobile_in_any_digits_and_spacing(number: str, sep: str):
    written = number[:4] + sep + number[4:7] + sep + number[7:]
    for form in (written, to_persian_digits(written), written.translate(
        str.maketrans("0123456789", ARABIC_DIGITS)
    )):
        assert parse_phone(form) == number
        assert parse_phone("+98" + sep + form[1:]) == number
        assert parse_phone(parse_phone(form)) == number  # canonical is a fixed point


#: Sample search texts under SEARCH_TEXT_RULES 2 (2: control characters dropped).  Offices take the centre's texts
#: when both ends have the same rules number, so a change to search_key that alters
#: any of these must come with a new number (and new samples).
RULES_SAMPLES = {
    ("1405-3-17", "علي كاشاني", "۰۹۱۲۱۲۳۴۵۶۷", "كوچهٔ ۱۲، پلاک ٣", "زباله‌ها جمع‌آوری نشده"):
        "1405-3-17 علی کاشانی 09121234567 کوچه 12، پلاک 3 زباله ها جمع اوری نشده",
    ("1405000001", "Ali KAZEMI", None, "", "مسأله‌ی آب\u200c\u200c  رو"):
        "1405000001 ali kazemi مساله ی اب رو",
    ("1405-3-18", "Ali\x00", None, "\x1b[31mکوچه\x7f", "آب\x85رو\u0090"):
        "1405-3-18 ali [31mکوچه اب رو",
}


def test_search_text_rules_are_pinned_by_samples():
    assert SEARCH_TEXT_RULES == 2, "new rules: replace RULES_SAMPLES with the new keys"
    for fields, key in RULES_SAMPLES.items():
        assert search_text(*fields) == key, fields
