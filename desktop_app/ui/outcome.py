"""Recording what became of one or more requests: done, not actionable, reopened.

Closing a request is what a citizen hears about, so it is never one stray click:
this dialog asks for what the lifecycle needs (a reason when the work cannot be
done) and what the next reader needs (a note; the original, when it is a duplicate).

Closing one request as done offers to attach the completion photo (kind ``after``),
kept in the same action as the close; when the request's category needs one
(:mod:`~desktop_app.services.completion_photos`) and it has none, the dialog says so
up front, and a refusal from the Desk shows under the photo, where it can be chosen.

A duplicate is linked by the original's tracking code, the number everyone quotes;
the dialog looks it up as soon as it is typed (Persian or Latin digits) and shows
what it found (:func:`~desktop_app.services.form_choices.find_original`), so the
clerk can see they link the right request before closing.  The link itself is
checked again inside the action's transaction by the Desk.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop_app.errors import ServiceError
from desktop_app.services import completion_photos
from desktop_app.services.attachments import Kind
from desktop_app.services.completion_photos import Need
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
from desktop_app.ui.photo_files import prepare
from desktop_app.ui.photos import photo_error_text
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
        # The completion photo (closing one request as done).
        self._photo_path: Path | None = None
        self._need: Need | None = None
        self._choose_photo = QPushButton()
        self._choose_photo.setObjectName("choosePhoto")
        self._choose_photo.setAutoDefault(False)
        self._choose_photo.clicked.connect(self._on_choose_photo)
        self._photo_chosen = QLabel()
        self._photo_chosen.setObjectName("photoChosen")
        self._photo_internal = QCheckBox()
        self._photo_internal.setObjectName("photoInternal")
        self._photo_hint = QLabel()
        self._photo_hint.setObjectName("photoHint")
        self._photo_hint.setWordWrap(True)
        self._photo_hint.setStyleSheet("color:#5f6368;")
        self._photo_error = error_label("photoError")
        photo_line = QWidget()
        photo_buttons = QHBoxLayout(photo_line)
        photo_buttons.setContentsMargins(0, 0, 0, 0)
        photo_buttons.addWidget(self._choose_photo)
        photo_buttons.addWidget(self._photo_chosen, 1)
        photo_buttons.addWidget(self._photo_internal)

        self._reason_label, self._original_label, self._note_label = QLabel(), QLabel(), QLabel()
        form = QFormLayout()
        self._reason_row = self._stack(self._reason, self._reason_error)
        self._original_row = self._stack(self._original, self._original_found,
                                         self._original_error)
        form.addRow(self._reason_label, self._reason_row)
        form.addRow(self._original_label, self._original_row)
        form.addRow(self._note_label, self._note)
        self._photo_label = QLabel()
        self._photo_row = self._stack(photo_line, self._photo_hint, self._photo_error)
        form.addRow(self._photo_label, self._photo_row)
        self._form = form
        form.setRowVisible(self._photo_row,
                           self._target == Status.DONE and len(self._ids) == 1)
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
        sessions, done = ctx.desk.sessions, self._target == Status.DONE
        ctx.tasks.run_db(lambda: (load_outcome_choices(store, ids),
                                  completion_photos.needs(sessions, ids) if done else []),
                         on_done=lambda loaded: self._on_loaded(*loaded),
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
        self._photo_label.setText(self.tr("Completion photo"))
        self._choose_photo.setText(self.tr("Choose photo…"))
        self._photo_internal.setText(self.tr("Internal"))
        self._photo_internal.setToolTip(self.tr("Never shown to the citizen or published"))
        self._photo_chosen.setText(self._photo_path.name if self._photo_path else "")
        self._photo_hint.setText(self._photo_hint_text())
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

    def _on_loaded(self, choices: OutcomeChoices, needs: list[Need]) -> None:
        if not isValid(self):
            return
        self._on_needs(needs)
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

    # ---------------------------------------------------------- completion photo

    def _photo_hint_text(self) -> str:
        need = self._need
        if need is None:
            return ""
        if need.missing:
            return self.tr("This category needs a photo of the finished work to close the "
                           "request as done: choose one here.")
        if need.has_after_photo:
            return self.tr("A photo of the finished work is attached already; you may add "
                           "another.")
        return self.tr("Optional: a photo of the finished work shows the job was done.")

    def _on_needs(self, needs: list[Need]) -> None:
        if not isValid(self):
            return
        self._need = needs[0] if len(needs) == 1 else None
        self._photo_hint.setText(self._photo_hint_text())
        if self._need is not None and self._need.missing:
            self._photo_hint.setStyleSheet("color:#8a5a00; font-weight:bold;")

    def _on_choose_photo(self) -> None:
        dialog = QFileDialog(self, self.tr("Photo of the finished work"))
        dialog.setObjectName("chooseCompletionPhoto")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters([self.tr("Photos (%1)").replace(
            "%1", "*.jpg *.jpeg *.png *.heic *.webp *.bmp *.tif *.tiff")])
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.choose_photo)
        dialog.open()

    def choose_photo(self, name: str) -> None:
        """Attach ``name`` as the completion photo when the request is closed."""
        self._photo_path = Path(name) if name else None
        self._photo_chosen.setText(self._photo_path.name if self._photo_path else "")
        self._photo_error.hide()

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
        for label in (self._error, self._reason_error, self._original_error, self._photo_error):
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
        photo = self._photo_path if target == Status.DONE and len(ids) == 1 else None
        internal = self._photo_internal.isChecked()

        def work() -> Changes:
            original_id = None
            if original:
                found = find_original(store, original)
                if found is None:
                    raise ServiceError("bad_original", f"no request {original}")
                original_id = found.id
            completion = None
            if photo is not None:
                try:
                    completion = prepare(photo).as_new(Kind.AFTER, internal)
                except OSError:
                    raise ServiceError("unreadable", f"cannot read {photo}",
                                       field="completion_photo") from None
            return desk.change_status(ids, target, reason=reason, note=note,
                                      duplicate_of=original_id, completion_photo=completion)

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
        elif code == completion_photos.REQUIRED_CODE:
            # Offer the photo right here: the row shows, the button takes the focus.
            self._form.setRowVisible(self._photo_row, True)
            self._photo_hint.hide()  # the refusal says it all, and what to do
            self._show_field_error(self._photo_error, self.tr(
                "This category needs a photo of the finished work to close the request as "
                "done. Choose the photo here with “Choose photo…”, then press “Mark done” "
                "again."))
            self._choose_photo.setFocus()
        elif self._photo_path is not None and code in (
                "attachment_type", "attachment_too_big", "attachment_duplicate", "unreadable"):
            self._show_field_error(self._photo_error, photo_error_text(error))
        else:
            self._show_error(error_text(error))
