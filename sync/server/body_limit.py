"""The largest request body the centre reads, enforced as the bytes arrive.

An ASGI middleware in front of the whole app: a request that declares a
``Content-Length`` above the limit is answered 413 before its body is read at all,
and one that streams (chunked, or lying about its length) is cut off at the first
chunk that crosses the limit — the rest is never read, parsed or held.  The answer
is the centre's own :class:`~sync.protocol.ErrorBody` with the stable code
:data:`PAYLOAD_TOO_LARGE`, so the office tells a too-large batch from a server fault.

The limit is derived from what a legitimate push needs (:data:`MAX_BODY_BYTES`):
every other endpoint's body (enrolment) is far smaller.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.protocol import MAX_PUSH_BATCH, ErrorBody, ErrorCode
from sync.server.open311 import wire as open311_wire

#: The stable ``ErrorBody.code`` of a 413.
PAYLOAD_TOO_LARGE = ErrorCode.PAYLOAD_TOO_LARGE.value

#: What one mutation of the largest kind may take as JSON: a walk-in carrying a
#: description, an address and an outcome note of up to 4,000 characters each and a
#: name of 200 (12,200 characters, at most 3 bytes each in UTF-8: 36,600 bytes),
#: plus its ids, codes, times and the envelope (under 2 KiB): 40 KiB rounds it up.
MAX_MUTATION_BYTES = 40 * 1024
#: ``MAX_PUSH_BATCH`` (200) such mutations: 8,000 KiB, about 7.8 MiB; 8 MiB.
MAX_BODY_BYTES = 8 * 1024 * 1024
assert MAX_BODY_BYTES >= MAX_PUSH_BATCH * MAX_MUTATION_BYTES


class _TooLarge(Exception):
    """Raised into the app when the body crosses the limit (the 413 is already sent)."""


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413 and :data:`PAYLOAD_TOO_LARGE`."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared == -1:
            await answer(send, 400, ErrorCode.BAD_REQUEST.value,
                         "the Content-Length header is not a whole number of bytes",
                         path=scope.get("path", ""))
            return
        if declared is not None and declared > self.max_bytes:
            await answer(send, 413, PAYLOAD_TOO_LARGE, self._message(), path=scope.get("path", ""))
            return
        state = {"received": 0, "answered": False, "started": False}

        async def counted_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > self.max_bytes:
                    if not state["started"]:
                        state["answered"] = True
                        await answer(send, 413, PAYLOAD_TOO_LARGE, self._message(),
                                     path=scope.get("path", ""))
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            # Once the 413 is out, whatever the app makes of the aborted read is dropped.
            if state["answered"]:
                return
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except _TooLarge:
            if not state["answered"]:
                raise

    def _message(self) -> str:
        return (f"the request body is larger than {self.max_bytes} bytes: send at most "
                f"{MAX_PUSH_BATCH} mutations in one push")


def _content_length(scope: Scope) -> int | None:
    """The declared length; None when there is none; -1 when it is not a number."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and text.isascii() else -1
    return None


async def answer(send: Send, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None, *, path: str = "") -> None:
    """Send a whole :class:`ErrorBody` answer from ASGI middleware (under
    ``/open311/``, the standard's error format instead)."""
    if path.startswith("/open311/"):
        body, media_type = open311_wire.error_body(open311_wire.format_of_path(path), status,
                                                   message)
    else:
        body = ErrorBody(code=code, message=message).model_dump_json(exclude_none=True).encode()
        media_type = "application/json"
    raw: list[Any] = [(b"content-type", media_type.encode()),
                      (b"content-length", str(len(body)).encode()),
                      (b"connection", b"close")]
    raw += [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
