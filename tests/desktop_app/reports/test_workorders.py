"""Work orders: what the paper says, in what order, and what printing records.

The PDF is read back at the level of its drawing operators: every string the
renderer painted, with its position and width, decoded through the embedded
font's ToUnicode map and NFKC-normalised (presentation forms back to letters).
The strings are in visual order, so a field is found as ``visual(value)``;
:mod:`tests.desktop_app.reports.test_persian` checks ``visual`` itself against
hand-written visual strings.  (pypdf's ``extract_text`` guesses a logical order
and reverses Persian digit runs on the way, so it is not used.)
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import unicodedata
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream

from desktop_app import cli
from desktop_app.cli.workorders import cli_workorders, find_crew
from desktop_app.reports import page_layout
from desktop_app.reports import workorders as wo
from desktop_app.services import printing
from desktop_app.reports.persian import visual, wrap
from desktop_app.reports.qr import qr_matrix
from desktop_app.errors import ServiceError
from desktop_app.store import models as m
from desktop_app.store.db import Store
from sync.dates import UTC
from sync.workflow import EventKind
from tests.factories import CREW_A, CREW_B, SUPERVISOR, desk, make_request, office

#: 2026-04-02 05:00 UTC is 08:30 on 13 Farvardin 1405 in Tehran.
PRINTED = dt.datetime(2026, 4, 2, 5, 0, tzinfo=UTC)
#: 2026-04-01 06:30 UTC is 10:00 on 12 Farvardin 1405.
RECEIVED = dt.datetime(2026, 4, 1, 6, 30, tzinfo=UTC)


# ------------------------------------------------------------ reading PDFs back


@dataclass(frozen=True)
class Run:
    """One string as painted: origin, width in points, NFKC text in visual order."""

    x: float
    y: float
    width: float
    text: str


def _to_unicode(font: Any) -> dict[int, str]:
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    pairs = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            pairs[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be")
    return pairs


def _walk(reader: PdfReader, content: Any, resources: Any, runs: list[Run]) -> None:
    fonts = {}
    for name, ref in (resources.get("/Font") or {}).items():
        font = ref.get_object()
        if "/ToUnicode" in font:
            fonts[name] = (_to_unicode(font), int(font["/FirstChar"]),
                           [float(w) for w in font["/Widths"]])
    font: tuple[dict[int, str], int, list[float]] | None = None
    size = x = y = 0.0
    text, width = "", 0.0

    def flush() -> None:
        nonlocal text, width
        if text.strip():
            runs.append(Run(x, y, width, unicodedata.normalize("NFKC", text)))
        text, width = "", 0.0

    for operands, operator in ContentStream(content, reader).operations:
        if operator == b"Tf":
            font, size = fonts.get(operands[0]), float(operands[1])
        elif operator == b"Tm":
            flush()
            x, y = float(operands[4]), float(operands[5])
        elif operator in (b"Tj", b"TJ") and font is not None:
            cmap, first, widths = font
            for part in operands[0] if operator == b"TJ" else [operands[0]]:
                if isinstance(part, (str, bytes)):
                    codes = part.get_original_bytes() if hasattr(part, "get_original_bytes") \
                        else bytes(part)
                    text += "".join(cmap[c] for c in codes)
                    width += sum(widths[c - first] for c in codes) * size / 1000
        elif operator == b"ET":
            flush()
        elif operator == b"Do":
            xobject = resources["/XObject"][operands[0]].get_object()
            if xobject["/Subtype"] == "/Form":
                _walk(reader, xobject, xobject.get("/Resources") or resources, runs)
    flush()


def read_pdf(pdf: bytes) -> tuple[PdfReader, list[list[Run]]]:
    reader = PdfReader(io.BytesIO(pdf))
    pages = []
    for page in reader.pages:
        runs: list[Run] = []
        _walk(reader, page.get_contents(), page["/Resources"], runs)
        pages.append(runs)
    return reader, pages


def texts(runs: list[Run]) -> list[str]:
    return [run.text for run in runs]


def painted(text: str) -> str:
    """What ``text`` looks like read back from the page."""
    return unicodedata.normalize("NFKC", visual(text))


def shows(runs: list[Run], *values: str) -> bool:
    drawn = set(texts(runs))
    return all(painted(value) in drawn for value in values)


def render(items: list[wo.WorkOrderData], **options: Any) -> list[list[Run]]:
    out = io.BytesIO()
    wo.render_work_orders(items, out, printed_at=PRINTED, **options)
    return read_pdf(out.getvalue())[1]


def latin_codes(pages: list[list[Run]]) -> list[str | None]:
    """The tracking code printed under each page's QR code (Latin digits)."""
    found = []
    for runs in pages:
        codes = [r.text for r in runs if re.fullmatch(r"[0-9A-Za-z-]{6,}", r.text)]
        found.append(codes[0] if codes else None)
    return found


