"""The office database as the engine's replica: what a pull may and may not overwrite,
how pulled rows are written and indexed, what leaves the office and when."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from desktop_app.services import replica, sync_service
from desktop_app.services.attachments import AUDIT_KEPT, DEPARTED_FOLDER, Attachments
from desktop_app.services.requests import Desk, WalkIn
from desktop_app.store import db as store_db
from desktop_app.store import models as m
from desktop_app.store.db import open_store
from desktop_app.store.fts import AUTOMERGE, BULK_CRISISMERGE, CRISISMERGE
from sync.dates import utcnow
from sync.protocol import REQUEST_COLUMNS
from sync.server import operations as ops
from sync.server.changes import log_changes
from sync.server.models import OfficeDistrict, ServiceRequest
from sync.text import SEARCH_TEXT_RULES, search_text
from sync.workflow import Role
from tests.desktop_app.services.sync_support import (
    centre,
    client,
    count,
    desk_found,
    found,
    history,
    index_is_whole,
    local,
    merging,
    office,
    plain_indexes,
    pull_only,
    sync,
)
from tests.sync.client.harness import (
    CENTRE_ACTOR,
    D1,
    D2,
    D3,
    Centre,
    neighbourhood_of,
    office_actor,
)

__all__ = ["centre", "client"]  # fixtures used by name


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
    monkeypatch.setattr(replica.OfficeReplica, "_remove_requests", staticmethod(fail))
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


def test_a_long_first_pull_sets_indexes_aside_and_a_crash_midway_gets_them_back(
        tmp_path: Path, centre: Centre, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replica, "BULK_PULL_ENTRIES", 10)
    made = [centre.intake(D1, address=f"کوچه شماره {i}") for i in range(12)]
    store = office(tmp_path, centre, client)
    full = plain_indexes(store)
    assert {"ix_requests_received_at", "ix_events_request_id"} <= full
    assert merging(store) == (AUTOMERGE, CRISISMERGE)
    while not any(local(store, r) for r in made):  # past the reference data
        pull_only(store, client, limit=8)
    # Mid-pull: written without the plain indexes and the search index (set aside,
    # made again after the last page), and the desk finds them all the same.
    assert plain_indexes(store) == set() and merging(store) == (0, BULK_CRISISMERGE)
    assert found(store, "کوچه شماره") == set()
    assert desk_found(store, "کوچه شماره") == {r for r in made if local(store, r) is not None} != set()
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
    monkeypatch.setattr(replica, "BULK_PULL_ENTRIES", 10)
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
    # An index a step, then the status counters counted (a step), then the end.
    assert visible == [*range(len(full) + 1), len(full)]
    assert plain_indexes(store) == full and index_is_whole(store)
    assert merging(store) == (AUTOMERGE, CRISISMERGE)


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


# ------------------------------------------------------------- what a page may hold


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
