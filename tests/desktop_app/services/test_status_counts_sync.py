"""The status counters through sync: a first sync (its bulk pages set them aside),
later pulls of changed requests (their triggers), and the desk's own writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from desktop_app.services import replica
from desktop_app.services.request_list import Counts, RequestFilter
from desktop_app.services.request_queries import RequestQueries
from desktop_app.services.requests import Desk
from desktop_app.store.db import Store
from desktop_app.store.status_counts import ensure_counts, suspend_counts
from sync.server import operations as ops
from tests.desktop_app.services.sync_support import (
    centre,
    client,
    office,
    sync,
)
from tests.desktop_app.store.test_status_counts import assert_right
from tests.sync.client.harness import CENTRE_ACTOR, D1, Centre, office_actor

__all__ = ["centre", "client"]  # fixtures used by name


def index_counts(store: Store, filt: RequestFilter) -> Counts:
    """The counts as the index gives them (the counters set aside, then back)."""
    queries = RequestQueries.for_database(store.db_path)
    try:
        with store.engine.begin() as conn:
            suspend_counts(conn)
        return queries.counts(filt)
    finally:
        queries.close()
        with store.engine.begin() as conn:
            ensure_counts(conn)


def test_counters_stay_right_through_first_sync_pulls_and_the_desk(
        tmp_path: Path, centre: Centre, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replica, "BULK_PULL_ENTRIES", 10)  # a "first sync" of several pages
    requests = [centre.intake(D1, address=f"کوچه {i}") for i in range(14)]
    crew = centre.add_crew(D1)
    store = office(tmp_path, centre, client)
    sync(store, client)
    assert_right(store)
    queries = RequestQueries.for_database(store.db_path)
    try:
        first = queries.counts(RequestFilter())
        assert first.total() == 14 and first == index_counts(store, RequestFilter())
        with centre.sessions.begin() as session:  # the centre closes two
            for request in requests[:2]:
                ops.change_status(session, request, "not_actionable", actor=CENTRE_ACTOR,
                                  reason="duplicate")
        sync(store, client)
        assert_right(store)
        Desk(store.sessions, office_actor(store)).assign(requests[2:5], crew)
        assert_right(store)
        after = queries.counts(RequestFilter())
        assert after.by_status["not_actionable"] == 2 and after.by_status["assigned"] == 3
        assert after == index_counts(store, RequestFilter())
        assert queries.counts(RequestFilter(crew=crew)) == index_counts(store, RequestFilter(crew=crew))
    finally:
        queries.close()
