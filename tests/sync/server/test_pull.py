"""Pull: pages of current state after a cursor, per office scope, gap-free under
concurrent writers, and moves that leave one office and arrive whole at another."""

from __future__ import annotations

import random
import threading
import time
import uuid

import pytest
import sqlalchemy as sa

from sync.server import db as centre_db
from sync.server import operations as ops
from sync.protocol import (
    EVENT_COLUMNS,
    LAST_SEQ_HEADER,
    NEXT_CURSOR_HEADER,
    REQUEST_COLUMNS,
    TIME_COLUMNS,
    UUID_COLUMNS,
    parse_time,
)
from sync.server.models import ChangeLog, Crew, Event, ServiceRequest
from sync.text import SEARCH_TEXT_RULES, search_text
from tests.sync.client.harness import (
    CENTRE_ACTOR,
    D1,
    D2,
    D3,
    Centre,
    auth_headers,
    pull,
    pull_all,
    rows,
)


@pytest.fixture
def centre(centre_engine: sa.Engine) -> Centre:
    return Centre.on(centre_engine)


def test_pages_chain_cursor_to_cursor_and_end_at_the_last_change(centre: Centre) -> None:
    office = centre.enrol(centre.add_office("A", [D1]))
    made = {centre.intake(D1) for _ in range(6)} | {centre.intake(D2)}
    pages = pull_all(centre.client(), office, limit=5)
    assert len(pages) > 3
    for before, after in zip(pages, pages[1:]):
        assert after["cursor"] == before["next_cursor"] > before["cursor"]
        assert before["has_more"]
    assert not pages[-1]["has_more"]
    with centre.sessions() as session:
        assert pages[-1]["next_cursor"] == pages[-1]["last_seq"] == centre_db.last_seq(session)
    assert {r["id"] for r in rows(pages, "requests")} == {str(i) for i in made} - {str(i) for i in made
                                                                                   if centre.request(i).district_code == D2}
    empty = pull(centre.client(), office, pages[-1]["next_cursor"])
    assert (empty["has_more"], empty["next_cursor"], empty["requests"]["rows"]) == (False, pages[-1]["next_cursor"], [])


def test_values_travel_in_their_wire_form_exactly(centre: Centre) -> None:
    """The centre reads UUIDs, instants and JSON straight into wire text (SQL, per
    database): each must still say exactly what the row holds."""
    office = centre.enrol(centre.add_office("A", [D1, D2]))
    request = centre.intake(D1, latitude=33.987654, longitude=51.4321)
    crew = centre.add_crew(D1)
    with centre.sessions.begin() as session:
        ops.move(session, request, D2, actor=CENTRE_ACTOR)  # an event with JSON data
        ops.change_status(session, request, "not_actionable", actor=CENTRE_ACTOR, reason="duplicate")
    pages = pull_all(centre.client(), office)
    (wire,) = rows(pages, "requests")
    events = {e["id"]: e for e in rows(pages, "events")}
    (crew_row,) = rows(pages, "crews")
    with centre.sessions() as session:
        held = session.get(ServiceRequest, request)
        for column in REQUEST_COLUMNS:
            assert _read(column, wire[column]) == getattr(held, column), column
        history = session.scalars(sa.select(Event).where(Event.request_id == request)).all()
        assert len(history) == len(events) and any(e.data for e in history)
        for event in history:
            for column in EVENT_COLUMNS:
                assert _read(column, events[str(event.id)][column]) == getattr(event, column), column
        assert _read("id", crew_row["id"]) == crew
        assert _read("updated_at", crew_row["updated_at"]) == session.get(Crew, crew).updated_at


def test_booleans_travel_as_booleans_and_history_only_with_its_request(centre: Centre) -> None:
    """Rows come through the driver's own cursor, converted where SQLAlchemy would
    convert them (a crew's ``active`` is 0/1 in SQLite, true/false on the wire); a
    district office's pages hold the history of its districts' requests only, an
    office of every district gets all of it (no district asked of the database)."""
    mine = centre.enrol(centre.add_office("A", [D1]))
    every = centre.enrol(centre.add_office("Centre managers", all_districts=True))
    ours, theirs = centre.intake(D1), centre.intake(D3)
    centre.add_crew(D1)
    pages = pull_all(centre.client(), mine)
    (crew_row,) = rows(pages, "crews")
    assert crew_row["active"] is True
    assert {e["request_id"] for e in rows(pages, "events")} == {str(ours)}
    everything = pull_all(centre.client(), every)
    assert {e["request_id"] for e in rows(everything, "events")} == {str(ours), str(theirs)}
    assert all(c["active"] is True for c in rows(everything, "crews"))


