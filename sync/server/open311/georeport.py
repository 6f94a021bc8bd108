"""What the Open311 endpoints do, over a session: the service list and definitions,
taking a posted request in, and the public view of requests.

Decisions (README, "Open311"):

* **Where a request goes.**  The reference data gives neighbourhoods but no
  coordinates, so a point cannot be placed in one; guessing from the demo's
  invented centroids would send real requests to the wrong district.  A POST must
  therefore name a place the centre can resolve: the ``neighbourhood`` attribute
  (listed with its values in every service definition), an ``address_id`` that is
  a neighbourhood code, or an ``address_string`` that contains a neighbourhood's
  name (Persian or English).  ``lat``/``long`` are kept with the request, never
  used to route it.  The neighbourhood gives the district.
* **Privacy.**  No public answer holds the citizen's name, phone or e-mail: they
  are not fields of :class:`~sync.server.open311.wire.ServiceRequestOut`, and the
  free texts a public answer does show (description, address, status notes) have
  the request's own name, phone and e-mail, and anything shaped like a phone
  number or an e-mail address, masked (:func:`redact`).  A request closed as not
  actionable with the reason ``false_report`` is never shown (it is answered as
  not found): a false report may name or accuse someone.
* **Status.**  ``open`` while the lifecycle is open (received … in progress),
  ``closed`` when done or not actionable; ``status_notes`` says the outcome in
  words (done, or the reason) and the clerk's note.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync import rules
from sync.dates import TEHRAN, utcnow
from sync.server import models
from sync.server import operations as ops
from sync.server.models import (
    ApiClient,
    Category,
    CategoryFamily,
    District,
    Neighbourhood,
    Open311Submission,
    Reason,
    ServiceRequest,
)
from sync.text import clean, search_key, to_latin_digits, to_persian_digits
from sync.workflow import OPEN_STATUSES, STATUS_LABELS_FA, Status

#: The request's channel when it came through Open311 (the municipality's site, apps).
CHANNEL = "web"
#: The reason code of a report found untrue: such requests are never shown.
HIDDEN_REASONS = frozenset({"false_report"})
#: The standard's defaults: at most 1000 requests, and the last 90 days when no
#: dates are given.
MAX_PAGE_SIZE = 1000
DEFAULT_WINDOW = dt.timedelta(days=90)
#: The service attribute that places a request.
NEIGHBOURHOOD_ATTRIBUTE = "neighbourhood"
EMAIL_LENGTH = 254
MEDIA_URL_LENGTH = 2000
CLIENT_ID_LENGTH = 100
#: At most this many attribute[...] fields, each at most this long.
MAX_ATTRIBUTES = 20
ATTRIBUTE_LENGTH = 500


class Open311Error(Exception):
    """An answer in the standard's error format with ``status``."""

    def __init__(self, status: int, description: str):
        self.status = status
        self.description = description
        super().__init__(description)


# ------------------------------------------------------------------ language


def english(locale: str | None, accept_language: str | None) -> bool:
    """Persian unless ``locale`` (``en``, ``en_US``, ``fa-IR`` …) or, without it, the
    first language of ``Accept-Language`` is English."""
    if locale:
        return locale.strip().lower().replace("_", "-").split("-")[0] == "en"
    if accept_language:
        first = accept_language.split(",")[0].split(";")[0].strip().lower()
        return first.split("-")[0] == "en"
    return False


def _name(row: Any, en: bool) -> str:
    return str(row.name_en if en else row.name_fa)


_WORDS = {
    "done": ("انجام شد", "Done"),
    "received": ("درخواست شما ثبت شد و پس از بررسی در مرکز ۱۳۷ به ناحیهٔ مربوط ارجاع می‌شود.",
                 "Your request is recorded; the 137 centre will check it and refer it to its district."),
    "attribute": ("محله‌ای که درخواست به آن مربوط است؛ ناحیهٔ مسئول از آن معلوم می‌شود.",
                  "The neighbourhood the request concerns; it decides the district that acts."),
    "attribute_type": ("کد محله", "neighbourhood code"),
    "description": ("گروه {group}؛ مهلت معمول رسیدگی {days} روز.",
                    "{group} services; usually handled within {days} days."),
}


def _word(key: str, en: bool) -> str:
    return _WORDS[key][1 if en else 0]


# ------------------------------------------------------------------ services


