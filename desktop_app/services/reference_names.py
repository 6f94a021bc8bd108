"""The words behind the codes a request row holds — categories, neighbourhoods,
districts, channels and crews — and the choices of the table's filters.

A few dozen rows, read in one go when the table opens and again when crews change,
so that the window turns codes into names without a query per cell.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa

from desktop_app.store import models as m
from desktop_app.store.reference import Lookup

#: A reference name as ``(name_fa, name_en)``.
NamePair = tuple[str, str]


@dataclass(frozen=True)
class Crew:
    id: uuid.UUID
    name: str
    district_code: str
    active: bool


@dataclass(frozen=True)
class Names:
    """The words behind the codes a row holds, and the choices of the filters."""

    categories: dict[str, NamePair]
    neighbourhoods: dict[str, NamePair]
    #: neighbourhood code -> district code, to group the neighbourhood choices.
    neighbourhood_district: dict[str, str]
    districts: dict[str, NamePair]
    channels: dict[str, NamePair]
    crews: dict[uuid.UUID, Crew]


def read_names(conn: sa.Connection) -> Names:
    """Reference names and crews, as the office database holds them now."""
    lookup = Lookup(conn)
    crews = {
        row.id: Crew(row.id, row.name, row.district_code, row.active)
        for row in conn.execute(sa.select(m.Crew.id, m.Crew.name, m.Crew.district_code,
                                          m.Crew.active))
    }
    return Names(
        categories=lookup.categories,  # type: ignore[arg-type]
        neighbourhoods=lookup.neighbourhoods,  # type: ignore[arg-type]
        neighbourhood_district=lookup.neighbourhood_district,
        districts=lookup.districts,  # type: ignore[arg-type]
        channels=lookup.channels,  # type: ignore[arg-type]
        crews=crews,
    )
