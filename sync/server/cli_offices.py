"""``daftar-server office …``: the district offices, their enrolment codes, their
devices, and the pushes the centre refused from them."""

from __future__ import annotations

import argparse
import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync.dates import format_jalali_datetime, utcnow
from sync.server.cli_support import PROG, CliError, transaction
from sync.server.enrolment import ENROLMENT_VALID, hash_enrolment_code, new_enrolment_code
from sync.server.models import Device, District, Office, OfficeDistrict
from sync.server.refusals import ACTOR_CODES, refusals
from sync.text import clean, to_latin_digits


def _districts(session: Session, text: str) -> list[str]:
    """The codes of ``--districts``, each checked against the reference data."""
    wanted = list(dict.fromkeys(c.strip() for c in to_latin_digits(text).split(",") if c.strip()))
    if not wanted:
        raise CliError("--districts is empty: give district codes separated by commas")
    known = set(session.scalars(sa.select(District.code)))
    if not known:
        raise CliError(f"the centre has no districts yet: run `{PROG} reference load FILE` first")
    unknown = [c for c in wanted if c not in known]
    if unknown:
        raise CliError(
            f"unknown district codes: {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    return wanted


def _office_name(text: str) -> str:
    name = clean(text)
    if not name or len(name) > 100:
        raise CliError("an office name must be 1 to 100 characters")
    return name


def _find_office(session: Session, text: str) -> Office:
    name = _office_name(text)
    office = session.scalar(sa.select(Office).where(Office.name == name))
    if office is None:
        raise CliError(f"there is no office named {name!r} (see `{PROG} office list`)")
    return office


def _issue_code(office: Office) -> tuple[str, dt.datetime]:
    """Give ``office`` a fresh one-time code; only its hash is kept.  Returns the code
    and when it expires."""
    code = new_enrolment_code()
    expires = utcnow() + ENROLMENT_VALID
    office.enrolment_code_hash = hash_enrolment_code(code)
    office.enrolment_expires_at = expires
    return code, expires


def _print_code(name: str, code: str, expires: dt.datetime) -> None:
    """The code goes alone on the last line: scripts take it with ``tail -n 1``."""
    until = format_jalali_datetime(expires, persian_digits=False)
    print(f"enrolment code for {name}, single use, valid until {until} Tehran time:")
    print(code)


def _office_add(args: argparse.Namespace) -> int:
    name = _office_name(args.name)
    with transaction(args) as session:
        if session.scalar(sa.select(Office.id).where(Office.name == name)) is not None:
            raise CliError(f"an office named {name!r} already exists (see `{PROG} office list`)")
        districts = [] if args.all else _districts(session, args.districts)
        number = (session.scalar(sa.select(sa.func.max(Office.number))) or 0) + 1
        office = Office(name=name, number=number, all_districts=args.all, created_at=utcnow())
        code, expires = _issue_code(office)
        session.add(office)
        session.flush()
        session.add_all(OfficeDistrict(office_id=office.id, district_code=d) for d in districts)
    scope = "every district" if args.all else "districts " + ", ".join(districts)
    print(f"office {name} added as number {number}, for {scope}")
    _print_code(name, code, expires)
    return 0


def _office_code(args: argparse.Namespace) -> int:
    with transaction(args) as session:
        office = _find_office(session, args.name)
        code, expires = _issue_code(office)
    _print_code(office.name, code, expires)
    return 0


def _office_revoke(args: argparse.Namespace) -> int:
    with transaction(args) as session:
        office = _find_office(session, args.name)
        revoked = session.execute(
            sa.update(Device)
            .where(Device.office_id == office.id, Device.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        ).rowcount
        office.enrolment_code_hash = None
        office.enrolment_expires_at = None
    print(f"office {office.name}: {revoked} devices revoked, enrolment code cleared")
    return 0


def _office_list(args: argparse.Namespace) -> int:
    with transaction(args) as session:
        offices = session.scalars(sa.select(Office).order_by(Office.number)).all()
        scopes = _office_scopes(session)
        devices = _device_counts(session)
        now = utcnow()
        for office in offices:
            scope = "all" if office.all_districts else ",".join(scopes.get(office.id, [])) or "-"
            active, revoked = devices.get(office.id, (0, 0))
            print(
                f"{office.number}\t{office.name}\tdistricts: {scope}\t"
                f"devices: {active} active, {revoked} revoked\t"
                f"enrolment code: {_code_state(office, now)}"
            )
    return 0


def _office_refusals(args: argparse.Namespace) -> int:
    with transaction(args) as session:
        for row in refusals(session):
            mark = "  (who acted)" if row.code in ACTOR_CODES else ""
            print(f"{row.office}\t{row.code}\t{row.count}\tlast {row.last_at.isoformat()}{mark}")
    return 0


def _office_scopes(session: Session) -> dict[uuid.UUID, list[str]]:
    scopes: dict[uuid.UUID, list[str]] = {}
    rows = session.execute(
        sa.select(OfficeDistrict.office_id, OfficeDistrict.district_code).order_by(
            OfficeDistrict.district_code
        )
    )
    for office_id, code in rows:
        scopes.setdefault(office_id, []).append(code)
    return scopes


def _device_counts(session: Session) -> dict[uuid.UUID, tuple[int, int]]:
    revoked = Device.revoked_at.is_not(None)
    rows = session.execute(
        sa.select(
            Device.office_id,
            sa.func.count().filter(~revoked),
            sa.func.count().filter(revoked),
        ).group_by(Device.office_id)
    )
    return {office_id: (active, gone) for office_id, active, gone in rows}


def _code_state(office: Office, now: dt.datetime) -> str:
    if office.enrolment_code_hash is None or office.enrolment_expires_at is None:
        return "none"
    if office.enrolment_expires_at <= now:
        return "expired"
    until = format_jalali_datetime(office.enrolment_expires_at, persian_digits=False)
    return f"unused, valid until {until}"
