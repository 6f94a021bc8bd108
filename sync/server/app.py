"""The centre's HTTP API (FastAPI on uvicorn); the OpenAPI description is at
``/openapi.json`` and browsable at ``/docs``.  The wire contract is :mod:`sync.protocol`.

Serving over TLS
----------------
Offices reach the centre over the city network or the internet, so production
traffic must be encrypted.  Two ways, both supported:

* **uvicorn's own TLS**: ``run(url, certfile=..., keyfile=...)``, or set
  ``DAFTAR_TLS_CERT`` and ``DAFTAR_TLS_KEY`` (PEM files) before ``daftar-server
  serve``; the server then speaks only HTTPS on its port.
* **a reverse proxy** that holds the certificate and forwards to the server on
  loopback — the usual choice when the city already runs one.  With Caddy::

      137.kashan.ir {
          reverse_proxy 127.0.0.1:8137
      }

  or nginx::

      server {
          listen 443 ssl;
          server_name 137.kashan.ir;
          ssl_certificate     /etc/ssl/daftar/fullchain.pem;
          ssl_certificate_key /etc/ssl/daftar/privkey.pem;
          client_max_body_size 8m;  # sync.server.body_limit.MAX_BODY_BYTES
          location / {
              proxy_pass http://127.0.0.1:8137;
              proxy_read_timeout 120s;
          }
      }

  and ``daftar-server serve --host 127.0.0.1`` so that nothing reaches the plain
  port from outside.

The office app refuses ``http://`` to any host but this computer unless the user
allows it explicitly (``daftar enroll --allow-insecure``).
"""

from __future__ import annotations

import gc
import logging
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import anyio
import anyio.to_thread
import sqlalchemy as sa
from fastapi import Depends, FastAPI, Header, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import TypeAdapter
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync.dates import utcnow
from sync.db import make_engine
from sync.protocol import (
    ATTACHMENT_MEDIA_TYPES,
    CREDENTIAL_HEADER,
    DEFAULT_PULL_PAGE,
    LAST_SEQ_HEADER,
    MAX_ATTACHMENT_BYTES,
    MAX_PULL_PAGE,
    MIN_PROTOCOL_VERSION,
    NEXT_CURSOR_HEADER,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    SHA256_PATTERN,
    BlobStatus,
    EnrolRequest,
    EnrolResponse,
    ErrorBody,
    ErrorCode,
    HealthResponse,
    HelloResponse,
    PullResponse,
    PushRequest,
    PushResponse,
)
from sync.server import db, open311
from sync.server.auth import (
    AuthError,
    Scope,
    authenticate,
    mark_seen,
    match_code,
    needs_marking,
    use_code,
    waiting_codes,
    walk_in_serials,
)
from sync.server.blobs import (
    BlobHashError,
    BlobOffsetError,
    BlobStore,
    FolderBlobStore,
    default_blob_dir,
)
from sync.server.body_limit import MAX_BODY_BYTES, BodyLimit
from sync.server.enrolment import (
    ENROLMENT_WORKERS,
    AttemptGate,
    AttemptGatekeeper,
    address_of,
)
from sync.server.models import Attachment, ServiceRequest
from sync.server.open311.georeport import shown
from sync.server.pull import CursorAhead, has_changes, read_page
from sync.server.push import apply_batch
from sync.server.sms.settings import SmsSettings
from sync.server.sms.web import add_sms_routes

log = logging.getLogger("daftar.server")

TLS_CERT_ENV = "DAFTAR_TLS_CERT"
TLS_KEY_ENV = "DAFTAR_TLS_KEY"


class ApiError(Exception):
    def __init__(self, status: int, code: ErrorCode | str, message: str, *,
                 headers: dict[str, str] | None = None, **extra: Any):
        self.status = status
        self.body = ErrorBody(code=str(code), message=message, **extra)
        self.headers = headers
        super().__init__(message)


