"""``daftar-server import``: the archive CSV contract (DESIGN.md, "Archive CSV")."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync.dates import UTC
from sync.server import db
from sync.server.cli import main
from sync.server.importer import COLUMNS
from sync.server.models import ChangeLog, Counter, Event, ServiceRequest
from sync.server.tracking import next_codes

GOOD: dict[str, str] = {
    "tracking_code": "1405000001",
    "received_at": "2026-04-01T10:00:00+03:30",
    "channel": "phone",
    "district": "1-1",
    "neighbourhood": "bazaar",
    "category": "asphalt",
    "description": "چاله بزرگ در کوچه",
    "citizen_name": "علی کریمی",
    "citizen_phone": "09131234567",
    "address": "بازار، کوچه شهید رضایی، پلاک ۱۲",
    "latitude": "33.98",
    "longitude": "51.43",
    "status": "done",
    "closed_at": "2026-04-03T10:00:00+03:30",
    "outcome_reason": "",
    "outcome_note": "انجام شد",
}


def row(code: int, **changes: str) -> dict[str, str]:
    return {**GOOD, "tracking_code": f"1405{code:06d}", **changes}


def write_csv(
    path: Path, rows: list[dict[str, str]], *, bom: bool = False, header: tuple[str, ...] = COLUMNS
) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def url(centre_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    """A migrated centre with the shipped reference data loaded."""
    reference = Path(__file__).resolve().parents[3] / "resources/reference/kashan-reference.json"
    assert main(["--database-url", centre_url, "reference", "load", str(reference)]) == 0
    capsys.readouterr()
    return centre_url


def run_import(url: str, path: Path, *extra: str) -> int:
    return main(["--database-url", url, "import", str(path), *extra])


def last_line(text: str) -> str:
    return text.rstrip("\n").splitlines()[-1]


def query(url: str, statement: Any) -> list[Any]:
    engine = db.open_engine(url)
    try:
        with Session(engine) as session:
            return list(session.execute(statement))
    finally:
        engine.dispose()


def count(url: str, model: Any) -> int:
    return query(url, sa.select(sa.func.count()).select_from(model))[0][0]


def test_a_good_file_imports_every_row_with_its_event_and_change_log(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log_before = count(url, ChangeLog)
    rows = [
        row(1),
        row(2, status="not_actionable", outcome_reason="duplicate", outcome_note=""),
        row(3, status="referred", closed_at="", outcome_note=""),
        row(4, neighbourhood="", citizen_phone="", latitude="", longitude="", status="received",
            closed_at=""),
    ]
    assert run_import(url, write_csv(tmp_path / "a.csv", rows)) == 0
    out = capsys.readouterr()
    assert last_line(out.out) == "imported: 4, already present: 0, rejected: 0"
    assert out.err == ""

    requests = {r.tracking_code: r for (r,) in query(url, sa.select(ServiceRequest))}
    assert sorted(requests) == [f"140500000{i}" for i in range(1, 5)]
    assert requests["1405000002"].outcome_reason == "duplicate"
    assert requests["1405000003"].closed_at is None
    assert requests["1405000004"].neighbourhood_code is None
    assert requests["1405000004"].citizen_phone is None
    events = query(url, sa.select(Event))
    assert len(events) == 4
    for (event,) in events:
        request = next(r for r in requests.values() if r.id == event.request_id)
        assert (event.kind, event.from_status, event.to_status) == ("created", None, request.status)
        assert event.data == {"source": "import"}
        assert (event.actor, event.actor_role) == ("import", "centre")
        assert event.server_time is not None
    log = query(
        url, sa.select(ChangeLog).where(ChangeLog.seq > log_before).order_by(ChangeLog.seq)
    )
    assert [c.entity for (c,) in log] == ["request", "event"] * 4
    assert {c.district_code for (c,) in log} == {"1-1"}
    assert {c.entity_key for (c,) in log} == {str(r.id) for r in requests.values()} | {
        str(e.id) for (e,) in events
    }


def test_importing_the_same_file_twice_adds_nothing(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "a.csv", [row(1), row(2), row(3)])
    assert run_import(url, path) == 0
    log_after_first = count(url, ChangeLog)
    capsys.readouterr()
    assert run_import(url, path) == 0
    assert last_line(capsys.readouterr().out) == "imported: 0, already present: 3, rejected: 0"
    assert count(url, ServiceRequest) == 3
    assert count(url, Event) == 3
    assert count(url, ChangeLog) == log_after_first


def test_a_file_with_new_and_known_rows_adds_only_the_new(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_import(url, write_csv(tmp_path / "a.csv", [row(1), row(2)])) == 0
    capsys.readouterr()
    assert run_import(url, write_csv(tmp_path / "b.csv", [row(2), row(3)])) == 0
    assert last_line(capsys.readouterr().out) == "imported: 1, already present: 1, rejected: 0"


BAD_ROWS: list[tuple[dict[str, str], str]] = [
    ({"channel": "fax"}, "channel 'fax' is not one of"),
    ({"district": "9-9"}, "district '9-9' is not a district code"),
    ({"neighbourhood": "fin"}, "neighbourhood 'fin' belongs to district 2-1, not 1-1"),
    ({"neighbourhood": "atlantis"}, "neighbourhood 'atlantis' is not a neighbourhood code"),
    ({"category": "potholes"}, "category 'potholes' is not a category code"),
    ({"status": "finished"}, "status 'finished' is not one of"),
    ({"closed_at": ""}, "closed_at is empty: a done request needs"),
    ({"status": "referred"}, "closed_at must be empty while the status is referred"),
    ({"status": "not_actionable"}, "outcome_reason is empty"),
    ({"status": "not_actionable", "outcome_reason": "bored"}, "'bored' is not a reason code"),
    ({"outcome_reason": "duplicate"}, "outcome_reason must be empty unless"),
    ({"closed_at": "2026-03-01T10:00:00Z"}, "is before received_at"),
    ({"received_at": "2026-04-01T10:00:00"}, "has no offset (add Z or +03:30)"),
    ({"received_at": "yesterday"}, "received_at: not an ISO 8601 time"),
    ({"received_at": ""}, "received_at: no time given"),
    ({"citizen_phone": "12"}, "citizen_phone '12': wrong number of digits"),
    ({"latitude": "91"}, "latitude '91' is not a coordinate from -90 to 90"),
    ({"longitude": "east"}, "longitude 'east' is not a coordinate"),
    ({"longitude": ""}, "latitude and longitude go together"),
    ({"tracking_code": ""}, "tracking_code is empty"),
    ({"tracking_code": "14 05/#1"}, "tracking_code '14 05/#1' may hold only"),
    ({"citizen_name": "ب" * 201}, "citizen_name is 201 characters long"),
]


def test_a_file_with_bad_rows_imports_nothing_and_names_every_bad_line(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [row(1)] + [row(100 + i, **changes) for i, (changes, _) in enumerate(BAD_ROWS)]
    rows.append(row(999))
    assert run_import(url, write_csv(tmp_path / "bad.csv", rows)) != 0
    out = capsys.readouterr()
    assert last_line(out.out) == f"imported: 0, already present: 0, rejected: {len(BAD_ROWS)}"
    errors = out.err.splitlines()
    for i, (_, reason) in enumerate(BAD_ROWS):
        line = i + 3  # the header is line 1, the good row line 2
        named = [e for e in errors if e.startswith(f"line {line}: ")]
        assert any(reason in e for e in named), (line, reason, named)
    assert not any(e.startswith(("line 2:", f"line {len(rows) + 1}:")) for e in errors)
    assert errors[-1].startswith("daftar-server: error: ")
    assert "nothing was imported" in errors[-1]
    assert count(url, ServiceRequest) == 0
    assert count(url, Event) == 0


def test_a_row_with_too_few_fields_is_named(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "a.csv", [row(1)])
    with path.open("a", encoding="utf-8") as out:
        out.write("1405000002,2026-04-01T10:00:00Z,phone\n")
    assert run_import(url, path) != 0
    err = capsys.readouterr().err
    assert "line 3: has 3 fields, the header has 16" in err


def test_a_tracking_code_twice_in_one_file_is_a_rejection(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "a.csv", [row(1), row(2), row(1, citizen_name="دیگری")])
    assert run_import(url, path) != 0
    out = capsys.readouterr()
    assert "line 4: tracking_code 1405000001 is also on line 2" in out.err
    assert last_line(out.out) == "imported: 0, already present: 0, rejected: 1"
    assert count(url, ServiceRequest) == 0


def test_line_numbers_count_the_lines_of_a_multi_line_description(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [row(1, description="سطر اول\nسطر دوم\nسطر سوم"), row(2, channel="fax")]
    assert run_import(url, write_csv(tmp_path / "a.csv", rows)) != 0
    assert "line 5: channel 'fax'" in capsys.readouterr().err


def test_z_and_tehran_offset_are_the_same_instant(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        row(1, received_at="2026-04-01T06:30:00Z", closed_at="2026-04-02T06:30:00Z"),
        row(2, received_at="2026-04-01T10:00:00+03:30", closed_at="2026-04-02T10:00:00+03:30"),
    ]
    assert run_import(url, write_csv(tmp_path / "a.csv", rows)) == 0
    stored = query(url, sa.select(ServiceRequest.received_at, ServiceRequest.closed_at))
    expected = (dt.datetime(2026, 4, 1, 6, 30, tzinfo=UTC), dt.datetime(2026, 4, 2, 6, 30, tzinfo=UTC))
    assert [tuple(r) for r in stored] == [expected, expected]


def test_a_byte_order_mark_is_accepted(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "bom.csv", [row(1)], bom=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert run_import(url, path) == 0
    assert last_line(capsys.readouterr().out) == "imported: 1, already present: 0, rejected: 0"


def test_persian_and_arabic_indic_digits_are_read_everywhere(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        row(
            1,
            tracking_code="۱۴۰۵۰۰۰۰۰۱",
            received_at="۲۰۲۶-۰۴-۰۱T۱۰:۰۰:۰۰+۰۳:۳۰",
            closed_at="٢٠٢٦-٠٤-٠٢T١٠:٠٠:٠٠Z",
            citizen_phone="۰۹۱۳ ۱۲۳ ۴۵۶۷",
            latitude="۳۳٫۹۸۵",
            longitude="٥١.٤٣",
            district="۱-۱",
        )
    ]
    assert run_import(url, write_csv(tmp_path / "a.csv", rows)) == 0
    ((request,),) = query(url, sa.select(ServiceRequest))
    assert request.tracking_code == "1405000001"
    assert request.received_at == dt.datetime(2026, 4, 1, 6, 30, tzinfo=UTC)
    assert request.closed_at == dt.datetime(2026, 4, 2, 10, 0, tzinfo=UTC)
    assert request.citizen_phone == "09131234567"
    assert (request.latitude, request.longitude) == (33.985, 51.43)
    assert request.district_code == "1-1"


def test_arabic_yeh_and_kaf_are_stored_as_persian(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        row(1, citizen_name="علي كريمي", description="  كوچه   تاريك  ", address="كاشان، بازار")
    ]
    assert run_import(url, write_csv(tmp_path / "a.csv", rows)) == 0
    ((request,),) = query(url, sa.select(ServiceRequest))
    assert request.citizen_name == "علی کریمی"
    assert request.description == "کوچه تاریک"
    assert request.address == "کاشان، بازار"


def test_a_dry_run_checks_everything_and_writes_nothing(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log_before = count(url, ChangeLog)
    path = write_csv(tmp_path / "a.csv", [row(1), row(2)])
    assert run_import(url, path, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "dry run: nothing was written" in out
    assert last_line(out) == "imported: 2, already present: 0, rejected: 0"
    assert count(url, ServiceRequest) == 0
    assert count(url, ChangeLog) == log_before
    assert count(url, Counter) == 1  # only the change log's own counter

    bad = write_csv(tmp_path / "bad.csv", [row(1), row(2, channel="fax")])
    assert run_import(url, bad, "--dry-run") != 0
    out = capsys.readouterr()
    assert "line 3: channel 'fax'" in out.err
    assert last_line(out.out) == "imported: 0, already present: 0, rejected: 1"


def test_imported_codes_are_never_handed_out_again(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_import(url, write_csv(tmp_path / "a.csv", [row(7), row(3)])) == 0
    engine = db.open_engine(url)
    try:
        with db.session_factory(engine)() as session, session.begin():
            assert next_codes(session, 1405, 2) == ["1405000008", "1405000009"]
            assert next_codes(session, 1406, 1) == ["1406000001"]
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "is empty: it needs a header row"),
        (b"tracking_code,received_at\n1,2\n", "the header row has missing"),
        (",".join(COLUMNS).encode() + b",colour\n", "unknown 'colour'"),
        (",".join(COLUMNS).encode() + b"\n\xff\xfe,\n", "is not UTF-8 text (line 2)"),
    ],
)
def test_a_file_that_is_not_an_archive_is_one_clear_error(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, reason: str
) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    assert run_import(url, path) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("daftar-server: error: ")
    assert reason in err


def test_a_missing_file_is_one_clear_error(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_import(url, tmp_path / "nowhere.csv") == 1
    err = capsys.readouterr().err
    assert err.startswith("daftar-server: error: cannot read") and err.count("\n") == 1


def test_importing_before_the_reference_data_says_to_load_it(
    centre_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_import(centre_url, write_csv(tmp_path / "a.csv", [row(1)])) == 1
    assert "run `daftar-server reference load FILE.json` first" in capsys.readouterr().err


def test_on_sqlite_the_driver_path_stores_what_sqlalchemy_stores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import writes SQLite rows with the driver's executemany; the same file
    written through SQLAlchemy's insert must give the same rows, read raw and through
    the ORM (ids and clocks fixed, so the two runs can be compared)."""
    import itertools
    import uuid

    from sync.server import importer
    from sync.server.changes import log_changes

    rows = [
        row(1),
        row(2, status="not_actionable", outcome_reason="duplicate", outcome_note="",
            received_at="2026-04-01T06:30:00.123456Z"),
        row(3, status="referred", closed_at="", outcome_note=""),
        row(4, neighbourhood="", citizen_phone="", latitude="", longitude="", status="received",
            closed_at="", description="یک\nدو"),
    ]
    path = write_csv(tmp_path / "a.csv", rows)

    def stored(name: str, generic: bool) -> dict[str, list[Any]]:
        folder = tmp_path / name
        folder.mkdir()
        url = f"sqlite:///{folder / 'centre.sqlite3'}"
        engine = db.open_engine(url)
        db.upgrade(engine)
        engine.dispose()
        reference = Path(__file__).resolve().parents[3] / "resources/reference/kashan-reference.json"
        assert main(["--database-url", url, "reference", "load", str(reference)]) == 0
        ids = (uuid.UUID(int=i) for i in itertools.count(1))
        clock = dt.datetime(2026, 5, 1, 8, 30, 15, 250, tzinfo=UTC)
        with monkeypatch.context() as patch:
            patch.setattr(importer, "new_id", lambda: next(ids))
            patch.setattr(importer, "utcnow", lambda: clock)
            patch.setattr("sync.server.changes.utcnow", lambda: clock)
            if generic:
                patch.setattr(importer, "insert_rows",
                              lambda session, table, rows: session.execute(sa.insert(table), rows))
                patch.setattr(importer, "_log_changes", log_changes)
            assert run_import(url, path) == 0
        assert last_line(capsys.readouterr().out) == "imported: 4, already present: 0, rejected: 0"
        found: dict[str, list[Any]] = {}
        # The reference data's own change-log entries carry the real clock: left out.
        for model, where in ((ServiceRequest, "1 = 1"), (Event, "1 = 1"),
                             (ChangeLog, "entity IN ('request', 'event')")):
            table = model.__table__
            key = list(table.primary_key.columns)[0]
            found[f"{table.name} raw"] = [tuple(r) for r in query(
                url, sa.text(f"SELECT * FROM {table.name} WHERE {where} ORDER BY {key.name}"))]
            found[f"{table.name} orm"] = [
                {c.key: getattr(r, c.key) for c in sa.inspect(model).column_attrs}
                for (r,) in query(url, sa.select(model).where(sa.text(where)).order_by(key))
            ]
        return found

    driver, generic = stored("driver", False), stored("generic", True)
    assert len(driver["requests raw"]) == 4 and len(driver["change_log raw"]) == 8
    assert driver == generic
