"""An office archive whose summary by region is exactly the seed's table.

shared/seed/README.md: Kashan's calls of the first six months of the year, by the
five regions — received, done, not actionable, in progress.  This module builds,
deterministically, the requests that produce that table for
``Period.jalali_half(1405, 1)``, spread the way real calls are:

* over every district and neighbourhood of the shipped Kashan reference, with the six
  neighbourhoods the seed names as calling least (لتحر، طاهرآباد، خزاق، بازار، مسکن
  مهر، راوند) given the fewest requests;
* over the categories (asphalt, garbage, street cleaning, block paving and curbs the
  most frequent, as in the seed), the four channels and the district crews;
* the in-progress ones over all four open statuses, the not-actionable ones over the
  reasons of the reference, closing times around each category's target;
* with the first request at 00:10 on 1 Farvardin 1405 Tehran time (still 20 March in
  UTC) and the last at 23:50 on 31 Shahrivar;
* plus requests just *outside* the half-year — at 23:59:59 on 29 Esfand 1404 and at
  00:00 on 1 Mehr 1405 Tehran time, among others — that a correct report never
  counts.  Many of them sit in the least-calling neighbourhoods, so a leaking period
  filter would also reorder "who calls least".

Only the ``requests`` projection is written (the reports read nothing else), with
SQLAlchemy Core ``executemany``.  Counts come from exact lists shuffled with a seeded
generator, so the table holds whatever the generator's sequence.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from desktop_app.store import models as m
from desktop_app.store.db import Store
from sync import reference
from sync.dates import TEHRAN, UTC, Period
from sync.text import search_text, to_persian_digits
from sync.workflow import Status

SEED_PERIOD = Period.jalali_half(1405, 1)

#: region -> (received, done, not actionable, in progress), from the seed.
SEED_TABLE: dict[int, tuple[int, int, int, int]] = {
    1: (404, 310, 89, 5),
    2: (993, 698, 285, 10),
    3: (645, 464, 150, 31),
    4: (400, 327, 71, 2),
    5: (412, 250, 140, 22),
}
SEED_TOTAL = 2854

#: The seed's least-calling neighbourhoods, fewest first, with their requests.
LEAST_CALLING: dict[str, int] = {
    "lotehr": 7, "taherabad": 8, "khozagh": 9, "bazaar": 10, "maskan-e-mehr": 11, "ravand": 12,
}

#: Requests outside the half-year: just before, just after, and further out.
OUTSIDE_COUNT = 60

FIRST_LOCAL = dt.datetime(2026, 3, 21, 0, 10, tzinfo=TEHRAN)  # 1405-01-01 00:10
LAST_LOCAL = dt.datetime(2026, 9, 22, 23, 50, tzinfo=TEHRAN)  # 1405-06-31 23:50

#: Relative frequency of categories (the seed's most frequent first) and channels.
CATEGORY_WEIGHTS: dict[str, int] = {
    "asphalt": 18, "garbage": 16, "street_cleaning": 14, "block_paving": 10, "curbs": 10,
    "sidewalk_obstruction": 6, "green_space": 5, "street_signs": 4, "bus": 4, "taxi": 3,
    "cultural": 2, "social": 2, "other": 6,
}
CHANNEL_WEIGHTS: dict[str, int] = {"phone": 70, "web": 15, "sms": 12, "walk_in": 3}
OPEN_CYCLE = (Status.RECEIVED, Status.REFERRED, Status.ASSIGNED, Status.IN_PROGRESS)
CREWS_PER_DISTRICT = 2


def crew_id(district_code: str, n: int) -> uuid.UUID:
    region, district = (int(part) for part in district_code.split("-"))
    return uuid.UUID(f"00000000-0000-7000-8000-0000{region:02d}{district:02d}{n:04d}")


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    point = rng.random() * sum(weights.values())
    for code, weight in weights.items():
        point -= weight
        if point < 0:
            return code
    return code


def _spread(total: int, parts: Sequence[str], fixed: dict[str, int]) -> dict[str, int]:
    """``total`` requests over ``parts``: the fixed ones get their count, the rest share
    what is left as evenly as integers allow."""
    free = [p for p in parts if p not in fixed]
    left = total - sum(fixed.get(p, 0) for p in parts)
    counts = {p: fixed[p] for p in parts if p in fixed}
    for i, part in enumerate(free):
        counts[part] = left // len(free) + (1 if i < left % len(free) else 0)
    return counts


class _Rows:
    """Request rows with deterministic ids and tracking codes."""

    def __init__(self, ref: reference.ReferenceSet) -> None:
        self.serial = 0
        self.rows: list[dict[str, Any]] = []
        self.target_days = {c.code: c.target_days for c in ref.categories}
        self.reasons = [r.code for r in ref.reasons]

    def add(self, rng: random.Random, *, received: dt.datetime, neighbourhood: str,
            district: str, status: Status) -> None:
        self.serial += 1
        category = _weighted(rng, CATEGORY_WEIGHTS)
        target = self.target_days[category]
        closed = None
        reason = None
        if status in (Status.DONE, Status.NOT_ACTIONABLE):
            closed = received + dt.timedelta(hours=0.5 + rng.random() * target * 24 * 1.5)
        if status == Status.NOT_ACTIONABLE:
            reason = self.reasons[int(rng.random() * len(self.reasons))]
        crew = None
        if status in (Status.ASSIGNED, Status.IN_PROGRESS, Status.DONE):
            crew = crew_id(district, 1 + self.serial % CREWS_PER_DISTRICT)
        code = f"14{self.serial:08d}"
        description = "درخواست شهروند"
        self.rows.append(dict(
            id=uuid.UUID(f"00000000-0000-7000-9000-{self.serial:012x}"), tracking_code=code,
            received_at=received, channel=_weighted(rng, CHANNEL_WEIGHTS),
            district_code=district, neighbourhood_code=neighbourhood, category_code=category,
            description=description, citizen_name="شهروند", citizen_phone=None,
            address="کاشان", status=status.value, closed_at=closed, outcome_reason=reason,
            outcome_note="", crew_id=crew, version=1, updated_at=closed or received,
            search_text=search_text(code, "شهروند", None, "کاشان", description),
        ))


def _times(rng: random.Random, count: int, first: dt.datetime, last: dt.datetime
           ) -> Iterator[dt.datetime]:
    """``count`` instants between two local times, sorted, as UTC."""
    span = (last - first).total_seconds()
    for offset in sorted(rng.random() * span for _ in range(count)):
        yield (first + dt.timedelta(seconds=int(offset))).astimezone(UTC)


def build_seed_archive(store: Store) -> None:
    """Fill ``store`` (an office with the Kashan reference installed) with the seed's
    half-year and the requests around it."""
    ref = reference.load()
    rows = _Rows(ref)
    crews = [
        dict(id=crew_id(d.code, n), district_code=d.code,
             name=f"اکیپ {to_persian_digits(n)} {d.name_fa}",
             supervisor="", phone=None, active=True, version=1,
             updated_at=dt.datetime(2026, 3, 1, tzinfo=UTC))
        for d in ref.districts for n in range(1, CREWS_PER_DISTRICT + 1)
    ]
    for region, (received, done, not_actionable, in_progress) in SEED_TABLE.items():
        rng = random.Random(1405 * 10 + region)
        places = [n for d in ref.districts_of(region) for n in ref.neighbourhoods_of(d.code)]
        counts = _spread(received, [p.code for p in places], LEAST_CALLING)
        neighbourhoods = [p for p in places for _ in range(counts[p.code])]
        statuses = ([Status.DONE] * done + [Status.NOT_ACTIONABLE] * not_actionable
                    + [OPEN_CYCLE[i % len(OPEN_CYCLE)] for i in range(in_progress)])
        rng.shuffle(neighbourhoods)
        rng.shuffle(statuses)
        times = list(_times(rng, received, FIRST_LOCAL, LAST_LOCAL))
        # The two edges of the half-year, in Tehran time.
        if region == 1:
            times[0] = FIRST_LOCAL.astimezone(UTC)
        if region == len(SEED_TABLE):
            times[-1] = LAST_LOCAL.astimezone(UTC)
        for when, place, status in zip(times, neighbourhoods, statuses, strict=True):
            rows.add(rng, received=when, neighbourhood=place.code, district=place.district_code,
                     status=status)

    rng = random.Random(1404)
    quiet = [ref.neighbourhood(code) for code in LEAST_CALLING]
    just_before = dt.datetime(2026, 3, 20, 23, 59, 59, tzinfo=TEHRAN)  # 1404-12-29 23:59:59
    just_after = dt.datetime(2026, 9, 23, 0, 0, tzinfo=TEHRAN)  # 1405-07-01 00:00
    outside = [just_before, just_after]
    further = OUTSIDE_COUNT // 2 - 1
    outside += _times(rng, further, dt.datetime(2026, 2, 20, tzinfo=TEHRAN), just_before)
    outside += _times(rng, further, just_after, dt.datetime(2026, 11, 1, tzinfo=TEHRAN))
    for i, when in enumerate(outside):
        place = quiet[i % len(quiet)]
        rows.add(rng, received=when.astimezone(UTC), neighbourhood=place.code,
                 district=place.district_code, status=(Status.DONE, Status.REFERRED)[i % 2])

    with store.sessions.begin() as session:
        session.execute(sa.insert(m.Crew.__table__), crews)
        session.execute(sa.insert(m.ServiceRequest.__table__), rows.rows)
