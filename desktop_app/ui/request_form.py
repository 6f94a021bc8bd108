"""One request, whole: its fields, its history, and the actions it allows right now.

The form reads a :class:`~desktop_app.services.request_view.RequestSnapshot` on the
database thread and never holds an ORM object, so nothing it shows can trigger a
query on the GUI thread.  Actions are offered from the lifecycle table itself
(:func:`sync.workflow.allowed_targets` for this request's status and the signed-in
role): a button the clerk sees is a move the office and the centre both accept, and
a move not allowed is not shown at all rather than shown and refused.  Every action
goes through :class:`~desktop_app.services.requests.Desk` by ``ctx.run_op``, which
announces what it changed on ``ctx.bus.sig_changed``; the form redraws from that
signal like every other view, so an action taken elsewhere (the table, a bulk
assign) shows here too.

The history is written by :mod:`desktop_app.ui.request_history`, the photos below
it are :mod:`desktop_app.ui.photos`, and the dialogs an action opens (assign,
outcome, correction) are modules of their own: this one lays them out and decides
which actions to offer.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QLocale, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop_app.services.centre import is_centre_office
from desktop_app.services.attachments import Kind
from desktop_app.services.request_view import RequestSnapshot, load_request
from desktop_app.services.requests import Changes, may_edit
from desktop_app.ui.assign import AssignDialog
from desktop_app.ui.context import AppContext
from desktop_app.ui.edit_request import Current, EditRequestDialog
from desktop_app.ui.messages import (
    digits,
    error_text,
    in_ui_direction,
    local_name,
    moment_text,
    status_name,
)
from desktop_app.ui.outcome import OutcomeDialog
from desktop_app.ui.photos import PhotoStrip
from desktop_app.ui.request_history import history_html
from desktop_app.ui.widgets.buttons import action_button
from desktop_app.ui.widgets.retranslate import Retranslating
from sync.dates import utcnow
from sync.workflow import ASSIGN_ROLES, MOVE_DISTRICT_ROLES, OPEN_STATUSES, Status, allowed_targets

# What a photo added now most likely shows: the citizen's before a crew has it, the
# street before the work while it is being done, the finished work once it is done.
_LIKELY_KIND = {Status.RECEIVED: Kind.CITIZEN, Status.REFERRED: Kind.CITIZEN,
                Status.DONE: Kind.AFTER}

# Calm colours for the status chip: blue while the work is open, green when done,
# grey when it could not be done.
_CHIP = {
    "open": "background:#dde8f6; color:#17395f;",
    Status.DONE: "background:#dcefdc; color:#1d4d1f;",
    Status.NOT_ACTIONABLE: "background:#e6e6e6; color:#3b3b3b;",
}


class RequestForm(Retranslating, QDialog):
    """A request's fields, history and actions.

    Signals:
        sig_loaded(): the form shows the request as it now is in the database.
    """

    sig_loaded = Signal()

    def __init__(self, ctx: AppContext, request_id: uuid.UUID, parent: QWidget | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self._request_id = request_id
        self._snapshot: RequestSnapshot | None = None
        self._busy = False
        self.setObjectName("requestForm")
        self.resize(1000, 820)

        self._code = QLabel()
        self._code.setObjectName("trackingCode")
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self._code.setFont(font)
        self._code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._status = QLabel()
        self._status.setObjectName("statusChip")
        self._waiting = QLabel()
        self._waiting.setObjectName("waiting")
        self._waiting.setStyleSheet("color:#8a5a00;")
        header = QHBoxLayout()
        header.addWidget(self._code)
        header.addWidget(self._status)
        header.addStretch(1)
        header.addWidget(self._waiting)

        self._error = QLabel()
        self._error.setObjectName("error")
        self._error.setWordWrap(True)
        self._error.setStyleSheet("background:#fbe9e7; color:#8c1d18; padding:6px;")
        self._error.hide()

        # Fields, in the order a clerk reads a request: what, where, who, then outcome.
        self._fields = QFormLayout()
        self._fields.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._values: dict[str, QLabel] = {}
        self._labels: dict[str, QLabel] = {}
        for key in ("received", "due", "category", "place", "address", "description", "citizen",
                    "phone", "location", "crew", "closed", "reason", "original", "outcome_note"):
            value = QLabel()
            value.setObjectName(f"field_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label = QLabel()
            self._values[key], self._labels[key] = value, label
            self._fields.addRow(label, value)
        self._details = QGroupBox()
        self._details.setLayout(self._fields)

        self._history = QTextBrowser()
        self._history.setObjectName("history")
        self._history.setOpenLinks(False)
        self._note = QPlainTextEdit()
        self._note.setObjectName("note")
        self._note.setFixedHeight(self.fontMetrics().lineSpacing() * 4)
        self._add_note = QPushButton()
        self._add_note.setObjectName("addNote")
        self._add_note.setEnabled(False)
        self._note.textChanged.connect(self._on_note_edited)
        self._add_note.clicked.connect(self._on_add_note)
        note_row = QHBoxLayout()
        note_row.addWidget(self._note, 1)
        note_row.addWidget(self._add_note, 0, Qt.AlignmentFlag.AlignBottom)
        history_box = QVBoxLayout()
        history_box.addWidget(self._history, 1)
        history_box.addLayout(note_row)
        self._history_group = QGroupBox()
        self._history_group.setLayout(history_box)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self._details)
        split.addWidget(self._history_group)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setChildrenCollapsible(False)
        split.setSizes([420, 580])

        self._photos = PhotoStrip(ctx, request_id)
        self._photos_group = QGroupBox()
        photos_box = QVBoxLayout(self._photos_group)
        photos_box.addWidget(self._photos)

        self._edit = action_button("edit", self._on_edit)
        self._assign = action_button("assign", self._on_assign)
        self._start = action_button("start", self._on_start)
        self._done = action_button("done", lambda: self._on_move(Status.DONE))
        self._not_actionable = action_button(
            "notActionable", lambda: self._on_move(Status.NOT_ACTIONABLE))
        self._back = action_button("referBack", lambda: self._on_move(Status.REFERRED))
        self._print = action_button("printWorkOrder", self._on_print)
        # The centre's move, offered only to a centre user at the centre's office.
        self._move = action_button("moveDistrict", self._on_move_district)
        self._centre_desk = False
        self._close = action_button("close", self.reject)
        actions = QHBoxLayout()
        for button in (self._edit, self._assign, self._start, self._done, self._not_actionable,
                       self._back, self._print, self._move):
            button.hide()
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self._close)

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self._error)
        layout.addWidget(split, 1)
        layout.addWidget(self._photos_group)
        layout.addLayout(actions)

        self._retranslate()
        ctx.bus.sig_changed.connect(self._on_changed)
        ctx.bus.sig_sync_state.connect(self.reload)
        self.reload()
        if ctx.actor.role in MOVE_DISTRICT_ROLES:
            store = ctx.store
            ctx.tasks.run_db(lambda: is_centre_office(store), on_done=self._on_centre_office)

    # ------------------------------------------------------------------ language

    def _retranslate(self) -> None:
        due_caption = QCoreApplication.translate("CentreRequestForm", "Deadline")
        captions = {
            "received": self.tr("Received"), "due": due_caption, "category": self.tr("Category"),
            "place": self.tr("Neighbourhood"), "address": self.tr("Address"),
            "description": self.tr("Description"), "citizen": self.tr("Citizen"),
            "phone": self.tr("Phone"), "location": self.tr("Location"), "crew": self.tr("Crew"),
            "closed": self.tr("Closed"), "reason": self.tr("Reason"),
            "original": self.tr("Duplicate of"), "outcome_note": self.tr("Outcome note"),
        }
        for key, text in captions.items():
            self._labels[key].setText(text)
        self._details.setTitle(self.tr("Request"))
        self._history_group.setTitle(self.tr("History"))
        self._photos_group.setTitle(self.tr("Photos"))
        self._edit.setText(self.tr("Correct…"))
        self._note.setPlaceholderText(self.tr("Write a note for the request's history…"))
        self._add_note.setText(self.tr("Add note"))
        self._start.setText(self.tr("Start work"))
        self._done.setText(self.tr("Done…"))
        self._not_actionable.setText(self.tr("Not actionable…"))
        self._print.setText(self.tr("Print work order"))
        self._move.setText(QCoreApplication.translate("CentreRequestForm",
                                                      "Move to another district…"))
        self._close.setText(self.tr("Close"))
        self._show()

    # ------------------------------------------------------------------- loading

    def reload(self) -> None:
        # The job holds the store and the id, never the form: if it held the last
        # reference to the form, the form would be destroyed on the database thread.
        store, request_id = self._ctx.store, self._request_id
        self._ctx.tasks.run_db(lambda: load_request(store, request_id),
                               on_done=self._on_loaded, on_error=self._on_error)

    def _on_changed(self, changes: Changes) -> None:
        if self._request_id in changes.request_ids or changes.crews:
            self.reload()

    def _on_loaded(self, snapshot: RequestSnapshot) -> None:
        if not isValid(self):
            return
        if self._snapshot is None:  # first shown: the likely kind of a new photo
            self._photos.set_new_kind(_LIKELY_KIND.get(snapshot.status, Kind.BEFORE))
        self._snapshot = snapshot
        self._show()
        self.sig_loaded.emit()

    @property
    def snapshot(self) -> RequestSnapshot | None:
        return self._snapshot

    # ------------------------------------------------------------------ showing

    def _show(self) -> None:
        snap = self._snapshot
        if snap is None:
            self.setWindowTitle(self.tr("Request"))
            return
        language = self._ctx.language
        self.setWindowTitle(self.tr("Request %1").replace("%1", digits(snap.tracking_code)))
        self._code.setText(digits(snap.tracking_code))
        self._status.setText(status_name(snap.status))
        chip = _CHIP.get(snap.status, _CHIP["open"])
        self._status.setStyleSheet(f"{chip} padding:3px 10px; border-radius:9px;")
        self._waiting.setText(
            self.tr("Changes waiting to be sent to the centre: %1").replace(
                "%1", digits(snap.waiting)) if snap.waiting else "")

        channel = local_name(snap.channel, language)
        self._set("received", self.tr("%1, by %2").replace(
            "%1", moment_text(snap.received_at)).replace("%2", channel))
        self._set_due(snap)
        self._set("category", local_name(snap.category, language))
        self._set("place", self.tr("%1 (%2)").replace(
            "%1", local_name(snap.neighbourhood, language)).replace(
            "%2", local_name(snap.district, language)))
        self._set("address", snap.address)
        self._set("description", snap.description)
        self._set("citizen", snap.citizen_name)
        self._set("phone", digits(snap.citizen_phone))
        locale = QLocale()
        location = (self.tr("%1, %2").replace("%1", locale.toString(snap.latitude, "f", 5))
                    .replace("%2", locale.toString(snap.longitude, "f", 5))
                    if snap.latitude is not None and snap.longitude is not None else "")
        self._set("location", location)
        crew = snap.crew
        if crew and snap.crew_supervisor:
            crew = self.tr("%1 (supervisor: %2)").replace("%1", crew).replace(
                "%2", snap.crew_supervisor)
        if crew and snap.assigned_at:
            crew = self.tr("%1, since %2").replace("%1", crew).replace(
                "%2", moment_text(snap.assigned_at))
        self._set("crew", crew, always=True, empty=self.tr("not assigned"))
        self._set("closed", moment_text(snap.closed_at) if snap.closed_at else "")
        self._set("reason", local_name(snap.outcome_reason, language))
        self._set("original", digits(snap.original_code))
        self._set("outcome_note", snap.outcome_note)
        self._history.setHtml(history_html(
            snap, rtl=self.layoutDirection() == Qt.LayoutDirection.RightToLeft,
            language=language))
        bar = self._history.verticalScrollBar()
        bar.setValue(bar.maximum())
        self._offer_actions(snap)

    def _set(self, key: str, text: str, *, always: bool = False, empty: str = "") -> None:
        """Fill a field; a field with nothing in it is hidden rather than shown blank.

        What the citizen or a clerk wrote keeps its own direction; what the form
        composes reads in the window's direction."""
        free_text = key in ("address", "description", "citizen", "outcome_note")
        text_shown = text if free_text else in_ui_direction(text or empty)
        self._values[key].setText(text_shown or empty)
        self._fields.setRowVisible(self._values[key], bool(text) or always)

    def _offer_actions(self, snap: RequestSnapshot) -> None:
        """Show exactly the moves this role may make from this status."""
        role = self._ctx.actor.role
        targets = allowed_targets(snap.status, role)
        is_open = snap.status in OPEN_STATUSES
        can_assign = role in ASSIGN_ROLES and snap.status in (
            Status.REFERRED, Status.ASSIGNED, Status.IN_PROGRESS)
        self._assign.setVisible(can_assign)
        self._assign.setText(self.tr("Assign to a crew…") if snap.status is Status.REFERRED
                             else self.tr("Change crew…"))
        self._start.setVisible(Status.IN_PROGRESS in targets)
        self._done.setVisible(Status.DONE in targets)
        self._not_actionable.setVisible(Status.NOT_ACTIONABLE in targets)
        self._back.setVisible(Status.REFERRED in targets)
        self._back.setText(self.tr("Take back from the crew…") if is_open else self.tr("Reopen…"))
        self._print.setVisible(snap.status in (Status.ASSIGNED, Status.IN_PROGRESS)
                               and not self._centre_desk)
        self._move.setVisible(self._centre_desk and snap.status in (
            Status.REFERRED, Status.ASSIGNED, Status.IN_PROGRESS))
        self._edit.setVisible(may_edit(role, snap.status))
        for button in (self._edit, self._assign, self._start, self._done, self._not_actionable,
                       self._back, self._print, self._move):
            button.setEnabled(not self._busy)
        self._add_note.setEnabled(not self._busy and bool(self._note.toPlainText().strip()))

    # ------------------------------------------------------------------ actions

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        if self._snapshot is not None:
            self._offer_actions(self._snapshot)

    def _run(self, work: Callable[[], Changes]) -> None:
        """Run one Desk action off the GUI thread; it announces what it changed."""
        self._error.hide()
        self._set_busy(True)
        self._ctx.run_op(work, on_done=self._on_action_done, on_error=self._on_error)

    def _on_action_done(self, _changes: Changes) -> None:
        if isValid(self):
            self._set_busy(False)

    def _on_error(self, error: BaseException) -> None:
        if not isValid(self):
            return
        self._set_busy(False)
        self._error.setText(error_text(error))
        self._error.show()
        if getattr(error, "code", None) == "unknown_request":
            # Gone from this office (moved to another district): no photo can join it.
            self._photos_group.setEnabled(False)

    def _on_note_edited(self) -> None:
        self._add_note.setEnabled(not self._busy and bool(self._note.toPlainText().strip()))

    def _on_add_note(self) -> None:
        text = self._note.toPlainText()
        desk, request_id = self._ctx.desk, self._request_id
        self._run(lambda: desk.add_note(request_id, text))
        self._note.clear()

    def _on_start(self) -> None:
        desk, request_id = self._ctx.desk, self._request_id
        self._run(lambda: desk.change_status([request_id], Status.IN_PROGRESS))

    def _on_move(self, target: Status) -> None:
        """Closing, reopening and taking back ask for a reason or a note first."""
        dialog = OutcomeDialog(self._ctx, [self._request_id], target, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _on_edit(self) -> None:
        snap = self._snapshot
        if snap is None:
            return
        current = Current(
            request_id=snap.id, tracking_code=snap.tracking_code, district_code=snap.district_code,
            citizen_phone=snap.citizen_phone, citizen_name=snap.citizen_name,
            neighbourhood_code=snap.neighbourhood_code, address=snap.address,
            category_code=snap.category_code, description=snap.description,
            latitude=snap.latitude, longitude=snap.longitude)
        dialog = EditRequestDialog(self._ctx, current, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _on_assign(self) -> None:
        dialog = AssignDialog(self._ctx, [self._request_id], self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _set_due(self, snap: RequestSnapshot) -> None:
        """The deadline the centre set, marked when open work is past it (words and
        colour: colour is never alone)."""
        label = self._values["due"]
        if snap.due_at is None:
            self._set("due", "")
            return
        text = moment_text(snap.due_at)
        late = snap.status in OPEN_STATUSES and snap.due_at < utcnow()
        if late:
            days = (utcnow() - snap.due_at).days + 1
            text = "⚠ " + QCoreApplication.translate("CentreRequestForm", "%1 — %2 days late") \
                .replace("%1", text).replace("%2", digits(days))
        self._set("due", text)
        label.setStyleSheet("color:#b3261e; font-weight:bold;" if late else "")

    def _on_centre_office(self, centre: bool) -> None:
        if isValid(self):
            self._centre_desk = bool(centre)
            if self._snapshot is not None:
                self._offer_actions(self._snapshot)

    def _on_move_district(self) -> None:
        snap = self._snapshot
        if snap is None or not self._centre_desk:
            return
        from desktop_app.ui.move_district import MoveDistrictDialog

        dialog = MoveDistrictDialog(self._ctx, snap.id, snap.tracking_code, snap.district_code, self,
                                    current_neighbourhood=snap.neighbourhood_code)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _on_print(self) -> None:
        from desktop_app.ui.print_actions import print_work_orders

        print_work_orders(self._ctx, [self._request_id], self)
