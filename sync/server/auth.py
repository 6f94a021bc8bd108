"""Who is asking, and what they may see: enrolment, device credentials, office scope.

An office joins with the one-time code that ``daftar-server office add`` printed
(its argon2 hash waits in :attr:`Office.enrolment_code_hash`).  Enrolment uses the
code up and gives the installation a *device credential*, ``dft1.<device>.<secret>``,
shown once; the centre keeps only a SHA-256 of the secret.  A fast hash is right for
the credential and a slow one for the code: the secret is 256 random bits, which no
amount of guessing reaches, while a typed code is short enough that each guess must
cost (the credential is checked on every request; argon2 would add ~50 ms to each).
The code is matched (:func:`match_code`) apart from its use (:func:`use_code`), so that
the API runs argon2 in its own pool and in no transaction; the limits on attempts and
the arithmetic of guessing are in :mod:`sync.server.enrolment`.

Every endpoint except ``/health`` and ``/sync/enrol`` resolves the credential to a
:class:`Scope`: the office, its districts, and the device.  A revoked device
(``daftar-server office revoke``) is refused with its own code so the app can ask for
a new enrolment; an unknown device and a wrong secret get the same answer, so the
answer tells an outsider nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync.dates import utcnow
from sync.protocol import ErrorCode, OfficeInfo
from sync.server import enrolment
from sync.server.models import Device, Office, OfficeDistrict, ServiceRequest

CREDENTIAL_PREFIX = "dft1"
_CREDENTIAL = re.compile(rf"^{CREDENTIAL_PREFIX}\.([0-9a-f]{{32}})\.([A-Za-z0-9_-]{{43}})$")


class AuthError(Exception):
    """A request the centre refuses before looking at what it asks."""

    def __init__(self, code: ErrorCode, message: str, status: int = 401):
        self.code = code
        self.status = status
        super().__init__(message)


@dataclass(frozen=True)
class Scope:
    """An authenticated device of an office, and the districts it may read and write."""

    office_id: uuid.UUID
    device_id: uuid.UUID
    name: str
    number: int
    all_districts: bool
    districts: frozenset[str]
    #: When the centre last recorded the device as seen (:func:`mark_seen`).
    seen_at: dt.datetime | None = field(default=None, compare=False)

    def covers(self, district_code: str | None) -> bool:
        return self.all_districts or district_code in self.districts

    def info(self) -> OfficeInfo:
        return OfficeInfo(office_id=self.office_id, name=self.name, number=self.number,
                          districts=sorted(self.districts), all_districts=self.all_districts)


def _secret_hash(secret: str) -> str:
    return "sha256:" + hashlib.sha256(secret.encode()).hexdigest()


def scope_of(session: Session, office: Office, device_id: uuid.UUID,
             seen_at: dt.datetime | None = None) -> Scope:
    districts = frozenset(session.scalars(
        sa.select(OfficeDistrict.district_code).where(OfficeDistrict.office_id == office.id)
    ))
    return Scope(office_id=office.id, device_id=device_id, name=office.name, number=office.number,
                 all_districts=office.all_districts, districts=districts, seen_at=seen_at)


def authenticate(session: Session, credential: str | None) -> Scope:
    """The scope of the device whose credential this is, or :class:`AuthError`.
    One query — the device, its office and the office's districts, a row a
    district — because every request but two asks it first."""
    match = _CREDENTIAL.match(credential or "")
    if match is None:
        raise AuthError(ErrorCode.BAD_CREDENTIAL, "no valid device credential in the request")
    device_id = uuid.UUID(match[1])
    rows = session.execute(
        sa.select(Device.credential_hash, Device.revoked_at, Device.last_seen_at,
                  Office.id.label("office_id"), Office.name, Office.number, Office.all_districts,
                  OfficeDistrict.district_code)
        .join(Office, Office.id == Device.office_id)
        .outerjoin(OfficeDistrict, OfficeDistrict.office_id == Office.id)
        .where(Device.id == device_id)
    ).all()
    expected = rows[0].credential_hash if rows else _secret_hash("")
    # Compared even for an unknown device, so that timing does not tell the two apart.
    if not hmac.compare_digest(expected, _secret_hash(match[2])) or not rows:
        raise AuthError(ErrorCode.BAD_CREDENTIAL, "the device credential is not valid")
    found = rows[0]
    if found.revoked_at is not None:
        raise AuthError(ErrorCode.CREDENTIAL_REVOKED,
                        "this device was revoked at the centre; enrol it again with a new code")
    return Scope(office_id=found.office_id, device_id=device_id, name=found.name,
                 number=found.number, all_districts=found.all_districts,
                 districts=frozenset(r.district_code for r in rows if r.district_code is not None),
                 seen_at=found.last_seen_at)


#: "Last seen" is kept to this precision: an office polling every 30 s writes it
#: once in a while, not on every round (an idle poll then writes nothing).
SEEN_PRECISION = dt.timedelta(minutes=2)


def needs_marking(scope: Scope, at: dt.datetime) -> bool:
    """Whether the device's "last seen" is older than :data:`SEEN_PRECISION` at ``at``."""
    return scope.seen_at is None or at - scope.seen_at >= SEEN_PRECISION


