"""The gateway's callbacks at the centre's HTTP API: the shared secret is checked
before anything is read or stored, and a burst of 1,000 citizens' SMS posted at
once is taken in whole — 1,000 requests, 1,000 distinct tracking codes, 1,000
registration messages queued."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from sync.server.app import create_app
from sync.server.models import Event, ServiceRequest, SmsInbound, SmsOutbox
from tests.sync.server.sms.conftest import SECRET

RECEIVE = "/sms/kavenegar/receive"


def _count(sessions, model, *where) -> int:
    with sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0


@pytest.fixture
def app(centre_engine, sessions, settings):
    return create_app(centre_engine, sms_settings=settings)


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x", SECRET.upper()])
def test_a_forged_callback_is_refused_and_nothing_is_stored(app, sessions, secret):
    client = TestClient(app)
    params = {} if secret is None else {"secret": secret}
    form = {"messageid": "f-1", "from": "09121234567", "to": "10007000137", "message": "سلام"}
    assert client.post(RECEIVE, params=params, data=form).status_code == 403
    assert client.get(RECEIVE, params={**params, **form}).status_code == 403
    assert client.post(RECEIVE, data=form, headers={"X-Daftar-Sms-Secret": secret or ""}).status_code == 403
    assert client.post("/sms/kavenegar/delivery", params=params,
                       data={"messageid": "1", "status": "10"}).status_code == 403
    assert _count(sessions, SmsInbound) == _count(sessions, ServiceRequest) == _count(sessions, SmsOutbox) == 0


def test_no_secret_configured_refuses_every_callback(centre_engine, sessions, settings):
    import dataclasses

    client = TestClient(create_app(centre_engine, sms_settings=dataclasses.replace(settings, secret="")))
    answer = client.post(RECEIVE, params={"secret": ""}, data={"messageid": "1", "from": "0912"})
    assert answer.status_code == 403 and _count(sessions, SmsInbound) == 0


def test_the_right_secret_in_query_form_or_header(app, sessions):
    client = TestClient(app)
    form = {"messageid": "k-1", "from": "989121234567", "to": "10007000137", "message": "چراغ خاموش"}
    answer = client.post(RECEIVE, params={"secret": SECRET}, data=form)
    assert answer.status_code == 200 and answer.json()["action"] == "new_request"
    answer = client.get(RECEIVE, params={"secret": SECRET, **form, "messageid": "k-2"})
    assert answer.status_code == 200
    answer = client.post(RECEIVE, data={**form, "messageid": "k-3"}, headers={"X-Daftar-Sms-Secret": SECRET})
    assert answer.status_code == 200
    # A repeated callback is answered and taken once.
    assert client.post(RECEIVE, params={"secret": SECRET}, data=form).status_code == 200
    assert _count(sessions, ServiceRequest, ServiceRequest.channel == "sms") == 3
    bad = client.post(RECEIVE, params={"secret": SECRET}, data={"message": "no sender"})
    assert bad.status_code == 422 and _count(sessions, SmsInbound) == 3


def test_a_delivery_report_is_kept_with_the_message(app, sessions, sender):
    client = TestClient(app)
    client.post(RECEIVE, params={"secret": SECRET},
                data={"messageid": "d-1", "from": "09121234567", "message": "درخت افتاده"})
    sender.drain()
    with sessions() as session:
        row = session.scalars(sa.select(SmsOutbox)).one()
    answer = client.post("/sms/kavenegar/delivery", params={"secret": SECRET},
                         data={"messageid": row.gateway_message_id, "status": "10"})
    assert answer.json() == {"status": "ok", "known": True}
    with sessions() as session:
        assert session.get(SmsOutbox, row.id).gateway_answer["delivery"]["status"] == "10"


BURST = 1000


def test_a_burst_of_1000_inbound_sms_is_taken_in_without_loss(app, sessions):
    async def burst() -> list[int]:
        limit = asyncio.Semaphore(64)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://centre") as client:
            async def one(i: int) -> int:
                async with limit:
                    answer = await client.post(RECEIVE, params={"secret": SECRET}, data={
                        "messageid": f"b-{i}", "from": f"0912{i:07d}", "to": "10007000137",
                        "message": f"گزارش شماره {i}: آشغال در کوچه"})
                    return answer.status_code
            return await asyncio.gather(*(one(i) for i in range(BURST)))

    statuses = asyncio.run(burst())
    assert statuses == [200] * BURST
    assert _count(sessions, SmsInbound, SmsInbound.action == "new_request") == BURST
    with sessions() as session:
        codes = session.scalars(sa.select(ServiceRequest.tracking_code)
                                .where(ServiceRequest.channel == "sms")).all()
        phones = set(session.scalars(sa.select(ServiceRequest.citizen_phone)))
    assert len(codes) == len(set(codes)) == BURST
    assert phones == {f"0912{i:07d}" for i in range(BURST)}
    assert _count(sessions, SmsOutbox, SmsOutbox.purpose == "registered") == BURST
    assert _count(sessions, Event, Event.kind == "sms_received") == BURST
