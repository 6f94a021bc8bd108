"""The summary figures: the seed's table, Tehran periods, buckets, times, zeros."""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event
from sqlalchemy.orm import Session

from desktop_app.reports.figures import (
    GROUPINGS, ReportError, SummaryReport, compute_summary, least_calling, monthly_figures,
    monthly_trend, period_label,
)
from desktop_app.store import models as m
from desktop_app.store.db import Store
from sync.dates import UTC, Period
from sync.workflow import OPEN_STATUSES
from tests.desktop_app.reports.seed_fixture import (
    LEAST_CALLING, SEED_PERIOD, SEED_TABLE, SEED_TOTAL, build_seed_archive,
)
from tests.factories import CREW_A, CREW_B, make_request, office

#: A fixed report time, after the seed's half-year: reports are reproducible.
AS_OF = dt.datetime(2026, 10, 15, 8, 30, tzinfo=UTC)
#: 00:10 on 1 Farvardin 1405 in Tehran; UTC still says 20 March 2026.
NOWRUZ_0010 = dt.datetime(2026, 3, 20, 20, 40, tzinfo=UTC)
#: 23:59:59 on 29 Esfand 1404 in Tehran, the last second of the old year.
ESFAND_END = dt.datetime(2026, 3, 20, 20, 29, 59, tzinfo=UTC)


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = office(tmp_path_factory.mktemp("seed"))
    build_seed_archive(store)
    yield store
    store.close()


@pytest.fixture
def seed(seed_store: Store) -> Iterator[Session]:
    with seed_store.sessions() as session:
        yield session


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = office(tmp_path)
    yield store
    store.close()


def summary(store: Store, period: Period, by: str = "region", **kwargs: object) -> SummaryReport:
    with store.sessions() as session:
        return compute_summary(session, period, by, as_of=AS_OF, **kwargs)  # type: ignore[arg-type]


def table(report: SummaryReport) -> dict[str, tuple[int, int, int, int]]:
    return {r.group: (r.received, r.done, r.not_actionable, r.in_progress) for r in report.rows}


# ------------------------------------------------------------------ the seed


def test_the_seeds_table_is_reproduced_by_region(seed: Session) -> None:
    report = compute_summary(seed, SEED_PERIOD, "region", as_of=AS_OF)
    assert table(report) == {str(region): row for region, row in SEED_TABLE.items()}
    assert [r.name for r in report.rows] == ["منطقه یک", "منطقه دو", "منطقه سه", "منطقه چهار",
                                             "منطقه پنج"]
    t = report.totals
    assert (t.received, t.done, t.not_actionable, t.in_progress) == (SEED_TOTAL, 2049, 735, 70)


@pytest.mark.parametrize("by", GROUPINGS)
def test_every_grouping_splits_the_same_seed_requests(seed: Session, by: str) -> None:
    report = compute_summary(seed, SEED_PERIOD, by, as_of=AS_OF)
    assert report.totals.received == SEED_TOTAL
    assert sum(r.received for r in report.rows) == SEED_TOTAL
    assert sum(r.done for r in report.rows) == report.totals.done == 2049
    for row in report.rows:
        assert row.received == row.done + row.not_actionable + row.in_progress
        assert sum(row.reasons.values()) == row.not_actionable


def test_the_seeds_least_calling_neighbourhoods_come_first(seed: Session) -> None:
    ranked = least_calling(seed, SEED_PERIOD, limit=len(LEAST_CALLING))
    assert [(n.code, n.received) for n in ranked] == list(LEAST_CALLING.items())
    assert [n.rank for n in ranked] == [1, 2, 3, 4, 5, 6]
    assert ranked[0].name == "لتحر" and ranked[0].district_code == "3-1"


def test_requests_outside_the_half_year_are_not_counted(seed: Session) -> None:
    before = compute_summary(seed, Period.jalali_month(1404, 12), "region", as_of=AS_OF)
    after = compute_summary(seed, Period.jalali_month(1405, 7), "region", as_of=AS_OF)
    whole = compute_summary(seed, Period.days("1404-12-01", "1405-07-30"), "region", as_of=AS_OF)
    assert before.totals.received > 0 and after.totals.received > 0
    assert whole.totals.received == SEED_TOTAL + before.totals.received + after.totals.received


