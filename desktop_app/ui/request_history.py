"""A request's history as the request form shows it: a table of when, who and what,
one row per event or photo entry, in the window's language and direction.

It is its own module because it is its own job: turning a
:class:`~desktop_app.services.request_view.HistoryEntry` into sentences (a status
change with its reason, a crew change, a correction naming the fields, a photo kept
at this office) and laying them out as rich text.  Qt's rich text does not mirror
table columns, so a right-to-left window gets its columns reversed here by hand, and
each line of a note keeps its own direction.  The sentences keep the translation
context ``RequestForm``: they are the form's words, wherever the code that writes
them lives.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication

from desktop_app.services.attachments import AUDIT_ADDED, AUDIT_CHANGED, AUDIT_REMOVED
from desktop_app.services.request_view import HistoryEntry, RequestSnapshot
from desktop_app.ui.messages import (
    digits,
    field_names,
    local_name,
    moment_text,
    role_name,
    status_name,
    text_direction,
)
from desktop_app.ui.photos import kind_name, kind_words
from sync.workflow import EventKind


def history_html(snap: RequestSnapshot, *, rtl: bool, language: str) -> str:
    """The history as a table: when, who, what — mirrored by hand for a
    right-to-left window, because Qt's rich text does not mirror table columns."""
    direction, align = ("rtl", "right") if rtl else ("ltr", "left")
    waiting = html.escape(QCoreApplication.translate("RequestForm", "waiting to be sent"))
    office_only = html.escape(QCoreApplication.translate("RequestForm", "kept at this office"))
    header = [QCoreApplication.translate("RequestForm", "When"),
              QCoreApplication.translate("RequestForm", "Who"),
              QCoreApplication.translate("RequestForm", "What")]

    def row(cells: list[str], tag: str = "td") -> str:
        ordered = reversed(cells) if rtl else cells
        return "<tr>" + "".join(f"<{tag} align='{align}'>{cell}</{tag}>"
                                for cell in ordered) + "</tr>"

    rows = [row([html.escape(text) for text in header], "th")]
    for entry in snap.history:
        when = (f"<p dir='{direction}' style='margin:0'>"
                f"{html.escape(moment_text(entry.moment)) if entry.moment else '—'}</p>")
        if entry.pending:
            when += f"<p dir='{direction}' style='margin:0; color:#8a5a00'>{waiting}</p>"
        if entry.office_only:
            when += f"<p dir='{direction}' style='margin:0; color:#5f6368'>{office_only}</p>"
        who = (f"<p style='margin:0'>{html.escape(entry.actor)}</p>"
               f"<p style='margin:0; color:#5f6368'>"
               f"{html.escape(role_name(entry.actor_role))}</p>")
        rows.append(row([when, who, event_html(entry, rtl=rtl, language=language)]))
    return (f"<table width='100%' cellspacing='0' cellpadding='5'>{''.join(rows)}</table>")


