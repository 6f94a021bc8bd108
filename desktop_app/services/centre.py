"""The 137 centre's desk: take a call, find its duplicates, verify, refer, move.

The centre's desk is the office app enrolled with every district
(``daftar-server office add centre --all``) and used by people of role ``centre``
(DESIGN.md).  Its moves — a call taken in, a referral with its deadline, a move to
another district, a repeat call — are the rule book's centre moves
(:func:`sync.rules.check_centre_desk`): this module refuses them anywhere else, and
the centre refuses them from any other device.

Reads are functions of the :class:`~desktop_app.store.db.Store` (the window calls
them on its reader thread); writes are methods of :class:`CentreDesk`, a
:class:`~desktop_app.services.requests.Desk` for a centre user, each one user
action and one transaction: the change, its history event and its outbox entry.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.errors import FieldProblem, ServiceError, ValidationFailed
from desktop_app.services.requests import (
    Actor,
    Changes,
    Desk,
    Registered,
    _problem,
    _refused,
    _request_row,
    is_centre_session,
)
from desktop_app.store import models as m
from desktop_app.store.db import Store
from sync import rules
from sync.dates import utcnow
from sync.protocol import (
    AddNotePayload,
    CreateRequestPayload,
    MoveDistrictPayload,
    Op,
    ReferPayload,
    RepeatCallPayload,
)
from sync.rules import RuleError
from sync.schema import OPEN_STATUS_SQL, new_id
from sync.text import PhoneError, clean, parse_phone, search_key
from sync.workflow import OPEN_STATUSES, EventKind, Role, Status

__all__ = [
    "DUPLICATE_DAYS", "DUPLICATE_RADIUS_M", "Call", "CentreDesk", "Choice", "Duplicate",
    "OverdueRow", "PastRequest", "QueuePage", "QueueRow", "caller_history", "find_categories",
    "find_neighbourhoods", "is_centre_office", "overdue_by_district", "overdue_everywhere",
    "possible_duplicates", "suggested_district", "verification_queue",
]

#: How far back a possible duplicate is looked for, by default (days).
DUPLICATE_DAYS = 30
#: Two reports with coordinates this close (metres) may be the same problem.
DUPLICATE_RADIUS_M = 200.0
#: Closing reasons the queue offers (codes of the reference data's reasons).
DUPLICATE_REASON = "duplicate"
#: ``AddNotePayload.purpose`` of a note that asks the citizen for more.
ASK_CITIZEN = "ask_citizen"

_OPEN = tuple(s.value for s in OPEN_STATUSES)


# ----------------------------------------------------------------- where we are


def is_centre_office(store: Store) -> bool:
    """Whether this data folder is the 137 centre's desk: enrolled with every district.
    A district office (or one not enrolled yet) never offers the centre's moves."""
    with store.sessions() as session:
        return is_centre_session(session)


# ------------------------------------------------------------- typed lookups


@dataclass(frozen=True)
class Choice:
    """A category or neighbourhood found by a few typed letters."""

    code: str
    name_fa: str
    name_en: str
    #: A neighbourhood's district (filled in the call form with it); ``None`` for a category.
    district_code: str | None = None
    #: A category's target days (the default deadline); ``None`` for a neighbourhood.
    target_days: int | None = None


def _matches(typed: str, *names: str) -> int | None:
    """How well ``typed`` matches: 0 a name starts with it, 1 a word of a name does,
    2 it is inside a name; ``None`` not at all.  ی/ي, ک/ك and digit scripts are alike."""
    key = search_key(typed)
    if not key:
        return 0
    best: int | None = None
    for name in names:
        folded = search_key(name)
        if folded.startswith(key):
            return 0
        if any(word.startswith(key) for word in folded.replace("\u200c", " ").split()):
            best = 1
        elif key in folded and best is None:
            best = 2
    return best


def _find(rows: Sequence[Choice], typed: str, limit: int) -> tuple[Choice, ...]:
    scored = [(score, row.name_fa, row) for row in rows
              if (score := _matches(typed, row.name_fa, row.name_en, row.code)) is not None]
    scored.sort(key=lambda item: (item[0], item[1]))
    return tuple(row for _, _, row in scored[:limit])


