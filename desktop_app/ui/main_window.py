"""The main window: the filter bar over the requests table, the menus and shortcuts
a clerk works with all day, the sync state below.

The window composes; it decides little.  Reads go through the table's reader
(the services' read side, off the GUI thread); writes are the dialogs' service
calls, run by ``ctx.run_op``, which announces what they changed on ``ctx.bus``, and
every view redraws from that announcement.  What the signed-in role may not do is
not offered: its actions are hidden or disabled, never left to fail.

The forms, dialogs, reports page and print actions live in their own modules and
are imported when first used; an action whose module this build lacks is hidden.
"""

from __future__ import annotations

import importlib
import importlib.util
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication, QMainWindow, QMessageBox, QTabWidget, QToolBar, QVBoxLayout, QWidget,
)

from desktop_app.services.request_list import RequestFilter, RequestRow
from desktop_app.services.requests import Changes
from desktop_app.ui.context import AppContext
from desktop_app.ui.filters import FilterBar
from desktop_app.ui.i18n import Translations, save_language, settings
from desktop_app.ui.messages import digits
from desktop_app.ui.request_model import RequestTableModel
from desktop_app.ui.request_table import RequestTableView
from desktop_app.ui.status_bar import SyncStatusBar
from desktop_app.ui.sync_controller import SyncBackend, SyncController
from desktop_app.ui.table_reader import TableReader
from desktop_app.ui.widgets.retranslate import Retranslating
from sync import workflow
from sync.workflow import Role, Status

# Who registers walk-in citizens: the desk (DESIGN.md: clerks and managers).
WALK_IN_ROLES = frozenset({Role.CLERK, Role.MANAGER})
# Who manages crews and users, and who reads the summary reports.
CREW_ROLES = frozenset({Role.MANAGER, Role.SUPERVISOR})
USER_ROLES = frozenset({Role.MANAGER})
REPORT_ROLES = frozenset({Role.MANAGER, Role.CENTRE})
# At the 137 centre's office (enrolled with every district): who takes calls and
# works the verification queue, and who sees every district's overdue work.
CENTRE_DESK_ROLES = frozenset({Role.CENTRE})
CENTRE_OVERDUE_ROLES = frozenset({Role.CENTRE, Role.MANAGER})
# Who decides which categories close only with a completion photo.
COMPLETION_PHOTO_ROLES = frozenset({Role.MANAGER})


def has_module(module: str) -> bool:
    """Whether this build has ``desktop_app.ui.<module>``, without importing it:
    the window opens without paying for the forms, reports and printing."""
    return importlib.util.find_spec(f"desktop_app.ui.{module}") is not None


def optional(module: str, name: str) -> Any | None:
    """A class or function of another part of the app, imported on first use, or
    None if this build lacks it (its action is then hidden, not broken)."""
    try:
        return getattr(importlib.import_module(f"desktop_app.ui.{module}"), name)
    except (ImportError, AttributeError):
        return None


def can_assign(row: RequestRow, role: Role) -> bool:
    """Referred requests get a crew; assigned or started ones may change crew."""
    if role not in workflow.ASSIGN_ROLES:
        return False
    status = Status(row.status)
    if status is Status.REFERRED:
        return Status.ASSIGNED in workflow.allowed_targets(status, role)
    return status in (Status.ASSIGNED, Status.IN_PROGRESS)


