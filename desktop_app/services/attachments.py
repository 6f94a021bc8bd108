"""A request's photos (and scanned letters as PDF): what the citizen brought to the
counter, what the crew photographed on the street.

Adding, changing or removing a photo is written to the office's audit log, in the
same transaction as the change, with who did it, and queued for the centre in the
outbox (``add_attachment`` / ``remove_attachment``, :mod:`sync.protocol`): the
metadata travels like a request's history, in the request's scope, and the bytes
follow apart, by their SHA-256, once the centre has the metadata (the sync engine
sends them smallest first, never holding up the rows).  A request the centre moves
to another district arrives there with all its photos; only a photo whose bytes
the centre does not have yet is written out to the data folder before the request
leaves (:func:`keep_departing`).  A walk-in the centre refused leaves the same way;
when a person registers it again (re-applying the sync problem),
:func:`bring_back` attaches those files to the new request.

The bytes live in a content-addressed folder beside the database
(:mod:`desktop_app.store.photos`, chosen by measurement over bytes inside SQLite:
the daily backup then copies each photo once), written before the row that names
them.  The service refuses files over :data:`MAX_BYTES` (the UI scales big photos
down before it gets here), anything but a JPEG, PNG or PDF (checked by the file's
own first bytes, not by its name), and the same file twice on one request.  Qt
stays out: the caller decodes, scales and makes the thumbnail; this module stores
and checks.

Every photo has a :class:`Kind`: the citizen's own (sent with the request or brought
to the counter), the street *before* the work, or *after* it (the completion photo
that proves the work was done).  Photos kept before kinds existed were added by staff
at the office and are ``before``.  A photo may also be marked *internal* (a face, a
plate, the inside of a home): it is then never public, whatever its kind.  Public
means the citizen's own and not internal (:data:`PUBLIC_KINDS`); only those may leave
for the citizen (Open311 ``media_url``), and :func:`public_photos` and
:func:`read_public` are the only ways to read them for that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.errors import ServiceError
from desktop_app.store import models as m
from desktop_app.store.photos import PhotoFolder
from sync.dates import utcnow
from sync.protocol import AddAttachmentPayload, Op, RemoveAttachmentPayload
from sync.schema import new_id
from sync.text import clean
from sync.workflow import Role

if TYPE_CHECKING:  # the Desk keeps a completion photo through this module
    from desktop_app.services.requests import Actor

#: The most one attachment may hold.  A phone photo scaled to 1600 px takes a few
#: hundred kilobytes; a scanned letter of a few pages fits too, a video does not.
MAX_BYTES = 10 * 1024 * 1024
#: Thumbnails are made by the caller for the form's strip; anything bigger than
#: this is not a thumbnail.
MAX_THUMBNAIL_BYTES = 256 * 1024
#: What the office keeps, with the first bytes every such file starts with.
SIGNATURES = {
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "application/pdf": b"%PDF-",
}
#: Removing a photo destroys evidence: the person who added it may take back a
#: mistake, and a manager may remove any.
REMOVE_ANY_ROLES = frozenset({Role.MANAGER})



class Kind(StrEnum):
    """Whose photo, and of when (stored as its value)."""

    CITIZEN = "citizen"  # what the citizen sent or brought to the counter
    BEFORE = "before"    # the street before the work (and every photo from before kinds)
    AFTER = "after"      # after the work: the completion photo


#: The order the form shows the kinds in (the request's own story).
KINDS = (Kind.CITIZEN, Kind.BEFORE, Kind.AFTER)
#: The kinds a citizen may see (when not marked internal): their own photo only.
PUBLIC_KINDS = frozenset({Kind.CITIZEN})

#: The audit actions that record attachments (entity ``request``, key the request id).
AUDIT_ADDED, AUDIT_REMOVED = "attachment_added", "attachment_removed"
#: A photo's kind or internal mark changed (details: the old and new values).
AUDIT_CHANGED = "attachment_changed"
AUDIT_KEPT = "attachments_kept_on_departure"
#: The folder, inside the data folder, where the photos of requests that left the
#: office are kept: one folder per request, named by its tracking code.
DEPARTED_FOLDER = "departed-photos"


@dataclass(frozen=True)
class AttachmentInfo:
    """One attachment as the form's strip shows it: everything but the file itself."""

    id: uuid.UUID
    request_id: uuid.UUID
    filename: str
    media_type: str
    size: int
    thumbnail: bytes | None
    added_by: str
    added_at: dt.datetime
    #: The adder's name as the office knows them ("" for a user no longer known).
    added_by_name: str = ""
    #: A :class:`Kind` value; whether it is kept from the public.
    kind: str = Kind.BEFORE
    internal: bool = False

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")

    @property
    def is_public(self) -> bool:
        """Whether the citizen may see it (Open311): their own kind, not internal."""
        return self.kind in PUBLIC_KINDS and not self.internal