def find_categories(store: Store, typed: str, *, limit: int = 10) -> tuple[Choice, ...]:
    """Categories whose Persian (or English) name or code begins with what was typed
    (a whole-name prefix first, then a word's, then anywhere), by name."""
    with store.sessions() as session:
        rows = [Choice(c.code, c.name_fa, c.name_en, target_days=c.target_days)
                for c in session.scalars(sa.select(m.Category))]
    return _find(rows, typed, limit)


def find_neighbourhoods(store: Store, typed: str, *, limit: int = 10) -> tuple[Choice, ...]:
    """Neighbourhoods by typed letters, each with its district (which the form fills)."""
    with store.sessions() as session:
        rows = [Choice(n.code, n.name_fa, n.name_en, district_code=n.district_code)
                for n in session.scalars(sa.select(m.Neighbourhood))]
    return _find(rows, typed, limit)


def suggested_district(store: Store, neighbourhood_code: str | None) -> str | None:
    """The district a request of ``neighbourhood_code`` is referred to by default."""
    if not neighbourhood_code:
        return None
    with store.sessions() as session:
        hood = session.get(m.Neighbourhood, neighbourhood_code)
        return hood.district_code if hood is not None else None


# -------------------------------------------------------------- the caller


@dataclass(frozen=True)
class PastRequest:
    """One of a caller's earlier requests, as the operator answers "I called last week"."""

    id: uuid.UUID
    tracking_code: str
    received_at: dt.datetime
    status: Status
    category_code: str
    neighbourhood_code: str | None
    district_code: str
    description: str
    due_at: dt.datetime | None
    closed_at: dt.datetime | None


def caller_history(store: Store, phone: str, *, limit: int = 20) -> tuple[PastRequest, ...]:
    """The caller's earlier requests, newest first, with their status.  ``phone`` as
    typed (any digits, spaces, +98 …); a number not complete yet finds nothing."""
    try:
        number = parse_phone(phone)
    except PhoneError:
        return ()
    r = m.ServiceRequest
    with store.sessions() as session:
        rows = session.execute(
            sa.select(r.id, r.tracking_code, r.received_at, r.status, r.category_code,
                      r.neighbourhood_code, r.district_code, r.description, r.due_at, r.closed_at)
            .where(r.citizen_phone == number).order_by(r.received_at.desc()).limit(limit)).all()
    return tuple(PastRequest(*row[:3], Status(row.status), *row[4:]) for row in rows)


# ------------------------------------------------------------- duplicates


@dataclass(frozen=True)
class Duplicate:
    """An open request that a new call may be about."""

    id: uuid.UUID
    tracking_code: str
    received_at: dt.datetime
    status: Status
    description: str
    address: str
    citizen_phone: str | None
    #: Metres from the call's point, when both have coordinates.
    distance_m: float | None


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine; plenty for ~200 m)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def possible_duplicates(store: Store, category_code: str, neighbourhood_code: str,
                        latitude: float | None = None, longitude: float | None = None, *,
                        days: int = DUPLICATE_DAYS, now: dt.datetime | None = None,
                        radius_m: float = DUPLICATE_RADIUS_M,
                        limit: int = 10) -> tuple[Duplicate, ...]:
    """Open requests of the same category in the same neighbourhood received in the
    last ``days``; when the call has coordinates, those with coordinates further
    than ``radius_m`` are left out (ones without coordinates stay: they may be it).
    Nearest first, then newest.  One index range per open status
    (``ix_requests_by_status``: status, category, received_at, neighbourhood)."""
    if not category_code or not neighbourhood_code:
        return ()
    since = (now or utcnow()) - dt.timedelta(days=days)
    r = m.ServiceRequest
    with store.sessions() as session:
        rows = session.execute(
            sa.select(r.id, r.tracking_code, r.received_at, r.status, r.description, r.address,
                      r.citizen_phone, r.latitude, r.longitude)
            .where(r.status.in_(_OPEN), r.category_code == category_code,
                   r.received_at >= since, r.neighbourhood_code == neighbourhood_code)).all()
    found = []
    for row in rows:
        distance = None
        if None not in (latitude, longitude, row.latitude, row.longitude):
            distance = distance_m(latitude, longitude, row.latitude, row.longitude)  # type: ignore[arg-type]
            if distance > radius_m:
                continue
        found.append(Duplicate(row.id, row.tracking_code, row.received_at, Status(row.status),
                               row.description, row.address, row.citizen_phone, distance))
    found.sort(key=lambda d: (d.distance_m is None, d.distance_m or 0.0,
                              -d.received_at.timestamp()))
    return tuple(found[:limit])


