"""Open311 API keys: issued per client by the centre (``daftar-server apikey add``),
stored as their SHA-256 only, revocable."""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync.server.models import ApiClient

#: Keys start with this, so that one found in a log or a repository is recognised.
KEY_PREFIX = "d311_"


def new_key() -> str:
    """32 random bytes, URL-safe (43 characters after the prefix)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def client_for(session: Session, key: str | None) -> ApiClient | None:
    """The active client whose key this is, else None (no key, unknown, revoked)."""
    if not key or len(key) > 200:
        return None
    return session.scalar(sa.select(ApiClient).where(
        ApiClient.key_hash == hash_key(key), ApiClient.revoked_at.is_(None)))
