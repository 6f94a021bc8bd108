"""The reports page at the 137 centre's office: its own report beside the summary
(districts, repeat calls, hours to referral, overdue ranking), saved like any other;
a district office is not offered it."""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel

from desktop_app.services import sync_state as state
from desktop_app.store import models as m
from desktop_app.store.db import Store
from desktop_app.ui.context import AppContext
from desktop_app.ui.reports_page import PeriodKind, ReportKind, ReportsPage
from sync.dates import UTC
from sync.protocol import OfficeInfo
from sync.workflow import EventKind
from tests.desktop_app.ui.forms_support import MakeContext, ctx, make_ctx, persian, store
from tests.desktop_app.ui.test_reports_page import open_page, pick, show
from tests.factories import MANAGER, make_request

__all__ = ["ctx", "make_ctx", "persian", "store"]  # fixtures used by name

SHOTS = Path("/work/wt/shots/centre-reports")


def enrol_as(store: Store, *, everywhere: bool) -> None:
    """The identity the centre gave this office at enrolment (every district, or 1-1)."""
    office = OfficeInfo(office_id=uuid.uuid4(), name="مرکز ۱۳۷" if everywhere else "ناحیه ۱",
                        number=1, districts=[] if everywhere else ["1-1"], all_districts=everywhere)
    with store.sessions.begin() as session:
        state.write(session, state.OFFICE, office.model_dump(mode="json"))


def centre_archive(store: Store) -> None:
    """Farvardin 1405: 1-1 refers in 2 h and is late on one of one; 1-2 in 6 h, on time."""
    at = dt.datetime(2026, 4, 1, 6, tzinfo=UTC)
    for district, hours, due in (("1-1", 2, at + dt.timedelta(days=2)),
                                 ("1-2", 6, dt.datetime(2030, 1, 1, tzinfo=UTC))):
        request = make_request(store, district_code=district, neighbourhood_code=None,
                               received_at=at, status="referred", due_at=due)
        with store.sessions.begin() as session:
            session.add(m.Event(request_id=request.id, kind=EventKind.STATUS.value,
                                from_status="received", to_status="referred", actor="op",
                                actor_role="centre", server_time=at + dt.timedelta(hours=hours),
                                data={}, note=""))
            if district == "1-1":
                session.add(m.Event(request_id=request.id, kind=EventKind.REPEAT_CALL.value,
                                    actor="op", actor_role="centre", server_time=at, data={},
                                    note=""))


def report_row_visible(page: ReportsPage) -> bool:
    form = page.findChild(QFormLayout)
    return form.isRowVisible(page.findChild(QComboBox, "reportKind"))


def test_a_district_office_is_not_offered_the_centres_report(qtbot, ctx: AppContext) -> None:
    enrol_as(ctx.store, everywhere=False)
    page = open_page(qtbot, ctx)
    qtbot.wait(200)  # the office's identity is read on the database thread
    assert not report_row_visible(page)


def test_the_centre_sees_its_report_and_saves_it(qtbot, qtmodeltester, make_ctx: MakeContext,
                                                 tmp_path: Path) -> None:
    page_ctx = make_ctx(MANAGER)
    enrol_as(page_ctx.store, everywhere=True)
    centre_archive(page_ctx.store)
    page = open_page(qtbot, page_ctx)
    qtbot.waitUntil(lambda: report_row_visible(page), timeout=3000)
    kind = page.findChild(QComboBox, "reportKind")
    kind.setCurrentIndex(kind.findData(ReportKind.CENTRE.value))
    assert not page.findChild(QFormLayout).isRowVisible(page.findChild(QComboBox, "grouping"))
    pick(page, PeriodKind.MONTH, month=1)
    show(qtbot, page)

    model = page.centre_model
    qtmodeltester.check(model)
    header = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert header[:4] == ["District", "Received", "Repeat calls", "Median hours to referral"]
    rows = {model.index(r, 0).data(): [model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())}
    assert len(rows) > 3  # every district of the city, and the total
    one = next(v for k, v in rows.items() if k.startswith("District 1") and v[1] == "1"
               and v[2] == "1")
    assert one[3:] == ["2.0", "—", "1", "1", "100.0%", "1"]
    assert rows["Total"][1:3] == ["2", "1"]
    assert "districts' answer" in page.findChild(QLabel, "title").text()

    out = tmp_path / "centre.csv"
    with qtbot.waitSignal(page.sig_written, timeout=10000):
        page.save_to(out)
    lines = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    by_code = {line["group"]: line for line in lines}
    assert by_code["1-1"]["overdue_rank"] == "1" and by_code["1-2"]["overdue_share"] == "0.0000"
    assert by_code["1-2"]["median_hours_to_referral"] == "6.00"


def test_the_centres_report_in_persian(qtbot, persian: None, make_ctx: MakeContext) -> None:
    page_ctx = make_ctx(MANAGER, language="fa")
    enrol_as(page_ctx.store, everywhere=True)
    centre_archive(page_ctx.store)
    page = open_page(qtbot, page_ctx)
    page.resize(1100, 560)
    qtbot.waitUntil(lambda: report_row_visible(page), timeout=3000)
    kind = page.findChild(QComboBox, "reportKind")
    kind.setCurrentIndex(kind.findData(ReportKind.CENTRE.value))
    pick(page, PeriodKind.MONTH, month=1)
    show(qtbot, page)
    model = page.centre_model
    assert model.headerData(0, Qt.Orientation.Horizontal) == "ناحیه"
    assert model.index(model.rowCount() - 1, 0).data() == "جمع"
    assert model.index(0, 0).data() == "ناحیه ۱ منطقه ۱"
    assert page.layoutDirection() == Qt.LayoutDirection.RightToLeft
    if SHOTS.parent.is_dir():
        SHOTS.mkdir(exist_ok=True)
        page.grab().save(str(SHOTS / "reports-page-centre.png"))
