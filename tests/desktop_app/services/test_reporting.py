"""The summary report as the window runs it: each query one read through ``on_db``,
the file written after the last read, nothing written once cancelled."""

from __future__ import annotations

import csv
import datetime as dt
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop_app.reports.progress import Cancelled
from desktop_app.services import reporting
from desktop_app.store.db import Store
from sync.dates import UTC, Period
from tests.factories import make_request, office

FARVARDIN_1405 = dt.datetime(2026, 4, 1, 6, 30, tzinfo=UTC)
SPRING_1405 = Period.jalali_season(1405, 1)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    office_store = office(tmp_path / "office")
    make_request(office_store, received_at=FARVARDIN_1405, status="done",
                 closed_at=FARVARDIN_1405 + dt.timedelta(hours=30))
    make_request(office_store, received_at=FARVARDIN_1405 + dt.timedelta(days=40))
    yield office_store
    office_store.close()


class Watcher:
    """A Progress that remembers what it heard and cancels at one step."""

    def __init__(self, cancel_at: str | None = None) -> None:
        self.heard: list[str] = []
        self.cancel_at = cancel_at
        self.cancelled = False

    def set_progress(self, text: str, done: int = 0, total: int = 0) -> None:
        self.heard.append(text)
        self.cancelled = text == self.cancel_at


class Database:
    """Stands in for the window's database thread: runs each read, counts them."""

    def __init__(self) -> None:
        self.reads = 0

    def __call__(self, read: Callable[[], Any]) -> Any:
        self.reads += 1
        return read()


def test_a_saved_pdf_reads_query_by_query_then_writes(store: Store, tmp_path: Path) -> None:
    watcher, database = Watcher(), Database()
    out = tmp_path / "spring.pdf"
    figures = reporting.summary_figures(store, SPRING_1405, "neighbourhood", out,
                                        state=watcher, on_db=database)
    # The scope, the figures, who calls least, the trend, the group names.
    assert database.reads == 5
    assert watcher.heard == ["figures", "least", "trend", "writing"]
    assert out.read_bytes().startswith(b"%PDF")
    assert figures.report.totals.received == 2
    assert figures.names["bazaar"][1] == "Bazaar"


def test_the_preview_writes_nothing(store: Store, tmp_path: Path) -> None:
    figures = reporting.summary_figures(store, SPRING_1405, "crew")
    assert figures.report.grouping == "crew" and figures.names == {}  # crews: the report's names


@pytest.mark.parametrize("cancel_at", ["figures", "least", "writing"])
def test_a_cancelled_save_writes_nothing(store: Store, tmp_path: Path, cancel_at: str) -> None:
    out = tmp_path / "spring.csv" if cancel_at == "figures" else tmp_path / "spring.xlsx"
    with pytest.raises(Cancelled):
        reporting.summary_figures(store, SPRING_1405, "region", out,
                                  state=Watcher(cancel_at=cancel_at))
    assert not out.exists() and not any(p.name.endswith(".part") for p in tmp_path.iterdir())


def test_the_command_lines_export_is_the_same_report(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "spring.csv"
    report = reporting.export_report(store, SPRING_1405, "district", out)
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert sum(int(row["received"]) for row in rows) == report.totals.received == 2


def test_a_cancel_while_the_pdf_is_laid_out_stops_the_layout(store: Store,
                                                             tmp_path: Path) -> None:
    class CancelsWhileLayingOut(Watcher):
        """Cancelled from the step "writing" on; notes whether each question after
        that came from inside the PDF's layout."""

        in_layout: list[bool] = []

        @property  # type: ignore[override]
        def cancelled(self) -> bool:
            if "writing" not in self.heard:
                return False
            self.in_layout.append(any(f.function == "build_pdf" for f in inspect.stack()))
            return True

        @cancelled.setter
        def cancelled(self, value: bool) -> None:
            pass

    watcher = CancelsWhileLayingOut()
    out = tmp_path / "spring.pdf"
    with pytest.raises(Cancelled):
        reporting.summary_figures(store, SPRING_1405, "region", out, state=watcher)
    # The layout noticed, between two blocks, before the file was finished.
    assert watcher.in_layout == [True]
    assert not out.exists() and not any(p.name.endswith(".part") for p in tmp_path.iterdir())
