"""The office end of sync over a real office database and the real centre API (in
process): enrolment, first sync, what a pull may and may not overwrite, refused
changes kept and settled by a person, requests that move away, the command line."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from desktop_app.cli import main as daftar
from desktop_app.services import sync_service
from desktop_app.services.attachments import AUDIT_KEPT, DEPARTED_FOLDER, Attachments
from desktop_app.errors import ServiceError
from desktop_app.services.requests import Desk, WalkIn
from desktop_app.store import db as store_db
from desktop_app.store import models as m
from desktop_app.store.db import Store, open_store
from desktop_app.store.fts import AUTOMERGE, BULK_CRISISMERGE, CRISISMERGE, FTS_TABLE, match_expression
from sync.client import SyncError
from sync.dates import utcnow
from sync.protocol import REQUEST_COLUMNS, PullResponse
from sync.server import db as centre_db
from sync.server import operations as ops
from sync.server.changes import log_changes
from sync.server.models import AppliedMutation, Device, OfficeDistrict, ServiceRequest
from sync.text import SEARCH_TEXT_RULES, search_text
from sync.workflow import Role
from tests.sync.client.harness import (
    CENTRE_ACTOR,
    D1,
    D2,
    D3,
    Centre,
    neighbourhood_of,
    office_actor,
    pull,
)


@pytest.fixture
def centre(tmp_path: Path) -> Centre:
    """A SQLite centre: the office end does not care which database the centre runs on
    (the end-to-end tests on PostgreSQL are in tests/sync)."""
    engine = centre_db.open_engine(f"sqlite:///{tmp_path / 'centre.sqlite3'}")
    centre_db.upgrade(engine)
    return Centre.on(engine)


@pytest.fixture
def client(centre: Centre) -> TestClient:
    return centre.client()


def office(tmp_path: Path, centre: Centre, client: TestClient, districts=(D1,), name: str = "A",
           folder: str = "office") -> Store:
    store = open_store(tmp_path / folder)
    sync_service.enroll(store, "http://localhost", centre.add_office(name, districts), client=client)
    return store


def sync(store: Store, client: TestClient) -> sync_service.SyncReport:
    return sync_service.sync_once(store, client=client)


def pull_only(store: Store, client: TestClient, edit: Callable[[dict[str, Any]], None] = lambda body: None,
              limit: int | None = None, **params: int) -> None:
    """The next page applied as a round would, but with nothing pushed first (as when
    the clerk acts while a round is between its push and its pull)."""
    office_store = sync_service.OfficeStore(store.sessions)
    with store.sessions() as session:
        credential = session.get(m.SyncState, "credential").value
    body = pull(client, credential, office_store.cursor(), limit, **params)
    edit(body)
    office_store.apply_page(PullResponse.model_validate(body))


def local(store: Store, request_id: uuid.UUID) -> m.ServiceRequest | None:
    with store.sessions() as session:
        return session.get(m.ServiceRequest, request_id)


def history(store: Store, request_id: uuid.UUID) -> list[str]:
    with store.sessions() as session:
        return sorted(session.scalars(sa.select(m.Event.kind).where(m.Event.request_id == request_id)))


def count(store: Store, model: type) -> int:
    with store.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model))


# ------------------------------------------------------------------ enrolment


def test_enrolment_keeps_the_offices_identity_and_credential(tmp_path: Path, centre: Centre, client: TestClient) -> None:
    store = open_store(tmp_path / "office")
    assert not sync_service.is_enrolled(store) and sync_service.office_identity(store) is None
    identity = sync_service.enroll(store, "http://localhost/", centre.add_office("Fin", [D2, D1]), client=client)
    assert sync_service.is_enrolled(store)
    assert sync_service.office_identity(store) == identity
    assert (identity.name, identity.number, identity.districts) == ("Fin", 1, (D1, D2))
    with store.sessions() as session:
        assert session.get(m.SyncState, "centre_url").value == "http://localhost"


def test_plain_http_to_another_computer_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    store = open_store(tmp_path / "office")
    with pytest.raises(SyncError) as error:
        sync_service.enroll(store, "http://137.kashan.ir", "CODE")
    assert error.value.code == "insecure_url"
    assert not sync_service.is_enrolled(store)


def test_a_folder_of_one_office_is_not_enrolled_as_another(tmp_path: Path, centre: Centre, client: TestClient) -> None:
    store = office(tmp_path, centre, client)
    code = centre.add_office("B", [D2])
    with pytest.raises(SyncError) as error:
        sync_service.enroll(store, "http://localhost", code, client=client)
    assert error.value.code == "enrolled_elsewhere"
    assert sync_service.office_identity(store).name == "A"
    # The refusal did not use the code up: it still enrols office B's own folder.
    other = open_store(tmp_path / "b")
    assert sync_service.enroll(other, "http://localhost", code, client=client).name == "B"


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
    sync_service.enroll(store, "http://localhost", centre.new_code("A"), client=client)
    report = sync(store, client)
    assert report.applied == 1 and sync_service.pending_count(store) == 0
    assert "note" in history(store, request)


# ----------------------------------------------------------------- first sync


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


def test_pulled_rows_read_back_exactly_as_the_centre_holds_them(
        tmp_path: Path, centre: Centre, client: TestClient) -> None:
    """The fast writer turns wire values into SQLite's storage form by hand: the ORM
    must read back what the centre has, to the microsecond."""
    request = centre.intake(D1, citizen_name="علي كاشاني", address="كوچه ۵", latitude=33.987654,
                            longitude=51.4321)
    crew = centre.add_crew(D1)
    with centre.sessions.begin() as session:
        ops.change_status(session, request, "not_actionable", actor=CENTRE_ACTOR, reason="duplicate", note="تکراری")
    store = office(tmp_path, centre, client)
    sync(store, client)
    theirs = centre.request(request)
    mine = local(store, request)
    for column in REQUEST_COLUMNS:
        assert getattr(mine, column) == getattr(theirs, column), column
    assert mine.search_text == search_text(theirs.tracking_code, theirs.citizen_name, theirs.citizen_phone,
                                           theirs.address, theirs.description)
    with store.sessions() as session:
        found = session.scalars(sa.select(m.ServiceRequest.id)
                                .where(m.ServiceRequest.search_text.contains("علی کاشانی"))).all()
        assert found == [request]
        assert session.get(m.Crew, crew).updated_at.tzinfo is not None
        events = session.scalars(sa.select(m.Event).where(m.Event.request_id == request)).all()
        assert all(e.server_time is not None for e in events)


def found(store: Store, query: str) -> set[uuid.UUID]:
    """The requests the search index finds for ``query``."""
    with store.engine.connect() as conn:
        return {uuid.UUID(key) for key in conn.exec_driver_sql(
            f"SELECT r.id FROM {FTS_TABLE} f JOIN requests r ON r.rowid = f.rowid "
            f"WHERE {FTS_TABLE} MATCH ?", (match_expression(query),)).scalars()}


def index_is_whole(store: Store) -> bool:
    """FTS5's own check of the index against every row of ``requests``, and the
    triggers that keep it so for the desk."""
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")
        triggers = set(conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'requests'").scalars())
    return triggers == {f"{FTS_TABLE}_ai", f"{FTS_TABLE}_au", f"{FTS_TABLE}_ad"}


def test_search_follows_pulled_requests_and_a_page_that_fails_leaves_it_whole(
        tmp_path: Path, centre: Centre, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages index their requests in bulk, with the row triggers off meanwhile."""
    first = centre.intake(D1, address="خیابان امیرکبیر")
    store = office(tmp_path, centre, client)
    sync(store, client)
    assert found(store, "امیرکبیر") == {first} and index_is_whole(store)
    with centre.sessions.begin() as session:
        request = session.get(ServiceRequest, first)
        request.address = "میدان کمال‌الملک"
        ops.touch(request, utcnow())
        log_changes(session, [ops.request_entry(request)])
    second = centre.intake(D1, address="کوچه باغ")

    def fail(*_args: Any) -> None:
        raise RuntimeError("the disk is full")

    # The page's requests are written and indexed, then the page fails.
    monkeypatch.setattr(sync_service.OfficeStore, "_remove_requests", staticmethod(fail))
    with pytest.raises(RuntimeError):
        sync(store, client)
    assert local(store, second) is None
    assert found(store, "امیرکبیر") == {first} and found(store, "کوچه باغ") == set()
    assert index_is_whole(store)
    monkeypatch.undo()
    sync(store, client)
    assert found(store, "امیرکبیر") == set()
    assert found(store, "کمال الملک") == {first} and found(store, "کوچه باغ") == {second}
    assert index_is_whole(store)
    # The desk's own writes are indexed by the triggers again.
    Desk(store.sessions, office_actor(store)).edit(second, address="کوچه گلستان")
    assert found(store, "کوچه باغ") == set() and found(store, "گلستان") == {second}
    assert index_is_whole(store)


