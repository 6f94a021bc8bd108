"""Kinds of photo on the request form, driven like a clerk: a photo added as the kind
chosen beside "Add photo" (the likely one picked from the status), marked internal,
its kind changed later; a PDF opened in the system's viewer; and closing as done in a
category that needs a completion photo: the dialog says so, a refused close offers
the photo right there, and with it the request closes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QListWidget, QMenu, QPushButton

from desktop_app.services import completion_photos
from desktop_app.services.attachments import Attachments, Kind, photo_folder
from desktop_app.store.db import Store
from desktop_app.ui.completion_photos import CompletionPhotosDialog
from desktop_app.ui.context import AppContext
from desktop_app.ui.outcome import OutcomeDialog
from desktop_app.ui.request_form import RequestForm
from tests.desktop_app.ui.forms_support import MakeContext, button, ctx, make_ctx, persian, store
from tests.desktop_app.ui.test_main_window import folder, open_app, own_settings
from tests.desktop_app.ui.test_photos import history, open_form, pick, picture, stored, strip_of
from tests.factories import CLERK, CREW_A, MANAGER, SUPERVISOR, make_request

# Fixtures used by name.
__all__ = ["ctx", "folder", "make_ctx", "open_app", "own_settings", "persian", "store"]


def test_a_photo_is_added_as_the_kind_chosen_and_marked_internal(
        qtbot, ctx: AppContext, store: Store, tmp_path: Path) -> None:
    request = make_request(store, status="referred")
    form = open_form(qtbot, ctx, request.id)
    strip = strip_of(form)
    kind = strip.findChild(QComboBox, "newKind")
    assert kind.currentData() == "citizen"  # not yet with a crew: the citizen's, most likely

    pick(qtbot, ctx, form, tmp_path, picture(tmp_path / "letter.png", 80, 60).name)
    kind.setCurrentIndex(kind.findData("after"))
    strip.findChild(QCheckBox, "newInternal").setChecked(True)
    pick(qtbot, ctx, form, tmp_path, picture(tmp_path / "done.png", 90, 60, "#2e7d32").name)

    assert {(a.filename, a.kind, a.internal) for a in stored(store)} == {
        ("letter.png", "citizen", False), ("done.png", "after", True)}
    shown = strip.attachments
    assert [a.filename for a in shown] == ["letter.png", "done.png"]  # by kind
    photos = form.findChild(QListWidget, "photos")
    assert photos.item(0).toolTip().endswith("\nCitizen's photo")
    assert photos.item(1).toolTip().endswith("\nAfter work · internal")


@pytest.mark.parametrize("status, kind", [("in_progress", "before"), ("done", "after")])
def test_the_likely_kind_follows_the_status(qtbot, ctx: AppContext, store: Store,
                                            status: str, kind: str) -> None:
    request = make_request(store, status=status, crew_id=CREW_A)
    form = open_form(qtbot, ctx, request.id)
    assert strip_of(form).findChild(QComboBox, "newKind").currentData() == kind


def test_a_photos_kind_and_mark_change_from_the_kind_menu(
        qtbot, make_ctx: MakeContext, store: Store, tmp_path: Path) -> None:
    request = make_request(store)
    photo = Attachments(store.sessions, CLERK).attach(
        request.id, filename="c.png", media_type="image/png", kind=Kind.CITIZEN,
        content=picture(tmp_path / "c.png", 50, 50).read_bytes())
    form = open_form(qtbot, make_ctx(SUPERVISOR), request.id)
    strip = strip_of(form)
    strip.select(photo.id)
    menu = strip.findChild(QMenu)  # the Kind button's
    actions = {a.objectName(): a for a in menu.actions()}
    # Not the supervisor's photo: they may hide it, not change its kind.
    assert actions["internal"].isEnabled() and not actions["kind_after"].isEnabled()
    with qtbot.waitSignal(strip.sig_loaded):
        actions["internal"].trigger()
    assert [(a.kind, a.internal) for a in strip.attachments] == [("citizen", True)]

    manager = open_form(qtbot, make_ctx(MANAGER), request.id)
    strip = strip_of(manager)
    strip.select(photo.id)
    menu = strip.findChild(QMenu)
    actions = {a.objectName(): a for a in menu.actions()}
    assert actions["kind_citizen"].isChecked() and actions["internal"].isChecked()
    with qtbot.waitSignals([strip.sig_loaded, manager.sig_loaded]):
        actions["kind_before"].trigger()
    assert [(a.kind, a.internal) for a in stored(store)] == [("before", True)]
    text = history(manager)
    assert "Attached “c.png” (Citizen's photo)" in text
    assert "“c.png” is now: internal" in text  # the supervisor's
    assert "“c.png” is now: Before work" in text


def test_a_pdf_opens_in_the_systems_viewer(qtbot, ctx: AppContext, store: Store,
                                           tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    request = make_request(store)
    letter = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
    added = Attachments(store.sessions, CLERK).attach(
        request.id, filename="نامه.pdf", media_type="application/pdf", content=letter,
        kind=Kind.CITIZEN)
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    form = open_form(qtbot, ctx, request.id)
    strip = strip_of(form)
    strip.select(added.id)
    assert button(strip, "viewPhoto").isEnabled()
    with qtbot.waitSignal(strip.sig_opened) as shown:
        qtbot.mouseClick(button(strip, "viewPhoto"), Qt.MouseButton.LeftButton)
    (url,) = opened
    assert url.toLocalFile() == shown.args[0]
    assert Path(shown.args[0]).name == "نامه.pdf"
    assert Path(shown.args[0]).read_bytes() == letter


def open_done(qtbot, form: RequestForm) -> OutcomeDialog:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button(form, "done"), Qt.MouseButton.LeftButton)
    dialog = form.findChild(OutcomeDialog)
    assert dialog is not None and dialog.isVisible()
    with qtbot.waitSignal(dialog.sig_loaded):
        pass
    return dialog


def test_done_without_the_required_photo_asks_for_it_there_and_closes_with_it(
        qtbot, ctx: AppContext, store: Store, tmp_path: Path) -> None:
    completion_photos.set_required(store.sessions, MANAGER, ["garbage"])
    request = make_request(store, status="in_progress", crew_id=CREW_A)
    form = open_form(qtbot, ctx, request.id)
    dialog = open_done(qtbot, form)
    hint = dialog.findChild(QLabel, "photoHint")
    assert hint.isVisible() and "needs a photo of the finished work" in hint.text()

    error = dialog.findChild(QLabel, "photoError")
    qtbot.mouseClick(button(dialog, "ok"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(error.isVisible)
    assert "Choose the photo here with “Choose photo…”" in error.text()
    assert dialog.isVisible()
    assert dialog.findChild(QPushButton, "choosePhoto").isVisible()
    assert form.snapshot is not None and form.snapshot.status == "in_progress"

    dialog.choose_photo(str(picture(tmp_path / "swept.jpg", 2400, 1800)))
    assert dialog.findChild(QLabel, "photoChosen").text() == "swept.jpg"
    with qtbot.waitSignal(form.sig_loaded):
        qtbot.mouseClick(button(dialog, "ok"), Qt.MouseButton.LeftButton)
    assert form.snapshot is not None and form.snapshot.status == "done"
    ((name, kind),) = [(a.filename, a.kind) for a in stored(store)]
    assert (name, kind) == ("swept.jpg", "after")


def test_done_in_a_category_without_the_rule_offers_the_photo_as_optional(
        qtbot, ctx: AppContext, store: Store) -> None:
    request = make_request(store, status="in_progress", crew_id=CREW_A)
    form = open_form(qtbot, ctx, request.id)
    dialog = open_done(qtbot, form)
    assert dialog.findChild(QLabel, "photoHint").text().startswith("Optional")
    with qtbot.waitSignal(form.sig_loaded):
        qtbot.mouseClick(button(dialog, "ok"), Qt.MouseButton.LeftButton)
    assert form.snapshot is not None and form.snapshot.status == "done"
    assert stored(store) == []


def test_the_manager_ticks_the_categories_that_need_a_completion_photo(
        qtbot, make_ctx: MakeContext, store: Store) -> None:
    dialog = CompletionPhotosDialog(make_ctx(MANAGER))
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.sig_loaded):
        pass
    categories = dialog.findChild(QListWidget, "categories")
    assert categories.count() > 1
    assert all(categories.item(row).checkState() == Qt.CheckState.Unchecked
               for row in range(categories.count()))
    dialog.set_required("garbage", True)
    with qtbot.waitSignal(dialog.sig_saved):
        qtbot.mouseClick(button(dialog, "save"), Qt.MouseButton.LeftButton)
    assert [r.code for r in completion_photos.category_rules(store.sessions) if r.required] == [
        "garbage"]


def test_a_clerk_saving_the_rule_is_refused_and_told(qtbot, ctx: AppContext, store: Store) -> None:
    dialog = CompletionPhotosDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.sig_loaded):
        pass
    dialog.set_required("garbage", True)
    qtbot.mouseClick(button(dialog, "save"), Qt.MouseButton.LeftButton)
    error = dialog.findChild(QLabel, "error")
    qtbot.waitUntil(error.isVisible)
    assert error.text() == "Your role does not allow this action."
    assert not any(r.required for r in completion_photos.category_rules(store.sessions))


def test_a_photo_whose_bytes_have_not_arrived_shows_and_says_so_when_opened(
        qtbot, ctx: AppContext, store: Store, tmp_path: Path) -> None:
    """A photo pulled from the centre comes as a row first, its bytes later: the strip
    shows it (without a thumbnail) and opening it says it has not arrived yet."""
    request = make_request(store)
    photo = Attachments(store.sessions, CLERK).attach(
        request.id, filename="far.png", media_type="image/png", kind=Kind.CITIZEN,
        content=picture(tmp_path / "far.png", 60, 40).read_bytes())
    with store.sessions() as session:
        (sha256,) = [a.sha256 for a in stored(store)]
        photo_folder(session).remove(sha256)  # as if only the row had been pulled
    form = open_form(qtbot, ctx, request.id)
    strip = strip_of(form)
    assert [(a.filename, a.thumbnail) for a in strip.attachments] == [("far.png", None)]
    strip.select(photo.id)
    qtbot.mouseClick(button(strip, "viewPhoto"), Qt.MouseButton.LeftButton)
    error = strip.findChild(QLabel, "photoError")
    qtbot.waitUntil(error.isVisible)
    assert error.text() == "“far.png” has not arrived from the centre yet; it comes with the next sync."


@pytest.mark.parametrize("actor", [CLERK, SUPERVISOR, MANAGER], ids=lambda a: a.role.value)
def test_only_the_manager_is_offered_the_completion_photo_rule(qtbot, open_app, actor) -> None:  # type: ignore[no-untyped-def]
    window = open_app(actor)
    action = window.act_completion_photos
    assert action.isVisible() == action.isEnabled() == (actor is MANAGER)
    if actor is MANAGER:
        assert action in window.menu_office.actions()
        action.trigger()
        qtbot.waitUntil(lambda: window.findChild(CompletionPhotosDialog) is not None)
