"""Live language switching: every widget that mixes in Retranslating sets its
texts again when a translator arrives, without a handler of its own."""

from __future__ import annotations

from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import QApplication

from desktop_app.ui.context import AppContext
from desktop_app.ui.walk_in import WalkInDialog
from desktop_app.ui.widgets.retranslate import Retranslating
from tests.desktop_app.ui.forms_support import FORMS_QM, ctx, make_ctx, store

__all__ = ["ctx", "make_ctx", "store"]  # fixtures used by name


def test_a_dialog_follows_a_language_switch_while_open(qtbot, qapp: QApplication,
                                                       ctx: AppContext) -> None:
    dialog = WalkInDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert isinstance(dialog, Retranslating)
    assert dialog.windowTitle() == "Walk-in request"
    translator = QTranslator()
    assert translator.load(str(FORMS_QM))
    qapp.installTranslator(translator)  # Qt posts LanguageChange to every widget
    try:
        qtbot.waitUntil(lambda: dialog.windowTitle() == "درخواست حضوری")
    finally:
        qapp.removeTranslator(translator)
    qtbot.waitUntil(lambda: dialog.windowTitle() == "Walk-in request")
