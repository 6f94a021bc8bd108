"""Refused changes kept and settled by a person: re-applied through the desk (with
the photos of a refused walk-in) or discarded, audited either way."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from desktop_app.errors import ServiceError
from desktop_app.services import replica, sync_problems, sync_service
from desktop_app.services.attachments import DEPARTED_FOLDER, Attachments
from desktop_app.services.requests import Desk, WalkIn
from desktop_app.services.sync_problems import REAPPLY
from desktop_app.store import models as m
from desktop_app.store.db import Store
from sync.dates import utcnow
from sync.protocol import Op
from sync.server import operations as ops
from sync.server.changes import log_changes
from sync.server.models import AppliedMutation, OfficeDistrict, ServiceRequest
from sync.workflow import Role
from tests.desktop_app.services.sync_support import (
    centre,
    client,
    count,
    local,
    office,
    sync,
)
from tests.sync.client.harness import (
    CENTRE_ACTOR,
    D1,
    D2,
    Centre,
    neighbourhood_of,
    office_actor,
)

__all__ = ["centre", "client"]  # fixtures used by name


def test_a_refused_change_is_kept_shown_and_settled_by_a_person(
        tmp_path: Path, centre: Centre, client: TestClient) -> None:
    request = centre.intake(D1, address="کوچه ۱")
    store = office(tmp_path, centre, client)
    sync(store, client)
    desk = Desk(store.sessions, office_actor(store))
    desk.edit(request, address="کوچه ۲")
    with centre.sessions.begin() as session:
        session.get(ServiceRequest, request).address = "کوچه ۳"
        ops.touch(session.get(ServiceRequest, request), utcnow())
        log_changes(session, [ops.request_entry(session.get(ServiceRequest, request))])
    report = sync(store, client)
    assert report.conflicts == 1
    (problem,) = sync_problems.open_problems(store)
    assert (problem.kind, problem.reason_code, problem.op) == ("conflict", "stale_edit", "edit_request")
    assert problem.server_value["address"] == "کوچه ۳" and problem.payload["changes"] == {"address": "کوچه ۲"}
    assert local(store, request).address == "کوچه ۳"
    manager = office_actor(store, Role.MANAGER, "boss")
    sync_problems.reapply_problem(store, problem.id, manager)
    assert sync_problems.open_problems(store) == [] and sync_service.pending_count(store) == 1
    with pytest.raises(ServiceError):
        sync_problems.discard_problem(store, problem.id, manager)  # settled once only
    assert sync(store, client).applied == 1
    assert centre.request(request).address == "کوچه ۲"
    with store.sessions() as session:
        settled = session.get(m.SyncProblem, problem.id)
        audit = session.scalars(sa.select(m.AuditEntry.action).where(m.AuditEntry.entity_key == str(request))).all()
    assert (settled.resolution, settled.resolved_by) == ("reapplied", "boss")
    assert audit == ["sync_conflict", "sync_problem_reapplied"]


def test_discarding_accepts_the_centres_value_and_is_audited(
        tmp_path: Path, centre: Centre, client: TestClient) -> None:
    request, crew = centre.intake(D1), centre.add_crew(D1)
    store = office(tmp_path, centre, client)
    sync(store, client)
    Desk(store.sessions, office_actor(store)).assign([request], crew)
    with centre.sessions.begin() as session:
        ops.change_status(session, request, "not_actionable", actor=CENTRE_ACTOR, reason="duplicate")
    sync(store, client)
    (problem,) = sync_problems.open_problems(store)
    assert (problem.kind, problem.reason_code) == ("rejected", "cannot_assign")
    with pytest.raises(ServiceError):  # the desk's own check: a closed request cannot be assigned
        sync_problems.reapply_problem(store, problem.id, office_actor(store))
    assert len(sync_problems.open_problems(store)) == 1
    sync_problems.discard_problem(store, problem.id, office_actor(store))
    assert sync_problems.open_problems(store) == []
    with store.sessions() as session:
        (entry,) = session.scalars(sa.select(m.AuditEntry).where(m.AuditEntry.action == "sync_problem_discarded"))
    assert entry.details["reason_code"] == "cannot_assign" and entry.actor == "clerk"
    with centre.sessions() as session:  # the centre's audit has the refused mutation too
        assert session.scalar(sa.select(sa.func.count()).select_from(AppliedMutation)
                              .where(AppliedMutation.outcome == "rejected")) == 1


def _walk_in_with_a_photo(tmp_path: Path, centre: Centre, client: TestClient,
                         content: bytes) -> tuple[Store, uuid.UUID]:
    """A synced office of D1 and a manager's walk-in in D2 with a clerk's photo."""
    store = office(tmp_path, centre, client)
    sync(store, client)
    walk_in = Desk(store.sessions, office_actor(store, Role.MANAGER, "boss")).register_walk_in(WalkIn(
        citizen_phone="09121234567", neighbourhood_code=neighbourhood_of(D2), category_code="garbage",
        description="پیاده‌رو"))
    Attachments(store.sessions, office_actor(store)).attach(
        walk_in.id, filename="سد معبر.jpg", media_type="image/jpeg", content=content)
    return store, walk_in.id


def _give_d2(centre: Centre) -> None:
    with centre.sessions.begin() as session:
        (office_id,) = session.scalars(sa.select(OfficeDistrict.office_id)).all()
        session.add(OfficeDistrict(office_id=office_id, district_code=D2))


def _refused_walk_in_with_a_photo(tmp_path: Path, centre: Centre, client: TestClient,
                                  content: bytes) -> tuple[Store, m.SyncProblem]:
    """The walk-in of :func:`_walk_in_with_a_photo`, refused: out of the office's scope."""
    store, walk_in_id = _walk_in_with_a_photo(tmp_path, centre, client, content)
    # The walk-in, and its photo's metadata (not_in_scope: no problem of its own; the
    # photo leaves with its request, to the data folder, as the centre lacks it).
    assert sync(store, client).rejected == 2
    assert local(store, walk_in_id) is None and count(store, m.Attachment) == 0
    (problem,) = sync_problems.open_problems(store)
    return store, problem


