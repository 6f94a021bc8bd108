"""The bar above the table: search, the status counts, and the filters.

Search answers as the clerk types: each keystroke restarts a short timer and the
query goes out when typing pauses (the read side interrupts a query that a newer
keystroke made obsolete, so the pause can be short).  Every other control applies
at once.  The status buttons always show how many requests each status holds under
the other filters, and double as the status filter; the overdue button likewise.
While the counts for a new filter are being made (a search in every request can
take most of a second) the previous ones stay, greyed, so nobody reads them as the
new filter's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QCollator, QEvent, QLocale, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QToolButton, QVBoxLayout, QWidget,
)

from desktop_app.services.reference_names import Names
from desktop_app.services.request_list import Counts, RequestFilter
from desktop_app.ui.messages import digits, local_name, status_name
from desktop_app.ui.widgets.jalali import JalaliDateEdit
from desktop_app.ui.widgets.retranslate import Retranslating
from sync.workflow import Status

# Milliseconds of quiet after a keystroke before the search goes out.
SEARCH_PAUSE_MS = 120


class FilterBar(Retranslating, QWidget):
    """Signals:
        sig_changed(RequestFilter): the clerk changed what the table should show.
    """

    sig_changed = Signal(object)

    def __init__(self, language: str = "fa", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("filterBar")
        self._language = language
        self._names: Names | None = None
        self._counts = Counts()

        self.search = QLineEdit(objectName="search")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        self.search.textEdited.connect(self._on_text)
        self.search.installEventFilter(self)
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(SEARCH_PAUSE_MS)
        self._pause.timeout.connect(self._emit)

        self.status_buttons: dict[str, QToolButton] = {}
        for status in Status:
            button = QToolButton(objectName=f"status_{status.value}")
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.toggled.connect(self._emit)
            self.status_buttons[status.value] = button
        self.overdue = QToolButton(objectName="overdue")
        self.overdue.setCheckable(True)
        self.overdue.setAutoRaise(True)
        self.overdue.setStyleSheet("QToolButton { color: #b3261e; font-weight: bold; }"
                                   'QToolButton[stale="true"] { color: #e3a5a0; }')
        self.overdue.toggled.connect(self._emit)
        self.total = QLabel(objectName="total")
        for widget in (*self.status_buttons.values(), self.total):
            widget.setStyleSheet('*[stale="true"] { color: palette(mid); }')
        self._stale = False

        self.category = self._combo("category")
        self.neighbourhood = self._combo("neighbourhood")
        self.crew = self._combo("crew")
        self.channel = self._combo("channel")
        self.use_from = QCheckBox(objectName="useFrom")
        self.use_to = QCheckBox(objectName="useTo")
        today = dt.date.today()
        self.date_from = JalaliDateEdit(today - dt.timedelta(days=30))
        self.date_from.setObjectName("dateFrom")
        self.date_to = JalaliDateEdit(today)
        self.date_to.setObjectName("dateTo")
        for check, edit in ((self.use_from, self.date_from), (self.use_to, self.date_to)):
            edit.setEnabled(False)
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(self._emit)
            edit.dateChanged.connect(self._on_day)
        self.clear_button = QToolButton(objectName="clear")
        self.clear_button.clicked.connect(self.clear)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        for button in self.status_buttons.values():
            top.addWidget(button)
        top.addWidget(self.overdue)
        top.addWidget(self.total)
        bottom = QHBoxLayout()
        self._labels: dict[str, QLabel] = {}
        for key, widget in (("category", self.category), ("neighbourhood", self.neighbourhood),
                            ("crew", self.crew), ("channel", self.channel)):
            label = QLabel()
            label.setBuddy(widget)
            self._labels[key] = label
            bottom.addWidget(label)
            bottom.addWidget(widget, 1)
        bottom.addWidget(self.use_from)
        bottom.addWidget(self.date_from)
        bottom.addWidget(self.use_to)
        bottom.addWidget(self.date_to)
        bottom.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 2)
        layout.addLayout(top)
        layout.addLayout(bottom)
        self._retranslate()

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox(objectName=name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(5)
        combo.addItem("", None)
        combo.currentIndexChanged.connect(self._emit)
        return combo

    # -------------------------------------------------------------- state

    def current(self) -> RequestFilter:
        """The filter the controls describe now."""
        return RequestFilter(
            statuses=frozenset(s for s, b in self.status_buttons.items() if b.isChecked()),
            category=self.category.currentData(),
            neighbourhood=self.neighbourhood.currentData(),
            crew=self.crew.currentData(),
            channel=self.channel.currentData(),
            overdue=self.overdue.isChecked(),
            first_day=self.date_from.day() if self.use_from.isChecked() else None,
            last_day=self.date_to.day() if self.use_to.isChecked() else None,
            text=self.search.text(),
        )

    @property
    def pending(self) -> bool:
        """True while a typed search waits for the pause to end."""
        return self._pause.isActive()

    def apply_now(self) -> None:
        """Send a waiting search at once (Enter in the search box does this)."""
        if self._pause.isActive():
            self._pause.stop()
            self._emit()

    def _on_day(self) -> None:
        if self.use_from.isChecked() or self.use_to.isChecked():
            self._emit()

    def _on_text(self, _text: str) -> None:
        self._pause.start()

    def _emit(self) -> None:
        self._pause.stop()
        self.sig_changed.emit(self.current())

    def clear(self) -> None:
        """Back to everything: one signal, not one per control."""
        with _Blocked(self._controls()):
            self.search.clear()
            for button in (*self.status_buttons.values(), self.overdue, self.use_from, self.use_to):
                button.setChecked(False)
            for combo in (self.category, self.neighbourhood, self.crew, self.channel):
                combo.setCurrentIndex(0)
        self.date_from.setEnabled(False)
        self.date_to.setEnabled(False)
        self._emit()

    def _controls(self) -> list[Any]:
        return [self.search, *self.status_buttons.values(), self.overdue, self.use_from,
                self.use_to, self.category, self.neighbourhood, self.crew, self.channel]

    # Setters for code that drives the bar (the window's shortcuts, the benchmark).

    def set_statuses(self, statuses: set[str]) -> None:
        with _Blocked(list(self.status_buttons.values())):
            for status, button in self.status_buttons.items():
                button.setChecked(status in statuses)
        self._emit()

    def set_overdue(self, on: bool) -> None:
        self.overdue.setChecked(on)

    def set_category(self, code: str | None) -> None:
        self.category.setCurrentIndex(max(0, self.category.findData(code)))

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def eventFilter(self, watched: Any, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.apply_now()
                return False
            if key == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                self._emit()
                return True
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------ choices

    def set_names(self, names: Names) -> None:
        """Fill the choices from the office's reference data and crews, keeping
        what is chosen."""
        self._names = names
        self._fill_choices()

    def _fill_choices(self) -> None:
        names = self._names
        if names is None:
            return
        collator = QCollator(QLocale())
        lang = self._language

        def fill(combo: QComboBox, items: list[tuple[str, Any]]) -> None:
            chosen = combo.currentData()
            with QSignalBlocker(combo):
                combo.clear()
                combo.addItem(self.tr("All"), None)
                for text, data in sorted(items, key=lambda item: collator.sortKey(item[0])):
                    combo.addItem(text, data)
                combo.setCurrentIndex(max(0, combo.findData(chosen)))

        fill(self.category, [(local_name(p, lang), code) for code, p in names.categories.items()])
        fill(self.neighbourhood, [
            (f"{local_name(p, lang)} — {local_name(names.districts.get(names.neighbourhood_district.get(code, '')), lang)}", code)
            for code, p in names.neighbourhoods.items()
        ])
        fill(self.channel, [(local_name(p, lang), code) for code, p in names.channels.items()])
        fill(self.crew, [(crew.name, crew_id) for crew_id, crew in names.crews.items() if crew.active])

    def set_counts(self, counts: Counts) -> None:
        self._counts = counts
        self._set_stale(False)
        self._show_counts()

    def mark_counts_stale(self) -> None:
        """The counts shown are the previous filter's: grey them until new ones come."""
        self._set_stale(True)

    @property
    def counts_stale(self) -> bool:
        return self._stale

    def _set_stale(self, stale: bool) -> None:
        if stale == self._stale:
            return
        self._stale = stale
        for widget in (*self.status_buttons.values(), self.overdue, self.total):
            widget.setProperty("stale", stale)
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def _show_counts(self) -> None:
        counts = self._counts
        for status, button in self.status_buttons.items():
            button.setText(f"{status_name(status)} {digits(counts.by_status.get(status, 0))}")
        self.overdue.setText("⚠ " + self.tr("Overdue %1").replace("%1", digits(counts.overdue)))
        chosen = self.current().statuses
        self.total.setText(self.tr("%1 requests").replace("%1", digits(counts.total(chosen))))

    def set_language(self, language: str) -> None:
        self._language = language
        self._fill_choices()

    # -------------------------------------------------------------- text

    def _retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr(
            "Search tracking code, citizen, phone, address or description (Ctrl+F)"))
        self._labels["category"].setText(self.tr("&Category:"))
        self._labels["neighbourhood"].setText(self.tr("&Neighbourhood:"))
        self._labels["crew"].setText(self.tr("C&rew:"))
        self._labels["channel"].setText(self.tr("C&hannel:"))
        self.use_from.setText(self.tr("From"))
        self.use_to.setText(self.tr("To"))
        self.clear_button.setText(self.tr("Clear filters"))
        self.clear_button.setToolTip(self.tr("Show every request again"))
        self.overdue.setToolTip(self.tr("Open requests past their category's target days"))
        for button in self.status_buttons.values():
            button.setToolTip(self.tr("Show only this status (click again to show all)"))
        self._fill_choices()
        self._show_counts()


class _Blocked:
    """Block the signals of several widgets at once (one change, one query)."""

    def __init__(self, widgets: list[Any]):
        self._blockers = [QSignalBlocker(w) for w in widgets]

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        for blocker in self._blockers:
            blocker.unblock()
