"""The request form's read: one request with its codes named, and its history of
events and photo entries in one order, as plain frozen data (never an ORM row)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.errors import ServiceError
from desktop_app.services.attachments import AUDIT_ADDED, Attachments
from desktop_app.services.request_view import HistoryEntry, RequestSnapshot, load_request
from desktop_app.store.db import Store
from sync.workflow import EventKind, Status
from tests.factories import CLERK, CREW_A, CREW_B, SUPERVISOR, desk, make_request, office

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + bytes(200)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    office_store = office(tmp_path)
    yield office_store
    office_store.close()


def test_a_request_is_read_with_its_codes_named(store: Store) -> None:
    request = make_request(store, latitude=33.98, longitude=51.43)
    desk(store, SUPERVISOR).assign([request.id], CREW_A)

    snap = load_request(store, request.id)

    assert isinstance(snap, RequestSnapshot)
    assert (snap.id, snap.tracking_code, snap.status) == (
        request.id, request.tracking_code, Status.ASSIGNED)
    assert snap.category == ("جمع‌آوری زباله", "Garbage collection")
    assert snap.neighbourhood is not None and snap.neighbourhood[0] == "بازار"
    assert snap.district is not None and snap.channel is not None
    assert (snap.crew, snap.crew_supervisor) == ("اکیپ تنظیف ۱", "حسین رضایی")
    assert snap.assigned_at is not None
    assert (snap.latitude, snap.longitude) == (33.98, 51.43)
    # The assignment waits in the outbox for the centre.
    assert snap.waiting == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.status = Status.DONE  # type: ignore[misc]


def test_the_history_names_people_crews_reasons_and_originals(store: Store) -> None:
    original = make_request(store)
    request = make_request(store)
    desk(store, SUPERVISOR).assign([request.id], CREW_A)
    desk(store, SUPERVISOR).assign([request.id], CREW_B)
    desk(store, SUPERVISOR).change_status([request.id], Status.NOT_ACTIONABLE, reason="duplicate",
                                          note="همان درخواست", duplicate_of=original.id)

    snap = load_request(store, request.id)

    kinds = [entry.kind for entry in snap.history]
    assert kinds == [EventKind.CREATED, EventKind.ASSIGNED, EventKind.ASSIGNED, EventKind.STATUS]
    created, first, second, closed = snap.history
    assert (created.actor, created.pending) == ("centre", False)
    assert (first.crew, first.previous_crew, first.pending) == ("اکیپ تنظیف ۱", "", True)
    assert (second.crew, second.previous_crew) == ("اکیپ آسفالت", "اکیپ تنظیف ۱")
    assert closed.reason is not None and closed.original_code == original.tracking_code
    assert (closed.from_status, closed.to_status, closed.note) == (
        "assigned", "not_actionable", "همان درخواست")
    assert snap.original_code == original.tracking_code
    assert snap.outcome_reason == closed.reason and snap.outcome_note == "همان درخواست"
    assert snap.closed_at is not None


def test_photo_entries_join_the_history_by_time_with_their_kind(store: Store) -> None:
    request = make_request(store)
    Attachments(store.sessions, CLERK).attach(request.id, filename="کوچه.jpg",
                                              media_type="image/jpeg", content=JPEG)
    desk(store).add_note(request.id, "بعد از عکس")

    history = load_request(store, request.id).history

    assert [h.kind for h in history] == [EventKind.CREATED, AUDIT_ADDED, EventKind.NOTE]
    photo = history[1]
    assert isinstance(photo, HistoryEntry)
    # Photos travel with the sync now: not marked as kept at this office.
    assert (photo.filename, photo.office_only, photo.pending) == ("کوچه.jpg", False, False)
    assert (photo.photo_kind, photo.photo_internal) == ("before", False)
    assert not history[2].office_only and history[2].pending


def test_a_request_the_office_no_longer_has_is_an_unknown_request(store: Store) -> None:
    with pytest.raises(ServiceError) as caught:
        load_request(store, uuid.uuid4())
    assert caught.value.code == "unknown_request"
