"""Live language switching, once for every widget.

Qt sends every widget a ``LanguageChange`` event when translators are installed or
removed (:class:`desktop_app.ui.i18n.Translations`).  A widget that mixes this in
before its Qt class sets its texts again in ``_retranslate`` — the one place its
user-visible strings are written — instead of each widget repeating the handler.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent


class Retranslating:
    """Mix in first (``class Form(Retranslating, QDialog)``) and define
    ``_retranslate(self) -> None``."""

    def _retranslate(self) -> None:
        raise NotImplementedError

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        parent: Any = super()
        parent.changeEvent(event)
