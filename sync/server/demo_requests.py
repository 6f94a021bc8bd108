"""The demo centre's requests, made up: two crews per district, a plan of which
district each request comes from, how it ends and when it came in (the seed's mix,
see :mod:`sync.server.demo_world`), and for each one a request row with a history
of event rows that the lifecycle allows.

Everything is drawn from one seeded :class:`random.Random`, in a fixed order, so
that the same seed makes the same centre; nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sync import reference as ref
from sync.dates import TEHRAN, UTC
from sync.schema import new_id
from sync.server.demo_world import (
    ANONYMOUS_SHARE,
    BUCKETS,
    CATEGORY_WEIGHTS,
    CHANNEL_WEIGHTS,
    COORDINATES_SHARE,
    DEMO_PERIOD,
    DESCRIPTIONS,
    DONE_NOTES,
    FAMILY_NAMES,
    FEMALE_NAMES,
    GENERIC_DESCRIPTION,
    HOUR_WEIGHTS,
    KASHAN,
    LANDLINE_SHARE,
    LANDMARKS,
    LATE_SHARE,
    LOW_CALL_NEIGHBOURHOODS,
    LOW_CALL_WEIGHT,
    MALE_NAMES,
    MOBILE_PREFIXES,
    OPEN_STATUS_WEIGHTS,
    REASON_NOTES,
    REASON_PATHS,
    REASON_WEIGHTS,
    RECENT_DAYS,
    RECENT_OPEN_SHARE,
    SEED_OUTCOMES,
    STREETS,
    TECHNICAL_FAMILY,
)
from sync.text import to_persian_digits
from sync.workflow import Bucket, EventKind, Role, Status


@dataclass(frozen=True)
class Slot:
    """One request to make: where it belongs, how it ended, when it came in."""

    received_at: dt.datetime
    district_code: str
    bucket: Bucket


@dataclass(frozen=True)
class CrewInfo:
    id: uuid.UUID
    supervisor: str


@dataclass(frozen=True)
class Step:
    """One event of a request's history, before it becomes a row."""

    at: dt.datetime
    kind: EventKind
    source: Status | None
    target: Status
    actor: str
    role: Role
    reason: str | None = None
    note: str = ""
    crew: CrewInfo | None = None


# ------------------------------------------------------------------------ helpers


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Whole shares of ``total`` in proportion to ``weights`` (largest remainder):
    they always add up to ``total``, and are exact when the weights allow it."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    shares = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (shares[i] - exact[i], i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _weighted(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _person(rng: random.Random) -> str:
    first = rng.choice(MALE_NAMES if rng.random() < 0.6 else FEMALE_NAMES)
    return f"{first} {rng.choice(FAMILY_NAMES)}"


def _mobile(rng: random.Random) -> str:
    return _weighted(rng, MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}"


def _phone(rng: random.Random) -> str:
    if rng.random() < LANDLINE_SHARE:
        return f"0315{rng.randrange(5, 10)}{rng.randrange(10**6):06d}"
    return _mobile(rng)


# ------------------------------------------------------------------------- crews


def make_crews(
    rng: random.Random, refset: ref.ReferenceSet, now: dt.datetime
) -> tuple[list[dict[str, Any]], dict[str, tuple[CrewInfo, CrewInfo]]]:
    """Two crews per district: city services, and technical and construction work."""
    rows: list[dict[str, Any]] = []
    by_district: dict[str, tuple[CrewInfo, CrewInfo]] = {}
    for district in refset.districts:
        pair = []
        for kind in ("خدمات شهری", "فنی و عمرانی"):
            row = {
                "id": new_id(), "district_code": district.code,
                "name": f"اکیپ {kind} {to_persian_digits(district.code)}",
                "supervisor": _person(rng), "phone": _mobile(rng), "active": True,
                "version": 1, "updated_at": now,
            }
            rows.append(row)
            pair.append(CrewInfo(row["id"], row["supervisor"]))
        by_district[district.code] = (pair[0], pair[1])
    return rows, by_district


# -------------------------------------------------------------------------- plan


