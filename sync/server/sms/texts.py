"""What the centre says to citizens by SMS, and how it reads what they send.

Messages are short Persian sentences.  The tracking code is written in Latin
digits on purpose: a code like ``1405-7-23`` in Persian digits is laid out by the
phone's bidi algorithm as ``23-7-1405`` in a right-to-left message (a hyphen
between Arabic-Indic digits does not join them into one number; between European
digits it does), and the citizen types back what they read.  Codes they send are
read in either digits.
"""

from __future__ import annotations

import re

from sync.text import clean, to_latin_digits
from sync.workflow import STATUS_LABELS_FA, Status

#: How much of the clerk's outcome text goes into the closing SMS.
NOTE_CHARS = 200

#: Words that stop every further message to the number, and that start them again.
OPT_OUT_WORDS = frozenset({"لغو", "لغو11", "لغو ۱۱", "انصراف", "stop", "unsubscribe", "cancel"})
OPT_IN_WORDS = frozenset({"شروع", "start"})

_CENTRE_CODE = re.compile(r"^1[3-5]\d{8}$")  # 1405000123: Jalali year, 6-digit serial
_WALK_IN_CODE = re.compile(r"^\d{4}-\d{1,4}-\d{1,7}$")  # 1405-7-23
_SCORE = re.compile(r"^[1-5]$")


def phone_key(number: str | None) -> str | None:
    """A mobile number as the centre keys it (``09121234567``), or ``None`` when it is
    not an Iranian mobile number (a landline cannot take an SMS)."""
    if not number:
        return None
    digits = re.sub(r"\D", "", to_latin_digits(number))
    if digits.startswith("0098"):
        digits = digits[4:]
    elif digits.startswith("98") and len(digits) == 12:
        digits = digits[2:]
    if len(digits) == 10 and digits.startswith("9"):
        digits = "0" + digits
    return digits if len(digits) == 11 and digits.startswith("09") else None


def _words(text: str) -> str:
    text = to_latin_digits(clean(text)).strip().lower()
    return " ".join(text.replace("\u200c", " ").split())


def classify(text: str) -> tuple[str, str]:
    """What an SMS asks for: ``(kind, value)`` with kind ``opt_out``, ``opt_in``,
    ``score`` (value ``1``..``5``), ``code`` (a tracking code) or ``report`` (anything
    else: a new request, its text)."""
    words = _words(text)
    if words in OPT_OUT_WORDS or words.replace(" ", "") in OPT_OUT_WORDS:
        return "opt_out", words
    if words in OPT_IN_WORDS:
        return "opt_in", words
    if _SCORE.match(words):
        return "score", words
    compact = words.replace(" ", "").replace("/", "-")
    if _CENTRE_CODE.match(compact) or _WALK_IN_CODE.match(compact):
        return "code", compact
    return "report", clean(text).strip()


def _code(code: str) -> str:
    return to_latin_digits(code)


def registered(code: str) -> str:
    return (f"درخواست شما در سامانه ۱۳۷ ثبت شد. کد پیگیری: {_code(code)}\n"
            "برای پیگیری همین کد را به ۱۰۰۰۷۰۰۰۱۳۷ بفرستید. (لغو پیامک‌ها: «لغو»)")


def referred(code: str, district: str) -> str:
    return f"درخواست {_code(code)} بررسی شد و برای رسیدگی به {district} ارجاع شد."


def reopened(code: str) -> str:
    return f"درخواست {_code(code)} دوباره باز شد و رسیدگی به آن ادامه دارد."


_ASK = "از ۱ تا ۵ به رسیدگی ما چه نمره‌ای می‌دهید؟ فقط عدد را پاسخ دهید."


def _note(note: str) -> str:
    note = " ".join((note or "").split())
    if len(note) > NOTE_CHARS:
        note = note[: NOTE_CHARS - 1].rstrip() + "…"
    return note


def closed(code: str, status: str, reason: str | None, note: str) -> str:
    """The closing message: what was done (the clerk's outcome text, as written),
    or why it cannot be done, and the satisfaction question."""
    note = _note(note)
    if status == Status.DONE:
        head = f"درخواست {_code(code)} انجام شد."
    else:
        head = f"درخواست {_code(code)} قابل انجام نیست؛ دلیل: {reason or 'نامشخص'}."
    return "\n".join(part for part in (head, note, _ASK) if part)


def status_reply(code: str, status: str, reason: str | None, note: str) -> str:
    """The answer to an SMS that is only a tracking code."""
    label = STATUS_LABELS_FA[Status(status)]
    text = f"وضعیت درخواست {_code(code)}: {label}."
    if status == Status.NOT_ACTIONABLE and reason:
        text += f" دلیل: {reason}."
    if status in (Status.DONE, Status.NOT_ACTIONABLE) and _note(note):
        text += "\n" + _note(note)
    return text


def unknown_code(code: str) -> str:
    return f"درخواستی با کد {_code(code)} پیدا نشد. کد را دوباره بررسی کنید."


def thanks(code: str, score: int) -> str:
    return f"نظر شما ({score} از ۵) درباره درخواست {_code(code)} ثبت شد. سپاسگزاریم."


def unmatched_score() -> str:
    return "پیام شما رسید. برای ثبت درخواست، شرح مشکل و نشانی را بفرستید."


def opted_out() -> str:
    return "دیگر پیامکی از سامانه ۱۳۷ برای شما فرستاده نمی‌شود. برای شروع دوباره «شروع» را بفرستید."


def opted_in() -> str:
    return "پیامک‌های سامانه ۱۳۷ دوباره برای شما فرستاده می‌شود."
