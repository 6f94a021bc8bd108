"""Kavenegar's REST API (https://kavenegar.com/rest.html), through httpx.

Every call is ``POST {base}/{API-KEY}/{scope}/{method}.json`` with form fields; the
answer is ``{"return": {"status": 200, "message": "تایید شد"}, "entries": …}``, where
``return.status`` (also the HTTP status) is 200 or an error code.  ``sms/send``
takes ``receptor``, ``message``, ``sender`` and ``localid`` and answers one entry
per receptor: ``messageid``, ``status`` (1 queued, 2 scheduled, 4/5 sent to the
operator, 6 failed, 10 delivered, 11 undelivered, 13 cancelled, 14 blocked by the
receiver, 100 unknown id), ``statustext``, ``sender``, ``receptor``, ``date``,
``cost``.  ``sms/statuslocalmessageid`` answers ``messageid``, ``localid``,
``status``, ``statustext`` for a ``localid`` — what the outbox asks before it sends
again a message whose first send has an unknown outcome.  A ``localid`` sent twice
is, by Kavenegar's documentation, not sent again (the first message is answered);
the outbox does not rely on that alone.

The error codes, and what the outbox does with them (:class:`~.provider.GatewayError`
``retry``):

====  =======================================  =====================================
code  meaning                                   outbox
====  =======================================  =====================================
400   parameters incomplete                    failed (this message is wrong)
401   account deactivated                       retried (the operator fixes it)
402   operation failed                          retried
403   API key not valid                         retried (the operator fixes it)
404   method unknown                            retried (a configuration error)
405   GET/POST not allowed                      retried
406   required parameters missing               failed
407   no access to this information            retried
409   server cannot answer now                  retried
411   receptor not valid                        failed
412   sender line not valid                     retried (the operator fixes it)
413   message empty or too long                 failed
414   too many receptors                        failed
416   calling IP not allowed                    retried (the operator fixes it)
417   send date not valid                       failed
418   credit too low                            retried (the operator tops it up)
422   characters not allowed                    failed
451   too many calls                            retried
501   test account: only to its owner           failed
====  =======================================  =====================================
"""

from __future__ import annotations

from typing import Any

import httpx

from sync.server.sms.provider import GatewayError, OutcomeUnknown, Sent

#: Codes that say this message can never go as it is.
PERMANENT = frozenset({400, 406, 411, 413, 414, 417, 422, 501})
#: ``sms/status`` codes of a message the gateway does not know.
UNKNOWN_MESSAGE = 100

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class KavenegarProvider:
    name = "kavenegar"

    def __init__(self, api_key: str, *, line: str = "10007000137",
                 base_url: str = "https://api.kavenegar.com/v1",
                 transport: httpx.BaseTransport | None = None, timeout: httpx.Timeout = TIMEOUT):
        self.line = line
        self._base = f"{base_url.rstrip('/')}/{api_key}"
        self._client = httpx.Client(transport=transport, timeout=timeout,
                                    headers={"Accept": "application/json"})

    def close(self) -> None:
        self._client.close()

    def _call(self, method: str, fields: dict[str, Any]) -> tuple[int, str, Any]:
        """``(status, message, entries)`` of one call.  Raises :class:`GatewayError`
        (``retry=True``) when the request surely never left, :class:`OutcomeUnknown`
        when it may have been acted on but no answer can be read."""
        try:
            response = self._client.post(f"{self._base}/sms/{method}.json", data=fields)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise GatewayError(f"cannot reach Kavenegar: {exc}", retry=True) from None
        except httpx.TransportError as exc:
            raise OutcomeUnknown(f"no answer from Kavenegar: {type(exc).__name__}: {exc}") from None
        try:
            body = response.json()
            status = int(body["return"]["status"])
            message = str(body["return"].get("message", ""))
        except (ValueError, KeyError, TypeError):
            raise OutcomeUnknown(f"Kavenegar answered HTTP {response.status_code} with no "
                                 f"readable body: {response.text[:200]!r}") from None
        return status, message, body.get("entries")

    def send(self, phone: str, text: str, local_id: int) -> Sent:
        status, message, entries = self._call(
            "send", {"receptor": phone, "message": text, "sender": self.line, "localid": str(local_id)})
        answer = {"status": status, "message": message, "entries": entries}
        if status != 200:
            raise GatewayError(f"Kavenegar refused the message: {status} {message}",
                               retry=status not in PERMANENT, status=status, answer=answer)
        entry = _first(entries)
        if entry is None or not entry.get("messageid"):
            raise OutcomeUnknown(f"Kavenegar accepted but named no message: {answer}")
        return Sent(str(entry["messageid"]), str(entry.get("status", "")), answer)

    def lookup(self, local_id: int) -> Sent | None:
        status, message, entries = self._call("statuslocalmessageid", {"localid": str(local_id)})
        answer = {"status": status, "message": message, "entries": entries}
        if status != 200:
            raise OutcomeUnknown(f"Kavenegar cannot say whether {local_id} was sent: {status} {message}")
        entry = _first(entries)
        if entry is None or int(entry.get("status") or UNKNOWN_MESSAGE) == UNKNOWN_MESSAGE \
                or not entry.get("messageid"):
            return None
        return Sent(str(entry["messageid"]), str(entry.get("status", "")), answer)


def _first(entries: Any) -> dict[str, Any] | None:
    if isinstance(entries, list) and entries and isinstance(entries[0], dict):
        return entries[0]
    if isinstance(entries, dict):
        return entries
    return None
