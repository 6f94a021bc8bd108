"""Work orders (دستور کار): the paper a field crew takes into the truck.

One request per page (a very long description continues on a second page rather
than being cut), and the crew day sheet: a cover listing a crew's open work in
route order, then one work order per request.  The page carries everything the
crew needs on the street — what, where, who asked, by when — and a completion
block the crew fills by hand, in the lifecycle's own words, so that the clerk
can type the outcome straight back in.

The module is split so that the window stays responsive and the tests stay
honest: :func:`load_work_orders` / :func:`load_crew_day` turn database rows into
plain :class:`WorkOrderData` (names resolved, nothing lazy), the renderer only
draws DTOs, and :func:`write_atomically` puts a file in place only once it is
complete.  Issuing (print, then record "work order issued") is a use case:
:mod:`desktop_app.services.printing`.

Speed (500 pages under 5 s, one page under 300 ms): pages are drawn straight on
the ReportLab canvas with a small row-based layout instead of Platypus; every
string is shaped once (:func:`desktop_app.reports.persian.visual` is cached, and
the labels repeat on every page) and a page's text goes into one PDF text
object; what is the same on many pages (header, footer, the completion block) is
drawn once as a PDF form and referenced; the QR code is a filled path from
segno's matrix (:mod:`desktop_app.reports.qr`).
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

import sqlalchemy as sa
from reportlab import rl_config
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4, A5
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject
from sqlalchemy.orm import Session

from desktop_app.reports.persian import FONT, FONT_BOLD, fa, register_fonts, visual, wrap
from desktop_app.reports.qr import draw_qr
from desktop_app.errors import ServiceError
from desktop_app.store import models as m
from desktop_app.store.reference import Lookup
from sync.dates import (
    TEHRAN,
    format_jalali_date,
    format_jalali_datetime,
    format_jalali_long,
    jalali,
    to_tehran,
    utcnow,
)
from sync.text import to_latin_digits
from sync.workflow import STATUS_LABELS_FA, EventKind, Status

MUNICIPALITY = "شهرداری کاشان"
SERVICE = "سامانه مدیریت شهری ۱۳۷"
TITLE = "دستور کار"
DAY_SHEET_TITLE = "برگه کار روزانه اکیپ"
NO_OPEN_WORK = "این اکیپ کار باز ندارد."

#: Office setting (JSON bool, default false): may the citizen's phone be printed?
#: Paper travels; a phone number on it is personal data leaving the office.
SHOW_PHONE_SETTING = "workorder_show_phone"

#: The statuses a crew is working on: what a day sheet lists.
CREW_OPEN_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS)

PAGE_SIZES = ("A4", "A5")

#: The actor of ``daftar workorders``: printing is a supervisor's job.

_WEEKDAYS_FA = ("شنبه", "یک‌شنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنج‌شنبه", "جمعه")
_DASH = "—"
_GREY = Color(0.9, 0.9, 0.9)
_MID_GREY = Color(0.45, 0.45, 0.45)


# =================================================================== the data


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

    @property
    def priority_fa(self) -> str:
        """Urgency in words, from the category's target days (garbage: one day)."""
        if self.target_days is None:
            return _DASH
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


def _history_text(event: m.Event, lookup: Lookup) -> str:
    kind = event.kind
    note = f": {event.note}" if event.note else ""
    if kind == EventKind.CREATED:
        return "ثبت درخواست"
    if kind == EventKind.STATUS and event.to_status:
        text = f"وضعیت: {STATUS_LABELS_FA[Status(event.to_status)]}"
        if event.reason:
            text += f" ({lookup.reasons.get(event.reason, (event.reason, ''))[0]})"
        return text + note
    if kind == EventKind.ASSIGNED:
        return f"واگذاری به {event.data.get('crew_name') or _DASH}"
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
               lookup: Lookup) -> dict[uuid.UUID, list[HistoryLine]]:
    when = sa.func.coalesce(m.Event.server_time, m.Event.client_time)
    rows = session.execute(
        sa.select(m.Event, when).where(m.Event.request_id.in_(ids)).order_by(when, m.Event.id)
    ).all()
    out: dict[uuid.UUID, list[HistoryLine]] = {i: [] for i in ids}
    for event, at in rows:
        if at is not None:
            out[event.request_id].append(HistoryLine(at, _history_text(event, lookup)))
    return out


def _target_date(received_at: dt.datetime, days: int | None) -> dt.date | None:
    """The day the work is due: ``days`` after the Tehran day it came in."""
    if days is None:
        return None
    return to_tehran(received_at).date() + dt.timedelta(days=days)


@dataclass(frozen=True)
class _Context:
    """What every work order of one load shares: names, settings, reasons."""

    lookup: Lookup
    target_days: dict[str, int]
    district_region: dict[str, int]
    phone_allowed: bool
    reasons: tuple[str, ...]

    @classmethod
    def read(cls, session: Session) -> _Context:
        # Lookup.target_days / .district_region call dict() on a Result, which
        # SQLAlchemy 2.1 refuses (a Result has .keys()); read the pairs here.
        def pairs(key: sa.ColumnElement[Any], value: sa.ColumnElement[Any]) -> dict[Any, Any]:
            return {k: v for k, v in session.execute(sa.select(key, value))}

        lookup = Lookup(session)
        return cls(lookup, pairs(m.Category.code, m.Category.target_days),
                   pairs(m.District.code, m.District.region_number), show_phone(session),
                   tuple(name_fa for name_fa, _ in lookup.reasons.values()))

    def name(self, table: dict[object, tuple[str, str]], code: object) -> str:
        return table[code][0] if code in table else ""