def decode_qr(pdf: bytes, page: int, tmp_path: Path) -> list[str]:
    """Render one page with poppler and read every QR code on it with zxing."""
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm (poppler-utils) is needed to check the QR codes")
    source = tmp_path / "scan.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", str(page), "-l", str(page),
                    "-singlefile", str(source), str(tmp_path / "scan")], check=True)
    with Image.open(tmp_path / "scan.png") as image:
        return [result.text for result in zxingcpp.read_barcodes(image)]


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def store(tmp_path: Path) -> Store:
    office_store = office(tmp_path / "office")
    yield office_store
    office_store.close()


def allow_phone(store: Store, allowed: object) -> None:
    with store.sessions.begin() as session:
        session.merge(m.Setting(key=wo.SHOW_PHONE_SETTING, value=allowed))


def load(store: Store, *ids: uuid.UUID) -> list[wo.WorkOrderData]:
    with store.sessions() as session:
        return wo.load_work_orders(session, ids)


def events(store: Store, kind: EventKind) -> list[m.Event]:
    with store.sessions() as session:
        return list(session.scalars(sa.select(m.Event).where(m.Event.kind == kind.value)))


def full_request(store: Store, **values: Any) -> m.ServiceRequest:
    """A request with every field filled, assigned to crew A, with a note."""
    values = {"received_at": RECEIVED, "latitude": 33.98512, "longitude": 51.43567,
              "description": "کیسه‌های زباله کنار درِ مسجد (جنب نانوایی Sangak No. 5) رها شده است.",
              "address": "کاشان، خیابان بابا افضل، کوچه ۱۲، پلاک 45", **values}
    request = make_request(store, **values)
    desk(store, SUPERVISOR).assign([request.id], CREW_A)
    desk(store, SUPERVISOR).add_note(request.id, "شهروند ساعت ۸ در محل است")
    return request


# ------------------------------------------------------------ one work order