_PAGE_JSON = TypeAdapter(PullResponse)


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error answers an operation documents: those any request may get (a body
    that is not JSON or text, too large, or invalid) and ``statuses``."""
    return {status: {"model": ErrorBody} for status in sorted({400, 413, 422, *statuses})}


def _error(status: int, body: ErrorBody, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content=body.model_dump(exclude_none=True),
                        headers=headers)


def _protocol_error(stated: str | None) -> ApiError:
    if stated is None:
        message = f"the request states no protocol version (header {PROTOCOL_HEADER})"
    else:
        message = (f"this centre serves protocol versions {MIN_PROTOCOL_VERSION} to "
                   f"{PROTOCOL_VERSION}, not {stated}: "
                   + ("update the Daftar app" if _older(stated) else "the centre must be updated"))
    return ApiError(426, ErrorCode.UNSUPPORTED_PROTOCOL, message,
                    min_protocol_version=MIN_PROTOCOL_VERSION, max_protocol_version=PROTOCOL_VERSION)


def _older(stated: str) -> bool:
    return stated.isdigit() and int(stated) < MIN_PROTOCOL_VERSION


def protocol_version(
    stated: Annotated[str | None, Header(alias=PROTOCOL_HEADER)] = None,
) -> int:
    """Every sync request states its protocol version; one outside the range served
    gets 426 and the range, before anything else is looked at."""
    if stated is None or not stated.isdigit() \
            or not MIN_PROTOCOL_VERSION <= int(stated) <= PROTOCOL_VERSION:
        raise _protocol_error(stated)
    return int(stated)


Version = Annotated[int, Depends(protocol_version)]


@contextmanager
def _transaction(request: Request, kind: str) -> Iterator[Session]:
    factory: sessionmaker[Session] = getattr(request.app.state, kind)
    with factory.begin() as session:
        yield session


def office_scope(
    request: Request,
    _version: Version,
    credential: Annotated[str | None, Header(alias=CREDENTIAL_HEADER)] = None,
) -> Scope:
    """The calling device's office and districts; 401 unless its credential is good.
    The protocol is checked first: an old app hears "update", not "who are you"."""
    with _transaction(request, "reads") as session:
        return authenticate(session, credential)


Office = Annotated[Scope, Depends(office_scope)]


def _use_code(request: Request, body: EnrolRequest) -> EnrolResponse:
    """Enrolment, in the enrolment pool: argon2 runs between a read and the write, in
    no transaction, so that it never holds SQLite's write lock from hello and push."""
    with _transaction(request, "reads") as session:
        waiting = waiting_codes(session)
    found = match_code(waiting, body.code)
    with _transaction(request, "writes") as session:
        scope, credential = use_code(session, found, body.office_id)
        serials = walk_in_serials(session, scope.number)
    return EnrolResponse(protocol_version=PROTOCOL_VERSION, office=scope.info(),
                         device_id=scope.device_id, credential=credential,
                         walk_in_serials=serials, server_time=utcnow())


def _read_engine(engine: sa.Engine) -> sa.Engine:
    """Pulls read one consistent snapshot.  PostgreSQL: REPEATABLE READ.  SQLite: a
    plain (deferred) transaction is already a snapshot in WAL mode, and must not take
    the write lock that this project's SQLite engines take with ``BEGIN IMMEDIATE``."""
    if engine.dialect.name == "sqlite":
        return make_engine(engine.url, immediate=False)
    return engine.execution_options(isolation_level="REPEATABLE READ")


_BINARY = {"schema": {"type": "string", "format": "binary"}}
_RANGE = re.compile(r"^bytes (\d{1,12})-(\d{1,12})/(\d{1,12})$")
_WANTED_RANGE = re.compile(r"^bytes=(\d{0,12})-(\d{0,12})$")
Sha256 = Annotated[str, Path(pattern=SHA256_PATTERN, description="the blob's SHA-256, hex")]


def _blob_size_in_scope(session: Session, scope: Scope, sha256: str) -> int | None:
    """The size an attachment of the office's districts gives the blob ``sha256``
    (``None``: no such attachment — or only another district's, the same answer)."""
    query = sa.select(sa.func.max(Attachment.size)).where(Attachment.sha256 == sha256)
    if not scope.all_districts:
        query = query.join(ServiceRequest, ServiceRequest.id == Attachment.request_id) \
            .where(ServiceRequest.district_code.in_(sorted(scope.districts)))
    return session.scalar(query)


def _blob_added_by(session: Session, scope: Scope, sha256: str) -> int | None:
    """The size an attachment the office itself added gives the blob: it may send
    those bytes even after the request left its districts (a move before the
    upload), never fetch them."""
    return session.scalar(sa.select(sa.func.max(Attachment.size)).where(
        Attachment.sha256 == sha256, Attachment.office_id == scope.office_id))


