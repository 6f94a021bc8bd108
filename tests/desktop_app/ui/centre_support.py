"""Fixtures for the tests of the 137 centre's pages: the centre's own office (enrolled
with every district) and a centre operator working at it, with the real task runner
and bus, so the pages run exactly as in the app.  Import the fixtures by name."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from desktop_app.services.centre import CentreDesk
from desktop_app.services.requests import Actor
from desktop_app.services.sync_service import OFFICE
from desktop_app.store import models as m
from desktop_app.store.db import Store
from desktop_app.ui.context import AppContext, Bus
from desktop_app.ui.tasks import TaskRunner
from sync.protocol import OfficeInfo
from sync.workflow import Role
from tests.factories import office

OPERATOR = Actor(username="operator", role=Role.CENTRE, display_name="نرگس اپراتور",
                 office_number=1)


def enrol(store: Store, districts: list[str], *, everywhere: bool = False, number: int = 1) -> None:
    """Record the office's identity as enrolment does (sync_service.enroll)."""
    info = OfficeInfo(office_id=uuid.uuid4(), name="مرکز ۱۳۷", number=number,
                      districts=districts, all_districts=everywhere)
    with store.sessions.begin() as session:
        session.add(m.SyncState(key=OFFICE, value=info.model_dump(mode="json")))


@pytest.fixture
def centre_store(tmp_path: Path) -> Iterator[Store]:
    """The 137 centre's office: enrolled with every district."""
    store = office(tmp_path / "centre-office")
    enrol(store, [], everywhere=True)
    yield store
    store.close()


@pytest.fixture
def centre_ctx(qtbot, centre_store: Store) -> Iterator[AppContext]:  # type: ignore[no-untyped-def]
    tasks = TaskRunner()
    yield AppContext(store=centre_store, actor=OPERATOR,
                     desk=CentreDesk(centre_store.sessions, OPERATOR), tasks=tasks, bus=Bus(),
                     language="en")
    tasks.shutdown()


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def keys(text: str) -> int:
    """Type ``text`` into whatever has the focus, one key event per character, as
    a keyboard does (``QTest.keyClicks`` for Latin text; one ``QKeyEvent`` per
    character for Persian, which ``keyClicks`` cannot send: platform.md).
    Returns the number of keystrokes."""
    if text.isascii():
        QTest.keyClicks(focused(), text)
    else:
        for ch in text:
            QApplication.sendEvent(focused(), QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_unknown,
                                                        Qt.KeyboardModifier.NoModifier, ch))
    return len(text)


def key(name: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> int:
    """Press one key (Tab, Enter …) on whatever has the focus; one keystroke."""
    QTest.keyClick(focused(), name, modifier)
    return 1
