"""``demo-data``: an empty centre filled with six months of believable work.

Newcomers, trainers and the acceptance checks need a centre that looks like Kashan's:
the seed's five regions with their call volumes and outcome mixes (404/993/645/400/412
calls; shared/seed/README.md), the six neighbourhoods that call least calling least,
Persian names, addresses and descriptions, crews that did the work, and for every
request a history that the lifecycle allows.  With the default 2,854 requests the
summary by region reproduces the seed's table exactly; other sizes keep its
proportions.  A seeded :class:`random.Random` makes every run with the same seed
produce the same data.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync import reference as ref
from sync.batching import chunks, collector_paused
from sync.dates import TEHRAN, UTC, Period, utcnow
from sync.schema import new_id
from sync.server.changes import Entry, log_changes
from sync.server.models import Crew, Event, ServiceRequest
from sync.server.reference_io import has_reference, load_reference, read_reference
from sync.server.tracking import next_codes
from sync.text import to_persian_digits
from sync.workflow import Bucket, EventKind, Role, Status

DEMO_YEAR = 1405
DEMO_PERIOD = Period.jalali_half(DEMO_YEAR, 1)

#: The seed's table: region -> (done, not actionable, in progress).
SEED_OUTCOMES: dict[int, tuple[int, int, int]] = {
    1: (310, 89, 5),
    2: (698, 285, 10),
    3: (464, 150, 31),
    4: (327, 71, 2),
    5: (250, 140, 22),
}
_BUCKETS = (Bucket.DONE, Bucket.NOT_ACTIONABLE, Bucket.IN_PROGRESS)

#: The neighbourhoods the seed names as calling least, and how much less they call.
LOW_CALL_NEIGHBOURHOODS = frozenset(
    {"lotehr", "taherabad", "khozagh", "bazaar", "maskan-e-mehr", "ravand"}
)
LOW_CALL_WEIGHT = 0.25

#: The seed's most frequent telephone requests come first.
CATEGORY_WEIGHTS = {
    "asphalt": 16, "garbage": 15, "street_cleaning": 14, "block_paving": 11, "curbs": 10,
    "sidewalk_obstruction": 7, "green_space": 6, "street_signs": 5, "bus": 4, "taxi": 3,
    "cultural": 3, "social": 3, "other": 3,
}
CHANNEL_WEIGHTS = {"phone": 72, "web": 15, "sms": 10, "walk_in": 3}
REASON_WEIGHTS = {
    "duplicate": 25, "not_municipal": 25, "private_property": 15, "not_found": 15,
    "false_report": 10, "no_budget": 10,
}
#: Who closes a not-actionable request: the centre at verification, the district desk,
#: or the crew on site.  Reasons not listed are the desk's.
REASON_PATHS = {"duplicate": "centre", "false_report": "centre", "not_found": "site"}
OPEN_STATUS_WEIGHTS = {Status.REFERRED: 30, Status.ASSIGNED: 35, Status.IN_PROGRESS: 35}
#: Calls by hour of day, Tehran time (the line answers round the clock).
HOUR_WEIGHTS = (1, 0.5, 0.3, 0.3, 0.3, 0.5, 1, 3, 6, 8, 9, 9, 8, 6, 5, 5, 6, 7, 7, 6, 5, 4, 3, 2)
LATE_SHARE = 0.15
#: Share of open requests that came in during the last weeks of the period.
RECENT_OPEN_SHARE = 0.6
RECENT_DAYS = 30
TECHNICAL_FAMILY = "technical"
KASHAN = (33.985, 51.435)
CHUNK = 5000

MALE_NAMES = (
    "محمد", "علی", "حسین", "رضا", "مهدی", "حسن", "احمد", "عباس", "مرتضی", "جواد",
    "سعید", "امیر", "مصطفی", "حمید", "مجید", "ابوالفضل", "محسن", "یوسف", "اکبر", "غلامرضا",
)
FEMALE_NAMES = (
    "فاطمه", "زهرا", "مریم", "معصومه", "زینب", "سمیه", "اعظم", "لیلا", "نرگس", "طاهره",
    "رقیه", "منیره", "سکینه", "مهناز", "الهام", "شیوا",
)
FAMILY_NAMES = (
    "کاشانی", "نراقی", "راوندی", "قمصری", "فینی", "حسینی", "محمدی", "رضایی", "احمدی",
    "کریمی", "صالحی", "طاهری", "نوری", "جعفری", "عباسی", "سلطانی", "مشهدی", "بیدگلی",
    "آرانی", "نیاسری", "برزکی", "مرتضوی", "موسوی", "هاشمی", "اکبری", "ضرابی", "یزدانی",
    "شریفی", "دهقان", "قطبی",
)
STREETS = (
    "خیابان امیرکبیر", "خیابان شهید بهشتی", "خیابان فاضل نراقی", "خیابان بابا افضل",
    "خیابان محتشم", "خیابان آیت‌الله کاشانی", "خیابان امام خمینی", "خیابان ابوذر",
    "خیابان مدرس", "خیابان ملک‌الشعرای بهار", "خیابان سی‌متری جلالی", "خیابان کمیل",
    "خیابان علوی", "خیابان پانزده خرداد", "خیابان شهید صدوقی", "بلوار قطب راوندی",
    "بلوار مطهری", "بلوار شهید رجایی", "بلوار امیرکبیر", "بلوار دانشگاه",
)
LANDMARKS = (
    "روبروی مسجد", "جنب نانوایی", "نبش کوچه", "کنار مدرسه", "پشت پارک محله",
    "نزدیک درمانگاه", "روبروی بانک ملی",
)
DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "street_cleaning": (
        "خاک و نخاله در {street} رها شده و نیاز به نظافت دارد.",
        "جوی آب {street} پر از برگ و زباله است و آب‌گرفتگی ایجاد کرده.",
        "پس از تعمیرات ساختمان، مصالح در معبر باقی مانده است.",
        "کوچه {alley} مدتی است جارو نشده و گرد و خاک زیاد است.",
    ),
    "garbage": (
        "مخزن زباله سر کوچه {alley} پر شده و چند روز است تخلیه نشده.",
        "زباله‌ها کنار مخزن در {street} ریخته شده و بوی بد می‌دهد.",
        "ماشین حمل زباله دیشب به کوچه ما نیامد.",
        "مخزن زباله {street} شکسته است و نیاز به تعویض دارد.",
    ),
    "sidewalk_obstruction": (
        "مغازه‌دار اجناس خود را در پیاده‌رو {street} چیده و عبور عابران سخت شده است.",
        "دستفروش‌ها پیاده‌رو {street} را اشغال کرده‌اند.",
        "مصالح ساختمانی در پیاده‌رو رها شده و راه را بسته است.",
        "خودروی رهاشده چند هفته است در کوچه {alley} مانده است.",
    ),
    "green_space": (
        "درختان {street} نیاز به هرس دارند و شاخه‌ها روی سیم برق افتاده‌اند.",
        "فضای سبز پارک محله چند هفته است آبیاری نشده.",
        "درخت خشک‌شده کنار کوچه {alley} خطر سقوط دارد.",
        "وسایل بازی پارک محله شکسته است.",
    ),
    "asphalt": (
        "آسفالت {street} ترک خورده و چاله بزرگی ایجاد شده است.",
        "پس از حفاری، روکش آسفالت کوچه {alley} ترمیم نشده است.",
        "چاله‌های متعدد در کوچه باعث آسیب به خودروها شده است.",
        "درخواست آسفالت کوچه خاکی {alley}.",
    ),
    "curbs": (
        "جدول‌های {street} شکسته و ریخته است.",
        "کوچه {alley} جدول ندارد و آب باران در آن جمع می‌شود.",
        "جدول کنار پیاده‌رو {street} جابه‌جا شده و خطرناک است.",
    ),
    "block_paving": (
        "بلوک‌های پیاده‌رو {street} کنده شده و عابران زمین می‌خورند.",
        "بلوک‌فرش کوچه {alley} نشست کرده و آب جمع می‌شود.",
        "پس از تعمیر لوله، بلوک‌فرش پیاده‌رو جمع‌آوری و دوباره چیده نشده است.",
    ),
    "bus": (
        "اتوبوس خط {line} دیر می‌آید و ایستگاه {street} سرپناه ندارد.",
        "راننده اتوبوس خط {line} در ایستگاه {street} توقف نکرد.",
        "درخواست افزایش سرویس اتوبوس خط {line} در ساعات اداری.",
    ),
    "taxi": (
        "تاکسی‌های مسیر {street} کرایه بیشتر از نرخ مصوب می‌گیرند.",
        "در ایستگاه تاکسی {street} تاکسی کم است و مسافران معطل می‌مانند.",
        "رفتار نامناسب راننده تاکسی در مسیر {street}.",
    ),
    "street_signs": (
        "تابلوی نام کوچه {alley} افتاده و خوانا نیست.",
        "تابلوی ایست سر تقاطع {street} شکسته است.",
        "تابلوی راهنمای مسیر در {street} نصب نشده است.",
    ),
    "cultural": (
        "درخواست برگزاری برنامه فرهنگی برای کودکان محله.",
        "کتابخانه محله ساعات کاری مناسبی ندارد.",
        "پیشنهاد نصب تابلوی معرفی بناهای تاریخی در {street}.",
    ),
    "social": (
        "فردی بی‌سرپناه در {street} نیاز به کمک دارد.",
        "سگ‌های ولگرد در کوچه {alley} باعث ترس اهالی شده‌اند.",
        "درخواست ساماندهی متکدیان سر چهارراه {street}.",
    ),
    "other": (
        "پیشنهاد برای بهبود روشنایی معابر محله.",
        "پرسش درباره عوارض نوسازی ملک در {street}.",
        "تشکر از پرسنل شهرداری بابت رسیدگی سریع به درخواست قبلی.",
    ),
}
GENERIC_DESCRIPTION = ("درخواست رسیدگی به مشکل در {street}.",)
DONE_NOTES = (
    "رسیدگی و رفع مشکل انجام شد.",
    "اکیپ در محل حاضر شد و کار انجام شد.",
    "مورد بازدید و اقدام لازم صورت گرفت.",
)
REASON_NOTES = {
    "duplicate": "درخواست تکراری است؛ قبلاً ثبت و پیگیری شده.",
    "not_municipal": "موضوع در حوزه وظایف شهرداری نیست و به دستگاه مربوط اعلام شد.",
    "not_found": "در بازدید از محل، مورد گزارش‌شده مشاهده نشد.",
    "false_report": "گزارش با واقعیت مطابقت نداشت.",
    "no_budget": "به دلیل نبود اعتبار در برنامه سال آینده قرار گرفت.",
    "private_property": "محل مورد نظر ملک خصوصی است و اقدام شهرداری ممکن نیست.",
}
MOBILE_PREFIXES = {"0913": 60, "0912": 8, "0919": 6, "0935": 8, "0936": 5, "0910": 6, "0990": 7}
LANDLINE_SHARE = 0.1
ANONYMOUS_SHARE = 0.03
COORDINATES_SHARE = 0.7


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
            row = [counts.get(b, 0) for b in _BUCKETS]
            lines.append("\t".join(str(v) for v in (region, sum(row), *row)))
        return "\n".join(lines)


@dataclass(frozen=True)
class _Slot:
    """One request to make: where it belongs, how it ended, when it came in."""

    received_at: dt.datetime
    district_code: str
    bucket: Bucket


@dataclass(frozen=True)
class _CrewInfo:
    id: uuid.UUID
    supervisor: str


@dataclass(frozen=True)
class _Step:
    """One event of a request's history, before it becomes a row."""

    at: dt.datetime
    kind: EventKind
    source: Status | None
    target: Status
    actor: str
    role: Role
    reason: str | None = None
    note: str = ""
    crew: _CrewInfo | None = None


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


