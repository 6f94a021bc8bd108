"""The summary report's files (CSV, Excel, PDF) and ``daftar report summary``."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from desktop_app import cli
from desktop_app.reports import summary
from desktop_app.reports.cells import FORMULA_STARTS, as_text
from desktop_app.reports.persian import fa, visual
from desktop_app.reports.summary import (
    CSV_COLUMNS, ReportError, SummaryReport, compute_summary, least_calling, monthly_trend,
    output_format, write_csv, write_pdf, write_xlsx,
)
from desktop_app.store.db import Store
from sync.dates import UTC, Period
from tests.desktop_app.reports.seed_fixture import SEED_PERIOD, SEED_TABLE, build_seed_archive
from tests.factories import office

AS_OF = dt.datetime(2026, 10, 15, 8, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def seed_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("seed")
    store = office(folder)
    build_seed_archive(store)
    store.close()
    yield folder


@pytest.fixture(scope="module")
def seed_store(seed_dir: Path) -> Iterator[Store]:
    from desktop_app.store.db import open_store

    store = open_store(seed_dir)
    yield store
    store.close()


@pytest.fixture(scope="module")
def by_region(seed_store: Store) -> SummaryReport:
    with seed_store.sessions() as session:
        return compute_summary(session, SEED_PERIOD, "region", as_of=AS_OF)


@pytest.fixture(scope="module")
def empty(seed_store: Store) -> SummaryReport:
    with seed_store.sessions() as session:
        return compute_summary(session, Period.jalali_month(1390, 1), "neighbourhood", as_of=AS_OF)


def printed(text: str) -> str:
    """``text`` as drawn on the page: joined letter forms in visual order, with the
    forms mapped back to letters (NFKC) as :func:`pages_text` does."""
    return unicodedata.normalize("NFKC", visual(text))


def pages_text(path: Path) -> list[str]:
    """The text of each page in the order it is drawn.  pypdf's default extraction
    re-orders right-to-left text by a guess that depends on a line's first
    character; the layout mode keeps what is on the paper."""
    return [unicodedata.normalize("NFKC", page.extract_text(extraction_mode="layout"))
            for page in PdfReader(path).pages]


# ------------------------------------------------------------------ CSV


def test_csv_follows_the_design_contract(by_region: SummaryReport, tmp_path: Path) -> None:
    out = tmp_path / "summary.csv"
    write_csv(by_region, out)
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(raw.decode("utf-8").splitlines()))
    header, body = lines[0], lines[1:]
    assert header[:5] == ["group", "received", "done", "not_actionable", "in_progress"]
    assert tuple(header[:len(CSV_COLUMNS)]) == CSV_COLUMNS
    assert header[len(CSV_COLUMNS):] == [
        "not_actionable_duplicate", "not_actionable_false_report", "not_actionable_no_budget",
        "not_actionable_not_found", "not_actionable_not_municipal",
        "not_actionable_private_property", "repeat_calls",
        "satisfaction_asked", "satisfaction_answered", "answer_rate", "satisfaction_rate",
        "mean_score",
    ]
    # One line per region, no totals line: a script sums the columns itself.
    assert {row[0]: tuple(int(v) for v in row[1:5]) for row in body} == {
        str(region): figures for region, figures in SEED_TABLE.items()
    }
    first = dict(zip(header, body[0], strict=True))
    assert first["name"] == "منطقه یک"
    assert first["share_done"] == f"{310 / 404:.4f}"
    assert float(first["median_hours_to_close"]) == pytest.approx(
        by_region.rows[0].median_hours_to_close, abs=0.01)
    assert sum(int(first[c]) for c in header if c.startswith("not_actionable_")) == 89
    assert first["repeat_calls"] == "0"  # the seed's archive holds no repeat calls


def test_csv_of_an_empty_period_has_every_group_and_blank_times(empty: SummaryReport,
                                                                tmp_path: Path) -> None:
    out = tmp_path / "empty.csv"
    write_csv(empty, out)
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 23
    assert {(r["received"], r["share_done"], r["median_hours_to_close"]) for r in rows} == {
        ("0", "", "")
    }


# ------------------------------------------------------------------ Excel


def test_the_workbook_keeps_totals_and_shares_as_formulas(seed_store: Store,
                                                          by_region: SummaryReport,
                                                          tmp_path: Path) -> None:
    with seed_store.sessions() as session:
        trend = monthly_trend(session, 1405, as_of=AS_OF)
        least = least_calling(session, SEED_PERIOD, 6)
    out = tmp_path / "summary.xlsx"
    write_xlsx(by_region, out, trend=trend, least=least)
    book = load_workbook(out)
    assert book.sheetnames == ["خلاصه", "دلیل‌های قابل انجام نبودن", "کم‌تماس‌ترین محله‌ها",
                               "روند ماهانه"]
    sheet = book["خلاصه"]
    assert sheet.sheet_view.rightToLeft
    assert [c.value for c in sheet[5]][:5] == ["منطقه", "دریافت شده", "انجام شده",
                                               "قابل انجام نبوده", "در دست اقدام و پیگیری"]
    assert [[c.value for c in sheet[r]][:5] for r in range(6, 11)] == [
        [name, *figures] for name, figures in zip(
            ["منطقه یک", "منطقه دو", "منطقه سه", "منطقه چهار", "منطقه پنج"], SEED_TABLE.values(),
            strict=True)
    ]
    assert sheet["B11"].value == "=SUM(B6:B10)"
    assert sheet["F6"].value == '=IF(B6=0,"",C6/B6)'
    median = by_region.rows[0].median_hours_to_close
    assert median is not None and sheet["G6"].value == pytest.approx(median / 24, abs=0.01)
    assert book["کم‌تماس‌ترین محله‌ها"]["B2"].value == "لتحر"
    assert book["روند ماهانه"]["J4"].value == "1405-01"


# ------------------------------------------------------------------ PDF


def test_the_pdf_has_a_cover_the_table_and_numbered_pages(seed_store: Store,
                                                          by_region: SummaryReport,
                                                          tmp_path: Path) -> None:
    with seed_store.sessions() as session:
        trend = monthly_trend(session, 1405, as_of=AS_OF)
        least = least_calling(session, SEED_PERIOD, 10)
    out = tmp_path / "summary.pdf"
    write_pdf(by_region, out, trend=trend, least=least)
    pages = pages_text(out)
    assert len(pages) == 4
    for number, text in enumerate(pages, 1):
        assert printed(f"صفحه {fa(number)} از ۴") in text
        assert not re.search("[0-9]", text), "every digit on the paper is Persian"
    cover, table, least_page, trend_page = pages
    assert printed("نیمهٔ نخست سال ۱۴۰۵") in cover
    assert printed("از ۱ فروردین ۱۴۰۵ تا ۳۱ شهریور ۱۴۰۵ — به وقت تهران") in cover
    assert printed("محدوده: همهٔ مناطق") in cover
    assert printed("۲٬۸۵۴") in cover
    for name in ("منطقه یک", "منطقه دو", "منطقه سه", "منطقه چهار", "منطقه پنج"):
        assert table.count(printed(name)) == 2  # in the table and on the chart
    assert printed("دلیل‌های قابل انجام نبودن") in table
    assert printed("محله‌هایی که کمتر از همه تماس گرفته‌اند") in least_page
    assert printed("لتحر") in least_page
    assert printed("روند ماهانه — سال ۱۴۰۵") in trend_page
    assert printed("اسفند ۱۴۰۵") in trend_page


def test_a_pdf_of_an_empty_period_still_shows_every_group(empty: SummaryReport,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "empty.pdf"
    write_pdf(empty, out)
    text = "".join(pages_text(out))
    assert printed("لتحر") in text and printed("جمشیدیه") in text
    assert len(PdfReader(out).pages) == 3


def test_a_pdf_trend_must_be_by_month(by_region: SummaryReport, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="month-by-month"):
        write_pdf(by_region, tmp_path / "x.pdf", trend=by_region)
    assert not (tmp_path / "x.pdf").exists()


def test_a_failed_write_leaves_no_file_behind(by_region: SummaryReport, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    out = tmp_path / "summary.pdf"
    out.write_bytes(b"yesterday's report")
    monkeypatch.setattr(summary, "build_pdf", broken)
    with pytest.raises(OSError, match="disk full"):
        write_pdf(by_region, out)
    assert out.read_bytes() == b"yesterday's report"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.pdf"]


# ------------------------------------------------------------------ command line


def run(seed_dir: Path, *args: str) -> int:
    return cli.main(["--data-dir", str(seed_dir), "report", "summary", *args])


def test_the_command_reproduces_the_seeds_table(seed_dir: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "regions.csv"
    assert run(seed_dir, "--from", "۱۴۰۵-۰۱-۰۱", "--to", "1405-06-31", "--by", "region",
               "--out", str(out)) == 0
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert {r["group"]: (int(r["received"]), int(r["done"]), int(r["not_actionable"]),
                         int(r["in_progress"])) for r in rows} == {
        str(region): figures for region, figures in SEED_TABLE.items()
    }
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert "1405/01/01 to 1405/06/31 by region" in lines[0]
    assert "2854 received: 2049 done, 735 not actionable, 70 in progress" in lines[0]


@pytest.mark.parametrize(("name", "fmt", "magic"), [
    ("r.pdf", None, b"%PDF"),
    ("r.xlsx", None, b"PK"),
    ("r.txt", None, b"%PDF"),
    ("r.pdf", "csv", b"group,"),
])
def test_the_format_comes_from_the_option_else_the_extension_else_pdf(
        seed_dir: Path, tmp_path: Path, name: str, fmt: str | None, magic: bytes) -> None:
    out = tmp_path / name
    extra = ["--format", fmt] if fmt else []
    assert run(seed_dir, "--from", "1405-01-01", "--to", "1405-03-31", "--by", "category",
               "--out", str(out), *extra) == 0
    assert out.read_bytes().startswith(magic)


def test_reversed_days_are_refused_with_what_to_fix(seed_dir: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert run(seed_dir, "--from", "1405-06-31", "--to", "1405-01-01", "--by", "region",
               "--out", str(tmp_path / "r.csv")) == 1
    error = capsys.readouterr().err
    assert "--to 1405/01/01 is before --from 1405/06/31" in error
    assert not (tmp_path / "r.csv").exists()


def test_a_missing_output_folder_is_named(seed_dir: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "nowhere" / "r.pdf"
    assert run(seed_dir, "--from", "1405-01-01", "--to", "1405-01-31", "--by", "crew",
               "--out", str(out)) == 1
    assert f"the folder {out.parent} does not exist" in capsys.readouterr().err


def test_output_format_rules() -> None:
    assert output_format(None, Path("a.CSV")) == "csv"
    assert output_format(None, Path("a")) == "pdf"
    assert output_format("xlsx", Path("a.pdf")) == "xlsx"
    with pytest.raises(ReportError, match="use one of pdf, csv, xlsx"):
        output_format("docx", Path("a.docx"))


# ------------------------------------------------------------ formula injection

#: Names as a crew or a reference file could give them: each starts a formula.
CRAFTED = ("=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-2+3", "@SUM(1)", "\t=1", "\r=1",
           "=cmd|' /C calc'!A0")


def crafted(report: SummaryReport) -> SummaryReport:
    """``report`` with people's text replaced by formulas in waiting."""
    rows = tuple(dataclasses.replace(row, name=CRAFTED[i % len(CRAFTED)], group=CRAFTED[-1 - i % len(CRAFTED)])
                 for i, row in enumerate(report.rows))
    reasons = tuple(dataclasses.replace(r, name=CRAFTED[i % len(CRAFTED)])
                    for i, r in enumerate(report.reasons))
    return dataclasses.replace(report, rows=rows, reasons=reasons, scope_label="=1+1")


