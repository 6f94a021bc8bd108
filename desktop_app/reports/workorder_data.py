"""Work orders' data: the database rows a work order shows, read into plain values.

:func:`load_work_orders`, :func:`load_crew_day` and :func:`load_day_sheet_cover` turn
rows into :class:`WorkOrderData` and :class:`DaySheetCover`, every name resolved and
nothing lazy, so the pages (:mod:`desktop_app.reports.workorders`) are drawn from
values alone, on any thread.  What every work order of a batch shares (reference
names, target days, the phone setting) is read once into a
:class:`WorkOrderReference`, so that a long batch can be read in short steps, each in
a session of its own, without reading the reference again.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from PIL import Image, ImageOps
from sqlalchemy.orm import Session

from desktop_app.errors import ServiceError
from desktop_app.store import models as m
from desktop_app.store.photos import PhotoFolder
from desktop_app.store.reference import Lookup
from sync.dates import TEHRAN, to_tehran
from sync.workflow import STATUS_LABELS_FA, EventKind, Status

#: Office setting (JSON bool, default false): may the citizen's phone be printed?
#: Paper travels; a phone number on it is personal data leaving the office.
SHOW_PHONE_SETTING = "workorder_show_phone"

#: The statuses a crew is working on: what a day sheet lists.
CREW_OPEN_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS)

#: What a work order shows where a value is missing.
DASH = "—"

#: Longest side, in pixels, of the citizen's photo as a work order carries it: sharp
#: at the few centimetres it is printed, small enough that a day sheet of thirty
#: stays a few megabytes.
PHOTO_SIDE = 600
#: The photos a work order may print: the citizen's own, never one marked internal
#: (the same rule as ``services.attachments.PUBLIC_KINDS``; reports read the store).
_PRINTED_KIND = "citizen"
_PRINTED_TYPES = ("image/jpeg", "image/png")


@dataclass(frozen=True)
class HistoryLine:
    """One entry of a request's history, already in words."""

    at: dt.datetime
    text: str


@dataclass(frozen=True)
class WorkOrderData:
    """Everything one work order shows, names resolved: the renderer never touches
    the database, so the window can load on one thread and draw on another."""

    request_id: uuid.UUID
    tracking_code: str
    status_fa: str
    region_fa: str
    district_fa: str
    category_fa: str
    channel_fa: str
    received_at: dt.datetime
    #: The category's target days, counted from the Tehran day the request came in.
    target_days: int | None
    target_date: dt.date | None
    description: str
    neighbourhood_fa: str
    address: str
    latitude: float | None
    longitude: float | None
    citizen_name: str
    #: ``None`` unless the office allows phones on paper (:data:`SHOW_PHONE_SETTING`).
    citizen_phone: str | None
    crew_name: str
    crew_supervisor: str
    assigned_at: dt.datetime | None
    #: The latest entries, oldest first.
    history: tuple[HistoryLine, ...] = ()
    #: How many older entries did not fit the page.
    earlier_history: int = 0
    #: The not-actionable reasons, in reference order: the crew ticks one.
    reasons: tuple[str, ...] = ()
    #: The citizen's first photo (not internal) as a small JPEG, or ``None``.
    citizen_photo: bytes | None = None

    @property
    def priority_fa(self) -> str:
        """Urgency in words, from the category's target days (garbage: one day)."""
        if self.target_days is None:
            return DASH
        if self.target_days <= 1:
            return "فوری"
        return "بالا" if self.target_days <= 3 else "عادی"


@dataclass(frozen=True)
class DaySheetCover:
    """The cover of a crew day sheet."""

    crew_name: str
    supervisor: str
    region_fa: str
    district_fa: str
    day: dt.date


# ================================================================ loading


#: How many history entries a work order shows; older ones are counted, not listed.
HISTORY_LIMIT = 6


def show_phone(session: Session) -> bool:
    """The office's choice; anything but JSON ``true`` means no."""
    setting = session.get(m.Setting, SHOW_PHONE_SETTING)
    return setting is not None and setting.value is True


def _history_text(event: m.Event, ref: WorkOrderReference) -> str:
    kind = event.kind
    note = f": {event.note}" if event.note else ""
    if kind == EventKind.CREATED:
        return "ثبت درخواست"
    if kind == EventKind.STATUS and event.to_status:
        text = f"وضعیت: {STATUS_LABELS_FA[Status(event.to_status)]}"
        if event.reason:
            text += f" ({ref.reason_names.get(event.reason, event.reason)})"
        return text + note
    if kind == EventKind.ASSIGNED:
        return f"واگذاری به {event.data.get('crew_name') or DASH}"
    if kind == EventKind.NOTE:
        return f"یادداشت{note}" if event.note else "ویرایش مشخصات درخواست"
    if kind == EventKind.MOVED:
        return "انتقال به ناحیه دیگر" + note
    if kind == EventKind.WORK_ORDER_ISSUED:
        return "صدور دستور کار"
    if kind == EventKind.CONFLICT_SETTLED:
        return "رفع ناهمخوانی همگام‌سازی" + note
    return kind + note


