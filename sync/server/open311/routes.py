"""The Open311 GeoReport v2 endpoints under ``/open311/v2/`` (an ``APIRouter``).

Every answer, errors included, is in the format the path names (``.json`` or
``.xml``); every error is the standard's ``[{"code", "description"}]`` (or
``<errors>``), whatever raised it: :class:`Open311Route` catches FastAPI's own
validation errors too, so no answer under this prefix is in the sync API's shape.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Annotated, Any
from urllib.parse import parse_qs

import anyio.to_thread
from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync.dates import DateError, parse_instant
from sync.server.open311 import georeport as geo
from sync.server.open311 import wire
from sync.server.open311.keys import client_for
from sync.server.open311.wire import Format

log = logging.getLogger("daftar.server.open311")

PREFIX = "/open311/v2"
#: A form with the longest description and address the rule book allows is some
#: 40 KB url-encoded (Persian letters are 6 bytes each as %XX%XX); 64 KiB is enough.
MAX_FORM_BYTES = 64 * 1024
TAG = "open311"


def error_response(fmt: Format | str, status: int, description: str) -> Response:
    body, media_type = wire.error_body(fmt, status, description)
    return Response(body, status_code=status, media_type=media_type)


class Open311Route(APIRoute):
    """A route whose every failure answers in the standard's error format."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            fmt = wire.format_of_path(request.url.path)
            try:
                return await handler(request)
            except geo.Open311Error as exc:
                return error_response(fmt, exc.status, exc.description)
            except RequestValidationError as exc:
                return error_response(fmt, *_invalid(exc))
            except StarletteHTTPException as exc:
                return error_response(fmt, exc.status_code, str(exc.detail))
            except Exception:
                log.exception("open311 request failed")
                return error_response(fmt, 500, "the centre could not answer; try again later")

        return answer


def _invalid(exc: RequestValidationError) -> tuple[int, str]:
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
    loc = tuple(first.get("loc", ()))
    if loc[:2] == ("path", "fmt"):
        return 404, "unknown format: use .json or .xml"
    return 400, f"{loc[-1] if loc else 'request'}: {first.get('msg')}"


# ------------------------------------------------------------ documentation


def _both(model: Any, description: str) -> dict[str, Any]:
    return {"model": model, "description": description,
            "content": {"text/xml": {"schema": {"type": "string"}}}}


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    out: dict[int | str, dict[str, Any]] = {}
    for status in sorted({400, 404, 413, 500, *statuses}):
        out[status] = _both(list[wire.Open311ErrorItem],
                            "[{code, description}] or <errors><error>…")
    return out


FmtPath = Annotated[Format, Path(description="json or xml")]
Jurisdiction = Annotated[str | None, Query(
    max_length=200, description="accepted; this centre serves one jurisdiction")]
Locale = Annotated[str | None, Query(max_length=35, description="fa (default) or en")]
AcceptLanguage = Annotated[str | None, Header(alias="Accept-Language")]

_FORM_FIELDS: dict[str, dict[str, Any]] = {
    "api_key": {"type": "string", "description": "the client's key (daftar-server apikey add)"},
    "jurisdiction_id": {"type": "string"},
    "service_code": {"type": "string"},
    "lat": {"type": "number", "minimum": -90, "maximum": 90},
    "long": {"type": "number", "minimum": -180, "maximum": 180},
    "address_string": {"type": "string", "maxLength": 1000,
                       "description": "must name the neighbourhood unless address_id or "
                                      "attribute[neighbourhood] is given"},
    "address_id": {"type": "string", "description": "a neighbourhood code"},
    "email": {"type": "string"},
    "device_id": {"type": "string", "maxLength": 100},
    "account_id": {"type": "string", "maxLength": 100},
    "first_name": {"type": "string"},
    "last_name": {"type": "string"},
    "phone": {"type": "string"},
    "description": {"type": "string", "maxLength": 4000},
    "media_url": {"type": "string", "format": "uri"},
    "attribute[neighbourhood]": {"type": "string", "description": "a neighbourhood code"},
}
_POST_BODY = {"requestBody": {"required": True, "content": {
    "application/x-www-form-urlencoded": {"schema": {
        "type": "object", "required": ["api_key", "service_code"],
        "properties": _FORM_FIELDS, "additionalProperties": {"type": "string"}}}}}}


