"""Issuing work orders: print, then tell the centre.

A use case, not a report: it renders with :mod:`desktop_app.reports.workorders`
and then records a "work order issued" event per request through the
:class:`~desktop_app.services.requests.Desk` — only once the PDF is completely
written, so a failed or cancelled print is never recorded as issued.
``daftar workorders`` (:mod:`desktop_app.cli.workorders`) and the window's print
actions both come here.

The window prints in two parts, so that a batch of 500 never holds the database
thread: :func:`draw_work_orders` / :func:`draw_crew_day` read the requests in short
steps through ``on_db`` (each step a read on the database thread, which serves the
request table between them) and draw the PDF wherever they run, into a temporary
file; :func:`issue` then puts the file in place and records the events, in one short
database action.  A cancel between the two discards the file and records nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa

from desktop_app.reports.files import AtomicFile
from desktop_app.reports.progress import Cancelled as Cancelled  # the window's, too
from desktop_app.reports.progress import NO_PROGRESS, OnDb, Progress, run_here, step
from desktop_app.reports.workorders import (
    DaySheetCover, WorkOrderData, WorkOrderReference, crew_day_ids, in_route_order,
    load_day_sheet_cover, load_work_orders, render_work_orders,
)
from desktop_app.services.requests import Actor, Changes, Desk
from desktop_app.store import models as m
from desktop_app.store.db import Store
from sync.batching import chunks

T = TypeVar("T")


def issue_work_orders(store: Store, actor: Actor, request_ids: Sequence[uuid.UUID], out: Path, *,
                      page_size: str = "A4") -> Path:
    """Print work orders to ``out`` and tell the centre: each request gets a
    "work order issued" event — only once the PDF is completely written, so a
    failed print is never recorded as issued."""
    return issue(store, actor, draw_work_orders(store, request_ids, out, page_size=page_size)).path


def issue_crew_day(store: Store, actor: Actor, crew_id: uuid.UUID, day: dt.date, out: Path, *,
                   page_size: str = "A4") -> Path:
    """Print a crew's day sheet (cover, then its open work in route order) and
    record a "work order issued" event for each request on it.  A crew with no
    open work still gets its cover, saying so."""
    return issue(store, actor, draw_crew_day(store, crew_id, day, out, page_size=page_size)).path


# ------------------------------------------------------------ in steps (window)

#: Work orders read in one step on the database thread: a table query that comes
#: in meanwhile waits for one step at most.
READ_STEP = 50

#: The stages of a print, as its progress names them: each counts the work orders.
STAGES = ("reading", "drawing")

@dataclass
class Printout:
    """A PDF drawn but not issued yet: complete in ``file.part``, not in place."""

    file: AtomicFile
    request_ids: list[uuid.UUID]

    @property
    def path(self) -> Path:
        return self.file.out

    def discard(self) -> None:
        self.file.discard()


@dataclass(frozen=True)
class Issued:
    """Work orders printed and recorded: where the PDF is and what changed."""

    path: Path
    changes: Changes


def _read_in_steps(store: Store, request_ids: Sequence[uuid.UUID], state: Progress,
                   on_db: OnDb) -> list[WorkOrderData]:
    """The work orders of ``request_ids``, read :data:`READ_STEP` at a time, each step
    a session of its own on ``on_db``; the reference names once for all."""
    def read(work: Callable[..., T], *args: object) -> T:
        def in_session() -> T:
            with store.sessions() as session:
                return work(session, *args)
        return on_db(in_session)

    reference = read(WorkOrderReference.read)
    items: list[WorkOrderData] = []
    for part in chunks(request_ids, READ_STEP):
        step(state, "reading", len(items), len(request_ids))
        items += read(load_work_orders, part, reference)
    return items


def _draw(items: Sequence[WorkOrderData], out: Path, *, page_size: str, state: Progress,
          cover: DaySheetCover | None = None) -> Printout:
    file = AtomicFile(out)
    try:
        render_work_orders(items, file.part, page_size=page_size, cover=cover, state=state)
    except BaseException:
        file.discard()
        raise
    return Printout(file, [item.request_id for item in items])


def draw_work_orders(store: Store, request_ids: Sequence[uuid.UUID], out: Path, *,
                     page_size: str = "A4", state: Progress = NO_PROGRESS,
                     on_db: OnDb = run_here) -> Printout:
    """The work orders of ``request_ids`` (one page each, in the order given), read
    in steps and drawn into a temporary file beside ``out``; :func:`issue` it."""
    ids = list(dict.fromkeys(request_ids))
    items = _read_in_steps(store, ids, state, on_db)
    return _draw(items, out, page_size=page_size, state=state)


def draw_crew_day(store: Store, crew_id: uuid.UUID, day: dt.date, out: Path, *,
                  page_size: str = "A4", state: Progress = NO_PROGRESS,
                  on_db: OnDb = run_here) -> Printout:
    """A crew's day sheet (cover, then its open work in route order), as
    :func:`draw_work_orders`."""
    def which() -> tuple[DaySheetCover, list[uuid.UUID]]:
        with store.sessions() as session:
            return (load_day_sheet_cover(session, crew_id, day),
                    crew_day_ids(session, crew_id, day))

    cover, ids = on_db(which)
    items = in_route_order(_read_in_steps(store, ids, state, on_db))
    return _draw(items, out, page_size=page_size, state=state, cover=cover)


def issue(store: Store, actor: Actor, printout: Printout) -> Issued:
    """Put a drawn printout in place and record a "work order issued" event for each
    request on it (a database action: the window runs it on its database thread)."""
    path = printout.file.commit()
    changes = Changes([])
    if printout.request_ids:
        changes = Desk(store.sessions, actor).record_work_orders_issued(printout.request_ids)
    return Issued(path, changes)


def active_crews(store: Store) -> list[tuple[uuid.UUID, str]]:
    """The crews a day sheet can be printed for, by name: (id, name)."""
    with store.sessions() as session:
        return [(crew_id, name) for crew_id, name in session.execute(
            sa.select(m.Crew.id, m.Crew.name).where(m.Crew.active.is_(True))
            .order_by(m.Crew.name))]