def services(session: Session, en: bool) -> list[dict[str, Any]]:
    families = {f.code: f for f in session.scalars(sa.select(CategoryFamily))}
    out = []
    for category in session.scalars(sa.select(Category).order_by(Category.code)):
        family = families[category.family_code]
        out.append({
            "service_code": category.code,
            "service_name": _name(category, en),
            "description": _word("description", en).format(
                group=_name(family, en),
                days=category.target_days if en else to_persian_digits(category.target_days)),
            "metadata": True,
            "type": "realtime",
            "keywords": ",".join(dict.fromkeys([category.code, category.name_fa, category.name_en,
                                                family.name_fa, family.name_en])),
            "group": _name(family, en),
        })
    return out


def _category(session: Session, code: str) -> Category:
    category = session.get(Category, code) if rules.is_code(code, 32) else None
    if category is None:
        raise Open311Error(404, f"service_code {code!r} not found")
    return category


def service_definition(session: Session, code: str, en: bool) -> dict[str, Any]:
    """Every service has one attribute: the neighbourhood (how a request is placed)."""
    category = _category(session, code)
    hoods = session.scalars(sa.select(Neighbourhood).order_by(Neighbourhood.district_code,
                                                              Neighbourhood.code))
    return {
        "service_code": category.code,
        "attributes": [{
            "variable": True,
            "code": NEIGHBOURHOOD_ATTRIBUTE,
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": _word("attribute_type", en),
            "order": 1,
            "description": _word("attribute", en),
            "values": [{"key": h.code, "name": _name(h, en)} for h in hoods],
        }],
    }


# ------------------------------------------------------------------ POST


@dataclasses.dataclass(frozen=True)
class Posted:
    request_id: uuid.UUID
    tracking_code: str
    account_id: str | None


def _one(form: Mapping[str, list[str]], name: str) -> str | None:
    values = form.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise Open311Error(400, f"{name} is given more than once")
    return values[0]


def _number(form: Mapping[str, list[str]], name: str) -> float | None:
    text = clean(_one(form, name))
    if not text:
        return None
    try:
        value = float(to_latin_digits(text))
    except ValueError:
        raise Open311Error(400, f"{name} must be a decimal number (WGS84)") from None
    if not math.isfinite(value):
        raise Open311Error(400, f"{name} must be a decimal number (WGS84)")
    return value


def _short(form: Mapping[str, list[str]], name: str, limit: int) -> str | None:
    text = clean(_one(form, name))
    if len(text) > limit:
        raise Open311Error(400, f"{name} holds at most {limit} characters")
    return text or None


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _attributes(form: Mapping[str, list[str]]) -> dict[str, Any]:
    """``attribute[code]=v`` and ``attribute[code][]=v`` (a multivaluelist)."""
    out: dict[str, Any] = {}
    for key, values in form.items():
        match = re.fullmatch(r"attribute\[([^\[\]]{1,64})\](\[\])?", key)
        if match is None:
            if key.startswith("attribute"):
                raise Open311Error(400, f"{key!r} is not attribute[code] or attribute[code][]")
            continue
        for value in values:
            if len(value) > ATTRIBUTE_LENGTH:
                raise Open311Error(400, f"{key} holds at most {ATTRIBUTE_LENGTH} characters")
        code = clean(match.group(1))
        out[code] = [clean(v) for v in values] if match.group(2) else clean(values[-1])
    if len(out) > MAX_ATTRIBUTES:
        raise Open311Error(400, f"at most {MAX_ATTRIBUTES} attributes")
    return out


def _hood_by_code(session: Session, code: str) -> Neighbourhood | None:
    return session.get(Neighbourhood, code) if rules.is_code(code, 48) else None


def _hood_in_text(session: Session, text: str) -> Neighbourhood | None:
    """The neighbourhood whose name (Persian or English) the address contains; the
    longest name wins (``Sabze Meydan`` over a shorter name inside it)."""
    key = search_key(text)
    found: list[tuple[int, Neighbourhood]] = []
    for hood in session.scalars(sa.select(Neighbourhood)):
        for name in (hood.name_fa, hood.name_en):
            name_key = search_key(name)
            if name_key and name_key in key:
                found.append((len(name_key), hood))
    return max(found, key=lambda pair: pair[0])[1] if found else None


