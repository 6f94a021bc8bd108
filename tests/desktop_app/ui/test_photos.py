"""The request form's photos, driven like a clerk drives them: add through the file
picker or by dropping files, big photos scaled down, thumbnails in the strip, the
history saying who attached what, refusals worded, view large, save a copy, and
removal only for the person who added a photo or a manager."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QListWidget,
    QMessageBox,
    QTextBrowser,
)

from desktop_app.services.attachments import Attachments
from desktop_app.store import models as m
from desktop_app.store.db import Store
from desktop_app.ui.context import AppContext
from desktop_app.ui.photo_files import MAX_SIDE, THUMB_SIDE, decode
from desktop_app.ui.photo_viewer import PhotoViewer
from desktop_app.ui.photos import PhotoStrip
from desktop_app.ui.request_form import RequestForm
from tests.desktop_app.ui.forms_support import (
    MakeContext, button, ctx, make_ctx, persian, store,
)
from tests.factories import CLERK, MANAGER, SUPERVISOR, make_request

__all__ = ["ctx", "make_ctx", "persian", "store"]  # fixtures used by name


def picture(path: Path, width: int, height: int, colour: str = "#6d4c41") -> Path:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    assert image.save(str(path))
    return path


def open_form(qtbot, ctx: AppContext, request_id: uuid.UUID) -> RequestForm:  # type: ignore[no-untyped-def]
    form = RequestForm(ctx, request_id)
    qtbot.addWidget(form)
    form.show()
    strip = strip_of(form)
    with qtbot.waitSignals([form.sig_loaded, strip.sig_loaded]):
        pass
    return form


def strip_of(form: RequestForm) -> PhotoStrip:
    strip = form.findChild(PhotoStrip)
    assert strip is not None
    return strip


def pick(qtbot, ctx: AppContext, form: RequestForm, folder: Path,  # type: ignore[no-untyped-def]
         *names: str) -> None:
    """Choose files in the strip's file picker, as a clerk does, and wait until they
    are kept (or refused) and the form shows them."""
    strip = strip_of(form)
    qtbot.mouseClick(button(strip, "addPhoto"), Qt.MouseButton.LeftButton)
    dialog = strip.findChild(QFileDialog, "choosePhotos")
    assert dialog is not None and dialog.isVisible()
    dialog.setDirectory(str(folder))
    dialog.selectFile(" ".join(f'"{name}"' for name in names))
    dialog.accept()  # starts the work at once: the task runner is busy until all is shown
    qtbot.waitUntil(lambda: not ctx.tasks.busy)


def stored(store: Store) -> list[m.Attachment]:
    with store.sessions() as session:
        return list(session.scalars(sa.select(m.Attachment).order_by(m.Attachment.added_at)))


def history(form: RequestForm) -> str:
    return form.findChild(QTextBrowser, "history").toPlainText()


def test_photos_are_added_scaled_shown_and_recorded_in_the_history(
        qtbot, ctx: AppContext, store: Store, tmp_path: Path) -> None:
    request = make_request(store)
    picture(tmp_path / "street.jpg", 4000, 3000)
    picture(tmp_path / "plate.png", 800, 600, "#1565c0")
    form = open_form(qtbot, ctx, request.id)
    assert form.findChild(QLabel, "empty").isVisible()  # says how to add one

    with qtbot.waitSignal(form.sig_loaded):  # the history too
        pick(qtbot, ctx, form, tmp_path, "street.jpg", "plate.png")

    photos = form.findChild(QListWidget, "photos")
    assert photos.isVisible()
    assert sorted(photos.item(row).text() for row in range(photos.count())) == [
        "plate.png", "street.jpg"]
    by_name = {a.filename: a for a in stored(store)}
    big, small = by_name["street.jpg"], by_name["plate.png"]
    assert big.media_type == "image/jpeg"
    shelf = Attachments(store.sessions, ctx.actor)
    kept = decode(shelf.read(big.id).content)
    assert (kept.width(), kept.height()) == (MAX_SIDE, MAX_SIDE * 3 // 4)  # scaled, not cropped
    # Small enough as it is: kept as it came.
    assert shelf.read(small.id).content == (tmp_path / "plate.png").read_bytes()
    thumb = decode(big.thumbnail or b"")
    assert max(thumb.width(), thumb.height()) == THUMB_SIDE
    assert {a.added_by for a in (big, small)} == {ctx.actor.username}
    text = history(form)
    assert "Attached “street.jpg”" in text and "Attached “plate.png”" in text
    assert "kept at this office" not in text  # photos travel with the sync
    assert form.findChild(QLabel, "officeOnly").text() == \
        "Goes to the centre with the sync; an internal photo is never public."


def test_a_photo_kept_without_a_thumbnail_gets_one_in_the_strip(
        qtbot, ctx: AppContext, store: Store, tmp_path: Path) -> None:
    """A photo brought back from the data folder has no thumbnail of its own (the
    folder holds the file alone): the strip makes one, as for any other photo."""
    request = make_request(store)
    content = picture(tmp_path / "back.png", 640, 480, "#2e7d32").read_bytes()
    Attachments(store.sessions, ctx.actor).attach(request.id, filename="back.png",
                                                  media_type="image/png", content=content)
    form = open_form(qtbot, ctx, request.id)
    (shown,) = strip_of(form).attachments
    thumb = decode(shown.thumbnail or b"")
    assert (thumb.width(), thumb.height()) == (THUMB_SIDE, THUMB_SIDE * 3 // 4)
    assert thumb.pixelColor(10, 10).green() > 100  # the photo, not a file icon
    photos = form.findChild(QListWidget, "photos")
    assert not photos.item(0).icon().isNull()


def test_what_cannot_be_kept_is_refused_by_name_and_the_rest_is_added(
        qtbot, ctx: AppContext, store: Store, tmp_path: Path) -> None:
    request = make_request(store)
    picture(tmp_path / "a.png", 300, 200)
    (tmp_path / "notes.txt").write_text("not a photo")
    (tmp_path / "letter.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    form = open_form(qtbot, ctx, request.id)
    error = form.findChild(QLabel, "photoError")

    pick(qtbot, ctx, form, tmp_path, "a.png", "notes.txt", "letter.pdf")
    assert error.isVisible()
    assert error.text() == "notes.txt: Only photos and PDF files can be attached."
    assert sorted(a.filename for a in stored(store)) == ["a.png", "letter.pdf"]

    (tmp_path / "copy.png").write_bytes((tmp_path / "a.png").read_bytes())
    pick(qtbot, ctx, form, tmp_path, "copy.png")
    assert error.text() == "copy.png: This photo is already attached, as “a.png”."
    assert len(stored(store)) == 2


def test_a_photo_is_viewed_large_and_saved_as_a_copy(qtbot, ctx: AppContext, store: Store,
                                                     tmp_path: Path) -> None:
    request = make_request(store)
    picture(tmp_path / "wall.jpg", 1200, 900)
    form = open_form(qtbot, ctx, request.id)
    pick(qtbot, ctx, form, tmp_path, "wall.jpg")
    strip = strip_of(form)
    (photo,) = strip.attachments
    assert not button(strip, "viewPhoto").isEnabled()  # nothing chosen yet
    strip.select(photo.id)

    qtbot.mouseClick(button(strip, "viewPhoto"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: strip.findChild(PhotoViewer) is not None)
    viewer = strip.findChild(PhotoViewer)
    qtbot.waitUntil(viewer.isVisible)
    viewer.resize(500, 400)
    shown = viewer.findChild(QLabel, "picture")
    qtbot.waitUntil(lambda: shown.pixmap().width() <= shown.width())
    assert shown.pixmap().height() <= shown.height()  # fits, aspect kept
    assert abs(shown.pixmap().width() / shown.pixmap().height() - 4 / 3) < 0.02
    assert viewer.windowTitle() == "wall.jpg"

    qtbot.mouseClick(button(viewer, "save"), Qt.MouseButton.LeftButton)
    save = viewer.findChild(QFileDialog, "savePhotoAs")
    assert save is not None
    save.selectFile(str(tmp_path / "out" / "copy.jpg"))
    (tmp_path / "out").mkdir()
    with qtbot.waitSignal(strip.sig_saved) as saved:
        save.accept()
    assert saved.args == [str(tmp_path / "out" / "copy.jpg")]
    assert (tmp_path / "out" / "copy.jpg").read_bytes() == (tmp_path / "wall.jpg").read_bytes()


def test_only_its_adder_or_a_manager_may_remove_a_photo(qtbot, make_ctx: MakeContext,
                                                        store: Store, tmp_path: Path) -> None:
    request = make_request(store)
    clerks = Attachments(store.sessions, CLERK).attach(
        request.id, filename="clerk.png", media_type="image/png",
        content=picture(tmp_path / "c.png", 50, 50).read_bytes())
    supervisors = Attachments(store.sessions, SUPERVISOR).attach(
        request.id, filename="crew.png", media_type="image/png",
        content=picture(tmp_path / "s.png", 60, 50, "#2e7d32").read_bytes())

    form = open_form(qtbot, make_ctx(SUPERVISOR), request.id)
    strip = strip_of(form)
    strip.select(clerks.id)
    assert not button(strip, "removePhoto").isEnabled()
    assert button(strip, "savePhoto").isEnabled()  # anyone may save a copy
    strip.select(supervisors.id)
    assert button(strip, "removePhoto").isEnabled()

    manager = open_form(qtbot, make_ctx(MANAGER), request.id)
    strip = strip_of(manager)
    strip.select(clerks.id)
    qtbot.mouseClick(button(strip, "removePhoto"), Qt.MouseButton.LeftButton)
    box = strip.findChild(QMessageBox, "confirmRemove")
    assert "clerk.png" in box.text()
    with qtbot.waitSignals([strip.sig_loaded, manager.sig_loaded]):
        box.button(QMessageBox.StandardButton.Yes).click()

    assert [a.filename for a in strip.attachments] == ["crew.png"]
    assert [a.filename for a in stored(store)] == ["crew.png"]
    assert "Removed the attachment “clerk.png”" in history(manager)
    with store.sessions() as session:
        removal = session.scalars(sa.select(m.AuditEntry)
                                  .where(m.AuditEntry.action == "attachment_removed")).one()
    assert (removal.actor, removal.entity_key) == (MANAGER.username, str(request.id))


def test_cancelling_the_removal_keeps_the_photo(qtbot, ctx: AppContext, store: Store,
                                                tmp_path: Path) -> None:
    request = make_request(store)
    form = open_form(qtbot, ctx, request.id)
    pick(qtbot, ctx, form, tmp_path, picture(tmp_path / "a.png", 40, 40).name)
    strip = strip_of(form)
    strip.select(strip.attachments[0].id)
    qtbot.mouseClick(button(strip, "removePhoto"), Qt.MouseButton.LeftButton)
    box = strip.findChild(QMessageBox, "confirmRemove")
    with qtbot.assertNotEmitted(ctx.bus.sig_changed):
        box.button(QMessageBox.StandardButton.Cancel).click()
    assert len(stored(store)) == 1


def test_files_dropped_on_the_strip_are_attached(qtbot, ctx: AppContext, store: Store,
                                                 tmp_path: Path) -> None:
    request = make_request(store)
    form = open_form(qtbot, ctx, request.id)
    strip = strip_of(form)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(picture(tmp_path / "dropped.jpg", 200, 100)))])
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, data,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(strip, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    # Qt delivers a drop only inside a real drag; the handler is what it would call.
    with qtbot.waitSignal(strip.sig_loaded):
        strip.dropEvent(drop)
    assert drop.isAccepted()
    assert [a.filename for a in strip.attachments] == ["dropped.jpg"]


def test_in_persian_the_strip_and_its_refusals_read_in_persian(
        qtbot, persian: None, make_ctx: MakeContext, store: Store, tmp_path: Path) -> None:
    request = make_request(store)
    (tmp_path / "نامه.txt").write_text("متن")
    ctx = make_ctx(CLERK, "fa")
    form = open_form(qtbot, ctx, request.id)
    strip = strip_of(form)
    assert button(strip, "addPhoto").text() == "افزودن عکس…"
    pick(qtbot, ctx, form, tmp_path, "نامه.txt")
    assert form.findChild(QLabel, "photoError").text() == \
        "نامه.txt: فقط عکس و پروندهٔ PDF را می‌توان پیوست کرد."

    pick(qtbot, ctx, form, tmp_path, picture(tmp_path / "کوچه.png", 40, 30).name)
    photos = form.findChild(QListWidget, "photos")
    assert photos.item(0).toolTip().startswith("کوچه.png — افزودهٔ clerk در ۱۴")
    assert "«کوچه.png» پیوست شد" in history(form)
    assert "فقط در این دفتر" not in history(form)  # photos travel with the sync


@pytest.mark.parametrize("kind", ["viewPhoto", "savePhoto"])
def test_a_photo_removed_elsewhere_says_so(qtbot, ctx: AppContext, store: Store, tmp_path: Path,
                                           kind: str) -> None:
    request = make_request(store)
    form = open_form(qtbot, ctx, request.id)
    pick(qtbot, ctx, form, tmp_path, picture(tmp_path / "a.png", 40, 40).name)
    strip = strip_of(form)
    (photo,) = strip.attachments
    strip.select(photo.id)
    Attachments(store.sessions, MANAGER).remove(photo.id)  # another desk, no signal here

    qtbot.mouseClick(button(strip, kind), Qt.MouseButton.LeftButton)
    error = strip.findChild(QLabel, "photoError")
    qtbot.waitUntil(error.isVisible)
    assert error.text() == "This photo is no longer attached; someone may have removed it."