def _to_data(request: m.ServiceRequest, crew: m.Crew | None, history: list[HistoryLine],
             ctx: _Context) -> WorkOrderData:
    lookup = ctx.lookup
    days = ctx.target_days.get(request.category_code)
    shown = history[-HISTORY_LIMIT:]
    return WorkOrderData(
        request_id=request.id,
        tracking_code=request.tracking_code,
        status_fa=STATUS_LABELS_FA[Status(request.status)],
        region_fa=ctx.name(lookup.regions, ctx.district_region.get(request.district_code)),
        district_fa=ctx.name(lookup.districts, request.district_code),
        category_fa=ctx.name(lookup.categories, request.category_code),
        channel_fa=ctx.name(lookup.channels, request.channel),
        received_at=request.received_at,
        target_days=days,
        target_date=_target_date(request.received_at, days),
        description=request.description or "",
        neighbourhood_fa=ctx.name(lookup.neighbourhoods, request.neighbourhood_code),
        address=request.address or "",
        latitude=request.latitude,
        longitude=request.longitude,
        citizen_name=request.citizen_name or "",
        citizen_phone=request.citizen_phone if ctx.phone_allowed else None,
        crew_name=crew.name if crew else "",
        crew_supervisor=crew.supervisor if crew else "",
        assigned_at=request.assigned_at,
        history=tuple(shown),
        earlier_history=len(history) - len(shown),
        reasons=ctx.reasons,
    )


def _load(session: Session, requests: Sequence[m.ServiceRequest]) -> list[WorkOrderData]:
    ctx = _Context.read(session)
    ids = [r.id for r in requests]
    crew_ids = {r.crew_id for r in requests if r.crew_id}
    crews = {c.id: c for c in session.scalars(sa.select(m.Crew).where(m.Crew.id.in_(crew_ids)))}
    histories = _histories(session, ids, ctx.lookup)
    return [_to_data(r, crews.get(r.crew_id) if r.crew_id else None, histories[r.id], ctx)
            for r in requests]


def load_work_orders(session: Session, request_ids: Iterable[uuid.UUID]) -> list[WorkOrderData]:
    """The work orders of ``request_ids``, in the order given (a repeated id once).

    Raises ``ServiceError('unknown_request')`` when an id is not in this office."""
    ids = list(dict.fromkeys(request_ids))
    rows = session.scalars(sa.select(m.ServiceRequest).where(m.ServiceRequest.id.in_(ids))).all()
    found = {r.id: r for r in rows}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ServiceError("unknown_request", f"no such request: {missing[0]}", id=missing[0])
    return _load(session, [found[i] for i in ids])


_PERSIAN_ALPHABET = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
_PERSIAN_ORDER = str.maketrans({ch: chr(0xE000 + i) for i, ch in enumerate(_PERSIAN_ALPHABET)})


def _persian_sort_key(text: str) -> str:
    """Persian alphabetical order: Unicode puts پ چ ژ گ after the Arabic letters."""
    return text.translate(_PERSIAN_ORDER)


def load_crew_day(session: Session, crew_id: uuid.UUID, day: dt.date) -> list[WorkOrderData]:
    """The crew's open work (assigned or in progress) on ``day``, in route order:
    by neighbourhood, then by target date, so the crew finishes one
    neighbourhood before driving to the next and meets the earliest deadlines first.

    Work assigned after ``day`` is not on that day's sheet; anything assigned on
    or before it and still open is, however old (overdue work is the most urgent)."""
    _crew(session, crew_id)
    day_end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), TEHRAN)
    requests = session.scalars(
        sa.select(m.ServiceRequest).where(
            m.ServiceRequest.crew_id == crew_id,
            m.ServiceRequest.status.in_([s.value for s in CREW_OPEN_STATUSES]),
            sa.or_(m.ServiceRequest.assigned_at.is_(None), m.ServiceRequest.assigned_at < day_end),
        )
    ).all()
    items = _load(session, requests)
    items.sort(key=lambda i: (
        not i.neighbourhood_fa,  # requests without a neighbourhood go last
        _persian_sort_key(i.neighbourhood_fa),
        i.target_date or dt.date.max,
        i.received_at,
        i.tracking_code,
    ))
    return items


def _crew(session: Session, crew_id: uuid.UUID) -> m.Crew:
    crew = session.get(m.Crew, crew_id)
    if crew is None:
        raise ServiceError("unknown_crew", f"no such crew: {crew_id}", crew_id=crew_id)
    return crew


