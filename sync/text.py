"""Persian text rules, in one place for both ends.

Three jobs:

* :func:`clean` — what we *store*: Arabic ي/ك/ى become Persian ی/ک, Arabic-Indic
  digits become Persian digits, stray spaces, zero-width characters, control
  characters and tatweel go, a ZWNJ (نیم‌فاصله) stays only between two letters.
* :func:`search_key` — what we *compare*: :func:`clean`, then every digit Latin,
  hamza and teh-marbuta forms folded, diacritics dropped, ZWNJ read as a space,
  Latin case folded.  Two strings a clerk would call "the same" get the same key.
* :func:`search_text` — the one folded string a request is found by, made from
  the fields a clerk searches; the office indexes it, and the centre can make it
  for the office's first sync (:data:`SEARCH_TEXT_RULES`).
* :func:`parse_phone` — phone numbers to one canonical form (``09121234567`` for
  mobiles, ``03155501234`` for landlines), or :class:`PhoneError` with a reason.
"""

from __future__ import annotations

import enum
import re
import unicodedata

ZWNJ = "\u200c"

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
LATIN_DIGITS = "0123456789"

#: The control characters :func:`clean` removes: C0 and C1 but for tab, the line
#: breaks and the other characters Python counts as white space.
CONTROL_CHARACTERS: tuple[int, ...] = tuple(
    code for code in range(0xA0) if unicodedata.category(chr(code)) == "Cc" and not chr(code).isspace()
)

_TO_LATIN = str.maketrans(PERSIAN_DIGITS + ARABIC_INDIC_DIGITS, LATIN_DIGITS * 2)
_TO_PERSIAN = str.maketrans(LATIN_DIGITS + ARABIC_INDIC_DIGITS, PERSIAN_DIGITS * 2)

# Letters that Arabic keyboards and old systems type for Persian ones.
_LETTERS = str.maketrans(
    {
        "ي": "ی",  # U+064A ARABIC LETTER YEH
        "ى": "ی",  # U+0649 ALEF MAKSURA
        "ك": "ک",  # U+0643 ARABIC LETTER KAF
        "٠": "۰", "١": "۱", "٢": "۲", "٣": "۳", "٤": "۴",
        "٥": "۵", "٦": "۶", "٧": "۷", "٨": "۸", "٩": "۹",
        "\u0640": None,  # tatweel (kashida) is decoration, not text
        "\u200b": None,  # zero-width space
        "\ufeff": None,  # BOM / zero-width no-break space
        "\u200e": None,  # left-to-right mark
        "\u200f": None,  # right-to-left mark
        "\u061c": None,  # Arabic letter mark
        # Bidi embeddings, overrides and isolates: phones and apps wrap pasted
        # numbers in them (‪+98 912 …‬), and they are invisible.
        "\u202a": None, "\u202b": None, "\u202c": None, "\u202d": None, "\u202e": None,
        "\u2066": None, "\u2067": None, "\u2068": None, "\u2069": None,
        "\u2060": None,  # word joiner
        "\u00a0": " ",  # no-break space
        # C0/C1 control characters that are neither a line break nor a space (those
        # are read as such below): NUL, escape, backspace … are no part of any text a
        # person means; they come with pasted text, or with a forged push, and
        # PostgreSQL cannot store a NUL.  Both ends store text through clean(), so
        # both drop them alike rather than refuse text whose fault nobody can see.
        **{chr(code): None for code in CONTROL_CHARACTERS},
    }
)

# Folding for comparison only: a clerk searching «مساله» must find «مسأله».
_FOLD = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
        "ؤ": "و", "ئ": "ی", "ۀ": "ه", "ة": "ه",
        ZWNJ: " ",
    }
)

# Any run of whitespace within a line, Unicode spaces included (thin and narrow
# no-break spaces are common in Persian text).
_SPACES = re.compile(r"\s+")
_ZWNJ_RUN = re.compile(ZWNJ + "{2,}")
_ZWNJ_ANY = re.compile(ZWNJ)
_HARAKAT = "".join(map(chr, range(0x064B, 0x0660))) + "\u0670"

