"""Authorisation: every endpoint knows the device, and an office reads and writes
its own districts only.  Refusals and rejections carry nothing of another office's."""

from __future__ import annotations

import json
import uuid

import pytest
import sqlalchemy as sa

from sync.dates import utcnow
from sync.protocol import CREDENTIAL_HEADER, PROTOCOL_HEADER, PROTOCOL_VERSION, Op
from sync.server.auth import authenticate
from sync.server.models import Device
from tests.sync.client.harness import (
    D1,
    D2,
    Centre,
    auth_headers,
    mutation,
    neighbourhood_of,
    pull_all,
    push,
    rows,
)

ENDPOINTS = (("get", "/sync/hello", None), ("get", "/sync/pull", None),
             ("post", "/sync/push", {"protocol_version": PROTOCOL_VERSION, "mutations": [],
                                     "client_time": "2026-01-01T00:00:00Z"}))


@pytest.fixture
def centre(centre_engine: sa.Engine) -> Centre:
    return Centre.on(centre_engine)


def call(centre: Centre, method: str, path: str, body: object, headers: dict[str, str]):
    return centre.client().request(method, path, headers=headers, json=body)


def test_every_endpoint_refuses_a_missing_malformed_or_wrong_credential(centre: Centre) -> None:
    credential = centre.enrol(centre.add_office("A", [D1]))
    prefix, device, secret = credential.split(".")
    wrong = [None, "", "Bearer " + credential, f"{prefix}.{device}.{secret[:-1]}x",
             f"{prefix}.{uuid.uuid4().hex}.{secret}", f"{prefix}.{device}"]
    for method, path, body in ENDPOINTS:
        for bad in wrong:
            headers = auth_headers()
            if bad is not None:
                headers[CREDENTIAL_HEADER] = bad
            response = call(centre, method, path, body, headers)
            assert response.status_code == 401, (path, bad)
            assert response.json()["code"] == "bad_credential"
            assert "A" not in response.json()["message"].split()  # not even the office's name
        assert call(centre, method, path, body, auth_headers(credential)).status_code == 200


def test_a_credential_is_read_from_its_header_only(centre: Centre) -> None:
    credential = centre.enrol(centre.add_office("A", [D1]))
    response = centre.client().get("/sync/hello", params={"credential": credential},
                                   headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION)})
    assert response.status_code == 401


def test_a_revoked_device_is_refused_at_once_on_every_endpoint(centre: Centre) -> None:
    code = centre.add_office("A", [D1])
    credential = centre.enrol(code)
    other = centre.enrol(centre.add_office("B", [D1]))
    with centre.sessions.begin() as session:  # what `daftar-server office revoke A` does
        session.execute(sa.update(Device).where(Device.id == uuid.UUID(credential.split(".")[1]))
                        .values(revoked_at=utcnow()))
    for method, path, body in ENDPOINTS:
        response = call(centre, method, path, body, auth_headers(credential))
        assert response.status_code == 401
        assert response.json()["code"] == "credential_revoked"
        assert call(centre, method, path, body, auth_headers(other)).status_code == 200


def test_the_scope_is_read_in_one_query_with_every_district_or_none(centre: Centre) -> None:
    """Every request but enrolment asks it first: one round trip to the database."""
    two = centre.enrol(centre.add_office("A", [D1, D2]))
    every = centre.enrol(centre.add_office("مرکز", all_districts=True))
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, sql: str, *_rest: object) -> None:
        if not sql.lstrip().upper().startswith("BEGIN"):  # the transaction's own
            statements.append(sql)

    sa.event.listen(centre.engine, "before_cursor_execute", seen)
    try:
        with centre.sessions.begin() as session:
            a = authenticate(session, two)
            statements_for_a = len(statements)
            c = authenticate(session, every)
    finally:
        sa.event.remove(centre.engine, "before_cursor_execute", seen)
    assert statements_for_a == 1 and len(statements) == 2
    assert (a.name, a.all_districts, a.districts) == ("A", False, frozenset({D1, D2}))
    assert a.device_id == uuid.UUID(two.split(".")[1])
    assert (c.name, c.all_districts, c.districts) == ("مرکز", True, frozenset())
    assert c.covers(D2) and not a.covers("999")


