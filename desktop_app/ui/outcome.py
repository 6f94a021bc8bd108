"""Recording what became of one or more requests: done, not actionable, reopened.

Closing a request is what a citizen hears about, so it is never one stray click:
this dialog asks for what the lifecycle needs (a reason when the work cannot be
done) and what the next reader needs (a note; the original, when it is a duplicate).

A duplicate is linked by the original's tracking code, the number everyone quotes;
the dialog looks it up as soon as it is typed (Persian or Latin digits) and shows
what it found (:func:`~desktop_app.services.form_choices.find_original`), so the
clerk can see they link the right request before closing.  The link itself is
checked again inside the action's transaction by the Desk.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop_app.errors import ServiceError
from desktop_app.services.form_choices import (
    DUPLICATE,
    Original,
    OutcomeChoices,
    find_original,
    load_outcome_choices,
    normalise_code,
)
from desktop_app.services.requests import Changes
from desktop_app.ui.context import AppContext
from desktop_app.ui.messages import digits, error_text, in_ui_direction, local_name, status_name
from desktop_app.ui.widgets.retranslate import Retranslating
from desktop_app.ui.widgets.tables import error_label
from sync.workflow import CLOSED_STATUSES, Status



class OutcomeDialog(Retranslating, QDialog):
    """Move requests to ``target`` with the reason, original and note it needs.

    Signals:
        sig_loaded(): the reasons and the requests' codes are shown.
    """

    sig_loaded = Signal()

    def __init__(self, ctx: AppContext, request_ids: Sequence[uuid.UUID], target: Status,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self._ids = list(request_ids)
        self._target = Status(target)
        self._choices: OutcomeChoices | None = None
        self.setObjectName("outcomeDialog")
        # Room for the notes that appear under the fields: a word-wrapped label
        # does not grow its window, and the buttons would cover the note box.
        self.resize(540, 400)

        self._intro = QLabel()
        self._intro.setObjectName("intro")
        self._intro.setWordWrap(True)
        self._reason = QComboBox()
        self._reason.setObjectName("reason")
        self._reason.currentIndexChanged.connect(self._on_reason)
        self._reason_error = error_label("reasonError")
        self._original = QLineEdit()
        self._original.setObjectName("original")
        self._original.editingFinished.connect(self._look_up_original)
        self._original_found = QLabel()
        self._original_found.setObjectName("originalFound")
        self._original_found.setWordWrap(True)
        self._original_error = error_label("originalError")
        self._note = QPlainTextEdit()
        self._note.setObjectName("note")
        self._note.setFixedHeight(self.fontMetrics().lineSpacing() * 5)
        self._error = error_label("error")
        # The clerk's text goes to the citizen word for word (the closing SMS): said
        # before saving, where it is written.
        self._sms_notice = QLabel()
        self._sms_notice.setObjectName("smsNotice")
        self._sms_notice.setWordWrap(True)
        self._sms_notice.setStyleSheet("color: #0b57d0;")
        self._sms_notice.setVisible(self._target in CLOSED_STATUSES)

        self._reason_label, self._original_label, self._note_label = QLabel(), QLabel(), QLabel()
        form = QFormLayout()
        self._reason_row = self._stack(self._reason, self._reason_error)
        self._original_row = self._stack(self._original, self._original_found,
                                         self._original_error)
        form.addRow(self._reason_label, self._reason_row)
        form.addRow(self._original_label, self._original_row)
        form.addRow(self._note_label, self._note)
        self._form = form
        form.setRowVisible(self._reason_row, self._target == Status.NOT_ACTIONABLE)
        form.setRowVisible(self._original_row, False)

        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self._ok = self._buttons.button(QDialogButtonBox.StandardButton.Ok)
        self._ok.setObjectName("ok")
        self._ok.setEnabled(False)
        self._buttons.accepted.connect(self._on_ok)
        self._buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self._intro)
        layout.addLayout(form)
        layout.addWidget(self._sms_notice)
        layout.addWidget(self._error)
        layout.addStretch(1)
        layout.addWidget(self._buttons)

        self._retranslate()
        store, ids = ctx.store, self._ids  # the job never holds the dialog (RequestForm.reload)
        ctx.tasks.run_db(lambda: load_outcome_choices(store, ids), on_done=self._on_loaded,
                         on_error=self._on_failed)

    @staticmethod
    def _stack(*widgets: QWidget) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            layout.addWidget(widget)
        return box

    # ------------------------------------------------------------------ language

    def _reopening(self) -> bool:
        statuses = self._choices.statuses if self._choices else ()
        return bool(statuses) and all(s in CLOSED_STATUSES for s in statuses)

    def _retranslate(self) -> None:
        target = self._target
        if target == Status.DONE:
            title, ok, note = (self.tr("Mark as done"), self.tr("Mark done"),
                               self.tr("What was done (optional)"))
        elif target == Status.NOT_ACTIONABLE:
            title, ok, note = (self.tr("Cannot be done"), self.tr("Close as not actionable"),
                               self.tr("Explanation for the citizen (optional)"))
        elif target == Status.REFERRED and self._reopening():
            title, ok, note = (self.tr("Reopen"), self.tr("Reopen"),
                               self.tr("Why it is reopened (optional)"))
        elif target == Status.REFERRED:
            title, ok, note = (self.tr("Take back from the crew"), self.tr("Take back"),
                               self.tr("Why (optional)"))
        else:
            title, ok, note = (self.tr("Start work"), self.tr("Start"), self.tr("Note (optional)"))
        self.setWindowTitle(title)
        self._ok.setText(ok)
        self._note_label.setText(note)
        self._sms_notice.setText(self.tr(
            "The citizen reads this: when the request has their mobile number, the outcome, "
            "the reason and this text go to them by SMS, word for word. Write it for them, "
            "in plain words."))
        self._reason_label.setText(self.tr("Reason"))
        self._original_label.setText(self.tr("Original request"))
        self._reason.setPlaceholderText(self.tr("Choose why it cannot be done"))
        self._original.setPlaceholderText(self.tr("Tracking code of the original request"))
        self._buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        if self._choices is not None:
            codes = self._choices.tracking_codes
            self._intro.setText(
                self.tr("Request %1 (now “%2”)").replace("%1", digits(codes[0]))
                .replace("%2", status_name(self._choices.statuses[0])) if len(codes) == 1
                else self.tr("%1 requests selected").replace("%1", digits(len(codes))))
            for index, (_, names) in enumerate(self._choices.reasons):
                self._reason.setItemText(index, local_name(names, self._ctx.language))

    # ------------------------------------------------------------------- loading

    def _on_loaded(self, choices: OutcomeChoices) -> None:
        if not isValid(self):
            return
        self._choices = choices
        self._reason.blockSignals(True)
        for code, names in choices.reasons:
            self._reason.addItem(local_name(names, self._ctx.language), code)
        self._reason.setCurrentIndex(-1)
        self._reason.blockSignals(False)
        self._retranslate()
        self._ok.setEnabled(bool(choices.tracking_codes))
        self.sig_loaded.emit()

    def _on_failed(self, error: BaseException) -> None:
        if isValid(self):
            self._show_error(error_text(error))

    # ---------------------------------------------------------------- duplicates

    def _on_reason(self) -> None:
        self._reason_error.hide()
        is_duplicate = self._reason.currentData() == DUPLICATE
        self._form.setRowVisible(self._original_row, is_duplicate)
        if is_duplicate:
            self._original.setFocus()

    def _look_up_original(self) -> None:
        code = self._original.text()
        if not normalise_code(code):
            self._original_found.clear()
            return
        store = self._ctx.store
        self._ctx.tasks.run_db(lambda: find_original(store, code),
                               on_done=lambda found: self._on_original(code, found),
                               on_error=self._on_failed)

    def _on_original(self, code: str, found: Original | None) -> None:
        if not isValid(self) or code != self._original.text():
            return  # the clerk typed on; a newer look-up will answer
        self._original_error.hide()
        if found is None:
            self._original_found.clear()
            self._show_field_error(self._original_error,
                                   self.tr("No request has this tracking code."))
            return
        language = self._ctx.language
        self._original_found.setText(in_ui_direction(
            self.tr("%1: %2 in %3, now “%4”").replace("%1", digits(found.tracking_code))
            .replace("%2", local_name(found.category, language))
            .replace("%3", local_name(found.neighbourhood, language))
            .replace("%4", status_name(found.status))))

    # ------------------------------------------------------------------- saving

    def _show_error(self, text: str) -> None:
        self._error.setText(text)
        self._error.show()

    @staticmethod
    def _show_field_error(label: QLabel, text: str) -> None:
        label.setText(text)
        label.show()

    def _on_ok(self) -> None:
        for label in (self._error, self._reason_error, self._original_error):
            label.hide()
        reason: str | None = None
        original = ""
        if self._target == Status.NOT_ACTIONABLE:
            reason = self._reason.currentData()
            if not reason:
                self._show_field_error(self._reason_error,
                                       self.tr("Choose why the request cannot be done."))
                self._reason.setFocus()
                return
            if reason == DUPLICATE:
                original = normalise_code(self._original.text())
                if not original:
                    self._show_field_error(
                        self._original_error,
                        self.tr("A duplicate must name its original: enter its tracking code."))
                    self._original.setFocus()
                    return
        store, desk, ids, target = self._ctx.store, self._ctx.desk, self._ids, self._target
        note = self._note.toPlainText()

        def work() -> Changes:
            original_id = None
            if original:
                found = find_original(store, original)
                if found is None:
                    raise ServiceError("bad_original", f"no request {original}")
                original_id = found.id
            return desk.change_status(ids, target, reason=reason, note=note,
                                      duplicate_of=original_id)

        self._ok.setEnabled(False)
        self._ctx.run_op(work, on_done=self._on_saved, on_error=self._on_save_failed)

    def _on_saved(self, _changes: Changes) -> None:
        if isValid(self):
            self.accept()

    def _on_save_failed(self, error: BaseException) -> None:
        if not isValid(self):
            return
        self._ok.setEnabled(True)
        code = getattr(error, "code", None)
        if code == "bad_original":
            self._show_field_error(self._original_error, error_text(error))
        elif code in ("reason_required", "unknown_reason"):
            self._show_field_error(self._reason_error, error_text(error))
        else:
            self._show_error(error_text(error))