# ------------------------------------------------------------------ periods


def test_a_call_at_ten_past_midnight_on_nowruz_belongs_to_the_new_year(store: Store) -> None:
    assert NOWRUZ_0010.date() == dt.date(2026, 3, 20)  # UTC still says 20 March
    make_request(store, received_at=NOWRUZ_0010, tracking_code="1405000001")
    make_request(store, received_at=ESFAND_END, tracking_code="1404999999")
    assert summary(store, Period.jalali_year(1405)).totals.received == 1
    assert summary(store, Period.jalali_month(1405, 1)).totals.received == 1
    assert summary(store, Period.jalali_half(1405, 1)).totals.received == 1
    assert summary(store, Period.jalali_month(1404, 12)).totals.received == 1
    assert summary(store, Period.days("1405-01-01", "1405-01-01")).totals.received == 1
    assert summary(store, Period.days("1404-12-29", "1404-12-29")).totals.received == 1


def test_the_last_instant_of_a_period_is_in_and_the_next_is_out(store: Store) -> None:
    period = Period.jalali_half(1405, 1)
    make_request(store, received_at=period.end - dt.timedelta(microseconds=1))
    make_request(store, received_at=period.end)  # 00:00 on 1 Mehr, Tehran
    make_request(store, received_at=period.start)
    assert summary(store, period).totals.received == 2


def test_months_of_a_trend_are_cut_in_tehran_time(store: Store) -> None:
    make_request(store, received_at=NOWRUZ_0010)
    make_request(store, received_at=ESFAND_END)
    # 00:00 on 1 Ordibehesht Tehran = 20:30 on 20 April UTC.
    make_request(store, received_at=dt.datetime(2026, 4, 20, 20, 30, tzinfo=UTC))
    with store.sessions() as session:
        trend = monthly_trend(session, 1405, as_of=AS_OF)
        old = monthly_trend(session, 1404, as_of=AS_OF)
    assert [r.group for r in trend.rows] == [f"1405-{m:02d}" for m in range(1, 13)]
    assert [r.received for r in trend.rows[:3]] == [1, 1, 0]
    assert trend.rows[0].name == "فروردین ۱۴۰۵"
    assert old.rows[-1].group == "1404-12" and old.rows[-1].received == 1


def test_monthly_figures_clip_the_months_to_the_period(store: Store) -> None:
    make_request(store, received_at=dt.datetime(2026, 4, 1, 6, 30, tzinfo=UTC))  # 12 Farvardin
    with store.sessions() as session:
        one = monthly_figures(session, Period.days("1405-01-10", "1405-01-20"), as_of=AS_OF)
        two = monthly_figures(session, Period.days("1405-01-10", "1405-02-05"), as_of=AS_OF)
    assert [(r.group, r.received) for r in one.rows] == [("1405-01", 1)]
    assert [(r.group, r.received) for r in two.rows] == [("1405-01", 1), ("1405-02", 0)]


def test_the_trend_of_the_seed_year_adds_up_to_its_months(seed: Session) -> None:
    trend = monthly_trend(seed, 1405, as_of=AS_OF)
    first_half = sum(r.received for r in trend.rows[:6])
    assert first_half == SEED_TOTAL
    assert trend.totals.received == sum(r.received for r in trend.rows)


@pytest.mark.parametrize(("period", "label"), [
    (Period.jalali_month(1405, 1), "فروردین ۱۴۰۵"),
    (Period.jalali_season(1405, 2), "تابستان ۱۴۰۵"),
    (Period.jalali_half(1405, 1), "نیمهٔ نخست سال ۱۴۰۵"),
    (Period.jalali_half(1405, 2), "نیمهٔ دوم سال ۱۴۰۵"),
    (Period.jalali_year(1404), "سال ۱۴۰۴"),
    (Period.jalali_months(1405, 2, 4), "اردیبهشت تا تیر ۱۴۰۵"),
    (Period.days("1405-01-05", "1405-02-10"), "۵ فروردین ۱۴۰۵ تا ۱۰ اردیبهشت ۱۴۰۵"),
])
def test_periods_are_named_as_managers_name_them(period: Period, label: str) -> None:
    assert period_label(period) == label


