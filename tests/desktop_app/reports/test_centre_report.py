"""The centre's own report: the seed's table, repeat calls, time to referral and to
close per district, and the ranking by overdue share — on a small archive whose every
figure is worked out by hand below, and on the seed's archive."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import event

from desktop_app.reports.centre_figures import CentreReport, Hours, compute_centre_report
from desktop_app.reports.centre_report import CSV_COLUMNS, write_centre
from desktop_app.reports.figures import compute_summary
from desktop_app.store import models as m
from desktop_app.store.db import Store
from sync.dates import UTC, Period
from sync.workflow import EventKind, Status
from tests.desktop_app.reports.seed_fixture import SEED_PERIOD, SEED_TABLE, build_seed_archive
from tests.factories import make_request, office

#: Farvardin 1405: 20 March 2026 20:30 UTC to 20 April 2026 20:30 UTC.
FARVARDIN = Period.jalali_months(1405, 1, 1)
AS_OF = dt.datetime(2026, 10, 15, 8, 30, tzinfo=UTC)


def at(day: int, hour: int = 0, month: int = 4) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=UTC)


def referral(store: Store, request: m.ServiceRequest, when: dt.datetime, *,
             centre_clock: bool = True) -> None:
    """The centre's referral of ``request`` at ``when`` (its history's status event)."""
    with store.sessions.begin() as session:
        session.add(m.Event(request_id=request.id, kind=EventKind.STATUS.value,
                            from_status=Status.RECEIVED.value, to_status=Status.REFERRED.value,
                            actor="operator", actor_role="centre", data={}, note="",
                            server_time=when if centre_clock else None,
                            client_time=when - dt.timedelta(minutes=5) if not centre_clock else when))


def repeat_call(store: Store, request: m.ServiceRequest, when: dt.datetime) -> None:
    with store.sessions.begin() as session:
        session.add(m.Event(request_id=request.id, kind=EventKind.REPEAT_CALL.value,
                            actor="operator", actor_role="centre", server_time=when,
                            data={"phone": "09121234567"}, note="دوباره تماس گرفت"))


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """Farvardin 1405 in two districts (hours from receipt to referral and to close
    in the comments), and one request of Ordibehesht.

    ==  ========  ============  ========  =======  ======================  ===========
    id  district  received      referred  status   closed                  due_at
    ==  ========  ============  ========  =======  ======================  ===========
    A   1-1       1 Apr 06:00   +2 h      done     2 Apr 08:00 (+24 h)     —
    B   1-1       1 Apr 06:00   +4 h      n. a.    1 Apr 22:00 (+12 h)     —
    C   1-1       3 Apr 00:00   +12 h     assigned                         5 Apr: late
    D   1-1       3 Apr 00:00   —         received                         —
    E   1-2       2 Apr 00:00   +6 h *    referred                         1 Dec: not
    F   1-2       2 Apr 00:00   +1 h      done     4 Apr 01:00 (+48 h)     —
    G   1-2       1 May (next)  +1 h      referred                         20 Apr: late
    ==  ========  ============  ========  =======  ======================  ===========

    (*) E's referral has only the clock of the machine it was made on.  C has two
    repeat calls, E one; G one too, but G is not Farvardin's.  A was reopened and
    referred again on 10 Apr: only its first referral, from ``received``, counts.
    """
    store = office(tmp_path_factory.mktemp("centre"))
    a = make_request(store, district_code="1-1", received_at=at(1, 6), status="done",
                     closed_at=at(2, 8))
    referral(store, a, at(1, 8))
    with store.sessions.begin() as session:
        session.add(m.Event(request_id=a.id, kind=EventKind.STATUS.value, from_status="done",
                            to_status="referred", actor="operator", actor_role="centre",
                            server_time=at(10), data={}, note=""))
    b = make_request(store, district_code="1-1", received_at=at(1, 6), status="not_actionable",
                     closed_at=at(1, 22), outcome_reason="not_municipal")
    referral(store, b, at(1, 10))
    c = make_request(store, district_code="1-1", received_at=at(3), status="assigned",
                     due_at=at(5))
    referral(store, c, at(3, 12))
    repeat_call(store, c, at(4))
    repeat_call(store, c, at(6))
    make_request(store, district_code="1-1", received_at=at(3), status="received")
    e = make_request(store, district_code="1-2", neighbourhood_code=None, received_at=at(2),
                     status="referred", due_at=dt.datetime(2026, 12, 1, tzinfo=UTC))
    referral(store, e, at(2, 6), centre_clock=False)
    repeat_call(store, e, at(3))
    f = make_request(store, district_code="1-2", neighbourhood_code=None, received_at=at(2),
                     status="done", closed_at=at(4, 1))
    referral(store, f, at(2, 1))
    g = make_request(store, district_code="1-2", neighbourhood_code=None, received_at=at(1, 0, 5),
                     status="referred", due_at=at(20))
    referral(store, g, at(1, 1, 5))
    repeat_call(store, g, at(2, 0, 5))
    yield store
    store.close()


@pytest.fixture(scope="module")
def report(archive: Store) -> CentreReport:
    with archive.sessions() as session:
        return compute_centre_report(session, FARVARDIN, as_of=AS_OF)


def hours(count: int, median: float, mean: float) -> Hours:
    """``Hours`` to within a second (``julianday`` counts in fractions of a day)."""
    return Hours(count, pytest.approx(median, abs=1e-3), pytest.approx(mean, abs=1e-3))  # type: ignore[arg-type]


def line(report: CentreReport, code: str):  # type: ignore[no-untyped-def]
    return next(d for d in report.districts if d.code == code)


def test_outcomes_and_repeat_calls_per_district(report: CentreReport) -> None:
    one, two = line(report, "1-1"), line(report, "1-2")
    assert (one.received, one.done, one.not_actionable, one.in_progress, one.repeat_calls) == (4, 1, 1, 2, 2)
    assert (two.received, two.done, two.not_actionable, two.in_progress, two.repeat_calls) == (2, 1, 0, 1, 1)
    t = report.totals
    assert (t.received, t.done, t.not_actionable, t.in_progress, t.repeat_calls) == (6, 2, 1, 3, 3)
    # Every district of the city has its line, the quiet ones with zeros.
    assert len(report.districts) > 2
    assert all(d.received == 0 for d in report.districts if d.code not in ("1-1", "1-2"))


def test_hours_from_receipt_to_referral_and_from_referral_to_close(report: CentreReport) -> None:
    one, two = line(report, "1-1"), line(report, "1-2")
    # 1-1: referred after 2, 4 and 12 hours; closed 24 and 12 hours after referral.
    assert one.to_referral == hours(3, 4.0, 6.0)
    assert one.referral_to_close == hours(2, 18.0, 18.0)
    # 1-2: E after 6 hours less the 5 minutes of its machine's clock, F after 1 hour.
    assert two.to_referral.count == 2
    assert two.to_referral.median == pytest.approx((6 - 5 / 60 + 1) / 2, abs=1e-3)
    assert two.referral_to_close == hours(1, 48.0, 48.0)
    # Over the city: 2, 4, 12, 5.92, 1 -> median 4; closed 24, 12, 48 -> 24 and 28.
    assert report.totals.to_referral.count == 5
    assert report.totals.to_referral.median == pytest.approx(4.0, abs=1e-3)
    assert report.totals.to_referral.mean == pytest.approx((2 + 4 + 12 + 6 - 5 / 60 + 1) / 5, abs=1e-3)
    assert report.totals.referral_to_close == hours(3, 24.0, 28.0)


def test_districts_are_ranked_by_their_overdue_share_now(report: CentreReport) -> None:
    one, two = line(report, "1-1"), line(report, "1-2")
    # 1-1: C is open and late (D, still at the centre, has no deadline): 1 of 1.
    assert (one.open_with_deadline, one.overdue, one.overdue_share) == (1, 1, 1.0)
    # 1-2: E is open, not yet due; G (of Ordibehesht, open now) is late: 1 of 2.
    assert (two.open_with_deadline, two.overdue, two.overdue_share) == (2, 1, 0.5)
    ranking = report.ranking
    assert [d.code for d in ranking[:2]] == ["1-1", "1-2"] and [d.rank for d in ranking[:2]] == [1, 2]
    # The districts with no open work come last and share one rank.
    assert {d.rank for d in ranking[2:]} == {3} and all(d.overdue_share is None for d in ranking[2:])
    assert (report.totals.open_with_deadline, report.totals.overdue) == (3, 2)


def test_repeat_calls_are_counted_in_every_summary_grouping(archive: Store) -> None:
    with archive.sessions() as session:
        by_district = compute_summary(session, FARVARDIN, "district", as_of=AS_OF)
        by_region = compute_summary(session, FARVARDIN, "region", as_of=AS_OF)
        by_category = compute_summary(session, FARVARDIN, "category", as_of=AS_OF)
        only_two = compute_summary(session, FARVARDIN, "district", districts=["1-2"], as_of=AS_OF)
    assert {r.group: r.repeat_calls for r in by_district.rows if r.repeat_calls} == {"1-1": 2, "1-2": 1}
    assert {r.group: r.repeat_calls for r in by_region.rows if r.repeat_calls} == {"1": 3}
    assert {r.group: r.repeat_calls for r in by_category.rows if r.repeat_calls} == {"garbage": 3}
    assert by_district.totals.repeat_calls == 3 and only_two.totals.repeat_calls == 1


def test_repeat_calls_are_read_per_request_from_an_index_not_all_events(archive: Store) -> None:
    statements: list[tuple[str, object]] = []

    def capture(_conn: object, _cursor: object, statement: str, parameters: object,
                _context: object, _many: bool) -> None:
        statements.append((statement, parameters))

    event.listen(archive.engine, "before_cursor_execute", capture)
    try:
        with archive.sessions() as session:
            for by in ("region", "district", "month"):
                if by == "month":
                    from desktop_app.reports.figures import monthly_figures
                    monthly_figures(session, Period.jalali_months(1405, 1, 2), as_of=AS_OF)
                else:
                    compute_summary(session, FARVARDIN, by, as_of=AS_OF)
    finally:
        event.remove(archive.engine, "before_cursor_execute", capture)
    # The counting pass of each report: every request of the period looks its repeat
    # calls (and answers to the closing SMS) up in their partial index.
    repeats = [(s, p) for s, p in statements if "FROM events AS event" in s and "repeat_call" in s]
    assert len(repeats) == 3
    with archive.engine.connect() as conn:
        for statement, parameters in repeats:
            plan = " | ".join(row[3] for row in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, parameters))  # type: ignore[arg-type]
            assert "SEARCH event USING INDEX ix_events_summary (request_id=?)" in plan, plan
            assert "SCAN events" not in plan and "SCAN event " not in plan, plan
            assert "SCAN requests" not in plan, plan


# ------------------------------------------------------------------ the seed


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = office(tmp_path_factory.mktemp("seed"))
    build_seed_archive(store)
    yield store
    store.close()


def test_the_centre_report_holds_the_seeds_table(seed_store: Store, tmp_path: Path) -> None:
    with seed_store.sessions() as session:
        report = compute_centre_report(session, SEED_PERIOD, as_of=AS_OF)
    assert {r.group: (r.received, r.done, r.not_actionable, r.in_progress)
            for r in report.regions.rows} == {str(k): v for k, v in SEED_TABLE.items()}
    t = report.regions.totals
    assert (t.received, t.done, t.not_actionable, t.in_progress) == (2854, 2049, 735, 70)
    # The districts add up to the regions.
    assert sum(d.received for d in report.districts) == 2854
    out = tmp_path / "centre.xlsx"
    write_centre(report, out, "xlsx")
    book = load_workbook(out)
    assert book.sheetnames == ["مناطق", "نواحی", "رتبهٔ معوق"]
    seed = book["مناطق"]
    assert [[c.value for c in row] for row in seed.iter_rows(min_row=5, max_row=9, max_col=5)] == [
        [name, *SEED_TABLE[n]] for n, name in enumerate(
            ["منطقه یک", "منطقه دو", "منطقه سه", "منطقه چهار", "منطقه پنج"], 1)]
    assert seed["B10"].value == "=SUM(B5:B9)" and seed.sheet_view.rightToLeft


# ------------------------------------------------------------------ files


def test_csv_keeps_the_summary_contract_and_adds_the_centres_columns(report: CentreReport,
                                                                      tmp_path: Path) -> None:
    out = tmp_path / "centre.csv"
    write_centre(report, out, "csv")
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert rows[0][:5] == ["group", "received", "done", "not_actionable", "in_progress"]
    assert tuple(rows[0]) == CSV_COLUMNS
    by_code = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    one = by_code["1-1"]
    assert [one[c] for c in ("received", "done", "not_actionable", "in_progress", "repeat_calls")] \
        == ["4", "1", "1", "2", "2"]
    assert (one["referred"], one["median_hours_to_referral"], one["mean_hours_to_referral"]) \
        == ("3", "4.00", "6.00")
    assert (one["median_hours_referral_to_close"], one["overdue_share"], one["overdue_rank"]) \
        == ("18.00", "1.0000", "1")
    assert by_code["1-2"]["overdue_share"] == "0.5000" and by_code["1-2"]["overdue_rank"] == "2"
    assert by_code["2-1"]["median_hours_to_referral"] == "" and by_code["2-1"]["received"] == "0"


def test_pdf_is_persian_with_the_seeds_table_the_speeds_and_the_ranking(report: CentreReport,
                                                                        tmp_path: Path) -> None:
    out = tmp_path / "centre.pdf"
    write_centre(report, out, "pdf")
    pages = [unicodedata.normalize("NFKC", page.extract_text(extraction_mode="layout"))
             for page in PdfReader(out).pages]
    assert len(pages) == 2
    text = "\n".join(pages)
    # Headings are drawn in visual order: they read backwards in the extracted text.
    for heading in ("تماس‌ها به تفکیک منطقه", "رتبه‌بندی نواحی بر پایهٔ سهم کار معوق"):
        shaped = unicodedata.normalize("NFKC", heading.replace("\u200c", ""))
        assert shaped[::-1].replace(" ", "") in text.replace(" ", "").replace("\u200c", "") \
            or shaped.replace(" ", "") in text.replace(" ", "").replace("\u200c", "")
    assert "۱۸٫۰" in text and "۶٫۰" in text  # 1-1's hours: referral to close, receipt to referral
    assert "۵۰٫۰٪" in text  # 1-2's overdue share


def test_the_command_line_writes_the_centre_report(archive: Store, tmp_path: Path) -> None:
    out = tmp_path / "centre.csv"
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--data-dir", str(archive.folder), "report", "centre",
         "--from", "1405-01-01", "--to", "1405-01-31", "--out", str(out)],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    # (How many are overdue depends on today: the command line reports as of now.)
    assert "6 received, 3 repeat calls, " in done.stdout and " of 3 open overdue" in done.stdout
    assert out.read_text(encoding="utf-8").startswith("group,received,done,not_actionable,in_progress,")


def test_an_unknown_format_is_refused_before_anything_is_read(archive: Store, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--data-dir", str(archive.folder), "report", "centre",
         "--from", "1405-01-01", "--to", "1405-01-31", "--format", "doc", "--out",
         str(tmp_path / "x.doc")], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0 and "invalid choice" in done.stderr
