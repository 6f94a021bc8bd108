"""The office's sync bookkeeping: small facts kept by key in the ``sync_state`` table.

Which centre the office talks to and with what credential, who the centre says the
office is, how far it has pulled, when a round last completed, and the requests
that wait to leave once their changes are answered.  Nothing else lives there:
window preferences are the user's (QSettings), office-wide settings are in the
``settings`` table, and the desk's walk-in numbering has a table of its own.
Every reader and writer of these keys goes through :func:`read` and :func:`write`,
inside the caller's transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop_app.store import models as m
from sync.protocol import OfficeInfo

#: The centre's address (``https://…``), as enrolment checked it.
CENTRE_URL = "centre_url"
#: Whether plain ``http://`` to another computer was allowed at enrolment.
ALLOW_INSECURE = "allow_insecure"
#: The device's credential for the centre.
CREDENTIAL = "credential"
#: The office as the centre last described it (:class:`OfficeInfo`, as JSON).
OFFICE = "office"
#: How far the office has pulled the centre's change log.
CURSOR = "cursor"
#: When the last round completed (ISO 8601).
LAST_SYNC_AT = "last_sync_at"
#: When this folder joined the centre (ISO 8601).
ENROLLED_AT = "enrolled_at"
#: Requests moved to another district that still have unsent changes.
MOVED_OUT_PENDING = "moved_out_pending"
#: Photos (hashes) this office added whose request left before their bytes went up:
#: still sent (the centre takes them from the office that added them).
UPLOADS_LEFT_BEHIND = "uploads_left_behind"


@dataclass(frozen=True)
class OfficeIdentity:
    """Which office this data folder is, as the centre last said."""

    office_id: uuid.UUID
    name: str
    number: int
    districts: tuple[str, ...]
    all_districts: bool

    def covers(self, district_code: str) -> bool:
        return self.all_districts or district_code in self.districts

    @classmethod
    def of(cls, info: OfficeInfo) -> OfficeIdentity:
        return cls(info.office_id, info.name, info.number, tuple(info.districts), info.all_districts)


def read(session: Session, key: str, default: Any = None) -> Any:
    """The value kept under ``key``, or ``default``."""
    value = session.scalar(sa.select(m.SyncState.value).where(m.SyncState.key == key))
    return default if value is None else value


def write(session: Session, key: str, value: Any) -> None:
    """Keep ``value`` under ``key`` (in the caller's transaction)."""
    session.merge(m.SyncState(key=key, value=value))


def stored_identity(session: Session) -> OfficeIdentity | None:
    """The office as last recorded, if this folder has joined a centre."""
    raw = read(session, OFFICE)
    return OfficeIdentity.of(OfficeInfo.model_validate(raw)) if raw else None
