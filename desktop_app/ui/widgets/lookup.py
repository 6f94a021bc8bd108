"""A field that finds a reference item by a few letters of its name.

An operator with a caller on the line types «زبا» and the category is there: the
field offers every name that *contains* what was typed (not only those that start
with it), compared by :func:`sync.text.search_key`, so Arabic ي/ك typed on an Arabic
keyboard, a missing ZWNJ or Latin case never hide a match.  The first match is
always highlighted, so Tab or Enter takes it: three letters and Tab choose.

A :class:`QCompleter` does the matching (contains-matching on a role holding each
name's search key, ``KEY_ROLE``; :meth:`LookupCompleter.splitPath` folds the typed
text the same way).  Its matches are shown in a list laid over the form under the
field, not in the completer's own pop-up window: a pop-up takes the window's
activation on some platforms (and offscreen), and the operator's next keys would
land in a window that no longer has the focus.  The keys stay with the field, which
moves the highlight (arrows), takes it (Enter, Tab) or closes the list (Escape).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QPoint, QRect, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QCompleter, QFrame, QLineEdit, QListView, QWidget

from sync.text import search_key

#: Item role holding the folded name a typed text is matched against.
KEY_ROLE = Qt.ItemDataRole.UserRole + 10
#: Item role holding the item's code.
CODE_ROLE = Qt.ItemDataRole.UserRole + 11
#: How many matches the list shows at once.
VISIBLE_MATCHES = 8


class LookupCompleter(QCompleter):
    """Contains-matching on folded names; the list shows the names as they are."""

    def splitPath(self, path: str) -> list[str]:
        return [search_key(path)]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        return str(index.data(Qt.ItemDataRole.DisplayRole) or "")


class LookupField(QLineEdit):
    """A line edit choosing one ``(code, name)`` by typing part of the name.

    Signals:
        sig_chosen(str): the chosen code changed (``""`` when nothing is chosen).
    """

    sig_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = QStandardItemModel(self)
        self._names: dict[str, str] = {}
        self._code = ""
        completer = LookupCompleter(self._model, self)
        completer.setCompletionRole(KEY_ROLE)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseSensitive)  # keys are folded
        self._completer = completer
        self._list = QListView()
        self._list.setObjectName(f"{self.objectName() or 'lookup'}Matches")
        self._list.setModel(completer.completionModel())
        self._list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._list.setFrameShape(QFrame.Shape.StyledPanel)
        self._list.setStyleSheet("QListView { background: palette(base); }")
        self._list.clicked.connect(self._on_clicked)
        self._list.hide()
        self.textEdited.connect(self._on_edited)

    # ----------------------------------------------------------------- items

    def set_items(self, items: Sequence[tuple[str, str] | tuple[str, str, str]]) -> None:
        """The ``(code, name)`` pairs to choose from, in the order to offer them; a
        third element is more text the item is found by (its name in the other
        language: a Persian name is found from the English window too)."""
        keep = self._code
        self._model.clear()
        self._names = {}
        for code, name, *also in items:
            item = QStandardItem(name)
            item.setData(search_key(" / ".join((name, *also))), KEY_ROLE)
            item.setData(code, CODE_ROLE)
            self._model.appendRow(item)
            self._names[code] = name
        if keep and keep in self._names:
            self.set_code(keep)
        elif keep:
            self.set_code("")

    def code(self) -> str:
        return self._code

    def set_code(self, code: str) -> None:
        """Choose ``code`` (``""``: nothing) and show its name."""
        self.setText(self._names.get(code, ""))
        self._set(code if code in self._names else "")

    def _set(self, code: str) -> None:
        if code != self._code:
            self._code = code
            self.sig_chosen.emit(code)

    # ------------------------------------------------------------ the matches

    def matches(self) -> list[str]:
        """The codes offered for what is typed now, in the order shown."""
        completions = self._completer.completionModel()
        return [str(completions.index(row, 0).data(CODE_ROLE))
                for row in range(completions.rowCount())] if self.text().strip() else []

    @property
    def matches_shown(self) -> bool:
        return self._list.isVisible()

    def _show_list(self) -> None:
        window = self.window()
        if self._list.parentWidget() is not window:
            self._list.setParent(window)
        rows = min(VISIBLE_MATCHES, self._completer.completionModel().rowCount())
        height = self._list.sizeHintForRow(0) * rows + 2 * self._list.frameWidth() + 2
        corner = self.mapTo(window, QPoint(0, self.height()))
        self._list.setGeometry(QRect(corner.x(), corner.y(), self.width(), height))
        self._list.show()
        self._list.raise_()

    def _hide_list(self) -> None:
        self._list.hide()

    def _on_edited(self, text: str) -> None:
        """A typed name that is exactly an item's chooses it; anything else chooses
        nothing until a match is taken.  The matches show, the first highlighted."""
        key = search_key(text)
        exact = next((code for code, name in self._names.items() if search_key(name) == key), "")
        self._set(exact if key else "")
        if not key:
            self._hide_list()
            return
        self._completer.setCompletionPrefix(text)
        completions = self._completer.completionModel()
        if completions.rowCount() == 0:
            self._hide_list()
            return
        self._list.setCurrentIndex(completions.index(0, 0))
        self._show_list()

    def _on_clicked(self, index: QModelIndex) -> None:
        self.set_code(str(index.data(CODE_ROLE) or ""))
        self._hide_list()
        self.setFocus()

    def take_first_match(self) -> bool:
        """Choose the highlighted match (the first unless the arrows moved it), if
        nothing is chosen yet; whether something is chosen now."""
        current = self._list.currentIndex() if self._list.isVisible() else QModelIndex()
        self._hide_list()
        if self._code or not self.text().strip():
            return bool(self._code)
        if current.isValid():
            self.set_code(str(current.data(CODE_ROLE) or ""))
            return bool(self._code)
        self._completer.setCompletionPrefix(self.text())
        completions = self._completer.completionModel()
        if completions.rowCount() == 0:
            return False
        self.set_code(str(completions.index(0, 0).data(CODE_ROLE) or ""))
        return True

    # -------------------------------------------------------------------- keys

    def event(self, event: QEvent) -> bool:
        # Tab is handled in QWidget.event, before keyPressEvent: take the
        # highlighted match first, then move on.
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            self.take_first_match()
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        shown = self._list.isVisible()
        if event.key() == Qt.Key.Key_Escape and shown:
            self._hide_list()
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down) and shown:
            completions = self._completer.completionModel()
            row = self._list.currentIndex().row() + (1 if event.key() == Qt.Key.Key_Down else -1)
            if 0 <= row < completions.rowCount():
                self._list.setCurrentIndex(completions.index(row, 0))
            event.accept()
            return
        # Enter with the matches open takes one and goes no further: it must not
        # also press the form's default button or save the form.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and shown:
            current = self._list.currentIndex()
            self._hide_list()
            if current.isValid():
                self.set_code(str(current.data(CODE_ROLE) or ""))
            event.accept()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        # Leaving a half-typed name (a click elsewhere) takes its highlighted match.
        if event.reason() != Qt.FocusReason.PopupFocusReason:
            self.take_first_match()
        super().focusOutEvent(event)
