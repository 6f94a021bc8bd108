"""The words and numbers the forms show for what the core layer hands back as codes.

Services raise :class:`~desktop_app.errors.ServiceError` with a stable
``code`` and an English message meant for logs and the command line; the lifecycle
speaks in :class:`~sync.workflow.Status` and :class:`~sync.workflow.Role`.  Every
sentence a clerk reads about them is written here once, through Qt's translation
system (context ``messages``), so each dialog words the same fact the same way and
the Persian translation lives in one ``.ts`` context.

The helpers at the end format digits, days and times the way the current locale
writes them (Persian digits under ``QLocale.Persian``), with jdatetime as the one
calendar (``sync.dates``) so the screen and the printed page never disagree.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale, Qt
from PySide6.QtGui import QGuiApplication

from desktop_app.errors import FieldProblem, ServiceError, ValidationFailed
from desktop_app.ui.text import text_direction as direction_of
from sync.dates import format_jalali_date, format_jalali_datetime
from sync.text import to_persian_digits
from sync.workflow import Role, Status, TransitionError

_CONTEXT = "messages"


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CONTEXT, text)


# ------------------------------------------------------------------------ statuses

_STATUS = {
    Status.RECEIVED: QT_TRANSLATE_NOOP("messages", "Received"),
    Status.REFERRED: QT_TRANSLATE_NOOP("messages", "Referred"),
    Status.ASSIGNED: QT_TRANSLATE_NOOP("messages", "Assigned"),
    Status.IN_PROGRESS: QT_TRANSLATE_NOOP("messages", "In progress"),
    Status.DONE: QT_TRANSLATE_NOOP("messages", "Done"),
    Status.NOT_ACTIONABLE: QT_TRANSLATE_NOOP("messages", "Not actionable"),
}

_ROLE = {
    Role.CLERK: QT_TRANSLATE_NOOP("messages", "Clerk"),
    Role.SUPERVISOR: QT_TRANSLATE_NOOP("messages", "Crew supervisor"),
    Role.MANAGER: QT_TRANSLATE_NOOP("messages", "Manager"),
    Role.CENTRE: QT_TRANSLATE_NOOP("messages", "137 centre"),
}


def status_name(status: Status | str) -> str:
    return _tr(_STATUS[Status(status)])


def role_name(role: Role | str) -> str:
    """The role in words; a role this version does not know is shown as its code."""
    try:
        return _tr(_ROLE[Role(role)])
    except ValueError:
        return str(role)


# ------------------------------------------------------------------ service errors

_ERRORS = {
    "completion_photo_required": QT_TRANSLATE_NOOP(
        "messages", "Its category needs a photo of the finished work to close it as done: "
        "attach one as “After work” on the request's form, then mark it done again."),
    "unknown_request": QT_TRANSLATE_NOOP(
        "messages", "This request is no longer in the office's database."),
    "role_not_allowed": QT_TRANSLATE_NOOP(
        "messages", "Your role does not allow this action."),
    "not_a_move": QT_TRANSLATE_NOOP(
        "messages", "The request's status no longer allows this action. "
        "It may have changed in the meantime; look at it again."),
    "reason_required": QT_TRANSLATE_NOOP(
        "messages", "Choose why the request cannot be done."),
    "reason_not_expected": QT_TRANSLATE_NOOP(
        "messages", "Only a request that cannot be done takes a reason."),
    "unknown_reason": QT_TRANSLATE_NOOP(
        "messages", "That reason is not in the reference data."),
    "duplicate_needs_reason": QT_TRANSLATE_NOOP(
        "messages", "Only a duplicate links to an original request."),
    "bad_original": QT_TRANSLATE_NOOP(
        "messages", "The original must be another request this office has."),
    "unknown_crew": QT_TRANSLATE_NOOP(
        "messages", "That crew does not exist or is not active any more."),
    "cannot_assign": QT_TRANSLATE_NOOP(
        "messages", "A closed request cannot be given to a crew; reopen it first."),
    "not_editable": QT_TRANSLATE_NOOP(
        "messages", "That field cannot be changed at the office."),
    "validation_failed": QT_TRANSLATE_NOOP(
        "messages", "Some fields need fixing; see the notes beside them."),
    "bad_login": QT_TRANSLATE_NOOP("messages", "Wrong user name or password."),
    "last_manager": QT_TRANSLATE_NOOP(
        "messages", "The office must keep at least one active manager."),
    "unknown_user": QT_TRANSLATE_NOOP("messages", "There is no such user."),
    "unknown_problem": QT_TRANSLATE_NOOP(
        "messages", "This sync problem is no longer in the office's database."),
    "problem_settled": QT_TRANSLATE_NOOP(
        "messages", "This sync problem was already settled."),
    # The centre's desk (issue 15).
    "not_centre_office": QT_TRANSLATE_NOOP(
        "messages", "Only the 137 centre's office makes this move."),
    "centre_user_at_district_office": QT_TRANSLATE_NOOP(
        "messages", "A 137 centre user cannot work at a district office."),
    "not_open": QT_TRANSLATE_NOOP(
        "messages", "The request is closed: take the call as a new request."),
    "cannot_move": QT_TRANSLATE_NOOP(
        "messages", "Only referred work (not yet done) moves to another district."),
    "same_district": QT_TRANSLATE_NOOP(
        "messages", "The request is already in this district."),
    "unknown_district": QT_TRANSLATE_NOOP("messages", "There is no such district."),
    "not_received": QT_TRANSLATE_NOOP(
        "messages", "Only a received request is referred: move it to another district instead."),
}


# Why the centre refused a pushed change, for codes about who made it (the sync
# problems dialog has its own sentences for the others).
_REFUSALS = {
    "unknown_actor": QT_TRANSLATE_NOOP(
        "messages", "The centre does not know the person who made this change as a user "
        "of this office. A manager can send the office's users again."),
    "actor_inactive": QT_TRANSLATE_NOOP(
        "messages", "The person who made this change is no longer an active user at the centre."),
    "last_manager": _ERRORS["last_manager"],
}


def refusal_text(code: str) -> str | None:
    """The centre's refusal ``code`` in words, or ``None`` for a code not here."""
    return _tr(_REFUSALS[code]) if code in _REFUSALS else None


