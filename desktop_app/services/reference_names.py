"""The words behind the codes a request row holds — categories, neighbourhoods,
districts, channels and crews — and the choices of the table's filters.

A few dozen rows, read in one go when the table opens and again when crews change,
so that the window turns codes into names without a query per cell.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from desktop_app.store import models as m

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

    def pairs(model: Any, key: str) -> dict[Any, NamePair]:
        query = sa.select(getattr(model, key), model.name_fa, model.name_en)
        return {code: (fa, en) for code, fa, en in conn.execute(query)}

    crews = {
        row.id: Crew(row.id, row.name, row.district_code, row.active)
        for row in conn.execute(sa.select(m.Crew.id, m.Crew.name, m.Crew.district_code,
                                          m.Crew.active))
    }
    return Names(
        categories=pairs(m.Category, "code"),
        neighbourhoods=pairs(m.Neighbourhood, "code"),
        neighbourhood_district={code: district for code, district in conn.execute(
            sa.select(m.Neighbourhood.code, m.Neighbourhood.district_code))},
        districts=pairs(m.District, "code"),
        channels=pairs(m.Channel, "code"),
        crews=crews,
    )