class MainWindow(Retranslating, QMainWindow):
    """Signals:
        sig_dialog(QWidget): a dialog or page was opened from the window (tests
            and the benchmark wait on it instead of guessing).
    """

    sig_dialog = Signal(object)

    def __init__(self, ctx: AppContext, translations: Translations, *, centre_office: bool,
                 sync_backend: SyncBackend | None = None, use_default_sync: bool = True,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.ctx = ctx
        self._translations = translations
        self._reports: QWidget | None = None
        self._pages: dict[str, QWidget] = {}
        # The centre's own office offers the centre's pages and none of a district's
        # crew work; a district office never offers a centre move.  An office's
        # enrolment does not change while it runs: read once where the store is
        # opened (:func:`desktop_app.app.build_app`), not here in the window.
        self.centre_office = centre_office

        self.reader = TableReader.for_database(ctx.store.db_path, self)
        self.model = RequestTableModel(self.reader, ctx.language, self)
        self.table = RequestTableView(self.model)
        self.filters = FilterBar(ctx.language)
        self.sync = SyncController(ctx, sync_backend, use_default=use_default_sync, parent=self)
        self.status = SyncStatusBar(ctx.actor)
        self.setStatusBar(self.status)

        requests_page = QWidget(objectName="requestsPage")
        layout = QVBoxLayout(requests_page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.filters)
        layout.addWidget(self.table, 1)
        self.tabs = QTabWidget(objectName="tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabBarAutoHide(True)  # one tab unless the reports are opened
        self.tabs.addTab(requests_page, "")
        self.setCentralWidget(self.tabs)

        self._build_actions()
        self._build_menus()
        self._wire()
        self._retranslate()
        self._update_actions()
        self._restore_layout()
        self.model.set_query(self.filters.current())
        if self.act_call.isVisible():
            # An operator's day is calls and the queue: both open, the call first.
            self.show_queue()
            self.show_call_page()
        self.sync.start()

    # ============================================================= actions

    def _action(self, name: str, slot: Callable[[], Any], shortcut: QKeySequence | str | None = None,
                *, allowed: bool = True, module: str | None = None) -> QAction:
        action = QAction(self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        available = module is None or has_module(module)
        action.setVisible(allowed and available)
        action.setEnabled(allowed and available)
        self.addAction(action)  # shortcuts work even where no menu shows the action
        return action

    def _build_actions(self) -> None:
        role = self.ctx.actor.role
        district = not self.centre_office  # what only a district office does
        centre_desk = self.centre_office and role in CENTRE_DESK_ROLES
        self.act_call = self._action("actCall", self.show_call_page, "F2",
                                     allowed=centre_desk, module="call_form")
        self.act_queue = self._action("actQueue", self.show_queue, "F3",
                                      allowed=centre_desk, module="queue_page")
        self.act_overdue = self._action("actOverdueEverywhere", self.show_overdue, "F4",
                                        allowed=self.centre_office and role in CENTRE_OVERDUE_ROLES,
                                        module="overdue_page")
        self.act_search = self._action("actSearch", self.filters.focus_search, QKeySequence.StandardKey.Find)
        self.act_clear = self._action("actClearFilters", self.filters.clear, "Ctrl+Shift+F")
        self.act_refresh = self._action("actRefresh", self.model.refresh, QKeySequence.StandardKey.Refresh)
        self.act_next = self._action("actNext", lambda: self.table.move_current(+1), "Ctrl+Down")
        self.act_previous = self._action("actPrevious", lambda: self.table.move_current(-1), "Ctrl+Up")
        self.act_open = self._action("actOpen", self.open_current, "Ctrl+O",
                                     module="request_form")
        self.act_walk_in = self._action("actWalkIn", self.new_walk_in, QKeySequence.StandardKey.New,
                                        allowed=district and role in WALK_IN_ROLES, module="walk_in")
        self.act_assign = self._action("actAssign", self.assign_selected, "Ctrl+Shift+A",
                                       allowed=district and role in workflow.ASSIGN_ROLES,
                                       module="assign")
        self.act_print = self._action("actPrintOrders", self.print_selected, QKeySequence.StandardKey.Print,
                                      allowed=district, module="print_actions")
        self.act_print_day = self._action("actPrintCrewDay", self.print_crew_day, "Ctrl+Shift+P",
                                          allowed=district, module="print_actions")
        self.act_sync = self._action("actSync", self.sync.sync_now, "F9", allowed=self.sync.available)
        self.act_problems = self._action("actProblems", self.open_sync_problems,
                                         module="sync_problems")
        self.act_crews = self._action("actCrews", self.open_crews,
                                      allowed=district and role in CREW_ROLES, module="crews")
        self.act_users = self._action("actUsers", self.open_users, allowed=role in USER_ROLES,
                                      module="users")
        self.act_reports = self._action("actReports", self.show_reports, "Ctrl+R",
                                        allowed=role in REPORT_ROLES,
                                        module="reports_page")
        self.act_backups = self._action("actBackups", self.open_backups,
                                        allowed=role in USER_ROLES, module="backups")
        self.act_completion_photos = self._action(
            "actCompletionPhotos", self.open_completion_photos,
            allowed=role in COMPLETION_PHOTO_ROLES, module="completion_photos")
        self.act_quit = self._action("actQuit", self.close, QKeySequence.StandardKey.Quit)
        self.act_shortcuts = self._action("actShortcuts", self.show_shortcuts, "F1")
        self.act_persian = self._action("actPersian", lambda: self.set_language("fa"))
        self.act_english = self._action("actEnglish", lambda: self.set_language("en"))
        languages = QActionGroup(self)
        for action, code in ((self.act_persian, "fa"), (self.act_english, "en")):
            action.setCheckable(True)
            action.setChecked(self.ctx.language == code)
            languages.addAction(action)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.menu_office = bar.addMenu("")
        for action in (self.act_sync, self.act_problems, None, self.act_crews, self.act_users,
                       self.act_backups, self.act_completion_photos, None, self.act_quit):
            self.menu_office.addSeparator() if action is None else self.menu_office.addAction(action)
        self.menu_requests = bar.addMenu("")
        for action in (self.act_open, self.act_walk_in, self.act_assign, None, self.act_print,
                       self.act_print_day, None, self.act_next, self.act_previous):
            self.menu_requests.addSeparator() if action is None else self.menu_requests.addAction(action)
        self.menu_centre = bar.addMenu("")
        for action in (self.act_call, self.act_queue, self.act_overdue):
            self.menu_centre.addAction(action)
        self.menu_centre.menuAction().setVisible(any(
            a.isVisible() for a in (self.act_call, self.act_queue, self.act_overdue)))
        self.menu_view = bar.addMenu("")
        for action in (self.act_search, self.act_clear, self.act_refresh, self.act_reports):
            self.menu_view.addAction(action)
        self.menu_language = self.menu_view.addMenu("")
        self.menu_language.addAction(self.act_persian)
        self.menu_language.addAction(self.act_english)
        self.menu_help = bar.addMenu("")
        self.menu_help.addAction(self.act_shortcuts)

        self.toolbar = QToolBar(objectName="mainToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.setMovable(False)
        for action in (self.act_call, self.act_queue, self.act_overdue, self.act_walk_in,
                       self.act_open, self.act_assign, self.act_print, self.act_sync):
            self.toolbar.addAction(action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)

    def _wire(self) -> None:
        self.filters.sig_changed.connect(self._on_filter)
        self.model.sig_counts.connect(self.filters.set_counts)
        self.model.sig_counting.connect(self.filters.mark_counts_stale)
        self.model.sig_names.connect(self.filters.set_names)
        self.model.sig_loaded.connect(self._update_actions)
        self.reader.sig_failed.connect(self._on_read_failed)
        self.table.sig_open.connect(self.open_request)
        self.table.sig_selection.connect(lambda _ids: self._update_actions())
        self.ctx.bus.sig_changed.connect(self._on_changed)
        self.sync.sig_status.connect(self.status.set_status)
        self.sync.sig_progress.connect(self.status.set_progress)
        self.sync.sig_rows_arrived.connect(self.model.refresh)
        self.sync.sig_new_referrals.connect(self._announce_referrals)
        self.status.sig_open_problems.connect(self.open_sync_problems)
        self.status.sig_sync_now.connect(self.sync.sync_now)

    def _update_actions(self) -> None:
        rows = self.table.selected_rows()
        role = self.ctx.actor.role
        assignable = bool(rows) and all(can_assign(row, role) for row in rows)
        self.act_assign.setEnabled(self.act_assign.isVisible() and assignable)
        self.act_open.setEnabled(self.table.currentIndex().isValid() and self.act_open.isVisible())
        self.act_print.setEnabled(bool(rows) and self.act_print.isVisible())

    # ============================================================= reacting

    def _on_filter(self, filt: RequestFilter) -> None:
        self.model.set_query(filt)

    def _on_changed(self, changes: Changes) -> None:
        if changes.crews:
            self.model.load_names()
        self.model.refresh()

    def _on_read_failed(self, message: str) -> None:
        self.status.showMessage(self.tr("Could not read the requests: %1").replace("%1", message), 10000)

    def _announce_referrals(self, count: int) -> None:
        text = self.tr("%1 new requests were referred to this office by the centre.") \
            .replace("%1", digits(count))
        self.status.showMessage(text, 30000)
        QApplication.alert(self)

    # ============================================================= opening

    def _show_dialog(self, dialog: QWidget) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()  # window-modal, without a nested event loop
        self.sig_dialog.emit(dialog)

    def open_request(self, request_id: uuid.UUID) -> None:
        form = optional("request_form", "RequestForm")
        if form is not None:
            self._show_dialog(form(self.ctx, request_id, self))

    def open_current(self) -> None:
        request_id = self.table.current_id()
        if request_id is not None:
            self.open_request(request_id)

    def new_walk_in(self) -> None:
        dialog = optional("walk_in", "WalkInDialog")
        if dialog is not None and self.act_walk_in.isEnabled():
            self._show_dialog(dialog(self.ctx, self))

    def assign_selected(self) -> None:
        dialog = optional("assign", "AssignDialog")
        ids = self.table.selected_ids()
        if dialog is not None and ids and self.act_assign.isEnabled():
            self._show_dialog(dialog(self.ctx, ids, self))

    def print_selected(self) -> None:
        printer = optional("print_actions", "print_work_orders")
        ids = self.table.selected_ids()
        if printer is not None and ids:
            printer(self.ctx, ids, self)

    def print_crew_day(self) -> None:
        printer = optional("print_actions", "print_crew_day")
        if printer is not None:
            printer(self.ctx, self)

    def open_sync_problems(self) -> None:
        dialog = optional("sync_problems", "SyncProblemsDialog")
        if dialog is not None:
            self._show_dialog(dialog(self.ctx, self))

    def open_crews(self) -> None:
        dialog = optional("crews", "CrewsDialog")
        if dialog is not None and self.act_crews.isEnabled():
            self._show_dialog(dialog(self.ctx, self))

    def open_backups(self) -> None:
        """Managers see the daily backups and may restore one (at the next start)."""
        dialog = optional("backups", "BackupsDialog")
        if dialog is None or not self.act_backups.isEnabled():
            return
        shown = dialog(self.ctx, self)
        shown.accepted.connect(lambda: self.close() if shown.restore_requested else None)
        self._show_dialog(shown)

    def open_completion_photos(self) -> None:
        """The district manager's per-category rule for completion photos."""
        dialog = optional("completion_photos", "CompletionPhotosDialog")
        if dialog is not None and self.act_completion_photos.isEnabled():
            self._show_dialog(dialog(self.ctx, self))

    def open_users(self) -> None:
        dialog = optional("users", "UsersDialog")
        if dialog is not None and self.act_users.isEnabled():
            self._show_dialog(dialog(self.ctx, self))

    def show_reports(self) -> None:
        page = optional("reports_page", "ReportsPage")
        if page is None or not self.act_reports.isEnabled():
            return
        if self._reports is None:
            self._reports = page(self.ctx, self.tabs)
            self.tabs.addTab(self._reports, self.tr("Reports"))
            self.sig_dialog.emit(self._reports)
        self.tabs.setCurrentWidget(self._reports)

    def _show_page(self, key: str, module: str, name: str, action: QAction) -> QWidget | None:
        """A centre page as a tab, made on first use."""
        if not action.isEnabled():
            return None
        page = self._pages.get(key)
        if page is None:
            kind = optional(module, name)
            if kind is None:
                return None
            page = kind(self.ctx, self.tabs)
            self._pages[key] = page
            self.tabs.addTab(page, "")
            self.tabs.setTabBarAutoHide(False)
            self._retranslate_tabs()
            self.sig_dialog.emit(page)
        self.tabs.setCurrentWidget(page)
        return page

    def show_call_page(self) -> None:
        page = self._show_page("call", "call_form", "CallPage", self.act_call)
        if page is not None:
            page.focus_phone()  # type: ignore[attr-defined]

    def show_queue(self) -> None:
        page = self._show_page("queue", "queue_page", "QueuePageWidget", self.act_queue)
        if page is not None:
            page.table.setFocus()  # type: ignore[attr-defined]

    def show_overdue(self) -> None:
        page = self._show_page("overdue", "overdue_page", "OverduePage", self.act_overdue)
        if page is not None and not getattr(page, "_wired", False):
            page.sig_open.connect(self.open_request)  # type: ignore[attr-defined]
            page._wired = True  # type: ignore[attr-defined]

    def page(self, key: str) -> QWidget | None:
        """The centre page ``key`` ("call", "queue", "overdue") if it is open."""
        return self._pages.get(key)

    def _retranslate_tabs(self) -> None:
        titles = {"call": self.tr("Take a call"), "queue": self.tr("Verification queue"),
                  "overdue": self.tr("Overdue everywhere")}
        for key, page in self._pages.items():
            self.tabs.setTabText(self.tabs.indexOf(page), titles[key])

    def show_shortcuts(self) -> None:
        lines = [
            (self.act_call, self.tr("Take a call")),
            (self.act_queue, self.tr("Verification queue")),
            (self.act_overdue, self.tr("Every district's overdue work")),
            (self.act_search, self.tr("Search")),
            (self.act_walk_in, self.tr("New walk-in request")),
            (self.act_assign, self.tr("Assign the selected requests to a crew")),
            (self.act_open, self.tr("Open the current request (or Enter)")),
            (self.act_next, self.tr("Next request")),
            (self.act_previous, self.tr("Previous request")),
            (self.act_print, self.tr("Print work orders")),
            (self.act_clear, self.tr("Clear filters")),
            (self.act_refresh, self.tr("Read the table again")),
            (self.act_sync, self.tr("Sync now")),
        ]
        text = "\n".join(
            f"{action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)}\t{label}"
            for action, label in lines if action.isVisible())
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Keyboard shortcuts"), text,
                          QMessageBox.StandardButton.Close, self)
        self._show_dialog(box)

    # ============================================================ language

    def set_language(self, language: str) -> None:
        """Switch the whole app; every widget retranslates on LanguageChange."""
        if language == self.ctx.language:
            return
        self._translations.apply(language)
        save_language(language)
        self.ctx.language = language
        self.model.set_language(language)
        self.filters.set_language(language)
        self.ctx.bus.sig_language.emit(language)

    def _retranslate(self) -> None:
        actor = self.ctx.actor
        self.setWindowTitle(self.tr("Daftar — 137 requests — %1").replace(
            "%1", actor.display_name or actor.username))
        self.tabs.setTabText(0, self.tr("Requests"))
        if self._reports is not None:
            self.tabs.setTabText(self.tabs.indexOf(self._reports), self.tr("Reports"))
        self.menu_office.setTitle(self.tr("&Office"))
        self.menu_requests.setTitle(self.tr("&Requests"))
        self.menu_centre.setTitle(self.tr("137 &centre"))
        self._retranslate_tabs()
        self.menu_view.setTitle(self.tr("&View"))
        self.menu_language.setTitle(self.tr("&Language"))
        self.menu_help.setTitle(self.tr("&Help"))
        self.toolbar.setWindowTitle(self.tr("Main toolbar"))
        texts = {
            self.act_search: self.tr("&Search"),
            self.act_clear: self.tr("&Clear filters"),
            self.act_refresh: self.tr("Re&fresh"),
            self.act_next: self.tr("&Next request"),
            self.act_previous: self.tr("&Previous request"),
            self.act_open: self.tr("&Open request"),
            self.act_walk_in: self.tr("New &walk-in"),
            self.act_assign: self.tr("&Assign to crew…"),
            self.act_print: self.tr("&Print work orders"),
            self.act_print_day: self.tr("Print a crew's &day sheet…"),
            self.act_sync: self.tr("S&ync now"),
            self.act_problems: self.tr("Sync &problems…"),
            self.act_crews: self.tr("&Crews…"),
            self.act_users: self.tr("&Users…"),
            self.act_backups: self.tr("&Backups…"),
            self.act_completion_photos: self.tr("Completion &photos…"),
            self.act_reports: self.tr("&Reports"),
            self.act_quit: self.tr("&Quit"),
            self.act_call: self.tr("Take a &call"),
            self.act_queue: self.tr("&Verification queue"),
            self.act_overdue: self.tr("Overdue &everywhere"),
            self.act_shortcuts: self.tr("&Keyboard shortcuts"),
            self.act_persian: "فارسی",
            self.act_english: "English",
        }
        for action, text in texts.items():
            action.setText(text)
        self.act_assign.setToolTip(self.tr(
            "Assign the selected requests to a crew (referred, assigned or in progress only)"))

    # ============================================================== layout

    def _restore_layout(self) -> None:
        store = settings()
        geometry = store.value("mainWindow/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 780)
        state = store.value("mainWindow/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        header = store.value("requestTable/header")
        if isinstance(header, QByteArray) and not header.isEmpty():
            self.table.restore_layout(header)

    def save_layout(self) -> None:
        store = settings()
        store.setValue("mainWindow/geometry", self.saveGeometry())
        store.setValue("mainWindow/state", self.saveState())
        store.setValue("requestTable/header", self.table.save_layout())
        store.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        self.sync.stop()
        self.reader.shutdown()
        super().closeEvent(event)