def error_text(error: BaseException) -> str:
    """One sentence for a clerk about a failed action.

    A code this table does not know still gets an honest sentence with the service's
    own words, rather than a silent failure or a traceback."""
    code = getattr(error, "code", None)
    if isinstance(error, ValidationFailed) and len(error.problems) == 1:
        return problem_text(error.problems[0])
    if isinstance(error, (ServiceError, TransitionError)) and code in _ERRORS:
        text = _tr(_ERRORS[code])
        tracking = getattr(error, "params", {}).get("tracking_code")
        if tracking:
            text = QCoreApplication.translate("messages", "Request %1: %2").replace(
                "%1", digits(str(tracking))).replace("%2", text)
        return text
    return QCoreApplication.translate("messages", "The action failed: %1").replace(
        "%1", str(error) or type(error).__name__)


# -------------------------------------------------------------------- fields

_FIELDS = {
    "description": QT_TRANSLATE_NOOP("messages", "description"),
    "citizen_name": QT_TRANSLATE_NOOP("messages", "citizen's name"),
    "citizen_phone": QT_TRANSLATE_NOOP("messages", "phone"),
    "address": QT_TRANSLATE_NOOP("messages", "address"),
    "latitude": QT_TRANSLATE_NOOP("messages", "location"),
    "longitude": QT_TRANSLATE_NOOP("messages", "location"),
    "neighbourhood_code": QT_TRANSLATE_NOOP("messages", "neighbourhood"),
    "category_code": QT_TRANSLATE_NOOP("messages", "category"),
}


def field_names(names: list[str] | tuple[str, ...]) -> str:
    """Request fields (as the protocol names them) in words: "address, phone"."""
    words = dict.fromkeys(_tr(_FIELDS[name]) if name in _FIELDS else name for name in names)
    return QCoreApplication.translate("messages", ", ").join(words)


# ------------------------------------------------------------------ field problems

