"""Reference data in the centre's database: loading a validated set, reading it back.

Loading is an upsert: new codes are added, changed names are updated, rows the file
no longer lists are kept (requests and crews may still point at them).  Every row
added or changed gets a change-log entry, entity ``reference`` and key
``kind:code`` (:data:`KINDS`), with no district, so that every office pulls it.
Loading the same set twice changes nothing and logs nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync import reference as ref
from sync.server.changes import Entry, log_changes
from sync.server.models import (
    Base,
    Category,
    CategoryFamily,
    Channel,
    District,
    Neighbourhood,
    Reason,
    Region,
)

#: Change-log kind -> model, in the order a set is written (parents first).  The
#: pull side resolves a ``reference`` key ``kind:code`` with this table.
KINDS: dict[str, type[Base]] = {
    "region": Region,
    "category_family": CategoryFamily,
    "district": District,
    "neighbourhood": Neighbourhood,
    "category": Category,
    "channel": Channel,
    "reason": Reason,
}


@dataclass
class LoadResult:
    """What a load did, per kind: how many rows were added and how many changed."""

    added: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0

    @property
    def total_added(self) -> int:
        return sum(self.added.values())

    @property
    def total_changed(self) -> int:
        return sum(self.changed.values())


def _rows(refset: ref.ReferenceSet) -> dict[str, list[dict[str, Any]]]:
    """The set as column dicts per kind (model column names, not file keys)."""
    return {
        "region": [asdict(r) for r in refset.regions],
        "category_family": [asdict(f) for f in refset.families],
        "district": [asdict(d) for d in refset.districts],
        "neighbourhood": [asdict(n) for n in refset.neighbourhoods],
        "category": [asdict(c) for c in refset.categories],
        "channel": [asdict(c) for c in refset.channels],
        "reason": [asdict(r) for r in refset.reasons],
    }


def _key_column(model: type[Base]) -> sa.Column[Any]:
    (column,) = sa.inspect(model).primary_key
    return column


def load_reference(session: Session, refset: ref.ReferenceSet) -> LoadResult:
    """Upsert ``refset`` in the caller's transaction and log each changed row."""
    result = LoadResult()
    entries: list[Entry] = []
    for kind, rows in _rows(refset).items():
        added, changed, same = _upsert_kind(session, KINDS[kind], rows)
        result.added[kind] = len(added)
        result.changed[kind] = len(changed)
        result.unchanged += same
        entries.extend(Entry("reference", f"{kind}:{code}", None) for code in added + changed)
    log_changes(session, entries)
    return result


def _upsert_kind(
    session: Session, model: type[Base], rows: list[dict[str, Any]]
) -> tuple[list[Any], list[Any], int]:
    """Write the rows of one kind; returns (codes added, codes changed, rows unchanged)."""
    key = _key_column(model)
    columns = [c.name for c in model.__table__.columns]
    existing = {
        row[key.name]: row
        for row in session.execute(sa.select(*model.__table__.columns)).mappings()
    }
    new = [row for row in rows if row[key.name] not in existing]
    stale = [
        row
        for row in rows
        if row[key.name] in existing
        and any(existing[row[key.name]][c] != row[c] for c in columns)
    ]
    if new:
        session.execute(sa.insert(model), new)
    for row in stale:
        session.execute(sa.update(model).where(key == row[key.name]).values(**row))
    unchanged = len(rows) - len(new) - len(stale)
    return [r[key.name] for r in new], [r[key.name] for r in stale], unchanged


def has_reference(session: Session) -> bool:
    """True once the centre knows at least one district (a set was loaded)."""
    return session.scalar(sa.select(sa.func.count()).select_from(District)) > 0


def read_reference(session: Session) -> ref.ReferenceSet:
    """The reference set as the centre's database holds it."""

    def all_of(model: type[Base]) -> Iterator[Any]:
        return iter(session.scalars(sa.select(model).order_by(_key_column(model))))

    return ref.ReferenceSet(
        "Asia/Tehran",
        tuple(ref.Region(r.number, r.name_fa, r.name_en) for r in all_of(Region)),
        tuple(
            ref.District(d.code, d.region_number, d.name_fa, d.name_en) for d in all_of(District)
        ),
        tuple(
            ref.Neighbourhood(n.code, n.district_code, n.name_fa, n.name_en)
            for n in all_of(Neighbourhood)
        ),
        tuple(ref.CategoryFamily(f.code, f.name_fa, f.name_en) for f in all_of(CategoryFamily)),
        tuple(
            ref.Category(c.code, c.family_code, c.name_fa, c.name_en, c.target_days)
            for c in all_of(Category)
        ),
        tuple(ref.Channel(c.code, c.name_fa, c.name_en) for c in all_of(Channel)),
        tuple(ref.Reason(r.code, r.name_fa, r.name_en) for r in all_of(Reason)),
    )
