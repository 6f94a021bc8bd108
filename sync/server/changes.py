"""Writing to the centre's change log.  Every write to a synced row goes through here,
in the same transaction as the write itself.

Entities and keys (what an office pulls):

* ``request``   key = request id;   district = the request's district
* ``event``     key = event id;     district = its request's district
* ``crew``      key = crew id;      district = the crew's district
* ``reference`` key = ``kind:code`` (``district:1-1``, ``category:asphalt`` …); every office

A request moved from D1 to D2 logs ``moved_out`` under D1, then ``upsert`` of the
request and of each of its events under D2 (sync.md, "Partial replication").
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync.dates import utcnow
from sync.schema import UTCDateTime
from sync.server.db import allocate_seq
from sync.server.models import ChangeLog


@dataclass(frozen=True)
class Entry:
    entity: str
    key: str
    district_code: str | None
    op: str = "upsert"


_PG_BLOCK = 10_000
_PG_LOG = sa.text(
    f"INSERT INTO {ChangeLog.__tablename__} (seq, entity, entity_key, district_code, op, at) "
    "SELECT CAST(e->>0 AS bigint), e->>1, e->>2, e->>3, e->>4, CAST(:at AS timestamptz) "
    "FROM json_array_elements(CAST(:entries AS json)) AS e"
).bindparams(sa.bindparam("at", type_=UTCDateTime()))


def log_changes(session: Session, entries: Iterable[Entry]) -> int | None:
    """Append ``entries`` in order; returns the last seq written (None if none).

    Numbers are taken in one block, so a bulk import costs one counter update."""
    batch: Sequence[Entry] = list(entries)
    if not batch:
        return None
    first = allocate_seq(session, len(batch))
    now = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        # One JSON document a block, taken apart by the database: a multi-row VALUES
        # of 400 entries has 2,400 placeholders, which the driver parses in Python
        # for longer than the database takes to write them (a push batch's log).
        blocks = [json.dumps([[first + start + i, e.entity, e.key, e.district_code, e.op]
                              for i, e in enumerate(batch[start:start + _PG_BLOCK])])
                  for start in range(0, len(batch), _PG_BLOCK)]
        if not any("\\u0000" in block for block in blocks):  # (which it cannot take apart)
            for block in blocks:
                session.execute(_PG_LOG, {"at": now, "entries": block})
            return first + len(batch) - 1
    session.execute(
        # Into the table, not the mapped class: the ORM bulk path splits rows whose
        # empty columns differ into separate statements.
        sa.insert(ChangeLog.__table__),
        [
            {"seq": first + i, "entity": e.entity, "entity_key": e.key,
             "district_code": e.district_code, "op": e.op, "at": now}
            for i, e in enumerate(batch)
        ],
    )
    return first + len(batch) - 1