@dataclass(frozen=True)
class AttachmentFile:
    """An attachment's bytes, for viewing it large or saving a copy."""

    filename: str
    media_type: str
    content: bytes


@dataclass(frozen=True)
class NewFile:
    """A file about to be kept (see :meth:`Attachments.attach` for each part)."""

    filename: str
    media_type: str
    content: bytes
    thumbnail: bytes | None = None
    kind: str = Kind.BEFORE
    internal: bool = False


def keep_new(session: Session, actor: Actor, request_id: uuid.UUID, new: NewFile) -> AttachmentInfo:
    """Check and keep ``new`` with the request in the caller's transaction, with its
    audit entry (:meth:`Attachments.attach`; the Desk, for a completion photo kept
    in the same transaction as closing the request)."""
    kind = _kind(new.kind)
    content, media_type, thumbnail = new.content, new.media_type, new.thumbnail
    signature = SIGNATURES.get(media_type)
    if signature is None or not content.startswith(signature):
        raise ServiceError("attachment_type", f"not a JPEG, PNG or PDF file: {media_type}",
                           media_type=media_type)
    if len(content) > MAX_BYTES:
        raise ServiceError("attachment_too_big",
                           f"{len(content)} bytes; at most {MAX_BYTES} are kept",
                           size=len(content), limit=MAX_BYTES)
    if thumbnail is not None and len(thumbnail) > MAX_THUMBNAIL_BYTES:
        raise ValueError(f"a thumbnail of {len(thumbnail)} bytes is not a thumbnail")
    name = clean(new.filename.replace("\\", "/").rsplit("/", 1)[-1])[:255] or "attachment"
    digest = hashlib.sha256(content).hexdigest()
    now = utcnow()
    if session.get(m.ServiceRequest, request_id) is None:
        raise ServiceError("unknown_request", f"no such request: {request_id}", id=request_id)
    same = session.scalar(sa.select(m.Attachment.filename).where(
        m.Attachment.request_id == request_id, m.Attachment.sha256 == digest))
    if same is not None:
        raise ServiceError("attachment_duplicate", f"already attached as {same}", filename=same)
    row = _keep(session, actor, request_id, filename=name, media_type=media_type,
                content=content, sha256=digest, thumbnail=thumbnail,
                added_by=actor.username, now=now, kind=kind, internal=new.internal)
    known_as = session.scalar(sa.select(m.User.display_name)
                              .where(m.User.username == actor.username)) or ""
    return AttachmentInfo(row.id, request_id, name, media_type, len(content), thumbnail,
                          actor.username, now, known_as, kind, bool(new.internal))


def may_remove(actor: Actor, added_by: str) -> bool:
    """Whether ``actor`` may remove an attachment ``added_by`` someone."""
    return actor.role in REMOVE_ANY_ROLES or actor.username == added_by


_INFO_COLUMNS = (m.Attachment.id, m.Attachment.request_id, m.Attachment.filename,
                 m.Attachment.media_type, m.Attachment.size, m.Attachment.thumbnail,
                 m.Attachment.added_by, m.Attachment.added_at)
