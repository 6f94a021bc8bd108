"""The backups dialog: lists the daily backups, takes one now, and a restore
closes the window and happens at the next start."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from desktop_app.services.requests import Desk
from desktop_app.store import backup
from desktop_app.ui.backups import BackupsDialog
from desktop_app.ui.context import AppContext, Bus
from desktop_app.ui.tasks import TaskRunner
from tests import factories


def _ctx(tmp_path: Path) -> AppContext:
    store = factories.office(tmp_path)
    return AppContext(store=store, actor=factories.MANAGER, desk=Desk(store.sessions, factories.MANAGER),
                      tasks=TaskRunner(), bus=Bus())


def test_back_up_now_then_restore(qtbot, tmp_path: Path, monkeypatch) -> None:
    ctx = _ctx(tmp_path)
    try:
        dialog = BackupsDialog(ctx)
        qtbot.addWidget(dialog)
        assert dialog._list.count() == 0 and not dialog._restore.isEnabled()
        dialog.back_up_now()
        qtbot.waitUntil(lambda: dialog._list.count() == 1)

        dialog._list.setCurrentRow(0)
        monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
        with qtbot.waitSignal(dialog.accepted):
            dialog._restore.click()
        assert dialog.restore_requested
        assert (tmp_path / backup.PENDING).exists()
    finally:
        ctx.tasks.shutdown()
        ctx.store.close()
