"""Property: no public Open311 answer ever holds a citizen's name, phone or e-mail,
whatever the citizen typed and wherever (the description, the address) and whatever
the clerk wrote in the outcome note."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.server import operations as ops
from sync.server.models import ServiceRequest
from sync.text import to_persian_digits
from sync.workflow import Status
from tests.sync.server.open311.georeport_rules import xml_items
from tests.sync.server.open311.support import Api

PERSIAN = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
FIRST = ("زهرا", "علی", "مریم", "حسین", "نرگس")
LAST = ("کریمی", "نراقی", "قمصری", "صادقی")


@st.composite
def citizens(draw: Any) -> dict[str, str]:
    suffix = st.text(PERSIAN, min_size=4, max_size=6)
    first = draw(st.sampled_from(FIRST)) + draw(suffix)
    last = draw(st.sampled_from(LAST)) + draw(suffix)
    number = "09" + draw(st.text("0123456789", min_size=9, max_size=9))
    shown = draw(st.sampled_from([
        number, to_persian_digits(number), "+98" + number[1:],
        f"{number[:4]} {number[4:7]} {number[7:]}", f"{number[:4]}-{number[4:]}"]))
    # Letters, a dot, digits: no field name, tag, token (hex and dashes) or time can
    # hold that, so finding it in an answer means the citizen's address leaked (a
    # bare "reque" is part of ``service_request_id``).
    local = draw(st.text("abcdefghijklmnopqrstuvwxyz", min_size=5, max_size=10)) + "." \
        + draw(st.text("0123456789", min_size=2, max_size=3))
    domain = draw(st.sampled_from(["gmail.com", "chmail.ir", "example.org"]))
    return {"first": first, "last": last, "phone": number, "phone_as_typed": shown,
            "email": f"{local}@{domain}"}


def _mention(draw: Any, citizen: dict[str, str]) -> str:
    """Free text that may carry any of the citizen's details."""
    parts = draw(st.lists(st.sampled_from([
        "زباله جمع نشده", citizen["first"], f"{citizen['first']} {citizen['last']}",
        citizen["phone_as_typed"], f"تلفن:{citizen['phone']}", citizen["email"],
        f"ایمیل {citizen['email']}.", citizen["last"]]), min_size=1, max_size=4))
    return " ".join(parts)


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_public_answer_holds_a_citizens_name_phone_or_email(api: Api, data: Any) -> None:
    citizen = data.draw(citizens())
    description = _mention(data.draw, citizen)
    address = "محله فین، " + _mention(data.draw, citizen)
    posted = api.post(data.draw(st.sampled_from(["json", "xml"])), service_code="garbage",
                      description=description, address_string=address,
                      first_name=citizen["first"], last_name=citizen["last"],
                      phone=citizen["phone_as_typed"], email=citizen["email"])
    assert posted.status_code == 201, posted.text
    answers = [posted.text]
    if posted.headers["content-type"].startswith("application/json"):
        code, token = posted.json()[0]["service_request_id"], posted.json()[0]["token"]
    else:
        (answer,) = xml_items(posted.content, "service_requests", "request")
        code, token = answer["service_request_id"], answer["token"]
    if data.draw(st.booleans()):
        with api.centre.sessions.begin() as session:
            request_id = session.scalars(sa.select(ServiceRequest.id).where(
                ServiceRequest.tracking_code == code)).one()
            ops.refer(session, request_id, actor="operator")
            ops.change_status(session, request_id, Status.NOT_ACTIONABLE, actor="operator",
                              reason="duplicate", note="تماس با " + _mention(data.draw, citizen))
    for fmt in ("json", "xml"):
        for path, params in ((f"requests/{code}.{fmt}", {}), (f"requests.{fmt}", {}),
                             (f"requests.{fmt}", {"service_request_id": code, "locale": "en"}),
                             (f"services.{fmt}", {}), (f"tokens/{token}.{fmt}", {})):
            response = api.get(path, **params)
            assert response.status_code in (200, 404)
            answers.append(response.text)
    forbidden = {citizen["first"], citizen["last"], citizen["phone"], to_persian_digits(citizen["phone"]),
                 citizen["phone_as_typed"], citizen["phone"][1:], citizen["email"],
                 citizen["email"].split("@")[0]}
    for answer in answers:
        for value in forbidden:
            assert value not in answer, (value, answer[:500])