_NAME = sa.func.coalesce(m.User.display_name, "")
_INFO = (*_INFO_COLUMNS, _NAME, m.Attachment.kind, m.Attachment.internal)


def _kind(kind: str) -> Kind:
    try:
        return Kind(kind)
    except ValueError:
        raise ServiceError("attachment_kind", f"no such kind of photo: {kind}",
                           field="kind", kind=kind) from None


def photos_of(session: Session, request_id: uuid.UUID, *, kinds: Collection[str] | None = None,
              public_only: bool = False) -> list[AttachmentInfo]:
    """A request's attachments without their bytes, by kind (in :data:`KINDS` order),
    oldest first within a kind, in the caller's session: of ``kinds`` only when given;
    only the public ones (:attr:`AttachmentInfo.is_public`) when ``public_only``."""
    query = (sa.select(*_INFO).outerjoin(m.User, m.User.username == m.Attachment.added_by)
             .where(m.Attachment.request_id == request_id))
    if kinds is not None:
        query = query.where(m.Attachment.kind.in_([_kind(k).value for k in kinds]))
    if public_only:
        query = query.where(m.Attachment.kind.in_([k.value for k in PUBLIC_KINDS]),
                            m.Attachment.internal.is_(False))
    order = sa.case({k.value: at for at, k in enumerate(KINDS)}, value=m.Attachment.kind,
                    else_=len(KINDS))
    rows = session.execute(query.order_by(order, m.Attachment.added_at, m.Attachment.id)).all()
    return [AttachmentInfo(*row) for row in rows]


def public_photos(session: Session, request_id: uuid.UUID) -> list[AttachmentInfo]:
    """What the citizen may see of a request's photos (Open311 ``media_url``, the
    centre's public view): their own, never one marked internal.  Read the bytes of
    one with :func:`read_public`."""
    return photos_of(session, request_id, public_only=True)


def read_public(session: Session, attachment_id: uuid.UUID) -> AttachmentFile:
    """The bytes of a public photo; an internal one (or one of a kind not public) is
    refused exactly like one that does not exist, so its existence does not leak."""
    row = session.execute(
        sa.select(m.Attachment.filename, m.Attachment.media_type, m.Attachment.sha256)
        .where(m.Attachment.id == attachment_id,
               m.Attachment.kind.in_([k.value for k in PUBLIC_KINDS]),
               m.Attachment.internal.is_(False))).one_or_none()
    if row is None:
        raise ServiceError("unknown_attachment", f"no such attachment: {attachment_id}")
    return _file(session, *row)


def photo_folder(session: Session) -> PhotoFolder:
    """The photo folder beside the session's office database."""
    database = session.get_bind().url.database
    if not database or database == ":memory:":
        raise RuntimeError("an office database in memory has no photo folder")
    return PhotoFolder.beside(database)


def _file(session: Session, filename: str, media_type: str, sha256: str) -> AttachmentFile:
    """An attachment's bytes from the photo folder; ``attachment_not_here`` while a
    photo pulled from the centre has not been downloaded yet (the next sync fetches it)."""
    content = photo_folder(session).read(sha256)
    if content is None:
        raise ServiceError("attachment_not_here",
                           f"{filename}: its bytes have not arrived from the centre yet; sync fetches them",
                           filename=filename)
    return AttachmentFile(filename, media_type, content)


def resend_attachment(session: Session, actor: Actor, request_id: uuid.UUID,
                      payload: dict[str, object]) -> None:
    """Queue again a refused photo change (``payload`` is the refused mutation's): the
    photo as it now stands, or its removal if it is gone from the office."""
    values = payload.get("attachment")
    attachment_id = uuid.UUID(str(values["id"] if isinstance(values, dict) else payload["attachment_id"]))
    row = session.get(m.Attachment, attachment_id)
    now = utcnow()
    if row is not None:
        _send(session, actor, row, now)
        return
    session.add(m.OutboxEntry(
        mutation_id=new_id(), entity="request", entity_id=request_id,
        op=Op.REMOVE_ATTACHMENT.value, base_version=None,
        payload=RemoveAttachmentPayload(attachment_id=attachment_id).model_dump(mode="json"),
        created_at=now, actor=actor.username))


