"""Work orders (دستور کار): the paper a field crew takes into the truck.

One request per page (a very long description continues on a second page rather
than being cut), and the crew day sheet: a cover listing a crew's open work in
route order, then one work order per request.  The page carries everything the
crew needs on the street — what, where, who asked, by when — and a completion
block the crew fills by hand, in the lifecycle's own words, so that the clerk
can type the outcome straight back in.

This module composes the pages; the values come from
:mod:`desktop_app.reports.workorder_data` (read from the database, names resolved)
and the drawing engine is :mod:`desktop_app.reports.page_layout`.  Rendering takes a
:class:`~desktop_app.reports.progress.Progress`: it says how many work orders are
drawn and stops between two of them when the job is cancelled.  Issuing (print,
then record "work order issued") is a use case: :mod:`desktop_app.services.printing`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from reportlab import rl_config
from reportlab.lib.colors import Color, black
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from desktop_app.reports.files import write_atomically
from desktop_app.reports.page_layout import (
    GREY, METRICS, MID_GREY, MUNICIPALITY, PAGE_SIZES, SERVICE, Block, Row, Sheet, text_width,
)
from desktop_app.reports.persian import FONT, FONT_BOLD, fa, register_fonts
from desktop_app.reports.progress import NO_PROGRESS, Progress, step
from desktop_app.reports.qr import draw_qr
from desktop_app.reports.workorder_data import (
    CREW_OPEN_STATUSES, DASH, HISTORY_LIMIT, SHOW_PHONE_SETTING, DaySheetCover, HistoryLine,
    WorkOrderData, WorkOrderReference, crew_day_ids, in_route_order, load_crew_day,
    load_day_sheet_cover, load_work_orders, show_phone,
)
from sync.dates import (
    format_jalali_date, format_jalali_datetime, format_jalali_long, jalali, to_tehran, utcnow,
)
from sync.text import to_latin_digits
from sync.workflow import STATUS_LABELS_FA, Status

__all__ = [
    "CREW_OPEN_STATUSES", "DAY_SHEET_TITLE", "HISTORY_LIMIT", "MUNICIPALITY", "NO_OPEN_WORK",
    "PAGE_SIZES", "SERVICE", "SHOW_PHONE_SETTING", "TITLE", "DaySheetCover", "HistoryLine",
    "WorkOrderData", "WorkOrderReference", "crew_day_ids", "in_route_order", "load_crew_day",
    "load_day_sheet_cover", "load_work_orders", "render_work_orders", "show_phone",
    "write_atomically",
]

TITLE = "دستور کار"
DAY_SHEET_TITLE = "برگه کار روزانه اکیپ"
NO_OPEN_WORK = "این اکیپ کار باز ندارد."

_WEEKDAYS_FA = ("شنبه", "یک‌شنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنج‌شنبه", "جمعه")


# ---------------------------------------------------------------- work order


def _coordinates(item: WorkOrderData) -> str:
    if item.latitude is None or item.longitude is None:
        return ""
    return fa(f"{item.latitude:.5f}، {item.longitude:.5f}")


def _target(item: WorkOrderData, work_day: dt.date) -> str:
    if item.target_date is None or item.target_days is None:
        return ""
    text = f"{fa(item.target_days)} روز، تا {format_jalali_date(item.target_date)}"
    if item.target_date < work_day:
        text += " (گذشته از مهلت)"
    return text


def _body_rows(sheet: Sheet, item: WorkOrderData) -> list[Row]:
    rows: list[Row] = [
        sheet.section("درخواست"),
        sheet.fields(("موضوع:", item.category_fa), ("کانال:", item.channel_fa)),
        sheet.fields(("زمان دریافت:", format_jalali_datetime(item.received_at)),
                     ("وضعیت:", item.status_fa)),
        sheet.fields(("مهلت انجام:", _target(item, sheet.work_day)), ("اولویت:", item.priority_fa)),
        *sheet.paragraph("شرح درخواست:", item.description),
        sheet.section("محل و شهروند"),
        sheet.fields(("محله:", item.neighbourhood_fa), ("مختصات:", _coordinates(item))),
        *sheet.paragraph("نشانی:", item.address),
    ]
    citizen = [("شهروند:", item.citizen_name)]
    if item.citizen_phone is not None:
        citizen.append(("تلفن:", fa(item.citizen_phone)))
    if item.citizen_photo:
        rows.append(_with_photo(sheet, citizen, "عکس شهروند:", item.citizen_photo))
    else:
        rows.append(sheet.fields(*citizen))
    rows += [
        sheet.section("واگذاری"),
        sheet.fields(("اکیپ:", item.crew_name), ("سرپرست:", item.crew_supervisor)),
        sheet.fields(("تاریخ واگذاری:",
                      format_jalali_datetime(item.assigned_at) if item.assigned_at else "")),
        *sheet.history(item),
    ]
    return rows


class _Jpeg(ImageReader):
    """A JPEG put into the PDF as it is: given an :class:`ImageReader`, ReportLab
    would decode it and store the pixels compressed again, slower and several times
    bigger."""

    def __init__(self, data: bytes):
        super().__init__(io.BytesIO(data))
        self._jpeg = data
        self._dataA = None  # no transparency (ReportLab reads it for a mask)

    def jpeg_fh(self) -> io.BytesIO:
        return io.BytesIO(self._jpeg)

    def getRGBData(self) -> bytes:  # noqa: N802 - ReportLab's name
        # ``drawImage`` reads it only to name the image (a digest): the file will do.
        return self._jpeg


def _with_photo(sheet: Sheet, cells: list[tuple[str, str]], label: str, photo: bytes) -> Row:
    """The ``cells`` as usual on the right, and the labelled photo at the left end of
    the same row, small: at most a quarter of the width and 8 % of the page's height
    (a full work order keeps its single page), its proportions kept."""
    m = sheet.m
    image = _Jpeg(photo)  # the loader made it a small JPEG
    width, height = image.getSize()
    scale = min(sheet.content / 4 / width, m.height * 0.08 / height)
    shown_w, shown_h = width * scale, height * scale
    label_w = sheet.label_width(label)
    beside = sheet.fields(*cells, width=sheet.content - shown_w - label_w - sheet.gap * 3)
    pad = m.leading * 0.15

    def draw(y: float) -> None:
        beside.draw(y)
        sheet.text(sheet.left + shown_w + sheet.gap + label_w, sheet.baseline(y), label,
                   font=FONT_BOLD)
        sheet.c.drawImage(image, sheet.left, y - pad - shown_h, shown_w, shown_h)
        sheet.box(sheet.left, y - pad - shown_h, shown_w, shown_h, line_width=0.4)

    return Row(max(beside.height, shown_h + pad * 2), draw)


def _completion(sheet: Sheet, item: WorkOrderData) -> Block:
    """The part the crew fills by hand: times, work done, the outcome in the
    lifecycle's words (done / not actionable and why), materials, signatures."""
    m = sheet.m
    pad = sheet.gap * 1.5
    right, left = sheet.right - pad, sheet.left + pad
    band = m.heading * 2.0
    box_side = m.body * 0.95

    # The outcome line flows right to left and wraps: lay it out first, it
    # decides the block's height.
    done_label = STATUS_LABELS_FA[Status.DONE]
    not_label = STATUS_LABELS_FA[Status.NOT_ACTIONABLE]
    outcome_label = "نتیجه:"
    start = right - sheet.label_width(outcome_label)
    choices = [(done_label, FONT_BOLD), (not_label + "، به علت:", FONT_BOLD)]
    choices += [(reason, FONT) for reason in item.reasons]
    choices.append(("سایر", FONT))
    placed: list[tuple[int, float, str, str]] = []  # (line, x_right, text, font)
    line, x = 0, start
    for text, font in choices:
        need = box_side + m.body * 0.4 + text_width(text, font, m.body) + m.body * 1.4
        if x - need < left and x != start:
            line, x = line + 1, start
        placed.append((line, x, text, font))
        x -= need
    outcome_lines = line + 1

    rows_h = m.ruled
    height = (band + pad + m.ruled  # title, times
              + m.ruled * m.work_lines  # work done
              + m.ruled * outcome_lines + m.ruled  # outcome, its explanation
              + m.leading + rows_h * (m.material_rows + 1)  # materials table
              + m.ruled * 2.6 + pad)  # signatures

    def draw() -> None:
        c = sheet.c
        top = sheet.body_bottom + height
        sheet.box(sheet.left, top - height, sheet.content, height, line_width=1.0)
        sheet.box(sheet.left, top - band, sheet.content, band, fill=GREY, line_width=1.0)
        sheet.text(sheet.right - sheet.gap, top - band / 2 - m.heading * 0.3,
                   "گزارش اکیپ (با دست تکمیل شود)", font=FONT_BOLD, size=m.heading)
        y = top - band - pad - m.ruled + m.body * 0.5

        # Date and times, each a label and a blank to write on.
        x = right
        for label, blank in (("تاریخ مراجعه:", m.body * 9), ("ساعت رسیدن:", m.body * 6),
                             ("ساعت پایان:", m.body * 6)):
            sheet.text(x, y, label, font=FONT_BOLD)
            x -= sheet.label_width(label)
            sheet.hline(x - blank, x, y - 2, color=MID_GREY)
            x -= blank + m.body * 2
        y -= m.ruled

        # Work done: ruled lines.
        label = "کار انجام شده:"
        sheet.text(right, y, label, font=FONT_BOLD)
        line_from = right - sheet.label_width(label)
        for _ in range(m.work_lines):
            sheet.hline(left, line_from, y - 2, color=MID_GREY)
            line_from = right
            y -= m.ruled

        # Outcome tick-boxes.
        sheet.text(right, y, outcome_label, font=FONT_BOLD)
        for line_no, x_right, text, font in placed:
            base = y - line_no * m.ruled
            sheet.tick_box(x_right, base)
            sheet.text(x_right - box_side - m.body * 0.4, base, text, font=font)
        y -= m.ruled * outcome_lines
        label = "توضیح:"
        sheet.text(right, y, label, font=FONT_BOLD)
        sheet.hline(left, right - sheet.label_width(label), y - 2, color=MID_GREY)
        y -= m.leading

        # Materials: a small table, right to left: row, description, amount, unit.
        y -= m.body * 0.2
        sheet.text(right, y, "مصالح و تجهیزات مصرفی:", font=FONT_BOLD)
        y -= m.body * 0.6
        widths = (m.body * 3, 0.0, m.body * 8, m.body * 8)
        flexible = (right - left) - sum(widths)
        columns = [w or flexible for w in widths]
        table_top = y
        for row in range(m.material_rows + 1):
            row_top = table_top - row * rows_h
            if row == 0:
                sheet.box(left, row_top - rows_h, right - left, rows_h, fill=GREY, line_width=0.5)
            x = right
            for col, col_w in enumerate(columns):
                if row == 0:
                    heading = ("ردیف", "شرح", "مقدار", "واحد")[col]
                    sheet.text(x - col_w / 2, row_top - rows_h / 2 - m.body * 0.3, heading,
                               font=FONT_BOLD, size=m.small + 0.5, align="centre")
                elif col == 0:
                    sheet.text(x - col_w / 2, row_top - rows_h / 2 - m.body * 0.3, fa(row),
                               size=m.small + 0.5, align="centre", color=MID_GREY)
                x -= col_w
        c.setLineWidth(0.5)
        c.setStrokeColor(black)
        table_bottom = table_top - rows_h * (m.material_rows + 1)
        c.rect(left, table_bottom, right - left, table_top - table_bottom)
        for row in range(1, m.material_rows + 1):
            c.line(left, table_top - row * rows_h, right, table_top - row * rows_h)
        x = right
        for col_w in columns[:-1]:
            x -= col_w
            c.line(x, table_bottom, x, table_top)
        y = table_bottom - m.body * 0.4

        # Signatures: the crew, and the supervisor who checks the work.
        half = (right - left - sheet.gap * 2) / 2
        sig_h = y - (top - height + pad)
        for index, (label, name) in enumerate((
            ("امضای اکیپ:", item.crew_name),
            ("امضای سرپرست:", item.crew_supervisor),
        )):
            x_right = right - index * (half + sheet.gap * 2)
            sheet.box(x_right - half, y - sig_h, half, sig_h, line_width=0.5)
            base = y - m.leading * 0.9
            sheet.text(x_right - sheet.gap, base, label, font=FONT_BOLD)
            if name:
                sheet.text(x_right - sheet.gap - sheet.label_width(label), base, name,
                           color=MID_GREY)

    # The block is the same on every page with the same crew: drawn once.
    key = ("completion", item.reasons, item.crew_name, item.crew_supervisor)
    return Block(height, lambda: sheet.stamp(key, draw))


