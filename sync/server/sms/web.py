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
from typing import Annotated, Any
from urllib.parse import parse_qs

import anyio
import anyio.to_thread
import sqlalchemy as sa
from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from sync.protocol import ErrorBody
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


class SmsAnswer(BaseModel):
    """What the centre answers the gateway: ``ok``, and what it made of the message
    (``action``: ``new_request``, ``status_query``, ``satisfaction``, ``opt_out`` …) or
    whether it knew the delivery report's message (``known``)."""

    status: str
    action: str | None = None
    known: bool | None = None


_RESPONSES: dict[int | str, dict[str, Any]] = {403: {"model": ErrorBody}, 422: {"model": ErrorBody}}
Text = Annotated[str | None, Query(max_length=2000)]


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"code": code, "message": message})


async def _receive(request: Request) -> JSONResponse:
    fields = await _fields(request)
    settings: SmsSettings = request.app.state.sms
    if not _allowed(settings, request, fields):
        return _error(403, "forbidden", "not the gateway's shared secret")
    message_id, sender = fields.get("messageid", ""), fields.get("from", "")
    if not message_id or not sender or len(message_id) > 40 or len(sender) > 40:
        return _error(422, "bad_request", "messageid and from are required (at most 40 characters)")

    def work() -> dict[str, Any]:
        for attempt in range(3):
            try:
                with request.app.state.writes.begin() as session:
                    record = take_in(session, settings, message_id=message_id, sender=sender,
                                     text=fields.get("message", ""), line=fields.get("to", ""))
                    return SmsAnswer(status="ok", action=record.action).model_dump(exclude_none=True)
            except (sa.exc.IntegrityError, sa.exc.OperationalError) as exc:
                # A twin callback committed the same message id first (taken once: the
                # next try finds it), or PostgreSQL chose this one to lose a deadlock /
                # SQLite stayed locked: try again, then fail so the gateway calls again.
                if attempt == 2 or (isinstance(exc, sa.exc.OperationalError) and not _retryable(exc)):
                    raise
        raise AssertionError("unreachable")

    limiter = request.app.state.sms_limiter
    return JSONResponse(await anyio.to_thread.run_sync(work, limiter=limiter))


async def _delivery(request: Request) -> JSONResponse:
    fields = await _fields(request)
    settings: SmsSettings = request.app.state.sms
    if not _allowed(settings, request, fields):
        return _error(403, "forbidden", "not the gateway's shared secret")

    def work() -> bool:
        with request.app.state.writes.begin() as session:
            return record_delivery(session, fields.get("messageid", "")[:40], fields.get("status", "")[:16])

    known = await anyio.to_thread.run_sync(work, limiter=request.app.state.sms_limiter)
    return JSONResponse(SmsAnswer(status="ok", known=known).model_dump(exclude_none=True))


def _retryable(exc: sa.exc.OperationalError) -> bool:
    return getattr(exc.orig, "sqlstate", None) in ("40P01", "40001") \
        or "database is locked" in str(exc.orig)


def add_sms_routes(app: FastAPI) -> None:
    """``/sms/kavenegar/receive`` and ``/sms/kavenegar/delivery``, by GET (query) and
    POST (form or query), as Kavenegar calls them."""
    app.state.sms_limiter = anyio.CapacityLimiter(SMS_WORKERS)
    receive_doc = ("A citizen's SMS forwarded by the gateway (``messageid``, ``from``, ``to``, "
                   "``message``), with the shared ``secret``; refused (403) without it.")
    delivery_doc = "A delivery report (``messageid``, ``status``), with the shared ``secret``."

    for method in ("get", "post"):
        route = getattr(app, method)

        @route("/sms/kavenegar/receive", tags=["sms"], response_model=SmsAnswer,
               responses=_RESPONSES, operation_id=f"sms_receive_{method}", description=receive_doc)
        async def sms_receive(request: Request, secret: Text = None, messageid: Text = None,
                              from_: Annotated[str | None, Query(alias="from", max_length=40)] = None,
                              to: Text = None, message: Text = None) -> JSONResponse:
            return await _receive(request)

        @route("/sms/kavenegar/delivery", tags=["sms"], response_model=SmsAnswer,
               responses=_RESPONSES, operation_id=f"sms_delivery_{method}", description=delivery_doc)
        async def sms_delivery(request: Request, secret: Text = None, messageid: Text = None,
                               status: Text = None) -> JSONResponse:
            return await _delivery(request)