# ------------------------------------------------------------------ buckets


def test_every_open_status_counts_as_in_progress(store: Store) -> None:
    for status in sorted(OPEN_STATUSES):
        make_request(store, status=status.value)
    make_request(store, status="done", closed_at=dt.datetime(2026, 4, 2, tzinfo=UTC))
    make_request(store, status="not_actionable", outcome_reason="duplicate",
                 closed_at=dt.datetime(2026, 4, 2, tzinfo=UTC))
    row = summary(store, Period.jalali_month(1405, 1)).rows[0]
    assert (row.received, row.done, row.not_actionable, row.in_progress) == (6, 1, 1, 4)
    assert row.share_done == pytest.approx(1 / 6)


# ------------------------------------------------------------------ zeros


def test_an_empty_period_shows_every_group_with_zeros(seed: Session) -> None:
    report = compute_summary(seed, Period.jalali_year(1390), "district", as_of=AS_OF)
    assert len(report.rows) == 11
    for row in [*report.rows, report.totals]:
        figures = (row.received, row.done, row.not_actionable, row.in_progress, row.overdue)
        assert figures == (0, 0, 0, 0, 0)
        assert row.share_done is None
        assert row.median_hours_to_close is None and row.p90_hours_to_close is None
    assert {r.count for r in report.reasons} == {0}
    assert len(report.reasons) == 6


def test_a_group_without_requests_shows_zeros(store: Store) -> None:
    make_request(store, district_code="1-1", neighbourhood_code="bazaar")
    report = summary(store, Period.jalali_month(1405, 1))
    assert table(report) == {"1": (1, 0, 0, 1), "2": (0, 0, 0, 0), "3": (0, 0, 0, 0),
                             "4": (0, 0, 0, 0), "5": (0, 0, 0, 0)}
    crews = summary(store, Period.jalali_month(1405, 1), "crew")
    assert table(crews)[str(CREW_A)] == table(crews)[str(CREW_B)] == (0, 0, 0, 0)
    with store.sessions() as session:
        ranked = least_calling(session, Period.jalali_month(1405, 1))
    assert ranked[-1].code == "bazaar" and ranked[-1].received == 1
    assert {n.received for n in ranked[:-1]} == {0}
    assert {n.rank for n in ranked[:-1]} == {1}


def test_requests_without_a_crew_or_neighbourhood_get_a_row_of_their_own(store: Store) -> None:
    make_request(store, crew_id=CREW_A, status="assigned")
    make_request(store, crew_id=None, neighbourhood_code=None)
    crews = table(summary(store, Period.jalali_month(1405, 1), "crew"))
    assert crews[str(CREW_A)] == (1, 0, 0, 1) and crews[""] == (1, 0, 0, 1)
    places = summary(store, Period.jalali_month(1405, 1), "neighbourhood")
    assert places.rows[-1].group == "" and places.rows[-1].name == "بدون محله"
    assert places.totals.received == 2


def test_a_district_scope_keeps_to_its_districts(store: Store) -> None:
    make_request(store, district_code="1-1", neighbourhood_code="bazaar")
    make_request(store, district_code="2-1", neighbourhood_code="fin")
    report = summary(store, Period.jalali_month(1405, 1), "neighbourhood", districts=["1-1"])
    assert [r.group for r in report.rows] == ["bazaar", "sabze-meydan"]
    assert report.totals.received == 1
    assert report.scope_label == "ناحیه ۱ منطقه ۱"
    regions = summary(store, Period.jalali_month(1405, 1), "region", districts=["1-1"])
    assert table(regions) == {"1": (1, 0, 0, 1)}
    with pytest.raises(ReportError, match="unknown district code"):
        summary(store, Period.jalali_month(1405, 1), districts=["9-9"])


