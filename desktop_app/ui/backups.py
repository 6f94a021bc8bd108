"""The office's backups: see them, take one now, restore one.

Daftar takes a backup of the office database every day by itself (at start-up,
the first time each Tehran day).  Restoring replaces the database, so it happens
at the next start, before anything opens it; the database it replaces is kept
beside it (``office.sqlite3.before-restore-…``), never deleted.  The files are
:mod:`desktop_app.services.backups`' business; this dialog lists and asks.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QLocale, Qt
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QMessageBox, QPushButton,
    QVBoxLayout, QWidget,
)

from desktop_app.services import backups
from desktop_app.ui.context import AppContext
from desktop_app.ui.widgets.jalali import format_day


class BackupsDialog(QDialog):
    """Signals: none; a chosen restore is recorded and the window told to close."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("backups")
        self._ctx = ctx
        self.restore_requested = False
        self._intro = QLabel(wordWrap=True)
        self._list = QListWidget(objectName="backupList")
        self._status = QLabel(wordWrap=True, objectName="status")
        self._buttons = QDialogButtonBox()
        self._now = QPushButton(objectName="backupNow")
        self._restore = QPushButton(objectName="restore")
        self._buttons.addButton(self._now, QDialogButtonBox.ButtonRole.ActionRole)
        self._buttons.addButton(self._restore, QDialogButtonBox.ButtonRole.ActionRole)
        self._close = self._buttons.addButton(QDialogButtonBox.StandardButton.Close)
        layout = QVBoxLayout(self)
        for widget in (self._intro, self._list, self._status, self._buttons):
            layout.addWidget(widget)
        self._now.clicked.connect(self.back_up_now)
        self._restore.clicked.connect(self.restore_selected)
        self._close.clicked.connect(self.reject)
        self._list.currentRowChanged.connect(lambda _row: self._update())
        self._retranslate()
        self.refresh()
        self._intro.setContentsMargins(6, 0, 6, 0)  # Qt under-measures wrapped RTL lines by a glyph
        self.resize(460, 380)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self.refresh()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Backups"))
        self._intro.setText(self.tr(
            "Daftar backs up this office's database every day and keeps the last "
            "two weeks. Restoring a backup replaces today's data with that day's; the "
            "data it replaces is kept beside it."))
        self._now.setText(self.tr("Back up now"))
        self._restore.setText(self.tr("Restore…"))
        self._close.setText(self.tr("Close"))

    def refresh(self) -> None:
        self._list.clear()
        locale = QLocale()
        for item in backups.list_backups(self._ctx.store):
            size = locale.formattedDataSize(item.size)
            row = QListWidgetItem(f"{format_day(item.day, locale)}   ({size})")
            row.setData(Qt.ItemDataRole.UserRole, str(item.path))
            self._list.addItem(row)
        self._update()

    def _update(self) -> None:
        self._restore.setEnabled(self._list.currentItem() is not None)

    def back_up_now(self) -> None:
        store = self._ctx.store
        self._ctx.tasks.run_db(lambda: backups.back_up_now(store),
                               on_done=lambda _path: self._done(self.tr("Today's backup is taken.")),
                               on_error=lambda error: self._done(str(error)))

    def _done(self, text: str) -> None:
        self._status.setText(text)
        self.refresh()

    def restore_selected(self) -> None:
        item = self._list.currentItem()
        if item is None:
            return
        answer = QMessageBox.question(self, self.tr("Restore a backup"), self.tr(
            "Replace this office's data with the backup of %1? Changes made since then "
            "that were not sent to the centre will be set aside. Daftar will close; "
            "open it again to work on the restored data.").replace("%1", item.text()))
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            backups.request_restore(self._ctx.store, Path(item.data(Qt.ItemDataRole.UserRole)))
        except backups.BackupError as error:
            self._status.setText(str(error))
            return
        self.restore_requested = True
        self.accept()