def load_day_sheet_cover(session: Session, crew_id: uuid.UUID, day: dt.date) -> DaySheetCover:
    """The cover of ``crew_id``'s sheet for ``day`` (``ServiceError('unknown_crew')``
    for a crew this office does not have)."""
    crew = _crew(session, crew_id)
    ctx = _Context.read(session)
    return DaySheetCover(
        crew_name=crew.name, supervisor=crew.supervisor,
        region_fa=ctx.name(ctx.lookup.regions, ctx.district_region.get(crew.district_code)),
        district_fa=ctx.name(ctx.lookup.districts, crew.district_code), day=day,
    )


# ================================================================ drawing


@dataclass(frozen=True)
class _Metrics:
    """Sizes for one paper size.  A5 is not a scaled A4: text shrinks less than
    the page (it must stay readable in a truck), so A5 has fewer ruled lines and
    continues to a second page sooner."""

    width: float
    height: float
    margin: float
    body: float
    small: float
    heading: float
    title: float
    leading: float
    qr: float
    header: float
    footer: float
    #: Handwriting needs room whatever the paper: the gap between ruled lines.
    ruled: float
    work_lines: int
    material_rows: int
    #: History entries shown; older ones are counted in one line.
    history: int


_METRICS = {
    "A4": _Metrics(*A4, margin=30, body=9.5, small=7.5, heading=10.5, title=20, leading=14.5,
                   qr=72, header=96, footer=18, ruled=21, work_lines=3, material_rows=3,
                   history=6),
    "A5": _Metrics(*A5, margin=20, body=8, small=6.5, heading=8.5, title=15, leading=12,
                   qr=56, header=74, footer=14, ruled=16.5, work_lines=2, material_rows=2,
                   history=3),
}


@dataclass
class _Row:
    """A horizontal slice of a page: the unit of pagination."""

    height: float
    draw: Callable[[float], None]  # called with the y of the row's top edge
    #: A heading must not end a page with its content on the next.
    keep_with_next: bool = False


@dataclass
class _Block:
    """Something drawn at a fixed place (the completion block at the page foot)."""

    height: float
    draw: Callable[[], None]


@lru_cache(maxsize=16384)
def _shown_width(shown: str, font: str, size: float) -> float:
    """The width of a painted (visual) string: labels are measured on every page."""
    return stringWidth(shown, font, size)


def _width(text: str, font: str, size: float) -> float:
    """The width of logical-order ``text`` once painted."""
    return _shown_width(visual(text), font, size)