def plain_indexes(store: Store) -> set[str]:
    with store.engine.connect() as conn:
        return set(conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('requests', 'events')").scalars())


def merging(store: Store) -> tuple[int, int]:
    """The search index's ``automerge`` and ``crisismerge``, FTS5's defaults where unset."""
    with store.engine.connect() as conn:
        config = dict(conn.exec_driver_sql(f"SELECT k, v FROM {FTS_TABLE}_config").all())
    return config.get("automerge", AUTOMERGE), config.get("crisismerge", CRISISMERGE)


def test_a_long_first_pull_sets_indexes_aside_and_a_crash_midway_gets_them_back(
        tmp_path: Path, centre: Centre, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync_service, "BULK_PULL_ENTRIES", 10)
    made = [centre.intake(D1, address=f"کوچه شماره {i}") for i in range(12)]
    store = office(tmp_path, centre, client)
    full = plain_indexes(store)
    assert {"ix_requests_received_at", "ix_events_request_id"} <= full
    assert merging(store) == (AUTOMERGE, CRISISMERGE)
    while not any(local(store, r) for r in made):  # past the reference data
        pull_only(store, client, limit=8)
    # Mid-pull: written without the plain indexes, and searchable all the same; the
    # search index's segments wait to be merged.
    assert plain_indexes(store) == set() and merging(store) == (0, BULK_CRISISMERGE)
    assert found(store, "کوچه شماره") == {r for r in made if local(store, r) is not None} != set()
    store.close()  # the office stops here, as in a crash: opening makes the indexes again
    store = open_store(tmp_path / "office")
    assert plain_indexes(store) == full and merging(store) == (AUTOMERGE, CRISISMERGE)
    pull_only(store, client, limit=8)  # the rest is still more than the office holds
    assert plain_indexes(store) == set()
    sync(store, client)
    assert plain_indexes(store) == full and index_is_whole(store)
    assert merging(store) == (AUTOMERGE, CRISISMERGE)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        assert conn.exec_driver_sql("SELECT count(*) FROM sync_state WHERE key = 'suspended_indexes'").scalar() == 0
    assert found(store, "کوچه شماره") == set(made)
    # A pull smaller than what the office holds keeps its indexes all along.
    for i in range(6):
        centre.intake(D1, address=f"میدان {i}")
    pull_only(store, client, limit=4)
    assert plain_indexes(store) == full
    sync(store, client)
    assert plain_indexes(store) == full and len(found(store, "میدان")) == 6


def test_the_indexes_a_pull_set_aside_come_back_one_transaction_each(
        tmp_path: Path, centre: Centre, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """So that the desk, saving while a first sync ends, waits for one index at most."""
    monkeypatch.setattr(sync_service, "BULK_PULL_ENTRIES", 10)
    for i in range(12):
        centre.intake(D1, address=f"کوچه {i}")
    store = office(tmp_path, centre, client)
    full = plain_indexes(store)
    while plain_indexes(store):
        pull_only(store, client, limit=8)
    visible: list[int] = []  # indexes another connection sees as each step begins
    step = store_db._restore_next

    def watched(conn: sa.Connection) -> bool:
        with sqlite3.connect(store.db_path) as other:
            visible.append(other.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                "AND tbl_name IN ('requests', 'events')").fetchone()[0])
        return step(conn)

    monkeypatch.setattr(store_db, "_restore_next", watched)
    sync(store, client)
    assert visible == list(range(len(full) + 1))
    assert plain_indexes(store) == full and index_is_whole(store)
    assert merging(store) == (AUTOMERGE, CRISISMERGE)


def test_a_first_pull_that_stops_midway_makes_its_indexes_again(
        tmp_path: Path, centre: Centre, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync_service, "BULK_PULL_ENTRIES", 10)
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


# ------------------------------------------------------ what a pull may overwrite


def test_a_pull_never_overwrites_a_change_the_centre_has_not_answered(
        tmp_path: Path, centre: Centre, client: TestClient) -> None:
    request, crew = centre.intake(D1), centre.add_crew(D1)
    store = office(tmp_path, centre, client)
    sync(store, client)
    Desk(store.sessions, office_actor(store)).assign([request], crew)
    with centre.sessions.begin() as session:  # meanwhile at the centre
        ops.change_status(session, request, "not_actionable", actor=CENTRE_ACTOR, reason="duplicate")
    pull_only(store, client)
    assert local(store, request).status == "assigned"  # the clerk's change still shows
    report = sync(store, client)
    assert report.rejected == 1  # the centre had closed it: refused
    assert report.pulled == 1  # and its row logged once more, so it comes back
    row = local(store, request)
    assert (row.status, row.crew_id) == ("not_actionable", None)  # the centre's, back again
    assert history(store, request) == ["created", "status", "status"]  # no assigned event left


# --------------------------------------------------------------- sync problems


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
    (problem,) = sync_service.open_problems(store)
    assert (problem.kind, problem.reason_code, problem.op) == ("conflict", "stale_edit", "edit_request")
    assert problem.server_value["address"] == "کوچه ۳" and problem.payload["changes"] == {"address": "کوچه ۲"}
    assert local(store, request).address == "کوچه ۳"
    manager = office_actor(store, Role.MANAGER, "boss")
    sync_service.reapply_problem(store, problem.id, manager)
    assert sync_service.open_problems(store) == [] and sync_service.pending_count(store) == 1
    with pytest.raises(ServiceError):
        sync_service.discard_problem(store, problem.id, manager)  # settled once only
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
    (problem,) = sync_service.open_problems(store)
    assert (problem.kind, problem.reason_code) == ("rejected", "cannot_assign")
    with pytest.raises(ServiceError):  # the desk's own check: a closed request cannot be assigned
        sync_service.reapply_problem(store, problem.id, office_actor(store))
    assert len(sync_service.open_problems(store)) == 1
    sync_service.discard_problem(store, problem.id, office_actor(store))
    assert sync_service.open_problems(store) == []
    with store.sessions() as session:
        (entry,) = session.scalars(sa.select(m.AuditEntry).where(m.AuditEntry.action == "sync_problem_discarded"))
    assert entry.details["reason_code"] == "cannot_assign" and entry.actor == "clerk"
    with centre.sessions() as session:  # the centre's audit has the refused mutation too
        assert session.scalar(sa.select(sa.func.count()).select_from(AppliedMutation)
                              .where(AppliedMutation.outcome == "rejected")) == 1


def test_a_refused_walk_in_and_a_refused_crew_leave_the_office_but_not_its_problems(
        tmp_path: Path, centre: Centre, client: TestClient) -> None:
    store = office(tmp_path, centre, client)
    sync(store, client)
    manager = office_actor(store, Role.MANAGER, "boss")
    desk = Desk(store.sessions, manager)
    # The desk lets a manager pick any district; the centre keeps the office to its own.
    crew = desk.save_crew(name="اکیپ ناحیه دیگر", district_code=D2)
    walk_in = desk.register_walk_in(WalkIn(citizen_phone="09121234567", neighbourhood_code=neighbourhood_of(D2),
                                           category_code="garbage", description="پیاده‌رو"))
    Desk(store.sessions, manager).add_note(walk_in.id, "پیگیری")
    report = sync(store, client)
    assert report.rejected == 3
    assert local(store, walk_in.id) is None and history(store, walk_in.id) == []
    with store.sessions() as session:
        assert session.get(m.Crew, crew.id) is None
    assert {p.op for p in sync_service.open_problems(store)} == {"create_request", "upsert_crew", "add_note"}
    assert {p.reason_code for p in sync_service.open_problems(store)} == {"not_in_scope"}


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
    assert sync(store, client).rejected == 1
    assert local(store, walk_in_id) is None and count(store, m.Attachment) == 0
    (problem,) = sync_service.open_problems(store)
    return store, problem


def test_a_refused_walk_in_registered_again_gets_its_photos_back(
        tmp_path: Path, centre: Centre, client: TestClient) -> None:
    jpeg = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4
    store, problem = _refused_walk_in_with_a_photo(tmp_path, centre, client, jpeg)
    _give_d2(centre)  # the centre gives the office D2 as well
    sync(store, client)
    changes = sync_service.reapply_problem(store, problem.id, office_actor(store, Role.MANAGER, "boss"))
    (again,) = changes.request_ids
    shelf = Attachments(store.sessions, office_actor(store))
    (photo,) = shelf.of_request(again)
    assert (photo.filename, photo.media_type, photo.added_by) == ("سد معبر.jpg", "image/jpeg", "clerk")
    assert shelf.read(photo.id).content == jpeg
    with store.sessions() as session:
        (added,) = session.scalars(sa.select(m.AuditEntry).where(
            m.AuditEntry.action == "attachment_added", m.AuditEntry.entity_key == str(again))).all()
    assert added.actor == "boss" and added.details["brought_back_from"].endswith("سد معبر.jpg")
    assert sync(store, client).applied == 1
    assert centre.request(again).district_code == D2


def test_a_walk_in_registered_again_before_the_refused_one_left_gets_its_photos_too(
        tmp_path: Path, centre: Centre, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The refused walk-in stays until its last change is answered (a note added
    after the round began): its photos are copied from it, not from the folder."""
    jpeg = b"\xff\xd8\xff\xe0" + bytes(600)
    store, walk_in_id = _walk_in_with_a_photo(tmp_path, centre, client, jpeg)
    manager = office_actor(store, Role.MANAGER, "boss")
    first = sync_service.OfficeStore.outbox_end(sync_service.OfficeStore(store.sessions))
    Desk(store.sessions, manager).add_note(walk_in_id, "یادداشت بعدی")
    with monkeypatch.context() as patch:  # the round ends before the note
        patch.setattr(sync_service.OfficeStore, "outbox_end", lambda self: first)
        assert sync(store, client).rejected == 1
    assert local(store, walk_in_id) is not None
    (problem,) = sync_service.open_problems(store)
    (again,) = sync_service.reapply_problem(store, problem.id, manager).request_ids
    shelf = Attachments(store.sessions, office_actor(store))
    (photo,) = shelf.of_request(again)
    assert shelf.read(photo.id).content == jpeg and photo.added_by == "clerk"
    _give_d2(centre)  # the centre gives the office D2 as well
    sync(store, client)  # the note is refused, the first walk-in leaves: one photo still
    assert local(store, walk_in_id) is None and len(shelf.of_request(again)) == 1


def test_a_kept_photo_changed_in_the_folder_does_not_come_back(
        tmp_path: Path, centre: Centre, client: TestClient) -> None:
    store, problem = _refused_walk_in_with_a_photo(tmp_path, centre, client, b"\xff\xd8\xff\xe0" + bytes(512))
    (kept,) = (store.folder / DEPARTED_FOLDER).rglob("*.jpg")
    kept.write_bytes(b"\xff\xd8\xff\xe0" + bytes(511))
    changes = sync_service.reapply_problem(store, problem.id, office_actor(store, Role.MANAGER, "boss"))
    (again,) = changes.request_ids
    assert local(store, again) is not None and Attachments(store.sessions, office_actor(store)).of_request(again) == []


def test_offline_edits_of_a_crew_build_on_each_other(tmp_path: Path, centre: Centre, client: TestClient) -> None:
    store = office(tmp_path, centre, client)
    sync(store, client)
    desk = Desk(store.sessions, office_actor(store, Role.MANAGER, "boss"))
    crew = desk.save_crew(name="اکیپ ۱", district_code=D1)
    desk.save_crew(name="اکیپ یک", district_code=D1, crew_id=crew.id)
    desk.save_crew(name="اکیپ یکم", district_code=D1, crew_id=crew.id, phone="09131112233")
    report = sync(store, client)
    assert (report.applied, report.conflicts) == (3, 0)
    with store.sessions() as session:
        mine = session.get(m.Crew, crew.id)
    assert (mine.name, mine.version, mine.phone) == ("اکیپ یکم", 3, "09131112233")


# -------------------------------------------------------------------- moves


def test_a_moved_request_leaves_at_once_or_once_its_changes_are_answered(
        tmp_path: Path, centre: Centre, client: TestClient) -> None:
    quiet, busy = centre.intake(D1), centre.intake(D1)
    store = office(tmp_path, centre, client)
    sync(store, client)
    Desk(store.sessions, office_actor(store)).add_note(busy, "یادداشت نفرستاده")
    with centre.sessions.begin() as session:
        ops.move(session, quiet, D2, actor=CENTRE_ACTOR)
        ops.move(session, busy, D2, actor=CENTRE_ACTOR)
    pull_only(store, client)
    assert local(store, quiet) is None and history(store, quiet) == []
    assert local(store, busy) is not None  # waits for its note's answer
    report = sync(store, client)
    assert report.rejected == 1  # the note came too late: the request is D2's now
    assert local(store, busy) is None and history(store, busy) == []
    (problem,) = sync_service.open_problems(store)
    assert problem.reason_code == "not_in_scope" and problem.server_value is None


def test_the_photos_of_a_moved_request_are_kept_in_the_data_folder(
        tmp_path: Path, centre: Centre, client: TestClient) -> None:
    """Photos never reach the centre (desktop_app.services.attachments): when the
    request leaves, they are written out with an audit entry, not deleted with it."""
    moved = centre.intake(D1)
    store = office(tmp_path, centre, client)
    sync(store, client)
    jpeg = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4
    Attachments(store.sessions, office_actor(store)).attach(
        moved, filename="کوچه: قبل.jpg", media_type="image/jpeg", content=jpeg)
    code = local(store, moved).tracking_code
    with centre.sessions.begin() as session:
        ops.move(session, moved, D2, actor=CENTRE_ACTOR)
    sync(store, client)
    assert local(store, moved) is None and count(store, m.Attachment) == 0
    kept = store.folder / DEPARTED_FOLDER / code / "کوچه_ قبل.jpg"
    assert kept.read_bytes() == jpeg
    with store.sessions() as session:
        (entry,) = session.scalars(sa.select(m.AuditEntry)
                                   .where(m.AuditEntry.action == AUDIT_KEPT)).all()
    assert entry.entity_key == str(moved) and entry.details["kept_as"] == str(kept)


def test_a_change_of_districts_at_the_centre_resyncs_the_office(
        tmp_path: Path, centre: Centre, client: TestClient) -> None:
    one, two = centre.intake(D1), centre.intake(D2)
    store = office(tmp_path, centre, client)
    sync(store, client)
    assert local(store, two) is None
    with centre.sessions.begin() as session:
        (office_id,) = session.scalars(sa.select(OfficeDistrict.office_id)).all()
        session.execute(sa.delete(OfficeDistrict))
        session.add_all([OfficeDistrict(office_id=office_id, district_code=D2),
                         OfficeDistrict(office_id=office_id, district_code=D3)])
    sync(store, client)
    assert local(store, one) is None and local(store, two) is not None
    assert sync_service.office_identity(store).districts == (D2, D3)


# -------------------------------------------------------------- command line


def test_daftar_sync_fails_with_one_line_when_not_enrolled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert daftar(["--data-dir", str(tmp_path), "sync"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["daftar: error: this office has not joined a centre: run `daftar enroll URL CODE`"]


def test_daftar_enroll_refuses_plain_http_to_another_computer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert daftar(["--data-dir", str(tmp_path), "enroll", "http://10.0.0.7:8137", "ABCD"]) == 1
    assert "--allow-insecure" in capsys.readouterr().err


def test_daftar_sync_reports_the_round(tmp_path: Path, centre: Centre, client: TestClient,
                                       capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    store = office(tmp_path, centre, client)
    store.close()
    centre.intake(D1)
    real = sync_service.sync_once
    monkeypatch.setattr(sync_service, "sync_once", lambda s, **kw: real(s, client=client, **kw))
    assert daftar(["--data-dir", str(tmp_path / "office"), "sync"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("sync: pushed 0 (0 applied, 0 rejected, 0 conflicts), pulled ")
    assert out.rstrip().endswith("1 new referrals")
    assert dt.datetime.now(dt.timezone.utc) - sync_service.last_sync_at(open_store(tmp_path / "office")) \
        < dt.timedelta(minutes=1)


def test_columns_a_newer_centre_adds_are_left_out_not_fatal(
        tmp_path: Path, centre: Centre, client: TestClient) -> None:
    request = centre.intake(D1)
    store = office(tmp_path, centre, client)

    def newer(body: dict[str, Any]) -> None:
        body["requests"]["columns"].append("priority")
        for row in body["requests"]["rows"]:
            row.append("urgent")

    pull_only(store, client, newer)
    assert local(store, request).status == "referred"


@pytest.mark.parametrize("rules", [SEARCH_TEXT_RULES + 1, None])
def test_search_texts_made_by_other_rules_are_made_again_here(
        tmp_path: Path, centre: Centre, client: TestClient, rules: int | None) -> None:
    """A centre's texts are taken only when the page says they follow the office's own
    rules; a column of that name under other rules (or none) is made anew."""
    request = centre.intake(D1, citizen_name="علي كاشاني")
    store = office(tmp_path, centre, client)

    def other_rules(body: dict[str, Any]) -> None:
        assert body["search_text_rules"] == SEARCH_TEXT_RULES
        body["search_text_rules"] = rules
        for row in body["requests"]["rows"]:
            row[-1] = "made by other rules"

    pull_only(store, client, other_rules, search_text_rules=SEARCH_TEXT_RULES)
    theirs = centre.request(request)
    assert local(store, request).search_text == search_text(
        theirs.tracking_code, theirs.citizen_name, theirs.citizen_phone, theirs.address, theirs.description)
    assert found(store, "علی کاشانی") == {request} and index_is_whole(store)


def test_search_texts_by_the_offices_rules_are_taken_as_the_centre_made_them(
        tmp_path: Path, centre: Centre, client: TestClient) -> None:
    request = centre.intake(D1)
    store = office(tmp_path, centre, client)

    def marked(body: dict[str, Any]) -> None:
        (row,) = body["requests"]["rows"]
        row[body["requests"]["columns"].index("search_text")] += " made at the centre"

    pull_only(store, client, marked, search_text_rules=SEARCH_TEXT_RULES)
    assert local(store, request).search_text.endswith(" made at the centre")
    assert found(store, "made at the centre") == {request} and index_is_whole(store)


def test_a_row_that_comes_back_unchanged_is_not_written_again(
        tmp_path: Path, centre: Centre, client: TestClient) -> None:
    """The centre logs an entity again with every answer it gives; such a row, the
    same as the office's, is left alone rather than rewritten in every index."""
    same, changed = centre.intake(D1), centre.intake(D1)
    store = office(tmp_path, centre, client)
    sync(store, client)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE rewritten (id TEXT)")
        conn.exec_driver_sql("CREATE TRIGGER note_rewrite AFTER UPDATE ON requests "
                             "BEGIN INSERT INTO rewritten VALUES (new.id); END")
    with centre.sessions.begin() as session:
        ops.change_status(session, changed, "not_actionable", actor=CENTRE_ACTOR, reason="duplicate")
        log_changes(session, [ops.request_entry(session.get(ServiceRequest, same))])
    sync(store, client)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT id FROM rewritten").scalars().all() == [changed.hex]
    assert local(store, changed).status == "not_actionable" and local(store, same).status == "referred"
