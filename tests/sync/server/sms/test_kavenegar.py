"""The Kavenegar adapter against httpx's MockTransport: the requests it makes (URL
with the API key, form fields receptor/message/sender/localid) and what it makes of
the documented answers, error statuses included."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import httpx
import pytest

from sync.server.sms.kavenegar import KavenegarProvider
from sync.server.sms.provider import GatewayError, OutcomeUnknown

KEY = "6A4B-TEST-KEY"


def _answer(status: int, entries=None, message: str = "تایید شد") -> httpx.Response:
    body = {"return": {"status": status, "message": message}, "entries": entries}
    return httpx.Response(status, content=json.dumps(body, ensure_ascii=False).encode(),
                          headers={"content-type": "application/json"})


def _provider(handler) -> tuple[KavenegarProvider, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    return KavenegarProvider(KEY, base_url="https://api.kavenegar.com/v1",
                             transport=httpx.MockTransport(record)), seen


def _form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


ENTRY = {"messageid": 8792343, "message": "متن", "status": 1, "statustext": "در صف ارسال",
         "sender": "10007000137", "receptor": "09121234567", "date": 1356619709, "cost": 120}


def test_send_posts_the_documented_fields_and_reads_the_message_id():
    provider, seen = _provider(lambda r: _answer(200, [ENTRY]))
    sent = provider.send("09121234567", "درخواست شما ثبت شد", 42)
    (request,) = seen
    assert request.method == "POST"
    assert str(request.url) == f"https://api.kavenegar.com/v1/{KEY}/sms/send.json"
    assert _form(request) == {"receptor": "09121234567", "message": "درخواست شما ثبت شد",
                              "sender": "10007000137", "localid": "42"}
    assert (sent.message_id, sent.status) == ("8792343", "1")
    assert sent.answer["entries"][0]["cost"] == 120 and sent.answer["status"] == 200


@pytest.mark.parametrize("status", [400, 406, 411, 413, 414, 417, 422, 501])
def test_statuses_that_say_this_message_can_never_go(status):
    provider, _ = _provider(lambda r: _answer(status, None, "خطا"))
    with pytest.raises(GatewayError) as refused:
        provider.send("09121234567", "x", 1)
    assert refused.value.retry is False and refused.value.status == status
    assert refused.value.answer["status"] == status


@pytest.mark.parametrize("status", [401, 402, 403, 409, 412, 416, 418, 451])
def test_statuses_that_say_try_later(status):
    provider, _ = _provider(lambda r: _answer(status, None, "خطا"))
    with pytest.raises(GatewayError) as refused:
        provider.send("09121234567", "x", 1)
    assert refused.value.retry is True


def test_a_connection_never_made_is_retried_but_a_lost_answer_is_unknown():
    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    provider, _ = _provider(refuse)
    with pytest.raises(GatewayError) as refused:
        provider.send("09121234567", "x", 1)
    assert refused.value.retry is True

    def time_out(request):
        raise httpx.ReadTimeout("read timed out", request=request)

    provider, _ = _provider(time_out)
    with pytest.raises(OutcomeUnknown):
        provider.send("09121234567", "x", 1)
    provider, _ = _provider(lambda r: httpx.Response(502, text="<html>Bad gateway</html>"))
    with pytest.raises(OutcomeUnknown):
        provider.send("09121234567", "x", 1)


def test_lookup_by_localid():
    found = {"messageid": 99, "localid": "7", "status": 10, "statustext": "رسیده به گیرنده"}
    provider, seen = _provider(lambda r: _answer(200, [found]))
    sent = provider.lookup(7)
    assert str(seen[0].url).endswith(f"/{KEY}/sms/statuslocalmessageid.json")
    assert _form(seen[0]) == {"localid": "7"}
    assert (sent.message_id, sent.status) == ("99", "10")
    missing = {"messageid": 0, "localid": "8", "status": 100, "statustext": "شناسه نامعتبر"}
    provider, _ = _provider(lambda r: _answer(200, [missing]))
    assert provider.lookup(8) is None
    provider, _ = _provider(lambda r: _answer(409, None, "سرور پاسخگو نیست"))
    with pytest.raises(OutcomeUnknown):
        provider.lookup(8)