def _no_blob() -> ApiError:
    return ApiError(404, ErrorCode.NOT_FOUND,
                    "no attachment of this office's districts has this hash")


def create_app(engine_or_url: sa.Engine | str, *, max_body_bytes: int = MAX_BODY_BYTES,
               enrolment_gate: AttemptGate | None = None,
               sms_settings: SmsSettings | None = None,
               blob_store: BlobStore | None = None) -> FastAPI:
    """The API over a migrated centre database (an engine, or a URL to open); request
    bodies over ``max_body_bytes`` are refused with 413 before they are read, and
    enrolment attempts beyond ``enrolment_gate``'s limits with 429.  Attachment
    bytes are kept in ``blob_store`` (default: a folder, :func:`default_blob_dir`)."""
    if isinstance(engine_or_url, sa.Engine):
        engine = engine_or_url
    else:
        url = db.normalise_url(engine_or_url)
        # 50 offices syncing at once need more than the default 5+10 connections.
        pool = {} if url.startswith("sqlite") else {"pool_size": 20, "max_overflow": 20}
        engine = make_engine(url, **pool)
    app = FastAPI(
        title="Daftar centre",
        version=str(PROTOCOL_VERSION),
        description="Sync API of the 137 centre: enrolment, push, pull, and attachment "
        "bytes by SHA-256 (/sync/blobs). "
        f"Every sync request states its protocol version in {PROTOCOL_HEADER}; every one "
        f"but /health and /sync/enrol carries the device credential in {CREDENTIAL_HEADER}. "
        f"Open311 GeoReport v2 for the city's website and apps is under {open311.PREFIX}/.",
    )
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.state.writes = db.session_factory(engine)
    app.state.reads = sessionmaker(_read_engine(engine), expire_on_commit=False)
    app.state.enrolment_gate = enrolment_gate or AttemptGate()
    app.add_middleware(AttemptGatekeeper, gate=app.state.enrolment_gate)
    # Its own threads: argon2 never holds one of those that serve hello, push and pull.
    app.state.enrolment_pool = anyio.CapacityLimiter(ENROLMENT_WORKERS)
    app.state.sms = sms_settings or SmsSettings.from_env()
    app.state.blobs = blob_store or FolderBlobStore(default_blob_dir(engine.url))

    @app.exception_handler(ApiError)
    def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.body, exc.headers)

    @app.exception_handler(AuthError)
    def _auth_error(_request: Request, exc: AuthError) -> JSONResponse:
        return _error(exc.status, ErrorBody(code=exc.code.value, message=str(exc)))

    @app.exception_handler(StarletteHTTPException)
    def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if open311.owns(request.url.path):
            return open311.error_response(open311.format_of_path(request.url.path),
                                          exc.status_code, str(exc.detail))
        # Starlette's and FastAPI's own refusals (unknown path, a body that is not
        # text …) in the centre's error body, like every other answer.
        code = ErrorCode.NOT_FOUND if exc.status_code == 404 else ErrorCode.BAD_REQUEST
        return _error(exc.status_code, ErrorBody(code=code.value, message=str(exc.detail)),
                      dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return _error(422, ErrorBody(code=ErrorCode.BAD_REQUEST.value,
                                     message=f"{where}: {first.get('msg')}"))

    @app.exception_handler(Exception)
    def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        # Logged here in full; the office learns only that it may try again.
        log.exception("request failed", exc_info=exc)
        return _error(500, ErrorBody(code=ErrorCode.SERVER_ERROR.value,
                                     message="the centre could not answer; try again later"))

    open311.install(app)

    @app.get("/health", response_model=HealthResponse, tags=["centre"], responses=_errors())
    def health(request: Request) -> HealthResponse:
        """Liveness: answers without a credential, with the protocol range served."""
        with _transaction(request, "reads") as session:
            session.execute(sa.text("SELECT 1"))
        return HealthResponse(status="ok", protocol_version=PROTOCOL_VERSION,
                              min_protocol_version=MIN_PROTOCOL_VERSION, server_time=utcnow())

    @app.post("/sync/enrol", response_model=EnrolResponse, tags=["sync"],
              responses=_errors(403, 409, 426, 429))
    async def enrol_device(request: Request, body: EnrolRequest, _version: Version) -> EnrolResponse:
        """Use up a one-time enrolment code; the answer holds the device credential,
        which is shown only this once.  A code of another office than the one the
        data folder belongs to (``office_id``) is refused and not used up.  Attempts
        beyond the centre's limits get 429 with ``Retry-After`` (code
        ``too_many_attempts``) before they are read (:class:`AttemptGatekeeper`)."""
        answer = await anyio.to_thread.run_sync(_use_code, request, body,
                                                limiter=request.app.state.enrolment_pool)
        request.app.state.enrolment_gate.succeeded(address_of(request.scope))
        return answer

    @app.get("/sync/hello", response_model=HelloResponse, tags=["sync"],
             responses=_errors(401, 426))
    def hello(request: Request, scope: Office,
              cursor: Annotated[int | None, Query(ge=0)] = None) -> HelloResponse:
        """Who this device is now (its office's districts may have changed), and the
        centre's clock, for the office's clock-skew check; with ``cursor`` (how far the
        office has pulled), whether a pull would bring it anything (``changes_after``).

        Offices poll every 30 s, so an idle hello writes nothing: the device's "last
        seen" is recorded only when it is older than
        :data:`sync.server.auth.SEEN_PRECISION`."""
        now = utcnow()
        if needs_marking(scope, now):
            with _transaction(request, "writes") as session:
                mark_seen(session, scope, now)
        with _transaction(request, "reads") as session:
            last = db.last_seq(session)
            changes = None if cursor is None else has_changes(session, scope, cursor, last)
        return HelloResponse(protocol_version=PROTOCOL_VERSION,
                             min_protocol_version=MIN_PROTOCOL_VERSION, server_time=now,
                             office=scope.info(), last_seq=last, changes_after=changes)

    @app.post("/sync/push", response_model=PushResponse, tags=["sync"],
              responses=_errors(401, 426))
    def push(request: Request, body: PushRequest, scope: Office) -> PushResponse:
        """Apply a batch of the office's outbox, in order, each mutation once."""
        results = apply_batch(request.app.state.writes, scope, body.mutations)
        return PushResponse(protocol_version=PROTOCOL_VERSION, results=results,
                            server_time=utcnow())

    @app.get("/sync/pull", response_model=PullResponse, tags=["sync"],
             responses=_errors(401, 409, 426))
    def pull(
        request: Request,
        scope: Office,
        cursor: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PULL_PAGE)] = DEFAULT_PULL_PAGE,
        search_text_rules: Annotated[int | None, Query(ge=1)] = None,
    ) -> Response:
        """The office's districts' changes after ``cursor``, as rows in their current
        state; with ``search_text_rules``, each request with its search text when the
        centre makes it by those rules (``PullResponse.search_text_rules``)."""
        try:
            with _transaction(request, "reads") as session:
                page = read_page(session, scope, cursor, limit, search_text_rules=search_text_rules)
        except CursorAhead as exc:
            raise ApiError(409, ErrorCode.CURSOR_AHEAD, str(exc)) from None
        # Serialised by pydantic-core straight to bytes: a page can hold 20,000 rows.
        return Response(_PAGE_JSON.dump_json(page), media_type="application/json",
                        headers={NEXT_CURSOR_HEADER: str(page.next_cursor), LAST_SEQ_HEADER: str(page.last_seq)})

    add_sms_routes(app)

    def _blob_scope(request: Request, scope: Scope, sha256: str, *, sending: bool = False) -> int:
        with _transaction(request, "reads") as session:
            size = _blob_size_in_scope(session, scope, sha256)
            if size is None and sending:
                size = _blob_added_by(session, scope, sha256)
        if size is None:
            raise _no_blob()
        return size

    def _status(store: BlobStore, scope: Scope, sha256: str) -> BlobStatus:
        size = store.size(sha256)
        if size is not None:
            return BlobStatus(sha256=sha256, complete=True, received=size, size=size)
        return BlobStatus(sha256=sha256, complete=False,
                          received=store.received(sha256, str(scope.office_id)))

    @app.get("/sync/blobs/{sha256}/status", response_model=BlobStatus, tags=["blobs"],
             responses=_errors(401, 404, 426))
    def blob_status(request: Request, scope: Office, sha256: Sha256) -> BlobStatus:
        """How much of a blob the centre holds: all of it, or how far this office's
        upload got (the next piece starts there).  404 unless an attachment of the
        office's districts names the hash."""
        _blob_scope(request, scope, sha256, sending=True)
        return _status(request.app.state.blobs, scope, sha256)

    @app.put("/sync/blobs/{sha256}", response_model=BlobStatus, tags=["blobs"],
             responses=_errors(401, 404, 409, 426),
             openapi_extra={"requestBody": {"required": True,
                                            "content": {"application/octet-stream": _BINARY}}})
    async def put_blob(
        request: Request,
        scope: Office,
        sha256: Sha256,
        content_range: Annotated[str | None, Header(
            description="``bytes START-END/TOTAL`` of a piece; absent: the whole blob")] = None,
    ) -> BlobStatus:
        """Send an attachment's bytes, whole or a piece at a time (each at most
        :data:`~sync.protocol.BLOB_CHUNK_BYTES` is usual; the body limit applies).
        Accepted only for a hash an attachment of the office's districts names, so
        its metadata goes first (``add_attachment``).  A blob the centre has is not
        taken again (the answer says ``complete``).  A piece must start where the
        centre's part ends (409 ``blob_offset`` with ``received``); the last piece
        makes the blob if the whole hashes to ``sha256`` (else 422
        ``blob_hash_mismatch``, and the part is discarded).  Over
        :data:`~sync.protocol.MAX_ATTACHMENT_BYTES`: 413 ``blob_too_large``."""
        store: BlobStore = request.app.state.blobs
        body = await request.body()
        if content_range is None:
            start, end, total = 0, len(body) - 1, len(body)
        else:
            match = _RANGE.match(content_range.strip())
            if match is None:
                raise ApiError(400, ErrorCode.BAD_REQUEST,
                               "Content-Range: write bytes START-END/TOTAL")
            start, end, total = (int(g) for g in match.groups())
            if not start <= end < total or end - start + 1 != len(body):
                raise ApiError(400, ErrorCode.BAD_REQUEST,
                               f"Content-Range {content_range} does not fit a body of {len(body)} bytes")
        if total > MAX_ATTACHMENT_BYTES:
            raise ApiError(413, ErrorCode.BLOB_TOO_LARGE,
                           f"an attachment of {total} bytes; the centre keeps at most "
                           f"{MAX_ATTACHMENT_BYTES} bytes ({MAX_ATTACHMENT_BYTES // 1024 // 1024} MiB)")
        if total == 0:
            raise ApiError(400, ErrorCode.BAD_REQUEST, "an empty blob")

        def write() -> BlobStatus:
            _blob_scope(request, scope, sha256, sending=True)
            sender = str(scope.office_id)
            if store.size(sha256) is not None:
                return _status(store, scope, sha256)  # held already: deduplicated
            if start == 0 and end + 1 == total:  # the whole blob at once: no part file
                try:
                    store.put(sha256, body)
                except BlobHashError as exc:
                    raise ApiError(422, ErrorCode.BLOB_HASH_MISMATCH, str(exc)) from None
                return _status(store, scope, sha256)
            try:
                held = store.append(sha256, sender, start, body)
            except BlobOffsetError as exc:
                raise ApiError(409, ErrorCode.BLOB_OFFSET, str(exc), received=exc.received) from None
            if held >= total:
                try:
                    store.finish(sha256, sender)
                except BlobHashError as exc:
                    raise ApiError(422, ErrorCode.BLOB_HASH_MISMATCH, str(exc)) from None
                except BlobOffsetError as exc:  # the part vanished, and no blob either
                    raise ApiError(409, ErrorCode.BLOB_OFFSET, str(exc),
                                   received=exc.received) from None
            return _status(store, scope, sha256)

        return await anyio.to_thread.run_sync(write)

    @app.get("/sync/blobs/{sha256}", tags=["blobs"], response_class=Response,
             responses={**_errors(401, 404, 416, 426),
                        200: {"content": {"application/octet-stream": _BINARY},
                              "description": "the whole blob"},
                        206: {"content": {"application/octet-stream": _BINARY},
                              "description": "the part of the blob the Range asked for"}})
    def get_blob(
        request: Request,
        scope: Office,
        sha256: Sha256,
        range_: Annotated[str | None, Header(alias="Range",
                                             description="``bytes=START-`` to go on from START")] = None,
    ) -> Response:
        """An attachment's bytes, for an office whose districts hold one with this
        hash (404 otherwise, and while the centre does not have all of it yet); with
        ``Range``, the part asked for (206), so a broken download goes on."""
        store: BlobStore = request.app.state.blobs
        _blob_scope(request, scope, sha256)
        size = store.size(sha256)
        if size is None:
            raise ApiError(404, ErrorCode.NOT_FOUND, "the centre does not have these bytes yet")
        headers = {"Accept-Ranges": "bytes"}
        if range_ is None:
            return Response(store.read(sha256), media_type="application/octet-stream", headers=headers)
        match = _WANTED_RANGE.match(range_.strip())
        if match is None or match.groups() == ("", ""):
            raise ApiError(416, ErrorCode.BAD_REQUEST, "Range: write bytes=START- or bytes=START-END",
                           headers={"Content-Range": f"bytes */{size}"})
        first, last = match.groups()
        if first == "":  # the last N bytes
            start, end = max(0, size - int(last)), size - 1
        else:
            start, end = int(first), min(size - 1, int(last)) if last else size - 1
        if start >= size or start > end:
            raise ApiError(416, ErrorCode.BAD_REQUEST, f"the blob has {size} bytes",
                           headers={"Content-Range": f"bytes */{size}"})
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        return Response(store.read(sha256, start, end), status_code=206,
                        media_type="application/octet-stream", headers=headers)

    @app.get("/media/{attachment_id}", tags=["open311"], response_class=Response,
             responses={**_errors(404),
                        200: {"content": {t: _BINARY for t in ATTACHMENT_MEDIA_TYPES},
                              "description": "the photo's bytes"}})
    def public_photo(request: Request, attachment_id: uuid.UUID) -> Response:
        """A citizen's own photo of a request, for anyone (Open311 ``media_url``): only
        of kind ``citizen``, never one marked internal or taken back, and only once
        the centre has its bytes, and never of a request hidden from the public (a false
        report, as Open311 hides it); anything else is 404, as an unknown id is."""
        with _transaction(request, "reads") as session:
            photo = session.execute(sa.select(Attachment.sha256, Attachment.media_type)
                                    .join(ServiceRequest, ServiceRequest.id == Attachment.request_id)
                                    .where(Attachment.id == attachment_id, Attachment.kind == "citizen",
                                           Attachment.internal.is_(False), Attachment.removed_at.is_(None),
                                           shown())).one_or_none()
        store: BlobStore = request.app.state.blobs
        if photo is None or store.size(photo.sha256) is None:
            raise ApiError(404, ErrorCode.NOT_FOUND, "no such public photo")
        return Response(store.read(photo.sha256), media_type=photo.media_type,
                        headers={"Cache-Control": "public, max-age=86400",
                                 "X-Content-Type-Options": "nosniff"})

    return app


