"""A photo made fit to keep, before the service keeps it: decoded with its camera
orientation applied, scaled down to :data:`MAX_SIDE` pixels and written as a JPEG
when it is bigger than that (or in a format other than JPEG and PNG), with a
:data:`THUMB_SIDE` pixel thumbnail for the request form's strip.

A phone photo of several megabytes becomes a few hundred kilobytes, so a year of a
district's photos stays a size a backup can carry; PDFs (a citizen's letter) are
kept as they are, without a thumbnail.  This is Qt's image work, so it lives in the
UI layer and not in :mod:`desktop_app.services.attachments`, which stores and checks.
It runs on the database thread together with the write (QImage, unlike QPixmap, may
be used off the GUI thread), so the window never stalls on a large photo.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor, QImage, QImageReader, QPainter

from desktop_app.errors import ServiceError
from desktop_app.services.attachments import (
    MAX_BYTES,
    AttachmentInfo,
    Attachments,
    Kind,
    NewFile,
)
from desktop_app.services.requests import Changes

#: Longest side a kept photo has: sharp enough to read a plate or a crack on a
#: screen or an A4 print, small enough to keep years of them.
MAX_SIDE = 1600
#: Longest side of a thumbnail in the strip.
THUMB_SIDE = 160
JPEG_QUALITY = 85


@dataclass(frozen=True)
class Prepared:
    """A file ready for :meth:`Attachments.attach`."""

    filename: str
    media_type: str
    content: bytes
    thumbnail: bytes | None

    def as_new(self, kind: str = Kind.BEFORE, internal: bool = False) -> NewFile:
        return NewFile(self.filename, self.media_type, self.content, self.thumbnail, kind,
                       internal)


def _encode(image: QImage, fmt: str, quality: int = -1) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, fmt, quality)
    return bytes(buffer.data().data())


def _fit(image: QImage, side: int) -> QImage:
    if max(image.width(), image.height()) <= side:
        return image
    return image.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation)


def _thumbnail(image: QImage) -> bytes:
    return _encode(_as_jpeg(_fit(image, THUMB_SIDE)), "JPEG", 80)


def _as_jpeg(image: QImage) -> QImage:
    """JPEG has no transparency: a PNG's clear parts become white, not black."""
    if not image.hasAlphaChannel():
        return image
    flat = QImage(image.size(), QImage.Format.Format_RGB32)
    flat.fill(QColor("white"))
    painter = QPainter(flat)
    try:
        painter.drawImage(0, 0, image)
    finally:
        painter.end()
    return flat


def decode(data: bytes) -> QImage:
    """An image from its bytes, turned the way the camera held it (EXIF)."""
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    reader.setAutoTransform(True)
    return reader.read()


def prepare(path: Path) -> Prepared:
    """Read a file the user chose and make it fit to keep.  A PDF, or anything that
    is not an image Qt can read, is passed on as it is, for the service to keep or
    to refuse with its reason."""
    with path.open("rb") as file:
        is_pdf = file.read(5) == b"%PDF-"
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    kind = "" if is_pdf else bytes(reader.format().data()).decode().lower()
    if not kind:
        if path.stat().st_size > MAX_BYTES:  # not read into memory only to be refused
            raise ServiceError("attachment_too_big", f"{path.name} is too big")
        media_type = "application/pdf" if is_pdf else "application/octet-stream"
        return Prepared(path.name, media_type, path.read_bytes(), None)
    image = reader.read()
    if image.isNull():
        raise ServiceError("unreadable", f"{path.name}: {reader.errorString()}")
    thumbnail = _thumbnail(image)
    if (kind in ("jpeg", "png") and max(image.width(), image.height()) <= MAX_SIDE
            and path.stat().st_size <= MAX_BYTES):
        return Prepared(path.name, f"image/{kind}", path.read_bytes(), thumbnail)
    scaled = _encode(_as_jpeg(_fit(image, MAX_SIDE)), "JPEG", JPEG_QUALITY)
    return Prepared(f"{path.stem}.jpg", "image/jpeg", scaled, thumbnail)


@dataclass(frozen=True)
class Added:
    """What became of files added at once: how many were kept, which were not, and
    what changed (the request, when one was kept), which ``run_op`` announces."""

    added: int
    refused: tuple[tuple[str, BaseException], ...]
    changes: Changes


def add_files(shelf: Attachments, request_id: uuid.UUID, paths: Sequence[Path],
              kind: str = Kind.BEFORE, internal: bool = False) -> Added:
    """Runs on the database thread: prepare and keep each file (as ``kind``, marked
    ``internal`` or not); one file refused does not stop the others."""
    added, refused = 0, []
    for path in paths:
        try:
            ready = prepare(path)
            shelf.attach(request_id, filename=ready.filename, media_type=ready.media_type,
                         content=ready.content, thumbnail=ready.thumbnail, kind=kind,
                         internal=internal)
            added += 1
        except ServiceError as exc:
            refused.append((path.name, exc))
        except OSError:
            refused.append((path.name, ServiceError("unreadable", f"cannot read {path}")))
    return Added(added, tuple(refused), Changes([request_id]) if added else Changes())


def with_thumbnails(shelf: Attachments, items: list[AttachmentInfo]) -> list[AttachmentInfo]:
    """Runs on the database thread: ``items`` with a thumbnail made for each image
    kept without one (a photo brought back from the data folder to a walk-in
    registered again, or pulled from the centre: the file comes alone); one whose
    bytes have not arrived yet stays without."""
    out = []
    for info in items:
        if info.is_image and not info.thumbnail:
            try:
                content = shelf.read(info.id).content
            except ServiceError as exc:
                if exc.code != "attachment_not_here":
                    raise
                content = b""  # pulled from the centre, its bytes not fetched yet: no thumbnail
            image = QImage.fromData(content)
            if not image.isNull():
                info = replace(info, thumbnail=_thumbnail(image))
        out.append(info)
    return out
