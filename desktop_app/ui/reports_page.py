"""The managers' summary report: pick a Jalali period and a grouping, look, print, save.

Managers name periods the way the municipality does — a month, a season, the first
half of the year, a year — so the picker offers exactly those, in the Jalali
calendar, plus a free run of days; the exact first and last day are always shown,
so nobody has to work out where "the second half" ends.  The figures are computed
by :mod:`desktop_app.reports.summary` (the same code as ``daftar report summary``),
so the screen, the PDF, the CSV and the Excel file always agree.

Nothing is computed on the GUI thread, nor in one long stretch of the database
thread: the preview, "Save…" and "Print" each run one long job
(:func:`desktop_app.services.reporting.summary_figures`) that reads query by query on
the database thread and writes the file on a thread of its own, with a progress
dialog and Cancel (a cancelled save writes nothing).  The job always takes the
picker's current values, so what is saved is what the picker says even if the
preview is older.  The groupings offered are the report's own table
(:mod:`desktop_app.reports.groupings`), named in the UI language from it.

At the 137 centre's office (enrolled with every district) the page also offers the
centre's own report (:func:`desktop_app.services.reporting.centre_figures`, as
``daftar report centre``): the districts' repeat calls, hours to referral and to
close, and their ranking by overdue share; its files add the seed's table by region.
"""

from __future__ import annotations

import datetime as dt
import enum
from pathlib import Path
from typing import Any

