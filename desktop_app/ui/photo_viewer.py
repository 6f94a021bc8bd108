"""One attachment looked at closely: the viewer a photo opens in (as large as the
window allows, never larger than the photo is) and the caption that says who added
it, when, and how big it is — also the tooltip of its thumbnail in the strip.

Kept apart from the strip (:mod:`desktop_app.ui.photos`) because it is a window of
its own with its own job; it only shows, and asks the strip to save a copy.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_app.services.attachments import AttachmentInfo
from desktop_app.ui.messages import moment_text
from desktop_app.ui.widgets.retranslate import Retranslating


class PhotoViewer(Retranslating, QDialog):
    """One photo as large as the window allows, never larger than it is."""

    sig_save = Signal()

    def __init__(self, image: QImage, info: AttachmentInfo, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("photoViewer")
        self._pixmap = QPixmap.fromImage(image)
        self._info = info
        self._picture = QLabel()
        self._picture.setObjectName("picture")
        self._picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._picture.setMinimumSize(200, 150)
        self._caption = QLabel()
        self._caption.setObjectName("caption")
        self._caption.setWordWrap(True)
        self._save = QPushButton()
        self._save.setObjectName("save")
        self._save.setAutoDefault(False)
        self._save.clicked.connect(lambda: self.sig_save.emit())
        self._close = QPushButton()
        self._close.setObjectName("close")
        self._close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self._caption, 1)
        buttons.addWidget(self._save)
        buttons.addWidget(self._close)
        layout = QVBoxLayout(self)
        layout.addWidget(self._picture, 1)
        layout.addLayout(buttons)
        self._retranslate()
        screen = self.screen().availableGeometry().size() * 0.8
        self.resize(self._pixmap.size().boundedTo(screen).expandedTo(QSize(480, 360))
                    + QSize(24, 80))

    def _retranslate(self) -> None:
        self.setWindowTitle(self._info.filename)
        self._caption.setText(describe(self._info))
        self._save.setText(self.tr("Save a copy…"))
        self._close.setText(self.tr("Close"))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show_scaled()

    def _show_scaled(self) -> None:
        room = self._picture.size()
        shown = self._pixmap if (self._pixmap.width() <= room.width()
                                 and self._pixmap.height() <= room.height()) else \
            self._pixmap.scaled(room, Qt.AspectRatioMode.KeepAspectRatio,
                                Qt.TransformationMode.SmoothTransformation)
        self._picture.setPixmap(shown)


def describe(info: AttachmentInfo) -> str:
    """Who added it and when, and its size: the strip's tooltip and the viewer's caption."""
    size = QLocale().formattedDataSize(info.size, 1, QLocale.DataSizeFormat.DataSizeTraditionalFormat)
    return QCoreApplication.translate("PhotoStrip", "%1 — added by %2 on %3 (%4)").replace(
        "%1", info.filename).replace("%2", info.added_by_name or info.added_by).replace(
        "%3", moment_text(info.added_at)).replace("%4", size)