def _region_weights(refset: ref.ReferenceSet) -> dict[int, tuple[float, float, float]]:
    """The seed's mix per region; a region the seed does not know gets the average."""
    done, na, open_ = (sum(col) / len(SEED_OUTCOMES) for col in zip(*SEED_OUTCOMES.values()))
    return {
        r.number: SEED_OUTCOMES.get(r.number, (done, na, open_))
        for r in refset.regions
        if refset.districts_of(r.number)
    }


def plan(rng: random.Random, refset: ref.ReferenceSet, total: int) -> list[Slot]:
    """Every request's district, outcome and arrival, in order of arrival."""
    mixes = _region_weights(refset)
    slots: list[Slot] = []
    for number, count in zip(mixes, apportion(total, [sum(m) for m in mixes.values()])):
        buckets = [
            b for b, n in zip(BUCKETS, apportion(count, mixes[number])) for _ in range(n)
        ]
        rng.shuffle(buckets)
        districts = refset.districts_of(number)
        codes = [
            d.code
            for d, n in zip(districts, apportion(count, [1.0] * len(districts)))
            for _ in range(n)
        ]
        slots.extend(
            Slot(_arrival(rng, bucket), code, bucket) for bucket, code in zip(buckets, codes)
        )
    slots.sort(key=lambda s: s.received_at)
    return slots


def _arrival(rng: random.Random, bucket: Bucket) -> dt.datetime:
    """A call time in the period; requests still open mostly came in lately."""
    days = (DEMO_PERIOD.last - DEMO_PERIOD.first).days + 1
    recent = bucket is Bucket.IN_PROGRESS and rng.random() < RECENT_OPEN_SHARE
    day = DEMO_PERIOD.first + dt.timedelta(
        days=rng.randrange(days - RECENT_DAYS, days) if recent else rng.randrange(days)
    )
    hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
    local = dt.datetime.combine(
        day, dt.time(hour, rng.randrange(60), rng.randrange(60)), TEHRAN
    )
    return local.astimezone(UTC)


# --------------------------------------------------------------------- requests


