"""A request's photos: kept in the office database with an audit entry naming who
added or removed them, listed without their bytes, refused when too big, not an
image or PDF, or already there; never queued for the centre."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop_app.services.attachments import MAX_BYTES, Attachments
from desktop_app.errors import ServiceError
from desktop_app.services.requests import Actor
from desktop_app.services.users import create_user
from desktop_app.store import models as m
from desktop_app.store.db import Store
from tests.factories import CLERK, MANAGER, SUPERVISOR, make_request, office

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + os.urandom(2000)
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(500)
PDF = b"%PDF-1.7\n" + os.urandom(500)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    office_store = office(tmp_path)
    yield office_store
    office_store.close()


def shelf(store: Store, actor: Actor = CLERK) -> Attachments:
    return Attachments(store.sessions, actor)


def audit(store: Store) -> list[tuple[str, str, str, str]]:
    with store.sessions() as session:
        return [(a.actor, a.action, a.entity_key, a.details["filename"])
                for a in session.scalars(sa.select(m.AuditEntry).order_by(m.AuditEntry.id))]


def outbox_and_events(store: Store) -> tuple[int, int]:
    with store.sessions() as session:
        return (session.scalar(sa.select(sa.func.count()).select_from(m.OutboxEntry)) or 0,
                session.scalar(sa.select(sa.func.count()).select_from(m.Event)
                               .where(m.Event.actor != "centre")) or 0)


def test_a_photo_is_kept_listed_read_and_audited_with_its_user(store: Store) -> None:
    request = make_request(store)
    added = shelf(store).attach(request.id, filename=r"C:\Users\clerk\Pictures\کوچه.jpg",
                                media_type="image/jpeg", content=JPEG, thumbnail=b"thumb")
    shelf(store).attach(request.id, filename="letter.pdf", media_type="application/pdf",
                        content=PDF)

    listed = shelf(store).of_request(request.id)
    assert [(a.filename, a.media_type, a.size, a.added_by) for a in listed] == [
        ("کوچه.jpg", "image/jpeg", len(JPEG), CLERK.username),
        ("letter.pdf", "application/pdf", len(PDF), CLERK.username)]
    assert listed[0] == added
    assert (listed[0].thumbnail, listed[1].thumbnail) == (b"thumb", None)
    assert [a.is_image for a in listed] == [True, False]
    assert shelf(store).read(added.id).content == JPEG
    assert shelf(store).of_request(make_request(store).id) == []

    assert audit(store) == [
        (CLERK.username, "attachment_added", str(request.id), "کوچه.jpg"),
        (CLERK.username, "attachment_added", str(request.id), "letter.pdf")]
    # Office-local: nothing is queued for the centre, no request event is made.
    assert outbox_and_events(store) == (0, 0)


def test_a_photo_names_who_added_it_as_the_office_knows_them(store: Store) -> None:
    create_user(store.sessions, username=CLERK.username, display_name=CLERK.display_name,
                role=CLERK.role, password="secret123", created_by="admin")
    request = make_request(store)
    added = shelf(store).attach(request.id, filename="a.png", media_type="image/png", content=PNG)
    assert added.added_by_name == CLERK.display_name
    assert shelf(store).of_request(request.id) == [added]


def test_listing_does_not_read_the_files(store: Store) -> None:
    request = make_request(store)
    shelf(store).attach(request.id, filename="a.png", media_type="image/png", content=PNG)
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    sa.event.listen(store.engine, "before_cursor_execute", record)
    try:
        shelf(store).of_request(request.id)
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", record)
    (select,) = [s for s in statements if "FROM attachments" in s]
    assert "attachments.content" not in select
    assert "attachments.thumbnail" in select


@pytest.mark.parametrize("media_type, content, code", [
    ("image/jpeg", PNG, "attachment_type"),  # the name says JPEG, the bytes say PNG
    ("image/gif", b"GIF89a" + os.urandom(100), "attachment_type"),
    ("application/zip", b"PK\x03\x04", "attachment_type"),
    ("image/jpeg", b"", "attachment_type"),
    ("image/jpeg", JPEG[:4] + bytes(MAX_BYTES), "attachment_too_big"),
])
def test_what_cannot_be_kept_is_refused(store: Store, media_type: str, content: bytes,
                                        code: str) -> None:
    request = make_request(store)
    with pytest.raises(ServiceError) as refused:
        shelf(store).attach(request.id, filename="x", media_type=media_type, content=content)
    assert refused.value.code == code
    assert shelf(store).of_request(request.id) == []
    assert audit(store) == []


def test_the_same_photo_twice_is_refused_with_the_name_it_has(store: Store) -> None:
    request = make_request(store)
    shelf(store).attach(request.id, filename="first.jpg", media_type="image/jpeg", content=JPEG)
    with pytest.raises(ServiceError) as refused:
        shelf(store, MANAGER).attach(request.id, filename="again.jpg", media_type="image/jpeg",
                                     content=JPEG)
    assert (refused.value.code, refused.value.params) == ("attachment_duplicate",
                                                          {"filename": "first.jpg"})
    # Another request may hold the same photo (one crew photo, two reports).
    shelf(store).attach(make_request(store).id, filename="first.jpg", media_type="image/jpeg",
                        content=JPEG)


def test_a_photo_for_an_unknown_request_is_refused(store: Store) -> None:
    with pytest.raises(ServiceError) as refused:
        shelf(store).attach(uuid.uuid4(), filename="a.jpg", media_type="image/jpeg", content=JPEG)
    assert refused.value.code == "unknown_request"


def test_its_adder_or_a_manager_may_remove_a_photo_and_the_audit_says_who(store: Store) -> None:
    request = make_request(store)
    mine = shelf(store, SUPERVISOR).attach(request.id, filename="crew.jpg",
                                           media_type="image/jpeg", content=JPEG)
    theirs = shelf(store, CLERK).attach(request.id, filename="citizen.png",
                                        media_type="image/png", content=PNG)

    with pytest.raises(ServiceError) as refused:
        shelf(store, SUPERVISOR).remove(theirs.id)
    assert refused.value.code == "role_not_allowed"

    assert shelf(store, SUPERVISOR).remove(mine.id) == request.id
    assert shelf(store, MANAGER).remove(theirs.id) == request.id
    assert shelf(store).of_request(request.id) == []
    assert audit(store)[2:] == [
        (SUPERVISOR.username, "attachment_removed", str(request.id), "crew.jpg"),
        (MANAGER.username, "attachment_removed", str(request.id), "citizen.png")]
    with pytest.raises(ServiceError) as gone:
        shelf(store).read(mine.id)
    assert gone.value.code == "unknown_attachment"