def test_an_unknown_grouping_says_which_ones_exist(store: Store) -> None:
    with pytest.raises(ReportError, match="region, district, neighbourhood"):
        summary(store, Period.jalali_month(1405, 1), "street")


# ------------------------------------------------------------------ times and overdue


def _closed(store: Store, hours: float, district: str = "1-1", status: str = "done") -> None:
    received = dt.datetime(2026, 4, 1, 6, 0, tzinfo=UTC)
    make_request(store, received_at=received, district_code=district, status=status,
                 neighbourhood_code=None, outcome_reason="duplicate" if status != "done" else None,
                 closed_at=received + dt.timedelta(hours=hours))


def test_median_and_90th_percentile_of_time_to_close(store: Store) -> None:
    for hours in (7, 1, 10, 4, 2, 9, 3, 8, 6, 5):  # even count: median between 5 and 6
        _closed(store, hours, "1-1")
    for hours in (30, 10, 20, 40, 50):  # odd count, with a not-actionable one
        _closed(store, hours, "1-2", status="not_actionable" if hours == 50 else "done")
    make_request(store, district_code="1-2", status="referred")  # open: not in the times
    report = summary(store, Period.jalali_month(1405, 1), "district")
    rows = {r.group: r for r in report.rows}
    assert rows["1-1"].median_hours_to_close == pytest.approx(5.5, abs=1e-6)
    assert rows["1-1"].p90_hours_to_close == pytest.approx(9, abs=1e-6)
    assert rows["1-2"].median_hours_to_close == pytest.approx(30, abs=1e-6)
    assert rows["1-2"].p90_hours_to_close == pytest.approx(50, abs=1e-6)
    # Over all fifteen: the 8th is 8 hours, the 14th (ceil 13.5) is 40.
    assert report.totals.median_hours_to_close == pytest.approx(8, abs=1e-6)
    assert report.totals.p90_hours_to_close == pytest.approx(40, abs=1e-6)
    assert rows["2-1"].median_hours_to_close is None


def test_equal_times_to_close_keep_the_percentiles_exact(store: Store) -> None:
    for hours in (1, 1, 2, 2):
        _closed(store, hours)
    row = summary(store, Period.jalali_month(1405, 1), "district").rows[0]
    assert row.median_hours_to_close == pytest.approx(1.5, abs=1e-6)
    assert row.p90_hours_to_close == pytest.approx(2, abs=1e-6)


SIX_HOURS = 6 * 3600
#: Seconds to close: anything up to a month, and times within a second of the
#: six-hour histogram buckets' edges, where the two passes must agree.
close_seconds = st.one_of(
    st.integers(0, 30 * 24 * 3600),
    st.builds(lambda edge, offset: max(0, edge * SIX_HOURS + offset),
              st.integers(0, 120), st.sampled_from([-1, 0, 1])),
)


def test_percentiles_agree_with_their_definition(tmp_path: Path) -> None:
    """Median (statistics.median) and nearest-rank 90th percentile (the shortest
    time that 90 % of closings reach), per group and overall, on random times."""
    store = office(tmp_path)
    received = dt.datetime(2026, 4, 1, 6, 0, tzinfo=UTC)
    requests = m.ServiceRequest.__table__

    def reference(seconds: list[int]) -> tuple[float, float]:
        hours = sorted(x / 3600 for x in seconds)
        p90 = next(h for h in hours if sum(x <= h for x in hours) >= 0.9 * len(hours))
        return statistics.median(hours), p90

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(["1-1", "1-2", "2-1"]), close_seconds),
                    min_size=1, max_size=80))
    def check(closings: list[tuple[str, int]]) -> None:
        with store.sessions.begin() as session:
            session.execute(sa.delete(requests))
            session.execute(sa.insert(requests), [
                dict(tracking_code=f"t{i}", received_at=received, channel="phone",
                     district_code=district, category_code="garbage", status="done",
                     closed_at=received + dt.timedelta(seconds=seconds), updated_at=received)
                for i, (district, seconds) in enumerate(closings)
            ])
        report = summary(store, Period.jalali_month(1405, 1), "district")
        rows = {r.group: r for r in report.rows}
        for district in {d for d, _ in closings}:
            median, p90 = reference([x for d, x in closings if d == district])
            assert rows[district].median_hours_to_close == pytest.approx(median, abs=1e-4)
            assert rows[district].p90_hours_to_close == pytest.approx(p90, abs=1e-4)
        median, p90 = reference([x for _, x in closings])
        assert report.totals.median_hours_to_close == pytest.approx(median, abs=1e-4)
        assert report.totals.p90_hours_to_close == pytest.approx(p90, abs=1e-4)

    check()
    store.close()


