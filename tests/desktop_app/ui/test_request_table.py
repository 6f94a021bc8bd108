"""The requests table model and view on a real office database: Qt's model rules
(qtmodeltester), paging, overdue marking, status words, sorting by header clicks."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QApplication

from desktop_app.services.request_list import Counts, RequestFilter, Sort
from desktop_app.services.request_queries import RequestQueries
from desktop_app.store.db import Store
from desktop_app.ui.request_model import (
    COLUMN_INDEX, ID_ROLE, OVERDUE_BACKGROUND, OVERDUE_ROLE, RequestTableModel,
)
from desktop_app.ui.request_table import RequestTableView
from desktop_app.ui.table_reader import TableReader
from sync.dates import UTC, utcnow
from tests.factories import CREW_A, make_request, office


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = office(tmp_path)
    yield store
    store.close()


@pytest.fixture
def persian() -> Iterator[None]:
    QLocale.setDefault(QLocale(QLocale.Language.Persian, QLocale.Country.Iran))
    yield
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))


@pytest.fixture
def model(qtbot, store: Store) -> Iterator[RequestTableModel]:  # type: ignore[no-untyped-def]
    reader = TableReader.for_database(store.db_path)
    model = RequestTableModel(reader, "fa")
    yield model
    reader.shutdown()


def load(qtbot, model: RequestTableModel, filt: RequestFilter | None = None) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(model.sig_loaded, timeout=5000):
        model.set_query(filt)


def text(model: RequestTableModel, row: int, column: str) -> str:
    return model.index(row, COLUMN_INDEX[column]).data()


def test_model_passes_qtmodeltester_empty_loaded_and_paged(qtbot, qtmodeltester, store: Store,
                                                           model: RequestTableModel) -> None:
    # The tester stays attached: it checks every reset and insert from here on,
    # and fetches more the way a view would.
    qtmodeltester.check(model)
    for i in range(7):
        make_request(store, received_at=dt.datetime(2026, 4, 1, i, tzinfo=UTC))
    model.page_size = 3
    inserted: list[int] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append(last - first + 1))
    load(qtbot, model)
    qtbot.waitUntil(lambda: not model.loading)
    while model.canFetchMore():
        with qtbot.waitSignal(model.rowsInserted, timeout=5000):
            model.fetchMore()
        qtbot.waitUntil(lambda: not model.loading)
    assert model.rowCount() == 7 and inserted == [3, 1]  # a first page of 3, then pages
    qtmodeltester.check(model)


def test_rows_come_newest_first_with_persian_words_and_digits(qtbot, persian: None, store: Store,
                                                              model: RequestTableModel) -> None:
    request = make_request(store, tracking_code="1405000123", citizen_phone="09121234567",
                           status="referred", crew_id=None)
    load(qtbot, model)
    assert text(model, 0, "code") == "۱۴۰۵۰۰۰۱۲۳"
    assert text(model, 0, "phone") == "۰۹۱۲۱۲۳۴۵۶۷"
    assert text(model, 0, "category") == "جمع‌آوری زباله"
    assert text(model, 0, "neighbourhood") == "بازار"
    assert text(model, 0, "received").startswith("۱۴۰۵/۰۱/۱۲")  # 2026-04-01
    assert model.index(0, 0).data(ID_ROLE) == request.id


def test_overdue_rows_are_tinted_and_marked(qtbot, store: Store, model: RequestTableModel) -> None:
    now = utcnow()
    make_request(store, category_code="garbage", received_at=now - dt.timedelta(days=3))  # 1 target day
    make_request(store, category_code="garbage", received_at=now - dt.timedelta(hours=1))
    make_request(store, category_code="garbage", received_at=now - dt.timedelta(days=9), status="done")
    load(qtbot, model)
    late = [row for row in range(model.rowCount()) if model.index(row, 0).data(OVERDUE_ROLE)]
    assert late == [1]
    due = model.index(1, COLUMN_INDEX["due"])
    assert due.data().startswith("⚠")  # a mark, not colour alone
    assert "late" in due.data()
    assert model.index(1, COLUMN_INDEX["citizen"]).data(Qt.ItemDataRole.BackgroundRole).color() == OVERDUE_BACKGROUND
    assert model.index(0, COLUMN_INDEX["citizen"]).data(Qt.ItemDataRole.BackgroundRole) is None
    assert text(model, 2, "due") == "—"  # closed: nothing is due


def test_status_and_crew_names(qtbot, store: Store, model: RequestTableModel) -> None:
    make_request(store, status="assigned", crew_id=CREW_A)
    load(qtbot, model)
    qtbot.waitUntil(lambda: model.names is not None)
    assert text(model, 0, "status") == "Assigned"  # no translator installed: the source words
    assert text(model, 0, "crew") == "اکیپ تنظیف ۱"


def test_header_click_sorts_only_indexed_columns(qtbot, store: Store, model: RequestTableModel) -> None:
    make_request(store, tracking_code="1405000002", received_at=dt.datetime(2026, 4, 1, tzinfo=UTC))
    make_request(store, tracking_code="1405000001", received_at=dt.datetime(2026, 4, 2, tzinfo=UTC))
    make_request(store, tracking_code="1405000003", received_at=dt.datetime(2026, 4, 3, tzinfo=UTC))
    view = RequestTableView(model)
    qtbot.addWidget(view)
    load(qtbot, model)
    header = view.horizontalHeader()
    codes = lambda: [model.row_at(r).tracking_code for r in range(model.rowCount())]  # noqa: E731
    assert codes() == ["1405000003", "1405000001", "1405000002"]

    with qtbot.waitSignal(model.sig_loaded):
        header.sectionClicked.emit(COLUMN_INDEX["code"])
    assert codes() == ["1405000001", "1405000002", "1405000003"]
    assert header.sortIndicatorSection() == COLUMN_INDEX["code"]
    with qtbot.waitSignal(model.sig_loaded):
        header.sectionClicked.emit(COLUMN_INDEX["code"])
    assert codes() == ["1405000003", "1405000002", "1405000001"]

    with qtbot.assertNotEmitted(model.sig_loaded, wait=100):
        header.sectionClicked.emit(COLUMN_INDEX["citizen"])  # no index behind it
    assert header.sortIndicatorSection() == COLUMN_INDEX["code"]


def test_refresh_keeps_selection_and_shows_changes(qtbot, store: Store, model: RequestTableModel) -> None:
    first = make_request(store, received_at=dt.datetime(2026, 4, 2, tzinfo=UTC))
    second = make_request(store, received_at=dt.datetime(2026, 4, 1, tzinfo=UTC))
    view = RequestTableView(model)
    qtbot.addWidget(view)
    load(qtbot, model)
    view.select_ids([second.id], current=second.id)
    from tests.factories import desk
    desk(store).assign([second.id], CREW_A)
    with qtbot.waitSignal(model.sig_loaded):
        model.refresh()
    assert view.selected_ids() == [second.id] and view.current_id() == second.id
    assert model.row_at(model.row_of(second.id)).status == "assigned"
    assert model.row_of(first.id) == 0


def test_enter_opens_and_next_walks_into_the_next_page(qtbot, store: Store, model: RequestTableModel) -> None:
    for i in range(4):
        make_request(store, received_at=dt.datetime(2026, 4, 1, i, tzinfo=UTC))
    model.page_size = 2
    view = RequestTableView(model)
    qtbot.addWidget(view)
    load(qtbot, model)
    view.move_current(+1)
    assert view.currentIndex().row() == 1
    with qtbot.waitSignal(model.rowsInserted):
        view.move_current(+1)  # past what is loaded: the next page comes
    view.move_current(+1)
    assert view.currentIndex().row() == 2
    with qtbot.waitSignal(view.sig_open) as opened:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert opened.args == [model.row_at(2).id]


def test_a_superseded_query_never_lands(qtbot, store: Store, model: RequestTableModel) -> None:
    make_request(store, status="done")
    make_request(store, status="referred")
    with qtbot.waitSignal(model.sig_loaded):
        model.set_query(RequestFilter(statuses=frozenset({"done"})))
        model.set_query(RequestFilter(statuses=frozenset({"referred"})))
    qtbot.waitUntil(lambda: not model.loading)
    assert [model.row_at(r).status for r in range(model.rowCount())] == ["referred"]
    assert model.generation == 1


def test_language_switch_renames_without_reloading(qtbot, store: Store, model: RequestTableModel) -> None:
    make_request(store)
    load(qtbot, model)
    qtbot.waitUntil(lambda: model.names is not None)
    generation = model.generation
    with qtbot.waitSignal(model.headerDataChanged):
        model.set_language("en")
    assert text(model, 0, "category") == "Garbage collection"
    assert model.generation == generation
    QApplication.processEvents()


def test_reloading_names_is_never_superseded_by_a_query(qtbot, store: Store,
                                                        model: RequestTableModel) -> None:
    load(qtbot, model)
    qtbot.waitUntil(lambda: model.names is not None)
    from tests.factories import MANAGER, desk
    crew = desk(store, MANAGER).save_crew(name="اکیپ فضای سبز", district_code="1-1")
    with qtbot.waitSignal(model.sig_names) as names:
        model.load_names()  # what the window does after Changes(crews=True) ...
        model.refresh()  # ... together with a refresh that starts a new epoch
    assert names.args[0].crews[crew.id].name == "اکیپ فضای سبز"


def test_each_cell_is_laid_out_in_its_own_texts_direction() -> None:
    from desktop_app.ui.request_table import cell_direction

    assert cell_direction("کوچه ۱۲، پلاک 4") == Qt.LayoutDirection.RightToLeft
    assert cell_direction("  1405000123 Bazaar") == Qt.LayoutDirection.LeftToRight
    assert cell_direction("۱۴۰۵-۳-۱") is None  # digits alone follow the window


class HeldCounts:
    """The counts lane's read side, each count held until the test lets it go."""

    def __init__(self, real: RequestQueries, hold: bool = True):
        self.real = real
        self.hold = hold
        self.asked: list[RequestFilter] = []
        self.gates: list[threading.Event] = []

    def counts(self, filt: RequestFilter, *, now: dt.datetime | None = None) -> Counts:
        gate = threading.Event()
        self.asked.append(filt)
        self.gates.append(gate)
        if self.hold:
            gate.wait(10)
        return Counts({}, overdue=len(self.asked))  # which count this was

    def interrupt(self) -> None:
        pass  # as if the statement had already finished: its result must still be dropped

    def close(self) -> None:
        self.real.close()


