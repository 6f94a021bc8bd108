"""The table's read side: every filter, keyset paging in every sort order, counts,
Persian search, and interrupting a query that a newer keystroke made obsolete."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from desktop_app.services import request_sql
from desktop_app.services.request_list import SORT_KEYS, Interrupted, RequestFilter, Sort
from desktop_app.services.request_queries import RequestQueries
from desktop_app.store import fts
from desktop_app.store.db import Store
from desktop_app.store.status_counts import suspend_counts
from sync.dates import UTC
from tests.factories import CREW_A, CREW_B, make_request, office

NOW = dt.datetime(2026, 4, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = office(tmp_path)
    yield store
    store.close()


@pytest.fixture
def queries(store: Store) -> Iterator[RequestQueries]:
    queries = RequestQueries.for_database(store.db_path)
    yield queries
    queries.close()


def day(n: int, hour: int = 8) -> dt.datetime:
    """April ``n`` 2026, ``hour`` UTC."""
    return dt.datetime(2026, 4, n, hour, tzinfo=UTC)


def codes(queries: RequestQueries, filt: RequestFilter, sort: Sort = Sort()) -> list[str]:
    return [row.tracking_code for row in queries.page(filt, sort, now=NOW).rows]


def test_default_order_is_newest_first(store: Store, queries: RequestQueries) -> None:
    old = make_request(store, received_at=day(1))
    new = make_request(store, received_at=day(3))
    mid = make_request(store, received_at=day(2))
    assert codes(queries, RequestFilter()) == [new.tracking_code, mid.tracking_code, old.tracking_code]


def test_each_filter_narrows(store: Store, queries: RequestQueries) -> None:
    base = make_request(store)
    assigned = make_request(store, status="assigned", crew_id=CREW_A)
    web = make_request(store, channel="web")
    pothole = make_request(store, category_code="asphalt", neighbourhood_code="sabze-meydan")
    everything = {r.tracking_code for r in (base, assigned, web, pothole)}
    assert set(codes(queries, RequestFilter())) == everything
    assert codes(queries, RequestFilter(statuses=frozenset({"assigned"}))) == [assigned.tracking_code]
    assert codes(queries, RequestFilter(crew=CREW_A)) == [assigned.tracking_code]
    assert codes(queries, RequestFilter(crew=CREW_B)) == []
    assert codes(queries, RequestFilter(channel="web")) == [web.tracking_code]
    assert codes(queries, RequestFilter(category="asphalt")) == [pothole.tracking_code]
    assert codes(queries, RequestFilter(neighbourhood="sabze-meydan")) == [pothole.tracking_code]


def test_day_range_is_whole_tehran_days(store: Store, queries: RequestQueries) -> None:
    # 20:29 UTC on April 1 is 23:59 in Tehran (still April 1); 20:31 is April 2.
    late = make_request(store, received_at=dt.datetime(2026, 4, 1, 20, 29, tzinfo=UTC))
    next_day = make_request(store, received_at=dt.datetime(2026, 4, 1, 20, 31, tzinfo=UTC))
    april_1 = dt.date(2026, 4, 1)
    assert codes(queries, RequestFilter(first_day=april_1, last_day=april_1)) == [late.tracking_code]
    assert codes(queries, RequestFilter(first_day=april_1 + dt.timedelta(days=1))) == [next_day.tracking_code]


def test_overdue_is_open_and_past_the_category_target(store: Store, queries: RequestQueries) -> None:
    # garbage: 1 target day; asphalt: more than 10 (reference data).
    late = make_request(store, category_code="garbage", received_at=day(18))
    make_request(store, category_code="garbage", received_at=day(20, 8))  # 4 hours old
    make_request(store, category_code="garbage", received_at=day(1), status="done")
    make_request(store, category_code="asphalt", received_at=day(18))
    assert codes(queries, RequestFilter(overdue=True)) == [late.tracking_code]
    row = queries.page(RequestFilter(overdue=True), now=NOW).rows[0]
    assert row.is_overdue(NOW) and row.due_at == day(19)
    assert queries.counts(RequestFilter(), now=NOW).overdue == 1


def test_counts_split_the_filtered_work_by_status(store: Store, queries: RequestQueries) -> None:
    make_request(store)
    make_request(store)
    make_request(store, status="assigned", crew_id=CREW_A)
    make_request(store, status="done", channel="web")
    counts = queries.counts(RequestFilter(statuses=frozenset({"done"})), now=NOW)
    assert counts.by_status == {"received": 0, "referred": 2, "assigned": 1, "in_progress": 0,
                                "done": 1, "not_actionable": 0}
    assert counts.total() == 4 and counts.total(frozenset({"referred", "done"})) == 3
    assert queries.counts(RequestFilter(channel="web"), now=NOW).total() == 1


def test_search_in_persian_with_any_letters_and_digits(store: Store, queries: RequestQueries) -> None:
    hit = make_request(store, citizen_name="رضا كريمي", address="خیابان فین، کوچه ۷", citizen_phone="09137654321")
    make_request(store, citizen_name="مریم صادقی")
    for typed in ("کریمی", "كريمي رضا", "۷۶۵۴۳", "76543", "کوچه ۷", hit.tracking_code):
        assert codes(queries, RequestFilter(text=typed)) == [hit.tracking_code], typed
    assert codes(queries, RequestFilter(text="ناشناس")) == []


@pytest.mark.parametrize("plan", [
    dict(SMALL_HITS=1),  # every term "many": the walk probes each row among the hits
    dict(SMALL_HITS=1, ROW_TEST_SHARE=0),  # every term "very many": each row's text is tested
])
def test_frequent_terms_give_the_same_rows_and_counts_by_walking(
        store: Store, queries: RequestQueries, monkeypatch: pytest.MonkeyPatch,
        plan: dict[str, int]) -> None:
    """Past SMALL_HITS (and ROW_TEST_SHARE) the page comes from testing rows in order,
    not from looking the hits up: the rows and counts must be the same, short words,
    phrases, filters and tracking-code prefixes included."""
    hit = make_request(store, citizen_name="رضا كريمي", address="خیابان فین، کوچه ۷", received_at=day(2))
    other = make_request(store, citizen_name="مریم کریمی", address="خیابان فین، کوچه ۸", received_at=day(1),
                         status="done")
    make_request(store, citizen_name="علی نوری", address="میدان کمال‌الملک", category_code="asphalt")
    typed = ["کریمی", "کوچه ۷", "كريمي رضا", "فین", "رض", "14", "۱"]
    filters = [RequestFilter(), RequestFilter(statuses=frozenset({"done"})),
               RequestFilter(category="garbage", first_day=dt.date(2026, 4, 1))]
    before = {(text, f): (codes(queries, dataclasses.replace(f, text=text)),
                          queries.counts(dataclasses.replace(f, text=text), now=NOW))
              for text in typed for f in filters}
    for name, value in plan.items():
        monkeypatch.setattr(request_sql, name, value)
    for (text, f), (rows, counts) in before.items():
        filt = dataclasses.replace(f, text=text)
        assert codes(queries, filt) == rows, (text, f)
        assert queries.counts(filt, now=NOW) == counts, (text, f)
    assert before["کریمی", RequestFilter()][0] == [hit.tracking_code, other.tracking_code]
    assert before["رض", RequestFilter()][0] == [hit.tracking_code]
    assert before["کریمی", RequestFilter()][1].by_status["done"] == 1


def test_short_input_matches_tracking_code_prefix(store: Store, queries: RequestQueries) -> None:
    first = make_request(store, tracking_code="1405-3-1")
    make_request(store, tracking_code="9000000001")
    assert codes(queries, RequestFilter(text="۱")) == [first.tracking_code]
    assert codes(queries, RequestFilter(text="14")) == [first.tracking_code]


def test_search_finds_what_a_set_aside_index_lacks(store: Store, queries: RequestQueries) -> None:
    """While a first sync has the search index set aside, and while it is made again
    a range of rows at a time, the desk's search tests the rows themselves."""
    before = make_request(store, citizen_name="رضا كريمي")
    with store.engine.begin() as conn:
        fts.set_aside(conn)
    during = make_request(store, citizen_name="کریمی", address="کوی فرهنگیان ۴۸")
    make_request(store, citizen_name="مریم صادقی")
    both = sorted([before.tracking_code, during.tracking_code])
    assert sorted(codes(queries, RequestFilter(text="کریمی"))) == both
    assert codes(queries, RequestFilter(text="فرهنگيان 48")) == [during.tracking_code]
    assert queries.counts(RequestFilter(text="کریمی"), now=NOW).total() == 2
    with store.engine.begin() as conn:
        assert fts.build_step(conn)
    assert sorted(codes(queries, RequestFilter(text="کریمی"))) == both


