"""What the Open311 tests share: an API client's key, and a test client that posts forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from sync.dates import utcnow
from sync.server.models import ApiClient
from sync.server.open311.keys import hash_key, new_key
from tests.sync.client.harness import Centre

BASE = "/open311/v2"


def issue_key(centre: Centre, name: str = "website") -> str:
    """What ``daftar-server apikey add NAME`` does; returns the key."""
    key = new_key()
    with centre.sessions.begin() as session:
        session.add(ApiClient(name=name, key_hash=hash_key(key), created_at=utcnow()))
    return key


def revoke_key(centre: Centre, name: str) -> None:
    with centre.sessions.begin() as session:
        session.execute(sa.update(ApiClient).where(ApiClient.name == name)
                        .values(revoked_at=utcnow()))


@dataclass
class Api:
    centre: Centre
    client: TestClient
    key: str

    def post(self, fmt: str = "json", **form: Any) -> Any:
        data = {"api_key": self.key, **form}
        return self.client.post(f"{BASE}/requests.{fmt}", data=data)

    def submit(self, **form: Any) -> str:
        """A good request (in Fin unless told otherwise); its tracking code."""
        values = {"service_code": "garbage", "address_id": "fin",
                  "description": "زباله سه روز است جمع نشده", **form}
        response = self.post(**values)
        assert response.status_code == 201, response.text
        return str(response.json()[0]["service_request_id"])

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"{BASE}/{path}", params=params)
