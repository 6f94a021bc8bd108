"""``demo-data``: an empty centre filled with six months of believable work.

Newcomers, trainers and the acceptance checks need a centre that looks like Kashan's:
the seed's five regions with their call volumes and outcome mixes (404/993/645/400/412
calls; shared/seed/README.md), the six neighbourhoods that call least calling least,
Persian names, addresses and descriptions, crews that did the work, and for every
request a history that the lifecycle allows.  With the default 2,854 requests the
summary by region reproduces the seed's table exactly; other sizes keep its
proportions.  A seeded :class:`random.Random` makes every run with the same seed
produce the same data.

This module writes the demo into the centre's tables; :mod:`sync.server.demo_world`
holds the data tables it draws from and :mod:`sync.server.demo_requests` makes the
requests and their histories.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync import reference as ref
from sync.batching import chunks, collector_paused
from sync.dates import utcnow
from sync.server.changes import Entry, log_changes
from sync.server.demo_requests import RequestMaker, Slot, apportion, make_crews, plan
from sync.server.demo_world import (
    BUCKETS,
    DEMO_PERIOD,
    DEMO_YEAR,
    LOW_CALL_NEIGHBOURHOODS,
    SEED_OUTCOMES,
)
from sync.server.models import Crew, Event, ServiceRequest
from sync.server.reference_io import has_reference, load_reference, read_reference
from sync.server.tracking import next_codes
from sync.workflow import Bucket

#: Requests written per INSERT.
CHUNK = 5000


class DemoError(RuntimeError):
    """The centre cannot take demo data (it already holds real or demo work)."""


@dataclass
class DemoSummary:
    """What :func:`fill_demo` wrote; region -> calls per outcome bucket."""

    crews: int = 0
    requests: int = 0
    events: int = 0
    by_region: dict[int, dict[Bucket, int]] = field(default_factory=dict)

    def __str__(self) -> str:
        lines = [
            f"demo data for the first half of {DEMO_YEAR}: {self.requests} requests, "
            f"{self.events} events, {self.crews} crews",
            "region\treceived\tdone\tnot_actionable\tin_progress",
        ]
        for region, counts in sorted(self.by_region.items()):
            row = [counts.get(b, 0) for b in BUCKETS]
            lines.append("\t".join(str(v) for v in (region, sum(row), *row)))
        return "\n".join(lines)


# -------------------------------------------------------------------------- fill


def fill_demo(session: Session, *, requests: int, seed: int = DEMO_YEAR) -> DemoSummary:
    """Fill an empty centre in the caller's transaction (reference data first, when the
    centre has none).  Raises :class:`DemoError` when it already has requests."""
    with collector_paused():
        return _fill_empty_centre(session, requests, seed)


def _fill_empty_centre(session: Session, requests: int, seed: int) -> DemoSummary:
    present = session.scalar(sa.select(sa.func.count()).select_from(ServiceRequest))
    if present:
        raise DemoError(
            f"the centre already holds {present} requests; demo data goes only into an "
            "empty centre (give another --database-url)"
        )
    if not has_reference(session):
        load_reference(session, ref.load())
    refset = read_reference(session)
    rng = random.Random(seed)
    crew_rows, crews = make_crews(rng, refset, utcnow())
    session.execute(sa.insert(Crew.__table__), crew_rows)
    log_changes(session, (Entry("crew", str(c["id"]), c["district_code"]) for c in crew_rows))
    slots = plan(rng, refset, requests)
    codes = next_codes(session, DEMO_YEAR, len(slots))
    summary = DemoSummary(crews=len(crew_rows), requests=len(slots))
    maker = RequestMaker(rng, refset, crews)
    for block in chunks(list(zip(slots, codes)), CHUNK):
        summary.events += _write_block(session, maker, block)
    for slot in slots:
        region = refset.district(slot.district_code).region_number
        counts = summary.by_region.setdefault(region, {})
        counts[slot.bucket] = counts.get(slot.bucket, 0) + 1
    return summary


def _write_block(
    session: Session, maker: RequestMaker, block: Sequence[tuple[Slot, str]]
) -> int:
    """Insert one block of requests with their events and change-log entries (into the
    tables: the ORM's bulk path would split rows by which columns are empty)."""
    requests: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    entries: list[Entry] = []
    for slot, code in block:
        request, history = maker.make(slot, code)
        requests.append(request)
        events.extend(history)
        entries.append(Entry("request", str(request["id"]), slot.district_code))
        entries.extend(Entry("event", str(e["id"]), slot.district_code) for e in history)
    session.execute(sa.insert(ServiceRequest.__table__), requests)
    session.execute(sa.insert(Event.__table__), events)
    log_changes(session, entries)
    return len(events)


__all__ = [
    "DEMO_PERIOD", "DEMO_YEAR", "LOW_CALL_NEIGHBOURHOODS", "SEED_OUTCOMES", "DemoError",
    "DemoSummary", "apportion", "fill_demo",
]