def test_a_work_order_shows_every_field(store: Store) -> None:
    allow_phone(store, True)
    request = full_request(store)
    (item,) = load(store, request.id)
    (page,) = render([item])
    assert shows(page, wo.MUNICIPALITY, "منطقه یک، ناحیه ۱ منطقه ۱", wo.TITLE)
    # The tracking code in Persian digits, in Latin digits under its QR code.
    assert shows(page, "۱۴۰۵" + request.tracking_code[4:].translate(str.maketrans(
        "0123456789", "۰۱۲۳۴۵۶۷۸۹")))
    assert request.tracking_code in texts(page)
    assert shows(page, "۱۴۰۵/۰۱/۱۳ ۰۸:۳۰")  # printed, Jalali, Tehran time
    # The request: category, channel, received, target from the category's days.
    assert shows(page, "جمع‌آوری زباله", "تلفن ۱۳۷", "۱۴۰۵/۰۱/۱۲ ۱۰:۰۰", "واگذار شده",
                 "۱ روز، تا ۱۴۰۵/۰۱/۱۳", "فوری", item.description)
    # Where, and who asked.
    assert shows(page, "بازار", "۳۳.۹۸۵۱۲، ۵۱.۴۳۵۶۷", item.address, "محمد حسینی",
                 "۰۹۱۲۱۲۳۴۵۶۷")
    # Assignment and history in short.
    assert shows(page, "اکیپ تنظیف ۱", "حسین رضایی", "ثبت درخواست",
                 "واگذاری به اکیپ تنظیف ۱", "یادداشت: شهروند ساعت ۸ در محل است")
    # The completion block, in the lifecycle's words, every reason to tick.
    assert shows(page, "گزارش اکیپ (با دست تکمیل شود)", "ساعت رسیدن:", "ساعت پایان:",
                 "کار انجام شده:", "انجام شده", "قابل انجام نیست، به علت:", "تکراری",
                 "خارج از وظایف شهرداری", "ملک خصوصی", "مصالح و تجهیزات مصرفی:",
                 "امضای اکیپ:", "امضای سرپرست:")


def test_the_bundled_font_is_embedded(store: Store) -> None:
    out = io.BytesIO()
    wo.render_work_orders(load(store, make_request(store).id), out)
    reader, _ = read_pdf(out.getvalue())
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    embedded = [f for f in fonts if "/FontDescriptor" in f]
    assert {str(f["/BaseFont"]).split("+")[1] for f in embedded} == {"Vazirmatn-Regular",
                                                                    "Vazirmatn-Bold"}
    assert all("/FontFile2" in f["/FontDescriptor"] for f in embedded)


@pytest.mark.parametrize("setting", [None, False, "true", 1])
def test_the_phone_is_printed_only_when_the_office_allows_it(store: Store,
                                                            setting: object) -> None:
    if setting is not None:
        allow_phone(store, setting)
    (item,) = load(store, make_request(store).id)
    assert item.citizen_phone is None
    (page,) = render([item])
    drawn = " ".join(texts(page))
    assert "۰۹۱۲۱۲۳۴۵۶۷" not in drawn and "09121234567" not in drawn
    assert painted("تلفن:") not in texts(page)
    assert shows(page, "محمد حسینی")


def test_a_request_with_no_optional_fields_still_prints(store: Store) -> None:
    bare = make_request(store, neighbourhood_code=None, address="", description="",
                        citizen_name="", citizen_phone=None, category_code="asphalt")
    (item,) = load(store, bare.id)
    assert (item.neighbourhood_fa, item.crew_name, item.assigned_at) == ("", "", None)
    (page,) = render([item])
    assert shows(page, wo.TITLE, "آسفالت", "ارجاع شده", "عادی")
    assert texts(page).count("—") >= 7  # neighbourhood, coordinates, address, citizen …
    assert not any("None" in text for text in texts(page))


def test_the_qr_code_scans_back_to_the_tracking_code(store: Store, tmp_path: Path) -> None:
    walk_in = make_request(store, tracking_code="1405-3-12")
    numeric = make_request(store)
    for size in wo.PAGE_SIZES:
        out = io.BytesIO()
        wo.render_work_orders(load(store, walk_in.id, numeric.id), out, page_size=size)
        assert decode_qr(out.getvalue(), 1, tmp_path) == ["1405-3-12"]
        assert decode_qr(out.getvalue(), 2, tmp_path) == [numeric.tracking_code]


@pytest.mark.parametrize("text", ["1405000123", "1405-12-9999", "HTTPS://137.KASHAN.IR/R/1"])
def test_the_qr_matrix_decodes(text: str) -> None:
    matrix = qr_matrix(text)
    scale, quiet = 8, 4
    side = (len(matrix) + 2 * quiet) * scale
    image = Image.new("L", (side, side), 255)
    for row, modules in enumerate(matrix):
        for col, dark in enumerate(modules):
            if dark:
                x, y = (col + quiet) * scale, (row + quiet) * scale
                image.paste(0, (x, y, x + scale, y + scale))
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [text]


