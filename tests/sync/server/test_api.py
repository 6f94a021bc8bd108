"""The centre's HTTP API as an office sees it: health, protocol versions, enrolment,
hello, and the OpenAPI description."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from sync.protocol import (
    CREDENTIAL_HEADER,
    MIN_PROTOCOL_VERSION,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    EnrolResponse,
    HelloResponse,
)
from sync.dates import utcnow
from sync.server.models import Device, Office, ServiceRequest
from tests.sync.client.harness import D1, D2, Centre, auth_headers


@pytest.fixture
def centre(centre_engine: sa.Engine) -> Centre:
    return Centre.on(centre_engine)


def enrol(centre: Centre, code: str, version: int | str = PROTOCOL_VERSION):
    return centre.client().post("/sync/enrol", json={"protocol_version": PROTOCOL_VERSION, "code": code},
                                headers={PROTOCOL_HEADER: str(version)})


def test_health_answers_without_credential_with_the_protocol_range(centre: Centre) -> None:
    response = centre.client().get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert (body["min_protocol_version"], body["protocol_version"]) == (MIN_PROTOCOL_VERSION, PROTOCOL_VERSION)


def test_openapi_is_published_with_every_sync_endpoint(centre: Centre) -> None:
    spec = centre.client().get("/openapi.json").json()
    assert {"/health", "/sync/enrol", "/sync/hello", "/sync/push", "/sync/pull"} <= set(spec["paths"])
    assert "PullResponse" in spec["components"]["schemas"]


def test_a_protocol_the_centre_cannot_serve_gets_426_with_the_range(centre: Centre) -> None:
    credential = centre.enrol(centre.add_office("A", [D1]))
    expected = {None: "states no protocol", "0": "update the Daftar app",
                str(PROTOCOL_VERSION + 1): "the centre must be updated", "two": "not two"}
    for path, method in (("/sync/hello", "get"), ("/sync/pull", "get"), ("/sync/push", "post"),
                         ("/sync/enrol", "post")):
        for version, words in expected.items():
            headers = {CREDENTIAL_HEADER: credential}
            if version is not None:
                headers[PROTOCOL_HEADER] = version
            response = centre.client().request(method, path, headers=headers, json={})
            assert response.status_code == 426, (path, version)
            body = response.json()
            assert body["code"] == "unsupported_protocol"
            assert (body["min_protocol_version"], body["max_protocol_version"]) \
                == (MIN_PROTOCOL_VERSION, PROTOCOL_VERSION)
            assert words in body["message"]


def test_enrolment_uses_the_code_up_and_stores_only_a_hash_of_the_credential(centre: Centre) -> None:
    code = centre.add_office("Office A", [D2, D1])
    response = enrol(centre, code.lower().replace("-", " "))  # as a person might type it
    assert response.status_code == 200, response.text
    answer = EnrolResponse.model_validate(response.json())
    assert answer.office.name == "Office A"
    assert answer.office.districts == [D1, D2]
    assert answer.office.number == 1
    with centre.sessions() as session:
        device = session.get(Device, answer.device_id)
        office = session.get(Office, answer.office.office_id)
    assert device is not None and device.office_id == answer.office.office_id
    secret = answer.credential.rsplit(".", 1)[1]
    assert secret not in device.credential_hash and device.credential_hash.startswith("sha256:")
    assert office is not None and office.enrolment_code_hash is None  # one time only
    again = enrol(centre, code)
    assert again.status_code == 403
    assert again.json()["code"] == "enrolment_code_invalid"


def test_wrong_and_expired_codes_get_the_same_answer(centre: Centre) -> None:
    centre.add_office("A", [D1])
    expired = centre.add_office("B", [D1], valid_for=dt.timedelta(seconds=-1))
    wrong = enrol(centre, "2222-3333-4444-5555")
    late = enrol(centre, expired)
    assert wrong.status_code == late.status_code == 403
    assert wrong.json() == late.json()


def test_enrolment_tells_a_reinstalled_office_where_its_walk_in_serials_are(centre: Centre) -> None:
    code = centre.add_office("A", [D1])
    request_id = centre.intake(D1)
    with centre.sessions.begin() as session:
        session.get(ServiceRequest, request_id).tracking_code = "1405-1-41"
        session.add(ServiceRequest(tracking_code="1405-11-99", received_at=utcnow(), channel="walk_in",
                                   district_code=D1, category_code="garbage", status="referred",
                                   updated_at=utcnow()))
    answer = EnrolResponse.model_validate(enrol(centre, code).json())
    assert answer.walk_in_serials == {1405: 41}  # office 11's code is not office 1's


def test_hello_names_the_office_and_the_centres_clock(centre: Centre) -> None:
    credential = centre.enrol(centre.add_office("A", [D1]))
    before = dt.datetime.now(dt.timezone.utc)
    response = centre.client().get("/sync/hello", headers=auth_headers(credential))
    assert response.status_code == 200
    hello = HelloResponse.model_validate(response.json())
    assert hello.office.districts == [D1]
    assert before <= hello.server_time <= dt.datetime.now(dt.timezone.utc)
    assert hello.last_seq > 0  # the reference data's change-log entries
    with centre.sessions() as session:
        assert session.scalar(sa.select(Device.last_seen_at)) is not None


def test_a_malformed_request_gets_a_bad_request_body_not_a_trace(centre: Centre) -> None:
    credential = centre.enrol(centre.add_office("A", [D1]))
    response = centre.client().post("/sync/push", headers=auth_headers(credential),
                                    json={"protocol_version": PROTOCOL_VERSION, "mutations": "nope"})
    assert response.status_code == 422
    assert response.json()["code"] == "bad_request"
    assert "Traceback" not in response.text
