"""Issuing work orders: print, then tell the centre.

A use case, not a report: it renders with :mod:`desktop_app.reports.workorders`
and then records a "work order issued" event per request through the
:class:`~desktop_app.services.requests.Desk` — only once the PDF is completely
written, so a failed print is never recorded as issued.  ``daftar workorders``
(:func:`cli_workorders`) and the window's print actions both come here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import uuid
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from desktop_app.reports.workorders import (
    DaySheetCover, WorkOrderData, load_crew_day, load_day_sheet_cover, load_work_orders,
    render_work_orders, write_atomically,
)
from desktop_app.errors import ServiceError
from desktop_app.services.requests import Actor, Desk
from desktop_app.store import models as m
from desktop_app.store.db import Store
from sync.text import clean, search_key, to_latin_digits
from sync.workflow import Role

#: Who the command line acts as: its prints are recorded like any other.
CLI_ACTOR = Actor(username="cli", role=Role.SUPERVISOR, display_name="خط فرمان")


def _issue(store: Store, actor: Actor, items: Sequence[WorkOrderData], out: Path, *,
           page_size: str, cover: DaySheetCover | None = None) -> Path:
    path = write_atomically(out, lambda part: render_work_orders(
        items, part, page_size=page_size, cover=cover))
    if items:
        Desk(store.sessions, actor).record_work_orders_issued([i.request_id for i in items])
    return path


def issue_work_orders(store: Store, actor: Actor, request_ids: Sequence[uuid.UUID], out: Path, *,
                      page_size: str = "A4") -> Path:
    """Print work orders to ``out`` and tell the centre: each request gets a
    "work order issued" event — only once the PDF is completely written, so a
    failed print is never recorded as issued."""
    with store.sessions() as session:
        items = load_work_orders(session, request_ids)
    return _issue(store, actor, items, out, page_size=page_size)


def issue_crew_day(store: Store, actor: Actor, crew_id: uuid.UUID, day: dt.date, out: Path, *,
                   page_size: str = "A4") -> Path:
    """Print a crew's day sheet (cover, then its open work in route order) and
    record a "work order issued" event for each request on it.  A crew with no
    open work still gets its cover, saying so."""
    with store.sessions() as session:
        cover = load_day_sheet_cover(session, crew_id, day)
        items = load_crew_day(session, crew_id, day)
    return _issue(store, actor, items, out, page_size=page_size, cover=cover)


# ---------------------------------------------------------------- command line


def _request_ids(session: Session, codes: Sequence[str]) -> list[uuid.UUID]:
    """Tracking codes as typed (any digits) to request ids, in the order given."""
    wanted = [to_latin_digits(clean(code)) for code in codes]
    found = {code: request_id for code, request_id in session.execute(
        sa.select(m.ServiceRequest.tracking_code, m.ServiceRequest.id)
        .where(m.ServiceRequest.tracking_code.in_(wanted))
    )}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        raise ServiceError(
            "unknown_tracking_code",
            f"unknown tracking code(s): {', '.join(unknown)} — check the code, or run "
            "`daftar sync` if the request was referred to this office only just now",
            codes=unknown,
        )
    return [found[code] for code in wanted]


def find_crew(session: Session, crew: str) -> uuid.UUID:
    """A crew by its id or its name, as typed: any ی/ي, digits, spacing or ZWNJ."""
    text = clean(crew)
    try:
        crew_id = uuid.UUID(text)
    except ValueError:
        pass
    else:
        if session.get(m.Crew, crew_id) is not None:
            return crew_id
    crews = session.execute(sa.select(m.Crew.id, m.Crew.name, m.Crew.active)).all()
    matches = [c for c in crews if search_key(c.name) == search_key(text)]
    if len(matches) > 1:
        matches = [c for c in matches if c.active] or matches
    if len(matches) == 1:
        return matches[0].id
    if matches:
        raise ServiceError("ambiguous_crew",
                           f"more than one crew is called {text!r}: give the crew's id instead "
                           f"({', '.join(str(c.id) for c in matches)})", crew=text)
    names = ", ".join(sorted(c.name for c in crews if c.active)) or "none"
    raise ServiceError("unknown_crew", f"no crew {text!r}; the crews are: {names}", crew=text)


def cli_workorders(store: Store, args: argparse.Namespace) -> int:
    """``daftar workorders (--request CODE ... | --crew CREW --date D) --out FILE.pdf``.

    Runs as the user ``cli`` with the supervisor's role: its prints are recorded
    like any other."""
    out: Path = args.out
    with store.sessions() as session:
        if args.requests:
            cover = None
            items = load_work_orders(session, _request_ids(session, args.requests))
        else:
            crew_id = find_crew(session, args.crew)
            cover = load_day_sheet_cover(session, crew_id, args.date)
            items = load_crew_day(session, crew_id, args.date)
    _issue(store, CLI_ACTOR, items, out, page_size=args.page_size, cover=cover)
    if items:
        print(f"{len(items)} work order(s) written to {out}")
    else:
        print(f"the crew has no open work: its cover alone was written to {out}")
    return 0