# ------------------------------------------------------------------ helpers


@contextmanager
def _session(request: Request, kind: str) -> Iterator[Session]:
    factory: sessionmaker[Session] = getattr(request.app.state, kind)
    with factory.begin() as session:
        yield session


def _answer(fmt: Format, names: tuple[str, str | None], payload: Any, status: int = 200) -> Response:
    body, media_type = wire.render(fmt, names, payload)
    return Response(body, status_code=status, media_type=media_type)


def _media_base(request: Request) -> str:
    """The centre's address as the client reached it, for ``media_url``s it serves."""
    return str(request.base_url).rstrip("/")


def _list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _date(name: str, text: str | None) -> Any:
    if text is None or not text.strip():
        return None
    try:
        return parse_instant(text)
    except DateError as exc:
        raise geo.Open311Error(400, f"{name}: {exc} (ISO 8601 with an offset)") from None


async def _form(request: Request) -> dict[str, list[str]]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise geo.Open311Error(400, "send the request as application/x-www-form-urlencoded")
    size = request.headers.get("content-length")
    if size and size.isdigit() and int(size) > MAX_FORM_BYTES:
        raise geo.Open311Error(413, f"the form is larger than {MAX_FORM_BYTES} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise geo.Open311Error(413, f"the form is larger than {MAX_FORM_BYTES} bytes")
    try:
        text = bytes(body).decode("utf-8")
        return parse_qs(text, keep_blank_values=True, strict_parsing=False, max_num_fields=200)
    except (UnicodeDecodeError, ValueError) as exc:
        raise geo.Open311Error(400, f"the form cannot be read: {exc}") from None


# ------------------------------------------------------------------ routes


def make_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=[TAG], route_class=Open311Route)

    @router.get("/services.{fmt}", response_model=None,
                responses={200: _both(list[wire.Service], "the services"), **_errors()})
    def services(request: Request, fmt: FmtPath, jurisdiction_id: Jurisdiction = None,
                 locale: Locale = None, accept_language: AcceptLanguage = None) -> Response:
        """The service list: one service per category; ``group`` is its family.
        Persian names unless ``locale`` or ``Accept-Language`` asks for English."""
        with _session(request, "reads") as session:
            payload = geo.services(session, geo.english(locale, accept_language))
        return _answer(fmt, wire.SERVICES, payload)

    @router.get("/services/{service_code}.{fmt}", response_model=None,
                responses={200: _both(wire.ServiceDefinition, "the service definition"),
                           **_errors()})
    def service_definition(request: Request, service_code: str, fmt: FmtPath,
                           jurisdiction_id: Jurisdiction = None, locale: Locale = None,
                           accept_language: AcceptLanguage = None) -> Response:
        """The service's attributes: the neighbourhood that places a request."""
        with _session(request, "reads") as session:
            payload = geo.service_definition(session, service_code,
                                             geo.english(locale, accept_language))
        return _answer(fmt, ("service_definition", None), payload)

    @router.post("/requests.{fmt}", response_model=None, status_code=201,
                 openapi_extra=_POST_BODY,
                 responses={201: _both(list[wire.PostedRequest], "taken in as received"),
                            **_errors(403, 413)})
    async def post_request(request: Request, fmt: FmtPath, locale: Locale = None,
                           accept_language: AcceptLanguage = None) -> Response:
        """A citizen's request (form-encoded, as the standard says), with the client's
        ``api_key``: it is ``received`` on the ``web`` channel and waits in the
        centre's queue like a call.  The answer holds the tracking code."""
        form = await _form(request)
        en = geo.english(locale, accept_language)

        def write() -> geo.Posted:
            with _session(request, "writes") as session:
                keys = form.get("api_key") or []
                client = client_for(session, keys[0] if len(keys) == 1 else None)
                if client is None:
                    raise geo.Open311Error(403, "api_key is missing, unknown or revoked")
                return geo.take_in(session, client, form)

        posted = await anyio.to_thread.run_sync(write)
        return _answer(fmt, wire.REQUESTS, geo.posted_answer(posted, en), status=201)

    @router.get("/requests.{fmt}", response_model=None,
                responses={200: _both(list[wire.ServiceRequestOut], "the requests"),
                           **_errors()})
    def get_requests(
        request: Request, fmt: FmtPath,
        service_request_id: Annotated[str | None, Query(
            max_length=20000, description="comma-separated; overrides every other filter")] = None,
        service_code: Annotated[str | None, Query(max_length=2000,
                                                  description="comma-separated")] = None,
        start_date: Annotated[str | None, Query(max_length=64)] = None,
        end_date: Annotated[str | None, Query(max_length=64)] = None,
        status: Annotated[str | None, Query(max_length=64,
                                            description="open, closed, or both comma-separated")] = None,
        page: Annotated[int, Query(ge=1, le=1_000_000, description="extension: from 1")] = 1,
        page_size: Annotated[int, Query(ge=1, le=geo.MAX_PAGE_SIZE,
                                        description="extension: at most 1000")] = geo.MAX_PAGE_SIZE,
        jurisdiction_id: Jurisdiction = None, locale: Locale = None,
        accept_language: AcceptLanguage = None,
    ) -> Response:
        """Requests, newest first; the last 90 days unless dates are given; at most
        1000 per page (``page``/``page_size`` extend the standard)."""
        statuses = _list(status)
        if any(s not in ("open", "closed") for s in statuses):
            raise geo.Open311Error(400, "status is open, closed or both, comma-separated")
        ids = _list(service_request_id)
        if len(ids) > geo.MAX_PAGE_SIZE:
            raise geo.Open311Error(400, f"at most {geo.MAX_PAGE_SIZE} service_request_id")
        query = geo.Query(service_request_ids=ids, service_codes=_list(service_code),
                          start=_date("start_date", start_date), end=_date("end_date", end_date),
                          statuses=statuses, page=page, page_size=page_size)
        with _session(request, "reads") as session:
            payload = geo.requests(session, query, geo.english(locale, accept_language),
                                   _media_base(request))
        return _answer(fmt, wire.REQUESTS, payload)

    @router.get("/requests/{service_request_id}.{fmt}", response_model=None,
                responses={200: _both(list[wire.ServiceRequestOut], "the request"), **_errors()})
    def get_request(request: Request, service_request_id: str, fmt: FmtPath,
                    jurisdiction_id: Jurisdiction = None, locale: Locale = None,
                    accept_language: AcceptLanguage = None) -> Response:
        """One request by its tracking code (a list of one, as the standard has it)."""
        with _session(request, "reads") as session:
            payload = geo.one_request(session, service_request_id,
                                      geo.english(locale, accept_language), _media_base(request))
        return _answer(fmt, wire.REQUESTS, [payload])

    @router.get("/tokens/{token}.{fmt}", response_model=None,
                responses={200: _both(list[wire.RequestToken], "the request of the token"),
                           **_errors()})
    def get_token(request: Request, token: str, fmt: FmtPath,
                  jurisdiction_id: Jurisdiction = None) -> Response:
        """The tracking code of a request by the ``token`` its POST answered (this
        centre answers the code at once; the token is there for clients that ask)."""
        with _session(request, "reads") as session:
            payload = geo.by_token(session, token)
        return _answer(fmt, wire.REQUESTS, [payload])

    return router