def event_lines(entry: HistoryEntry, language: str) -> list[str]:
    """What happened, in sentences of the user's language (the note comes apart)."""
    lines: list[str] = []
    kind = entry.kind
    if kind == EventKind.CREATED:
        lines.append(QCoreApplication.translate("RequestForm", "Registered as “%1”").replace(
            "%1", status_name(entry.to_status)) if entry.to_status
            else QCoreApplication.translate("RequestForm", "Registered"))
        if entry.channel:
            lines.append(QCoreApplication.translate("RequestForm", "Came by: %1").replace(
                "%1", local_name(entry.channel, language)))
    elif kind == EventKind.STATUS and entry.from_status and entry.to_status:
        lines.append(QCoreApplication.translate("RequestForm", "Status changed from “%1” to “%2”")
                     .replace("%1", status_name(entry.from_status))
                     .replace("%2", status_name(entry.to_status)))
        if entry.reason:
            lines.append(QCoreApplication.translate("RequestForm", "Reason: %1").replace(
                "%1", local_name(entry.reason, language)))
        if entry.original_code:
            lines.append(QCoreApplication.translate("RequestForm", "Duplicate of request %1")
                         .replace("%1", digits(entry.original_code)))
        if entry.to_status == "referred" and entry.to_district and entry.from_status == "received":
            lines.append(QCoreApplication.translate("CentreHistory", "Referred to %1")
                         .replace("%1", local_name(entry.to_district, language)))
        if entry.due_at is not None:
            lines.append(QCoreApplication.translate("CentreHistory", "Deadline: %1")
                         .replace("%1", moment_text(entry.due_at)))
    elif kind == EventKind.ASSIGNED:
        if entry.previous_crew and entry.from_status == entry.to_status:
            lines.append(QCoreApplication.translate("RequestForm", "Crew changed from “%1” to “%2”")
                         .replace("%1", entry.previous_crew)
                         .replace("%2", entry.crew))
        else:
            lines.append(QCoreApplication.translate("RequestForm", "Assigned to crew “%1”")
                         .replace("%1", entry.crew))
    elif kind == EventKind.NOTE:
        if entry.edited:
            lines.append(QCoreApplication.translate("RequestForm", "Corrected: %1")
                         .replace("%1", field_names(entry.edited)))
        elif entry.purpose == "ask_citizen":
            lines.append(QCoreApplication.translate("CentreHistory",
                                                    "The centre asked the citizen for more"))
        else:
            lines.append(QCoreApplication.translate("RequestForm", "Note"))
    elif kind == EventKind.WORK_ORDER_ISSUED:
        lines.append(QCoreApplication.translate("RequestForm", "Work order printed"))
    elif kind == EventKind.MOVED:
        lines.append(QCoreApplication.translate("RequestForm",
                                                "Moved to another district by the centre"))
        if entry.from_district and entry.to_district:
            lines.append(QCoreApplication.translate("CentreHistory", "From %1 to %2")
                         .replace("%1", local_name(entry.from_district, language))
                         .replace("%2", local_name(entry.to_district, language)))
    elif kind == EventKind.REPEAT_CALL:
        lines.append(QCoreApplication.translate("CentreHistory", "The citizen called again")
                     + (" (" + digits(entry.phone) + ")" if entry.phone else ""))
    elif kind == EventKind.SMS_SENT:
        lines.append(QCoreApplication.translate("RequestForm", "SMS sent to the citizen"))
    elif kind == EventKind.SMS_RECEIVED:
        lines.append(QCoreApplication.translate("RequestForm", "SMS from the citizen"))
    elif kind == EventKind.SATISFACTION:
        lines.append(QCoreApplication.translate("RequestForm", "The citizen's satisfaction: %1 of 5")
                     .replace("%1", digits(str(entry.score)) if entry.score else "—"))
    elif kind == EventKind.CONFLICT_SETTLED:
        lines.append(QCoreApplication.translate("RequestForm", "A sync problem was settled"))
    elif kind == AUDIT_ADDED and entry.photo_kind:
        lines.append(QCoreApplication.translate("RequestForm", "Attached “%1” (%2)")
                     .replace("%1", entry.filename)
                     .replace("%2", kind_words(entry.photo_kind, bool(entry.photo_internal))))
    elif kind == AUDIT_ADDED:
        lines.append(QCoreApplication.translate("RequestForm", "Attached “%1”")
                     .replace("%1", entry.filename))
    elif kind == AUDIT_CHANGED:
        now = kind_name(entry.photo_kind) if entry.photo_kind else ""
        if entry.photo_internal is not None:
            mark = (QCoreApplication.translate("RequestForm", "internal") if entry.photo_internal
                    else QCoreApplication.translate("RequestForm", "not internal"))
            now = f"{now} · {mark}" if now else mark
        lines.append(QCoreApplication.translate("RequestForm", "“%1” is now: %2")
                     .replace("%1", entry.filename).replace("%2", now))
    elif kind == AUDIT_REMOVED:
        lines.append(QCoreApplication.translate("RequestForm", "Removed the attachment “%1”")
                     .replace("%1", entry.filename))
    else:
        lines.append(kind)
    return lines


def event_html(entry: HistoryEntry, *, rtl: bool, language: str) -> str:
    """One entry's sentences, then its note.  One block per line, so that a Persian
    note in an English window (or the other way round) takes its own direction."""
    direction = "rtl" if rtl else "ltr"
    out = "".join(f"<p dir='{direction}' style='margin:0'>{html.escape(line)}</p>"
                  for line in event_lines(entry, language))
    for paragraph in entry.note.split("\n"):
        out += (f"<p dir='{text_direction(paragraph)}' style='margin:0; color:#3c4043'>"
                f"{html.escape(paragraph)}</p>")
    return out
