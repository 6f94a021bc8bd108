"""The district manager's choice of the categories whose requests close as done only
with a photo of the finished work: one tick per category, saved at once for all
(:func:`~desktop_app.services.completion_photos.set_required`, which audits each
category turned on or off and refuses anyone but a manager)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop_app.services import completion_photos
from desktop_app.services.completion_photos import CategoryRule
from desktop_app.services.requests import Changes
from desktop_app.ui.context import AppContext
from desktop_app.ui.messages import error_text, local_name
from desktop_app.ui.widgets.retranslate import Retranslating
from desktop_app.ui.widgets.tables import error_label


class CompletionPhotosDialog(Retranslating, QDialog):
    """Tick the categories that need a completion photo.

    Signals:
        sig_loaded(): the categories are shown with their rule.
        sig_saved(): the rule is saved.
    """

    sig_loaded = Signal()
    sig_saved = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self._rules: list[CategoryRule] = []
        self.setObjectName("completionPhotosDialog")
        self.resize(460, 480)
        self._intro = QLabel()
        self._intro.setObjectName("intro")
        self._intro.setWordWrap(True)
        self._list = QListWidget()
        self._list.setObjectName("categories")
        self._error = error_label("error")
        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self._save = self._buttons.button(QDialogButtonBox.StandardButton.Save)
        self._save.setObjectName("save")
        self._save.setEnabled(False)
        self._buttons.accepted.connect(self._on_save)
        self._buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self._intro)
        layout.addWidget(self._list, 1)
        layout.addWidget(self._error)
        layout.addWidget(self._buttons)
        self._retranslate()
        sessions = ctx.desk.sessions
        ctx.tasks.run_db(lambda: completion_photos.category_rules(sessions),
                         on_done=self._on_loaded, on_error=self._on_error)

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Completion photos"))
        self._intro.setText(self.tr(
            "Requests of the ticked categories can be closed as done only with a photo of "
            "the finished work (kind “After work”)."))
        self._save.setText(self.tr("Save"))
        self._buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        for row, rule in enumerate(self._rules):
            self._list.item(row).setText(self._name(rule))

    def _name(self, rule: CategoryRule) -> str:
        return local_name((rule.name_fa, rule.name_en), self._ctx.language)

    def _on_loaded(self, rules: list[CategoryRule]) -> None:
        if not isValid(self):
            return
        self._rules = rules
        self._list.clear()
        for rule in rules:
            item = QListWidgetItem(self._name(rule))
            item.setData(Qt.ItemDataRole.UserRole, rule.code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if rule.required else Qt.CheckState.Unchecked)
            self._list.addItem(item)
        self._save.setEnabled(True)
        self.sig_loaded.emit()

    def set_required(self, code: str, required: bool) -> None:
        for row in range(self._list.count()):
            item = self._list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == code:
                item.setCheckState(Qt.CheckState.Checked if required else Qt.CheckState.Unchecked)

    def _on_save(self) -> None:
        self._error.hide()
        required = [self._list.item(row).data(Qt.ItemDataRole.UserRole)
                    for row in range(self._list.count())
                    if self._list.item(row).checkState() == Qt.CheckState.Checked]
        sessions, actor = self._ctx.desk.sessions, self._ctx.actor

        def work() -> Changes:
            completion_photos.set_required(sessions, actor, required)
            return Changes()

        self._save.setEnabled(False)
        self._ctx.run_op(work, on_done=self._on_saved, on_error=self._on_error)

    def _on_saved(self, _changes: Changes) -> None:
        if isValid(self):
            self.sig_saved.emit()
            self.accept()

    def _on_error(self, error: BaseException) -> None:
        if not isValid(self):
            return
        self._save.setEnabled(bool(self._rules))
        self._error.setText(error_text(error))
        self._error.show()