def test_text_that_a_spreadsheet_reads_as_a_formula_is_written_as_text() -> None:
    for text in CRAFTED:
        assert as_text(text) == "'" + text
    for value in ("منطقه یک", "1-1", "", 0, -3, 2.5, None, "a=b"):
        assert as_text(value) == value


def test_a_crafted_name_reaches_the_csv_as_text(by_region: SummaryReport, tmp_path: Path) -> None:
    out = tmp_path / "summary.csv"
    write_csv(crafted(by_region), out)
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0])[:5] == ["group", "received", "done", "not_actionable", "in_progress"]
    assert [(r["group"], r["name"]) for r in rows[:2]] == [
        ("'" + CRAFTED[-1], "'" + CRAFTED[0]), ("'" + CRAFTED[-2], "'" + CRAFTED[1])]
    assert all(r[column].startswith("'") for r in rows for column in ("group", "name"))


def test_no_cell_of_the_workbook_is_a_formula_but_the_reports_own(
        seed_store: Store, by_region: SummaryReport, tmp_path: Path) -> None:
    with seed_store.sessions() as session:
        trend = monthly_trend(session, 1405, as_of=AS_OF)
        least = least_calling(session, SEED_PERIOD, 6)
    least = [dataclasses.replace(n, name=CRAFTED[i % len(CRAFTED)], district_name="=2+2",
                                 code="@x") for i, n in enumerate(least)]
    out = tmp_path / "summary.xlsx"
    write_xlsx(crafted(by_region), out, trend=crafted(trend), least=least)
    own = re.compile(r'=SUM\([A-Z]+\d+:[A-Z]+\d+\)|=IF\(B\d+=0,"",C\d+/B\d+\)')
    formulas, texts = [], []
    for sheet in load_workbook(out):
        for line in sheet.iter_rows():
            formulas += [c.value for c in line if c.data_type == "f"]
            texts += [c.value for c in line if c.data_type == "s"]
    assert formulas and all(own.fullmatch(f) for f in formulas), formulas
    for text in CRAFTED:  # (XML reads a carriage return as a line feed)
        assert "'" + text.replace("\r", "\n") in texts
    assert not [t for t in texts if t.startswith(FORMULA_STARTS)]
