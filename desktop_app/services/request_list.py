"""What the requests table asks and gets back: the clerk's filter and sort, a page
of rows, the counts beside the table.

Plain frozen dataclasses, so that the window holds no database object and a row
read on a worker thread can be shown on the GUI thread as it is.  Pages are read
by :class:`desktop_app.services.request_queries.RequestQueries`; the SQL behind a
filter is :mod:`desktop_app.services.request_sql`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sync.workflow import OPEN_STATUSES

#: Rows per page: enough to fill a tall window twice, small enough to come back
#: at once.
PAGE_SIZE = 200

#: Columns the table can be sorted by: each has an index, so the first page of a
#: sort is read in index order (``crew_id`` and ``neighbourhood_code`` group rows
#: by crew and neighbourhood; within a group the newest arrivals come first).
SORT_KEYS = ("received_at", "tracking_code", "category_code", "neighbourhood_code", "crew_id")

_OPEN = frozenset(s.value for s in OPEN_STATUSES)


@dataclass(frozen=True)
class RequestFilter:
    """What the clerk narrowed the table to.  Empty or ``None`` means "any".

    ``first_day``/``last_day`` are whole days in Tehran time, both inclusive.
    """

    statuses: frozenset[str] = frozenset()
    category: str | None = None
    neighbourhood: str | None = None
    crew: uuid.UUID | None = None
    channel: str | None = None
    overdue: bool = False
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    text: str = ""


@dataclass(frozen=True)
class Sort:
    key: str = "received_at"
    descending: bool = True

    def __post_init__(self) -> None:
        if self.key not in SORT_KEYS:
            raise ValueError(f"cannot sort by {self.key!r}: no index (sortable: {SORT_KEYS})")


#: Where a page ends: (sort key value, received_at, rowid) of its last row.
Cursor = tuple[Any, dt.datetime, int]


@dataclass(frozen=True)
class RequestRow:
    """One line of the table, as read; names are resolved by the UI."""

    rowid: int
    id: uuid.UUID
    tracking_code: str
    received_at: dt.datetime
    status: str
    channel: str
    district_code: str
    neighbourhood_code: str | None
    category_code: str
    description: str
    citizen_name: str
    citizen_phone: str | None
    address: str
    crew_id: uuid.UUID | None
    #: The deadline set at referral (the centre's, or the category's target days
    #: from then); ``None`` while the request waits for verification.
    due_at: dt.datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status in _OPEN

    def is_overdue(self, now: dt.datetime) -> bool:
        """Open and past its deadline."""
        return self.is_open and self.due_at is not None and self.due_at < now

    def cursor(self, sort: Sort) -> Cursor:
        return (getattr(self, sort.key), self.received_at, self.rowid)


@dataclass(frozen=True)
class Page:
    rows: list[RequestRow]
    #: True when at least one more row follows the last one.
    has_more: bool


@dataclass(frozen=True)
class Counts:
    """Counts beside the table, under the current filter *except* its status and
    overdue choices: the clerk sees how the filtered work splits by status."""

    by_status: dict[str, int] = field(default_factory=dict)
    overdue: int = 0

    def total(self, statuses: frozenset[str] = frozenset()) -> int:
        return sum(n for s, n in self.by_status.items() if not statuses or s in statuses)


class Interrupted(Exception):
    """The running query was stopped by
    :meth:`~desktop_app.services.request_queries.RequestQueries.interrupt`."""