def _read(column: str, value: object) -> object:
    """A wire value as the ORM holds it."""
    if value is None:
        return None
    if column in UUID_COLUMNS:
        assert isinstance(value, str) and value == str(uuid.UUID(value))  # canonical text
        return uuid.UUID(value)
    if column in TIME_COLUMNS:
        assert isinstance(value, str) and value.endswith("Z")
        return parse_time(value)
    return value


def test_a_page_says_in_its_headers_where_the_next_one_starts(centre: Centre) -> None:
    office = centre.enrol(centre.add_office("A", [D1]))
    for _ in range(4):
        centre.intake(D1)
    response = centre.client().get("/sync/pull", headers=auth_headers(office), params={"cursor": 0, "limit": 3})
    page = response.json()
    assert page["has_more"] and page["next_cursor"] > 0
    assert response.headers[NEXT_CURSOR_HEADER] == str(page["next_cursor"])
    assert response.headers[LAST_SEQ_HEADER] == str(page["last_seq"])


def test_requests_come_with_their_search_text_only_when_asked_by_the_centres_rules(centre: Centre) -> None:
    office = centre.enrol(centre.add_office("A", [D1]))
    made = {centre.intake(D1, citizen_name="علي كاشاني", address="كوچه ۱۲") for _ in range(3)}
    page = pull(centre.client(), office, search_text_rules=SEARCH_TEXT_RULES)
    assert page["search_text_rules"] == SEARCH_TEXT_RULES
    assert page["requests"]["columns"] == [*REQUEST_COLUMNS, "search_text"]
    with centre.sessions() as session:
        for row in rows([page], "requests"):
            held = session.get(ServiceRequest, uuid.UUID(row["id"]))
            assert row["search_text"] == search_text(held.tracking_code, held.citizen_name, held.citizen_phone,
                                                     held.address, held.description)
            assert "علی کاشانی" in row["search_text"] and "12" in row["search_text"]
    assert {r["id"] for r in rows([page], "requests")} == {str(i) for i in made}
    for other in ({}, {"search_text_rules": SEARCH_TEXT_RULES + 1}):
        page = pull(centre.client(), office, **other)
        assert page["search_text_rules"] is None and page["requests"]["columns"] == list(REQUEST_COLUMNS)
        assert len(page["requests"]["rows"]) == 3


def test_a_page_carries_each_row_once_as_it_stands(centre: Centre) -> None:
    office = centre.enrol(centre.add_office("A", [D1]))
    request = centre.intake(D1)  # intake and referral: two log entries for the request
    with centre.sessions.begin() as session:
        ops.change_status(session, request, "not_actionable", actor=CENTRE_ACTOR, reason="duplicate")
    (page,) = pull_all(centre.client(), office)
    (row,) = rows([page], "requests")
    assert row["id"] == str(request) and row["status"] == "not_actionable"
    assert len(rows([page], "events")) == 3


def test_a_moved_request_leaves_the_old_office_and_arrives_whole_at_the_new(centre: Centre) -> None:
    old = centre.enrol(centre.add_office("Old", [D1]))
    new = centre.enrol(centre.add_office("New", [D2]))
    both = centre.enrol(centre.add_office("Both", [D1, D2]))
    every = centre.enrol(centre.add_office("Centre managers", all_districts=True))
    request = centre.intake(D1)
    centre.add_crew(D1)
    with centre.sessions.begin() as session:
        ops.change_status(session, request, "not_actionable", actor=CENTRE_ACTOR, reason="duplicate")
        ops.change_status(session, request, "referred", actor=CENTRE_ACTOR)
    cursors = {who: pull_all(centre.client(), who)[-1]["next_cursor"] for who in (old, new, both, every)}
    with centre.sessions.begin() as session:
        ops.move(session, request, D2, actor=CENTRE_ACTOR)
    gone = pull_all(centre.client(), old, cursors[old])
    assert [p["removed_requests"] for p in gone if p["removed_requests"]] == [[str(request)]]
    assert not rows(gone, "requests") and not rows(gone, "events")
    arrived = pull_all(centre.client(), new, cursors[new])
    (row,) = rows(arrived, "requests")
    assert (row["district_code"], row["status"], row["crew_id"]) == (D2, "referred", None)
    kinds = [e["kind"] for e in rows(arrived, "events")]
    assert sorted(kinds) == sorted(["created", "status", "status", "status", "moved"])
    for who in (both, every):  # still theirs: updated, never removed
        pages = pull_all(centre.client(), who, cursors[who])
        assert not any(p["removed_requests"] for p in pages)
        assert {r["district_code"] for r in rows(pages, "requests")} == {D2}
    assert not rows(arrived, "crews")  # the old district's crew stays the old district's