class _Sheet:
    """Drawing primitives for one PDF: right-to-left text placed by its right edge,
    rules, boxes, and "stamps" — what is the same on many pages (the page frame,
    the completion block) is drawn once into a PDF form and reused by reference.

    Text is gathered into one PDF text object per page and painted when the page
    ends, over the page's shapes (grey bands, boxes).  Every string goes through
    :func:`visual` (cached), and is measured once per (string, font, size)."""

    def __init__(self, canvas: Canvas, metrics: _Metrics, printed_at: dt.datetime,
                 work_day: dt.date):
        self.c = canvas
        self.m = metrics
        self.printed_fa = format_jalali_datetime(printed_at)
        #: The day the work is for: what "overdue" is measured against.
        self.work_day = work_day
        self.right = metrics.width - metrics.margin
        self.left = metrics.margin
        self.content = self.right - self.left
        self.gap = metrics.body * 0.5
        self._text: PDFTextObject | None = None
        self._style: tuple[str, float, Color] | None = None
        self._stamps: dict[tuple[object, ...], str] = {}

    # ---------------------------------------------------------------- text

    def text(self, x: float, y: float, text: str, *, font: str = FONT, size: float | None = None,
             align: str = "right", color: Color = black) -> None:
        size = size or self.m.body
        shown = visual(text)
        if align == "right":
            x -= _shown_width(shown, font, size)
        elif align == "centre":
            x -= _shown_width(shown, font, size) / 2
        if self._text is None:
            self._text = self.c.beginText()
            self._style = None
        if self._style != (font, size, color):
            if self._style is None or self._style[:2] != (font, size):
                self._text.setFont(font, size)
            if self._style is None or self._style[2] != color:
                self._text.setFillColor(color)
            self._style = (font, size, color)
        self._text.setTextOrigin(x, y)
        self._text.textOut(shown)

    def flush(self) -> None:
        """Paint the text gathered so far."""
        if self._text is not None:
            self.c.drawText(self._text)
            self._text = None

    def end_page(self) -> None:
        self.flush()
        self.c.showPage()

    def stamp(self, key: tuple[object, ...], draw: Callable[[], None]) -> None:
        """Draw what ``draw`` draws; the first time for a ``key`` into a PDF form,
        every later time as a reference to it (a few bytes instead of the
        drawing).  ``key`` must name everything ``draw`` depends on."""
        name = self._stamps.get(key)
        if name is None:
            name = self._stamps[key] = f"Stamp{len(self._stamps)}"
            self.flush()
            self.c.beginForm(name)
            draw()
            self.flush()
            self.c.endForm()
        self.c.doForm(name)

    def baseline(self, y_top: float, size: float | None = None) -> float:
        """The baseline of a line of text in a slot of one leading below ``y_top``."""
        return y_top - 0.5 * self.m.leading - 0.3 * (size or self.m.body)

    def fit(self, text: str, max_width: float, font: str = FONT, size: float | None = None) -> str:
        """``text`` on one line, cut with an ellipsis if it is wider than ``max_width``
        (for table cells and history lines; the full text is elsewhere on paper)."""
        size = size or self.m.body
        if _width(text, font, size) <= max_width:
            return text
        return wrap(text, font, size, max_width - _width("…", font, size))[0].rstrip() + "…"

    # --------------------------------------------------------------- shapes

    def hline(self, x1: float, x2: float, y: float, line_width: float = 0.5,
              color: Color = black) -> None:
        self.c.setStrokeColor(color)
        self.c.setLineWidth(line_width)
        self.c.line(x1, y, x2, y)

    def box(self, x: float, y: float, w: float, h: float, *, fill: Color | None = None,
            line_width: float = 0.6) -> None:
        self.c.setLineWidth(line_width)
        self.c.setStrokeColor(black)
        if fill is not None:
            self.c.setFillColor(fill)
        self.c.rect(x, y, w, h, stroke=1 if line_width else 0, fill=1 if fill is not None else 0)

    def tick_box(self, x_right: float, y: float) -> None:
        """An empty square to tick, right edge at ``x_right``, sitting on baseline ``y``."""
        side = self.m.body * 0.95
        self.box(x_right - side, y - 1, side, side, line_width=0.8)

    # -------------------------------------------------------------- rows

    def section(self, title: str) -> _Row:
        height = self.m.heading * 2.0

        def draw(y: float) -> None:
            self.box(self.left, y - height + 2, self.content, height - 4, fill=_GREY, line_width=0)
            self.text(self.right - self.gap, y - height / 2 - self.m.heading * 0.3, title,
                      font=FONT_BOLD, size=self.m.heading)

        return _Row(height, draw, keep_with_next=True)

    def label_width(self, label: str) -> float:
        return _width(label, FONT_BOLD, self.m.body) + self.gap

    def fields(self, *cells: tuple[str, str]) -> _Row:
        """One row of "label: value" cells side by side; a long value wraps
        inside its cell and the row grows, nothing is cut."""
        count = len(cells)
        column = (self.content - self.gap * 2 * (count - 1)) / count
        laid = []
        for index, (label, value) in enumerate(cells):
            x_right = self.right - index * (column + self.gap * 2)
            label_w = self.label_width(label)
            lines = wrap(value or _DASH, FONT, self.m.body, column - label_w)
            laid.append((x_right, label, label_w, lines))
        height = max(len(lines) for *_, lines in laid) * self.m.leading

        def draw(y: float) -> None:
            for x_right, label, label_w, lines in laid:
                base = self.baseline(y)
                self.text(x_right, base, label, font=FONT_BOLD)
                for line in lines:
                    self.text(x_right - label_w, base, line)
                    base -= self.m.leading

        return _Row(height, draw)

    def paragraph(self, label: str, text: str) -> list[_Row]:
        """A labelled paragraph as one row per line, so that a long one can
        continue on the next page in reading order."""
        label_w = self.label_width(label)
        lines = wrap(text or _DASH, FONT, self.m.body, self.content - label_w)
        rows = []
        for index, line in enumerate(lines):
            def draw(y: float, line: str = line, first: bool = index == 0) -> None:
                base = self.baseline(y)
                if first:
                    self.text(self.right, base, label, font=FONT_BOLD)
                self.text(self.right - label_w, base, line)

            rows.append(_Row(self.m.leading, draw))
        return rows

    def history(self, item: WorkOrderData) -> list[_Row]:
        label = "سابقه:"
        label_w = self.label_width(label)
        date_w = _width("۱۴۰۵/۰۱/۰۱ ۰۰:۰۰", FONT, self.m.small) + self.gap * 2
        text_w = self.content - label_w - date_w
        shown = item.history[-self.m.history:]
        earlier = item.earlier_history + len(item.history) - len(shown)
        entries: list[tuple[str, str]] = []
        if earlier:
            entries.append(("", f"… و {fa(earlier)} رویداد پیش‌تر"))
        entries += [(format_jalali_datetime(h.at), self.fit(h.text, text_w)) for h in shown]
        if not entries:
            entries.append(("", _DASH))
        rows = []
        for index, (when, what) in enumerate(entries):
            def draw(y: float, when: str = when, what: str = what,
                     first: bool = index == 0) -> None:
                base = self.baseline(y)
                if first:
                    self.text(self.right, base, label, font=FONT_BOLD)
                x = self.right - label_w
                self.text(x, base, when, size=self.m.small, color=_MID_GREY)
                self.text(x - date_w, base, what)

            rows.append(_Row(self.m.leading, draw))
        return rows

    # ------------------------------------------------------- page furniture

    def left_slot(self, index: int) -> tuple[float, float]:
        """Baselines of the label and the value of the ``index``-th entry of the
        header's left-hand block."""
        label = self.m.height - self.m.margin - self.m.small * 1.6 - index * self.m.heading * 3.0
        return label, label - self.m.heading * 1.6

    def frame(self, title: str, subtitle: str, region_fa: str, district_fa: str,
              left_x: float, left: tuple[tuple[str, str], ...]) -> None:
        """What every page of a kind shows in the same place: the header
        (municipality, region and district, title; ``left``: label and value
        pairs at ``left_x``) and the footer's rule and line.  Stamped."""
        m = self.m

        def draw() -> None:
            top = m.height - m.margin
            self.text(self.right, top - m.heading * 1.2, MUNICIPALITY, font=FONT_BOLD,
                      size=m.heading * 1.25)
            self.text(self.right, top - m.heading * 2.6, SERVICE, size=m.small)
            where = "، ".join(p for p in (region_fa, district_fa) if p) or _DASH
            self.text(self.right, top - m.heading * 4.0, where)
            centre = m.width / 2
            self.text(centre, top - m.title, title, font=FONT_BOLD, size=m.title, align="centre")
            self.text(centre, top - m.title - m.heading * 1.7, subtitle, font=FONT_BOLD,
                      size=m.heading, align="centre")
            for index, (label, value) in enumerate(left):
                label_y, value_y = self.left_slot(index)
                self.text(left_x, label_y, label, size=m.small, align="left", color=_MID_GREY)
                if value and index == 0:
                    self.text(left_x, value_y, value, font=FONT_BOLD, size=m.heading, align="left")
                elif value:
                    self.text(left_x, label_y - m.small * 1.6, value, size=m.small, align="left")
            self.hline(self.left, self.right, top - m.header + m.body * 0.6, line_width=1.2)
            self.hline(self.left, self.right, m.margin + m.footer - m.small * 1.2,
                       line_width=0.4, color=_MID_GREY)
            self.text(self.right, self.footer_y, f"{MUNICIPALITY} — {SERVICE}", size=m.small,
                      color=_MID_GREY)

        self.stamp(("frame", title, subtitle, region_fa, district_fa, left_x, left), draw)

    @property
    def footer_y(self) -> float:
        return self.m.margin - self.m.small * 0.2

    def footer(self, left_text: str, page: int, pages: int) -> None:
        """The footer's changing part: page number and the left-hand note."""
        m = self.m
        self.text(m.width / 2, self.footer_y, f"صفحه {fa(page)} از {fa(pages)}", size=m.small,
                  color=_MID_GREY, align="centre")
        self.text(self.left, self.footer_y, left_text, size=m.small, color=_MID_GREY,
                  align="left")

    @property
    def body_top(self) -> float:
        return self.m.height - self.m.margin - self.m.header

    @property
    def body_bottom(self) -> float:
        return self.m.margin + self.m.footer

    def paginate(self, rows: list[_Row], reserve_last: float = 0.0,
                 repeat: _Row | None = None) -> list[list[_Row]]:
        """Rows into pages.  The last page keeps ``reserve_last`` points free at
        its foot (the completion block); ``repeat`` (a table header) opens every
        page after the first."""
        avail = self.body_top - self.body_bottom
        pages: list[list[_Row]] = [[]]
        used = 0.0
        for index, row in enumerate(rows):
            need = row.height
            if row.keep_with_next and index + 1 < len(rows):
                need += rows[index + 1].height
            if pages[-1] and used + need > avail:
                pages.append([repeat] if repeat else [])
                used = repeat.height if repeat else 0.0
            pages[-1].append(row)
            used += row.height
        if used + reserve_last > avail:
            pages[-1:] = self._split_for(pages[-1], avail - reserve_last)
        return pages

    @staticmethod
    def _split_for(rows: list[_Row], room: float) -> list[list[_Row]]:
        """The reserved block needs a new page: take whole sections from the end
        of ``rows`` along — as many as fit in ``room`` above it — so the block
        does not stand alone on its sheet; failing that, as many trailing rows
        as fit, never leaving a heading behind without its rows."""
        def tail(split: int) -> float:
            return sum(row.height for row in rows[split:])

        sections = [k for k in range(1, len(rows)) if rows[k].keep_with_next and tail(k) <= room]
        if sections:
            split = sections[0]
        else:
            split = len(rows)
            while split > 1 and tail(split - 1) <= room:
                split -= 1
            while split < len(rows) and rows[split - 1].keep_with_next:
                split += 1
        return [rows[:split], rows[split:]]

    def draw_rows(self, rows: Iterable[_Row]) -> None:
        y = self.body_top
        for row in rows:
            row.draw(y)
            y -= row.height


