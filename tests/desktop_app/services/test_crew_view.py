"""The crew dialogs' reads: every crew with the districts it may belong to, and the
active crews offered for an assignment with their open work, the requests' own
district first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.services import crew_view
from desktop_app.services.scope import OfficeScope
from desktop_app.services.crew_view import CrewRow, load_assign_choices, load_crews
from desktop_app.store import models as m
from desktop_app.store.db import Store
from sync.dates import UTC
from sync.schema import new_id
from tests.factories import CREW_A, CREW_B, SUPERVISOR, desk, make_request, office


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    office_store = office(tmp_path)
    yield office_store
    office_store.close()


def add_crew(store: Store, name: str, district: str, *, active: bool = True) -> m.Crew:
    crew = m.Crew(id=new_id(), district_code=district, name=name, supervisor="", phone=None,
                  active=active, version=1, updated_at=dt.datetime(2026, 3, 1, tzinfo=UTC))
    with store.sessions.begin() as session:
        session.add(crew)
    return crew


def test_the_crew_list_puts_active_crews_first_and_adds_their_districts(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # An office enrolled for two districts of region 1.
    monkeypatch.setattr(crew_view, "office_scope", lambda _store: OfficeScope(("1-1", "1-2"), False))
    retired = add_crew(store, "اکیپ الف", "1-1", active=False)
    helper = add_crew(store, "اکیپ کمکی", "2-1")

    listed = load_crews(store)

    assert [c.id for c in listed.crews] == [CREW_B, CREW_A, helper.id, retired.id]
    assert listed.crews[0] == CrewRow(CREW_B, "اکیپ آسفالت", "علی محمدی", "09134445566",
                                      "1-1", True)
    assert listed.crews[-1].phone == "" and not listed.crews[-1].active
    # The office's own districts, then the one a crew from elsewhere belongs to.
    assert [code for code, _ in listed.districts] == ["1-1", "1-2", "2-1"]
    assert dict(listed.districts)["1-1"][0] == "ناحیه ۱ منطقه ۱"


def test_an_assignment_offers_active_crews_own_district_first_with_their_open_work(
        store: Store) -> None:
    add_crew(store, "اکیپ کمکی", "2-1")
    add_crew(store, "اکیپ الف", "1-1", active=False)
    first, second = make_request(store), make_request(store)
    busy = make_request(store)
    desk(store, SUPERVISOR).assign([busy.id], CREW_B)

    choices = load_assign_choices(store, [second.id, first.id])

    assert choices.tracking_codes == (first.tracking_code, second.tracking_code)
    assert choices.current_crew is None
    assert [(c.name, c.open_work) for c in choices.crews] == [
        ("اکیپ آسفالت", 1), ("اکیپ تنظیف ۱", 0), ("اکیپ کمکی", 0)]
    assert choices.crews[0].district is not None

    desk(store, SUPERVISOR).assign([first.id, second.id], CREW_A)
    assert load_assign_choices(store, [first.id, second.id]).current_crew == CREW_A
