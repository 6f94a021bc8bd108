"""A request's photos: kept in the office database with an audit entry naming who
added or removed them, listed without their bytes, refused when too big, not an
image or PDF, or already there; never queued for the centre."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop_app.errors import ServiceError
from desktop_app.services.attachments import (
    MAX_BYTES,
    Attachments,
    Kind,
    photos_of,
    public_photos,
    read_public,
)
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
    # Each is queued for the centre (its metadata; the bytes go by hash), and no
    # request event is made; the bytes are a file named by their hash.
    assert outbox_and_events(store) == (2, 0)
    photo = store.folder / "photos" / hashlib.sha256(JPEG).hexdigest()[:2] / hashlib.sha256(JPEG).hexdigest()
    assert photo.read_bytes() == JPEG


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


def test_a_photo_keeps_its_kind_and_internal_mark_and_the_audit_names_them(store: Store) -> None:
    request = make_request(store)
    citizen = shelf(store).attach(request.id, filename="c.jpg", media_type="image/jpeg",
                                  content=JPEG, kind=Kind.CITIZEN)
    after = shelf(store).attach(request.id, filename="a.png", media_type="image/png",
                                content=PNG, kind="after", internal=True)
    plain = shelf(store).attach(request.id, filename="l.pdf", media_type="application/pdf",
                                content=PDF)
    listed = shelf(store).of_request(request.id)
    # By kind (the citizen's, before, after), whatever the order they were added in.
    assert [(a.filename, a.kind, a.internal) for a in listed] == [
        ("c.jpg", "citizen", False), ("l.pdf", "before", False), ("a.png", "after", True)]
    assert listed == [citizen, plain, after]
    assert [a.is_public for a in listed] == [True, False, False]
    with store.sessions() as session:
        details = [e.details for e in session.scalars(
            sa.select(m.AuditEntry).order_by(m.AuditEntry.id))]
    assert [(d["kind"], d["internal"]) for d in details] == [
        ("citizen", "false"), ("after", "true"), ("before", "false")]


def test_an_unknown_kind_is_refused_with_its_field(store: Store) -> None:
    request = make_request(store)
    with pytest.raises(ServiceError) as refused:
        shelf(store).attach(request.id, filename="x.jpg", media_type="image/jpeg", content=JPEG,
                            kind="selfie")
    assert (refused.value.code, refused.value.params["field"]) == ("attachment_kind", "kind")
    assert shelf(store).of_request(request.id) == []


def test_only_the_citizens_own_not_internal_photos_are_public(store: Store) -> None:
    request = make_request(store)
    theirs = shelf(store).attach(request.id, filename="c.jpg", media_type="image/jpeg",
                                 content=JPEG, kind=Kind.CITIZEN)
    hidden = shelf(store).attach(request.id, filename="face.png", media_type="image/png",
                                 content=PNG, kind=Kind.CITIZEN, internal=True)
    crew = shelf(store).attach(request.id, filename="done.pdf", media_type="application/pdf",
                               content=PDF, kind=Kind.AFTER)
    with store.sessions() as session:
        assert public_photos(session, request.id) == [theirs]
        assert [a.id for a in photos_of(session, request.id, kinds=[Kind.AFTER])] == [crew.id]
        assert [a.id for a in photos_of(session, request.id, kinds=["citizen"])] == [
            theirs.id, hidden.id]
        assert read_public(session, theirs.id).content == JPEG
        for private in (hidden.id, crew.id, uuid.uuid4()):
            with pytest.raises(ServiceError) as refused:
                read_public(session, private)
            assert refused.value.code == "unknown_attachment"


def test_marking_changes_kind_and_internal_audited_and_hiding_is_for_anyone(store: Store) -> None:
    request = make_request(store)
    photo = shelf(store, CLERK).attach(request.id, filename="c.jpg", media_type="image/jpeg",
                                       content=JPEG, kind=Kind.CITIZEN)
    # Anyone may hide a photo; only its adder or a manager changes anything else.
    assert shelf(store, SUPERVISOR).mark(photo.id, internal=True).internal is True
    for change in ({"internal": False}, {"kind": Kind.AFTER}):
        with pytest.raises(ServiceError) as refused:
            shelf(store, SUPERVISOR).mark(photo.id, **change)
        assert refused.value.code == "role_not_allowed"
    marked = shelf(store, CLERK).mark(photo.id, kind=Kind.AFTER, internal=False)
    assert (marked.kind, marked.internal) == ("after", False)
    assert shelf(store, MANAGER).mark(photo.id, kind=Kind.AFTER) == marked  # no change, no entry
    with store.sessions() as session:
        changed = [(e.actor, e.details) for e in session.scalars(
            sa.select(m.AuditEntry).where(m.AuditEntry.action == "attachment_changed")
            .order_by(m.AuditEntry.id))]
    assert [(actor, {k: v for k, v in d.items() if "kind" in k or "internal" in k})
            for actor, d in changed] == [
        (SUPERVISOR.username, {"old_internal": "false", "internal": "true"}),
        (CLERK.username, {"old_kind": "citizen", "kind": "after",
                          "old_internal": "true", "internal": "false"})]
