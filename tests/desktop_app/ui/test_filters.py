"""The filter bar as a clerk uses it: status buttons with their counts, choices
from the office's reference data, Jalali day range, search typed in Persian."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, QLocale, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from desktop_app.services.reference_names import Crew, Names
from desktop_app.services.request_list import Counts, RequestFilter
from desktop_app.ui.filters import FilterBar

CREW = uuid.UUID("00000000-0000-7000-8000-00000000000a")
NAMES = Names(
    categories={"garbage": ("جمع‌آوری زباله", "Garbage collection"), "asphalt": ("آسفالت", "Asphalt")},
    neighbourhoods={"bazaar": ("بازار", "Bazaar")},
    neighbourhood_district={"bazaar": "1-1"},
    districts={"1-1": ("ناحیه ۱ منطقه ۱", "District 1-1")},
    channels={"phone": ("تلفن ۱۳۷", "Phone 137")},
    crews={CREW: Crew(CREW, "اکیپ تنظیف ۱", "1-1", True),
           uuid.UUID(int=2): Crew(uuid.UUID(int=2), "اکیپ منحل", "1-1", False)},
)


@pytest.fixture
def persian() -> Iterator[None]:
    QLocale.setDefault(QLocale(QLocale.Language.Persian, QLocale.Country.Iran))
    yield
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))


@pytest.fixture
def bar(qtbot) -> FilterBar:  # type: ignore[no-untyped-def]
    bar = FilterBar("fa")
    qtbot.addWidget(bar)
    bar.set_names(NAMES)
    bar.show()
    return bar


def type_text(widget: QWidget, text: str) -> None:
    """One key event per character: qtbot.keyClicks with Persian kills the process
    (platform.md)."""
    for ch in text:
        QApplication.sendEvent(widget, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_unknown,
                                                 Qt.KeyboardModifier.NoModifier, ch))


def test_status_button_filters_and_counts_are_shown(qtbot, bar: FilterBar, persian: None) -> None:
    bar.set_counts(Counts({"referred": 12, "assigned": 3, "done": 40}, overdue=5))
    assert "۱۲" in bar.status_buttons["referred"].text()
    assert "۵" in bar.overdue.text() and "⚠" in bar.overdue.text()
    assert "۵۵" in bar.total.text()
    with qtbot.waitSignal(bar.sig_changed) as changed:
        qtbot.mouseClick(bar.status_buttons["referred"], Qt.MouseButton.LeftButton)
    assert changed.args[0].statuses == {"referred"}
    bar.set_counts(Counts({"referred": 12, "assigned": 3, "done": 40}, overdue=5))
    assert "۱۲" in bar.total.text()  # the total follows the chosen statuses
    with qtbot.waitSignal(bar.sig_changed) as changed:
        qtbot.mouseClick(bar.overdue, Qt.MouseButton.LeftButton)
    assert changed.args[0].overdue


def test_choices_come_from_the_office_and_filter(qtbot, bar: FilterBar) -> None:
    assert bar.category.count() == 3  # "All" and two categories
    assert bar.crew.findData(CREW) > 0
    assert bar.crew.findData(uuid.UUID(int=2)) == -1  # inactive crews are not offered
    assert "ناحیه ۱ منطقه ۱" in bar.neighbourhood.itemText(1)
    with qtbot.waitSignal(bar.sig_changed) as changed:
        bar.category.setCurrentIndex(bar.category.findData("asphalt"))
    assert changed.args[0] == RequestFilter(category="asphalt")
    with qtbot.waitSignal(bar.sig_changed) as changed:
        bar.crew.setCurrentIndex(bar.crew.findData(CREW))
    assert changed.args[0].crew == CREW and changed.args[0].category == "asphalt"
    bar.set_language("en")
    assert bar.category.currentData() == "asphalt" and bar.category.currentText() == "Asphalt"


def test_jalali_day_range(qtbot, bar: FilterBar) -> None:
    with qtbot.waitSignal(bar.sig_changed) as changed:
        bar.use_from.click()
    assert changed.args[0].first_day == bar.date_from.day() and changed.args[0].last_day is None
    assert bar.date_from.isEnabled() and not bar.date_to.isEnabled()
    with qtbot.waitSignal(bar.sig_changed) as changed:
        bar.date_from.set_day(dt.date(2026, 3, 21))  # 1 Farvardin 1405
    assert changed.args[0].first_day == dt.date(2026, 3, 21)
    assert bar.date_from.calendar().name() == "Jalali"


def test_search_goes_out_when_typing_pauses(qtbot, bar: FilterBar) -> None:
    bar.search.setFocus()
    with qtbot.waitSignal(bar.sig_changed, timeout=2000) as changed:
        type_text(bar.search, "كريمي")
        assert bar.pending  # not one query per keystroke
    assert changed.args[0].text == "كريمي"
    with qtbot.waitSignal(bar.sig_changed) as changed:
        qtbot.keyClick(bar.search, Qt.Key.Key_Escape)
    assert changed.args[0].text == "" and bar.search.text() == ""


def test_enter_sends_the_search_at_once(qtbot, bar: FilterBar) -> None:
    type_text(bar.search, "۰۹۱۳")
    with qtbot.waitSignal(bar.sig_changed, timeout=50) as changed:
        qtbot.keyClick(bar.search, Qt.Key.Key_Return)
    assert changed.args[0].text == "۰۹۱۳" and not bar.pending


def test_clear_resets_everything_with_one_signal(qtbot, bar: FilterBar) -> None:
    bar.status_buttons["done"].setChecked(True)
    bar.overdue.setChecked(True)
    bar.category.setCurrentIndex(1)
    bar.use_to.setChecked(True)
    type_text(bar.search, "باغ")
    bar.apply_now()
    emitted: list[RequestFilter] = []
    bar.sig_changed.connect(emitted.append)
    qtbot.mouseClick(bar.clear_button, Qt.MouseButton.LeftButton)
    assert emitted == [RequestFilter()]
    assert not bar.date_to.isEnabled()


def test_counts_of_the_previous_filter_are_greyed_until_the_new_ones_come(bar: FilterBar) -> None:
    bar.set_counts(Counts({"referred": 12}, overdue=5))
    grey = bar.status_buttons["referred"].palette()  # before: not grey
    assert not bar.counts_stale
    bar.mark_counts_stale()
    assert bar.counts_stale
    assert all(w.property("stale") for w in (*bar.status_buttons.values(), bar.overdue, bar.total))
    assert bar.status_buttons["referred"].palette().color(bar.status_buttons["referred"].foregroundRole()) \
        != grey.color(bar.status_buttons["referred"].foregroundRole())
    bar.set_counts(Counts({"referred": 13}, overdue=5))
    assert not bar.counts_stale and not bar.status_buttons["referred"].property("stale")