def _place(session: Session, attributes: Mapping[str, Any], address_id: str | None,
           address: str | None, has_point: bool) -> Neighbourhood:
    chosen = attributes.get(NEIGHBOURHOOD_ATTRIBUTE)
    if isinstance(chosen, str) and chosen:
        hood = _hood_by_code(session, chosen)
        if hood is None:
            raise Open311Error(400, f"attribute[{NEIGHBOURHOOD_ATTRIBUTE}] {chosen!r} is not a "
                                    "neighbourhood code (see GET services/{service_code})")
        return hood
    if address_id:
        hood = _hood_by_code(session, address_id)
        if hood is None:
            raise Open311Error(400, f"address_id {address_id!r} is not a neighbourhood code "
                                    "(see GET services/{service_code})")
        return hood
    if address:
        hood = _hood_in_text(session, address)
        if hood is not None:
            return hood
    if not (has_point or address):
        raise Open311Error(400, "a location is required: lat and long, address_string or address_id")
    raise Open311Error(400, "the centre cannot place this request: name its neighbourhood in "
                            "address_string, or give address_id or attribute[neighbourhood] "
                            "(the codes are in GET services/{service_code})")


def take_in(session: Session, client: ApiClient, form: Mapping[str, list[str]]) -> Posted:
    """A POSTed request, checked by the rule book, taken in as ``received`` on the
    ``web`` channel, with the client named as the actor of its ``created`` event."""
    code = clean(_one(form, "service_code"))
    if not code:
        raise Open311Error(400, "service_code is required")
    category = _category(session, code)
    lat, long = _number(form, "lat"), _number(form, "long")
    if (lat is None) != (long is None):
        raise Open311Error(400, "lat and long go together")
    attributes = _attributes(form)
    address = _short(form, "address_string", rules.ADDRESS_LENGTH)
    address_id = _short(form, "address_id", 48)
    hood = _place(session, attributes, address_id, address, lat is not None)
    email = _short(form, "email", EMAIL_LENGTH)
    if email and not _EMAIL.match(email):
        raise Open311Error(400, "email is not an e-mail address")
    media_url = _short(form, "media_url", MEDIA_URL_LENGTH)
    if media_url and (urlsplit(media_url).scheme not in ("http", "https")
                      or not urlsplit(media_url).netloc):
        raise Open311Error(400, "media_url must be an http or https URL")
    name = " ".join(p for p in (clean(_one(form, "first_name")), clean(_one(form, "last_name"))) if p)
    values = {
        "description": _one(form, "description") or "",
        "citizen_name": name,
        "citizen_phone": _one(form, "phone"),
        "address": address or "",
        "latitude": lat,
        "longitude": long,
        "neighbourhood_code": hood.code,
        "category_code": category.code,
    }
    checked, problems = rules.check_fields(rules.REQUEST_FIELDS, values,
                                           rules.ModelLookup(session, models), complete=True)
    if problems:
        first = problems[0]
        field = {"citizen_name": "first_name/last_name", "citizen_phone": "phone",
                 "address": "address_string", "latitude": "lat", "longitude": "long"}.get(
                     first.field or "", first.field)
        raise Open311Error(400, f"{field}: {first}")
    device_id = _short(form, "device_id", CLIENT_ID_LENGTH)
    account_id = _short(form, "account_id", CLIENT_ID_LENGTH)
    try:
        request = ops.intake(
            session, district_code=hood.district_code, category_code=category.code,
            description=checked["description"], actor=client.name, channel=CHANNEL,
            neighbourhood_code=hood.code, citizen_name=checked["citizen_name"],
            citizen_phone=checked["citizen_phone"], address=checked["address"],
            latitude=checked["latitude"], longitude=checked["longitude"],
            event_data={"open311_client": client.name},
        )
    except ops.OperationError as exc:
        raise Open311Error(400, str(exc)) from None
    session.add(Open311Submission(request_id=request.id, client_id=client.id, email=email,
                                  media_url=media_url, device_id=device_id,
                                  account_id=account_id, attributes=attributes))
    return Posted(request.id, request.tracking_code, account_id)


def posted_answer(posted: Posted, en: bool) -> list[dict[str, Any]]:
    return [{"service_request_id": posted.tracking_code, "token": str(posted.request_id),
             "service_notice": _word("received", en), "account_id": posted.account_id}]


# ------------------------------------------------------------------ GET


_PHONE_LIKE = re.compile(r"\+?[0-9\u06f0-\u06f9\u0660-\u0669](?:[\s\-.()]?[0-9\u06f0-\u06f9\u0660-\u0669]){7,}")
_EMAIL_LIKE = re.compile(r"[^\s@<>\"']+@[^\s@<>\"']+")
MASK = "***"