def _histories(session: Session, ids: Sequence[uuid.UUID],
               ref: WorkOrderReference) -> dict[uuid.UUID, list[HistoryLine]]:
    when = sa.func.coalesce(m.Event.server_time, m.Event.client_time)
    rows = session.execute(
        sa.select(m.Event, when).where(m.Event.request_id.in_(ids)).order_by(when, m.Event.id)
    ).all()
    out: dict[uuid.UUID, list[HistoryLine]] = {i: [] for i in ids}
    for event, at in rows:
        if at is not None:
            out[event.request_id].append(HistoryLine(at, _history_text(event, ref)))
    return out


def _target_date(received_at: dt.datetime, days: int | None) -> dt.date | None:
    """The day the work is due: ``days`` after the Tehran day it came in."""
    if days is None:
        return None
    return to_tehran(received_at).date() + dt.timedelta(days=days)


@dataclass(frozen=True)
class WorkOrderReference:
    """The reference data every work order of a batch is named from, read once:
    Persian names by code, target days, each district's region, the reasons a
    crew can tick, and whether phones may be printed.  Plain values, so a batch
    read in several sessions uses one copy."""

    regions: dict[object, str]
    districts: dict[object, str]
    neighbourhoods: dict[object, str]
    categories: dict[object, str]
    channels: dict[object, str]
    #: Reason names by code, for the history lines.
    reason_names: dict[object, str]
    target_days: dict[str, int]
    district_region: dict[str, int]
    phone_allowed: bool
    #: The not-actionable reasons in reference order: the crew ticks one.
    reasons: tuple[str, ...]

    @classmethod
    def read(cls, session: Session) -> WorkOrderReference:
        # Lookup.target_days / .district_region call dict() on a Result, which
        # SQLAlchemy 2.1 refuses (a Result has .keys()); read the pairs here.
        def pairs(key: sa.ColumnElement[Any], value: sa.ColumnElement[Any]) -> dict[Any, Any]:
            return {k: v for k, v in session.execute(sa.select(key, value))}

        def persian(table: dict[object, tuple[str, str]]) -> dict[object, str]:
            return {code: names[0] for code, names in table.items()}

        lookup = Lookup(session)
        return cls(
            regions=persian(lookup.regions), districts=persian(lookup.districts),
            neighbourhoods=persian(lookup.neighbourhoods), categories=persian(lookup.categories),
            channels=persian(lookup.channels), reason_names=persian(lookup.reasons),
            target_days=pairs(m.Category.code, m.Category.target_days),
            district_region=pairs(m.District.code, m.District.region_number),
            phone_allowed=show_phone(session),
            reasons=tuple(name_fa for name_fa, _ in lookup.reasons.values()),
        )

    @staticmethod
    def name(table: dict[object, str], code: object) -> str:
        return table.get(code, "")


def _to_data(request: m.ServiceRequest, crew: m.Crew | None, history: list[HistoryLine],
             ref: WorkOrderReference, citizen_photo: bytes | None = None) -> WorkOrderData:
    days = ref.target_days.get(request.category_code)
    shown = history[-HISTORY_LIMIT:]
    return WorkOrderData(
        request_id=request.id,
        tracking_code=request.tracking_code,
        status_fa=STATUS_LABELS_FA[Status(request.status)],
        region_fa=ref.name(ref.regions, ref.district_region.get(request.district_code)),
        district_fa=ref.name(ref.districts, request.district_code),
        category_fa=ref.name(ref.categories, request.category_code),
        channel_fa=ref.name(ref.channels, request.channel),
        received_at=request.received_at,
        target_days=days,
        target_date=_target_date(request.received_at, days),
        description=request.description or "",
        neighbourhood_fa=ref.name(ref.neighbourhoods, request.neighbourhood_code),
        address=request.address or "",
        latitude=request.latitude,
        longitude=request.longitude,
        citizen_name=request.citizen_name or "",
        citizen_phone=request.citizen_phone if ref.phone_allowed else None,
        crew_name=crew.name if crew else "",
        crew_supervisor=crew.supervisor if crew else "",
        assigned_at=request.assigned_at,
        history=tuple(shown),
        earlier_history=len(history) - len(shown),
        reasons=ref.reasons,
        citizen_photo=citizen_photo,
    )


def load_work_orders(session: Session, request_ids: Iterable[uuid.UUID],
                     reference: WorkOrderReference | None = None) -> list[WorkOrderData]:
    """The work orders of ``request_ids``, in the order given (a repeated id once);
    ``reference`` is read here unless given (a batch read in steps reads it once).

    Raises ``ServiceError('unknown_request')`` when an id is not in this office."""
    ids = list(dict.fromkeys(request_ids))
    rows = session.scalars(sa.select(m.ServiceRequest).where(m.ServiceRequest.id.in_(ids))).all()
    found = {r.id: r for r in rows}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ServiceError("unknown_request", f"no such request: {missing[0]}", id=missing[0])
    requests = [found[i] for i in ids]
    ref = reference or WorkOrderReference.read(session)
    crew_ids = {r.crew_id for r in requests if r.crew_id}
    crews = {c.id: c for c in session.scalars(sa.select(m.Crew).where(m.Crew.id.in_(crew_ids)))}
    histories = _histories(session, ids, ref)
    photos = _citizen_photos(session, ids)
    return [_to_data(r, crews.get(r.crew_id) if r.crew_id else None, histories[r.id], ref,
                     photos.get(r.id)) for r in requests]


