"""HTTP to the centre: one call, one typed answer, errors sorted into retryable or not.

Only :class:`TransientError` is retried by the engine (connection refused or reset,
timeouts, 5xx).  Everything the centre answers on purpose (4xx with an
:class:`~sync.protocol.ErrorBody`) becomes a :class:`SyncError` with the centre's code,
and is not retried: trying a revoked credential again does not help.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import ValidationError

from sync.client.errors import SyncError, TransientError
from sync.protocol import CREDENTIAL_HEADER, PROTOCOL_HEADER, PROTOCOL_VERSION, ErrorBody, Wire

T = TypeVar("T", bound=Wire)

#: A certificate bundle to trust besides the system's (a city's own CA).
CA_FILE_ENV = "DAFTAR_CA_FILE"
#: Connecting is quick or hopeless; a big first-sync page on a slow line takes time.
TIMEOUT = httpx.Timeout(60.0, connect=10.0)


def is_local(host: str) -> bool:
    """True for this computer: ``localhost`` and loopback addresses."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str, *, allow_insecure: bool = False) -> str:
    """The centre's base URL, normalised; :class:`SyncError` for one the app must
    not use.  Plain ``http://`` would carry the credential in the clear, so it is
    refused to anything but this computer unless the user allowed it explicitly."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SyncError("bad_url", f"not a web address: {url!r} (write e.g. https://137.kashan.ir)")
    if parts.scheme == "http" and not is_local(parts.hostname) and not allow_insecure:
        raise SyncError(
            "insecure_url",
            f"{url} is plain http to another computer: the connection would not be encrypted. "
            "Use https://, or allow it explicitly (--allow-insecure)",
        )
    return url.strip().rstrip("/")


def _verify() -> ssl.SSLContext | bool:
    ca_file = os.environ.get(CA_FILE_ENV)
    if not ca_file:
        return True
    context = ssl.create_default_context()
    context.load_verify_locations(cafile=ca_file)
    return context


def _tls_failure(exc: BaseException) -> bool:
    """True when the connection failed because the certificate was not accepted."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class HttpTransport:
    """Calls to one centre with one device's credential (none before enrolment)."""

    def __init__(self, base_url: str, credential: str | None = None, *,
                 client: httpx.Client | None = None):
        self.base_url = base_url.rstrip("/")
        self.credential = credential
        # A client handed in (tests, a shared pool) belongs to whoever made it.
        self._owned = client is None
        # Plain http (this computer, or allowed explicitly) has no certificate to
        # check: loading the trusted certificates costs ~50 ms of CPU per client, a
        # round's biggest cost at an idle office (and 50 offices' on one machine).
        verify = _verify() if self.base_url.lower().startswith("https:") else False
        self._client = client or httpx.Client(timeout=TIMEOUT, verify=verify)

    def close(self) -> None:
        if self._owned:
            self._client.close()

    def __enter__(self) -> HttpTransport:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def call(self, method: str, path: str, answer: type[T], *, body: Wire | None = None,
             params: dict[str, Any] | None = None) -> T:
        return self.read(path, answer, self.send(method, path, body=body, params=params))

    def send(self, method: str, path: str, *, body: Wire | None = None,
             params: dict[str, Any] | None = None) -> bytes:
        """The centre's answer as it came, once it is known to be one (2xx)."""
        return self._request(method, path, body=body, params=params).content

    def fetch(self, path: str, *, params: dict[str, Any] | None = None) -> tuple[bytes, httpx.Headers]:
        """A ``GET``'s answer as it came, with its headers (:meth:`send`'s errors)."""
        response = self._request("GET", path, params=params)
        return response.content, response.headers

    def put_bytes(self, path: str, data: bytes, headers: dict[str, str]) -> bytes:
        """``PUT`` raw bytes (a blob's piece); the answer as it came (:meth:`send`'s errors)."""
        return self._request("PUT", path, raw=data,
                             headers={"Content-Type": "application/octet-stream", **headers}).content

    def stream(self, path: str, headers: dict[str, str], sink: Callable[[bytes], None]) -> int:
        """``GET`` ``path`` and hand its body to ``sink`` piece by piece as it arrives,
        so that a connection cut midway has delivered what came; the status code."""
        try:
            with self._client.stream("GET", self.base_url + path,
                                     headers={**self._headers(), **headers}) as response:
                self._check(response, read=True)
                for data in response.iter_bytes():  # as it arrives, not in whole pieces
                    sink(data)
                return response.status_code
        except httpx.TransportError as exc:
            raise self._network(exc) from exc

    def _headers(self) -> dict[str, str]:
        headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
        if self.credential:
            headers[CREDENTIAL_HEADER] = self.credential
        return headers

    def _request(self, method: str, path: str, *, body: Wire | None = None,
                 params: dict[str, Any] | None = None, raw: bytes | None = None,
                 headers: dict[str, str] | None = None) -> httpx.Response:
        headers = {**self._headers(), **(headers or {})}
        content = body.model_dump_json().encode() if body is not None else raw
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            response = self._client.request(method, self.base_url + path, content=content,
                                            params=params, headers=headers)
        except httpx.TransportError as exc:
            raise self._network(exc) from exc
        return self._check(response)

    @staticmethod
    def _network(exc: httpx.TransportError) -> SyncError:
        if _tls_failure(exc):
            # Trying again will not make a certificate trusted.
            return SyncError("tls_untrusted", f"the centre's certificate is not trusted ({exc}); "
                             f"if the city has its own certificate authority, set {CA_FILE_ENV} "
                             "to its certificate file")
        return TransientError("network", f"the centre cannot be reached: {exc or type(exc).__name__}")

    def _check(self, response: httpx.Response, *, read: bool = False) -> httpx.Response:
        if response.status_code >= 400 and read:
            response.read()
        if response.status_code >= 500:
            raise TransientError("server_unavailable",
                                 f"the centre answered {response.status_code}; try again later")
        if response.status_code >= 400:
            raise self._refusal(response)
        return response

    @staticmethod
    def read(path: str, answer: type[T], content: bytes) -> T:
        """An answer :meth:`send` brought back, read as ``answer``."""
        try:
            return answer.model_validate_json(content)
        except ValidationError as exc:
            raise SyncError("bad_response", f"the centre's answer to {path} cannot be read: "
                            f"{exc.errors()[0]['msg']}") from None

    @staticmethod
    def _refusal(response: httpx.Response) -> SyncError:
        try:
            error = ErrorBody.model_validate_json(response.content)
        except ValidationError:
            return SyncError("bad_response", f"the centre refused the request ({response.status_code}) "
                             "without saying why: is this address the Daftar centre?")
        return BlobRefusal(error.code, error.message, error.received) \
            if error.received is not None else SyncError(error.code, error.message)


class BlobRefusal(SyncError):
    """A refused blob piece that says how much of the blob the centre holds."""

    def __init__(self, code: str, message: str, received: int):
        super().__init__(code, message)
        self.received = received
