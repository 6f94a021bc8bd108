"""The wire contract against the schemas: a column added to a synced table is a
decision about the protocol too, taken here on purpose, never by accident."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop_app.store import models as office
from sync.protocol import (
    CREW_COLUMNS,
    EVENT_COLUMNS,
    PAYLOADS,
    REFERENCE_KINDS,
    REQUEST_COLUMNS,
    TIME_COLUMNS,
    UUID_COLUMNS,
    Op,
    PullResponse,
    parse_time,
)
from sync.server import models as centre
from sync.server.reference_io import KINDS


@pytest.mark.parametrize("columns, centre_model, office_model", [
    (REQUEST_COLUMNS, centre.ServiceRequest, office.ServiceRequest),
    (EVENT_COLUMNS, centre.Event, office.Event),
    (CREW_COLUMNS, centre.Crew, office.Crew),
])
def test_synced_tables_travel_whole(columns: tuple[str, ...], centre_model: type, office_model: type) -> None:
    assert set(columns) == {c.name for c in centre_model.__table__.columns}
    # The office's table holds every column that travels (and may add its own).
    assert set(columns) <= {c.name for c in office_model.__table__.columns}


def test_reference_kinds_are_the_centres_in_parent_first_order() -> None:
    assert list(REFERENCE_KINDS) == list(KINDS)


def test_uuid_and_time_columns_are_the_tables_uuid_and_instant_columns() -> None:
    for model in (centre.ServiceRequest, centre.Event, centre.Crew):
        for column in model.__table__.columns:
            kind = type(column.type).__name__
            assert (kind in ("Uuid", "UUID")) == (column.name in UUID_COLUMNS), column
            assert (kind == "UTCDateTime") == (column.name in TIME_COLUMNS), column


def test_every_op_has_a_payload_shape() -> None:
    assert set(PAYLOADS) == set(Op)


def test_instants_travel_with_their_offset_and_naive_ones_are_refused() -> None:
    assert parse_time("2026-03-01T11:30:00+03:30") == dt.datetime(2026, 3, 1, 8, tzinfo=dt.timezone.utc)
    with pytest.raises(ValueError):
        parse_time("2026-03-01T08:00:00")


def test_an_older_app_reads_a_newer_centres_page() -> None:
    """Fields and columns a newer centre adds are ignored, not fatal (sync.md, "Versions")."""
    page = PullResponse.model_validate({
        "protocol_version": 2, "cursor": 0, "next_cursor": 5, "last_seq": 5, "has_more": False,
        "server_time": "2026-03-01T08:00:00Z", "priority_hints": {"x": 1},
        "requests": {"columns": [*REQUEST_COLUMNS, "priority"], "rows": [], "compression": "none"},
    })
    assert page.requests.columns[-1] == "priority" and page.events.columns == list(EVENT_COLUMNS)