def _small_jpeg(content: bytes) -> bytes | None:
    """The photo turned upright and scaled to :data:`PHOTO_SIDE`, as a JPEG; ``None``
    for one that cannot be read (a work order is printed without it, not refused)."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            # A JPEG decodes at 1/2, 1/4 or 1/8 of its size when that is still
            # larger than wanted: several times faster than decoding it whole.
            image.draft("RGB", (PHOTO_SIDE, PHOTO_SIDE))
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
            out = io.BytesIO()
            upright.convert("RGB").save(out, "JPEG", quality=80)
            return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def _citizen_photos(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, bytes]:
    """The first photo the citizen gave for each request that this office has the
    bytes of (one pulled from the centre may not have arrived yet: the work order
    is printed without it), kept small."""
    first: dict[uuid.UUID, str] = {}
    for request_id, sha256 in session.execute(
            sa.select(m.Attachment.request_id, m.Attachment.sha256).where(
                m.Attachment.request_id.in_(ids), m.Attachment.kind == _PRINTED_KIND,
                m.Attachment.internal.is_(False), m.Attachment.media_type.in_(_PRINTED_TYPES))
            .order_by(m.Attachment.added_at, m.Attachment.id)):
        first.setdefault(request_id, sha256)
    if not first:
        return {}
    folder = PhotoFolder.beside(session.get_bind().url.database or "")
    photos = {}
    for request_id, sha256 in first.items():
        content = folder.read(sha256)
        small = _small_jpeg(content) if content else None
        if small is not None:
            photos[request_id] = small
    return photos


_PERSIAN_ALPHABET = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
_PERSIAN_ORDER = str.maketrans({ch: chr(0xE000 + i) for i, ch in enumerate(_PERSIAN_ALPHABET)})


def _persian_sort_key(text: str) -> str:
    """Persian alphabetical order: Unicode puts پ چ ژ گ after the Arabic letters."""
    return text.translate(_PERSIAN_ORDER)


def crew_day_ids(session: Session, crew_id: uuid.UUID, day: dt.date) -> list[uuid.UUID]:
    """The requests on the crew's sheet for ``day``: its open work (assigned or in
    progress).  Work assigned after ``day`` is not on that day's sheet; anything
    assigned on or before it and still open is, however old (overdue work is the
    most urgent).  ``ServiceError('unknown_crew')`` for a crew this office lacks."""
    _crew(session, crew_id)
    day_end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), TEHRAN)
    return list(session.scalars(
        sa.select(m.ServiceRequest.id).where(
            m.ServiceRequest.crew_id == crew_id,
            m.ServiceRequest.status.in_([s.value for s in CREW_OPEN_STATUSES]),
            sa.or_(m.ServiceRequest.assigned_at.is_(None), m.ServiceRequest.assigned_at < day_end),
        )
    ))


def in_route_order(items: Iterable[WorkOrderData]) -> list[WorkOrderData]:
    """A day sheet's order: by neighbourhood, then by target date, so the crew
    finishes one neighbourhood before driving to the next and meets the earliest
    deadlines first."""
    return sorted(items, key=lambda i: (
        not i.neighbourhood_fa,  # requests without a neighbourhood go last
        _persian_sort_key(i.neighbourhood_fa),
        i.target_date or dt.date.max,
        i.received_at,
        i.tracking_code,
    ))


def load_crew_day(session: Session, crew_id: uuid.UUID, day: dt.date) -> list[WorkOrderData]:
    """The crew's open work on ``day`` (:func:`crew_day_ids`), in route order
    (:func:`in_route_order`)."""
    return in_route_order(load_work_orders(session, crew_day_ids(session, crew_id, day)))


def _crew(session: Session, crew_id: uuid.UUID) -> m.Crew:
    crew = session.get(m.Crew, crew_id)
    if crew is None:
        raise ServiceError("unknown_crew", f"no such crew: {crew_id}", crew_id=crew_id)
    return crew


def load_day_sheet_cover(session: Session, crew_id: uuid.UUID, day: dt.date) -> DaySheetCover:
    """The cover of ``crew_id``'s sheet for ``day`` (``ServiceError('unknown_crew')``
    for a crew this office does not have)."""
    crew = _crew(session, crew_id)
    ref = WorkOrderReference.read(session)
    return DaySheetCover(
        crew_name=crew.name, supervisor=crew.supervisor,
        region_fa=ref.name(ref.regions, ref.district_region.get(crew.district_code)),
        district_fa=ref.name(ref.districts, crew.district_code), day=day,
    )