def test_a5_is_an_option(store: Store) -> None:
    out = io.BytesIO()
    wo.render_work_orders(load(store, make_request(store).id), out, page_size="A5")
    box = PdfReader(io.BytesIO(out.getvalue())).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (420, 595)
    with pytest.raises(ValueError, match="A4, A5"):
        wo.render_work_orders([], io.BytesIO(), page_size="Letter")


def test_long_descriptions_wrap_in_order_without_clipping(store: Store) -> None:
    sentence = ("زباله‌ها از هفته پیش جمع‌آوری نشده و بوی بد آن کوچه را گرفته است؛ "
                "کیسه‌ها کنار پل عابر (نزدیک فروشگاه Kashan Market شماره 12) رها شده‌اند. ")
    description = sentence * 14 + "https://137.kashan.ir/photos/" + "x" * 150
    request = make_request(store, description=description)
    (item,) = load(store, request.id)
    for size in wo.PAGE_SIZES:
        pages = render([item], page_size=size)
        assert len(pages) > 1, size
        width, height = page_layout.METRICS[size].width, page_layout.METRICS[size].height
        margin = page_layout.METRICS[size].margin
        # Nothing leaves the printable area (half a point for rounding).
        for runs in pages:
            for run in runs:
                assert margin - 0.5 <= run.x and run.x + run.width <= width - margin + 0.5, run
                assert margin / 2 <= run.y <= height - margin, run
        # Every line of the description is there, top to bottom, page after page.
        body = page_layout.METRICS[size].body
        label_w = page_layout.text_width("شرح درخواست:", wo.FONT_BOLD, body) + body * 0.5
        lines = wrap(description, wo.FONT, body,
                     width - 2 * margin - label_w)
        assert " ".join(lines).replace(" ", "") == description.replace(" ", "")
        positions = []
        for number, runs in enumerate(pages):
            for run in runs:
                if run.text in {painted(line) for line in lines}:
                    positions.append((number, -run.y, run.text))
        assert [text for *_, text in sorted(positions)] == [painted(line) for line in lines]
        # The continuation carries the code and QR; the completion block is last.
        assert latin_codes(pages) == [request.tracking_code] * len(pages)
        assert shows(pages[-1], "گزارش اکیپ (با دست تکمیل شود)")
        assert not shows(pages[0], "گزارش اکیپ (با دست تکمیل شود)")


def test_history_shows_the_latest_entries_and_counts_the_rest(store: Store) -> None:
    request = make_request(store)
    for number in range(1, 9):
        desk(store).add_note(request.id, f"یادداشت شماره {number}")
    (item,) = load(store, request.id)
    assert len(item.history) == wo.HISTORY_LIMIT and item.earlier_history == 3
    (a4,) = render([item])
    assert shows(a4, "… و ۳ رویداد پیش‌تر", "یادداشت: یادداشت شماره 8")
    assert not shows(a4, "یادداشت: یادداشت شماره 2")
    (a5,) = render([item], page_size="A5")
    assert shows(a5, "… و ۶ رویداد پیش‌تر", "یادداشت: یادداشت شماره 6")
    assert not shows(a5, "یادداشت: یادداشت شماره 5")


def test_overdue_work_says_so(store: Store) -> None:
    (item,) = load(store, make_request(store, received_at=RECEIVED - dt.timedelta(days=5)).id)
    (page,) = render([item])
    assert shows(page, "۱ روز، تا ۱۴۰۵/۰۱/۰۸ (گذشته از مهلت)")


# ------------------------------------------------------------ crew day sheet


def assigned(store: Store, crew: uuid.UUID, **values: Any) -> m.ServiceRequest:
    values.setdefault("assigned_at", RECEIVED)
    values.setdefault("status", "assigned")
    return make_request(store, crew_id=crew, **values)


