"""The archive import streams: rows are checked and written a block at a time, the
checks that need the whole file (a code twice, a code the centre has) are made by
the database, and memory does not grow with the file — while a bad file still
imports nothing and names every bad line."""

from __future__ import annotations

import csv
import tracemalloc
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync.server import db, importer
from sync.server.cli import main
from sync.server.importer import COLUMNS, ArchiveError, import_archive
from sync.server.models import Event, ServiceRequest

GOOD: dict[str, str] = {
    "tracking_code": "", "received_at": "2026-04-01T10:00:00+03:30", "channel": "phone",
    "district": "1-1", "neighbourhood": "bazaar", "category": "asphalt",
    "description": "چاله بزرگ در کوچه", "citizen_name": "علی کریمی",
    "citizen_phone": "09131234567", "address": "بازار، کوچه شهید رضایی، پلاک ۱۲",
    "latitude": "33.98", "longitude": "51.43", "status": "done",
    "closed_at": "2026-04-03T10:00:00+03:30", "outcome_reason": "", "outcome_note": "انجام شد",
}


def row(code: int, **changes: str) -> dict[str, str]:
    return {**GOOD, "tracking_code": f"1405{code:06d}", **changes}


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def url(centre_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    reference = Path(__file__).resolve().parents[3] / "resources/reference/kashan-reference.json"
    assert main(["--database-url", centre_url, "reference", "load", str(reference)]) == 0
    capsys.readouterr()
    return centre_url


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(importer, "BLOCK", 4)
    return 4


def run_import(url: str, path: Path, *extra: str) -> int:
    return main(["--database-url", url, "import", str(path), *extra])


def count(url: str, model: type) -> int:
    engine = db.open_engine(url)
    try:
        with Session(engine) as session:
            return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
    finally:
        engine.dispose()


def last_line(text: str) -> str:
    return text.rstrip("\n").splitlines()[-1]


def test_rows_over_many_blocks_are_all_written_once(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], small_blocks: int
) -> None:
    rows = [row(i) for i in range(1, 4 * small_blocks + 3)]
    path = write_csv(tmp_path / "a.csv", rows)
    assert run_import(url, path) == 0
    assert last_line(capsys.readouterr().out) == f"imported: {len(rows)}, already present: 0, rejected: 0"
    assert count(url, ServiceRequest) == len(rows) and count(url, Event) == len(rows)
    # Again, with new rows between known ones in every block.
    more = [row(i) for i in range(1, 4 * small_blocks + 3)] + [row(900 + i) for i in range(5)]
    more.sort(key=lambda r: r["tracking_code"][::-1])
    assert run_import(url, write_csv(tmp_path / "b.csv", more)) == 0
    assert last_line(capsys.readouterr().out) == f"imported: 5, already present: {len(rows)}, rejected: 0"
    assert count(url, ServiceRequest) == len(rows) + 5


def test_a_code_repeated_blocks_apart_is_named_with_its_first_line(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], small_blocks: int
) -> None:
    rows = [row(i) for i in range(1, 12)] + [row(2, citizen_name="دیگری"), row(50), row(2)]
    assert run_import(url, write_csv(tmp_path / "a.csv", rows)) != 0
    out = capsys.readouterr()
    errors = [e for e in out.err.splitlines() if e.startswith("line ")]
    assert errors == ["line 13: tracking_code 1405000002 is also on line 3: each request may appear once",
                      "line 15: tracking_code 1405000002 is also on line 3: each request may appear once"]
    assert last_line(out.out) == "imported: 0, already present: 0, rejected: 2"
    assert count(url, ServiceRequest) == 0


