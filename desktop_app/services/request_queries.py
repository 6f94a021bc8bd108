"""The requests table's read side: filtered, sorted pages of requests, the counts
beside them and the names behind their codes, each read on a connection of its own.

:class:`RequestQueries` is what the window's reader threads call.  It holds a
read-only engine of its own (:mod:`desktop_app.store.read_engine`), so that a page
never waits behind the desk's writes or a sync round, and it can be interrupted
from another thread: search-as-you-type makes most queries obsolete before they
finish, and stopping the running statement lets the newest keystroke be answered
next.  Which index answers a filter is :mod:`desktop_app.services.request_sql`'s
job; the counts run apart from the pages (the window counts on its own thread,
after the page), because counting a search in most requests needs every hit.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from desktop_app.services import request_sql as sql
from desktop_app.services.reference_names import Names, read_names
from desktop_app.services.request_list import (
    PAGE_SIZE, Counts, Cursor, Interrupted, Page, RequestFilter, RequestRow, Sort,
)
from desktop_app.store.read_engine import open_read_engine
from sync.dates import utcnow
from sync.workflow import Status


def _row(row: sa.Row[Any], target_days: dict[str, int]) -> RequestRow:
    """A table row; its deadline is the one set at referral (``due_at``)."""
    del target_days
    return RequestRow(**row._mapping)


class RequestQueries:
    """Read-only queries for the requests table.  Call from one worker thread;
    :meth:`interrupt` may be called from any thread."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self._lock = threading.Lock()
        self._active: Any = None  # the sqlite3 connection running a statement

    @classmethod
    def for_database(cls, db_path: Path) -> RequestQueries:
        return cls(open_read_engine(db_path))

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------ connection

    @contextmanager
    def _connect(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as conn:
            raw = conn.connection.driver_connection
            with self._lock:
                self._active = raw
            try:
                yield conn
            except sa.exc.OperationalError as exc:
                if "interrupted" in str(exc.orig):
                    raise Interrupted from None
                raise
            finally:
                with self._lock:
                    self._active = None

    def interrupt(self) -> None:
        """Stop the statement now running, if any (it raises :class:`Interrupted`).

        SQLite ignores an interrupt when no statement runs, so a call that comes
        just after a query finished cannot hit the next one."""
        with self._lock:
            if self._active is not None:
                self._active.interrupt()

    # ----------------------------------------------------------------- pages

    def page(self, filt: RequestFilter, sort: Sort = Sort(), after: Cursor | None = None,
             limit: int = PAGE_SIZE, *, now: dt.datetime | None = None) -> Page:
        """Up to ``limit`` rows in ``sort`` order, after ``cursor`` if given."""
        now = now or utcnow()
        with self._connect() as conn:
            days = sql.target_days(conn)
            conditions = sql.filter_tests(filt, days, now=now)
            search = sql.plan_search(conn, filt.text)
            rowids = sql.page_rowids(conn, filt, sort, conditions, search, limit + 1,
                                     None if after is None else sql.after_cursor(sort, after), days, now)
            # Rowids first, then the rows: SQLite would otherwise carry every column
            # of every row it sorts through the sorter.
            result = conn.execute(sa.select(*sql.row_columns()).where(sql.rowid_in(rowids))
                                  .order_by(*sql.sort_order(sort))).all() if rowids else []
        return Page([_row(row, days) for row in result[:limit]], has_more=len(result) > limit)

    def rows(self, request_ids: Sequence[uuid.UUID]) -> list[RequestRow]:
        """The current state of some requests, by id (after an action changed them)."""
        if not request_ids:
            return []
        with self._connect() as conn:
            result = conn.execute(sa.select(*sql.row_columns())
                                  .where(sql.REQUESTS.c.id.in_(list(request_ids)))).all()
            days = sql.target_days(conn)
        return [_row(row, days) for row in result]

    def names(self) -> Names:
        """Reference names and crews: a few dozen rows, read when the table opens
        and again when crews change."""
        with self._connect() as conn:
            return read_names(conn)

    # ---------------------------------------------------------------- counts

    def counts(self, filt: RequestFilter, *, now: dt.datetime | None = None) -> Counts:
        """Requests per status and overdue ones, under ``filt`` without its status
        and overdue choices.

        Without a search or a period, the counts by status are sums of the status
        counters (:mod:`desktop_app.store.status_counts`: 12-36 ms on a million
        requests under load, where the index took 490-1000 ms), and the overdue
        count a range of the open requests' deadline index.  Otherwise, or while a
        first sync has the counters set aside, both read ``ix_requests_by_status``
        alone: naming every status (and, for a
        period without a category, every category) turns the counts into one seek
        per status (and category), each a run of exactly the requests counted, in
        status order — no row read, nothing sorted.  The overdue count seeks the
        open statuses the same way, up to the latest cutoff; with a search in many
        requests it is made in the same pass, so that the hits are gathered once."""
        now = now or utcnow()
        t = sql.REQUESTS.c
        with self._connect() as conn:
            days = sql.target_days(conn)
            if sql.counters_answer(conn, filt):
                by_status = sql.counted_by_status(conn, filt)
                overdue = sql.overdue_count(conn, filt, days, now)
                return Counts({s.value: by_status.get(s.value, 0) for s in Status}, overdue)
            base = sql.filter_tests(filt, days, now=now, with_status=False, with_overdue=False)
            search = sql.plan_search(conn, filt.text, counting=True)
            hint = f"INDEXED BY {sql.BY_STATUS}" if sql.BY_STATUS in sql.list_indexes(conn) else None
            if search is not None and search.rowids is not None:
                base.append(sql.rowid_in(search.rowids))
                hint = "NOT INDEXED"  # few hits: look each up by rowid
            elif search is not None and search.test is not None:
                base.append(search.test)
            every_status = t.status.in_([s.value for s in Status])
            # Naming every category makes a seek per (status, category) from which
            # a period is a range; without a period, the statuses alone do.
            every_category = [t.category_code.in_(sorted(days))] if days and not filt.category else []
            period = sql.every_category(filt, days)
            late = sql.overdue_test(days, now)
            by_status: dict[str, int]
            if search is not None and search.test is not None:
                # A search in many requests: its hits are gathered once, for both
                # counts in one pass (two statements would gather them twice).
                by_status, overdue = {}, 0
                for status, n, n_late in conn.execute(sql.hinted(
                        sa.select(t.status, sa.func.count(),
                                  sa.func.sum(sa.case((late, 1), else_=0)))
                        .select_from(sql.REQUESTS).where(every_status, *period, *base), hint)
                        .group_by(t.status)):
                    by_status[status], overdue = n, overdue + (n_late or 0)
            else:
                by_status = {status: n for status, n in conn.execute(sql.hinted(
                    sa.select(t.status, sa.func.count()).select_from(sql.REQUESTS)
                    .where(every_status, *period, *base), hint).group_by(t.status))}
                overdue = conn.execute(sql.hinted(
                    sa.select(sa.func.count()).select_from(sql.REQUESTS)
                    .where(*every_category, *base, late), hint)).scalar_one()
        return Counts({s.value: by_status.get(s.value, 0) for s in Status}, overdue)