def held_model(store: Store, hold: bool = True) -> tuple[RequestTableModel, HeldCounts]:
    counts = HeldCounts(RequestQueries.for_database(store.db_path), hold)
    reader = TableReader(RequestQueries.for_database(store.db_path), counts)  # type: ignore[arg-type]
    return RequestTableModel(reader, "fa"), counts


def test_counts_for_an_earlier_filter_are_dropped_not_shown(qtbot, store: Store) -> None:
    model, counts = held_model(store)
    shown: list[Counts] = []
    model.sig_counts.connect(shown.append)
    try:
        model.set_query(RequestFilter(category="garbage"))
        qtbot.waitUntil(lambda: len(counts.gates) == 1)
        model.set_query(RequestFilter(category="asphalt"))  # the clerk moved on
        counts.gates[0].set()  # the first count ends now, late
        qtbot.waitUntil(lambda: len(counts.gates) == 2)
        counts.gates[1].set()
        qtbot.waitUntil(lambda: bool(shown))
        QApplication.processEvents()
        assert [c.overdue for c in shown] == [2]  # only the second filter's count
        assert counts.asked[1].category == "asphalt"
    finally:
        for gate in counts.gates:
            gate.set()
        model._reader.shutdown()


def test_a_searchs_counts_wait_until_typing_settles(qtbot, store: Store) -> None:
    """A count started at every keystroke would be thrown away at the next one,
    after taking the core that keystroke's rows need."""
    model, counts = held_model(store, hold=False)
    try:
        with qtbot.waitSignal(model.sig_loaded):
            model.set_query(RequestFilter(text="کوچ"))
        assert counts.asked == []  # the rows are shown; the count waits
        with qtbot.waitSignal(model.sig_loaded):
            model.set_query(RequestFilter(text="کوچه"))  # the next keystroke, within the pause
        with qtbot.waitSignal(model.sig_counts):
            pass
        assert [f.text for f in counts.asked] == ["کوچه"]  # the first count never started
        with qtbot.waitSignal(model.sig_counts):
            model.set_query(RequestFilter(category="asphalt"))  # no search: at once
        assert len(counts.asked) == 2
    finally:
        model._reader.shutdown()


