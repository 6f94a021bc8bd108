"""Issuing work orders in steps: the reads go through ``on_db`` a batch at a time,
the drawing reports its progress, and a cancel leaves no file and no event."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from desktop_app.reports.progress import Cancelled
from desktop_app.services import printing
from desktop_app.store import models as m
from desktop_app.store.db import Store
from sync.workflow import EventKind
from tests.factories import CREW_A, SUPERVISOR, make_request, office


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    office_store = office(tmp_path)
    yield office_store
    office_store.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Where the printouts go: nothing else is in it."""
    path = tmp_path / "printouts"
    path.mkdir()
    return path


class Watcher:
    """A Progress that remembers what it heard and cancels when told to."""

    def __init__(self, cancel_at: tuple[str, int] | None = None) -> None:
        self.heard: list[tuple[str, int, int]] = []
        self.cancel_at = cancel_at
        self.cancelled = False

    def set_progress(self, text: str, done: int = 0, total: int = 0) -> None:
        self.heard.append((text, done, total))
        if (text, done) == self.cancel_at:
            self.cancelled = True


class Database:
    """Stands in for the window's database thread: runs each read, counts them."""

    def __init__(self) -> None:
        self.reads = 0

    def __call__(self, read: Callable[[], Any]) -> Any:
        self.reads += 1
        return read()


def issued(store: Store) -> list[uuid.UUID]:
    with store.sessions() as session:
        return list(session.scalars(sa.select(m.Event.request_id)
                                    .where(m.Event.kind == EventKind.WORK_ORDER_ISSUED.value)))


def test_work_orders_are_read_in_steps_and_issued_once_drawn(store: Store,
                                                             folder: Path) -> None:
    ids = [make_request(store, status="assigned", crew_id=CREW_A).id for _ in range(120)]
    watcher, database = Watcher(), Database()
    out = folder / "orders.pdf"

    printout = printing.draw_work_orders(store, ids, out, state=watcher, on_db=database)

    assert database.reads == 1 + 3  # the reference names once, then 50 + 50 + 20 requests
    assert [h for h in watcher.heard if h[0] == "reading"] == [
        ("reading", 0, 120), ("reading", 50, 120), ("reading", 100, 120)]
    assert ("drawing", 119, 120) in watcher.heard
    assert not out.exists() and issued(store) == []  # drawn, not yet issued
    issued_now = printing.issue(store, SUPERVISOR, printout)
    assert issued_now.path == out and out.read_bytes().startswith(b"%PDF")
    assert issued_now.changes.request_ids == ids
    assert sorted(issued(store)) == sorted(ids)


@pytest.mark.parametrize("cancel_at", [("reading", 50), ("drawing", 10)])
def test_a_cancelled_print_leaves_no_file_and_records_nothing(
        store: Store, folder: Path, cancel_at: tuple[str, int]) -> None:
    ids = [make_request(store, status="assigned", crew_id=CREW_A).id for _ in range(60)]
    out = folder / "orders.pdf"
    with pytest.raises(Cancelled):
        printing.draw_work_orders(store, ids, out, state=Watcher(cancel_at=cancel_at),
                                  on_db=Database())
    assert list(folder.iterdir()) == [] and issued(store) == []


def test_a_printout_discarded_after_drawing_leaves_nothing(store: Store, folder: Path) -> None:
    request = make_request(store, status="assigned", crew_id=CREW_A)
    out = folder / "orders.pdf"
    out.write_bytes(b"an older printout")
    printout = printing.draw_work_orders(store, [request.id], out)
    printout.discard()
    assert [p.name for p in folder.iterdir()] == ["orders.pdf"]
    assert out.read_bytes() == b"an older printout" and issued(store) == []


def test_the_active_crews_by_name(store: Store) -> None:
    crews = printing.active_crews(store)
    names = [name for _, name in crews]
    assert names == sorted(names) and CREW_A in {crew_id for crew_id, _ in crews}