def _send(session: Session, actor: Actor, row: m.Attachment, now: dt.datetime) -> None:
    """Tell the centre about ``row`` as it now is (its metadata; the bytes follow by
    hash once it is answered), with the next sync."""
    values = {"id": str(row.id), "sha256": row.sha256, "size": row.size,
              "media_type": row.media_type, "kind": row.kind, "internal": bool(row.internal),
              "filename": row.filename, "caption": row.caption or ""}
    session.add(m.OutboxEntry(
        mutation_id=new_id(), entity="request", entity_id=row.request_id,
        op=Op.ADD_ATTACHMENT.value, base_version=None,
        payload=AddAttachmentPayload(attachment=values).model_dump(mode="json"),
        created_at=now, actor=actor.username))


class Attachments:
    """Attach, list, read and remove a request's files, for one signed-in person.
    Each write is one transaction with its audit entry."""

    def __init__(self, sessions: sessionmaker[Session], actor: Actor):
        self.sessions = sessions
        self.actor = actor

    def attach(self, request_id: uuid.UUID, *, filename: str, media_type: str, content: bytes,
               thumbnail: bytes | None = None, kind: str = Kind.BEFORE,
               internal: bool = False) -> AttachmentInfo:
        """Keep ``content`` with the request.  ``filename`` is the name the user
        chose (any folder part is dropped); ``thumbnail`` a small JPEG or PNG for
        images, ``None`` for a PDF; ``kind`` a :class:`Kind`; ``internal`` keeps it
        from the public."""
        new = NewFile(filename, media_type, content, thumbnail, kind, internal)
        with self.sessions.begin() as session:
            return keep_new(session, self.actor, request_id, new)

    def of_request(self, request_id: uuid.UUID) -> list[AttachmentInfo]:
        """The request's attachments, by kind and oldest first, without their content."""
        with self.sessions() as session:
            return photos_of(session, request_id)

    def mark(self, attachment_id: uuid.UUID, *, kind: str | None = None,
             internal: bool | None = None) -> AttachmentInfo:
        """Change a photo's kind or internal mark (``None``: left as it is), audited
        with the old and new values.  Anyone may mark a photo internal (that only
        hides it); anything else is for those who may remove it."""
        now = utcnow()
        new_kind = _kind(kind) if kind is not None else None
        with self.sessions.begin() as session:
            row = session.get(m.Attachment, attachment_id)
            if row is None:
                raise ServiceError("unknown_attachment", f"no such attachment: {attachment_id}")
            changes: dict[str, str] = {}
            if new_kind is not None and new_kind != row.kind:
                changes.update(old_kind=row.kind, kind=new_kind.value)
            if internal is not None and bool(internal) != row.internal:
                changes.update(old_internal=str(row.internal).lower(),
                               internal=str(bool(internal)).lower())
            hides_only = set(changes) <= {"old_internal", "internal"} and bool(internal)
            if changes and not hides_only and not may_remove(self.actor, row.added_by):
                raise ServiceError("role_not_allowed",
                                   "only a manager or the person who added it changes a file")
            if changes:
                row.kind = new_kind.value if "kind" in changes and new_kind else row.kind
                row.internal = bool(internal) if "internal" in changes else row.internal
                _audit(session, self.actor, AUDIT_CHANGED, row, now, **changes)
                _send(session, self.actor, row, now)
            session.flush()
            request_id = row.request_id
        with self.sessions() as session:
            return next(a for a in photos_of(session, request_id) if a.id == attachment_id)

    def read(self, attachment_id: uuid.UUID) -> AttachmentFile:
        with self.sessions() as session:
            row = session.execute(
                sa.select(m.Attachment.filename, m.Attachment.media_type, m.Attachment.sha256)
                .where(m.Attachment.id == attachment_id)).one_or_none()
            if row is None:
                raise ServiceError("unknown_attachment", f"no such attachment: {attachment_id}")
            return _file(session, *row)

    def remove(self, attachment_id: uuid.UUID) -> uuid.UUID:
        """Delete the attachment; the audit keeps its name, size and checksum.
        Returns the request it belonged to."""
        now = utcnow()
        with self.sessions.begin() as session:
            row = session.get(m.Attachment, attachment_id)
            if row is None:
                raise ServiceError("unknown_attachment", f"no such attachment: {attachment_id}")
            if not may_remove(self.actor, row.added_by):
                raise ServiceError("role_not_allowed",
                                   "only a manager or the person who added it removes a file")
            _audit(session, self.actor, AUDIT_REMOVED, row, now)
            session.add(m.OutboxEntry(
                mutation_id=new_id(), entity="request", entity_id=row.request_id,
                op=Op.REMOVE_ATTACHMENT.value, base_version=None,
                payload=RemoveAttachmentPayload(attachment_id=row.id).model_dump(mode="json"),
                created_at=now, actor=self.actor.username))
            session.delete(row)
            # (The file stays: another request may hold the same photo, and the
            # centre may not have it yet; backups keep it either way.)
            return row.request_id