def test_the_day_sheet_lists_open_work_in_route_order(store: Store) -> None:
    day = dt.date(2026, 4, 2)
    # Persian order of the neighbourhoods: بازار < پشت مشهد < سرسیاب < فین (Unicode
    # would put پ after ف); within one, the earliest target date first.
    fin = assigned(store, CREW_A, neighbourhood_code="fin")
    bazaar_later = assigned(store, CREW_A, category_code="asphalt", received_at=RECEIVED
                            - dt.timedelta(days=3))  # due in 14 days
    bazaar_sooner = assigned(store, CREW_A, status="in_progress")  # garbage: due tomorrow
    posht = assigned(store, CREW_A, district_code="1-2", neighbourhood_code="posht-e-mashhad")
    nowhere = assigned(store, CREW_A, neighbourhood_code=None)
    sarsiab = assigned(store, CREW_A, neighbourhood_code="sarsiab")
    # Not on the sheet: another crew's, closed, taken back, assigned after the day.
    assigned(store, CREW_B)
    assigned(store, CREW_A, status="done")
    make_request(store, status="referred")
    later = assigned(store, CREW_A, assigned_at=dt.datetime(2026, 4, 2, 20, 31, tzinfo=UTC))
    expected = [bazaar_sooner, bazaar_later, posht, sarsiab, fin, nowhere]

    out = printing.issue_crew_day(store, SUPERVISOR, CREW_A, day, Path(store.folder) / "day.pdf")
    _, pages = read_pdf(out.read_bytes())
    codes = [r.tracking_code for r in expected]
    # The cover, then one work order per request, in the same order.
    assert len(pages) == 1 + len(expected)
    cover = pages[0]
    assert shows(cover, wo.DAY_SHEET_TITLE, "اکیپ تنظیف ۱", "حسین رضایی",
                 "پنج‌شنبه ۱۳ فروردین ۱۴۰۵")
    listed = sorted((-r.y, r.text) for r in cover if r.text in {painted(c) for c in
                                                                [wo.fa(c) for c in codes]})
    assert [text for _, text in listed] == [painted(wo.fa(c)) for c in codes]
    assert latin_codes(pages[1:]) == codes
    assert shows(cover, "بازار", "پشت مشهد", "جمع‌آوری زباله", "۱۴۰۵/۰۱/۱۳")
    # Printing the sheet told the centre, for exactly the requests on it.
    issued = events(store, EventKind.WORK_ORDER_ISSUED)
    assert sorted(e.request_id for e in issued) == sorted(r.id for r in expected)
    assert later.id not in {e.request_id for e in issued}
    # The day after, the late assignment is on the sheet too.
    with store.sessions() as session:
        tomorrow = wo.load_crew_day(session, CREW_A, day + dt.timedelta(days=1))
    assert later.id in {i.request_id for i in tomorrow}


def test_an_empty_day_still_prints_a_cover_saying_so(store: Store) -> None:
    out = printing.issue_crew_day(store, SUPERVISOR, CREW_B, dt.date(2026, 4, 2),
                            Path(store.folder) / "empty.pdf")
    _, pages = read_pdf(out.read_bytes())
    assert len(pages) == 1
    assert shows(pages[0], wo.DAY_SHEET_TITLE, wo.NO_OPEN_WORK, "اکیپ آسفالت")
    assert events(store, EventKind.WORK_ORDER_ISSUED) == []