def run(url: str, host: str = "127.0.0.1", port: int = 8137, *,
        certfile: str | None = None, keyfile: str | None = None,
        sms_settings: SmsSettings | None = None) -> None:
    """Serve the API with uvicorn until interrupted; HTTPS when a certificate is
    given (or ``DAFTAR_TLS_CERT``/``DAFTAR_TLS_KEY`` are set).  Beside it a thread
    sends the SMS outbox every ``DAFTAR_SMS_INTERVAL`` seconds."""
    import uvicorn

    certfile = certfile or os.environ.get(TLS_CERT_ENV) or None
    keyfile = keyfile or os.environ.get(TLS_KEY_ENV) or None
    if bool(certfile) != bool(keyfile):
        raise ValueError(f"TLS needs both a certificate and its key ({TLS_CERT_ENV}, {TLS_KEY_ENV})")
    from sync.server.sms.outbox import Sender, SenderThread
    from sync.server.sms.provider import make_provider

    sms = sms_settings or SmsSettings.from_env()
    app = create_app(url, sms_settings=sms)
    sender = SenderThread(Sender(app.state.writes, make_provider(sms), sms))
    # What exists now (the modules, the app, its routes and models) lives as long as
    # the process: out of the cyclic collector's reach.  Each full collection walked
    # all of it — on the bench, 40-170 ms of the centre's CPU in a round of 1,000
    # changes each way, or of 50 offices at once.
    gc.freeze()
    sender.start()
    try:
        uvicorn.run(app, host=host, port=port, ssl_certfile=certfile,
                    ssl_keyfile=keyfile, log_level="info", access_log=False)
    finally:
        sender.stop()