# (field, code) -> sentence, for problems whose wording depends on the field.
_FIELD_PROBLEMS = {
    ("citizen_phone", "required"): QT_TRANSLATE_NOOP(
        "messages", "Enter the citizen's phone number."),
    ("neighbourhood_code", "required"): QT_TRANSLATE_NOOP(
        "messages", "Choose the neighbourhood."),
    ("neighbourhood_code", "wrong_district"): QT_TRANSLATE_NOOP(
        "messages", "This neighbourhood is not in the chosen district."),
    ("category_code", "required"): QT_TRANSLATE_NOOP("messages", "Choose the category."),
    ("description", "required"): QT_TRANSLATE_NOOP(
        "messages", "Describe what the citizen reports."),
    ("district_code", "required"): QT_TRANSLATE_NOOP("messages", "Choose the district."),
    ("name", "required"): QT_TRANSLATE_NOOP("messages", "The crew needs a name."),
    ("note", "required"): QT_TRANSLATE_NOOP("messages", "Write the note first."),
    ("username", "required"): QT_TRANSLATE_NOOP("messages", "Choose a user name."),
    ("username", "taken"): QT_TRANSLATE_NOOP("messages", "This user name is taken."),
    ("username", "reserved"): QT_TRANSLATE_NOOP(
        "messages", "This name belongs to a built-in user; choose another."),
    ("password", "too_short"): QT_TRANSLATE_NOOP(
        "messages", "The password needs at least 6 characters."),
    ("role", "unknown"): QT_TRANSLATE_NOOP(
        "messages", "Choose clerk, crew supervisor or manager."),
    ("latitude", "out_of_range"): QT_TRANSLATE_NOOP(
        "messages", "Latitude must be between -90 and 90."),
    ("longitude", "out_of_range"): QT_TRANSLATE_NOOP(
        "messages", "Longitude must be between -180 and 180."),
    ("due_at", "due_in_past"): QT_TRANSLATE_NOOP(
        "messages", "The deadline must be after today."),
    ("due_at", "invalid_due"): QT_TRANSLATE_NOOP("messages", "Choose a deadline."),
    ("reason", "required"): QT_TRANSLATE_NOOP(
        "messages", "Say why the request moves: the new district reads it."),
    ("district_code", "unknown_district"): QT_TRANSLATE_NOOP(
        "messages", "There is no such district."),
    ("district_code", "same_district"): QT_TRANSLATE_NOOP(
        "messages", "The request is already in this district."),
    ("channel", "invalid_channel"): QT_TRANSLATE_NOOP(
        "messages", "The centre takes phone, website and SMS requests."),
}

# code -> sentence, for problems worded the same on any field (phone numbers).
_PROBLEMS = {
    "required": QT_TRANSLATE_NOOP("messages", "This field is required."),
    "too_long": QT_TRANSLATE_NOOP("messages", "This is too long: shorten it."),
    "empty": QT_TRANSLATE_NOOP("messages", "Enter a phone number."),
    "bad_characters": QT_TRANSLATE_NOOP(
        "messages", "A phone number has only digits, spaces, dashes and a leading +."),
    "wrong_length": QT_TRANSLATE_NOOP(
        "messages", "Wrong number of digits: a mobile has 11 (09121234567), "
        "a landline 11 with its area code or 8 without."),
    "not_iranian": QT_TRANSLATE_NOOP("messages", "Only Iranian numbers (+98) are accepted."),
    "bad_prefix": QT_TRANSLATE_NOOP(
        "messages", "Not an Iranian mobile (09…) or landline (0 and an area code)."),
}


def problem_text(problem: FieldProblem) -> str:
    """What to fix in one field, in the user's language (the service's English
    message when the code is new to this table)."""
    source = _FIELD_PROBLEMS.get((problem.field, problem.code)) or _PROBLEMS.get(problem.code)
    return _tr(source) if source else problem.message


# ------------------------------------------------------------------------ numbers


def is_persian() -> bool:
    """Whether the default locale writes Persian digits (set once by the app)."""
    return QLocale().language() == QLocale.Language.Persian


def digits(text: str | int) -> str:
    """Codes and numbers in the locale's digits; the value itself is unchanged."""
    return to_persian_digits(text) if is_persian() else str(text)


def moment_text(moment: dt.datetime) -> str:
    """An instant as a Jalali date and Tehran time: ``۱۴۰۵/۰۱/۱۲ ۱۰:۰۰``."""
    return format_jalali_datetime(moment, persian_digits=is_persian())


def day_text(day: dt.date | dt.datetime) -> str:
    return format_jalali_date(day, persian_digits=is_persian())


def in_ui_direction(text: str) -> str:
    """A sentence composed in the UI's language, marked to read in the UI's direction.

    Qt takes a paragraph's direction from its first strong letter, so a sentence
    that starts with a value in the other script (a Persian crew name in an English
    window, a Latin code in a Persian one) would be laid out backwards; a leading
    left-to-right or right-to-left mark fixes the paragraph's direction."""
    rtl = QGuiApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
    return ("\u200f" if rtl else "\u200e") + text if text else ""


def text_direction(text: str) -> str:
    """``rtl`` or ``ltr`` for rich text (:func:`desktop_app.ui.text.text_direction`);
    text without letters follows the window."""
    own = direction_of(text)
    if own is not None:
        return own
    return "rtl" if QGuiApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft else "ltr"


def local_name(names: tuple[str, str] | None, language: str) -> str:
    """A reference name from its ``(name_fa, name_en)`` pair for the UI language."""
    if names is None:
        return ""
    return names[0] if language == "fa" else names[1]
