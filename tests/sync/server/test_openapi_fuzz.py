"""schemathesis over the centre's own OpenAPI description: every operation, with
generated (and deliberately invalid) queries, headers and bodies, on SQLite and on
PostgreSQL; each case is sent as generated and again with an enrolled device's
credential and the protocol header (an Open311 POST: with a good ``api_key``), so that
the sync and Open311 endpoints are fuzzed past authentication.  No answer may be a 5xx, and every answer must match the status
codes, content type and schema the description gives.  The budget is bounded
(:data:`EXAMPLES` per operation) so that it runs in CI in well under a minute."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sync.protocol import Op
from sync.server.app import create_app
from sync.server.enrolment import AttemptGate, AttemptLimits
from tests.sync.client.harness import D1, Centre, auth_headers, mutation, push
from tests.sync.server.open311.support import issue_key

EXAMPLES = 20
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture
def enrolled(centre_engine: sa.Engine) -> dict[str, Any]:
    centre = Centre.on(centre_engine)
    credential = centre.enrol(centre.add_office("Fuzzed", [D1]))
    request = centre.intake(D1)  # something to pull, and a photo whose blob the fuzz may find
    content = b"\xff\xd8\xff\xe0photo"
    push(centre.client(), credential, mutation(Op.ADD_ATTACHMENT, request, {"attachment": {
        "id": str(uuid.uuid4()), "sha256": hashlib.sha256(content).hexdigest(), "size": len(content),
        "media_type": "image/jpeg", "kind": "citizen", "internal": False, "filename": "a.jpg"}},
        event=False))
    # The fuzzer's enrolment attempts are refused by the limits like anyone's (429,
    # also described); the generous gate lets most of them reach the code check.
    app = create_app(centre_engine, enrolment_gate=AttemptGate(
        AttemptLimits(global_burst=1000, free_per_address=1000)))
    return {"app": app, "credential": credential, "api_key": issue_key(centre)}


#: Open311 GeoReport v2, every endpoint (both formats through ``{fmt}``).
OPEN311 = [("GET", "/open311/v2/services.{fmt}"), ("GET", "/open311/v2/services/{service_code}.{fmt}"),
           ("POST", "/open311/v2/requests.{fmt}"), ("GET", "/open311/v2/requests.{fmt}"),
           ("GET", "/open311/v2/requests/{service_request_id}.{fmt}"),
           ("GET", "/open311/v2/tokens/{token}.{fmt}")]
#: Every operation the centre describes (a test below keeps this list whole).
OPERATIONS = [("GET", "/health"), ("POST", "/sync/enrol"), ("GET", "/sync/hello"),
              ("POST", "/sync/push"), ("GET", "/sync/pull"),
              # The SMS gateway's callbacks: without the shared secret, a 403 on the error schema.
              ("GET", "/sms/kavenegar/receive"), ("POST", "/sms/kavenegar/receive"),
              ("GET", "/sms/kavenegar/delivery"), ("POST", "/sms/kavenegar/delivery"),
              ("GET", "/sync/blobs/{sha256}/status"), ("PUT", "/sync/blobs/{sha256}"),
              ("GET", "/sync/blobs/{sha256}"), ("GET", "/media/{attachment_id}"), *OPEN311]


def fuzz(app: Any, method: str, path: str, mode: GenerationMode, headers: dict[str, str],
         api_key: str = "") -> None:
    operation = schemathesis.openapi.from_asgi("/openapi.json", app)[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def each(case: Any) -> None:
        case.call_and_validate(checks=CHECKS)
        if path.startswith("/open311/") and isinstance(case.body, dict):
            case.body = {**case.body, "api_key": api_key}
        case.call_and_validate(headers=headers, checks=CHECKS)

    each()


def test_the_fuzzed_operations_are_every_operation_described(enrolled: dict[str, Any]) -> None:
    described = schemathesis.openapi.from_asgi("/openapi.json", enrolled["app"])
    found = {(op.ok().method.upper(), op.ok().path) for op in described.get_all_operations()}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_valid_requests_get_no_5xx_and_answers_on_their_schema(
    enrolled: dict[str, Any], method: str, path: str
) -> None:
    fuzz(enrolled["app"], method, path, GenerationMode.POSITIVE, auth_headers(enrolled["credential"]),
         enrolled["api_key"])


#: /health and /sync/hello take nothing but headers, which the valid run varies already.
@pytest.mark.parametrize(("method", "path"), [op for op in OPERATIONS if op[1] in
                                              ("/sync/enrol", "/sync/push", "/sync/pull")
                                              or op[1].startswith("/sync/blobs")] + OPEN311)
def test_invalid_requests_get_a_4xx_on_the_error_schema(
    enrolled: dict[str, Any], method: str, path: str
) -> None:
    fuzz(enrolled["app"], method, path, GenerationMode.NEGATIVE, auth_headers(enrolled["credential"]),
         enrolled["api_key"])