def redact(text: str | None, personal: Iterable[str | None]) -> str | None:
    """``text`` with each of ``personal`` (the citizen's name and its words of three
    letters or more, phone, e-mail), and anything shaped like a phone number (eight
    digits or more, in any script) or an e-mail address, masked."""
    return masker(personal)(text)


#: A text without any of these cannot hold a phone number (eight digits or more).
_DIGIT = re.compile(r"[0-9\u06f0-\u06f9\u0660-\u0669]")


def masker(personal: Iterable[str | None]) -> Callable[[str | None], str | None]:
    """:func:`redact` for one citizen, to apply to several texts.

    Built for every row of a page (1000 of them), so the cheap checks come first:
    the phone pattern runs only on a text with a digit, the e-mail pattern only on
    one with ``@``, and the citizen's pieces are gathered only once a text needs them."""
    values = [value for value in personal if value]
    ordered: list[str] | None = None

    def mask(text: str | None) -> str | None:
        nonlocal ordered
        if not text:
            return text
        out = _PHONE_LIKE.sub(MASK, text) if _DIGIT.search(text) else text
        if "@" in out:
            out = _EMAIL_LIKE.sub(MASK, out)
        if not values:
            return out
        if ordered is None:
            pieces: set[str] = set()
            for value in values:
                pieces.add(value)
                pieces.update(word for word in value.split() if len(word) >= 3)
            ordered = sorted(pieces, key=len, reverse=True)
        lowered: str | None = None
        for piece in ordered:
            # str.replace first: a pattern per citizen would thrash re's cache.
            if piece in out:
                out = out.replace(piece, MASK)
                lowered = None
            if not piece.isascii():
                continue
            if lowered is None:
                lowered = out.lower()
            if piece.lower() not in lowered:
                continue
            out = re.sub(re.escape(piece), MASK, out, flags=re.IGNORECASE)
            lowered = None
        return out

    return mask


def iso(moment: dt.datetime | None) -> str | None:
    """ISO 8601 with the offset, in Tehran time (``2026-12-07T06:05:00+03:30``)."""
    return None if moment is None else moment.astimezone(TEHRAN).isoformat(timespec="seconds")


@dataclasses.dataclass
class Names:
    """The reference names a page of requests needs, in one language."""

    categories: dict[str, str]
    districts: dict[str, str]
    reasons: dict[str, str]
    en: bool

    @classmethod
    def load(cls, session: Session, en: bool) -> Names:
        def names(model: Any) -> dict[str, str]:
            # Two columns, not the mapped rows: loading objects cost more than the page.
            name = model.name_en if en else model.name_fa
            return {code: str(text) for code, text in session.execute(sa.select(model.code, name))}
        return cls(names(Category), names(District), names(Reason), en)


_OPEN_VALUES = frozenset(s.value for s in OPEN_STATUSES)


#: The columns a public answer is made from (the personal ones only to mask them).
_COLUMNS = (
    ServiceRequest.tracking_code, ServiceRequest.status,
    ServiceRequest.outcome_reason, ServiceRequest.outcome_note, ServiceRequest.category_code,
    ServiceRequest.description, ServiceRequest.district_code, ServiceRequest.received_at,
    ServiceRequest.updated_at, ServiceRequest.address, ServiceRequest.neighbourhood_code,
    ServiceRequest.latitude, ServiceRequest.longitude, ServiceRequest.citizen_name,
    ServiceRequest.citizen_phone, ServiceRequest.due_at, Open311Submission.email,
    Open311Submission.media_url,
    # The citizen's own first photo that is public (issue 17), served by the centre at
    # ``/media/{id}`` once its bytes have arrived: the media_url when the client gave none.
    sa.select(models.Attachment.id).where(
        models.Attachment.request_id == ServiceRequest.id, models.Attachment.kind == "citizen",
        models.Attachment.internal.is_(False), models.Attachment.removed_at.is_(None),
    ).order_by(models.Attachment.added_at).limit(1).scalar_subquery().label("photo_id"),
)