# clean() meets mostly text that is clean already (what the centre sends): a search
# costs less than a translation, which looks every character up in a dict.
_LETTERS_ANY = re.compile("[" + re.escape("".join(map(chr, _LETTERS))) + "]")


def _search_table() -> list[int | str | None]:
    """search_key's per-character step — digits to Latin, then :data:`_FOLD`, then
    diacritics dropped — as one table indexed by code point.  ``str.translate`` with
    a list finds every character by index, where a dict raises and clears a
    KeyError for each character it does not map (most of them); characters past the
    table's end (IndexError, also a LookupError) are left as they are, like any
    character the dict does not hold."""
    steps = (_TO_LATIN, _FOLD, {ord(c): None for c in _HARAKAT})
    table: list[int | str | None] = list(range(max(max(step) for step in steps) + 1))
    for code in range(len(table)):
        text: str = chr(code)
        for step in steps:
            text = text.translate(step)
        table[code] = text if text != chr(code) else code
    return table


_SEARCH = _search_table()


def to_latin_digits(text: str) -> str:
    return text.translate(_TO_LATIN)


def to_persian_digits(text: str | int) -> str:
    return str(text).translate(_TO_PERSIAN)


def clean(text: str | None) -> str:
    """The form a piece of user text is stored in.  ``None`` becomes ``""``."""
    if not text:
        return ""
    text = _letters_and_zwnj(unicodedata.normalize("NFC", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    # Keep paragraph breaks a citizen made, but not runs of empty lines.
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    # Again NFC: removing invisible characters can bring a letter and its mark
    # together (ا + U+200B + U+0653), and stored text must not change on a second pass.
    return unicodedata.normalize("NFC", "\n".join(out).strip())


def _letters_and_zwnj(text: str) -> str:
    """clean()'s character rules: :data:`_LETTERS`, and a ZWNJ kept (once) only
    between two letters."""
    if _LETTERS_ANY.search(text):
        text = text.translate(_LETTERS)
    if ZWNJ in text:
        text = _ZWNJ_RUN.sub(ZWNJ, text)
        # A ZWNJ joins nothing next to a space, a digit, punctuation or an edge.
        text = _ZWNJ_ANY.sub(lambda m: _zwnj_if_between_letters(m.string, m.start()), text)
    return text


def _is_letter(ch: str) -> bool:
    # Letters and the marks written on them (harakat) count as letters.
    return unicodedata.category(ch)[0] in "LM"


def _zwnj_if_between_letters(text: str, at: int) -> str:
    before = text[at - 1] if at > 0 else ""
    after = text[at + 1] if at + 1 < len(text) else ""
    return ZWNJ if before and after and _is_letter(before) and _is_letter(after) else ""


def search_key(text: str | None) -> str:
    """The comparison form: equal keys mean a person would call the texts the same.

    By definition ``clean(text)``, then digits Latin, :data:`_FOLD`, diacritics
    dropped, casefolded, whitespace runs one space.  A first sync computes it for
    every request, so it takes a shorter road to the same result (the tests hold
    the two equal): clean()'s line and space rules only ever turn whitespace into
    whitespace, which the final split and join undo anyway, so they are skipped,
    and the three per-character steps are one table (:func:`_search_table`)."""
    if not text:
        return ""
    # NFC again after the character rules, as clean() does: removing an invisible
    # character can bring a letter and its mark together.
    text = unicodedata.normalize("NFC", _letters_and_zwnj(unicodedata.normalize("NFC", text)))
    return " ".join(text.translate(_SEARCH).casefold().split())


#: The version of :func:`search_key`'s and :func:`search_text`'s output.  An office
#: may take a request's search text from the centre instead of making it (a first
#: sync makes 100,000), but only when both ends make it by the same rules: raise
#: this whenever some input's key changes, so that neither end trusts the other's
#: older keys.  tests/sync/test_text.py pins sample keys to the number.
SEARCH_TEXT_RULES = 2


#: The request fields a search text is made of, in :func:`search_text`'s order: both
#: ends make it from these columns.
SEARCH_TEXT_FIELDS = ("tracking_code", "citizen_name", "citizen_phone", "address", "description")


def search_text(tracking_code: str, citizen_name: str | None, citizen_phone: str | None,
                address: str | None, description: str | None) -> str:
    """One string holding everything a clerk may type to find a request, folded by
    :func:`search_key` (ی/ي, ک/ك, ZWNJ and digit scripts alike)."""
    return search_key(" ".join(
        part for part in (tracking_code, citizen_name, citizen_phone, address, description) if part
    ))


# --------------------------------------------------------------------------- phones


class PhoneProblem(enum.StrEnum):
    EMPTY = "empty"
    BAD_CHARACTERS = "bad_characters"
    WRONG_LENGTH = "wrong_length"
    NOT_IRANIAN = "not_iranian"
    BAD_PREFIX = "bad_prefix"


_PHONE_MESSAGES = {
    PhoneProblem.EMPTY: "no phone number given",
    PhoneProblem.BAD_CHARACTERS: "a phone number may hold only digits, spaces, dashes, "
    "brackets and a leading +",
    PhoneProblem.WRONG_LENGTH: "wrong number of digits: a mobile is 11 digits (09121234567), "
    "a landline 11 with its area code (03155501234) or 8 without",
    PhoneProblem.NOT_IRANIAN: "only Iranian numbers (+98) are accepted",
    PhoneProblem.BAD_PREFIX: "not an Iranian mobile (09…) or landline (0 and an area code)",
}


class PhoneError(ValueError):
    def __init__(self, problem: PhoneProblem, raw: str):
        self.problem = problem
        self.raw = raw
        super().__init__(f"{_PHONE_MESSAGES[problem]}: {raw!r}")

    @property
    def message(self) -> str:
        return _PHONE_MESSAGES[self.problem]


_PHONE_ALLOWED = re.compile(r"^\+?[0-9 ()\-./]+$")

#: Kashan's area code; an 8-digit local number is read as a landline there.
DEFAULT_AREA_CODE = "031"


def parse_phone(raw: str | None, *, area_code: str = DEFAULT_AREA_CODE) -> str:
    """Canonical form of an Iranian phone number, or :class:`PhoneError`.

    Accepted: ``09121234567``, ``9121234567``, ``+98 912 123 4567``, ``0098…``,
    ``۰۹۱۲۱۲۳۴۵۶۷``, landlines with (``031-5550 1234``) or without the area code.
    """
    text = clean(raw)
    if not text:
        raise PhoneError(PhoneProblem.EMPTY, raw or "")
    text = to_latin_digits(text)
    if not _PHONE_ALLOWED.match(text):
        raise PhoneError(PhoneProblem.BAD_CHARACTERS, raw or "")
    plus = text.startswith("+")
    digits = re.sub(r"\D", "", text)
    if plus or digits.startswith("00"):
        digits = digits[2:] if digits.startswith("00") else digits
        if not digits.startswith("98"):
            raise PhoneError(PhoneProblem.NOT_IRANIAN, raw or "")
        digits = "0" + digits[2:]
    elif digits.startswith("98") and len(digits) == 12:
        digits = "0" + digits[2:]
    elif len(digits) == 10 and digits.startswith("9"):
        digits = "0" + digits
    elif len(digits) == 8:
        if digits[0] in "01":
            raise PhoneError(PhoneProblem.BAD_PREFIX, raw or "")
        digits = area_code + digits
    if len(digits) != 11:
        raise PhoneError(PhoneProblem.WRONG_LENGTH, raw or "")
    if not digits.startswith("0") or digits[1] == "0":
        raise PhoneError(PhoneProblem.BAD_PREFIX, raw or "")
    if digits[1] != "9" and digits[3] in "01":
        # Landline subscriber numbers never start with 0 or 1.
        raise PhoneError(PhoneProblem.BAD_PREFIX, raw or "")
    return digits


def is_mobile(phone: str) -> bool:
    return phone.startswith("09")
