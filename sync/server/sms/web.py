"""The gateway's callbacks at the centre.

Kavenegar forwards each SMS sent to the line to a URL set in its panel, with the
fields ``messageid``, ``from``, ``to`` and ``message`` (GET query or POST form), and
delivery reports with ``messageid`` and ``status``.  It signs nothing, so the URL
carries the centre's shared secret: set ``DAFTAR_SMS_SECRET`` and give the panel
``https://<centre>/sms/kavenegar/receive?secret=<it>`` (and ``…/delivery?secret=…``).
A callback without the right secret — or any callback while no secret is set — gets
403 and nothing is stored.
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import parse_qs

import anyio
import anyio.to_thread
import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from sync.server.sms.inbound import record_delivery, take_in
from sync.server.sms.settings import SmsSettings

SECRET_HEADER = "X-Daftar-Sms-Secret"
#: Callbacks written at once.  Each takes the year's tracking-code counter and the
#: change-log counter, so writers queue there anyway; a burst waits here, in the
#: event loop, rather than in SQLite's busy loop (which is not fair: with dozens of
#: writers some starve past the busy timeout) or in PostgreSQL's lock queue.
SMS_WORKERS = 4


async def _fields(request: Request) -> dict[str, str]:
    """The query's fields, and a POSTed form's (``application/x-www-form-urlencoded``,
    read here: the centre does not ship python-multipart for this one form)."""
    fields = dict(request.query_params)
    if request.method == "POST":
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind in ("application/x-www-form-urlencoded", ""):
            body = (await request.body()).decode("utf-8", errors="replace")
            fields.update({k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()})
    return fields


def _allowed(settings: SmsSettings, request: Request, fields: dict[str, str]) -> bool:
    given = fields.get("secret") or request.headers.get(SECRET_HEADER) or ""
    return bool(settings.secret) and hmac.compare_digest(given.encode(), settings.secret.encode())


def _refused() -> JSONResponse:
    return JSONResponse(status_code=403, content={"code": "forbidden",
                                                  "message": "not the gateway's shared secret"})


def _retryable(exc: sa.exc.OperationalError) -> bool:
    return getattr(exc.orig, "sqlstate", None) in ("40P01", "40001") \
        or "database is locked" in str(exc.orig)


def add_sms_routes(app: FastAPI) -> None:
    app.state.sms_limiter = anyio.CapacityLimiter(SMS_WORKERS)

    @app.api_route("/sms/kavenegar/receive", methods=["GET", "POST"], tags=["sms"],
                   include_in_schema=True)
    async def sms_receive(request: Request) -> JSONResponse:
        """A citizen's SMS, forwarded by the gateway (``messageid``, ``from``, ``to``,
        ``message``); refused (403) without the shared secret."""
        fields = await _fields(request)
        settings: SmsSettings = request.app.state.sms
        if not _allowed(settings, request, fields):
            return _refused()
        message_id, sender = fields.get("messageid", ""), fields.get("from", "")
        if not message_id or not sender or len(message_id) > 40 or len(sender) > 40:
            return JSONResponse(status_code=422, content={
                "code": "bad_request", "message": "messageid and from are required"})

        def work() -> dict[str, Any]:
            for attempt in range(3):
                try:
                    with request.app.state.writes.begin() as session:
                        record = take_in(session, settings, message_id=message_id, sender=sender,
                                         text=fields.get("message", ""), line=fields.get("to", ""))
                        return {"status": "ok", "action": record.action}
                except (sa.exc.IntegrityError, sa.exc.OperationalError) as exc:
                    # A twin callback committed the same message id first (taken once:
                    # the next try finds it), or PostgreSQL chose this one to lose a
                    # deadlock / SQLite stayed locked: try again, then fail loudly so
                    # the gateway calls again.
                    if attempt == 2 or (isinstance(exc, sa.exc.OperationalError)
                                        and not _retryable(exc)):
                        raise
            raise AssertionError("unreachable")

        limiter = request.app.state.sms_limiter
        return JSONResponse(await anyio.to_thread.run_sync(work, limiter=limiter))

    @app.api_route("/sms/kavenegar/delivery", methods=["GET", "POST"], tags=["sms"])
    async def sms_delivery(request: Request) -> JSONResponse:
        """A delivery report (``messageid``, ``status``), kept with the message's
        gateway answer; refused (403) without the shared secret."""
        fields = await _fields(request)
        settings: SmsSettings = request.app.state.sms
        if not _allowed(settings, request, fields):
            return _refused()

        def work() -> bool:
            with request.app.state.writes.begin() as session:
                return record_delivery(session, fields.get("messageid", "")[:40],
                                       fields.get("status", "")[:16])

        known = await anyio.to_thread.run_sync(work)
        return JSONResponse({"status": "ok", "known": known})