def test_overdue_is_open_work_past_its_categorys_target_at_report_time(store: Store) -> None:
    as_of = dt.datetime(2026, 4, 20, 12, 0, tzinfo=UTC)
    day = dt.timedelta(days=1)
    # Garbage: 1 day; asphalt: 14 days (the shipped reference).
    make_request(store, category_code="garbage", received_at=as_of - 2 * day)  # overdue
    make_request(store, category_code="garbage", received_at=as_of - day / 2)  # within target
    make_request(store, category_code="asphalt", received_at=as_of - 10 * day)  # within target
    make_request(store, category_code="asphalt", received_at=as_of - 15 * day, status="assigned")
    make_request(store, category_code="garbage", received_at=as_of - 9 * day, status="done",
                 closed_at=as_of - 8 * day)  # closed: never overdue
    period = Period.days("1405-01-01", "1405-01-31")
    with store.sessions() as session:
        report = compute_summary(session, period, "category", as_of=as_of)
        later = compute_summary(session, period, "category", as_of=as_of + 5 * day)
    rows = {r.group: r for r in report.rows}
    assert (rows["garbage"].overdue, rows["asphalt"].overdue) == (1, 1)
    assert report.totals.overdue == 2
    assert report.generated_at == as_of
    # Judged at report time, not at the end of the period: later, more is overdue.
    assert later.totals.overdue == 4


def test_reasons_are_counted_by_group_and_overall(store: Store) -> None:
    closed = dt.datetime(2026, 4, 2, tzinfo=UTC)
    for district, reason in [("1-1", "duplicate"), ("1-1", "duplicate"), ("2-1", "no_budget"),
                             ("2-1", None)]:
        make_request(store, district_code=district, neighbourhood_code=None,
                     status="not_actionable", outcome_reason=reason, closed_at=closed)
    report = summary(store, Period.jalali_month(1405, 1))
    assert report.rows[0].reasons == {"duplicate": 2}
    assert report.rows[1].reasons == {"no_budget": 1, "": 1}
    counts = {r.code: (r.name, r.count) for r in report.reasons}
    assert counts["duplicate"] == ("تکراری", 2)
    assert counts[""] == ("بدون دلیل ثبت‌شده", 1)
    assert counts["private_property"] == ("ملک خصوصی", 0)
    assert report.reasons[0].code == "duplicate"


# ------------------------------------------------------------------ the database does the work


def test_every_report_query_reads_only_the_report_index(seed_store: Store) -> None:
    statements: list[tuple[str, object]] = []

    def capture(_conn: object, _cursor: object, statement: str, parameters: object,
                _context: object, _many: bool) -> None:
        statements.append((statement, parameters))

    event.listen(seed_store.engine, "before_cursor_execute", capture)
    try:
        with seed_store.sessions() as session:
            for by in GROUPINGS:
                compute_summary(session, SEED_PERIOD, by, as_of=AS_OF)
            monthly_trend(session, 1405, as_of=AS_OF)
            least_calling(session, SEED_PERIOD)
    finally:
        event.remove(seed_store.engine, "before_cursor_execute", capture)
    reads = [(s, p) for s, p in statements if "FROM requests" in s]
    # Per report: the counts with the histogram of times, and the pick of the
    # percentiles; one for least calling.
    assert len(reads) == 2 * (len(GROUPINGS) + 1) + 1
    with seed_store.engine.connect() as conn:
        for statement, parameters in reads:
            plan = " | ".join(row[3] for row in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, parameters))  # type: ignore[arg-type]
            # The period's slice of a received_at index, never a whole table.
            assert re.search(r"SEARCH requests USING (COVERING )?INDEX ix_requests_\w+ "
                             r"\(received_at>\? AND received_at<\?\)", plan), plan
            assert not re.search(r"SCAN (requests|events|answer)\b", plan), plan
            if "event" in statement:
                # The counting pass: each request's repeat calls and answers to the
                # closing SMS come from their own partial index, not from every SMS.
                assert "SEARCH event USING INDEX ix_events_summary (request_id=?)" in plan, plan
                # Once a request: the requests' subquery is not flattened into the
                # sums, each of which would otherwise run its own copy of the lookup.
                assert plan.count("CORRELATED SCALAR SUBQUERY") == 1, plan
            else:
                # The percentiles: the index alone, not the table's rows.
                assert "USING COVERING INDEX ix_requests_report" in plan, plan



