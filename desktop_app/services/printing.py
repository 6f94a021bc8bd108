"""Issuing work orders: print, then tell the centre.

A use case, not a report: it renders with :mod:`desktop_app.reports.workorders`
and then records a "work order issued" event per request through the
:class:`~desktop_app.services.requests.Desk` — only once the PDF is completely
written, so a failed print is never recorded as issued.  ``daftar workorders``
(:mod:`desktop_app.cli.workorders`) and the window's print actions both come here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from pathlib import Path

from desktop_app.reports.workorders import (
    DaySheetCover, WorkOrderData, load_crew_day, load_day_sheet_cover, load_work_orders,
    render_work_orders, write_atomically,
)
from desktop_app.services.requests import Actor, Desk
from desktop_app.store.db import Store


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