def test_a_status_click_or_a_sort_keeps_the_counts_a_new_filter_or_refresh_recounts(
        qtbot, store: Store) -> None:
    """The counts leave out the status and overdue choices: clicking a status
    button must not count a million requests again (nor grey the counts)."""
    model, counts = held_model(store, hold=False)
    counting: list[None] = []
    model.sig_counting.connect(lambda: counting.append(None))
    try:
        with qtbot.waitSignal(model.sig_counts):
            model.set_query(RequestFilter(category="garbage"))
        with qtbot.waitSignal(model.sig_loaded):
            model.set_query(RequestFilter(category="garbage", statuses=frozenset({"done"}), overdue=True))
        with qtbot.waitSignal(model.sig_loaded):
            model.set_query(sort=Sort("crew_id"))
        assert len(counts.asked) == 1 and len(counting) == 1
        with qtbot.waitSignal(model.sig_counts):
            model.set_query(RequestFilter(category="garbage", text="زباله"))
        with qtbot.waitSignal(model.sig_counts):
            model.refresh()  # after a change: the counts may have moved (not greyed)
        assert len(counts.asked) == 3 and len(counting) == 2
    finally:
        model._reader.shutdown()


def test_status_labels_are_drawn_once_and_copied_after(qtbot, store: Store, model: RequestTableModel) -> None:
    """A label is drawn into a pixmap once per status look, then copied: repainting
    the table (each keystroke of a search) draws no rounded rectangle again."""
    for status in ("done", "done", "referred"):
        make_request(store, status=status)
    view = RequestTableView(model)
    qtbot.addWidget(view)
    view.resize(900, 300)
    load(qtbot, model)
    view.show()
    qtbot.waitExposed(view)
    delegate = view.itemDelegateForColumn(COLUMN_INDEX["status"])
    first = view.grab().toImage()
    drawn = dict(delegate._pills)
    assert len(drawn) == 2  # two statuses on screen, none selected
    for pill in drawn.values():  # drawn, not blank: the status colour's outline is there
        image = pill.toImage()
        assert any(image.pixelColor(x, image.height() // 2).alpha() > 0 for x in range(image.width()))
    view.viewport().repaint()
    assert view.grab().toImage() == first
    assert delegate._pills == drawn  # copied, not drawn again
