"""The reports page: Jalali periods as managers name them, the figures in a table,
and the same report saved as CSV / Excel / PDF or opened for printing."""

from __future__ import annotations

import csv
import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QLabel, QProgressDialog, QPushButton, QSpinBox,
)

from desktop_app.reports.groupings import GROUPING, GROUPINGS
from desktop_app.services import reporting
from desktop_app.store.db import Store
from desktop_app.ui.context import AppContext
from desktop_app.ui.reports_page import PeriodKind, ReportsPage
from desktop_app.ui.widgets.jalali import JalaliDateEdit
from sync.dates import UTC, Period
from tests.desktop_app.ui.forms_support import MakeContext, ctx, make_ctx, persian, store
from tests.factories import MANAGER, make_request

__all__ = ["ctx", "make_ctx", "persian", "store"]  # fixtures used by name

FARVARDIN_1405 = dt.datetime(2026, 4, 1, 6, 30, tzinfo=UTC)


class Opened(QObject):
    """Stands in for the system's PDF viewer: remembers what it was asked to open."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


@pytest.fixture
def viewer() -> Iterator[Opened]:
    opened = Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")
    yield opened
    QDesktopServices.unsetUrlHandler("file")


@pytest.fixture
def figures(store: Store) -> None:
    """Farvardin 1405: two requests in Bazaar (one done), one in Sabze Meydan."""
    make_request(store, received_at=FARVARDIN_1405, status="done",
                 closed_at=FARVARDIN_1405 + dt.timedelta(hours=30))
    make_request(store, received_at=FARVARDIN_1405)
    make_request(store, received_at=FARVARDIN_1405, neighbourhood_code="sabze-meydan")
    make_request(store, received_at=FARVARDIN_1405 + dt.timedelta(days=40))  # Ordibehesht


def open_page(qtbot, ctx: AppContext) -> ReportsPage:  # type: ignore[no-untyped-def]
    page = ReportsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    return page


def pick(page: ReportsPage, kind: PeriodKind, year: int = 1405, **choice: int) -> None:
    combo = page.findChild(QComboBox, "periodKind")
    combo.setCurrentIndex(combo.findData(kind.value))
    page.findChild(QSpinBox, "year").setValue(year)
    for name, value in choice.items():
        chooser = page.findChild(QComboBox, name)
        chooser.setCurrentIndex(chooser.findData(value))


def table(page: ReportsPage) -> list[list[str]]:
    model = page.model
    return [[model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def show(qtbot, page: ReportsPage) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(page.sig_shown):
        qtbot.mouseClick(page.findChild(QPushButton, "show"), Qt.MouseButton.LeftButton)


@pytest.mark.parametrize("kind, choice, first, last, days", [
    (PeriodKind.MONTH, {"month": 12}, dt.date(2027, 2, 20), dt.date(2027, 3, 20),
     "1405/12/01 to 1405/12/29"),  # 1405 is not a leap year: Esfand has 29 days
    (PeriodKind.SEASON, {"season": 1}, dt.date(2026, 3, 21), dt.date(2026, 6, 21),
     "1405/01/01 to 1405/03/31"),
    (PeriodKind.HALF, {"half": 2}, dt.date(2026, 9, 23), dt.date(2027, 3, 20),
     "1405/07/01 to 1405/12/29"),
    (PeriodKind.YEAR, {}, dt.date(2026, 3, 21), dt.date(2027, 3, 20),
     "1405/01/01 to 1405/12/29"),
], ids=["esfand", "spring", "second-half", "year"])
def test_periods_are_named_in_jalali_terms_and_shown_as_days(
        qtbot, ctx: AppContext, kind: PeriodKind, choice: dict[str, int], first: dt.date,
        last: dt.date, days: str) -> None:
    page = open_page(qtbot, ctx)
    pick(page, kind, **choice)
    assert page.period() == Period(first, last)
    assert page.findChild(QLabel, "days").text() == f"{days}, both days included"


def test_a_custom_run_of_days(qtbot, ctx: AppContext) -> None:
    page = open_page(qtbot, ctx)
    pick(page, PeriodKind.DAYS)
    first = page.findChild(JalaliDateEdit, "firstDay")
    last = page.findChild(JalaliDateEdit, "lastDay")
    first.set_day(dt.date(2026, 4, 1))
    last.set_day(dt.date(2026, 4, 10))
    assert page.period() == Period(dt.date(2026, 4, 1), dt.date(2026, 4, 10))
    assert not page.findChild(QSpinBox, "year").isVisible()

    last.set_day(dt.date(2026, 3, 1))
    days = page.findChild(QLabel, "days")
    assert days.text() == "The last day is before the first."
    with qtbot.assertNotEmitted(page.sig_shown):
        qtbot.mouseClick(page.findChild(QPushButton, "show"), Qt.MouseButton.LeftButton)
    assert page.findChild(QLabel, "status").text() == "The last day is before the first."


def test_the_figures_are_shown_per_group_with_a_total(qtbot, qtmodeltester, make_ctx: MakeContext,
                                                      figures: None) -> None:
    page = open_page(qtbot, make_ctx(MANAGER))
    pick(page, PeriodKind.MONTH, month=1)
    grouping = page.findChild(QComboBox, "grouping")
    grouping.setCurrentIndex(grouping.findData("neighbourhood"))
    show(qtbot, page)

    qtmodeltester.check(page.model)
    header = [page.model.headerData(c, Qt.Orientation.Horizontal)
              for c in range(page.model.columnCount())]
    assert header[:5] == ["Group", "Received", "Done", "Not actionable", "In progress"]
    assert [row[:5] for row in table(page)] == [
        ["Bazaar", "2", "1", "0", "1"],
        ["Sabze Meydan", "1", "0", "0", "1"],
        ["Total", "3", "1", "0", "2"],
    ]
    assert table(page)[0][5] == "50.0%"
    assert page.model.index(2, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert page.model.index(0, 1).data(Qt.ItemDataRole.TextAlignmentRole) is not None


def test_saving_writes_the_pickers_report(qtbot, make_ctx: MakeContext, figures: None,
                                          tmp_path: Path) -> None:
    page = open_page(qtbot, make_ctx(MANAGER))
    pick(page, PeriodKind.SEASON, season=1)
    out = tmp_path / "spring.csv"
    with qtbot.waitSignal(page.sig_written) as written:
        page.save_to(out)
    assert written.args == [str(out)]
    with out.open(encoding="utf-8") as f:
        lines = list(csv.reader(f))
    assert lines[0][:5] == ["group", "received", "done", "not_actionable", "in_progress"]
    assert {line[0]: line[1] for line in lines[1:]} == {"bazaar": "3", "sabze-meydan": "1"}
    assert page.findChild(QLabel, "status").text() == f"Saved: {out}"


def test_save_asks_where_and_adds_the_extension(qtbot, make_ctx: MakeContext, figures: None,
                                                tmp_path: Path) -> None:
    page = open_page(qtbot, make_ctx(MANAGER))
    pick(page, PeriodKind.MONTH, month=1)
    qtbot.mouseClick(page.findChild(QPushButton, "save"), Qt.MouseButton.LeftButton)
    dialog = page.findChild(QFileDialog, "saveReport")
    assert dialog is not None and dialog.isVisible()
    dialog.selectNameFilter(dialog.nameFilters()[2])  # Excel
    dialog.selectFile(str(tmp_path / "farvardin"))
    with qtbot.waitSignal(page.sig_written) as written:
        dialog.accept()
    assert written.args == [str(tmp_path / "farvardin.xlsx")]
    assert (tmp_path / "farvardin.xlsx").read_bytes()[:2] == b"PK"  # a zip: an Excel workbook


def test_print_opens_the_pdf_in_the_viewer(qtbot, make_ctx: MakeContext, figures: None,
                                           viewer: Opened) -> None:
    page = open_page(qtbot, make_ctx(MANAGER))
    with qtbot.waitSignal(page.sig_written) as written:
        qtbot.mouseClick(page.findChild(QPushButton, "print"), Qt.MouseButton.LeftButton)
    path = Path(written.args[0])
    assert [url.toLocalFile() for url in viewer.urls] == [str(path)]
    assert path.suffix == ".pdf" and path.read_bytes().startswith(b"%PDF")
    path.unlink()


def test_in_persian_months_and_figures_are_persian(qtbot, persian: None, make_ctx: MakeContext,
                                                   figures: None) -> None:
    page = open_page(qtbot, make_ctx(MANAGER, "fa"))
    assert page.layoutDirection() == Qt.LayoutDirection.RightToLeft
    pick(page, PeriodKind.MONTH, month=1)
    assert page.findChild(QComboBox, "month").currentText() == "فروردین"
    assert page.findChild(QLabel, "days").text() == (
        "از ۱۴۰۵/۰۱/۰۱ تا ۱۴۰۵/۰۱/۳۱، هر دو روز در شمار")
    show(qtbot, page)
    assert [row[:3] for row in table(page)] == [
        ["بازار", "۲", "۱"], ["سبزه‌میدان", "۱", "۰"], ["جمع", "۳", "۱"]]


def test_the_groupings_offered_are_the_reports_table(qtbot, persian: None,
                                                     make_ctx: MakeContext) -> None:
    page = open_page(qtbot, make_ctx(MANAGER, "fa"))
    grouping = page.findChild(QComboBox, "grouping")
    offered = [grouping.itemData(i) for i in range(grouping.count())]
    assert tuple(offered) == GROUPINGS
    assert [grouping.itemText(i) for i in range(grouping.count())] == [
        GROUPING[code].label_fa for code in offered]


def test_a_save_shows_progress_and_a_cancelled_one_writes_nothing(
        qtbot, make_ctx: MakeContext, figures: None, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The job waits for the test before it reads, so it is certainly running while
    # the test looks at it and cancels: no timing involved.
    started, go_on = threading.Event(), threading.Event()
    export = reporting.export

    def held(*args: object, **kwargs: object) -> object:
        started.set()
        go_on.wait(30)
        return export(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reporting, "export", held)
    page = open_page(qtbot, make_ctx(MANAGER))
    pick(page, PeriodKind.SEASON, season=1)
    folder = tmp_path / "reports"
    folder.mkdir()
    out = folder / "spring.pdf"
    with qtbot.assertNotEmitted(page.sig_written), qtbot.assertNotEmitted(page.sig_shown):
        page.save_to(out)
        progress = page.findChild(QProgressDialog, "jobProgress")
        assert progress is not None and not progress.isModal()
        qtbot.waitUntil(started.is_set)
        qtbot.waitUntil(progress.isVisible)  # a job that lasts shows its progress
        assert not page.findChild(QPushButton, "save").isEnabled()
        qtbot.mouseClick(progress.findChild(QPushButton), Qt.MouseButton.LeftButton)
        go_on.set()
        qtbot.waitUntil(lambda: page.findChild(QPushButton, "save").isEnabled())
    assert list(folder.iterdir()) == []  # no report, no part of one
    assert page.findChild(QLabel, "status").text() == ""