def test_search_combines_with_filters(store: Store, queries: RequestQueries) -> None:
    make_request(store, citizen_name="حسن نوری")
    done = make_request(store, citizen_name="حسن نوری", status="done")
    assert codes(queries, RequestFilter(text="نوری", statuses=frozenset({"done"}))) == [done.tracking_code]


@pytest.mark.parametrize("key", SORT_KEYS)
@pytest.mark.parametrize("descending", [True, False])
@pytest.mark.parametrize("filt", [
    RequestFilter(),  # the sort key's own index
    RequestFilter(statuses=frozenset({"assigned", "referred"})),  # few: the status index
    RequestFilter(channel="phone"),  # the walk by time, or past the walk of another order
], ids=["all", "statuses", "channel"])
def test_keyset_pages_follow_every_sort_order(store: Store, queries: RequestQueries,
                                              key: str, descending: bool, filt: RequestFilter,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of two, stitched together, equal the whole list in one query — also
    across ties and NULL keys (no crew, no neighbourhood), by every plan."""
    monkeypatch.setattr(request_sql, "WALK_BUDGET", 3)
    variants = [
        dict(crew_id=CREW_A, status="assigned"), dict(crew_id=CREW_B, status="assigned"),
        dict(neighbourhood_code=None), dict(category_code="asphalt"), {},
    ]
    for i in range(11):
        make_request(store, received_at=day(1 + i % 4, hour=i), **variants[i % len(variants)])
    sort = Sort(key, descending)
    whole = queries.page(filt, sort, limit=100, now=NOW)
    assert len(whole.rows) == 11 and not whole.has_more
    # Every plan orders alike (each filter here keeps every request).
    assert [r.id for r in whole.rows] == [r.id for r in queries.page(RequestFilter(), sort, limit=100,
                                                                     now=NOW).rows]
    stitched, after = [], None
    while True:
        page = queries.page(filt, sort, after, limit=2, now=NOW)
        stitched += page.rows
        if not page.has_more:
            break
        after = page.rows[-1].cursor(sort)
    assert [r.id for r in stitched] == [r.id for r in whole.rows]
    values = [getattr(r, key) for r in whole.rows]
    present = [v for v in values if v is not None]
    assert present == sorted(present, reverse=descending)


def test_unsortable_column_is_refused() -> None:
    with pytest.raises(ValueError, match="no index"):
        Sort("citizen_name")


def test_rows_by_id_read_the_current_state(store: Store, queries: RequestQueries) -> None:
    request = make_request(store, status="done")
    (row,) = queries.rows([request.id])
    assert row.status == "done" and not row.is_overdue(NOW)
    assert queries.rows([]) == []


def test_interrupt_stops_a_running_query(store: Store, queries: RequestQueries) -> None:
    """A query long enough to be caught running: a recursive count to ten million."""
    started = threading.Event()
    outcome: list[BaseException | int] = []

    def run() -> None:
        try:
            with queries._connect() as conn:
                started.set()
                outcome.append(conn.exec_driver_sql(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000000) "
                    "SELECT count(*) FROM n").scalar_one())
        except Interrupted as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    assert started.wait(5)
    while worker.is_alive() and not outcome:
        queries.interrupt()
        worker.join(0.01)
    worker.join(5)
    assert len(outcome) == 1 and isinstance(outcome[0], Interrupted)
    queries.interrupt()  # nothing running: a no-op
    assert codes(queries, RequestFilter()) == []


# ------------------------------------------------------------------ query plans


def plans(queries: RequestQueries, run: Callable[[], object]) -> list[str]:
    """What SQLite does for each statement ``run`` makes that reads ``requests``:
    its EXPLAIN QUERY PLAN lines, joined."""
    statements: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, params: Any, *_rest: Any) -> None:
        if "FROM requests" in statement and not statement.startswith("EXPLAIN"):
            statements.append((statement, params))

    sa.event.listen(queries.engine, "before_cursor_execute", note)
    try:
        run()
    finally:
        sa.event.remove(queries.engine, "before_cursor_execute", note)
    with queries.engine.connect() as conn:
        return [" / ".join(row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params))
                for sql, params in statements]


@pytest.mark.parametrize("filt", [
    RequestFilter(), RequestFilter(category="asphalt"), RequestFilter(neighbourhood="bazaar"),
    RequestFilter(crew=CREW_A, channel="web"), RequestFilter(first_day=dt.date(2026, 4, 1)),
    RequestFilter(category="asphalt", last_day=dt.date(2026, 4, 1)),
], ids=["all", "category", "neighbourhood", "crew+channel", "from", "category+to"])
def test_counts_without_counters_read_only_the_status_index_a_seek_per_status(
        store: Store, queries: RequestQueries, filt: RequestFilter) -> None:
    """Without the counters (a period, or while a first sync has them set aside) no
    filter the desk offers makes the counts read a request row or sort: each count
    is seeks of ``ix_requests_by_status`` (on a million requests, ~100 ms at most,
    where the rows cost seconds)."""
    make_request(store)
    with store.engine.begin() as conn:
        suspend_counts(conn)
    found = plans(queries, lambda: queries.counts(filt, now=NOW))
    assert len(found) == 2, found
    for plan in found:
        assert "SEARCH requests USING COVERING INDEX ix_requests_by_status (status=?" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
    if filt.first_day or filt.last_day:  # the period is a range of each seek, not a filter
        assert all("received_at>?" in p or "received_at<?" in p for p in found), found


@pytest.mark.parametrize("filt", [
    RequestFilter(), RequestFilter(category="asphalt"), RequestFilter(neighbourhood="bazaar"),
    RequestFilter(crew=CREW_A, channel="web"),
], ids=["all", "category", "neighbourhood", "crew+channel"])
def test_counts_by_status_come_from_the_counters(
        store: Store, queries: RequestQueries, filt: RequestFilter,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """With no search and no period the counts by status are the counters' sums: of
    ``requests`` only the overdue count is read — the late part of the open
    requests' deadline index, or, with many late requests, the status index's open
    runs under a column the deadline index lacks."""
    make_request(store)
    narrow = bool(filt.neighbourhood or filt.crew)
    found = plans(queries, lambda: queries.counts(filt, now=NOW))
    assert len(found) == 1 + narrow, found  # (narrow: first, how many are late, at most)
    assert all("ix_requests_open_due (due_at<?)" in plan for plan in found), found
    assert not any("TEMP B-TREE" in plan for plan in found), found
    # Many late requests: a column the deadline index lacks comes from the status index.
    monkeypatch.setattr(request_sql, "FEW_CANDIDATES", 0)
    found = plans(queries, lambda: queries.counts(filt, now=NOW))
    if narrow:
        assert "SEARCH requests USING COVERING INDEX ix_requests_by_status (status=?" in found[-1]
    else:
        assert found == ["SEARCH requests USING COVERING INDEX ix_requests_open_due (due_at<?)"]


def test_few_late_requests_are_read_from_the_deadline_index(
        store: Store, queries: RequestQueries) -> None:
    """The overdue filter with few late requests: the late range of the open
    requests' deadline index, whatever the sort — not a walk of every request by
    time that finds none; with many, the walk as before."""
    late = make_request(store, status="referred", due_at=day(1), crew_id=CREW_A)
    make_request(store, status="referred", due_at=day(30))
    make_request(store, status="done", due_at=day(1))
    make_request(store, status="assigned", due_at=day(2), crew_id=CREW_B)
    for filt in (RequestFilter(overdue=True), RequestFilter(overdue=True, crew=CREW_A)):
        for sort in (Sort(), Sort("crew_id"), Sort("tracking_code", False)):
            found = plans(queries, lambda: queries.page(filt, sort, now=NOW))
            assert any("INDEX ix_requests_open_due (due_at<?)" in plan for plan in found), found
    assert codes(queries, RequestFilter(overdue=True, crew=CREW_A)) == [late.tracking_code]
    assert len(codes(queries, RequestFilter(overdue=True))) == 2


def test_counters_and_the_index_count_alike(store: Store, queries: RequestQueries) -> None:
    """Every filter the counters answer gives the same counts as the index does."""
    make_request(store, status="received", category_code="asphalt", citizen_name="رضا کریمی")
    make_request(store, status="done", channel="web", crew_id=CREW_A)
    make_request(store, status="assigned", crew_id=CREW_B, neighbourhood_code=None)
    make_request(store, status="referred", due_at=day(1))
    make_request(store, status="referred", due_at=day(30), category_code="asphalt")
    cases = [RequestFilter(), RequestFilter(category="asphalt"), RequestFilter(neighbourhood="bazaar"),
             RequestFilter(crew=CREW_A), RequestFilter(crew=CREW_B), RequestFilter(channel="web"),
             RequestFilter(crew=CREW_A, channel="phone"), RequestFilter(statuses=frozenset({"done"}))]
    counted = [queries.counts(f, now=NOW) for f in cases]
    assert counted[0].total() == 5 and counted[0].overdue >= 1
    with store.engine.begin() as conn:
        suspend_counts(conn)
    assert [queries.counts(f, now=NOW) for f in cases] == counted


@pytest.mark.parametrize("filt", [
    RequestFilter(neighbourhood="bazaar"), RequestFilter(crew=CREW_A, channel="web"),
    RequestFilter(statuses=frozenset({"done"}), channel="web"), RequestFilter(overdue=True),
], ids=["neighbourhood", "crew+channel", "done+channel", "overdue"])
def test_a_filtered_page_walks_the_covering_index_by_time(
        store: Store, queries: RequestQueries, filt: RequestFilter, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rare combination of filters cannot make the page read every request row:
    the walk newest first tests the filters inside the index."""
    make_request(store, status="done")
    monkeypatch.setattr(request_sql, "FEW_CANDIDATES", 1)  # "done" is most requests
    found = plans(queries, lambda: queries.page(filt, now=NOW))
    # (No request is late: the overdue filter reads the late range of the deadline
    # index, which is empty — test_few_late_requests_are_read_from_the_deadline_index.)
    used = "INDEX ix_requests_open_due" if filt.overdue else "COVERING INDEX ix_requests_report"
    assert any(used in plan for plan in found), found


@pytest.mark.parametrize("filt", [
    RequestFilter(statuses=frozenset({"received"}), category="asphalt", neighbourhood="bazaar"),
    RequestFilter(category="asphalt", neighbourhood="bazaar", text="زباله"),
], ids=["received+category+neighbourhood", "category+neighbourhood+search"])
def test_few_candidates_are_read_from_the_status_index(
        store: Store, queries: RequestQueries, filt: RequestFilter,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Received requests in one category, or one category and neighbourhood:
    runs of the status index, whatever the sort order — not a walk of a million
    that finds nothing (or reads the rows of a whole search's hits)."""
    monkeypatch.setattr(request_sql, "SMALL_HITS", 1)  # the search as in a million
    monkeypatch.setattr(request_sql, "ROW_TEST_SHARE", 0)
    make_request(store, status="received", category_code="asphalt")
    make_request(store, status="received")
    for sort in (Sort(), Sort("crew_id"), Sort("tracking_code", False)):
        found = plans(queries, lambda: queries.page(filt, sort, now=NOW))
        assert any("COVERING INDEX ix_requests_by_status (status=? AND category_code=?)" in plan
                   for plan in found), found
        assert len(queries.page(filt, sort, now=NOW).rows) == 1


def test_without_the_list_indexes_the_answers_stay(store: Store, queries: RequestQueries) -> None:
    """A first sync drops the indexes while it writes; the table keeps answering,
    the same rows and counts, by plans that need no index by name."""
    make_request(store, status="received", category_code="asphalt", citizen_name="رضا کریمی")
    make_request(store, status="done", channel="web", crew_id=CREW_A)
    make_request(store, neighbourhood_code=None)
    cases = [RequestFilter(), RequestFilter(statuses=frozenset({"received"})),
             RequestFilter(crew=CREW_A), RequestFilter(text="کریمی"), RequestFilter(overdue=True),
             RequestFilter(first_day=dt.date(2026, 3, 1), category="asphalt")]
    sorts = [Sort(), Sort("crew_id"), Sort("tracking_code", False)]
    before = [(codes(queries, f, s), queries.counts(f, now=NOW)) for f in cases for s in sorts]
    with store.engine.begin() as conn:
        for name in (request_sql.BY_STATUS, request_sql.BY_TIME):
            conn.exec_driver_sql(f"DROP INDEX {name}")
    fresh = RequestQueries.for_database(store.db_path)
    try:
        assert [(codes(fresh, f, s), fresh.counts(f, now=NOW)) for f in cases for s in sorts] == before
    finally:
        fresh.close()


def test_a_rare_filter_in_another_sort_order_is_found_past_the_walk(
        store: Store, queries: RequestQueries, monkeypatch: pytest.MonkeyPatch) -> None:
    """Sorted by tracking code, a filter the first WALK_BUDGET rows do not satisfy
    still finds its rows (from the covering index), in order, page after page."""
    wanted = [make_request(store, channel="web", received_at=day(i + 1)) for i in range(3)]
    for i in range(6):
        make_request(store, received_at=day(10 + i))
    monkeypatch.setattr(request_sql, "WALK_BUDGET", 2)
    sort = Sort("tracking_code", descending=False)
    first = queries.page(RequestFilter(channel="web"), sort, limit=2, now=NOW)
    rest = queries.page(RequestFilter(channel="web"), sort, first.rows[-1].cursor(sort), limit=2, now=NOW)
    assert [r.tracking_code for r in first.rows + rest.rows] == sorted(w.tracking_code for w in wanted)
    assert first.has_more and not rest.has_more