def test_pull_carries_only_the_offices_districts_and_reference_data(centre: Centre) -> None:
    a = centre.enrol(centre.add_office("A", [D1]))
    mine, theirs = centre.intake(D1), centre.intake(D2)
    my_crew, their_crew = centre.add_crew(D1), centre.add_crew(D2)
    pages = pull_all(centre.client(), a, limit=7)
    requests, events, crews = rows(pages, "requests"), rows(pages, "events"), rows(pages, "crews")
    assert {r["id"] for r in requests} == {str(mine)}
    assert {e["request_id"] for e in events} == {str(mine)} and len({e["id"] for e in events}) == 2
    assert {c["id"] for c in crews} == {str(my_crew)}
    assert any(page["reference"].get("district") for page in pages)
    text = json.dumps(pages)
    assert str(theirs) not in text and str(their_crew) not in text
    assert centre.request(theirs).tracking_code not in text


def test_an_office_cannot_write_another_districts_rows_and_learns_nothing_of_them(centre: Centre) -> None:
    a = centre.enrol(centre.add_office("A", [D1]))
    theirs = centre.intake(D2, description="نشانی محرمانه")
    their_crew, my_crew = centre.add_crew(D2), centre.add_crew(D1)
    mine = centre.intake(D1)
    crew_row = {"name": "اکیپ", "district_code": D2, "active": True}
    walk_in = {"tracking_code": "1405-1-1", "received_at": utcnow().isoformat(), "channel": "walk_in",
               "district_code": D2, "neighbourhood_code": neighbourhood_of(D2),
               "category_code": "garbage", "description": "x", "citizen_phone": "09121234567"}
    new_id = uuid.uuid4()
    results = push(
        centre.client(), a,
        mutation(Op.CHANGE_STATUS, theirs, {"from_status": "referred", "to_status": "assigned"}),
        mutation(Op.ASSIGN, theirs, {"crew_id": str(their_crew)}),
        mutation(Op.ADD_NOTE, theirs, {"note": "سلام"}),
        mutation(Op.WORK_ORDER_ISSUED, theirs),
        mutation(Op.EDIT_REQUEST, theirs, {"changes": {"address": "x"}, "base": {"address": ""}}),
        mutation(Op.CREATE_REQUEST, new_id, {"request": {**walk_in, "id": str(new_id)}}),
        mutation(Op.UPSERT_CREW, their_crew, {"crew": {**crew_row, "id": str(their_crew)}},
                 entity="crew", role=None, base_version=1),
        mutation(Op.UPSERT_CREW, my_crew, {"crew": {**crew_row, "id": str(my_crew)}},
                 entity="crew", role=None, base_version=1),
        mutation(Op.ASSIGN, mine, {"crew_id": str(their_crew)}),
        mutation(Op.ADD_NOTE, uuid.uuid4(), {"note": "unknown request"}),
    )
    assert [r["outcome"] for r in results] == ["rejected"] * len(results)
    assert {r["code"] for r in results[:-2]} == {"not_in_scope"}
    assert results[-2]["code"] == "unknown_crew"  # the same as a crew that does not exist
    assert results[-1]["code"] == "not_in_scope"  # the same as another district's request
    text = json.dumps(results[:-2])
    assert "server_value" in text and '"server_value": null' in text
    assert centre.request(theirs).tracking_code not in text and "محرمانه" not in text
    assert centre.request(theirs).status == "referred" and centre.request(theirs).version == 2


def test_another_offices_mutation_id_is_neither_applied_nor_answered(centre: Centre) -> None:
    a = centre.enrol(centre.add_office("A", [D1]))
    b = centre.enrol(centre.add_office("B", [D1]))
    request = centre.intake(D1)
    shared = uuid.uuid4()
    (first,) = push(centre.client(), a, mutation(Op.ADD_NOTE, request, {"note": "A's"}, mutation_id=shared))
    (second,) = push(centre.client(), b, mutation(Op.ADD_NOTE, request, {"note": "B's"}, mutation_id=shared))
    assert first["outcome"] == "applied"
    assert second == {"mutation_id": str(shared), "outcome": "rejected", "code": "mutation_id_taken",
                      "message": "this mutation id is taken", "server_value": None, "event": None}