import jdatetime
from PySide6.QtCore import (
    QAbstractTableModel,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop_app.services.centre import is_centre_office
from desktop_app.services.reporting import (
    GROUPING,
    CentreFigures,
    Figures,
    centre_figures,
    summary_figures,
)
from desktop_app.ui.context import AppContext
from desktop_app.ui.messages import day_text, error_text, local_name
from desktop_app.ui.print_actions import printout_path, run_with_progress, show_pdf
from desktop_app.ui.tasks import TaskState
from desktop_app.ui.widgets.jalali import JALALI, JalaliDateEdit
from desktop_app.ui.widgets.retranslate import Retranslating
from sync.dates import Period, jalali

# What "Save…" writes, by file extension.
FORMATS = ("pdf", "csv", "xlsx")


class PeriodKind(enum.StrEnum):
    MONTH = "month"
    SEASON = "season"
    HALF = "half"
    YEAR = "year"
    DAYS = "days"


_ROOT = QModelIndex()


class SummaryModel(QAbstractTableModel):
    """The rows of a summary report and its totals, for a table view."""

    COLUMNS = ("name", "received", "done", "not_actionable", "in_progress", "share_done",
               "overdue", "median_hours_to_close")

    def __init__(self, language: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._language = language
        self._figures: Figures | None = None
        self._rows: list[Any] = []

    def set_figures(self, figures: Figures | None, language: str) -> None:
        self.beginResetModel()
        self._figures = figures
        self._language = language
        self._rows = [*figures.report.rows, figures.report.totals] if figures else []
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        if not 0 <= section < len(self.COLUMNS):
            return None
        return {
            "name": self.tr("Group"), "received": self.tr("Received"), "done": self.tr("Done"),
            "not_actionable": self.tr("Not actionable"), "in_progress": self.tr("In progress"),
            "share_done": self.tr("Done %"), "overdue": self.tr("Overdue"),
            "median_hours_to_close": self.tr("Median hours to close"),
        }[self.COLUMNS[section]]

    def _name(self, row: Any, is_total: bool) -> str:
        if is_total:
            return self.tr("Total")
        if not row.group:
            grouping = GROUPING.get(self._figures.report.grouping) if self._figures else None
            return local_name(grouping.unset, self._language) if grouping else row.name
        names = self._figures.names.get(row.group) if self._figures else None
        return local_name(names, self._language) if names else row.name

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        is_total = index.row() == len(self._rows) - 1
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            locale = QLocale()
            if column == "name":
                return self._name(row, is_total)
            value = getattr(row, column)
            if value is None:
                return "—"
            if column == "share_done":
                return locale.toString(value * 100, "f", 1) + locale.percent()
            if isinstance(value, float):
                return locale.toString(value, "f", 1)
            return locale.toString(int(value))
        if role == Qt.ItemDataRole.TextAlignmentRole and column != "name":
            return int(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and is_total:
            font = QFont()
            font.setBold(True)
            return font
        return None


class ReportKind(enum.StrEnum):
    SUMMARY = "summary"
    CENTRE = "centre"


class CentreModel(QAbstractTableModel):
    """The districts' lines of the centre's report and the city's total."""

    COLUMNS = ("name", "received", "repeat_calls", "to_referral", "referral_to_close",
               "open_with_deadline", "overdue", "overdue_share", "rank")

    def __init__(self, language: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._language = language
        self._figures: CentreFigures | None = None
        self._rows: list[Any] = []

    def kind_names(self) -> dict[ReportKind, str]:
        """What the page's report picker calls each report."""
        return {ReportKind.SUMMARY: self.tr("Summary by group"),
                ReportKind.CENTRE: self.tr("The centre's report: districts, speed, overdue")}

    def picker_label(self) -> str:
        return self.tr("Report")

    def title(self, first: str, last: str) -> str:
        return self.tr("Requests received from %1 to %2: the districts' answer to the centre") \
            .replace("%1", first).replace("%2", last)

    def set_figures(self, figures: CentreFigures | None, language: str) -> None:
        self.beginResetModel()
        self._figures = figures
        self._language = language
        self._rows = [*figures.report.districts, figures.report.totals] if figures else []
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        if not 0 <= section < len(self.COLUMNS):
            return None
        return {
            "name": self.tr("District"), "received": self.tr("Received"),
            "repeat_calls": self.tr("Repeat calls"),
            "to_referral": self.tr("Median hours to referral"),
            "referral_to_close": self.tr("Median hours from referral to close"),
            "open_with_deadline": self.tr("Open with a deadline"), "overdue": self.tr("Overdue"),
            "overdue_share": self.tr("Overdue %"), "rank": self.tr("Rank by overdue"),
        }[self.COLUMNS[section]]

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        is_total = index.row() == len(self._rows) - 1
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            locale = QLocale()
            if column == "name":
                if is_total:
                    return self.tr("Total")
                names = self._figures.names.get(row.code) if self._figures else None
                return local_name(names, self._language) if names else row.name
            if column in ("to_referral", "referral_to_close"):
                value = getattr(row, column).median
            elif column == "overdue_share":
                value = row.overdue_share
            elif column == "rank":
                value = row.rank or None
            else:
                value = getattr(row, column)
            if value is None:
                return "—"
            if column == "overdue_share":
                return locale.toString(value * 100, "f", 1) + locale.percent()
            if isinstance(value, float):
                return locale.toString(value, "f", 1)
            return locale.toString(int(value))
        if role == Qt.ItemDataRole.TextAlignmentRole and column != "name":
            return int(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and is_total:
            font = QFont()
            font.setBold(True)
            return font
        return None


class ReportsPage(Retranslating, QWidget):
    """The summary report page of the main window.

    Signals:
        sig_shown(): the preview shows the figures of the picker's period.
        sig_written(str): a report file was written (its path).
    """

    sig_shown = Signal()
    sig_written = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("reportsPage")
        today = jalali(dt.date.today())

        self._kind = QComboBox()
        self._kind.setObjectName("periodKind")
        for kind in PeriodKind:
            self._kind.addItem("", kind.value)
        self._kind.currentIndexChanged.connect(self._on_kind)
        self._year = QSpinBox()
        self._year.setObjectName("year")
        self._year.setRange(1380, 1500)
        self._year.setValue(today.year)
        self._month = QComboBox()
        self._month.setObjectName("month")
        for month in range(1, 13):
            self._month.addItem("", month)
        self._month.setCurrentIndex(today.month - 1)
        self._season = QComboBox()
        self._season.setObjectName("season")
        for season in range(1, 5):
            self._season.addItem("", season)
        self._season.setCurrentIndex((today.month - 1) // 3)
        self._half = QComboBox()
        self._half.setObjectName("half")
        self._half.addItem("", 1)
        self._half.addItem("", 2)
        self._half.setCurrentIndex(0 if today.month <= 6 else 1)
        first_of_month = jdatetime.date(today.year, today.month, 1).togregorian()
        self._first = JalaliDateEdit(first_of_month)
        self._first.setObjectName("firstDay")
        self._last = JalaliDateEdit(dt.date.today())
        self._last.setObjectName("lastDay")
        self._grouping = QComboBox()
        self._grouping.setObjectName("grouping")
        for grouping in GROUPING:
            self._grouping.addItem("", grouping)
        self._grouping.setCurrentIndex(self._grouping.findData("neighbourhood"))
        # The centre's own report: offered only at the centre's office (see _on_centre).
        self._report_kind = QComboBox()
        self._report_kind.setObjectName("reportKind")
        for kind in ReportKind:
            self._report_kind.addItem("", kind.value)
        self._report_kind.currentIndexChanged.connect(self._on_report_kind)
        self._report_label = QLabel()
        for combo in (self._year, self._month, self._season, self._half, self._first, self._last,
                      self._grouping):
            signal = (combo.currentIndexChanged if isinstance(combo, QComboBox)
                      else combo.valueChanged if isinstance(combo, QSpinBox) else combo.dateChanged)
            signal.connect(self._on_picker)

        self._days = QLabel()
        self._days.setObjectName("days")
        self._kind_label, self._grouping_label = QLabel(), QLabel()
        self._from_label, self._to_label = QLabel(), QLabel()
        period_row = QHBoxLayout()
        for widget in (self._kind, self._year, self._month, self._season, self._half,
                       self._from_label, self._first, self._to_label, self._last):
            period_row.addWidget(widget)
        period_row.addStretch(1)
        picker = self._picker = QFormLayout()
        picker.addRow(self._kind_label, period_row)
        picker.addRow("", self._days)
        picker.addRow(self._report_label, self._report_kind)
        picker.addRow(self._grouping_label, self._grouping)

        self._show_button = QPushButton()
        self._show_button.setObjectName("show")
        self._show_button.clicked.connect(self.show_figures)
        self._save = QPushButton()
        self._save.setObjectName("save")
        self._save.clicked.connect(self._on_save)
        self._print = QPushButton()
        self._print.setObjectName("print")
        self._print.clicked.connect(self._on_print)
        buttons = QHBoxLayout()
        buttons.addWidget(self._show_button)
        buttons.addStretch(1)
        buttons.addWidget(self._save)
        buttons.addWidget(self._print)

        self._title = QLabel()
        self._title.setObjectName("title")
        self._model = SummaryModel(ctx.language, self)
        self._centre_model = CentreModel(ctx.language, self)
        self._table = QTableView()
        self._table.setObjectName("figures")
        self._table.setModel(self._model)
        self._table.verticalHeader().hide()
        self._table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self._table.horizontalHeader().setStretchLastSection(True)
        self._status = QLabel()
        self._status.setObjectName("status")
        self._status.setWordWrap(True)
        self._status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.addLayout(picker)
        layout.addLayout(buttons)
        layout.addWidget(self._title)
        layout.addWidget(self._table, 1)
        layout.addWidget(self._status)

        self._figures: Figures | None = None
        self._centre_figures: CentreFigures | None = None
        self._picker.setRowVisible(self._report_kind, False)
        self._retranslate()
        self._on_kind()
        store = ctx.store
        ctx.tasks.run_db(lambda: is_centre_office(store), on_done=self._on_centre)

    # ------------------------------------------------------------------ language

    def _retranslate(self) -> None:
        kinds = {PeriodKind.MONTH: self.tr("Month"), PeriodKind.SEASON: self.tr("Season"),
                 PeriodKind.HALF: self.tr("Half-year"), PeriodKind.YEAR: self.tr("Year"),
                 PeriodKind.DAYS: self.tr("Days from … to …")}
        for index in range(self._kind.count()):
            self._kind.setItemText(index, kinds[PeriodKind(self._kind.itemData(index))])
        locale = QLocale()
        for index in range(12):
            self._month.setItemText(index, JALALI.monthName(locale, index + 1))
        for index, name in enumerate((self.tr("Spring"), self.tr("Summer"), self.tr("Autumn"),
                                      self.tr("Winter"))):
            self._season.setItemText(index, name)
        self._half.setItemText(0, self.tr("First half (Farvardin–Shahrivar)"))
        self._half.setItemText(1, self.tr("Second half (Mehr–Esfand)"))
        for index in range(self._grouping.count()):
            grouping = GROUPING[self._grouping.itemData(index)]
            self._grouping.setItemText(index, local_name(grouping.labels, self._ctx.language))
        self._kind_label.setText(self.tr("Period"))
        self._grouping_label.setText(self.tr("Group by"))
        self._report_label.setText(self._centre_model.picker_label())
        names = self._centre_model.kind_names()
        for index in range(self._report_kind.count()):
            self._report_kind.setItemText(index, names[ReportKind(self._report_kind.itemData(index))])
        self._from_label.setText(self.tr("from"))
        self._to_label.setText(self.tr("to"))
        self._show_button.setText(self.tr("Show"))
        self._save.setText(self.tr("Save…"))
        self._print.setText(self.tr("Print"))
        self._year.setLocale(locale)
        self._on_picker()
        self._model.set_figures(self._figures, self._ctx.language)
        self._centre_model.set_figures(self._centre_figures, self._ctx.language)
        self._show_title()

    # ------------------------------------------------------------------- picker

    def _on_centre(self, centre: bool) -> None:
        """At the centre's office, offer its own report beside the summary."""
        if isValid(self):
            self._picker.setRowVisible(self._report_kind, bool(centre))

    def report_kind(self) -> ReportKind:
        return ReportKind(self._report_kind.currentData())

    def _on_report_kind(self) -> None:
        centre = self.report_kind() is ReportKind.CENTRE
        self._picker.setRowVisible(self._grouping, not centre)
        self._table.setModel(self._centre_model if centre else self._model)
        self._show_title()

    def _on_kind(self) -> None:
        kind = PeriodKind(self._kind.currentData())
        self._year.setVisible(kind is not PeriodKind.DAYS)
        self._month.setVisible(kind is PeriodKind.MONTH)
        self._season.setVisible(kind is PeriodKind.SEASON)
        self._half.setVisible(kind is PeriodKind.HALF)
        for widget in (self._from_label, self._first, self._to_label, self._last):
            widget.setVisible(kind is PeriodKind.DAYS)
        self._on_picker()

    def _on_picker(self) -> None:
        """Say which days the picker means, or what is wrong with it."""
        try:
            period = self.period()
        except ValueError:
            self._days.setText(self.tr("The last day is before the first."))
            self._days.setStyleSheet("color:#b3261e;")
            return
        self._days.setStyleSheet("color:#5f6368;")
        self._days.setText(self.tr("%1 to %2, both days included")
                           .replace("%1", day_text(period.first))
                           .replace("%2", day_text(period.last)))

    def period(self) -> Period:
        """The period the picker shows (``ValueError`` when its days are reversed)."""
        kind = PeriodKind(self._kind.currentData())
        year = self._year.value()
        if kind is PeriodKind.MONTH:
            return Period.jalali_month(year, self._month.currentData())
        if kind is PeriodKind.SEASON:
            return Period.jalali_season(year, self._season.currentData())
        if kind is PeriodKind.HALF:
            return Period.jalali_half(year, self._half.currentData())
        if kind is PeriodKind.YEAR:
            return Period.jalali_year(year)
        return Period.days(self._first.day(), self._last.day())

    def grouping(self) -> str:
        return str(self._grouping.currentData())

    # ------------------------------------------------------------------ figures

    def _job(self, then_write: Path | None = None, *, open_after: bool = False,
             printout: bool = False) -> None:
        try:
            period = self.period()
        except ValueError:
            self._status.setText(self.tr("The last day is before the first."))
            return
        store, grouping, kind = self._ctx.store, self.grouping(), self.report_kind()

        def job(state: TaskState, on_db: Any) -> tuple[Figures | CentreFigures, Path | None]:
            if kind is ReportKind.CENTRE:
                return centre_figures(store, period, then_write, state=state,
                                      on_db=on_db), then_write
            return summary_figures(store, period, grouping, then_write, state=state,
                                   on_db=on_db), then_write

        def done(result: tuple[Figures, Path | None], state: TaskState) -> None:
            if state.cancelled:  # too late to stop the job: drop what it made
                cancelled()
                return
            self._on_done(*result, open_after)

        def drop_printout() -> None:
            if printout and then_write is not None:
                then_write.unlink(missing_ok=True)

        def cancelled() -> None:
            drop_printout()
            self._on_cancelled()

        def failed(error: BaseException) -> None:
            drop_printout()
            self._on_error(error)

        for button in (self._show_button, self._save, self._print):
            button.setEnabled(False)
        self._status.setText(self.tr("Working…"))
        run_with_progress(self._ctx, job, self, self.tr("Working…"), on_done=done,
                          on_error=failed, on_cancelled=cancelled)

    def _on_cancelled(self) -> None:
        if isValid(self):
            for button in (self._show_button, self._save, self._print):
                button.setEnabled(True)
            self._status.clear()

    def show_figures(self) -> None:
        """Compute the figures of the picker's period and show them."""
        self._job()

    def _on_done(self, figures: Figures | CentreFigures, written: Path | None,
                 open_after: bool) -> None:
        if not isValid(self):
            return
        for button in (self._show_button, self._save, self._print):
            button.setEnabled(True)
        if isinstance(figures, CentreFigures):
            self._centre_figures = figures
            self._centre_model.set_figures(figures, self._ctx.language)
        else:
            self._figures = figures
            self._model.set_figures(figures, self._ctx.language)
        self._show_title()
        self._status.clear()
        self.sig_shown.emit()
        if written is not None:
            if open_after:
                show_pdf(written, self)
            else:
                self._status.setText(self.tr("Saved: %1").replace("%1", str(written)))
            self.sig_written.emit(str(written))

    def _show_title(self) -> None:
        if self.report_kind() is ReportKind.CENTRE:
            centre = self._centre_figures
            if centre is None:
                self._title.clear()
                return
            self._title.setText(self._centre_model.title(day_text(centre.report.period.first),
                                                         day_text(centre.report.period.last)))
            return
        figures = self._figures
        if figures is None:
            self._title.clear()
            return
        period = figures.report.period
        grouping = self._grouping.itemText(self._grouping.findData(figures.report.grouping))
        self._title.setText(self.tr("Requests received from %1 to %2, by %3")
                            .replace("%1", day_text(period.first))
                            .replace("%2", day_text(period.last)).replace("%3", grouping))

    def _on_error(self, error: BaseException) -> None:
        if not isValid(self):
            return
        for button in (self._show_button, self._save, self._print):
            button.setEnabled(True)
        self._status.setText(error_text(error))

    @property
    def model(self) -> SummaryModel:
        return self._model

    @property
    def centre_model(self) -> CentreModel:
        return self._centre_model

    # ------------------------------------------------------------------- output

    def _on_save(self) -> None:
        dialog = QFileDialog(self, self.tr("Save the report"))
        dialog.setObjectName("saveReport")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        filters = [self.tr("PDF for printing (*.pdf)"), self.tr("CSV table (*.csv)"),
                   self.tr("Excel workbook (*.xlsx)")]
        dialog.setNameFilters(filters)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(
            lambda name: self.save_to(self._with_suffix(Path(name), filters.index(
                dialog.selectedNameFilter()) if dialog.selectedNameFilter() in filters else 0)))
        dialog.open()

    @staticmethod
    def _with_suffix(path: Path, filter_index: int) -> Path:
        if path.suffix.lstrip(".").lower() in FORMATS:
            return path
        return path.with_name(f"{path.name}.{FORMATS[filter_index]}")

    def save_to(self, path: Path) -> None:
        """Write the picker's report to ``path``; its extension chooses the format."""
        self._job(path)

    def _on_print(self) -> None:
        """The printable PDF opens in the system's viewer, which prints it."""
        self._job(printout_path("report"), open_after=True, printout=True)
