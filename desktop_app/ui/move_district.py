"""Moving a referred request to another district: the centre's decision, with a
reason the new district reads in the request's history.

Offered on the request form only to a centre user at the centre's office
(:class:`~desktop_app.services.centre.CentreDesk` refuses it anywhere else); the
request arrives at the new district's offices whole, with its history.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop_app.services.centre_view import CentreNames, load_centre_names
from desktop_app.services.requests import Changes
from desktop_app.ui.call_form import centre_desk
from desktop_app.ui.context import AppContext
from desktop_app.ui.messages import digits, error_text, local_name
from desktop_app.ui.widgets.retranslate import Retranslating
from desktop_app.ui.widgets.tables import ERROR_STYLE


class MoveDistrictDialog(Retranslating, QDialog):
    """Choose the district and say why.

    Signals:
        sig_loaded(): the districts are offered.
        sig_moved(): the move is made.
    """

    sig_loaded = Signal()
    sig_moved = Signal()

    def __init__(self, ctx: AppContext, request_id: uuid.UUID, tracking_code: str,
                 current_district: str, parent: QWidget | None = None, *,
                 current_neighbourhood: str | None = None):
        super().__init__(parent)
        self.setObjectName("moveDistrictDialog")
        self._ctx = ctx
        self._request_id = request_id
        self._code = tracking_code
        self._current = current_district
        #: Offered first when it lies in the district chosen (the service keeps it too).
        self._hood = current_neighbourhood
        self._names: CentreNames | None = None

        self._intro = QLabel()
        self._intro.setWordWrap(True)
        self._district = QComboBox(objectName="district")
        self._neighbourhood = QComboBox(objectName="neighbourhood")
        self._district.currentIndexChanged.connect(self._fill_neighbourhoods)
        self._reason = QLineEdit(objectName="reason")
        self._error = QLabel(objectName="error")
        self._error.setWordWrap(True)
        self._error.setStyleSheet(ERROR_STYLE)
        self._error.hide()
        self._buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                         | QDialogButtonBox.StandardButton.Cancel)
        self._buttons.accepted.connect(self._on_move)
        self._buttons.rejected.connect(self.reject)
        self._ok = self._buttons.button(QDialogButtonBox.StandardButton.Ok)
        self._ok.setEnabled(False)
        self._captions = (QLabel(), QLabel(), QLabel())
        form = QFormLayout()
        for caption, field in zip(self._captions, (self._district, self._neighbourhood, self._reason)):
            caption.setBuddy(field)
            form.addRow(caption, field)
        layout = QVBoxLayout(self)
        layout.addWidget(self._intro)
        layout.addLayout(form)
        layout.addWidget(self._error)
        layout.addWidget(self._buttons)
        self._retranslate()
        store = ctx.store
        ctx.tasks.run_db(lambda: load_centre_names(store), on_done=self._on_loaded,
                         on_error=self._on_error)

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Move to another district"))
        self._intro.setText(self.tr("Request %1 goes to another district's offices with its "
                                    "whole history. Say why: the new district reads it.")
                            .replace("%1", digits(self._code)))
        for caption, text in zip(self._captions, (self.tr("&District"), self.tr("&Neighbourhood"),
                                                  self.tr("&Why"))):
            caption.setText(text)
        self._ok.setText(self.tr("Move"))
        self._buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        if self._names is not None:
            self._fill()

    def _fill(self) -> None:
        names = self._names
        assert names is not None
        chosen = self._district.currentData()
        if chosen is None and self._hood is not None:
            chosen = names.names.neighbourhood_district.get(self._hood)
        self._district.blockSignals(True)
        self._district.clear()
        for code in names.districts:
            if code != self._current:
                self._district.addItem(local_name(names.names.districts.get(code),
                                                  self._ctx.language) or code, code)
        self._district.setCurrentIndex(max(0, self._district.findData(chosen)))
        self._district.blockSignals(False)
        self._fill_neighbourhoods()

    def _fill_neighbourhoods(self) -> None:
        if self._names is None:
            return
        district = self._district.currentData()
        self._neighbourhood.clear()
        self._neighbourhood.addItem(self.tr("(not known)"), None)
        for code, owner in self._names.names.neighbourhood_district.items():
            if owner == district:
                self._neighbourhood.addItem(
                    local_name(self._names.names.neighbourhoods.get(code), self._ctx.language), code)
        self._neighbourhood.setCurrentIndex(max(0, self._neighbourhood.findData(self._hood)))

    def _on_loaded(self, names: CentreNames) -> None:
        if not isValid(self):
            return
        self._names = names
        self._fill()
        self._ok.setEnabled(True)
        self.sig_loaded.emit()

    def _on_error(self, error: BaseException) -> None:
        if isValid(self):
            self._ok.setEnabled(True)
            self._error.setText(error_text(error))
            self._error.show()

    def _on_move(self) -> None:
        desk, request_id = centre_desk(self._ctx), self._request_id
        district, hood = self._district.currentData(), self._neighbourhood.currentData()
        reason = self._reason.text()
        self._ok.setEnabled(False)
        self._error.hide()
        self._ctx.run_op(lambda: desk.move_district(request_id, district, reason,
                                                    neighbourhood_code=hood),
                         on_done=self._on_moved, on_error=self._on_error)

    def _on_moved(self, _changes: Changes) -> None:
        if isValid(self):
            self.sig_moved.emit()
            self.accept()