def _work_order_pages(sheet: Sheet, item: WorkOrderData) -> None:
    m = sheet.m
    code_latin = to_latin_digits(item.tracking_code)

    top = m.height - m.margin
    left_x = sheet.left + m.qr + sheet.gap
    left = (("کد پیگیری", ""), ("زمان چاپ", sheet.printed_fa))
    completion = _completion(sheet, item)
    pages = sheet.paginate(_body_rows(sheet, item), reserve_last=completion.height)
    for number, rows in enumerate(pages, start=1):
        # Every page carries the code and its QR: a loose sheet still scans back.
        subtitle = "سامانه ۱۳۷" if number == 1 else f"ادامه، صفحه {fa(number)}"
        sheet.frame(TITLE, subtitle, item.region_fa, item.district_fa, left_x, left)
        draw_qr(sheet.c, sheet.left, top - m.qr, m.qr, code_latin)
        sheet.text(sheet.left + m.qr / 2, top - m.qr - m.small * 1.1, code_latin, size=m.small,
                   align="centre")
        sheet.text(left_x, sheet.left_slot(0)[1], fa(item.tracking_code), font=FONT_BOLD,
                   size=m.heading * 1.3, align="left")
        sheet.draw_rows(rows)
        if number == len(pages):
            completion.draw()
        sheet.footer(f"کد پیگیری {fa(item.tracking_code)}", number, len(pages))
        sheet.end_page()