def test_a_refused_walk_in_registered_again_gets_its_photos_back(
        tmp_path: Path, centre: Centre, client: TestClient) -> None:
    jpeg = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4
    store, problem = _refused_walk_in_with_a_photo(tmp_path, centre, client, jpeg)
    _give_d2(centre)  # the centre gives the office D2 as well
    sync(store, client)
    changes = sync_problems.reapply_problem(store, problem.id, office_actor(store, Role.MANAGER, "boss"))
    (again,) = changes.request_ids
    shelf = Attachments(store.sessions, office_actor(store))
    (photo,) = shelf.of_request(again)
    assert (photo.filename, photo.media_type, photo.added_by) == ("سد معبر.jpg", "image/jpeg", "clerk")
    assert shelf.read(photo.id).content == jpeg
    with store.sessions() as session:
        (added,) = session.scalars(sa.select(m.AuditEntry).where(
            m.AuditEntry.action == "attachment_added", m.AuditEntry.entity_key == str(again))).all()
    assert added.actor == "boss" and added.details["brought_back_from"].endswith("سد معبر.jpg")
    report = sync(store, client)
    # The walk-in and its photo's metadata; then the photo's bytes, by hash.
    assert (report.applied, report.blobs.sent) == (2, 1)
    assert centre.request(again).district_code == D2
    assert centre.app.state.blobs.read(hashlib.sha256(jpeg).hexdigest()) == jpeg