# ---------------------------------------------------------------- work order


def _coordinates(item: WorkOrderData) -> str:
    if item.latitude is None or item.longitude is None:
        return ""
    return fa(f"{item.latitude:.5f}، {item.longitude:.5f}")


def _target(item: WorkOrderData, work_day: dt.date) -> str:
    if item.target_date is None or item.target_days is None:
        return ""
    text = f"{fa(item.target_days)} روز، تا {format_jalali_date(item.target_date)}"
    if item.target_date < work_day:
        text += " (گذشته از مهلت)"
    return text


def _body_rows(sheet: _Sheet, item: WorkOrderData) -> list[_Row]:
    rows: list[_Row] = [
        sheet.section("درخواست"),
        sheet.fields(("موضوع:", item.category_fa), ("کانال:", item.channel_fa)),
        sheet.fields(("زمان دریافت:", format_jalali_datetime(item.received_at)),
                     ("وضعیت:", item.status_fa)),
        sheet.fields(("مهلت انجام:", _target(item, sheet.work_day)), ("اولویت:", item.priority_fa)),
        *sheet.paragraph("شرح درخواست:", item.description),
        sheet.section("محل و شهروند"),
        sheet.fields(("محله:", item.neighbourhood_fa), ("مختصات:", _coordinates(item))),
        *sheet.paragraph("نشانی:", item.address),
    ]
    if item.citizen_phone is not None:
        rows.append(sheet.fields(("شهروند:", item.citizen_name),
                                 ("تلفن:", fa(item.citizen_phone))))
    else:
        rows.append(sheet.fields(("شهروند:", item.citizen_name)))
    rows += [
        sheet.section("واگذاری"),
        sheet.fields(("اکیپ:", item.crew_name), ("سرپرست:", item.crew_supervisor)),
        sheet.fields(("تاریخ واگذاری:",
                      format_jalali_datetime(item.assigned_at) if item.assigned_at else "")),
        *sheet.history(item),
    ]
    return rows


