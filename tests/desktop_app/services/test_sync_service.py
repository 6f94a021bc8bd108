"""A sync round over a real office database and the real centre API (in process):
what a first round brings, and a round stopped midway."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from desktop_app.services import replica, sync_service
from desktop_app.store import models as m
from sync.client import SyncError
from tests.desktop_app.services.sync_support import (
    centre,
    client,
    count,
    history,
    local,
    office,
    plain_indexes,
    pull_only,
    sync,
)
from tests.sync.client.harness import (
    D1,
    D2,
    Centre,
)

__all__ = ["centre", "client"]  # fixtures used by name


def test_the_first_sync_brings_reference_data_requests_histories_and_crews(
        tmp_path: Path, centre: Centre, client: TestClient) -> None:
    mine = [centre.intake(D1, description=f"چاله شماره {i}") for i in range(3)]
    centre.intake(D2)
    not_yet = centre.intake(D1, refer=False)
    crew = centre.add_crew(D1)
    store = office(tmp_path, centre, client)
    seen: list[tuple[str, int, int]] = []
    report = sync_service.sync_once(store, client=client, progress=lambda *p: seen.append(p))
    assert report.new_referrals == 3
    assert seen[-1][0] == "pull" and seen[-1][1] == seen[-1][2]
    assert count(store, m.District) > 10 and count(store, m.Category) > 10
    with store.sessions() as session:
        ids = set(session.scalars(sa.select(m.ServiceRequest.id)))
        assert session.get(m.Crew, crew) is not None
    assert ids == {*mine, not_yet}
    assert history(store, mine[0]) == ["created", "status"]
    assert sync_service.last_sync_at(store) is not None
    again = sync(store, client)
    assert (again.pulled, again.new_referrals) == (0, 0)


def test_a_first_pull_that_stops_midway_makes_its_indexes_again(
        tmp_path: Path, centre: Centre, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replica, "BULK_PULL_ENTRIES", 10)
    made = [centre.intake(D1) for _ in range(12)]
    store = office(tmp_path, centre, client)
    full = plain_indexes(store)
    while not any(local(store, r) for r in made):
        pull_only(store, client, limit=8)
    assert plain_indexes(store) == set()
    with pytest.raises(SyncError, match="cancelled"):  # the clerk stops the round
        sync_service.sync_once(store, client=client, cancel=lambda: True)
    assert plain_indexes(store) == full  # not only at the next open or the next round
    sync(store, client)
    assert plain_indexes(store) == full and all(local(store, r) for r in made)
