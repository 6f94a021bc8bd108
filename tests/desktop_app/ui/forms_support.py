"""Fixtures and helpers for the tests of the request forms and dialogs.

Each test gets a real office database (``tests.factories.office``), a real
:class:`TaskRunner` with its database thread, and a :class:`Bus`: the dialogs run
exactly as in the app, and a test waits for their signals instead of sleeping.
Import the fixtures a test module uses by name (``from ... import ctx, make_ctx``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QLocale, Qt, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QKeyEvent
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from desktop_app.services.requests import Actor, Desk
from desktop_app.store.db import Store
from desktop_app.ui.context import AppContext, Bus
from desktop_app.ui.request_form import RequestForm
from desktop_app.ui.tasks import TaskRunner
from sync.paths import resource_path
from tests.factories import CLERK, office

FORMS_QM = resource_path("i18n/daftar_forms_fa.qm")

MakeContext = Callable[..., AppContext]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    office_store = office(tmp_path / "office")
    yield office_store
    office_store.close()


@pytest.fixture
def make_ctx(qtbot, store: Store) -> Iterator[MakeContext]:  # type: ignore[no-untyped-def]
    """Contexts for several people on one office database, sharing one task runner
    and one bus (as two windows of one app would)."""
    tasks = TaskRunner()
    bus = Bus()

    def make(actor: Actor = CLERK, language: str = "en") -> AppContext:
        return AppContext(store=store, actor=actor, desk=Desk(store.sessions, actor),
                          tasks=tasks, bus=bus, language=language)

    yield make
    tasks.shutdown()


@pytest.fixture
def ctx(make_ctx: MakeContext) -> AppContext:
    return make_ctx()


@pytest.fixture
def persian(qapp: QApplication) -> Iterator[None]:
    """The app as an office in Iran sees it: Persian locale and digits, right to
    left, Vazirmatn, and the forms' translation.  Everything is put back after."""
    old_locale, old_font = QLocale(), qapp.font()
    QLocale.setDefault(QLocale(QLocale.Language.Persian, QLocale.Country.Iran))
    qapp.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    font_id = QFontDatabase.addApplicationFont(str(resource_path("fonts/Vazirmatn-Regular.ttf")))
    assert font_id >= 0
    qapp.setFont(QFont(QFontDatabase.applicationFontFamilies(font_id)[0], old_font.pointSize()))
    translator = QTranslator()
    assert translator.load(str(FORMS_QM)), FORMS_QM
    qapp.installTranslator(translator)
    yield
    qapp.removeTranslator(translator)
    qapp.setFont(old_font)
    qapp.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    QLocale.setDefault(old_locale)
    # The font stays registered: widgets of the test may still hold glyphs of it.


def plain(text: str) -> str:
    """Text as read, without the direction marks a sentence starts with
    (:func:`desktop_app.ui.messages.in_ui_direction`)."""
    return text.lstrip("\u200e\u200f")


def type_text(widget: QWidget, text: str) -> None:
    """Type ``text`` one key event per character.  (``qtbot.keyClicks`` with
    Persian text kills the test process: platform.md.)"""
    widget.setFocus()
    for ch in text:
        QApplication.sendEvent(widget, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_unknown,
                                                 Qt.KeyboardModifier.NoModifier, ch))


def open_form(qtbot, ctx: AppContext, request_id: uuid.UUID) -> RequestForm:  # type: ignore[no-untyped-def]
    """A request form, shown, once it has loaded the request."""
    form = RequestForm(ctx, request_id)
    qtbot.addWidget(form)
    form.show()
    with qtbot.waitSignal(form.sig_loaded):
        pass
    return form


def button(widget: QWidget, name: str) -> QPushButton:
    found = widget.findChild(QPushButton, name)
    assert found is not None, name
    return found