# ----------------------------------------------------------------- day sheet


def _cover_pages(sheet: Sheet, cover: DaySheetCover, items: Sequence[WorkOrderData]) -> None:
    m = sheet.m
    day_j = jalali(cover.day)
    day_text = f"{_WEEKDAYS_FA[day_j.weekday()]} {format_jalali_long(cover.day)}"

    left = (("روز کار", day_text), ("زمان چاپ", sheet.printed_fa))

    # One line per request; overdue target dates are bold and starred.
    lines = []
    for number, item in enumerate(items, start=1):
        overdue = item.target_date is not None and item.target_date < sheet.work_day
        target = format_jalali_date(item.target_date) if item.target_date else DASH
        lines.append([
            (fa(number), FONT), (fa(item.tracking_code), FONT),
            (item.neighbourhood_fa or DASH, FONT), (item.category_fa, FONT),
            (item.address or DASH, FONT), (target + "*", FONT_BOLD) if overdue else (target, FONT),
        ])
    overdue_count = sum(1 for line in lines if line[-1][1] == FONT_BOLD)
    rows: list[Row] = [sheet.fields(
        ("سرپرست:", cover.supervisor), ("کارهای باز:", fa(len(items))),
        ("گذشته از مهلت (*):", fa(overdue_count)),
    )]

    # Right to left: row, code, neighbourhood, category, address, target date,
    # a box to tick.  Short columns take what their widest text needs, the
    # address takes the rest: on A5 it is the address that gets cut, not the date.
    headings = ("ردیف", "کد پیگیری", "محله", "موضوع", "نشانی", "مهلت", "انجام")
    head_size = m.small + 1
    pad = sheet.gap * 2

    def natural(column: int) -> float:
        cells = [text_width(line[column][0], line[column][1], m.body) for line in lines]
        return max([text_width(headings[column], FONT_BOLD, head_size), *cells]) + pad

    columns = [natural(c) for c in range(6)] + [text_width(headings[6], FONT_BOLD, head_size) + pad]
    rest = sheet.content - sum(columns[i] for i in (0, 1, 5, 6))
    columns[2] = min(columns[2], rest * 0.28)
    columns[3] = min(columns[3], rest * 0.32)
    columns[4] = rest - columns[2] - columns[3]
    row_h = m.leading * 1.25

    def table_row(cells: Sequence[tuple[str, str]], *, fill: Color | None = None,
                  size: float = m.body, tick: bool = False) -> Row:
        fitted = [(sheet.fit(text, w - pad, font, size), font)
                  for (text, font), w in zip(cells, columns, strict=False)]

        def draw(y: float) -> None:
            sheet.box(sheet.left, y - row_h, sheet.content, row_h, fill=fill, line_width=0.4)
            base = y - row_h / 2 - size * 0.3
            x = sheet.right
            for (text, font), col_w in zip(fitted, columns, strict=False):
                sheet.text(x - sheet.gap, base, text, font=font, size=size)
                x -= col_w
            if tick:  # centred in the last column, which has no text
                sheet.tick_box(sheet.left + columns[-1] / 2 + m.body * 0.475, base)

        return Row(row_h, draw)

    header_row = table_row([(h, FONT_BOLD) for h in headings], fill=GREY, size=head_size)
    header_row.keep_with_next = True
    if lines:
        rows.append(header_row)
        rows += [table_row(line, tick=True) for line in lines]
    else:
        def nothing(y: float) -> None:
            sheet.text(m.width / 2, y - m.leading * 2, NO_OPEN_WORK, font=FONT_BOLD,
                       size=m.heading * 1.2, align="centre")

        rows.append(Row(m.leading * 3, nothing))

    pages = sheet.paginate(rows, repeat=header_row)
    for number, page_rows in enumerate(pages, start=1):
        sheet.frame(DAY_SHEET_TITLE, cover.crew_name, cover.region_fa, cover.district_fa,
                    sheet.left, left)
        sheet.draw_rows(page_rows)
        sheet.footer(f"{DAY_SHEET_TITLE}، {cover.crew_name}", number, len(pages))
        sheet.end_page()


