"""The groupings of the summary report (``--by region|district|…``): one table.

Everything a grouping is lives in its row of :data:`GROUPINGS`: its code (the
command line's ``--by`` and the CSV's meaning of ``group``), its names on paper and
on screen, the name of the requests that have no value for it, the SQL key a
request is grouped by and the query of the groups that belong in the report (those
without requests included, in display order).  The figures, the PDF, the CSV and
workbook, the window's reports page and the command line all read this table, so
a new grouping is a new row here (and its test), nothing else.

The SQL is built when a report runs (the table modules are imported then), so that
the command line can offer ``--by`` without loading the database layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlalchemy as sa

    #: Limits a code column to the report's districts (``true`` for every district).
    InScope = Callable[[sa.ColumnElement[Any]], sa.ColumnElement[bool]]


def _tables() -> Any:
    from desktop_app.store import models

    return models


@dataclass(frozen=True)
class Grouping:
    """One way to group the summary report."""

    code: str
    #: What a group is, on paper and in the window: «منطقه» / "Region".
    label_fa: str
    label_en: str
    #: The SQL key of a request row.
    key: Callable[[], sa.ColumnElement[Any]]
    #: The groups of the report's districts as (code, Persian name), in display order.
    members: Callable[[InScope], sa.Select[Any]]
    #: The group of requests without a value («بدون محله» / "No neighbourhood").
    unset_fa: str = "—"
    unset_en: str = "—"
    #: Names of keys outside the members (a crew of another district): (code, name).
    other_names: Callable[[], sa.Select[Any]] | None = None
    #: The reference table that names groups in both languages, for the window
    #: (``desktop_app.store.reference.Lookup`` attribute); ``None``: the report's names.
    lookup: str | None = None

    @property
    def labels(self) -> tuple[str, str]:
        return self.label_fa, self.label_en

    @property
    def unset(self) -> tuple[str, str]:
        return self.unset_fa, self.unset_en


def _regions(in_scope: InScope) -> sa.Select[Any]:
    import sqlalchemy as sa

    m = _tables()
    regions, districts = m.Region.__table__, m.District.__table__
    in_regions = sa.select(districts.c.region_number).where(in_scope(districts.c.code))
    return (sa.select(regions.c.number, regions.c.name_fa)
            .where(regions.c.number.in_(in_regions)).order_by(regions.c.number))


def _districts(in_scope: InScope) -> sa.Select[Any]:
    import sqlalchemy as sa

    d = _tables().District.__table__
    return sa.select(d.c.code, d.c.name_fa).where(in_scope(d.c.code)).order_by(d.c.code)


def _neighbourhoods(in_scope: InScope) -> sa.Select[Any]:
    import sqlalchemy as sa

    n = _tables().Neighbourhood.__table__
    return (sa.select(n.c.code, n.c.name_fa).where(in_scope(n.c.district_code))
            .order_by(n.c.district_code, n.c.code))


def _categories(in_scope: InScope) -> sa.Select[Any]:
    import sqlalchemy as sa

    c = _tables().Category.__table__
    return sa.select(c.c.code, c.c.name_fa).order_by(c.c.family_code, c.c.code)


def _channels(in_scope: InScope) -> sa.Select[Any]:
    import sqlalchemy as sa

    ch = _tables().Channel.__table__
    return sa.select(ch.c.code, ch.c.name_fa).order_by(ch.c.code)


def _crews(in_scope: InScope) -> sa.Select[Any]:
    import sqlalchemy as sa

    crews = _tables().Crew.__table__
    return (sa.select(crews.c.id, crews.c.name).where(in_scope(crews.c.district_code))
            .order_by(crews.c.district_code, crews.c.name))


def _every_crew() -> sa.Select[Any]:
    import sqlalchemy as sa

    crews = _tables().Crew.__table__
    return sa.select(crews.c.id, crews.c.name)


def _request(column: str) -> Callable[[], sa.ColumnElement[Any]]:
    """The key: a column of the request row."""
    return lambda: _tables().ServiceRequest.__table__.c[column]


def _region_of_district() -> sa.ColumnElement[Any]:
    """The key of regions: the region of the request's district (a join)."""
    column: sa.ColumnElement[Any] = _tables().District.__table__.c.region_number
    return column


_TABLE = (
    Grouping("region", "منطقه", "Region", _region_of_district, _regions, lookup="regions"),
    Grouping("district", "ناحیه", "District", _request("district_code"), _districts,
             lookup="districts"),
    Grouping("neighbourhood", "محله", "Neighbourhood", _request("neighbourhood_code"),
             _neighbourhoods, unset_fa="بدون محله", unset_en="No neighbourhood",
             lookup="neighbourhoods"),
    Grouping("category", "موضوع", "Category", _request("category_code"), _categories,
             lookup="categories"),
    Grouping("channel", "روش تماس", "Channel", _request("channel"), _channels,
             lookup="channels"),
    # Work done by a crew of another district still belongs in the table, under the
    # crew's own name.
    Grouping("crew", "اکیپ", "Crew", _request("crew_id"), _crews, unset_fa="بدون اکیپ",
             unset_en="No crew", other_names=_every_crew),
)

#: The groupings by code, in the order the window offers them.
GROUPING: dict[str, Grouping] = {g.code: g for g in _TABLE}
#: The codes of ``daftar report summary --by`` (DESIGN.md).
GROUPINGS: tuple[str, ...] = tuple(GROUPING)