def test_a_request_moved_before_the_page_is_read_is_never_sent_with_its_data(centre: Centre) -> None:
    office = centre.enrol(centre.add_office("A", [D1]))
    request = centre.intake(D1)
    with centre.sessions.begin() as session:
        ops.move(session, request, D3, actor=CENTRE_ACTOR)
    pages = pull_all(centre.client(), office)
    assert not rows(pages, "requests") and not rows(pages, "events")
    assert str(request) in {i for p in pages for i in p["removed_requests"]}


def test_a_cursor_past_the_centres_log_gets_409(centre: Centre) -> None:
    office = centre.enrol(centre.add_office("A", [D1]))
    response = centre.client().get("/sync/pull", headers=auth_headers(office), params={"cursor": 10**9})
    assert response.status_code == 409
    assert response.json()["code"] == "cursor_ahead"
    bad = centre.client().get("/sync/pull", headers=auth_headers(office), params={"cursor": -1})
    assert bad.status_code == 422


def test_concurrent_writers_never_make_a_pull_skip_a_change(centre_engine: sa.Engine) -> None:
    """Writers hold their change-log numbers open for a while before committing, in
    every order; a reader pulls small pages all along.  Every log entry of the office's
    districts must come in the page whose range holds its number."""
    if centre_engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    centre = Centre.on(centre_engine)
    office = centre.enrol(centre.add_office("A", [D1, D2]))
    requests = [centre.intake(random.choice((D1, D2, D3))) for _ in range(12)]
    start = pull_all(centre.client(), office)[-1]["next_cursor"]
    stop = threading.Event()
    errors: list[BaseException] = []
    commits: list[int] = []  # one item per committed write (list.append is atomic)

    def write(seed: int) -> None:
        rng = random.Random(seed)
        try:
            while not stop.is_set():
                with centre.sessions.begin() as session:
                    if rng.random() < 0.5:
                        ops.intake(session, district_code=rng.choice((D1, D2, D3)), category_code="garbage",
                                   description="x", actor=CENTRE_ACTOR)
                    else:
                        target = rng.choice(requests)
                        status = ops.lock_request(session, target).status
                        ops.change_status(session, target, "not_actionable" if status == "referred" else "referred",
                                          actor=CENTRE_ACTOR, reason="duplicate" if status == "referred" else None)
                    time.sleep(rng.random() / 50)  # numbers taken, not yet committed
                commits.append(seed)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    writers = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for writer in writers:
        writer.start()
    pages, cursor = [], start
    deadline = time.monotonic() + 300  # a hang fails; a slow machine only takes longer
    while len(commits) < 120 and not errors:  # an amount of work, not of time
        assert time.monotonic() < deadline, f"only {len(commits)} writes committed"
        page = pull(centre.client(), office, cursor, limit=3)
        pages.append(page)
        cursor = page["next_cursor"]
    stop.set()
    for writer in writers:
        writer.join()
    assert not errors
    pages += pull_all(centre.client(), office, cursor, limit=3)
    with centre.sessions() as session:
        entries = session.execute(sa.select(ChangeLog.seq, ChangeLog.entity, ChangeLog.entity_key)
                                  .where(ChangeLog.seq > start,
                                         ChangeLog.district_code.in_([D1, D2]))).all()
    assert len(entries) > 50
    for seq, entity, key in entries:
        (page,) = [p for p in pages if p["cursor"] < seq <= p["next_cursor"]]
        table = {"request": "requests", "event": "events"}[entity]
        assert key in {r["id"] for r in rows([page], table)}, (seq, entity)
