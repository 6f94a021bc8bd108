"""The gateway interface, and the local provider that stands in for a gateway.

A provider answers each send in one of three ways, and the outbox acts on which:

* :class:`Sent` — the gateway took the message (its id and its answer are kept);
* :class:`GatewayError` with ``retry=False`` — refused for good (a bad number, a
  text it will not carry): the message is marked ``failed``, never sent again;
* :class:`GatewayError` with ``retry=True`` — not taken *and known not sent*
  (the gateway is busy, the account has no credit): tried again later;
* :class:`OutcomeUnknown` — the request may have reached the gateway (a timeout
  after it was sent, a broken connection): never sent again blindly; the message
  is looked up by its ``localid`` (:meth:`Provider.lookup`) first.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sync.dates import utcnow


@dataclass(frozen=True)
class Sent:
    message_id: str
    #: The gateway's own status of the message (Kavenegar: 1 queued … 10 delivered).
    status: str
    answer: dict[str, Any] = field(default_factory=dict)


class GatewayError(Exception):
    def __init__(self, message: str, *, retry: bool, status: int | None = None,
                 answer: dict[str, Any] | None = None):
        self.retry = retry
        self.status = status
        self.answer = answer or {}
        super().__init__(message)


class OutcomeUnknown(Exception):
    """The send may or may not have reached the gateway."""


class Provider(Protocol):
    name: str

    def send(self, phone: str, text: str, local_id: int) -> Sent:
        """Send one message; ``local_id`` is the outbox row's id (the gateway's
        de-duplication key)."""

    def lookup(self, local_id: int) -> Sent | None:
        """The message sent with ``local_id``, if the gateway has it; ``None`` when it
        surely has not (raises :class:`OutcomeUnknown` when it cannot tell)."""


class LocalProvider:
    """Writes each message to ``folder`` as ``<localid>.json`` (the default, so the
    demo and the tests need no account).  A ``localid`` written once is never written
    again: a second send of it returns the first (as Kavenegar's ``localid`` does)."""

    name = "local"

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def _path(self, local_id: int) -> Path:
        return self.folder / f"{local_id:012d}.json"

    def send(self, phone: str, text: str, local_id: int) -> Sent:
        path = self._path(local_id)
        with self._lock:
            found = self.lookup(local_id)
            if found is not None:
                return found
            record = {"messageid": f"local-{local_id}", "localid": local_id, "receptor": phone,
                      "message": text, "status": 10, "date": utcnow().isoformat()}
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        return Sent(record["messageid"], "10", record)

    def lookup(self, local_id: int) -> Sent | None:
        path = self._path(local_id)
        if not path.exists():
            return None
        record = json.loads(path.read_text(encoding="utf-8"))
        return Sent(record["messageid"], str(record["status"]), record)

    def messages(self) -> list[dict[str, Any]]:
        """Everything written, oldest first (for the demo and the tests)."""
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(self.folder.glob("*.json"))]


def make_provider(settings: Any) -> Provider:
    """The provider the settings name (:class:`~.settings.SmsSettings`)."""
    if settings.provider == "kavenegar":
        from sync.server.sms.kavenegar import KavenegarProvider

        return KavenegarProvider(settings.api_key, line=settings.line, base_url=settings.api_url)
    return LocalProvider(settings.local_folder())