# ------------------------------------------------------- verification queue


@dataclass(frozen=True)
class QueueRow:
    """A request waiting for verification."""

    id: uuid.UUID
    tracking_code: str
    received_at: dt.datetime
    #: How long it has waited, at the time the queue was read.
    age: dt.timedelta
    channel: str
    category_code: str
    neighbourhood_code: str | None
    district_code: str
    description: str
    citizen_phone: str | None
    address: str
    #: Where it would be referred by default (the neighbourhood's district).
    suggested_district: str


@dataclass(frozen=True)
class QueuePage:
    rows: tuple[QueueRow, ...]
    #: Every request in ``received``, not only this page's.
    total: int
    read_at: dt.datetime


def verification_queue(store: Store, *, limit: int = 50, offset: int = 0,
                       now: dt.datetime | None = None) -> QueuePage:
    """Requests in ``received`` (calls, walk-ins, web, SMS), oldest first, with their
    age; and how many wait in all.  Walks ``ix_requests_status_received``."""
    now = now or utcnow()
    r, hood = m.ServiceRequest, m.Neighbourhood
    with store.sessions() as session:
        rows = session.execute(
            sa.select(r.id, r.tracking_code, r.received_at, r.channel, r.category_code,
                      r.neighbourhood_code, r.district_code, r.description, r.citizen_phone,
                      r.address, hood.district_code.label("suggested"))
            .outerjoin(hood, hood.code == r.neighbourhood_code)
            .where(r.status == Status.RECEIVED.value)
            .order_by(r.received_at).limit(limit).offset(offset)).all()
        total = session.scalar(sa.select(sa.func.count()).select_from(r)
                               .where(r.status == Status.RECEIVED.value)) or 0
    return QueuePage(tuple(
        QueueRow(row.id, row.tracking_code, row.received_at, now - row.received_at, row.channel,
                 row.category_code, row.neighbourhood_code, row.district_code, row.description,
                 row.citizen_phone, row.address, row.suggested or row.district_code)
        for row in rows), total, now)


# ----------------------------------------------------------------- overdue


@dataclass(frozen=True)
class OverdueRow:
    """Open work past its deadline."""

    id: uuid.UUID
    tracking_code: str
    district_code: str
    category_code: str
    neighbourhood_code: str | None
    status: Status
    received_at: dt.datetime
    due_at: dt.datetime
    #: How late, at the time it was read.
    late: dt.timedelta
    crew_id: uuid.UUID | None


#: The partial index of open work by deadline (sync.schema).  SQLite is told to use
#: it: with statistics older than the index it prefers a status index and then sorts
#: every open request (0.7 s on 1M instead of a few ms).
OPEN_DUE_INDEX = "ix_requests_open_due"


def open_condition() -> sa.ColumnElement[bool]:
    """Open, spelled as the partial index ``ix_requests_open_due`` is (so SQLite uses it)."""
    return sa.text(OPEN_STATUS_SQL)


def overdue_condition(now: dt.datetime) -> sa.ColumnElement[bool]:
    """``overdue`` as SQL: open and ``due_at`` before ``now`` (``ix_requests_open_due``)."""
    return sa.and_(open_condition(), m.ServiceRequest.due_at < now)


def overdue_everywhere(store: Store, now: dt.datetime | None = None, *,
                       districts: Sequence[str] | None = None,
                       limit: int | None = None) -> tuple[OverdueRow, ...]:
    """Every district's overdue work (or ``districts``'), latest first by how late."""
    now = now or utcnow()
    r = m.ServiceRequest
    query = (sa.select(r.id, r.tracking_code, r.district_code, r.category_code,
                       r.neighbourhood_code, r.status, r.received_at, r.due_at, r.crew_id)
             .where(overdue_condition(now)).order_by(r.due_at)
             .with_hint(r, f"INDEXED BY {OPEN_DUE_INDEX}", dialect_name="sqlite"))
    if districts is not None:
        query = query.where(r.district_code.in_(list(districts)))
    if limit is not None:
        query = query.limit(limit)
    with store.sessions() as session:
        rows = session.execute(query).all()
    return tuple(OverdueRow(row.id, row.tracking_code, row.district_code, row.category_code,
                            row.neighbourhood_code, Status(row.status), row.received_at,
                            row.due_at, now - row.due_at, row.crew_id) for row in rows)


