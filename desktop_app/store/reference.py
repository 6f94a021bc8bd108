"""Reference data in the office database: installing a whole reference set, and
the names and target days behind its codes.

The centre owns the reference (districts, neighbourhoods, categories, channels,
reasons); an office gets it on its first run, from the demo or with sync, and
reads it on every screen.  :func:`install` merges by code, so installing the same
set twice changes nothing; :class:`Lookup` reads each table once per session.
"""

from __future__ import annotations

from dataclasses import asdict
from functools import cached_property

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop_app.store import models as m
from sync.reference import ReferenceSet


def install(session: Session, ref: ReferenceSet) -> None:
    """Put a whole reference set into an office database (first run, demo, tests).

    Rows are merged by code, so installing the same set again changes nothing."""
    rows: list[tuple[type[m.Base], list[dict[str, object]]]] = [
        (m.Region, [asdict(r) for r in ref.regions]),
        (m.District, [asdict(d) for d in ref.districts]),
        (m.Neighbourhood, [asdict(n) for n in ref.neighbourhoods]),
        (m.CategoryFamily, [asdict(f) for f in ref.families]),
        (m.Category, [asdict(c) for c in ref.categories]),
        (m.Channel, [asdict(c) for c in ref.channels]),
        (m.Reason, [asdict(r) for r in ref.reasons]),
    ]
    for model, values in rows:
        for value in values:
            session.merge(model(**value))
    session.flush()


class Lookup:
    """Names and target days by code, read once from an office database (through
    a session or a plain connection)."""

    def __init__(self, session: Session | sa.Connection):
        self._session = session

    def _names(self, model: type[m.Base], key: str) -> dict[object, tuple[str, str]]:
        rows = self._session.execute(
            sa.select(getattr(model, key), model.name_fa, model.name_en)  # type: ignore[attr-defined]
        )
        return {code: (fa, en) for code, fa, en in rows}

    @cached_property
    def regions(self) -> dict[object, tuple[str, str]]:
        return self._names(m.Region, "number")

    @cached_property
    def districts(self) -> dict[object, tuple[str, str]]:
        return self._names(m.District, "code")

    @cached_property
    def district_region(self) -> dict[str, int]:
        rows = self._session.execute(sa.select(m.District.code, m.District.region_number))
        return {code: region for code, region in rows}

    @cached_property
    def neighbourhoods(self) -> dict[object, tuple[str, str]]:
        return self._names(m.Neighbourhood, "code")

    @cached_property
    def neighbourhood_district(self) -> dict[str, str]:
        rows = self._session.execute(sa.select(m.Neighbourhood.code, m.Neighbourhood.district_code))
        return {code: district for code, district in rows}

    @cached_property
    def categories(self) -> dict[object, tuple[str, str]]:
        return self._names(m.Category, "code")

    @cached_property
    def target_days(self) -> dict[str, int]:
        rows = self._session.execute(sa.select(m.Category.code, m.Category.target_days))
        return {code: days for code, days in rows}

    @cached_property
    def channels(self) -> dict[object, tuple[str, str]]:
        return self._names(m.Channel, "code")

    @cached_property
    def reasons(self) -> dict[object, tuple[str, str]]:
        return self._names(m.Reason, "code")