# ------------------------------------------------------------------ public


@contextmanager
def _binary_streams() -> Iterator[None]:
    """ReportLab wraps compressed streams in ASCII85 by default (``useA85``): pure
    Python as slow as drawing the pages, and a quarter more bytes.  Every PDF
    reader takes binary streams; the setting is global, so it is put back."""
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


def render_work_orders(items: Sequence[WorkOrderData], out: Path | BinaryIO, *,
                       page_size: str = "A4", printed_at: dt.datetime | None = None,
                       cover: DaySheetCover | None = None,
                       state: Progress = NO_PROGRESS) -> None:
    """Write one PDF: the day sheet's cover when ``cover`` is given, then one work
    order per item (one page each, more only for a text too long for one).

    The bundled font is embedded (subset), so the paper looks the same on any
    printer.  ``out`` may be a path or a binary stream (the window's preview).
    ``state`` hears how many work orders are drawn; when it is cancelled, drawing
    stops with :class:`~desktop_app.reports.progress.Cancelled` and nothing is saved."""
    if page_size not in METRICS:
        raise ValueError(f"page size must be one of {', '.join(PAGE_SIZES)}, not {page_size!r}")
    if not items and cover is None:
        raise ValueError("no work orders to print")
    register_fonts()
    metrics = METRICS[page_size]
    target = str(out) if isinstance(out, Path) else out
    canvas = Canvas(target, pagesize=(metrics.width, metrics.height), pageCompression=1)
    canvas.setTitle(DAY_SHEET_TITLE if cover else TITLE)
    canvas.setAuthor(MUNICIPALITY)
    canvas.setCreator("Daftar")
    printed_at = printed_at or utcnow()
    # A day sheet is for its day (often printed the evening before); a single
    # work order for the day it is printed.
    work_day = cover.day if cover is not None else to_tehran(printed_at).date()
    sheet = Sheet(canvas, metrics, printed_at, work_day)
    # Binary while drawing too: a photo's stream is encoded when it is drawn.
    with _binary_streams():
        if cover is not None:
            _cover_pages(sheet, cover, items)
        for done, item in enumerate(items):
            step(state, "drawing", done, len(items))
            _work_order_pages(sheet, item)
        step(state, "saving", len(items), len(items))
        canvas.save()
