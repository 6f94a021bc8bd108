"""What the centre's pages need besides the requests: the words behind the codes,
each category's target days (the deadline a referral gets by default) and the
closing reasons — read together, once, on the database thread.

The reads of the requests themselves (a caller's history, duplicates, the queue,
overdue work) and the centre's moves are :mod:`desktop_app.services.centre`'s; this
module only gathers the small reference tables the call form, the queue and the
overdue page share, as plain frozen data.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from desktop_app.services.form_choices import DUPLICATE, Original, find_original
from desktop_app.services.office import Store
from desktop_app.services.reference_names import NamePair, Names, read_names
from desktop_app.store import models as m

__all__ = ["CentreNames", "Original", "find_original", "load_centre_names"]


@dataclass(frozen=True)
class CentreNames:
    """Reference words and numbers for the centre's pages."""

    names: Names
    #: Category code -> target days (a referral's default deadline).
    target_days: dict[str, int]
    #: Closing reasons (code, names), the duplicate first: the one most chosen.
    reasons: tuple[tuple[str, NamePair], ...]
    #: District codes in region order (the referral's choices).
    districts: tuple[str, ...]


def load_centre_names(store: Store) -> CentreNames:
    with store.engine.connect() as conn:
        names = read_names(conn)
        days = {code: n for code, n in conn.execute(
            sa.select(m.Category.code, m.Category.target_days))}
        reasons = conn.execute(
            sa.select(m.Reason.code, m.Reason.name_fa, m.Reason.name_en).order_by(m.Reason.code)
        ).all()
        districts = tuple(conn.execute(
            sa.select(m.District.code).order_by(m.District.region_number, m.District.code)
        ).scalars())
    ordered = sorted(reasons, key=lambda r: (r.code != DUPLICATE, r.code))
    return CentreNames(names, days, tuple((r.code, (r.name_fa, r.name_en)) for r in ordered),
                       districts)
