"""The SMS settings, read from the environment (documented in the README, "SMS").

=============================  ======================================================
``DAFTAR_SMS_PROVIDER``        ``local`` (default: messages go to a folder) or ``kavenegar``
``DAFTAR_SMS_DIR``             the local provider's folder (default: ``sms/`` in the
                               centre's data folder)
``DAFTAR_SMS_API_KEY``         Kavenegar's API key (required for ``kavenegar``)
``DAFTAR_SMS_LINE``            the sending line (default ``10007000137``)
``DAFTAR_SMS_API_URL``         Kavenegar's base URL (default ``https://api.kavenegar.com/v1``)
``DAFTAR_SMS_SECRET``          the shared secret the gateway's callbacks must carry
                               (``?secret=`` in the callback URL); callbacks are
                               refused while it is unset
``DAFTAR_SMS_DISTRICT``        where a citizen's SMS waits for the centre to verify it
                               (default: the first district by code)
``DAFTAR_SMS_CATEGORY``        its category until the centre sets it (default ``other``)
``DAFTAR_SMS_LEASE_SECONDS``   how long a sender holds a message before another may
                               look it up (default 120; more than the HTTP timeout)
``DAFTAR_SMS_RETRY_SECONDS``   first retry delay, doubled each time up to an hour (30)
``DAFTAR_SMS_MAX_ATTEMPTS``    tries before a message is marked failed (12)
``DAFTAR_SMS_INTERVAL``        seconds between the server's sending rounds (5)
=============================  ======================================================
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

LINE = "10007000137"
PROVIDERS = ("local", "kavenegar")


class SettingsError(ValueError):
    """A setting that cannot work; the message says which and how to fix it."""


def _number(name: str, default: float) -> float:
    text = os.environ.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise SettingsError(f"{name}={text!r} is not a number") from None
    if value <= 0:
        raise SettingsError(f"{name} must be more than 0")
    return value


@dataclass(frozen=True)
class SmsSettings:
    provider: str = "local"
    folder: Path | None = None
    api_key: str = ""
    line: str = LINE
    api_url: str = "https://api.kavenegar.com/v1"
    secret: str = ""
    district: str | None = None
    category: str = "other"
    lease_seconds: float = 120.0
    retry_seconds: float = 30.0
    max_attempts: int = 12
    interval: float = 5.0

    @classmethod
    def from_env(cls, provider: str | None = None) -> SmsSettings:
        """The settings of the environment; ``provider`` (``--sms-provider``) wins."""
        chosen = provider or os.environ.get("DAFTAR_SMS_PROVIDER") or "local"
        if chosen not in PROVIDERS:
            raise SettingsError(f"unknown SMS provider {chosen!r}: use one of {', '.join(PROVIDERS)}")
        folder = os.environ.get("DAFTAR_SMS_DIR")
        settings = cls(
            provider=chosen,
            folder=Path(folder) if folder else None,
            api_key=os.environ.get("DAFTAR_SMS_API_KEY", ""),
            line=os.environ.get("DAFTAR_SMS_LINE") or LINE,
            api_url=os.environ.get("DAFTAR_SMS_API_URL") or cls.api_url,
            secret=os.environ.get("DAFTAR_SMS_SECRET", ""),
            district=os.environ.get("DAFTAR_SMS_DISTRICT") or None,
            category=os.environ.get("DAFTAR_SMS_CATEGORY") or "other",
            lease_seconds=_number("DAFTAR_SMS_LEASE_SECONDS", 120.0),
            retry_seconds=_number("DAFTAR_SMS_RETRY_SECONDS", 30.0),
            max_attempts=int(_number("DAFTAR_SMS_MAX_ATTEMPTS", 12)),
            interval=_number("DAFTAR_SMS_INTERVAL", 5.0),
        )
        if settings.provider == "kavenegar" and not settings.api_key:
            raise SettingsError("the kavenegar SMS provider needs DAFTAR_SMS_API_KEY")
        return settings

    def local_folder(self) -> Path:
        if self.folder is not None:
            return self.folder
        return Path(platformdirs.user_data_dir("daftar-server", appauthor=False)) / "sms"
