"""A request posted through Open311 waits at the centre as ``received``, reaches its
district's office once the centre refers it (the office pulls it), and the outcome
the office pushes is what ``GET requests/{id}`` shows the citizen."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from sync.protocol import Op
from sync.server import operations as ops
from sync.server.models import ServiceRequest
from sync.server.open311.georeport import iso
from tests.sync.client.harness import mutation, pull_all, push, rows
from tests.sync.server.open311 import georeport_rules as rules
from tests.sync.server.open311.support import Api

FIN_DISTRICT = "2-1"


def _request(api: Api, code: str) -> ServiceRequest:
    with api.centre.sessions() as session:
        return session.scalars(sa.select(ServiceRequest).where(
            ServiceRequest.tracking_code == code)).one()


@pytest.mark.parametrize("outcome", ["done", "not_actionable"])
def test_a_posted_request_reaches_the_district_office_and_its_outcome_is_public(
        api: Api, outcome: str) -> None:
    office = api.centre.enrol(api.centre.add_office("Fin office", [FIN_DISTRICT]))
    other = api.centre.enrol(api.centre.add_office("Bazaar office", ["1-1"]))
    code = api.submit(description="درخت خشک وسط کوچه", first_name="مریم", phone="09131112233")
    request_id = _request(api, code).id
    (before,) = api.get(f"requests/{code}.json").json()
    assert (before["status"], before["expected_datetime"]) == ("open", None)

    # It waits in the centre's queue as received, like a call.
    assert _request(api, code).status == "received"

    with api.centre.sessions.begin() as session:
        ops.refer(session, request_id, actor="operator")
    pulled = {r["id"]: r for r in rows(pull_all(api.centre.client(), office), "requests")}
    assert pulled[str(request_id)]["status"] == "referred"
    assert pulled[str(request_id)]["channel"] == "web"
    assert str(request_id) not in {r["id"] for r in rows(pull_all(api.centre.client(), other), "requests")}
    (referred,) = api.get(f"requests/{code}.json").json()
    assert referred["expected_datetime"] == iso(_request(api, code).due_at) is not None

    if outcome == "done":
        crew = api.centre.add_crew(FIN_DISTRICT)
        mutations = [mutation(Op.ASSIGN, request_id, {"crew_id": str(crew), "from_status": "referred"}),
                     mutation(Op.CHANGE_STATUS, request_id, {"from_status": "assigned", "to_status": "done",
                                                             "note": "درخت قطع و جمع شد"})]
        notes = "انجام شد: درخت قطع و جمع شد"
    else:
        mutations = [mutation(Op.CHANGE_STATUS, request_id, {
            "from_status": "referred", "to_status": "not_actionable", "reason": "private_property",
            "note": "درخت داخل حیاط خانه است"})]
        notes = "ملک خصوصی: درخت داخل حیاط خانه است"
    results = push(api.centre.client(), office, *mutations)
    assert [r["outcome"] for r in results] == ["applied"] * len(mutations)

    for fmt in ("json", "xml"):
        response = api.get(f"requests/{code}.{fmt}")
        assert response.status_code == 200
        if fmt == "xml":
            (after,) = rules.xml_items(response.content, "service_requests", "request")
        else:
            (after,) = response.json()
        rules.check_request(after, xml=fmt == "xml")
        assert (after["status"], after["status_notes"]) == ("closed", notes)
        assert after["agency_responsible"] == "ناحیه ۱ منطقه ۲"
        assert after["updated_datetime"] == iso(_request(api, code).updated_at)
    closed = api.get("requests.json", status="closed").json()
    assert [r["service_request_id"] for r in closed] == [code]
    assert uuid.UUID(str(request_id))