def _keep(session: Session, actor: Actor, request_id: uuid.UUID, *, filename: str, media_type: str,
          content: bytes, sha256: str, thumbnail: bytes | None, added_by: str, now: dt.datetime,
          kind: str = Kind.BEFORE, internal: bool = False, **details: str) -> m.Attachment:
    """A new attachment row and its audit entry by ``actor`` (with ``details``)."""
    photo_folder(session).put(content)
    row = m.Attachment(id=new_id(), request_id=request_id, filename=filename, media_type=media_type,
                       size=len(content), sha256=sha256, thumbnail=thumbnail,
                       caption="", added_by=added_by, added_at=now, kind=Kind(kind).value,
                       internal=bool(internal), needs_upload=True)
    session.add(row)
    _send(session, actor, row, now)
    _audit(session, actor, AUDIT_ADDED, row, now, kind=row.kind,
           internal=str(row.internal).lower(), **details)
    return row


def _audit(session: Session, actor: Actor, action: str, row: m.Attachment, now: dt.datetime,
           **details: str) -> None:
    session.add(m.AuditEntry(
        at=now, actor=actor.username, action=action, entity="request",
        entity_key=str(row.request_id),
        details={"attachment_id": str(row.id), "filename": row.filename,
                 "media_type": row.media_type, "size": row.size, "sha256": row.sha256, **details},
    ))


def _safe_name(name: str) -> str:
    """A file name every system accepts (Windows refuses ``<>:"/\\|?*``)."""
    return re.sub(r'[<>:"/\\|?*\x00-\x1f]', "_", name).strip(" .") or "attachment"


