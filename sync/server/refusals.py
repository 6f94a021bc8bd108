"""What the centre refused from each office, counted: the trace a forged push leaves.

The centre cannot prove that a change an office's device signs with its credential
was made by the person it names — a device whose database someone edited can still
act as its own users.  What it can do is refuse every change whose actor is no
active user of that office, or whose role may not make it, and keep every answer
(:class:`~sync.server.models.AppliedMutation`).  A run of ``unknown_actor``,
``actor_inactive`` or ``role_not_allowed`` from one office is worth a visit; these
counts, per office and code, are ``daftar-server office refusals``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync.server.models import AppliedMutation, Office

#: The refusals that say who acted, rather than what was done, was wrong.
ACTOR_CODES = frozenset({"unknown_actor", "actor_inactive", "role_not_allowed"})


@dataclass(frozen=True)
class Refusals:
    office: str
    code: str
    count: int
    last_at: dt.datetime


def refusals(session: Session) -> list[Refusals]:
    """Rejected pushes by office and code, the offices by number, the most common first."""
    rows = session.execute(
        sa.select(Office.number, Office.name, AppliedMutation.result, AppliedMutation.received_at)
        .join(Office, Office.id == AppliedMutation.office_id)
        .where(AppliedMutation.outcome == "rejected"))
    counts: Counter[tuple[int, str, str]] = Counter()
    last: dict[tuple[int, str, str], dt.datetime] = {}
    for number, name, result, at in rows:
        key = (number, name, str((result or {}).get("code") or "rejected"))
        counts[key] += 1
        last[key] = max(last.get(key, at), at)
    ordered = sorted(counts, key=lambda key: (key[0], -counts[key], key[2]))
    return [Refusals(office=key[1], code=key[2], count=counts[key], last_at=last[key])
            for key in ordered]