def overdue_by_district(store: Store, now: dt.datetime | None = None) -> dict[str, tuple[int, int]]:
    """District -> (overdue, open with a deadline): what an "overdue share" is made of."""
    now = now or utcnow()
    r = m.ServiceRequest
    with store.sessions() as session:
        rows = session.execute(
            sa.select(r.district_code, sa.func.count(),
                      sa.func.sum(sa.case((r.due_at < now, 1), else_=0)))
            .where(open_condition(), r.due_at.is_not(None)).group_by(r.district_code)
            .with_hint(r, f"INDEXED BY {OPEN_DUE_INDEX}", dialect_name="sqlite")).all()
    return {district: (int(late or 0), int(total)) for district, total, late in rows}


# ------------------------------------------------------------------ the desk


@dataclass
class Call:
    """The call form, in the order a call goes: phone, problem, place, description."""

    citizen_phone: str = ""
    category_code: str = ""
    neighbourhood_code: str = ""
    description: str = ""
    citizen_name: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    #: ``phone`` (the default), ``web`` or ``sms``: what came by other routes is typed in too.
    channel: str = "phone"

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Call:
        return cls(**{f.name: f.default if row.get(f.name) is None else row[f.name]
                      for f in fields(cls)})


class CentreDesk(Desk):
    """The centre's use cases for one signed-in centre user.  Every method refuses
    (``ServiceError``) at a district office (``not_centre_office``) and for anyone
    but a ``centre`` user (``role_not_allowed``)."""

    def __init__(self, sessions: sessionmaker[Session], actor: Actor):
        super().__init__(sessions, actor)

    def _require_centre(self, session: Session) -> None:
        try:
            rules.check_centre_desk(self.actor.role, centre_office=is_centre_session(session))
        except RuleError as exc:
            raise _refused(exc) from None

    # ------------------------------------------------------------ calls

    def validate_call(self, session: Session, form: Call) -> tuple[dict[str, Any], list[FieldProblem]]:
        values = {f.name: getattr(form, f.name) for f in fields(form) if f.name != "channel"}
        required = ("citizen_phone",) if form.channel in ("phone", "sms") else ()
        checked, problems = rules.check_fields(rules.REQUEST_FIELDS, values, self._lookup(session),
                                               complete=True, required=required)
        out = [_problem(p) for p in problems]
        try:
            rules.check_centre_channel(form.channel)
        except RuleError as exc:
            out.append(_problem(exc))
        return checked, out

    def take_call(self, form: Call) -> Registered:
        """A call (or a web or SMS request typed in) registered as ``received``, with
        its final tracking code to read out (``YEAR-<office number>-<serial>``)."""
        now = utcnow()
        with self.sessions.begin() as session:
            self._require_centre(session)
            values, problems = self.validate_call(session, form)
            if problems:
                raise ValidationFailed(problems)
            request = m.ServiceRequest(
                id=new_id(), tracking_code=self._next_walk_in_code(session, now), received_at=now,
                channel=form.channel,
                district_code=self._lookup(session).district_of(values["neighbourhood_code"]),
                **values, status=Status.RECEIVED.value, outcome_note="", version=0,
                updated_at=now,
            )
            request.search_text = self._search_text(request)
            session.add(request)
            session.flush()
            event = self._event(session, request, EventKind.CREATED, now=now,
                                to_status=request.status, data={"source": form.channel})
            self._outbox(session, Op.CREATE_REQUEST, request.id, now=now, base_version=None,
                         payload=CreateRequestPayload(event_id=event.id,
                                                      request=_request_row(request)))
            return Registered(request.id, request.tracking_code, Status(request.status),
                              request.category_code, request.neighbourhood_code,
                              Changes([request.id]))

    def attach_repeat_call(self, request_id: uuid.UUID, phone: str = "", note: str = "") -> Changes:
        """The caller rang about an open request: a "called again" entry in its history
        (counted by reports as a repeat call) instead of a second request."""
        try:
            number = parse_phone(phone) if clean(phone) else None
        except PhoneError as exc:
            raise ValidationFailed([FieldProblem("citizen_phone", exc.problem.value,
                                                 exc.message)]) from None
        try:
            text = rules.check_note(note, required=False)
        except RuleError as exc:
            raise _refused(exc) from None
        now = utcnow()
        with self.sessions.begin() as session:
            self._require_centre(session)
            (request,) = self._load(session, [request_id])
            try:
                rules.check_repeat_call(request.status)
            except RuleError as exc:
                raise _refused(exc, tracking_code=request.tracking_code) from None
            event = self._event(session, request, EventKind.REPEAT_CALL, now=now, note=text,
                                data={"phone": number})
            self._outbox(session, Op.REPEAT_CALL, request.id, now=now,
                         base_version=request.version,
                         payload=RepeatCallPayload(event_id=event.id, phone=number, note=text))
        return Changes([request_id])

    # ------------------------------------------------------------ verification

    def refer(self, request_ids: Sequence[uuid.UUID], district_code: str | None = None, *,
              due_at: dt.datetime | None = None, note: str = "") -> Changes:
        """Refer received requests, all or nothing: each to ``district_code`` or, when
        ``None``, to its neighbourhood's district; with the deadline ``due_at`` or,
        when ``None``, now plus its category's target days.  A selection of 500 is
        one transaction (bulk referral)."""
        try:
            text = rules.check_note(note, required=False)
        except RuleError as exc:
            raise _refused(exc) from None
        now = utcnow()
        ids = list(dict.fromkeys(request_ids))
        r = m.ServiceRequest
        with self.sessions.begin() as session:
            self._require_centre(session)
            self._role(session)
            # Plain rows and three statements for the whole selection, not ORM objects
            # flushed one by one: 500 requests in one go (the ORM's bookkeeping cost
            # seconds there).  Checks and the projection are the rule book's, as ever.
            found = {row.id: row for row in session.execute(
                sa.select(r.id, r.tracking_code, r.status, r.district_code, r.neighbourhood_code,
                          r.category_code, r.version).where(r.id.in_(ids)))}
            missing = [i for i in ids if i not in found]
            if missing:
                raise ServiceError("unknown_request", f"no such request: {missing[0]}",
                                   id=missing[0])
            days = dict(session.execute(sa.select(m.Category.code, m.Category.target_days)).all())
            hoods = dict(session.execute(
                sa.select(m.Neighbourhood.code, m.Neighbourhood.district_code)).all())
            known = set(session.scalars(sa.select(m.District.code)))
            lookup = self._lookup(session)
            updates, events, outbox = [], [], []
            for request_id in ids:
                row = found[request_id]
                source = Status(row.status)
                target_district = district_code or hoods.get(row.neighbourhood_code or "") \
                    or row.district_code
                try:
                    rules.check_status_change(lookup, row.id, source, Status.REFERRED, Role.CENTRE)
                    rules.check_referral(source)
                    rules.check_referral_district(target_district, target_district in known)
                    due = rules.check_due(due_at, now) if due_at is not None \
                        else rules.default_due(now, days[row.category_code])
                except RuleError as exc:
                    raise _refused(exc, tracking_code=row.tracking_code) from None
                data: dict[str, Any] = {"due_at": due.isoformat(), "district_code": target_district}
                hood = row.neighbourhood_code
                if row.district_code != target_district:
                    data["from_district"] = row.district_code
                    if hoods.get(hood or "") != target_district:
                        hood = None
                projected = SimpleNamespace()
                rules.project_status(projected, Status.REFERRED, at=now)
                updates.append({**vars(projected), "id": row.id, "district_code": target_district,
                                "neighbourhood_code": hood, "due_at": due, "updated_at": now})
                event_id = new_id()
                events.append(self._event_row(event_id, row.id, EventKind.STATUS, now=now,
                                              from_status=source.value,
                                              to_status=Status.REFERRED.value, note=text,
                                              data=data))
                outbox.append(self._outbox_row(
                    Op.REFER, row.id, now=now, base_version=row.version,
                    payload=ReferPayload(event_id=event_id, from_status=source,
                                         district_code=target_district, neighbourhood_code=hood,
                                         due_at=due, note=text)))
            if updates:
                session.execute(sa.update(m.ServiceRequest), updates)
                session.execute(sa.insert(m.Event), events)
                session.execute(sa.insert(m.OutboxEntry), outbox)
        return Changes(list(request_ids))

    def bulk_refer(self, request_ids: Sequence[uuid.UUID], district_code: str | None = None, *,
                   due_at: dt.datetime | None = None, note: str = "") -> Changes:
        """A selection referred at once (each to its neighbourhood's district unless
        ``district_code``): :meth:`refer`, all or nothing, in one transaction."""
        return self.refer(request_ids, district_code, due_at=due_at, note=note)

    def close_not_actionable(self, request_id: uuid.UUID, reason: str, note: str = "",
                             duplicate_of: uuid.UUID | None = None) -> Changes:
        """Close a request as not actionable with a reason code (``duplicate``, linked
        to its original; a false report; not the municipality's business …)."""
        with self.sessions() as session:
            self._require_centre(session)
        return self.change_status([request_id], Status.NOT_ACTIONABLE, reason=reason, note=note,
                                  duplicate_of=duplicate_of)

    def ask_citizen(self, request_id: uuid.UUID, note: str) -> Changes:
        """Ask the citizen for more before verifying: a note, marked as a question,
        and the request stays in the queue."""
        try:
            text = rules.check_note(note)
        except RuleError as exc:
            raise _refused(exc) from None
        now = utcnow()
        with self.sessions.begin() as session:
            self._require_centre(session)
            (request,) = self._load(session, [request_id])
            event = self._event(session, request, EventKind.NOTE, now=now, note=text,
                                data={"purpose": ASK_CITIZEN})
            self._outbox(session, Op.ADD_NOTE, request.id, now=now, base_version=request.version,
                         payload=AddNotePayload(event_id=event.id, note=text, purpose=ASK_CITIZEN))
        return Changes([request_id])

    def move_district(self, request_id: uuid.UUID, district_code: str, reason: str, *,
                      neighbourhood_code: str | None = None) -> Changes:
        """Send a referred (or assigned, or in-progress) request to another district,
        with a reason; work a crew had is taken back (the crew is the old district's).
        It arrives at the new district's offices with its whole history."""
        now = utcnow()
        with self.sessions.begin() as session:
            self._require_centre(session)
            (request,) = self._load(session, [request_id])
            try:
                text = rules.check_district_move(
                    request.status, request.district_code, district_code,
                    session.get(m.District, district_code) is not None, reason)
                if neighbourhood_code is not None and \
                        self._lookup(session).district_of(neighbourhood_code) != district_code:
                    raise RuleError("wrong_district", "the neighbourhood is not in the district",
                                    "neighbourhood_code")
            except RuleError as exc:
                raise _refused(exc, tracking_code=request.tracking_code) from None
            if neighbourhood_code is None and request.neighbourhood_code is not None and \
                    self._lookup(session).district_of(request.neighbourhood_code) == district_code:
                # None chosen: the one it has stays when it lies in the new district
                # (as :meth:`refer` keeps it), else it is no longer known.
                neighbourhood_code = request.neighbourhood_code
            old, source = request.district_code, Status(request.status)
            if source in (Status.ASSIGNED, Status.IN_PROGRESS):
                rules.project_status(request, Status.REFERRED, at=now)
            event = self._event(session, request, EventKind.MOVED, now=now,
                                from_status=source.value, to_status=request.status, note=text,
                                data={"from_district": old, "to_district": district_code})
            request.district_code = district_code
            request.neighbourhood_code = neighbourhood_code
            request.updated_at = now
            self._outbox(session, Op.MOVE_DISTRICT, request.id, now=now,
                         base_version=request.version,
                         payload=MoveDistrictPayload(event_id=event.id, district_code=district_code,
                                                     neighbourhood_code=neighbourhood_code,
                                                     reason=text))
        return Changes([request_id])
