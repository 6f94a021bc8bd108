"""A request's photos on its form: a strip of thumbnails, add (a file picker, or
files dropped on the strip), view large, save a copy, remove.

Each thumbnail carries a band naming its kind (the citizen's, before work, after
work), in the kind's colour, and says when it is internal; the strip lists them by
kind.  A new photo is added as the kind chosen beside "Add photo" (the form picks
the likely one from the request's status), and may be marked internal there; the
kind and the mark of a photo already kept are changed from the "Kind" menu.  A PDF
is opened in the system's own viewer (from a copy in a temporary folder).

What may be kept, and by whom it may be removed, is decided by
:class:`~desktop_app.services.attachments.Attachments` alone; this module only words
its refusals.  Making a file fit to keep (scaling, thumbnails) is
:mod:`desktop_app.ui.photo_files`, and looking at one is
:mod:`desktop_app.ui.photo_viewer`; adding and removing run through ``ctx.run_op``,
which announces the request as changed so its history shows the entry.

Photos go to the centre with the sync (:mod:`desktop_app.services.attachments`), and
the strip says so; adding, changing or removing one is recorded in the office's audit
log (shown in the request's history).  A photo pulled from the centre whose bytes have
not arrived yet says so when opened.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QRect, QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QIcon,
    QImage,
    QPainter,
    QPixmap,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from desktop_app.errors import ServiceError
from desktop_app.services.attachments import (
    KINDS,
    MAX_BYTES,
    AttachmentFile,
    AttachmentInfo,
    Attachments,
    Kind,
    may_remove,
)
from desktop_app.services.requests import Changes
from desktop_app.ui.context import AppContext
from desktop_app.ui.messages import digits, error_text
from desktop_app.ui.photo_files import THUMB_SIDE, Added, add_files, decode, with_thumbnails
from desktop_app.ui.photo_viewer import PhotoViewer, describe
from desktop_app.ui.widgets.buttons import action_button
from desktop_app.ui.widgets.retranslate import Retranslating

# Context "PhotoStrip", spelled out in each call: lupdate reads only literal contexts.
_ERRORS = {
    "attachment_type": QT_TRANSLATE_NOOP(
        "PhotoStrip", "Only photos and PDF files can be attached."),
    "attachment_too_big": QT_TRANSLATE_NOOP(
        "PhotoStrip", "The file is larger than %1 MB; choose a smaller one."),
    "attachment_duplicate": QT_TRANSLATE_NOOP(
        "PhotoStrip", "This photo is already attached, as “%1”."),
    "unknown_attachment": QT_TRANSLATE_NOOP(
        "PhotoStrip", "This photo is no longer attached; someone may have removed it."),
    "unreadable": QT_TRANSLATE_NOOP("PhotoStrip", "The file could not be read."),
    "attachment_not_here": QT_TRANSLATE_NOOP(
        "PhotoStrip", "“%1” has not arrived from the centre yet; it comes with the next sync."),
}


def photo_error_text(error: BaseException) -> str:
    """One sentence about a refused photo; other errors in the app's usual words."""
    code = getattr(error, "code", None)
    if isinstance(error, ServiceError) and code in _ERRORS:
        text = QCoreApplication.translate("PhotoStrip", _ERRORS[code])
        if code == "attachment_too_big":
            return text.replace("%1", digits(MAX_BYTES // (1024 * 1024)))
        return text.replace("%1", str(error.params.get("filename", "")))
    return error_text(error)


_KIND_NAMES = {
    Kind.CITIZEN: QT_TRANSLATE_NOOP("PhotoStrip", "Citizen's photo"),
    Kind.BEFORE: QT_TRANSLATE_NOOP("PhotoStrip", "Before work"),
    Kind.AFTER: QT_TRANSLATE_NOOP("PhotoStrip", "After work"),
}
#: The band's colour per kind: blue for the citizen's, amber before, green after.
_KIND_COLOURS = {Kind.CITIZEN: "#1f5fa8", Kind.BEFORE: "#a15c00", Kind.AFTER: "#2e7d32"}


def kind_name(kind: str) -> str:
    """A kind of photo in words (the unknown kind as it is stored)."""
    return QCoreApplication.translate("PhotoStrip", _KIND_NAMES[Kind(kind)]) \
        if kind in set(Kind) else kind


def kind_words(kind: str, internal: bool) -> str:
    """The kind, and "internal" when it is."""
    name = kind_name(kind)
    if internal:
        return QCoreApplication.translate("PhotoStrip", "%1 · internal").replace("%1", name)
    return name


def kind_label(info: AttachmentInfo) -> str:
    """The band on the thumbnail, the tooltip's last line."""
    return kind_words(info.kind, info.internal)


def badged(picture: QPixmap, info: AttachmentInfo, direction: Qt.LayoutDirection) -> QPixmap:
    """The thumbnail on a square tile with a band in the kind's colour naming it;
    an internal photo's band is striped dark."""
    side = THUMB_SIDE
    tile = QPixmap(side, side)
    tile.fill(QColor("#f1f3f4"))
    painter = QPainter(tile)
    try:
        shown = picture.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                               Qt.TransformationMode.SmoothTransformation)
        painter.drawPixmap((side - shown.width()) // 2, (side - shown.height()) // 2, shown)
        font = QFont(painter.font())
        font.setPixelSize(15)
        font.setBold(True)
        painter.setFont(font)
        band = QRect(0, side - 24, side, 24)
        painter.fillRect(band, QColor("#3c4043" if info.internal else
                                      _KIND_COLOURS.get(info.kind, "#5f6368")))
        painter.setPen(QColor("white"))
        painter.setLayoutDirection(direction)
        painter.drawText(band, Qt.AlignmentFlag.AlignCenter, kind_label(info))
    finally:
        painter.end()
    return tile


def _file_filter() -> str:
    return QCoreApplication.translate("PhotoStrip", "Photos and PDF files (%1)").replace(
        "%1", "*.jpg *.jpeg *.png *.heic *.webp *.bmp *.gif *.tif *.tiff *.pdf")


class PhotoStrip(Retranslating, QWidget):
    """The request's attachments as thumbnails, with what may be done to them.

    Signals:
        sig_loaded(): the strip shows the attachments as they are in the database.
        sig_saved(str): a copy was written to this path.
    """

    sig_loaded = Signal()
    sig_saved = Signal(str)
    #: A PDF was handed to the system's viewer, as this file.
    sig_opened = Signal(str)

    def __init__(self, ctx: AppContext, request_id: uuid.UUID, parent: QWidget | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self._request_id = request_id
        self._shelf = Attachments(ctx.desk.sessions, ctx.actor)
        self._items: list[AttachmentInfo] = []
        self._busy = False
        self._opened: tempfile.TemporaryDirectory[str] | None = None
        self.setObjectName("photoStrip")
        self.setAcceptDrops(True)

        self._list = QListWidget()
        self._list.setObjectName("photos")
        self._list.setViewMode(QListView.ViewMode.IconMode)
        self._list.setFlow(QListView.Flow.LeftToRight)
        self._list.setWrapping(False)
        self._list.setMovement(QListView.Movement.Static)
        self._list.setResizeMode(QListView.ResizeMode.Adjust)
        self._list.setIconSize(QSize(THUMB_SIDE, THUMB_SIDE))
        line = self.fontMetrics().lineSpacing()
        grid = QSize(THUMB_SIDE + 24, THUMB_SIDE + 2 * line + 8)
        self._list.setGridSize(grid)
        self._list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        # One row of thumbnails and room for the scroll bar that a long row brings.
        self._list.setFixedHeight(grid.height() + self.style().pixelMetric(
            QStyle.PixelMetric.PM_ScrollBarExtent) + 2 * self._list.frameWidth() + 4)
        self._list.itemSelectionChanged.connect(self._offer)
        self._list.itemActivated.connect(lambda _item: self._on_view())
        self._empty = QLabel()
        self._empty.setObjectName("empty")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setStyleSheet("color:#5f6368; border:1px dashed #c4c7c5; border-radius:6px;")
        self._empty.setFixedHeight(self._list.height())
        self._pages = QStackedWidget()
        self._pages.addWidget(self._empty)
        self._pages.addWidget(self._list)

        self._add = action_button("addPhoto", self._on_add)
        self._new_kind = QComboBox()
        self._new_kind.setObjectName("newKind")
        for kind in KINDS:
            self._new_kind.addItem("", kind.value)
        self._new_kind.setCurrentIndex(KINDS.index(Kind.BEFORE))
        self._new_internal = QCheckBox()
        self._new_internal.setObjectName("newInternal")
        self._kind = QToolButton()
        self._kind.setObjectName("photoKind")
        self._kind.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._kind_menu = QMenu(self._kind)
        self._kind_actions = {}
        for kind in KINDS:
            action = self._kind_menu.addAction("")
            action.setObjectName(f"kind_{kind.value}")
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, k=kind: self._mark(kind=k))
            self._kind_actions[kind] = action
        self._kind_menu.addSeparator()
        self._internal_action = self._kind_menu.addAction("")
        self._internal_action.setObjectName("internal")
        self._internal_action.setCheckable(True)
        self._internal_action.triggered.connect(lambda checked: self._mark(internal=checked))
        self._kind.setMenu(self._kind_menu)
        self._view = action_button("viewPhoto", self._on_view)
        self._save = action_button("savePhoto", self._on_save)
        self._remove = action_button("removePhoto", self._on_remove)
        self._local = QLabel()
        self._local.setObjectName("officeOnly")
        self._local.setStyleSheet("color:#5f6368;")
        self._local.setWordWrap(True)
        self._local.setAlignment(Qt.AlignmentFlag.AlignTrailing | Qt.AlignmentFlag.AlignVCenter)
        self._error = QLabel()
        self._error.setObjectName("photoError")
        self._error.setWordWrap(True)
        self._error.setStyleSheet("color:#b3261e;")
        self._error.hide()
        buttons = QHBoxLayout()
        for button in (self._add, self._new_kind, self._new_internal, self._view, self._kind,
                       self._save, self._remove):
            buttons.addWidget(button)
        buttons.addWidget(self._local, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self._pages)
        layout.addWidget(self._error)

        self._retranslate()
        self._offer()
        ctx.bus.sig_changed.connect(self._on_changed)
        self.reload()

    # ------------------------------------------------------------------ language

    def _retranslate(self) -> None:
        self._add.setText(self.tr("Add photo…"))
        for index, kind in enumerate(KINDS):
            self._new_kind.setItemText(index, kind_name(kind))
            self._kind_actions[kind].setText(kind_name(kind))
        self._new_kind.setToolTip(self.tr("What the photos you add show"))
        self._new_internal.setText(self.tr("Internal"))
        self._new_internal.setToolTip(self.tr("Never shown to the citizen or published"))
        self._internal_action.setText(self.tr("Internal (never public)"))
        self._kind.setText(self.tr("Kind"))
        self._view.setText(self.tr("View"))
        self._save.setText(self.tr("Save a copy…"))
        self._remove.setText(self.tr("Remove"))
        self._local.setText(self.tr(
            "Goes to the centre with the sync; an internal photo is never public."))
        self._empty.setText(self.tr("No photos yet. Add one, or drop photo files here."))
        self._show_photos()

    # ------------------------------------------------------------------- loading

    def reload(self) -> None:
        shelf, request_id = self._shelf, self._request_id
        self._ctx.tasks.run_db(lambda: with_thumbnails(shelf, shelf.of_request(request_id)),
                               on_done=self._on_loaded,
                               on_error=self._on_error)

    def set_new_kind(self, kind: str) -> None:
        """The kind new photos are added as, until the clerk chooses another."""
        self._new_kind.setCurrentIndex(KINDS.index(Kind(kind)))

    @property
    def new_kind(self) -> Kind:
        return Kind(self._new_kind.currentData())

    def _on_changed(self, changes: Changes) -> None:
        if self._request_id in changes.request_ids:
            self.reload()

    def _on_loaded(self, items: list[AttachmentInfo]) -> None:
        if not isValid(self):
            return
        self._items = items
        self._show_photos()
        self.sig_loaded.emit()

    @property
    def attachments(self) -> list[AttachmentInfo]:
        return list(self._items)

    def _show_photos(self) -> None:
        selected = self._selected()
        self._list.clear()
        document = self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        for info in self._items:
            picture = (QPixmap.fromImage(QImage.fromData(info.thumbnail)) if info.thumbnail
                       else document.pixmap(THUMB_SIDE // 2))
            icon = QIcon(badged(picture, info, self.layoutDirection()))
            item = QListWidgetItem(icon, info.filename)
            item.setData(Qt.ItemDataRole.UserRole, info.id)
            item.setToolTip(f"{describe(info)}\n{kind_label(info)}")
            self._list.addItem(item)
            if selected is not None and info.id == selected.id:
                item.setSelected(True)
        self._pages.setCurrentWidget(self._list if self._items else self._empty)
        self._offer()

    def _selected(self) -> AttachmentInfo | None:
        items = self._list.selectedItems()
        if not items:
            return None
        wanted = items[0].data(Qt.ItemDataRole.UserRole)
        return next((info for info in self._items if info.id == wanted), None)

    def select(self, attachment_id: uuid.UUID) -> None:
        for row in range(self._list.count()):
            item = self._list.item(row)
            item.setSelected(item.data(Qt.ItemDataRole.UserRole) == attachment_id)

    def _offer(self) -> None:
        """View an image, save any file, remove only what this person may remove."""
        info = self._selected()
        self._add.setEnabled(not self._busy)
        self._view.setEnabled(info is not None)
        # Anyone may hide a photo; the rest is for who may remove it (the service decides).
        self._kind.setEnabled(not self._busy and info is not None)
        mine = info is not None and may_remove(self._ctx.actor, info.added_by)
        for kind, action in self._kind_actions.items():
            action.setChecked(info is not None and info.kind == kind)
            action.setEnabled(mine)
        self._internal_action.setChecked(info is not None and info.internal)
        self._internal_action.setEnabled(info is not None and (mine or not info.internal))
        self._save.setEnabled(info is not None)
        self._remove.setEnabled(not self._busy and info is not None
                                and may_remove(self._ctx.actor, info.added_by))

    # ------------------------------------------------------------------- adding

    def _on_add(self) -> None:
        dialog = QFileDialog(self, self.tr("Attach photos"))
        dialog.setObjectName("choosePhotos")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilters([_file_filter()])
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.filesSelected.connect(lambda names: self.add_paths([Path(n) for n in names]))
        dialog.open()

    def add_paths(self, paths: Sequence[Path]) -> None:
        """Attach files (chosen or dropped); what is refused is said under the strip."""
        if not paths:
            return
        self._error.hide()
        self._busy = True
        self._offer()
        shelf, request_id = self._shelf, self._request_id
        kind, internal = self.new_kind, self._new_internal.isChecked()
        self._ctx.run_op(lambda: add_files(shelf, request_id, list(paths), kind, internal),
                         on_done=self._on_added, on_error=self._on_error)

    def _on_added(self, result: Added) -> None:
        if not isValid(self):
            return
        self._busy = False
        self._offer()
        if result.refused:
            self._error.setText("\n".join(
                self.tr("%1: %2").replace("%1", name).replace("%2", photo_error_text(error))
                for name, error in result.refused))
            self._error.show()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)

    # -------------------------------------------------------- viewing, saving

    def _read(self, info: AttachmentInfo, then: Callable[[AttachmentFile], None]) -> None:
        shelf = self._shelf
        self._ctx.tasks.run_db(lambda: shelf.read(info.id), on_done=then, on_error=self._on_error)

    def _on_view(self) -> None:
        info = self._selected()
        if info is None:
            return
        self._error.hide()
        if info.is_image:
            self._read(info, lambda file: self._show_viewer(info, file))
        else:
            self._read(info, self._open_elsewhere)

    def _open_elsewhere(self, file: AttachmentFile) -> None:
        """A PDF in the system's viewer, from a copy in a folder of this strip's
        (removed with it); the office's own copy stays in the database."""
        if not isValid(self):
            return
        if self._opened is None:
            self._opened = tempfile.TemporaryDirectory(prefix="daftar-")
            self.destroyed.connect(self._opened.cleanup)
        path = Path(self._opened.name) / file.filename
        try:
            path.write_bytes(file.content)
        except OSError as exc:
            self._error.setText(self.tr("The file could not be opened: %1").replace(
                "%1", exc.strerror or str(exc)))
            self._error.show()
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self._error.setText(self.tr("No program on this computer opens “%1”; save a "
                                        "copy and open it elsewhere.").replace("%1", file.filename))
            self._error.show()
            return
        self.sig_opened.emit(str(path))

    # ------------------------------------------------------------------ kinds

    def _mark(self, *, kind: Kind | None = None, internal: bool | None = None) -> None:
        info = self._selected()
        if info is None:
            return
        self._error.hide()
        self._busy = True
        self._offer()
        shelf = self._shelf
        self._ctx.run_op(lambda: Changes([shelf.mark(info.id, kind=kind, internal=internal)
                                          .request_id]),
                         on_done=self._on_removed, on_error=self._on_error)

    def _show_viewer(self, info: AttachmentInfo, file: AttachmentFile) -> None:
        if not isValid(self):
            return
        viewer = PhotoViewer(decode(file.content), info, self)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        viewer.sig_save.connect(lambda: self._ask_where(info, file, viewer))
        viewer.open()

    def _on_save(self) -> None:
        info = self._selected()
        if info is not None:
            self._error.hide()
            self._read(info, lambda file: self._ask_where(info, file, self))

    def _ask_where(self, info: AttachmentInfo, file: AttachmentFile, parent: QWidget) -> None:
        if not isValid(parent):
            return
        dialog = QFileDialog(parent, self.tr("Save a copy"))
        dialog.setObjectName("savePhotoAs")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.selectFile(file.filename)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda name: self._write(Path(name), file.content))
        dialog.open()

    def _write(self, path: Path, content: bytes) -> None:
        try:
            path.write_bytes(content)
        except OSError as exc:
            self._error.setText(self.tr("The copy could not be saved: %1").replace(
                "%1", exc.strerror or str(exc)))
            self._error.show()
            return
        self.sig_saved.emit(str(path))

    # ------------------------------------------------------------------ removing

    def _on_remove(self) -> None:
        info = self._selected()
        if info is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Remove the photo"),
                          self.tr("Remove “%1” from this request? The office keeps no other "
                                  "copy.").replace("%1", info.filename),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("confirmRemove")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(lambda: self._remove_now(info))
        box.open()

    def _remove_now(self, info: AttachmentInfo) -> None:
        self._error.hide()
        self._busy = True
        self._offer()
        shelf = self._shelf
        self._ctx.run_op(lambda: Changes([shelf.remove(info.id)]),
                         on_done=self._on_removed, on_error=self._on_error)

    def _on_removed(self, _changes: Changes) -> None:
        if isValid(self):
            self._busy = False
            self._offer()

    def _on_error(self, error: BaseException) -> None:
        if not isValid(self):
            return
        self._busy = False
        self._offer()
        self._error.setText(photo_error_text(error))
        self._error.show()