def mark_seen(session: Session, scope: Scope, at: dt.datetime) -> None:
    session.execute(sa.update(Device).where(Device.id == scope.device_id).values(last_seen_at=at))


@dataclass(frozen=True)
class WaitingCode:
    """An office's unused, unexpired enrolment code, as stored."""

    office_id: uuid.UUID
    code_hash: str


def waiting_codes(session: Session) -> list[WaitingCode]:
    """Every enrolment code that may still be used (a quick read)."""
    rows = session.execute(
        sa.select(Office.id, Office.enrolment_code_hash).where(
            Office.enrolment_code_hash.is_not(None), Office.enrolment_expires_at > utcnow())
    )
    return [WaitingCode(office_id, code_hash) for office_id, code_hash in rows]


def match_code(waiting: list[WaitingCode], code: str) -> WaitingCode | None:
    """The waiting code that ``code`` (as typed) is, or None.  Slow (argon2): run it
    in the enrolment pool and holding no transaction, so that no write waits on it.
    Argon2 runs only on the hashes whose hint the typed code shares (and on old
    hashes without one)."""
    typed = enrolment.normalise_enrolment_code(code)
    if not typed:
        return None
    hint = enrolment.code_hint(typed)
    for candidate in waiting:
        if enrolment.may_match(candidate.code_hash, hint) \
                and enrolment.verify_enrolment_code(candidate.code_hash, typed):
            return candidate
    return None


def use_code(session: Session, found: WaitingCode | None,
             office_id: uuid.UUID | None = None) -> tuple[Scope, str]:
    """Use up the code :func:`match_code` found: a new device of its office, and that
    device's credential (returned once, stored only hashed).  A wrong, used or expired
    code gets one and the same :class:`AuthError`.  With ``office_id`` (the office the
    enrolling data folder already belongs to), a code of another office is refused
    before anything is changed: it stays usable where it belongs."""
    office = None
    now = utcnow()
    if found is not None:
        # Lock and look again: of two devices racing with one code, one wins, and a
        # code replaced or expired since it was matched is no longer good.
        office = session.scalars(
            sa.select(Office).where(Office.id == found.office_id,
                                    Office.enrolment_code_hash == found.code_hash,
                                    Office.enrolment_expires_at > now)
            .with_for_update().execution_options(populate_existing=True)
        ).one_or_none()
    if office is None:
        raise AuthError(ErrorCode.ENROLMENT_CODE_INVALID,
                        "the enrolment code is wrong, already used or expired; ask the centre "
                        "for a new one", status=403)
    if office_id is not None and office_id != office.id:
        raise AuthError(ErrorCode.ENROLLED_ELSEWHERE,
                        f"this data folder belongs to another office, and the code is office "
                        f"{office.name}'s; enrol {office.name} with another folder (--data-dir) — "
                        "the code was not used up", status=409)
    office.enrolment_code_hash = None
    office.enrolment_expires_at = None
    device_id = uuid.uuid4()
    secret = secrets.token_urlsafe(32)
    session.add(Device(id=device_id, office_id=office.id, credential_hash=_secret_hash(secret),
                       enrolled_at=now))
    session.flush()
    return scope_of(session, office, device_id), f"{CREDENTIAL_PREFIX}.{device_id.hex}.{secret}"


def enrol(session: Session, code: str, office_id: uuid.UUID | None = None) -> tuple[Scope, str]:
    """:func:`match_code` and :func:`use_code` in one transaction (for scripts and
    tests; the API matches outside any transaction)."""
    return use_code(session, match_code(waiting_codes(session), code), office_id)


def walk_in_serials(session: Session, office_number: int) -> dict[int, int]:
    """Jalali year -> the highest walk-in serial the centre holds from this office
    (codes ``YYYY-<number>-<serial>``), so a reinstalled office continues after it."""
    pattern = re.compile(rf"^(\d{{4}})-{office_number}-(\d+)$")
    codes = session.scalars(
        sa.select(ServiceRequest.tracking_code).where(
            ServiceRequest.tracking_code.like(f"%-{office_number}-%")
        )
    )
    highest: dict[int, int] = {}
    for code in codes:
        match = pattern.match(code)
        if match:
            year, serial = int(match[1]), int(match[2])
            highest[year] = max(highest.get(year, 0), serial)
    return highest