def public(row: Any, names: Names, media_base: str = "") -> dict[str, Any]:
    """One request as the public sees it (``row`` has the columns of :data:`_COLUMNS`,
    in order); ``media_base`` is the centre's address, for a citizen's photo it
    serves (``/media/{id}``)."""
    # Unpacked by position: a Row's attribute look-up by name costs more than the
    # rest of this function on a page of 1000.
    (tracking_code, status, outcome_reason, outcome_note, category_code, description,
     district_code, received_at, updated_at, address, neighbourhood_code, latitude, longitude,
     citizen_name, citizen_phone, due_at, email, media_url, photo_id) = row
    mask = masker((citizen_name, citizen_phone, email))
    is_open = status in _OPEN_VALUES
    if is_open:
        notes = status.replace("_", " ") if names.en else STATUS_LABELS_FA[Status(status)]
    else:
        head = _word("done", names.en) if status == Status.DONE.value else names.reasons.get(
            outcome_reason or "", outcome_reason or "")
        notes = mask(f"{head}: {outcome_note}") if outcome_note else head
    return {
        "service_request_id": tracking_code,
        "status": "open" if is_open else "closed",
        "status_notes": notes,
        "service_name": names.categories.get(category_code),
        "service_code": category_code,
        "description": mask(description),
        "agency_responsible": names.districts.get(district_code),
        "service_notice": None,
        "requested_datetime": iso(received_at),
        "updated_datetime": iso(updated_at),
        "expected_datetime": iso(due_at),
        "address": mask(address) or None,
        "address_id": neighbourhood_code,
        "zipcode": None,
        "lat": latitude,
        "long": longitude,
        "media_url": media_url or (f"{media_base}/media/{photo_id}" if photo_id else None),
    }


def _select() -> sa.Select[Any]:
    return (sa.select(*_COLUMNS)
            .outerjoin(Open311Submission, Open311Submission.request_id == ServiceRequest.id)
            .where(shown()))


def shown() -> sa.ColumnElement[bool]:
    """Not closed as a false report (:data:`HIDDEN_REASONS`)."""
    return sa.or_(ServiceRequest.outcome_reason.is_(None),
                  ServiceRequest.outcome_reason.not_in(HIDDEN_REASONS),
                  ServiceRequest.status != Status.NOT_ACTIONABLE.value)


def one_request(session: Session, tracking_code: str, en: bool, media_base: str = "") -> dict[str, Any]:
    row = session.execute(_select().where(ServiceRequest.tracking_code == tracking_code)).first() \
        if 0 < len(tracking_code) <= rules.TRACKING_CODE_LENGTH else None
    if row is None:
        raise Open311Error(404, f"service_request_id {tracking_code!r} not found")
    return public(row, Names.load(session, en), media_base)


def by_token(session: Session, token: str) -> dict[str, Any]:
    try:
        request_id = uuid.UUID(token)
    except ValueError:
        raise Open311Error(404, f"token {token!r} not found") from None
    row = session.execute(sa.select(ServiceRequest.tracking_code).where(
        ServiceRequest.id == request_id,
        sa.exists().where(Open311Submission.request_id == ServiceRequest.id),
        shown())).first()
    if row is None:
        raise Open311Error(404, f"token {token!r} not found")
    return {"service_request_id": row.tracking_code, "token": token}


@dataclasses.dataclass(frozen=True)
class Query:
    """``GET requests``' filters, as the standard names them, plus paging."""

    service_request_ids: Sequence[str] = ()
    service_codes: Sequence[str] = ()
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    statuses: Sequence[str] = ()
    page: int = 1
    page_size: int = MAX_PAGE_SIZE


def requests(session: Session, query: Query, en: bool, media_base: str = "") -> list[dict[str, Any]]:
    """Newest first.  ``service_request_id`` overrides every other filter (the
    standard); without dates, the last 90 days."""
    select = _select()
    if query.service_request_ids:
        select = select.where(ServiceRequest.tracking_code.in_(query.service_request_ids))
    else:
        start, end = query.start, query.end
        if start is None and end is None:
            start = utcnow() - DEFAULT_WINDOW
        if start is not None:
            select = select.where(ServiceRequest.received_at >= start)
        if end is not None:
            select = select.where(ServiceRequest.received_at <= end)
        if query.service_codes:
            select = select.where(ServiceRequest.category_code.in_(query.service_codes))
        wanted: set[str] = set()
        for status in query.statuses:
            wanted |= ({s.value for s in OPEN_STATUSES} if status == "open"
                       else {Status.DONE.value, Status.NOT_ACTIONABLE.value})
        if wanted and len(wanted) < len(Status):
            select = select.where(ServiceRequest.status.in_(sorted(wanted)))
    select = (select.order_by(ServiceRequest.received_at.desc(), ServiceRequest.id.desc())
              .limit(query.page_size).offset((query.page - 1) * query.page_size))
    names = Names.load(session, en)
    # Core, not ORM, execution: the select names columns only, and the ORM's row
    # loading cost as much as the query on a page of 1000.
    return [public(row, names, media_base) for row in session.connection().execute(select).all()]
