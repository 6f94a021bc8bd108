"""The inbox of changes the centre did not take, each settled by a person.

Business rejections are answers, not errors (DESIGN.md, sync): the centre refused a
move (another office closed the request first) or kept its own value of a field
edited here from an old copy.  Such a change is never dropped silently; it waits here
until someone decides to apply it again (on the centre's current copy) or to discard
it.  The dialog says, in the clerk's words, which request, what change, why it was
refused and, for a conflict, both values side by side — enough to decide without
opening anything else.

The problems and their settling belong to :mod:`desktop_app.services.sync_problems`.
How each operation's change is put in words is one table, :data:`CHANGE_TEXTS`,
keyed by :class:`~sync.protocol.Op` (a test holds it to ``set(Op)``).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop_app.services.office import Store
from desktop_app.services.sync_problems import (
    ProblemRow,
    discard_problem,
    problem_rows,
    reapply_problem,
)
from desktop_app.ui.context import AppContext
from desktop_app.ui.messages import (
    digits,
    error_text,
    field_names,
    moment_text,
    refusal_text,
    role_name,
    status_name,
    text_direction,
)
from desktop_app.ui.widgets.retranslate import Retranslating
from desktop_app.ui.widgets.tables import record_list
from sync.protocol import Op

__all__ = ["CHANGE_TEXTS", "ProblemRow", "SyncProblemsDialog", "change_text", "load_problems"]


def _status_change(problem: ProblemRow) -> str:
    target = problem.payload.get("to_status")
    return (QCoreApplication.translate("SyncProblemsDialog", "Status to “%1”")
            .replace("%1", status_name(target)) if target else problem.op)


def _assignment(problem: ProblemRow) -> str:
    crew = problem.crews.get(str(problem.payload.get("crew_id")), "")
    return QCoreApplication.translate("SyncProblemsDialog", "Assign to crew “%1”").replace("%1", crew)


def _note(problem: ProblemRow) -> str:
    return QCoreApplication.translate("SyncProblemsDialog", "Note: %1").replace(
        "%1", str(problem.payload.get("note", "")))


def _work_order(problem: ProblemRow) -> str:
    return QCoreApplication.translate("SyncProblemsDialog", "Work order printed")


def _correction(problem: ProblemRow) -> str:
    return QCoreApplication.translate("SyncProblemsDialog", "Correction of: %1").replace(
        "%1", field_names(sorted(problem.payload.get("changes", {}))))


def _walk_in(problem: ProblemRow) -> str:
    if problem.payload.get("request", {}).get("channel", "walk_in") != "walk_in":
        return QCoreApplication.translate("SyncProblemsDialog", "New request taken by the centre")
    return QCoreApplication.translate("SyncProblemsDialog", "New walk-in request")


def _referral(problem: ProblemRow) -> str:
    return QCoreApplication.translate("SyncProblemsDialog", "Referral to district %1").replace(
        "%1", digits(str(problem.payload.get("district_code", ""))))


def _district_move(problem: ProblemRow) -> str:
    return QCoreApplication.translate("SyncProblemsDialog", "Move to district %1: %2").replace(
        "%1", digits(str(problem.payload.get("district_code", "")))).replace(
        "%2", str(problem.payload.get("reason", "")))


def _repeat_call(problem: ProblemRow) -> str:
    return QCoreApplication.translate("SyncProblemsDialog", "Repeat call from %1").replace(
        "%1", digits(str(problem.payload.get("phone") or "")))


def _crew_details(problem: ProblemRow) -> str:
    return QCoreApplication.translate("SyncProblemsDialog", "Crew details: %1").replace(
        "%1", str(problem.payload.get("crew", {}).get("name", "")))


def _user_details(problem: ProblemRow) -> str:
    return QCoreApplication.translate("SyncProblemsDialog", "User “%1” (%2)").replace(
        "%1", str(problem.payload.get("username", ""))).replace(
        "%2", role_name(str(problem.payload.get("role", ""))))


#: What each operation's refused change would have done, in the clerk's words.
CHANGE_TEXTS: Mapping[Op, Callable[[ProblemRow], str]] = {
    Op.CREATE_REQUEST: _walk_in,
    Op.CHANGE_STATUS: _status_change,
    Op.ASSIGN: _assignment,
    Op.ADD_NOTE: _note,
    Op.WORK_ORDER_ISSUED: _work_order,
    Op.EDIT_REQUEST: _correction,
    Op.UPSERT_CREW: _crew_details,
    Op.UPSERT_USER: _user_details,
    Op.REFER: _referral,
    Op.MOVE_DISTRICT: _district_move,
    Op.REPEAT_CALL: _repeat_call,
}


def change_text(problem: ProblemRow) -> str:
    """What the refused change would have done, in words (a newer centre's op as named)."""
    try:
        words = CHANGE_TEXTS[Op(problem.op)]
    except ValueError:
        return problem.op
    return words(problem)


def load_problems(store: Store) -> tuple[ProblemRow, ...]:
    """The open problems as the dialog shows them (on the database thread)."""
    return problem_rows(store)


class SyncProblemsDialog(Retranslating, QDialog):
    """Unsettled sync problems, oldest first, each with its two ways out.

    Signals:
        sig_loaded(): the list shows the problems as they are in the database.
    """

    sig_loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self._rows: tuple[ProblemRow, ...] = ()
        self.setObjectName("syncProblemsDialog")
        self.resize(960, 520)

        self._intro = QLabel()
        self._intro.setObjectName("intro")
        self._intro.setWordWrap(True)
        self._table = record_list("problems", 4, self._on_selected)
        self._detail = QTextBrowser()
        self._detail.setObjectName("detail")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self._table)
        split.addWidget(self._detail)
        split.setChildrenCollapsible(False)

        self._status = QLabel()
        self._status.setObjectName("status")
        self._status.setWordWrap(True)
        self._reapply = QPushButton()
        self._reapply.setObjectName("reapply")
        self._reapply.clicked.connect(self._on_reapply)
        self._discard = QPushButton()
        self._discard.setObjectName("discard")
        self._discard.clicked.connect(self._on_discard)
        self._close = QPushButton()
        self._close.setObjectName("close")
        self._close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self._reapply)
        buttons.addWidget(self._discard)
        buttons.addWidget(self._status, 1)
        buttons.addWidget(self._close)

        layout = QVBoxLayout(self)
        layout.addWidget(self._intro)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)

        self._retranslate()
        self._reload()

    # ------------------------------------------------------------------ language

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Sync problems"))
        self._table.setHorizontalHeaderLabels(
            [self.tr("When"), self.tr("Request"), self.tr("Change"), self.tr("Why")])
        self._reapply.setText(self.tr("Apply again"))
        self._discard.setText(self.tr("Discard…"))
        self._close.setText(self.tr("Close"))
        self._show_rows()

    # ------------------------------------------------------------------- loading

    def _reload(self, message: str = "") -> None:
        store = self._ctx.store  # the job never holds the dialog (see RequestForm.reload)
        self._ctx.tasks.run_db(lambda: load_problems(store),
                               on_done=lambda rows: self._on_loaded(rows, message),
                               on_error=self._on_error)

    def _on_loaded(self, rows: tuple[ProblemRow, ...], message: str) -> None:
        if not isValid(self):
            return
        self._rows = rows
        self._show_rows()
        if rows:
            self._table.setCurrentCell(0, 0)  # selectRow() selects nothing right to left (Qt 6.11)
        self._status.setText(message)
        self.sig_loaded.emit()

    def _show_rows(self) -> None:
        self._intro.setText(
            self.tr("These changes made here were not taken by the centre. Decide for each: "
                    "apply it again to the centre's current copy, or discard it.")
            if self._rows else self.tr("There are no sync problems: every change was taken."))
        self._table.blockSignals(True)
        self._table.setRowCount(len(self._rows))
        for row, problem in enumerate(self._rows):
            cells = (moment_text(problem.created_at),
                     digits(problem.tracking_code) if problem.tracking_code
                     else self._entity(problem),
                     self.change_text(problem), self.reason_text(problem))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, problem.id)
                self._table.setItem(row, column, item)
        self._table.blockSignals(False)
        self._on_selected()

    # ------------------------------------------------------------------- wording

    def _entity(self, problem: ProblemRow) -> str:
        if problem.entity == "crew":
            return self.tr("Crew")
        if problem.entity == "user":
            return self.tr("User")
        return problem.entity

    def change_text(self, problem: ProblemRow) -> str:
        """What the refused change would have done, in words (:data:`CHANGE_TEXTS`)."""
        return change_text(problem)

    def reason_text(self, problem: ProblemRow) -> str:
        """Why the centre refused it, in words; its own message for a new reason."""
        reasons = {
            "conflict": self.tr("The centre's copy changed after this edit was made."),
            "stale": self.tr("The centre's copy changed after this edit was made."),
            "not_a_move": self.tr("The request's status at the centre no longer allows it."),
            "role_not_allowed": self.tr("The centre does not allow this role to do it."),
            "out_of_scope": self.tr("The request is no longer in this office's districts."),
            "unknown_request": self.tr("The centre does not know this request."),
            "unknown_crew": self.tr("The centre does not know this crew."),
            "reason_required": self.tr("A reason is needed to close it as not actionable."),
        }
        text = reasons.get(problem.reason_code) or refusal_text(problem.reason_code)
        if text is None:
            return problem.message or problem.reason_code
        return text

    def _detail_html(self, problem: ProblemRow) -> str:
        """The problem in full; a conflict's two values side by side (columns mirrored
        by hand right to left: Qt's rich text does not mirror tables)."""
        rtl = self.layoutDirection() == Qt.LayoutDirection.RightToLeft
        direction, align = ("rtl", "right") if rtl else ("ltr", "left")
        parts = [f"<p dir='{direction}'><b>{html.escape(self.change_text(problem))}</b></p>",
                 f"<p dir='{direction}'>{html.escape(self.reason_text(problem))}</p>"]
        if problem.message:  # the centre's own words (English, for its logs)
            said = html.escape(self.tr("The centre said:"))
            parts.append(f"<p dir='{direction}' style='color:#5f6368; margin-bottom:0'>{said}</p>"
                         f"<p dir='{text_direction(problem.message)}' style='color:#5f6368'>"
                         f"{html.escape(problem.message)}</p>")
        changes = problem.payload.get("changes")
        if problem.kind == "conflict" and isinstance(changes, dict):
            server = problem.server_value or {}

            def row(cells: list[str], tag: str = "td") -> str:
                ordered = reversed(cells) if rtl else cells
                return "<tr>" + "".join(f"<{tag} align='{align}'>{html.escape(cell)}</{tag}>"
                                        for cell in ordered) + "</tr>"

            rows = [row([self.tr("Field"), self.tr("Value here"), self.tr("Value at the centre")],
                        "th")]
            rows += [row([field_names([name]), str(value), str(server.get(name, ""))])
                     for name, value in changes.items()]
            parts.append(f"<table align='{align}' cellpadding='4' border='1' "
                         f"style='border-collapse:collapse'>{''.join(rows)}</table>")
        return "".join(parts)

    # ------------------------------------------------------------------- settling

    def _current(self) -> ProblemRow | None:
        rows = self._table.selectionModel().selectedRows()
        if not rows:
            return None
        problem_id = self._table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        return next((p for p in self._rows if p.id == problem_id), None)

    def _on_selected(self) -> None:
        problem = self._current()
        self._reapply.setEnabled(problem is not None)
        self._discard.setEnabled(problem is not None)
        self._detail.setHtml(self._detail_html(problem) if problem else "")

    def _on_reapply(self) -> None:
        problem = self._current()
        if problem is not None:
            self._settle(problem, "reapply", self.tr("Applied again; it is sent at the next sync."))

    def _on_discard(self) -> None:
        problem = self._current()
        if problem is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Discard the change"),
                          self.tr("Discard “%1” for good? The centre's copy stays as it is.")
                          .replace("%1", self.change_text(problem)),
                          QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                          self)
        box.setObjectName("confirmDiscard")
        box.button(QMessageBox.StandardButton.Discard).setText(self.tr("Discard"))
        box.button(QMessageBox.StandardButton.Cancel).setText(self.tr("Keep it"))
        box.finished.connect(lambda _result: self._on_confirm(problem, box))
        box.open()

    def _on_confirm(self, problem: ProblemRow, box: QMessageBox) -> None:
        if box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Discard:
            self._settle(problem, "discard", self.tr("Discarded."))

    def _settle(self, problem: ProblemRow, how: str, message: str) -> None:
        settle = reapply_problem if how == "reapply" else discard_problem
        store, actor = self._ctx.store, self._ctx.actor
        self._reapply.setEnabled(False)
        self._discard.setEnabled(False)
        # A re-applied change changed data, which run_op announces; either way what
        # waits to be settled changed.
        self._ctx.run_op(lambda: settle(store, problem.id, actor),
                         on_done=lambda _changes: self._on_settled(message),
                         on_error=self._on_error)

    def _on_settled(self, message: str) -> None:
        self._ctx.bus.sig_sync_state.emit()
        if isValid(self):
            self._reload(message)

    def _on_error(self, error: BaseException) -> None:
        if isValid(self):
            self._status.setText(error_text(error))
            self._on_selected()