def test_overdue_is_measured_against_the_sheets_day(store: Store) -> None:
    assigned(store, CREW_A)  # garbage, due 1405/01/13: the day it is printed on
    assigned(store, CREW_A, category_code="asphalt")  # due 1405/01/26
    day = dt.date(2026, 4, 3)  # printed on the 13th for the crew's work on the 14th
    with store.sessions() as session:
        items = wo.load_crew_day(session, CREW_A, day)
        cover = wo.load_day_sheet_cover(session, CREW_A, day)
    cover_page, due, later = render(items, cover=cover)
    assert shows(cover_page, "۱۴۰۵/۰۱/۱۳*", "۱۴۰۵/۰۱/۲۶", "گذشته از مهلت (*):")
    assert shows(due, "۱ روز، تا ۱۴۰۵/۰۱/۱۳ (گذشته از مهلت)")
    assert shows(later, "۱۴ روز، تا ۱۴۰۵/۰۱/۲۶")
    # Printed alone on the 13th, the same request is not overdue yet.
    (alone,) = render(items[:1])
    assert shows(alone, "۱ روز، تا ۱۴۰۵/۰۱/۱۳")


def test_a_long_day_sheet_repeats_the_table_header(store: Store) -> None:
    for _ in range(60):
        assigned(store, CREW_A)
    day = dt.date(2026, 4, 2)
    with store.sessions() as session:
        items = wo.load_crew_day(session, CREW_A, day)
        cover = wo.load_day_sheet_cover(session, CREW_A, day)
    pages = render(items, cover=cover)
    cover_pages = [p for p in pages if shows(p, wo.DAY_SHEET_TITLE)]
    assert len(cover_pages) == 2 and len(pages) == 2 + 60
    assert all(shows(p, "کد پیگیری", "مهلت") for p in cover_pages)
    assert sum(shows(p, wo.fa(i.tracking_code)) for p in cover_pages for i in items) == 60


# ------------------------------------------------------------ issuing


def test_issuing_records_the_event_after_the_pdf_is_written(store: Store) -> None:
    first, second = make_request(store), make_request(store)
    out = printing.issue_work_orders(store, SUPERVISOR, [first.id, second.id],
                               Path(store.folder) / "orders.pdf", page_size="A5")
    assert latin_codes(read_pdf(out.read_bytes())[1]) == [first.tracking_code,
                                                          second.tracking_code]
    issued = events(store, EventKind.WORK_ORDER_ISSUED)
    assert sorted(e.request_id for e in issued) == sorted([first.id, second.id])
    assert {(e.actor, e.actor_role) for e in issued} == {("super", "supervisor")}
    with store.sessions() as session:
        ops = session.scalars(sa.select(m.OutboxEntry.op)).all()
    assert ops.count("work_order_issued") == 2