def _make_crews(
    rng: random.Random, refset: ref.ReferenceSet, now: dt.datetime
) -> tuple[list[dict[str, Any]], dict[str, tuple[_CrewInfo, _CrewInfo]]]:
    """Two crews per district: city services, and technical and construction work."""
    rows: list[dict[str, Any]] = []
    by_district: dict[str, tuple[_CrewInfo, _CrewInfo]] = {}
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
            pair.append(_CrewInfo(row["id"], row["supervisor"]))
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


def _plan(rng: random.Random, refset: ref.ReferenceSet, total: int) -> list[_Slot]:
    """Every request's district, outcome and arrival, in order of arrival."""
    mixes = _region_weights(refset)
    slots: list[_Slot] = []
    for number, count in zip(mixes, apportion(total, [sum(m) for m in mixes.values()])):
        buckets = [
            b for b, n in zip(_BUCKETS, apportion(count, mixes[number])) for _ in range(n)
        ]
        rng.shuffle(buckets)
        districts = refset.districts_of(number)
        codes = [
            d.code
            for d, n in zip(districts, apportion(count, [1.0] * len(districts)))
            for _ in range(n)
        ]
        slots.extend(
            _Slot(_arrival(rng, bucket), code, bucket) for bucket, code in zip(buckets, codes)
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


class _RequestFactory:
    """Turns a planned slot into a request row and its event rows."""

    def __init__(
        self,
        rng: random.Random,
        refset: ref.ReferenceSet,
        crews: dict[str, tuple[_CrewInfo, _CrewInfo]],
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
        self, slot: _Slot, tracking_code: str
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
        }
        self.latest[key] = request_id
        return request, [_event_row(request_id, step) for step in steps]

    # -- history

    def _history(self, slot: _Slot, category: ref.Category) -> list[_Step]:
        operator = self.rng.choice(self.operators)
        steps = [
            _Step(slot.received_at, EventKind.CREATED, None, Status.RECEIVED, operator, Role.CENTRE)
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

    def _verified(self, steps: list[_Step], limit: dt.timedelta) -> dt.datetime:
        """When the operator who took the call had verified it: within hours, never
        past ``limit``."""
        return steps[0].at + min(dt.timedelta(minutes=self.rng.uniform(10, 240)), limit)

    def _referral(self, steps: list[_Step], limit: dt.timedelta) -> dt.datetime:
        at = self._verified(steps, limit)
        steps.append(_Step(at, EventKind.STATUS, Status.RECEIVED, Status.REFERRED,
                           steps[0].actor, Role.CENTRE))
        return at

    def _assign(self, steps: list[_Step], at: dt.datetime, crew: _CrewInfo, clerk: str) -> None:
        steps.append(_Step(at, EventKind.ASSIGNED, Status.REFERRED, Status.ASSIGNED, clerk,
                           Role.CLERK, crew=crew))

    def _done(self, steps: list[_Step], target_days: int, crew: _CrewInfo, clerk: str) -> None:
        late = self.rng.random() < LATE_SHARE
        span = self._span(target_days, 1.05, 2.5) if late else self._span(target_days, 0.08, 0.95)
        closed = steps[0].at + span
        referred = self._referral(steps, span * 0.1)
        assigned = referred + (closed - referred) * self.rng.uniform(0.05, 0.4)
        self._assign(steps, assigned, crew, clerk)
        source = Status.ASSIGNED
        if self.rng.random() < 0.7:
            started = assigned + (closed - assigned) * self.rng.uniform(0.05, 0.6)
            steps.append(_Step(started, EventKind.STATUS, Status.ASSIGNED, Status.IN_PROGRESS,
                               crew.supervisor, Role.SUPERVISOR))
            source = Status.IN_PROGRESS
        steps.append(_Step(closed, EventKind.STATUS, source, Status.DONE, crew.supervisor,
                           Role.SUPERVISOR, note=self.rng.choice(DONE_NOTES)))

    def _not_actionable(
        self, steps: list[_Step], target_days: int, crew: _CrewInfo, clerk: str
    ) -> None:
        reason = _weighted(self.rng, self.reasons)
        note = REASON_NOTES.get(reason, self.refset.reason(reason).name_fa)
        path = REASON_PATHS.get(reason, "desk")
        span = self._span(target_days, 0.05, 0.8)
        closed = steps[0].at + span
        if path == "centre" and self.rng.random() < 0.6:
            steps.append(_Step(self._verified(steps, span), EventKind.STATUS, Status.RECEIVED,
                               Status.NOT_ACTIONABLE, steps[0].actor, Role.CENTRE, reason, note))
            return
        referred = self._referral(steps, span * 0.3)
        source, actor, role = Status.REFERRED, clerk, Role.CLERK
        if path == "site":
            self._assign(steps, referred + (closed - referred) * 0.3, crew, clerk)
            source, actor, role = Status.ASSIGNED, crew.supervisor, Role.SUPERVISOR
        steps.append(_Step(closed, EventKind.STATUS, source, Status.NOT_ACTIONABLE, actor, role,
                           reason, note))

    def _open(self, steps: list[_Step], crew: _CrewInfo, clerk: str) -> None:
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
            steps.append(_Step(started, EventKind.STATUS, Status.ASSIGNED, Status.IN_PROGRESS,
                               crew.supervisor, Role.SUPERVISOR))

    # -- the citizen's words and place

    def _with_places(self, template: str) -> str:
        rng = self.rng
        return template.format(
            street=rng.choice(STREETS),
            alley=f"شهید {rng.choice(FAMILY_NAMES)}"
            if rng.random() < 0.6
            else to_persian_digits(rng.randrange(1, 60)),
            line=to_persian_digits(rng.randrange(1, 25)),
        )

    def _description(self, category: str) -> str:
        return self._with_places(self.rng.choice(DESCRIPTIONS.get(category, GENERIC_DESCRIPTION)))

    def _address(self, hood: ref.Neighbourhood | None) -> str:
        rng = self.rng
        parts = [hood.name_fa] if hood else []
        parts.append(self._with_places("{street}، کوچه {alley}"))
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


def _event_row(request_id: uuid.UUID, step: _Step) -> dict[str, Any]:
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


# -------------------------------------------------------------------------- fill


def fill_demo(session: Session, *, requests: int, seed: int = DEMO_YEAR) -> DemoSummary:
    """Fill an empty centre in the caller's transaction (reference data first, when the
    centre has none).  Raises :class:`DemoError` when it already has requests."""
    with collector_paused():
        return _write_demo(session, requests, seed)


def _write_demo(session: Session, requests: int, seed: int) -> DemoSummary:
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
    crew_rows, crews = _make_crews(rng, refset, utcnow())
    session.execute(sa.insert(Crew.__table__), crew_rows)
    log_changes(session, (Entry("crew", str(c["id"]), c["district_code"]) for c in crew_rows))
    slots = _plan(rng, refset, requests)
    codes = next_codes(session, DEMO_YEAR, len(slots))
    summary = DemoSummary(crews=len(crew_rows), requests=len(slots))
    factory = _RequestFactory(rng, refset, crews)
    for block in chunks(list(zip(slots, codes)), CHUNK):
        summary.events += _write_block(session, factory, block)
    for slot in slots:
        region = refset.district(slot.district_code).region_number
        counts = summary.by_region.setdefault(region, {})
        counts[slot.bucket] = counts.get(slot.bucket, 0) + 1
    return summary


def _write_block(
    session: Session, factory: _RequestFactory, block: Sequence[tuple[_Slot, str]]
) -> int:
    """Insert one block of requests with their events and change-log entries (into the
    tables: the ORM's bulk path would split rows by which columns are empty)."""
    requests: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    entries: list[Entry] = []
    for slot, code in block:
        request, history = factory.make(slot, code)
        requests.append(request)
        events.extend(history)
        entries.append(Entry("request", str(request["id"]), slot.district_code))
        entries.extend(Entry("event", str(e["id"]), slot.district_code) for e in history)
    session.execute(sa.insert(ServiceRequest.__table__), requests)
    session.execute(sa.insert(Event.__table__), events)
    log_changes(session, entries)
    return len(events)
