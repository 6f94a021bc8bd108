"""The 137 operator's call form, driven from the keyboard alone, as with a caller on
the line: phone, problem, place, address, what the caller says, Enter; the caller's
earlier requests as the number is typed; a duplicate offered and the call attached."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from PySide6.QtCore import Qt

from desktop_app.store import models as m
from desktop_app.store.db import Store
from desktop_app.ui.call_form import CallPage
from desktop_app.ui.context import AppContext
from desktop_app.ui.widgets.lookup import LookupField
from sync.dates import utcnow
from sync.workflow import EventKind
from tests.desktop_app.ui.centre_support import centre_ctx, centre_store, focused, key, keys
from tests.desktop_app.ui.forms_support import persian
from tests.factories import make_request

__all__ = ["centre_ctx", "centre_store", "persian"]  # fixtures used by name

PHONE = "09131234567"


def open_page(qtbot, ctx: AppContext) -> CallPage:  # type: ignore[no-untyped-def]
    page = CallPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 640)
    page.show()
    with qtbot.waitSignal(page.sig_loaded):
        pass
    # Keys go where the focus is only in the active window (mnemonics, too).
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow)
    page.focus_phone()
    qtbot.waitUntil(lambda: focused() is page.field("citizen_phone"))
    return page


def requests(store: Store) -> list[m.ServiceRequest]:
    with store.sessions() as session:
        return list(session.scalars(sa.select(m.ServiceRequest).order_by(m.ServiceRequest.received_at)))


def test_a_call_is_registered_from_the_keyboard_alone(qtbot, centre_ctx: AppContext,
                                                      centre_store: Store) -> None:
    earlier = make_request(centre_store, citizen_phone=PHONE, category_code="asphalt",
                           received_at=utcnow() - dt.timedelta(days=6), status="done")
    page = open_page(qtbot, centre_ctx)
    strokes = 0
    with qtbot.waitSignal(page.sig_history, check_params_cb=lambda found: bool(found)) as seen:
        strokes += keys(PHONE)
    assert [p.id for p in seen.args[0]] == [earlier.id]  # "I called last week": there it is
    assert page.history[0].status == "done"
    strokes += key(Qt.Key.Key_Tab)
    assert focused() is page.field("category_code")
    strokes += keys("زبا")  # جمع‌آوری زباله
    strokes += key(Qt.Key.Key_Tab)
    assert focused() is page.field("neighbourhood_code")
    strokes += keys("سبز")  # سبزه‌میدان, district 1-1
    strokes += key(Qt.Key.Key_Tab)
    assert focused() is page.field("address")
    strokes += keys("کوچه ۱۲")
    strokes += key(Qt.Key.Key_Tab)
    assert focused() is page.field("description")
    strokes += keys("زباله جمع نشده")
    with qtbot.waitSignal(page.sig_saved) as saved:
        strokes += key(Qt.Key.Key_Return)
    assert strokes < 60

    code = saved.args[0]
    new = [r for r in requests(centre_store) if r.tracking_code == code]
    assert len(new) == 1
    request = new[0]
    assert (request.status, request.channel, request.category_code, request.neighbourhood_code,
            request.district_code, request.citizen_phone) == (
        "received", "phone", "garbage", "sabze-meydan", "1-1", PHONE)
    assert request.description == "زباله جمع نشده" and request.address == "کوچه ۱۲"
    assert page.shown_code() == code  # English window: Latin digits
    # Ready for the next call: an empty form, the cursor in the phone field.
    assert focused() is page.field("citizen_phone") and not page.field("citizen_phone").text()


def test_the_code_shows_in_persian_digits(qtbot, persian, centre_ctx: AppContext,  # type: ignore[no-untyped-def]
                                          centre_store: Store) -> None:
    centre_ctx.language = "fa"
    page = open_page(qtbot, centre_ctx)
    keys(PHONE)
    key(Qt.Key.Key_Tab)
    keys("آسفا")
    key(Qt.Key.Key_Tab)
    keys("فین")
    key(Qt.Key.Key_Tab)
    key(Qt.Key.Key_Tab)
    keys("چاله بزرگ")
    with qtbot.waitSignal(page.sig_saved) as saved:
        key(Qt.Key.Key_Return)
    shown = page.shown_code()
    assert shown and all("۰" <= ch <= "۹" or ch == "-" for ch in shown)
    assert shown.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")) == saved.args[0]


def test_typing_with_arabic_letters_finds_the_persian_name(qtbot, centre_ctx: AppContext) -> None:
    page = open_page(qtbot, centre_ctx)
    category = page.field("category_code")
    assert isinstance(category, LookupField)
    category.setFocus()
    keys("تنظيف")  # Arabic yeh: تنظیف معابر
    assert category.matches() == ["street_cleaning"]
    key(Qt.Key.Key_Tab)
    assert category.code() == "street_cleaning"
    assert category.text() == "Street cleaning"  # the English window shows English names
    place = page.field("neighbourhood_code")
    assert isinstance(place, LookupField)
    keys("Fi")
    key(Qt.Key.Key_Return)  # Enter with the matches open takes one, and saves nothing
    assert place.code() == "fin"
    assert requests_count(page) == 0


def requests_count(page: CallPage) -> int:
    with page._ctx.store.sessions() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(m.ServiceRequest)) or 0


def test_a_missing_problem_is_said_beside_its_field(qtbot, centre_ctx: AppContext) -> None:
    page = open_page(qtbot, centre_ctx)
    keys(PHONE)
    key(Qt.Key.Key_Tab)
    key(Qt.Key.Key_Tab)
    keys("Baz")
    key(Qt.Key.Key_Tab)
    key(Qt.Key.Key_Tab)
    keys("something broken")
    with qtbot.assertNotEmitted(page.sig_saved, wait=300):
        key(Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: page.findChild(type(page._error), "category_code_error").isVisible())
    assert focused() is page.field("category_code")
    assert requests_count(page) == 0


def test_a_duplicate_is_offered_and_the_call_attached_to_it(qtbot, centre_ctx: AppContext,
                                                            centre_store: Store) -> None:
    now = utcnow()
    original = make_request(centre_store, category_code="garbage", neighbourhood_code="bazaar",
                            citizen_phone="09120000000", received_at=now - dt.timedelta(days=2),
                            address="بازار، سرای امین‌الدوله")
    make_request(centre_store, category_code="garbage", neighbourhood_code="bazaar",
                 status="done", received_at=now - dt.timedelta(days=1))  # closed: not offered
    make_request(centre_store, category_code="asphalt", neighbourhood_code="bazaar",
                 received_at=now - dt.timedelta(days=1))  # another problem: not offered
    page = open_page(qtbot, centre_ctx)
    before = requests_count(page)
    keys(PHONE)
    key(Qt.Key.Key_Tab)
    keys("زبا")
    key(Qt.Key.Key_Tab)
    with qtbot.waitSignal(page.sig_duplicates, check_params_cb=lambda found: bool(found)) as offered:
        keys("بازا")
        key(Qt.Key.Key_Tab)
    assert [d.id for d in offered.args[0]] == [original.id]
    key(Qt.Key.Key_Tab)  # the address: the caller gives none
    keys("همان زباله‌ها، دوباره")
    with qtbot.waitSignal(page.sig_attached) as attached:
        key(Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert attached.args[0] == original.tracking_code
    assert page.shown_code() == original.tracking_code
    assert requests_count(page) == before  # no second request
    with centre_store.sessions() as session:
        repeat = session.scalars(sa.select(m.Event).where(
            m.Event.request_id == original.id, m.Event.kind == EventKind.REPEAT_CALL.value)).one()
        assert repeat.data == {"phone": PHONE}
        assert repeat.note == "همان زباله‌ها، دوباره"
        assert session.scalar(sa.select(sa.func.count()).select_from(m.OutboxEntry)
                              .where(m.OutboxEntry.entity_id == original.id)) == 1


def test_the_duplicate_list_is_reached_and_used_by_keys(qtbot, centre_ctx: AppContext,
                                                        centre_store: Store) -> None:
    original = make_request(centre_store, category_code="street_signs", neighbourhood_code="fin",
                            received_at=utcnow() - dt.timedelta(hours=3))
    page = open_page(qtbot, centre_ctx)
    keys(PHONE)
    key(Qt.Key.Key_Tab)
    keys("Sign")
    key(Qt.Key.Key_Tab)
    with qtbot.waitSignal(page.sig_duplicates, check_params_cb=lambda found: bool(found)):
        keys("Fin")
        key(Qt.Key.Key_Tab)
    key(Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)  # "Possible d&uplicates"
    qtbot.waitUntil(lambda: focused().objectName() == "duplicates")
    with qtbot.waitSignal(page.sig_attached) as attached:
        key(Qt.Key.Key_Return)
    assert attached.args[0] == original.tracking_code