def _completion(sheet: _Sheet, item: WorkOrderData) -> _Block:
    """The part the crew fills by hand: times, work done, the outcome in the
    lifecycle's words (done / not actionable and why), materials, signatures."""
    m = sheet.m
    pad = sheet.gap * 1.5
    right, left = sheet.right - pad, sheet.left + pad
    band = m.heading * 2.0
    box_side = m.body * 0.95

    # The outcome line flows right to left and wraps: lay it out first, it
    # decides the block's height.
    done_label = STATUS_LABELS_FA[Status.DONE]
    not_label = STATUS_LABELS_FA[Status.NOT_ACTIONABLE]
    outcome_label = "نتیجه:"
    start = right - sheet.label_width(outcome_label)
    choices = [(done_label, FONT_BOLD), (not_label + "، به علت:", FONT_BOLD)]
    choices += [(reason, FONT) for reason in item.reasons]
    choices.append(("سایر", FONT))
    placed: list[tuple[int, float, str, str]] = []  # (line, x_right, text, font)
    line, x = 0, start
    for text, font in choices:
        need = box_side + m.body * 0.4 + _width(text, font, m.body) + m.body * 1.4
        if x - need < left and x != start:
            line, x = line + 1, start
        placed.append((line, x, text, font))
        x -= need
    outcome_lines = line + 1

    rows_h = m.ruled
    height = (band + pad + m.ruled  # title, times
              + m.ruled * m.work_lines  # work done
              + m.ruled * outcome_lines + m.ruled  # outcome, its explanation
              + m.leading + rows_h * (m.material_rows + 1)  # materials table
              + m.ruled * 2.6 + pad)  # signatures

    def draw() -> None:
        c = sheet.c
        top = sheet.body_bottom + height
        sheet.box(sheet.left, top - height, sheet.content, height, line_width=1.0)
        sheet.box(sheet.left, top - band, sheet.content, band, fill=_GREY, line_width=1.0)
        sheet.text(sheet.right - sheet.gap, top - band / 2 - m.heading * 0.3,
                   "گزارش اکیپ (با دست تکمیل شود)", font=FONT_BOLD, size=m.heading)
        y = top - band - pad - m.ruled + m.body * 0.5

        # Date and times, each a label and a blank to write on.
        x = right
        for label, blank in (("تاریخ مراجعه:", m.body * 9), ("ساعت رسیدن:", m.body * 6),
                             ("ساعت پایان:", m.body * 6)):
            sheet.text(x, y, label, font=FONT_BOLD)
            x -= sheet.label_width(label)
            sheet.hline(x - blank, x, y - 2, color=_MID_GREY)
            x -= blank + m.body * 2
        y -= m.ruled

        # Work done: ruled lines.
        label = "کار انجام شده:"
        sheet.text(right, y, label, font=FONT_BOLD)
        line_from = right - sheet.label_width(label)
        for _ in range(m.work_lines):
            sheet.hline(left, line_from, y - 2, color=_MID_GREY)
            line_from = right
            y -= m.ruled

        # Outcome tick-boxes.
        sheet.text(right, y, outcome_label, font=FONT_BOLD)
        for line_no, x_right, text, font in placed:
            base = y - line_no * m.ruled
            sheet.tick_box(x_right, base)
            sheet.text(x_right - box_side - m.body * 0.4, base, text, font=font)
        y -= m.ruled * outcome_lines
        label = "توضیح:"
        sheet.text(right, y, label, font=FONT_BOLD)
        sheet.hline(left, right - sheet.label_width(label), y - 2, color=_MID_GREY)
        y -= m.leading

        # Materials: a small table, right to left: row, description, amount, unit.
        y -= m.body * 0.2
        sheet.text(right, y, "مصالح و تجهیزات مصرفی:", font=FONT_BOLD)
        y -= m.body * 0.6
        widths = (m.body * 3, 0.0, m.body * 8, m.body * 8)
        flexible = (right - left) - sum(widths)
        columns = [w or flexible for w in widths]
        table_top = y
        for row in range(m.material_rows + 1):
            row_top = table_top - row * rows_h
            if row == 0:
                sheet.box(left, row_top - rows_h, right - left, rows_h, fill=_GREY, line_width=0.5)
            x = right
            for col, col_w in enumerate(columns):
                if row == 0:
                    heading = ("ردیف", "شرح", "مقدار", "واحد")[col]
                    sheet.text(x - col_w / 2, row_top - rows_h / 2 - m.body * 0.3, heading,
                               font=FONT_BOLD, size=m.small + 0.5, align="centre")
                elif col == 0:
                    sheet.text(x - col_w / 2, row_top - rows_h / 2 - m.body * 0.3, fa(row),
                               size=m.small + 0.5, align="centre", color=_MID_GREY)
                x -= col_w
        c.setLineWidth(0.5)
        c.setStrokeColor(black)
        table_bottom = table_top - rows_h * (m.material_rows + 1)
        c.rect(left, table_bottom, right - left, table_top - table_bottom)
        for row in range(1, m.material_rows + 1):
            c.line(left, table_top - row * rows_h, right, table_top - row * rows_h)
        x = right
        for col_w in columns[:-1]:
            x -= col_w
            c.line(x, table_bottom, x, table_top)
        y = table_bottom - m.body * 0.4

        # Signatures: the crew, and the supervisor who checks the work.
        half = (right - left - sheet.gap * 2) / 2
        sig_h = y - (top - height + pad)
        for index, (label, name) in enumerate((
            ("امضای اکیپ:", item.crew_name),
            ("امضای سرپرست:", item.crew_supervisor),
        )):
            x_right = right - index * (half + sheet.gap * 2)
            sheet.box(x_right - half, y - sig_h, half, sig_h, line_width=0.5)
            base = y - m.leading * 0.9
            sheet.text(x_right - sheet.gap, base, label, font=FONT_BOLD)
            if name:
                sheet.text(x_right - sheet.gap - sheet.label_width(label), base, name,
                           color=_MID_GREY)

    # The block is the same on every page with the same crew: drawn once.
    key = ("completion", item.reasons, item.crew_name, item.crew_supervisor)
    return _Block(height, lambda: sheet.stamp(key, draw))