def test_a_walk_in_registered_again_before_the_refused_one_left_gets_its_photos_too(
        tmp_path: Path, centre: Centre, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The refused walk-in stays until its last change is answered (a note added
    after the round began): its photos are copied from it, not from the folder."""
    jpeg = b"\xff\xd8\xff\xe0" + bytes(600)
    store, walk_in_id = _walk_in_with_a_photo(tmp_path, centre, client, jpeg)
    manager = office_actor(store, Role.MANAGER, "boss")
    first = replica.OfficeReplica.outbox_end(replica.OfficeReplica(store.sessions))
    Desk(store.sessions, manager).add_note(walk_in_id, "یادداشت بعدی")
    with monkeypatch.context() as patch:  # the round ends before the note
        patch.setattr(replica.OfficeReplica, "outbox_end", lambda self: first)
        assert sync(store, client).rejected == 2  # the walk-in and its photo (one problem)
    assert local(store, walk_in_id) is not None
    (problem,) = sync_problems.open_problems(store)
    (again,) = sync_problems.reapply_problem(store, problem.id, manager).request_ids
    shelf = Attachments(store.sessions, office_actor(store))
    (photo,) = shelf.of_request(again)
    assert shelf.read(photo.id).content == jpeg and photo.added_by == "clerk"
    _give_d2(centre)  # the centre gives the office D2 as well
    sync(store, client)  # the note is refused, the first walk-in leaves: one photo still
    assert local(store, walk_in_id) is None and len(shelf.of_request(again)) == 1


def test_a_photo_whose_metadata_was_refused_is_not_sent_again_and_again(
        tmp_path: Path, centre: Centre, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The refused walk-in stays (a later change not yet answered) with its photo,
    whose metadata the centre refused: its bytes go up once, the centre knows no
    such photo, and the next rounds do not send them again."""
    jpeg = b"\xff\xd8\xff\xe0" + bytes(700)
    store, walk_in_id = _walk_in_with_a_photo(tmp_path, centre, client, jpeg)
    first = replica.OfficeReplica.outbox_end(replica.OfficeReplica(store.sessions))
    Desk(store.sessions, office_actor(store, Role.MANAGER, "boss")).add_note(walk_in_id, "بعدی")
    monkeypatch.setattr(replica.OfficeReplica, "outbox_end", lambda self: first)
    report = sync(store, client)
    assert report.rejected == 2 and report.blobs.waiting == 1  # tried once: not known
    assert local(store, walk_in_id) is not None and count(store, m.Attachment) == 1
    for _ in range(2):
        report = sync(store, client)
        assert (report.blobs.sent, report.blobs.waiting, report.blobs.failed) == (0, 0, 0)


def test_a_kept_photo_changed_in_the_folder_does_not_come_back(
        tmp_path: Path, centre: Centre, client: TestClient) -> None:
    store, problem = _refused_walk_in_with_a_photo(tmp_path, centre, client, b"\xff\xd8\xff\xe0" + bytes(512))
    (kept,) = (store.folder / DEPARTED_FOLDER).rglob("*.jpg")
    kept.write_bytes(b"\xff\xd8\xff\xe0" + bytes(511))
    changes = sync_problems.reapply_problem(store, problem.id, office_actor(store, Role.MANAGER, "boss"))
    (again,) = changes.request_ids
    assert local(store, again) is not None and Attachments(store.sessions, office_actor(store)).of_request(again) == []


def test_every_operation_has_a_way_to_be_applied_again() -> None:
    assert set(REAPPLY) == set(Op)


def test_a_reapplied_change_and_the_settling_of_its_problem_commit_together(
        tmp_path: Path, centre: Centre, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The desk's change is made in a savepoint of the settling transaction: when the
    settling fails, the change goes with it (nothing queued, the problem still open)."""
    request = centre.intake(D1, address="کوچه ۱")
    store = office(tmp_path, centre, client)
    sync(store, client)
    Desk(store.sessions, office_actor(store)).edit(request, address="کوچه ۲")
    with centre.sessions.begin() as session:
        session.get(ServiceRequest, request).address = "کوچه ۳"
        ops.touch(session.get(ServiceRequest, request), utcnow())
        log_changes(session, [ops.request_entry(session.get(ServiceRequest, request))])
    sync(store, client)
    (problem,) = sync_problems.open_problems(store)
    notes = count(store, m.Event)

    def fail(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(sync_problems, "_settle", fail)
    with pytest.raises(RuntimeError):
        sync_problems.reapply_problem(store, problem.id, office_actor(store, Role.MANAGER, "boss"))
    assert sync_service.pending_count(store) == 0 and count(store, m.Event) == notes
    assert local(store, request).address == "کوچه ۳"
    assert [p.id for p in sync_problems.open_problems(store)] == [problem.id]
