"""What the request dialogs offer to choose from, read for them on the database
thread: the walk-in form's districts, neighbourhoods and categories, the correction
form's, the outcome dialog's reasons and the original a duplicate points to, and the
summary a clerk reads out once a walk-in is registered.

The dialogs hold plain frozen dataclasses only (names as ``(Persian, English)``
pairs, :func:`desktop_app.ui.messages.local_name` picks one), so no ORM row or
session reaches the GUI thread.  Ordering by the user's alphabet is the dialog's
job (it knows the locale); ordering by meaning (the duplicate reason first, the
office's own districts in enrolment order) is decided here.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop_app.services.office import Store
from desktop_app.services.scope import office_scope
from desktop_app.store import models as m
from desktop_app.store.reference import Lookup
from sync.text import clean, to_latin_digits
from sync.workflow import Status

#: A name in Persian and in English.
Names = tuple[str, str]
#: The reason code of a duplicate, the one closing reason that links an original.
DUPLICATE = "duplicate"


@dataclass(frozen=True)
class CategoryChoice:
    """A category, with its family's names for grouping it in a list."""

    code: str
    names: Names
    family: Names


@dataclass(frozen=True)
class District:
    code: str
    names: Names
    neighbourhoods: tuple[tuple[str, Names], ...]


@dataclass(frozen=True)
class WalkInChoices:
    """The office's own districts (its enrolment scope) with their neighbourhoods,
    and every category."""

    districts: tuple[District, ...]
    categories: tuple[CategoryChoice, ...]


@dataclass(frozen=True)
class EditChoices:
    """The neighbourhoods of the request's district, and every category."""

    neighbourhoods: tuple[tuple[str, Names], ...]
    categories: tuple[CategoryChoice, ...]


@dataclass(frozen=True)
class Registered:
    """A request just registered, as the clerk reads it out to the citizen."""

    id: uuid.UUID
    tracking_code: str
    category: Names | None
    neighbourhood: Names | None
    status: Status


@dataclass(frozen=True)
class OutcomeChoices:
    """What the outcome dialog needs before the clerk can choose."""

    tracking_codes: tuple[str, ...]
    statuses: tuple[Status, ...]
    reasons: tuple[tuple[str, Names], ...]


@dataclass(frozen=True)
class Original:
    """The request a duplicate points to, as the clerk will recognise it."""

    id: uuid.UUID
    tracking_code: str
    status: Status
    category: Names | None
    neighbourhood: Names | None


def _categories(session: Session) -> tuple[CategoryChoice, ...]:
    families = {f.code: (f.name_fa, f.name_en)
                for f in session.scalars(sa.select(m.CategoryFamily))}
    return tuple(CategoryChoice(c.code, (c.name_fa, c.name_en),
                                families.get(c.family_code, ("", "")))
                 for c in session.scalars(sa.select(m.Category)))


def load_walk_in_choices(store: Store) -> WalkInChoices:
    codes = list(office_scope(store).districts)
    with store.sessions() as session:
        districts = {d.code: d for d in session.scalars(
            sa.select(m.District).where(m.District.code.in_(codes)))}
        hoods: dict[str, list[tuple[str, Names]]] = {}
        for n in session.scalars(sa.select(m.Neighbourhood)
                                 .where(m.Neighbourhood.district_code.in_(codes))):
            hoods.setdefault(n.district_code, []).append((n.code, (n.name_fa, n.name_en)))
        return WalkInChoices(
            districts=tuple(District(code, (districts[code].name_fa, districts[code].name_en),
                                     tuple(hoods.get(code, ()))) for code in codes),
            categories=_categories(session),
        )


def load_edit_choices(store: Store, district_code: str) -> EditChoices:
    with store.sessions() as session:
        hoods = session.execute(
            sa.select(m.Neighbourhood.code, m.Neighbourhood.name_fa, m.Neighbourhood.name_en)
            .where(m.Neighbourhood.district_code == district_code)).all()
        return EditChoices(tuple((code, (fa, en)) for code, fa, en in hoods),
                           _categories(session))


def load_registered(store: Store, request_id: uuid.UUID) -> Registered:
    """A request as the walk-in form's last page shows it (code, what, where, status)."""
    with store.sessions() as session:
        request = session.get(m.ServiceRequest, request_id)
        assert request is not None, request_id
        category = session.get(m.Category, request.category_code)
        hood = session.get(m.Neighbourhood, request.neighbourhood_code)
        return Registered(
            request.id, request.tracking_code,
            (category.name_fa, category.name_en) if category else None,
            (hood.name_fa, hood.name_en) if hood else None, Status(request.status))


def load_outcome_choices(store: Store, request_ids: Sequence[uuid.UUID]) -> OutcomeChoices:
    """The requests' codes and statuses (in the order given; one the office no
    longer has is left out) and the closing reasons, the duplicate first."""
    with store.sessions() as session:
        rows = session.execute(
            sa.select(m.ServiceRequest.id, m.ServiceRequest.tracking_code, m.ServiceRequest.status)
            .where(m.ServiceRequest.id.in_(list(request_ids)))
        ).all()
        by_id = {row.id: row for row in rows}
        found = [by_id[i] for i in request_ids if i in by_id]
        reasons = session.execute(
            sa.select(m.Reason.code, m.Reason.name_fa, m.Reason.name_en).order_by(m.Reason.code)
        ).all()
        # The duplicate reason first: it is the one most often chosen (domain.md).
        ordered = sorted(reasons, key=lambda r: (r.code != DUPLICATE, r.code))
        return OutcomeChoices(
            tracking_codes=tuple(r.tracking_code for r in found),
            statuses=tuple(Status(r.status) for r in found),
            reasons=tuple((r.code, (r.name_fa, r.name_en)) for r in ordered),
        )


def normalise_code(text: str) -> str:
    """A tracking code as typed (any digits, stray spaces) in its stored form."""
    return to_latin_digits(clean(text)).replace(" ", "")


def find_original(store: Store, tracking_code: str) -> Original | None:
    """The request with this tracking code (typed any way), or ``None``."""
    code = normalise_code(tracking_code)
    if not code:
        return None
    with store.sessions() as session:
        request = session.scalar(
            sa.select(m.ServiceRequest).where(m.ServiceRequest.tracking_code == code))
        if request is None:
            return None
        names = Lookup(session)
        return Original(request.id, request.tracking_code, Status(request.status),
                        names.categories.get(request.category_code),
                        names.neighbourhoods.get(request.neighbourhood_code))