def _work_order_pages(sheet: _Sheet, item: WorkOrderData) -> None:
    m = sheet.m
    code_latin = to_latin_digits(item.tracking_code)

    top = m.height - m.margin
    left_x = sheet.left + m.qr + sheet.gap
    left = (("کد پیگیری", ""), ("زمان چاپ", sheet.printed_fa))
    completion = _completion(sheet, item)
    pages = sheet.paginate(_body_rows(sheet, item), reserve_last=completion.height)
    for number, rows in enumerate(pages, start=1):
        # Every page carries the code and its QR: a loose sheet still scans back.
        subtitle = "سامانه ۱۳۷" if number == 1 else f"ادامه، صفحه {fa(number)}"
        sheet.frame(TITLE, subtitle, item.region_fa, item.district_fa, left_x, left)
        draw_qr(sheet.c, sheet.left, top - m.qr, m.qr, code_latin)
        sheet.text(sheet.left + m.qr / 2, top - m.qr - m.small * 1.1, code_latin, size=m.small,
                   align="centre")
        sheet.text(left_x, sheet.left_slot(0)[1], fa(item.tracking_code), font=FONT_BOLD,
                   size=m.heading * 1.3, align="left")
        sheet.draw_rows(rows)
        if number == len(pages):
            completion.draw()
        sheet.footer(f"کد پیگیری {fa(item.tracking_code)}", number, len(pages))
        sheet.end_page()


# ----------------------------------------------------------------- day sheet


