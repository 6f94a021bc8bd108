"""Enrolment: a data folder joins the centre as one office, once, and again after
the centre revoked its device, keeping its data; a new PC for an office goes on with
its walk-in numbering."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from desktop_app.services import enrolment, sync_service
from desktop_app.services.requests import Desk, WalkIn
from desktop_app.store import models as m
from desktop_app.store.db import open_store
from sync.client import SyncError
from sync.dates import utcnow
from sync.server.models import Device
from tests.desktop_app.services.sync_support import (
    centre,
    client,
    history,
    office,
    sync,
)
from tests.sync.client.harness import (
    D1,
    D2,
    Centre,
    neighbourhood_of,
    office_actor,
)

__all__ = ["centre", "client"]  # fixtures used by name


def test_enrolment_keeps_the_offices_identity_and_credential(tmp_path: Path, centre: Centre, client: TestClient) -> None:
    store = open_store(tmp_path / "office")
    assert not enrolment.is_enrolled(store) and enrolment.office_identity(store) is None
    identity = enrolment.enroll(store, "http://localhost/", centre.add_office("Fin", [D2, D1]), client=client)
    assert enrolment.is_enrolled(store)
    assert enrolment.office_identity(store) == identity
    assert (identity.name, identity.number, identity.districts) == ("Fin", 1, (D1, D2))
    with store.sessions() as session:
        assert session.get(m.SyncState, "centre_url").value == "http://localhost"


def test_plain_http_to_another_computer_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    store = open_store(tmp_path / "office")
    with pytest.raises(SyncError) as error:
        enrolment.enroll(store, "http://137.kashan.ir", "CODE")
    assert error.value.code == "insecure_url"
    assert not enrolment.is_enrolled(store)


def test_a_folder_of_one_office_is_not_enrolled_as_another(tmp_path: Path, centre: Centre, client: TestClient) -> None:
    store = office(tmp_path, centre, client)
    code = centre.add_office("B", [D2])
    with pytest.raises(SyncError) as error:
        enrolment.enroll(store, "http://localhost", code, client=client)
    assert error.value.code == "enrolled_elsewhere"
    assert enrolment.office_identity(store).name == "A"
    # The refusal did not use the code up: it still enrols office B's own folder.
    other = open_store(tmp_path / "b")
    assert enrolment.enroll(other, "http://localhost", code, client=client).name == "B"


def test_a_revoked_device_enrols_again_and_keeps_its_data(tmp_path: Path, centre: Centre, client: TestClient) -> None:
    store = office(tmp_path, centre, client)
    request = centre.intake(D1)
    sync(store, client)
    Desk(store.sessions, office_actor(store)).add_note(request, "پیش از ابطال")
    with centre.sessions.begin() as session:
        session.execute(sa.update(Device).values(revoked_at=utcnow()))
    with pytest.raises(SyncError) as error:
        sync(store, client)
    assert error.value.code == "credential_revoked"
    enrolment.enroll(store, "http://localhost", centre.new_code("A"), client=client)
    report = sync(store, client)
    assert report.applied == 1 and sync_service.pending_count(store) == 0
    assert "note" in history(store, request)


def test_a_reinstalled_office_numbers_its_walk_ins_after_those_the_centre_has(
        tmp_path: Path, centre: Centre, client: TestClient) -> None:
    store = office(tmp_path, centre, client)
    sync(store, client)
    first = Desk(store.sessions, office_actor(store)).register_walk_in(WalkIn(
        citizen_phone="09121234567", neighbourhood_code=neighbourhood_of(D1), category_code="garbage",
        description="پیاده‌رو"))
    sync(store, client)
    year, number, serial = first.tracking_code.split("-")
    # A new PC for the same office: an empty folder, enrolled with a fresh code.
    again = open_store(tmp_path / "reinstalled")
    enrolment.enroll(again, "http://localhost", centre.new_code("A"), client=client)
    with again.sessions() as session:
        assert session.get(m.WalkInSerial, int(year)).serial == int(serial)
    sync(again, client)
    second = Desk(again.sessions, office_actor(again)).register_walk_in(WalkIn(
        citizen_phone="09121234567", neighbourhood_code=neighbourhood_of(D1), category_code="garbage",
        description="پیاده‌رو"))
    assert second.tracking_code == f"{year}-{number}-{int(serial) + 1}"
