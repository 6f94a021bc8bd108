"""The transport's set-up: what a client costs before its first call."""

from __future__ import annotations

import ssl

import pytest

from sync.client.transport import HttpTransport


class _NoTls(Exception):
    pass


@pytest.fixture
def tls_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading the trusted certificates fails: the test sees whether the transport
    loaded them."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise _NoTls

    monkeypatch.setattr(ssl, "create_default_context", refuse)
    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", refuse)


def test_plain_http_loads_no_certificates(tls_refused: None) -> None:
    # Loading the trusted certificates is most of an idle round's CPU, and plain
    # http (this computer, or allowed explicitly) has nothing to verify.
    with HttpTransport("http://127.0.0.1:8137", "credential") as transport:
        assert transport.base_url == "http://127.0.0.1:8137"


def test_https_still_verifies_the_centre(tls_refused: None) -> None:
    with pytest.raises(_NoTls):
        HttpTransport("https://137.kashan.ir", "credential")
    with pytest.raises(_NoTls):
        HttpTransport("HTTPS://137.kashan.ir", "credential")
