"""Date fields in the Jalali calendar, Persian digits, Friday as the weekend.

Qt's own Jalali calendar does the work (``QCalendar.System.Jalali``); this module
only avoids the gotchas measured in platform.md: in a right-to-left window a
``QDateEdit`` mirrors the sections of its display format, and ``QCalendarWidget``
paints Saturday and Sunday red and shows ISO week numbers.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QCalendar, QDate, QLocale, Qt
from PySide6.QtGui import QColor, QPalette, QTextCharFormat
from PySide6.QtWidgets import QApplication, QCalendarWidget, QDateEdit, QWidget

JALALI = QCalendar(QCalendar.System.Jalali)


def jalali_calendar() -> QCalendar:
    return JALALI


def to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


def _style_calendar(widget: QCalendarWidget) -> None:
    widget.setCalendar(JALALI)
    widget.setFirstDayOfWeek(Qt.DayOfWeek.Saturday)
    widget.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
    plain = QTextCharFormat()
    plain.setForeground(widget.palette().color(QPalette.ColorRole.Text))
    weekend = QTextCharFormat()
    weekend.setForeground(QColor("#b3261e"))
    for day in Qt.DayOfWeek:
        widget.setWeekdayTextFormat(day, weekend if day == Qt.DayOfWeek.Friday else plain)


class JalaliDateEdit(QDateEdit):
    """A date field that shows and picks Jalali days (``۱۴۰۵/۰۱/۰۲``)."""

    def __init__(self, day: dt.date | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setCalendar(JALALI)
        self.setCalendarPopup(True)
        popup = QCalendarWidget(self)
        _style_calendar(popup)
        self.setCalendarWidget(popup)
        self._apply_format()
        self.set_day(day or dt.date.today())

    def _apply_format(self) -> None:
        rtl = QApplication.layoutDirection() == Qt.LayoutDirection.RightToLeft
        # In a right-to-left window Qt mirrors the sections: give it the mirrored
        # format so that it reads year/month/day from the right (platform.md).
        self.setDisplayFormat("dd/MM/yyyy" if rtl else "yyyy/MM/dd")

    def changeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.type() == event.Type.LayoutDirectionChange:
            self._apply_format()
        super().changeEvent(event)

    def day(self) -> dt.date:
        return from_qdate(self.date())

    def set_day(self, day: dt.date) -> None:
        self.setDate(to_qdate(day))


def format_day(day: dt.date, locale: QLocale | None = None) -> str:
    """A Jalali day as the UI shows it, in the locale's digits."""
    locale = locale or QLocale()
    return locale.toString(to_qdate(day), QLocale.FormatType.ShortFormat, JALALI)