def _cover_pages(sheet: _Sheet, cover: DaySheetCover, items: Sequence[WorkOrderData]) -> None:
    m = sheet.m
    day_j = jalali(cover.day)
    day_text = f"{_WEEKDAYS_FA[day_j.weekday()]} {format_jalali_long(cover.day)}"

    left = (("روز کار", day_text), ("زمان چاپ", sheet.printed_fa))

    # One line per request; overdue target dates are bold and starred.
    lines = []
    for number, item in enumerate(items, start=1):
        overdue = item.target_date is not None and item.target_date < sheet.work_day
        target = format_jalali_date(item.target_date) if item.target_date else _DASH
        lines.append([
            (fa(number), FONT), (fa(item.tracking_code), FONT),
            (item.neighbourhood_fa or _DASH, FONT), (item.category_fa, FONT),
            (item.address or _DASH, FONT), (target + "*", FONT_BOLD) if overdue else (target, FONT),
        ])
    overdue_count = sum(1 for line in lines if line[-1][1] == FONT_BOLD)
    rows: list[_Row] = [sheet.fields(
        ("سرپرست:", cover.supervisor), ("کارهای باز:", fa(len(items))),
        ("گذشته از مهلت (*):", fa(overdue_count)),
    )]

    # Right to left: row, code, neighbourhood, category, address, target date,
    # a box to tick.  Short columns take what their widest text needs, the
    # address takes the rest: on A5 it is the address that gets cut, not the date.
    headings = ("ردیف", "کد پیگیری", "محله", "موضوع", "نشانی", "مهلت", "انجام")
    head_size = m.small + 1
    pad = sheet.gap * 2

    def natural(column: int) -> float:
        cells = [_width(line[column][0], line[column][1], m.body) for line in lines]
        return max([_width(headings[column], FONT_BOLD, head_size), *cells]) + pad

    columns = [natural(c) for c in range(6)] + [_width(headings[6], FONT_BOLD, head_size) + pad]
    rest = sheet.content - sum(columns[i] for i in (0, 1, 5, 6))
    columns[2] = min(columns[2], rest * 0.28)
    columns[3] = min(columns[3], rest * 0.32)
    columns[4] = rest - columns[2] - columns[3]
    row_h = m.leading * 1.25

    def table_row(cells: Sequence[tuple[str, str]], *, fill: Color | None = None,
                  size: float = m.body, tick: bool = False) -> _Row:
        fitted = [(sheet.fit(text, w - pad, font, size), font)
                  for (text, font), w in zip(cells, columns, strict=False)]

        def draw(y: float) -> None:
            sheet.box(sheet.left, y - row_h, sheet.content, row_h, fill=fill, line_width=0.4)
            base = y - row_h / 2 - size * 0.3
            x = sheet.right
            for (text, font), col_w in zip(fitted, columns, strict=False):
                sheet.text(x - sheet.gap, base, text, font=font, size=size)
                x -= col_w
            if tick:  # centred in the last column, which has no text
                sheet.tick_box(sheet.left + columns[-1] / 2 + m.body * 0.475, base)

        return _Row(row_h, draw)

    header_row = table_row([(h, FONT_BOLD) for h in headings], fill=_GREY, size=head_size)
    header_row.keep_with_next = True
    if lines:
        rows.append(header_row)
        rows += [table_row(line, tick=True) for line in lines]
    else:
        def nothing(y: float) -> None:
            sheet.text(m.width / 2, y - m.leading * 2, NO_OPEN_WORK, font=FONT_BOLD,
                       size=m.heading * 1.2, align="centre")

        rows.append(_Row(m.leading * 3, nothing))

    pages = sheet.paginate(rows, repeat=header_row)
    for number, page_rows in enumerate(pages, start=1):
        sheet.frame(DAY_SHEET_TITLE, cover.crew_name, cover.region_fa, cover.district_fa,
                    sheet.left, left)
        sheet.draw_rows(page_rows)
        sheet.footer(f"{DAY_SHEET_TITLE}، {cover.crew_name}", number, len(pages))
        sheet.end_page()


# ------------------------------------------------------------------ public


@contextmanager
def _binary_streams() -> Iterator[None]:
    """ReportLab wraps compressed streams in ASCII85 by default (``useA85``): pure
    Python as slow as drawing the pages, and a quarter more bytes.  Every PDF
    reader takes binary streams; the setting is global, so it is put back."""
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


def render_work_orders(items: Sequence[WorkOrderData], out: Path | BinaryIO, *,
                       page_size: str = "A4", printed_at: dt.datetime | None = None,
                       cover: DaySheetCover | None = None) -> None:
    """Write one PDF: the day sheet's cover when ``cover`` is given, then one work
    order per item (one page each, more only for a text too long for one).

    The bundled font is embedded (subset), so the paper looks the same on any
    printer.  ``out`` may be a path or a binary stream (the window's preview)."""
    if page_size not in _METRICS:
        raise ValueError(f"page size must be one of {', '.join(PAGE_SIZES)}, not {page_size!r}")
    if not items and cover is None:
        raise ValueError("no work orders to print")
    register_fonts()
    metrics = _METRICS[page_size]
    target = str(out) if isinstance(out, Path) else out
    canvas = Canvas(target, pagesize=(metrics.width, metrics.height), pageCompression=1)
    canvas.setTitle(DAY_SHEET_TITLE if cover else TITLE)
    canvas.setAuthor(MUNICIPALITY)
    canvas.setCreator("Daftar")
    printed_at = printed_at or utcnow()
    # A day sheet is for its day (often printed the evening before); a single
    # work order for the day it is printed.
    work_day = cover.day if cover is not None else to_tehran(printed_at).date()
    sheet = _Sheet(canvas, metrics, printed_at, work_day)
    if cover is not None:
        _cover_pages(sheet, cover, items)
    for item in items:
        _work_order_pages(sheet, item)
    with _binary_streams():
        canvas.save()


def write_atomically(out: Path, render: Callable[[Path], None]) -> Path:
    """Render into a temporary file beside ``out`` and move it into place, so
    that ``out`` is either the whole PDF or untouched, never half a file."""
    out = Path(out)
    if not out.parent.is_dir():
        raise FileNotFoundError(f"no folder {out.parent}: create it, or write the PDF elsewhere")
    part = out.with_name(f".{out.name}.part")
    try:
        render(part)
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)
    return out
