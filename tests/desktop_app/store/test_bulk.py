"""The bulk writer turns wire values into SQLite's storage form by hand: what it
writes, the ORM must read back as if it had written it itself."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest

from desktop_app.store import models as m
from desktop_app.store.bulk import prepare_rows, table_of
from sync.client import SyncError
from sync.dates import UTC
from sync.protocol import Table
from tests.factories import office

CREW = uuid.UUID("5b0c7a52-61f4-4c8e-9d55-0c3f1b2a9e01")


def crew(version: int, updated_at: str, name: str = "اکیپ شب") -> dict[str, object]:
    return {"id": str(CREW).upper(), "district_code": "1-1", "name": name, "supervisor": "",
            "phone": None, "active": True, "version": version, "updated_at": updated_at}


@pytest.mark.parametrize(("wire", "instant"), [
    ("2026-03-01T08:00:00.123456Z", dt.datetime(2026, 3, 1, 8, 0, 0, 123456, tzinfo=UTC)),
    ("2026-03-01T08:00:00Z", dt.datetime(2026, 3, 1, 8, 0, tzinfo=UTC)),
    ("2026-03-01T11:30:00+03:30", dt.datetime(2026, 3, 1, 8, 0, tzinfo=UTC)),
])
def test_rows_written_in_bulk_read_back_through_the_orm(tmp_path: Path, wire: str,
                                                        instant: dt.datetime) -> None:
    store = office(tmp_path)
    try:
        with store.sessions.begin() as session:
            prepare_rows("crews", table_of([crew(2, wire)]), versioned=True).write(session)
        with store.sessions() as session:
            row = session.get(m.Crew, CREW)
            assert row is not None
            assert (row.name, row.version, row.phone, row.active) == ("اکیپ شب", 2, None, True)
            assert row.updated_at == instant
    finally:
        store.close()


def test_a_versioned_row_is_overwritten_only_by_one_as_new(tmp_path: Path) -> None:
    store = office(tmp_path)
    try:
        for version, name in [(3, "سه"), (2, "دو"), (3, "سه دوباره")]:
            with store.sessions.begin() as session:
                prepare_rows("crews", table_of([crew(version, "2026-03-01T08:00:00Z", name)]),
                             versioned=True).write(session)
        with store.sessions() as session:
            row = session.get(m.Crew, CREW)
            assert row is not None and (row.version, row.name) == (3, "سه دوباره")
    finally:
        store.close()


def test_an_instant_without_an_offset_is_refused() -> None:
    with pytest.raises(ValueError, match="without an offset"):
        prepare_rows("crews", table_of([crew(1, "2026-03-01T08:00:00")]))


def test_columns_the_office_does_not_know_are_left_out_and_short_rows_refused() -> None:
    newer = table_of([{**crew(1, "2026-03-01T08:00:00Z"), "radio_channel": 7}])
    assert "radio_channel" not in prepare_rows("crews", newer).columns
    with pytest.raises(SyncError, match="do not match their columns"):
        prepare_rows("crews", Table(columns=["id", "name"], rows=[[str(CREW)]]))
