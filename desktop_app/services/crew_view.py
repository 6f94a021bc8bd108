"""The office's crews as the crew dialogs show them: the list a manager keeps
(:func:`load_crews`) and the active crews a supervisor assigns work to, each with
how much open work it already holds (:func:`load_assign_choices`).

Reads only, on the database thread, returning plain frozen dataclasses: the dialogs
hold no ORM row and open no session.  Saving a crew is the Desk's
(:meth:`~desktop_app.services.requests.Desk.save_crew`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from desktop_app.services.office import Store
from desktop_app.services.scope import office_scope
from desktop_app.store import models as m
from desktop_app.store.reference import Lookup
from sync.workflow import OPEN_STATUSES

#: A name in Persian and in English.
Names = tuple[str, str]


@dataclass(frozen=True)
class CrewRow:
    id: uuid.UUID
    name: str
    supervisor: str
    phone: str
    district_code: str
    active: bool


@dataclass(frozen=True)
class CrewList:
    crews: tuple[CrewRow, ...]
    # District codes and names a crew can belong to: the office's own, plus any
    # other a crew already belongs to.
    districts: tuple[tuple[str, Names], ...]


@dataclass(frozen=True)
class CrewChoice:
    id: uuid.UUID
    name: str
    supervisor: str
    district: Names | None
    open_work: int


@dataclass(frozen=True)
class AssignChoices:
    tracking_codes: tuple[str, ...]
    # The crew every chosen request already has, if they share one.
    current_crew: uuid.UUID | None
    crews: tuple[CrewChoice, ...]


def load_crews(store: Store) -> CrewList:
    """Every crew, active ones first, by name; and the districts they may belong to."""
    codes = list(office_scope(store).districts)
    with store.sessions() as session:
        crews = session.scalars(sa.select(m.Crew).order_by(m.Crew.active.desc(), m.Crew.name)).all()
        codes += sorted({c.district_code for c in crews} - set(codes))
        names = {d.code: (d.name_fa, d.name_en)
                 for d in session.scalars(sa.select(m.District).where(m.District.code.in_(codes)))}
        return CrewList(
            crews=tuple(CrewRow(c.id, c.name, c.supervisor, c.phone or "", c.district_code,
                                c.active) for c in crews),
            districts=tuple((code, names[code]) for code in codes if code in names),
        )


def load_assign_choices(store: Store, request_ids: Sequence[uuid.UUID]) -> AssignChoices:
    """The requests' codes, the crew they share (if any), and the active crews: the
    requests' own districts' first, then the others, each by name."""
    with store.sessions() as session:
        requests = session.execute(
            sa.select(m.ServiceRequest.tracking_code, m.ServiceRequest.district_code,
                      m.ServiceRequest.crew_id)
            .where(m.ServiceRequest.id.in_(list(request_ids)))
            .order_by(m.ServiceRequest.tracking_code)
        ).all()
        load = dict(session.execute(
            sa.select(m.ServiceRequest.crew_id, sa.func.count())
            .where(m.ServiceRequest.crew_id.is_not(None),
                   m.ServiceRequest.status.in_([s.value for s in OPEN_STATUSES]))
            .group_by(m.ServiceRequest.crew_id)
        ).all())
        names = Lookup(session)
        districts = {r.district_code for r in requests}
        crews = session.scalars(sa.select(m.Crew).where(m.Crew.active.is_(True))).all()
        # The requests' own district's crews first; then the others, for help from
        # a neighbouring district.
        crews = sorted(crews, key=lambda c: (c.district_code not in districts, c.name))
        current = {r.crew_id for r in requests}
        return AssignChoices(
            tracking_codes=tuple(r.tracking_code for r in requests),
            current_crew=next(iter(current)) if len(current) == 1 else None,
            crews=tuple(CrewChoice(c.id, c.name, c.supervisor, names.districts.get(c.district_code),
                                   load.get(c.id, 0)) for c in crews),
        )
