"""Which districts this office serves."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from desktop_app.store import models as m
from desktop_app.store.db import Store


@dataclass(frozen=True)
class OfficeScope:
    """The districts an office serves, in region order."""

    districts: tuple[str, ...]
    #: The centre's own office: every district (reports then say "all regions").
    everywhere: bool


def office_scope(store: Store) -> OfficeScope:
    """The enrolment scope as the centre last gave it; before enrolment, the
    districts of the office's requests and crews (a demo or a restored backup); and
    for an office with neither yet, every district."""
    # The identity as sync_state keeps it (not through sync_service: a report needs
    # no network client).
    from desktop_app.services.sync_state import stored_identity

    with store.sessions() as session:
        identity = stored_identity(session)
        every = list(session.scalars(
            sa.select(m.District.code).order_by(m.District.region_number, m.District.code)))
        if identity is not None:
            if identity.all_districts:
                return OfficeScope(tuple(every), True)
            wanted = set(identity.districts)
        else:
            wanted = set(session.scalars(sa.select(m.ServiceRequest.district_code).distinct()))
            wanted |= set(session.scalars(sa.select(m.Crew.district_code).distinct()))
    if not wanted or wanted >= set(every):
        return OfficeScope(tuple(every), True)
    return OfficeScope(tuple(code for code in every if code in wanted), False)