# ------------------------------------------------------------------ answers to the closing SMS


def _sms(store: Store, request: m.ServiceRequest, kind: str, **data: object) -> None:
    with store.sessions.begin() as session:
        session.add(m.Event(request_id=request.id, kind=kind, actor="sms", actor_role="centre",
                            server_time=request.received_at + dt.timedelta(days=1),
                            data=data, note=""))


def test_satisfaction_counts_closing_sms_and_answers_once_per_request(store: Store) -> None:
    at = dict(received_at=dt.datetime(2026, 4, 1, 6, 30, tzinfo=UTC),
              closed_at=dt.datetime(2026, 4, 2, 6, 30, tzinfo=UTC), status="done")
    # Asked twice (closed, reopened, closed again), answered twice: 5 then 2.
    twice = make_request(store, district_code="1-1", **at)
    for purpose in ("registered", "referred", "closed", "closed"):
        _sms(store, twice, "sms_sent", purpose=purpose, gateway="local")
    _sms(store, twice, "satisfaction", score=5)
    _sms(store, twice, "satisfaction", score=2)
    # Asked, never answered.
    silent = make_request(store, district_code="1-1", **at)
    _sms(store, silent, "sms_sent", purpose="closed", gateway="local")
    # Only the registration and referral SMS: not asked.
    open_one = make_request(store, district_code="1-2")
    for purpose in ("registered", "referred"):
        _sms(store, open_one, "sms_sent", purpose=purpose, gateway="local")
    # Asked and answered 4 in another district; a request with no SMS at all.
    pleased = make_request(store, district_code="1-2", **at)
    _sms(store, pleased, "sms_sent", purpose="closed", gateway="local")
    _sms(store, pleased, "satisfaction", score=4)
    make_request(store, district_code="1-2", **at)

    for by in ("district", "region", "channel"):
        report = summary(store, Period.jalali_month(1405, 1), by)
        t = report.totals.satisfaction
        # Requests asked / answered / satisfied; every answer in the mean.
        assert (t.asked, t.answered, t.satisfied, t.scores, t.score_sum) == (3, 2, 2, 3, 11), by
        assert report.totals.received == 5, by
    rows = {r.group: r.satisfaction for r in summary(store, Period.jalali_month(1405, 1),
                                                       "district").rows}
    assert (rows["1-1"].asked, rows["1-1"].answered, rows["1-1"].satisfied) == (2, 1, 1)
    assert (rows["1-1"].scores, rows["1-1"].score_sum) == (2, 7)
    assert (rows["1-2"].asked, rows["1-2"].answered, rows["1-2"].satisfied) == (1, 1, 1)
    assert rows["1-2"].mean_score == 4
    # A period without those requests has none of their answers.
    assert summary(store, Period.jalali_month(1405, 2), "district").totals.satisfaction.asked == 0


def test_a_report_on_an_office_without_categories_has_nothing_overdue(tmp_path: Path) -> None:
    from desktop_app.store.db import open_store

    store = open_store(tmp_path)  # no reference data: no category, no target
    try:
        report = summary(store, Period.jalali_month(1405, 1), "channel")
        assert report.totals.received == 0 and report.totals.overdue == 0
    finally:
        store.close()