class RequestMaker:
    """Turns a planned slot into a request row and its event rows."""

    def __init__(
        self,
        rng: random.Random,
        refset: ref.ReferenceSet,
        crews: dict[str, tuple[CrewInfo, CrewInfo]],
    ) -> None:
        self.rng = rng
        self.refset = refset
        self.crews = crews
        self.operators = [_person(rng) for _ in range(4)]
        self.clerks = {d.code: _person(rng) for d in refset.districts}
        self.categories = {c.code: CATEGORY_WEIGHTS.get(c.code, 3) for c in refset.categories}
        self.channels = {
            c.code: CHANNEL_WEIGHTS[c.code] for c in refset.channels if c.code in CHANNEL_WEIGHTS
        }
        self.reasons = {r.code: REASON_WEIGHTS.get(r.code, 5) for r in refset.reasons}
        self.hoods = {
            d.code: {
                n: LOW_CALL_WEIGHT if n.code in LOW_CALL_NEIGHBOURHOODS else 1.0
                for n in refset.neighbourhoods_of(d.code)
            }
            for d in refset.districts
        }
        self.centres = {n.code: _centroid(n.code) for n in refset.neighbourhoods}
        #: (neighbourhood, category) -> the latest request there: what a duplicate repeats.
        self.latest: dict[tuple[str | None, str], uuid.UUID] = {}

    def make(
        self, slot: Slot, tracking_code: str
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        rng = self.rng
        category = self.refset.category(_weighted(rng, self.categories))
        hoods = self.hoods[slot.district_code]
        hood = _weighted(rng, hoods) if hoods else None
        steps = self._history(slot, category)
        last = steps[-1]
        assigned = next((s for s in steps if s.kind is EventKind.ASSIGNED), None)
        request_id = new_id()
        key = (hood.code if hood else None, category.code)
        request = {
            "id": request_id,
            "tracking_code": tracking_code,
            "received_at": slot.received_at,
            "channel": _weighted(rng, self.channels),
            "district_code": slot.district_code,
            "neighbourhood_code": key[0],
            "category_code": category.code,
            "description": self._description(category.code),
            "citizen_name": "" if rng.random() < ANONYMOUS_SHARE else _person(rng),
            "citizen_phone": _phone(rng),
            "address": self._address(hood),
            **self._coordinates(key[0]),
            "status": last.target.value,
            "closed_at": last.at if last.target in (Status.DONE, Status.NOT_ACTIONABLE) else None,
            "outcome_reason": last.reason,
            "outcome_note": last.note,
            "crew_id": assigned.crew.id if assigned and assigned.crew else None,
            "assigned_at": assigned.at if assigned else None,
            "duplicate_of": self.latest.get(key) if last.reason == "duplicate" else None,
            "version": len(steps),
            "updated_at": last.at,
            # The deadline its referral gave it (none while it waits for verification).
            "due_at": next((s.at + dt.timedelta(days=category.target_days) for s in steps
                            if s.target == Status.REFERRED), None),
        }
        self.latest[key] = request_id
        return request, [_event_row(request_id, step) for step in steps]

    # -- history

    def _history(self, slot: Slot, category: ref.Category) -> list[Step]:
        operator = self.rng.choice(self.operators)
        steps = [
            Step(slot.received_at, EventKind.CREATED, None, Status.RECEIVED, operator, Role.CENTRE)
        ]
        services, technical = self.crews[slot.district_code]
        crew = technical if category.family_code == TECHNICAL_FAMILY else services
        clerk = self.clerks[slot.district_code]
        if slot.bucket is Bucket.DONE:
            self._done(steps, category.target_days, crew, clerk)
        elif slot.bucket is Bucket.NOT_ACTIONABLE:
            self._not_actionable(steps, category.target_days, crew, clerk)
        else:
            self._open(steps, crew, clerk)
        return steps

    def _span(self, target_days: int, low: float, high: float) -> dt.timedelta:
        return dt.timedelta(days=target_days) * self.rng.uniform(low, high)

    def _verified(self, steps: list[Step], limit: dt.timedelta) -> dt.datetime:
        """When the operator who took the call had verified it: within hours, never
        past ``limit``."""
        return steps[0].at + min(dt.timedelta(minutes=self.rng.uniform(10, 240)), limit)

    def _referral(self, steps: list[Step], limit: dt.timedelta) -> dt.datetime:
        at = self._verified(steps, limit)
        steps.append(Step(at, EventKind.STATUS, Status.RECEIVED, Status.REFERRED,
                           steps[0].actor, Role.CENTRE))
        return at

    def _assign(self, steps: list[Step], at: dt.datetime, crew: CrewInfo, clerk: str) -> None:
        steps.append(Step(at, EventKind.ASSIGNED, Status.REFERRED, Status.ASSIGNED, clerk,
                           Role.CLERK, crew=crew))

    def _done(self, steps: list[Step], target_days: int, crew: CrewInfo, clerk: str) -> None:
        late = self.rng.random() < LATE_SHARE
        span = self._span(target_days, 1.05, 2.5) if late else self._span(target_days, 0.08, 0.95)
        closed = steps[0].at + span
        referred = self._referral(steps, span * 0.1)
        assigned = referred + (closed - referred) * self.rng.uniform(0.05, 0.4)
        self._assign(steps, assigned, crew, clerk)
        source = Status.ASSIGNED
        if self.rng.random() < 0.7:
            started = assigned + (closed - assigned) * self.rng.uniform(0.05, 0.6)
            steps.append(Step(started, EventKind.STATUS, Status.ASSIGNED, Status.IN_PROGRESS,
                               crew.supervisor, Role.SUPERVISOR))
            source = Status.IN_PROGRESS
        steps.append(Step(closed, EventKind.STATUS, source, Status.DONE, crew.supervisor,
                           Role.SUPERVISOR, note=self.rng.choice(DONE_NOTES)))

    def _not_actionable(
        self, steps: list[Step], target_days: int, crew: CrewInfo, clerk: str
    ) -> None:
        reason = _weighted(self.rng, self.reasons)
        note = REASON_NOTES.get(reason, self.refset.reason(reason).name_fa)
        path = REASON_PATHS.get(reason, "desk")
        span = self._span(target_days, 0.05, 0.8)
        closed = steps[0].at + span
        if path == "centre" and self.rng.random() < 0.6:
            steps.append(Step(self._verified(steps, span), EventKind.STATUS, Status.RECEIVED,
                               Status.NOT_ACTIONABLE, steps[0].actor, Role.CENTRE, reason, note))
            return
        referred = self._referral(steps, span * 0.3)
        source, actor, role = Status.REFERRED, clerk, Role.CLERK
        if path == "site":
            self._assign(steps, referred + (closed - referred) * 0.3, crew, clerk)
            source, actor, role = Status.ASSIGNED, crew.supervisor, Role.SUPERVISOR
        steps.append(Step(closed, EventKind.STATUS, source, Status.NOT_ACTIONABLE, actor, role,
                           reason, note))

    def _open(self, steps: list[Step], crew: CrewInfo, clerk: str) -> None:
        """Still open when the period ends: referred, with a crew, or being worked on."""
        status = _weighted(self.rng, OPEN_STATUS_WEIGHTS)
        left = DEMO_PERIOD.end - steps[0].at
        referred = self._referral(steps, left * 0.2)
        if status is Status.REFERRED:
            return
        assigned = referred + (DEMO_PERIOD.end - referred) * self.rng.uniform(0.05, 0.5)
        self._assign(steps, assigned, crew, clerk)
        if status is Status.IN_PROGRESS:
            started = assigned + (DEMO_PERIOD.end - assigned) * self.rng.uniform(0.05, 0.5)
            steps.append(Step(started, EventKind.STATUS, Status.ASSIGNED, Status.IN_PROGRESS,
                               crew.supervisor, Role.SUPERVISOR))

    # -- the citizen's words and place

    def _fill_template(self, template: str) -> str:
        rng = self.rng
        return template.format(
            street=rng.choice(STREETS),
            alley=f"شهید {rng.choice(FAMILY_NAMES)}"
            if rng.random() < 0.6
            else to_persian_digits(rng.randrange(1, 60)),
            line=to_persian_digits(rng.randrange(1, 25)),
        )

    def _description(self, category: str) -> str:
        return self._fill_template(self.rng.choice(DESCRIPTIONS.get(category, GENERIC_DESCRIPTION)))

    def _address(self, hood: ref.Neighbourhood | None) -> str:
        rng = self.rng
        parts = [hood.name_fa] if hood else []
        parts.append(self._fill_template("{street}، کوچه {alley}"))
        if rng.random() < 0.3:
            parts.append(rng.choice(LANDMARKS))
        parts.append(f"پلاک {to_persian_digits(rng.randrange(1, 300))}")
        return "، ".join(parts)

    def _coordinates(self, hood: str | None) -> dict[str, float | None]:
        if hood is None or self.rng.random() >= COORDINATES_SHARE:
            return {"latitude": None, "longitude": None}
        lat, lon = self.centres[hood]
        return {
            "latitude": round(lat + self.rng.uniform(-0.003, 0.003), 6),
            "longitude": round(lon + self.rng.uniform(-0.003, 0.003), 6),
        }


def _centroid(code: str) -> tuple[float, float]:
    """Where a neighbourhood lies: fixed by its code, somewhere in Kashan (demo geography)."""
    place = random.Random(code)
    return KASHAN[0] + place.uniform(-0.035, 0.035), KASHAN[1] + place.uniform(-0.04, 0.04)


def _event_row(request_id: uuid.UUID, step: Step) -> dict[str, Any]:
    data: dict[str, Any] = {"source": "demo"} if step.kind is EventKind.CREATED else {}
    if step.crew:
        data["crew_id"] = str(step.crew.id)
    return {
        "id": new_id(), "request_id": request_id, "kind": step.kind.value,
        "from_status": step.source.value if step.source else None,
        "to_status": step.target.value, "reason": step.reason, "note": step.note,
        "data": data, "actor": step.actor, "actor_role": step.role.value, "office_id": None,
        "client_time": step.at, "server_time": step.at, "mutation_id": None,
    }
