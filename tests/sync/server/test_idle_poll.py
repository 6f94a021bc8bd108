"""An office's poll every 30 s: with nothing new for it, hello says so (``changes_after``)
and writes nothing; a change in its districts (or for everyone) says there is more."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from sync.protocol import HelloResponse
from sync.server.auth import SEEN_PRECISION
from sync.server.models import Device
from tests.sync.client.harness import D1, D2, Centre, auth_headers, pull_all


@pytest.fixture
def centre(centre_engine: sa.Engine) -> Centre:
    return Centre.on(centre_engine)


def hello(centre: Centre, credential: str, cursor: int | None) -> HelloResponse:
    params = {} if cursor is None else {"cursor": cursor}
    response = centre.client().get("/sync/hello", headers=auth_headers(credential), params=params)
    assert response.status_code == 200, response.text
    return HelloResponse.model_validate(response.json())


def caught_up(centre: Centre, credential: str) -> int:
    """The cursor of an office that has pulled everything."""
    pages = pull_all(centre.client(), credential)
    return pages[-1]["next_cursor"]


def test_hello_with_the_cursor_says_whether_a_pull_would_bring_anything(centre: Centre) -> None:
    credential = centre.enrol(centre.add_office("A", [D1]))
    assert hello(centre, credential, 0).changes_after is True  # the reference data
    cursor = caught_up(centre, credential)
    assert hello(centre, credential, cursor).changes_after is False
    centre.intake(D2)  # another district's referral: nothing for A
    other = hello(centre, credential, cursor)
    assert other.changes_after is False and other.last_seq > cursor
    centre.intake(D1)
    assert hello(centre, credential, cursor).changes_after is True
    # A cursor past the log (a centre restored from an older copy): only a pull settles it.
    assert hello(centre, credential, other.last_seq + 100).changes_after is True
    # Not asked: not answered (the hello of an office that predates the question).
    assert hello(centre, credential, None).changes_after is None


def test_an_office_of_every_district_hears_of_every_change(centre: Centre) -> None:
    credential = centre.enrol(centre.add_office("centre", all_districts=True))
    cursor = caught_up(centre, credential)
    centre.intake(D2)
    assert hello(centre, credential, cursor).changes_after is True


def test_last_seen_is_written_once_per_precision_not_on_every_poll(centre: Centre) -> None:
    credential = centre.enrol(centre.add_office("A", [D1]))
    hello(centre, credential, 0)
    with centre.sessions() as session:
        first = session.scalar(sa.select(Device.last_seen_at))
    assert first is not None
    hello(centre, credential, 0)
    with centre.sessions() as session:
        assert session.scalar(sa.select(Device.last_seen_at)) == first
    # Older than the precision: the next hello records it again.
    with centre.sessions.begin() as session:
        session.execute(sa.update(Device).values(last_seen_at=first - SEEN_PRECISION - dt.timedelta(seconds=1)))
    hello(centre, credential, 0)
    with centre.sessions() as session:
        assert session.scalar(sa.select(Device.last_seen_at)) > first - dt.timedelta(seconds=1)
