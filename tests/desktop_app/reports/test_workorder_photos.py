"""The citizen's photo on the work order: printed small beside its label when the
citizen gave one (not internal); a request without one — or with only internal or
crew photos — prints exactly as before, on the same pages."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from desktop_app.reports import workorders as wo
from desktop_app.reports.workorder_data import PHOTO_SIDE
from desktop_app.services.attachments import Attachments, Kind
from desktop_app.store.db import Store
from tests.desktop_app.reports.test_workorders import (
    PRINTED,
    full_request,
    load,
    render,
    shows,
    store,
)
from tests.factories import CLERK

__all__ = ["store"]  # the fixture, used by name


def photo(width: int, height: int, colour: str, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, fmt)
    return out.getvalue()


def attach(store: Store, request_id, content: bytes, *, kind: Kind, internal: bool = False,  # type: ignore[no-untyped-def]
           media_type: str = "image/png", name: str = "p.png") -> None:
    Attachments(store.sessions, CLERK).attach(request_id, filename=name, media_type=media_type,
                                              content=content, kind=kind, internal=internal)


def images_on(pdf: bytes) -> list[list[tuple[int, int]]]:
    """The sizes of the images on each page."""
    def walk(resources, found: list[tuple[int, int]]) -> None:  # type: ignore[no-untyped-def]
        for ref in (resources.get("/XObject") or {}).values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                found.append((int(obj["/Width"]), int(obj["/Height"])))
            elif obj.get("/Subtype") == "/Form" and "/Resources" in obj:  # drawn once, reused
                walk(obj["/Resources"], found)

    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        found: list[tuple[int, int]] = []
        walk(page["/Resources"], found)
        pages.append(found)
    return pages


def pdf_of(items: list[wo.WorkOrderData], **options) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    wo.render_work_orders(items, out, printed_at=PRINTED, **options)
    return out.getvalue()


@pytest.mark.parametrize("size", wo.PAGE_SIZES)
def test_the_citizens_photo_is_printed_small_beside_its_label(store: Store, size: str) -> None:
    request = full_request(store)
    attach(store, request.id, photo(2000, 1500, "#1565c0"), kind=Kind.CITIZEN)
    (item,) = load(store, request.id)
    assert item.citizen_photo is not None and item.citizen_photo.startswith(b"\xff\xd8\xff")
    with Image.open(io.BytesIO(item.citizen_photo)) as small:
        assert small.size == (PHOTO_SIDE, PHOTO_SIDE * 3 // 4)  # scaled, proportions kept

    pdf = pdf_of([item], page_size=size)
    assert images_on(pdf)[0] == [(PHOTO_SIDE, PHOTO_SIDE * 3 // 4)]
    pages = render([item], page_size=size)
    assert shows(pages[0], "عکس شهروند:", "محمد حسینی")
    assert shows(pages[-1], "گزارش اکیپ (با دست تکمیل شود)")
    assert len(pages) == 1  # the photo fits; the completion block stays on the page


def test_only_the_citizens_own_photo_not_internal_is_printed_and_the_rest_is_unchanged(
        store: Store) -> None:
    request = full_request(store)
    (before,) = load(store, request.id)
    plain = render([before])
    attach(store, request.id, photo(300, 200, "#b71c1c"), kind=Kind.CITIZEN, internal=True,
           name="face.png")
    attach(store, request.id, photo(300, 200, "#2e7d32"), kind=Kind.BEFORE, name="street.png")
    attach(store, request.id, b"%PDF-1.4\n%%EOF\n", kind=Kind.CITIZEN,
           media_type="application/pdf", name="letter.pdf")
    (item,) = load(store, request.id)
    assert item.citizen_photo is None
    assert images_on(pdf_of([item])) == [[]]
    assert render([item]) == plain  # the same strings at the same places


def test_the_first_of_several_citizen_photos_is_printed(store: Store) -> None:
    request = full_request(store)
    attach(store, request.id, photo(400, 300, "#1565c0", "JPEG"), kind=Kind.CITIZEN,
           media_type="image/jpeg", name="first.jpg")
    attach(store, request.id, photo(300, 400, "#6a1b9a"), kind=Kind.CITIZEN, name="second.png")
    (item,) = load(store, request.id)
    with Image.open(io.BytesIO(item.citizen_photo or b"")) as small:
        assert small.size == (400, 300)  # small enough as it was; the first one


def test_a_day_sheet_prints_the_photo_on_its_request_only(store: Store, tmp_path: Path) -> None:
    with_photo, without = full_request(store), full_request(store)
    attach(store, with_photo.id, photo(800, 600, "#1565c0"), kind=Kind.CITIZEN)
    items = load(store, with_photo.id, without.id)
    cover = wo.DaySheetCover("اکیپ تنظیف ۱", "حسین رضایی", "منطقه یک", "ناحیه ۱",
                             PRINTED.date())
    pdf = pdf_of(items, cover=cover)
    assert [len(images) for images in images_on(pdf)] == [0, 1, 0]