def test_a_failed_print_records_nothing_and_leaves_the_old_file(store: Store,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    request = make_request(store)
    out = Path(store.folder) / "orders.pdf"
    out.write_bytes(b"yesterday's orders")

    def broken(items: Any, target: Path, **options: Any) -> None:
        target.write_bytes(b"%PDF-1.4 half a page")
        raise OSError("printer spool full")

    monkeypatch.setattr(printing, "render_work_orders", broken)
    with pytest.raises(OSError, match="spool"):
        printing.issue_work_orders(store, SUPERVISOR, [request.id], out)
    assert out.read_bytes() == b"yesterday's orders"
    assert sorted(p.name for p in out.parent.glob("*orders.pdf*")) == ["orders.pdf"]
    assert events(store, EventKind.WORK_ORDER_ISSUED) == []


def test_unknown_requests_are_refused(store: Store) -> None:
    with pytest.raises(ServiceError) as caught:
        printing.issue_work_orders(store, SUPERVISOR, [uuid.uuid4()], Path(store.folder) / "x.pdf")
    assert caught.value.code == "unknown_request"
    with pytest.raises(ServiceError) as caught:
        printing.issue_crew_day(store, SUPERVISOR, uuid.uuid4(), dt.date(2026, 4, 2),
                          Path(store.folder) / "x.pdf")
    assert caught.value.code == "unknown_crew"
    assert not (Path(store.folder) / "x.pdf").exists()
    with pytest.raises(FileNotFoundError, match="no folder .*nowhere: create it"):
        printing.issue_work_orders(store, SUPERVISOR, [make_request(store).id],
                             Path(store.folder) / "nowhere" / "x.pdf")
    assert events(store, EventKind.WORK_ORDER_ISSUED) == []


# ------------------------------------------------------------ command line


def run_cli(store: Store, *argv: str) -> int:
    args = cli.build_parser().parse_args(["workorders", *argv])
    return cli_workorders(store, args)


def test_cli_prints_requests_by_tracking_code_as_user_cli(store: Store, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    first, second = make_request(store), make_request(store)
    persian_code = wo.fa(second.tracking_code)  # typed with Persian digits
    out = tmp_path / "orders.pdf"
    assert run_cli(store, "--request", first.tracking_code, "--request", persian_code,
                   "--page-size", "A5", "--out", str(out)) == 0
    assert latin_codes(read_pdf(out.read_bytes())[1]) == [first.tracking_code,
                                                          second.tracking_code]
    assert "2 work order(s) written" in capsys.readouterr().out
    issued = events(store, EventKind.WORK_ORDER_ISSUED)
    assert {(e.actor, e.actor_role) for e in issued} == {("cli", "supervisor")}


def test_cli_prints_a_crew_day_by_name_or_id(store: Store, tmp_path: Path) -> None:
    request = assigned(store, CREW_A)
    # Arabic ي/ك and a Latin digit, as a script or a keyboard may type the name.
    for crew in ("اكيپ تنظيف 1", str(CREW_A)):
        out = tmp_path / "day.pdf"
        assert run_cli(store, "--crew", crew, "--date", "1405-01-13", "--out", str(out)) == 0
        pages = read_pdf(out.read_bytes())[1]
        assert latin_codes(pages[1:]) == [request.tracking_code]


@pytest.mark.parametrize(("argv", "message"), [
    (["--request", "1405999999"], "unknown tracking code(s): 1405999999"),
    (["--crew", "اکیپ شب", "--date", "1405-01-13"], "no crew 'اکیپ شب'; the crews are: "),
])
def test_cli_errors_are_one_clear_line(store: Store, tmp_path: Path, argv: list[str],
                                       message: str, capsys: pytest.CaptureFixture[str]) -> None:
    store.close()
    code = cli.main(["--data-dir", str(store.folder), "workorders", *argv,
                     "--out", str(tmp_path / "x.pdf")])
    error = capsys.readouterr().err
    assert code == 1
    assert error.count("\n") == 1 and error.startswith(f"daftar: error: {message}")
    assert not (tmp_path / "x.pdf").exists()


def test_two_crews_of_one_name_need_the_id(store: Store) -> None:
    with store.sessions.begin() as session:
        session.add(m.Crew(district_code="1-2", name="اکیپ آسفالت", supervisor="", active=True,
                           version=1, updated_at=RECEIVED))
    with store.sessions() as session, pytest.raises(ServiceError, match="give the crew's id"):
        find_crew(session, "اکیپ آسفالت")


def test_the_dto_is_plain_data(store: Store) -> None:
    (item,) = load(store, full_request(store).id)
    # Frozen and detached from the session: safe to hand to another thread.
    with pytest.raises(AttributeError):
        item.tracking_code = "x"  # type: ignore[misc]
    assert replace(item, description="").description == ""
    assert all(isinstance(h, wo.HistoryLine) for h in item.history)


def test_an_overflowing_work_order_takes_whole_sections_to_the_completion_page(
        store: Store) -> None:
    # On A5 a long description leaves no room for the completion block: the
    # sections after the request go with it, so it never stands alone.
    description = "کیسه‌های زباله از هفته پیش کنار پل عابر رها شده و بوی بد آن کوچه را گرفته. " * 9
    (item,) = load(store, full_request(store, description=description).id)
    first, second = render([item], page_size="A5")
    assert shows(first, "درخواست", "شرح درخواست:") and not shows(first, "محل و شهروند")
    assert shows(second, "محل و شهروند", "واگذاری", "گزارش اکیپ (با دست تکمیل شود)")