def keep_departing(session: Session, request_ids: Sequence[uuid.UUID]) -> list[Path]:
    """Write the attachments of requests about to leave this office to
    ``<data folder>/departed-photos/<tracking code>/``, with an audit entry each,
    in the caller's transaction (the removal's).  Returns the files written.

    A file of the same name from an earlier departure is kept: the new one gets
    its attachment id in its name.  Files are written before the transaction
    commits; if it then rolls back, the request stays and the copy is only extra.

    Only the photos the centre does not have are written out: those it has
    (``needs_upload`` false) go along with the request to its new district, which
    fetches them from the centre by hash."""
    # The list first, the bytes one file at a time: a re-districting can take
    # hundreds of requests away in one page, each with photos of megabytes.
    rows = session.execute(
        sa.select(m.Attachment.id, m.Attachment.request_id, m.Attachment.filename,
                  m.Attachment.media_type, m.Attachment.size, m.Attachment.sha256,
                  m.Attachment.added_by, m.Attachment.kind, m.Attachment.internal,
                  m.ServiceRequest.tracking_code)
        .join(m.ServiceRequest, m.ServiceRequest.id == m.Attachment.request_id)
        .where(m.Attachment.request_id.in_(list(request_ids)),
               m.Attachment.needs_upload.is_not(False))).all()
    if not rows:
        return []
    database = session.get_bind().url.database
    if not database:
        raise RuntimeError("an office database in memory has nowhere to keep departing photos")
    written = []
    now = utcnow()
    for (attachment_id, request_id, filename, media_type, size, digest, added_by, kind, internal,
         tracking_code) in rows:
        content = photo_folder(session).read(digest)
        if content is None:
            continue
        folder = Path(database).parent / DEPARTED_FOLDER / _safe_name(tracking_code)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / _safe_name(filename)
        if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() != digest:
            target = folder / f"{attachment_id}-{_safe_name(filename)}"
        target.write_bytes(content)
        written.append(target)
        session.add(m.AuditEntry(
            at=now, actor="sync", action=AUDIT_KEPT, entity="request",
            entity_key=str(request_id),
            details={"attachment_id": str(attachment_id), "filename": filename,
                     "media_type": media_type, "size": size, "sha256": digest,
                     "added_by": added_by, "kind": kind, "internal": bool(internal),
                     "kept_as": str(target)}))
    return written


def bring_back(session: Session, departed: uuid.UUID, request_id: uuid.UUID, actor: Actor) -> list[str]:
    """Attach to ``request_id`` the files of the request ``departed`` (a refused
    walk-in registered again), in the caller's transaction, each with an audit entry
    by ``actor``: copies of those it still has (it leaves only once its last change
    is answered), and the files :func:`keep_departing` wrote out for it.  A file is
    read back from where the audit says it went and taken only if it is still the
    very file (its checksum); one moved, changed or deleted since is left out.
    Returns the names of those attached.  The copies in the folder stay."""
    attached: list[str] = []
    now = utcnow()

    def attach(filename: str, media_type: str, content: bytes, digest: str,
               thumbnail: bytes | None, added_by: str, source: str, kind: str,
               internal: bool) -> None:
        if media_type not in SIGNATURES or session.scalar(sa.select(m.Attachment.id).where(
                m.Attachment.request_id == request_id, m.Attachment.sha256 == digest)):
            return
        _keep(session, actor, request_id, filename=filename, media_type=media_type, content=content,
              sha256=digest, thumbnail=thumbnail, added_by=added_by or actor.username, now=now,
              kind=kind if kind in set(Kind) else Kind.BEFORE, internal=internal,
              brought_back_from=source)
        attached.append(filename)

    for held in session.scalars(sa.select(m.Attachment).where(m.Attachment.request_id == departed)
                                .order_by(m.Attachment.added_at, m.Attachment.id)).all():
        content = photo_folder(session).read(held.sha256)
        if content is not None:
            attach(held.filename, held.media_type, content, held.sha256, held.thumbnail,
                   held.added_by, str(departed), held.kind, held.internal)
    kept = session.scalars(sa.select(m.AuditEntry).where(
        m.AuditEntry.entity == "request", m.AuditEntry.entity_key == str(departed),
        m.AuditEntry.action == AUDIT_KEPT)
        .order_by(m.AuditEntry.id)).all()
    for entry in kept:
        details = entry.details
        path = Path(details["kept_as"])
        content = path.read_bytes() if path.is_file() else b""
        if hashlib.sha256(content).hexdigest() != details["sha256"]:
            continue
        # (Entries written before the media type was kept: the file's own first bytes.)
        media_type = details.get("media_type") or next(
            (kind for kind, signature in SIGNATURES.items() if content.startswith(signature)), "")
        # (Entries written before kinds: ``before`` and not internal, as the migration.)
        attach(details["filename"], media_type, content, details["sha256"], None,
               details.get("added_by") or "", str(path), details.get("kind") or Kind.BEFORE,
               bool(details.get("internal", False)))
    return attached