def test_a_row_the_centre_has_is_counted_not_checked_and_a_bad_new_one_is_named(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], small_blocks: int
) -> None:
    assert run_import(url, write_csv(tmp_path / "a.csv", [row(7)])) == 0
    capsys.readouterr()
    rows = [row(i) for i in range(1, 7)] + [row(7, channel="fax")] + [row(8, channel="fax")]
    assert run_import(url, write_csv(tmp_path / "b.csv", rows)) != 0
    out = capsys.readouterr()
    errors = [e for e in out.err.splitlines() if e.startswith("line ")]
    assert len(errors) == 1 and errors[0].startswith("line 9: channel 'fax' is not one of")
    assert last_line(out.out) == "imported: 0, already present: 1, rejected: 1"
    assert count(url, ServiceRequest) == 1


def test_bad_bytes_deep_in_the_file_are_named_by_line_and_nothing_is_kept(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], small_blocks: int
) -> None:
    path = write_csv(tmp_path / "a.csv", [row(i) for i in range(1, 20)])
    with path.open("ab") as out:
        out.write(b"1405000099,\xff\xfe\n")
    assert run_import(url, path) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not UTF-8 text (line 21)" in err
    assert count(url, ServiceRequest) == 0


def test_a_line_longer_than_any_row_is_one_clear_error(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "_MAX_LINE_BYTES", 4096)
    path = write_csv(tmp_path / "a.csv", [row(1), row(2, description="ب" * 5000)])
    assert run_import(url, path) == 1
    err = capsys.readouterr().err
    assert "line 3: a line longer than 4096 bytes" in err
    assert count(url, ServiceRequest) == 0


def test_the_rows_written_are_the_rows_checked_even_if_the_file_changes_meanwhile(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, small_blocks: int
) -> None:
    """The second pass writes the rows the first one checked (spilled), and does not
    read the file again: a file rewritten between the passes changes nothing."""
    path = write_csv(tmp_path / "a.csv", [row(i) for i in range(1, 10)])
    settle = importer._Staging.settle

    def then_change_the_file(self: importer._Staging) -> None:
        settle(self)
        write_csv(path, [row(i, channel="fax") for i in range(100, 103)])

    monkeypatch.setattr(importer._Staging, "settle", then_change_the_file)
    assert run_import(url, path) == 0
    assert last_line(capsys.readouterr().out) == "imported: 9, already present: 0, rejected: 0"
    engine = db.open_engine(url)
    try:
        with Session(engine) as session:
            stored = sorted(session.scalars(sa.select(ServiceRequest.tracking_code)))
    finally:
        engine.dispose()
    assert stored == [f"1405{i:06d}" for i in range(1, 10)]


def test_no_room_for_the_temporary_file_is_one_clear_error_and_nothing_is_kept(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(importer.tempfile, "TemporaryFile", full)
    assert run_import(url, write_csv(tmp_path / "a.csv", [row(1), row(2)])) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err and "TMPDIR" in err
    assert count(url, ServiceRequest) == 0


def test_memory_does_not_grow_with_the_file(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Python memory an import peaks at, for a file and for one four times as
    long, in blocks of 500 rows: it stays level (reading the file whole, it grew with
    the file)."""
    monkeypatch.setattr(importer, "BLOCK", 500)
    small = write_csv(tmp_path / "small.csv", [row(i) for i in range(1, 2001)])
    large = write_csv(tmp_path / "large.csv", [row(i) for i in range(10_001, 18_001)])
    engine = db.open_engine(url)

    def peak(path: Path, dry_run: bool) -> int:
        with db.session_factory(engine)() as session, session.begin():
            tracemalloc.start()
            try:
                result = import_archive(session, path, dry_run=dry_run)
                highest = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
        assert result.rejected == 0
        return highest

    try:
        for dry_run in (True, False):
            assert peak(large, dry_run) < 1.5 * peak(small, dry_run)
    finally:
        engine.dispose()


def test_a_file_that_cannot_be_read_is_an_archive_error_before_anything_is_staged(
    url: str, tmp_path: Path
) -> None:
    engine = db.open_engine(url)
    try:
        with db.session_factory(engine)() as session, session.begin():
            with pytest.raises(ArchiveError, match="cannot read"):
                import_archive(session, tmp_path / "nowhere.csv")
    finally:
        engine.dispose()
