"""Limits at the centre's HTTP layer: the largest body it reads (checked before
parsing, as the bytes arrive), the largest push batch, and a NUL in a query string or
header — each refused with a 4xx and a stable code, never a 500."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from sync.dates import utcnow
from sync.protocol import MAX_PUSH_BATCH, PROTOCOL_VERSION, Mutation, Op, PushRequest
from sync.server.app import create_app
from sync.server.body_limit import MAX_BODY_BYTES, MAX_MUTATION_BYTES, PAYLOAD_TOO_LARGE, BodyLimit
from sync.server.models import AppliedMutation, ServiceRequest
from tests.sync.client.harness import D1, Centre, auth_headers, mutation


@pytest.fixture
def centre(centre_engine: sa.Engine) -> Centre:
    return Centre.on(centre_engine)


def push_body(mutations: list[dict[str, Any]]) -> dict[str, Any]:
    return {"protocol_version": PROTOCOL_VERSION, "mutations": mutations,
            "client_time": utcnow().isoformat()}


# ------------------------------------------------------------------ body size


def largest_walk_in() -> Mutation:
    """A walk-in as large as :data:`MAX_MUTATION_BYTES` allows for: 4,000 characters
    of description, address and outcome note each, a 200-character name, all in
    characters that take 3 bytes in UTF-8 (the zero-width non-joiner), so the worst case."""
    wide = "\u200c"
    request = {
        "id": str(uuid.uuid4()), "tracking_code": "1405-1-000001",
        "received_at": utcnow().isoformat(), "channel": "walk_in", "district_code": D1,
        "neighbourhood_code": "bazaar", "category_code": "asphalt",
        "description": wide * 4000, "citizen_name": wide * 200, "citizen_phone": "09131234567",
        "address": wide * 4000, "latitude": 33.98, "longitude": 51.43, "status": "received",
        "closed_at": None, "outcome_reason": None, "outcome_note": wide * 4000, "crew_id": None,
        "assigned_at": None, "duplicate_of": None, "version": 1, "updated_at": utcnow().isoformat(),
    }
    return Mutation(mutation_id=uuid.uuid4(), office_seq=10**9, op=Op.CREATE_REQUEST,
                    entity="request", entity_id=uuid.uuid4(), base_version=None,
                    client_time=utcnow(), actor="a-user-name-of-some-length", actor_role="clerk",
                    payload={"event_id": str(uuid.uuid4()), "request": request})


def test_a_full_batch_of_the_largest_mutations_fits_under_the_body_limit() -> None:
    one = largest_walk_in()
    assert len(one.model_dump_json().encode()) <= MAX_MUTATION_BYTES
    batch = PushRequest(protocol_version=PROTOCOL_VERSION, client_time=utcnow(),
                        mutations=[one] * MAX_PUSH_BATCH)
    # As the office sends it (sync.client.transport: model_dump_json, UTF-8).
    assert len(batch.model_dump_json().encode()) <= MAX_BODY_BYTES


def test_a_declared_length_over_the_limit_is_refused_before_the_app_runs(centre: Centre) -> None:
    centre.app = create_app(centre.engine, max_body_bytes=1000)
    credential = centre.enrol(centre.add_office("A", [D1]))
    response = centre.client().post("/sync/push", headers=auth_headers(credential),
                                    content=b"x" * 1001)
    assert response.status_code == 413
    assert response.json()["code"] == PAYLOAD_TOO_LARGE
    # At the limit the request is read and parsed as usual.
    response = centre.client().post("/sync/push", headers=auth_headers(credential),
                                    content=b" " * 1000)
    assert response.status_code == 422  # read, and found to be no JSON
    assert response.json()["code"] == "bad_request"


def test_a_streamed_body_is_cut_off_at_the_chunk_that_crosses_the_limit() -> None:
    """Without a Content-Length: the middleware reads no chunk past the limit, answers
    413 once, and drops whatever the app makes of the aborted read."""
    chunks = [{"type": "http.request", "body": b"x" * 400, "more_body": True} for _ in range(100)]
    received: list[int] = []
    sent: list[dict[str, Any]] = []
    app_outcome: list[str] = []

    async def receive() -> dict[str, Any]:
        received.append(1)
        return chunks[len(received) - 1]

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        try:
            while True:
                await receive()
        except Exception:
            app_outcome.append("read aborted")
            await send({"type": "http.response.start", "status": 400, "headers": []})
            await send({"type": "http.response.body", "body": b"parse error"})

    scope = {"type": "http", "method": "POST", "path": "/sync/push", "headers": []}
    asyncio.run(BodyLimit(app, max_bytes=1000)(scope, receive, send))
    assert len(received) == 3  # 1,200 bytes: the third chunk crossed 1,000
    assert app_outcome == ["read aborted"]
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert [m["status"] for m in starts] == [413]
    body = json.loads(b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"))
    assert body["code"] == PAYLOAD_TOO_LARGE


def test_a_content_length_that_is_no_number_is_a_bad_request() -> None:
    sent: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:  # pragma: no cover - never runs
        raise AssertionError("the app must not run")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:  # pragma: no cover - never read
        raise AssertionError("the body must not be read")

    scope = {"type": "http", "headers": [(b"content-length", b"12x")]}
    asyncio.run(BodyLimit(app, max_bytes=1000)(scope, receive, send))
    assert sent[0]["status"] == 400
    assert json.loads(sent[1]["body"])["code"] == "bad_request"


# ------------------------------------------------------------------ batch size


def test_a_batch_over_the_maximum_is_refused_whole_with_a_stable_code(centre: Centre) -> None:
    credential = centre.enrol(centre.add_office("A", [D1]))
    request_id = centre.intake(D1)
    notes = [mutation(Op.ADD_NOTE, request_id, {"note": f"n{i}"}) for i in range(MAX_PUSH_BATCH + 1)]
    client = centre.client()
    response = client.post("/sync/push", headers=auth_headers(credential), json=push_body(notes))
    assert response.status_code == 422
    assert response.json()["code"] == "bad_request"
    assert str(MAX_PUSH_BATCH) in response.json()["message"]
    with centre.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(AppliedMutation)) == 0
    # The full batch itself is applied.
    response = client.post("/sync/push", headers=auth_headers(credential),
                           json=push_body(notes[:MAX_PUSH_BATCH]))
    assert response.status_code == 200
    assert {r["outcome"] for r in response.json()["results"]} == {"applied"}


# ------------------------------------------------------------ NUL in the request

ENDPOINTS = [("get", "/health"), ("get", "/sync/hello"), ("get", "/sync/pull"),
             ("post", "/sync/push"), ("post", "/sync/enrol")]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_a_nul_in_the_query_string_or_a_header_is_never_a_server_error(
    centre: Centre, method: str, path: str
) -> None:
    credential = centre.enrol(centre.add_office("A", [D1]))
    client = centre.client(raise_server_exceptions=False)
    body = (push_body([]) if path == "/sync/push"
            else {"protocol_version": PROTOCOL_VERSION, "code": "AB\x00CD"})
    queries = ["cursor=%00", "limit=1%00", "search_text_rules=%00", "x=%00", "%00=1", "cursor=0%00"]
    headers = [("X-Daftar-Protocol", f"{PROTOCOL_VERSION}\x00"), ("X-Daftar-Protocol", "\x00"),
               ("X-Daftar-Credential", credential + "\x00"), ("X-Daftar-Credential", "\x00"),
               ("X-Anything", "\x00")]
    seen = set()
    for query in queries:
        response = client.request(method, f"{path}?{query}", headers=auth_headers(credential),
                                  json=body if method == "post" else None)
        assert response.status_code < 500, (query, response.text)
        seen.add(response.status_code)
    for name, value in headers:
        sent = {**auth_headers(credential), name: value}
        response = client.request(method, path, headers=sent,
                                  json=body if method == "post" else None)
        assert response.status_code < 500, (name, response.text)
        if response.status_code >= 400:
            assert response.json()["code"] in {"bad_request", "unsupported_protocol",
                                               "bad_credential", "enrolment_code_invalid",
                                               "too_many_attempts"}
    with centre.sessions() as session:  # nothing was written by any of them
        assert session.scalar(sa.select(sa.func.count()).select_from(ServiceRequest)) == 0
    assert seen


def test_the_limit_answers_in_the_error_body_the_app_documents(centre: Centre) -> None:
    centre.app = create_app(centre.engine, max_body_bytes=10)
    response = centre.client().post("/sync/enrol", headers=auth_headers(),
                                    content=b'{"protocol_version": 1, "code": "x"}')
    assert response.status_code == 413
    assert set(response.json()) == {"code", "message"}
    assert response.headers["content-type"] == "application/json"


def test_starlettes_own_refusals_come_in_the_centres_error_body(centre: Centre) -> None:
    """Found by the fuzzer: a body that is not text was answered {"detail": …}."""
    credential = centre.enrol(centre.add_office("A", [D1]))
    client = centre.client()
    response = client.post("/sync/push", headers={**auth_headers(credential),
                                                  "Content-Type": "application/json"},
                           content=b" \xff")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
