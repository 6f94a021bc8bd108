"""A request's photos (and scanned letters as PDF): what the citizen brought to the
counter, what the crew photographed on the street.

Attachments stay in this office.  The sync protocol has no operation that carries a
file, and the centre refuses a mutation whose op it does not know, so adding or
removing a photo is *not* a request event (events travel to the centre through the
outbox, :mod:`sync.protocol`): it is written to the office's audit log instead, in
the same transaction as the photo itself, with who did it.  The request form shows
those audit entries in the request's history beside its events, marked as kept at
this office.  Sending photos to the centre needs a protocol change first; until
then a request that leaves the office (the centre moved it to another district)
cannot take its photos along, so :func:`keep_departing` writes them out to the
data folder before the request is removed, rather than let them go with it.  A
walk-in the centre refused leaves the same way; when a person registers it again
(re-applying the sync problem), :func:`bring_back` attaches those files to the new
request.

The bytes live in the database (:class:`~desktop_app.store.models.Attachment`), so a
photo is in every backup and cannot go missing from a folder.  That is why the
service refuses what a folder would quietly accept: files over
:data:`MAX_BYTES` (the UI scales big photos down before it gets here), anything but
a JPEG, PNG or PDF (checked by the file's own first bytes, not by its name), and the
same file twice on one request.  Qt stays out: the caller decodes, scales and makes
the thumbnail; this module stores and checks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.errors import ServiceError
from desktop_app.services.requests import Actor
from desktop_app.store import models as m
from sync.dates import utcnow
from sync.schema import new_id
from sync.text import clean
from sync.workflow import Role

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

#: The audit actions that record attachments (entity ``request``, key the request id).
AUDIT_ADDED, AUDIT_REMOVED = "attachment_added", "attachment_removed"
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

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


@dataclass(frozen=True)
class AttachmentFile:
    """An attachment's bytes, for viewing it large or saving a copy."""

    filename: str
    media_type: str
    content: bytes


def may_remove(actor: Actor, added_by: str) -> bool:
    """Whether ``actor`` may remove an attachment ``added_by`` someone."""
    return actor.role in REMOVE_ANY_ROLES or actor.username == added_by


_INFO_COLUMNS = (m.Attachment.id, m.Attachment.request_id, m.Attachment.filename,
                 m.Attachment.media_type, m.Attachment.size, m.Attachment.thumbnail,
                 m.Attachment.added_by, m.Attachment.added_at)


class Attachments:
    """Attach, list, read and remove a request's files, for one signed-in person.
    Each write is one transaction with its audit entry."""

    def __init__(self, sessions: sessionmaker[Session], actor: Actor):
        self.sessions = sessions
        self.actor = actor

    def attach(self, request_id: uuid.UUID, *, filename: str, media_type: str, content: bytes,
               thumbnail: bytes | None = None) -> AttachmentInfo:
        """Keep ``content`` with the request.  ``filename`` is the name the user
        chose (any folder part is dropped); ``thumbnail`` a small JPEG or PNG for
        images, ``None`` for a PDF."""
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
        name = clean(filename.replace("\\", "/").rsplit("/", 1)[-1])[:255] or "attachment"
        digest = hashlib.sha256(content).hexdigest()
        now = utcnow()
        with self.sessions.begin() as session:
            if session.get(m.ServiceRequest, request_id) is None:
                raise ServiceError("unknown_request", f"no such request: {request_id}",
                                   id=request_id)
            same = session.scalar(sa.select(m.Attachment.filename).where(
                m.Attachment.request_id == request_id, m.Attachment.sha256 == digest))
            if same is not None:
                raise ServiceError("attachment_duplicate", f"already attached as {same}",
                                   filename=same)
            row = _keep(session, self.actor, request_id, filename=name, media_type=media_type,
                        content=content, sha256=digest, thumbnail=thumbnail,
                        added_by=self.actor.username, now=now)
            known_as = session.scalar(sa.select(m.User.display_name)
                                      .where(m.User.username == self.actor.username)) or ""
        return AttachmentInfo(row.id, request_id, name, media_type, len(content), thumbnail,
                              self.actor.username, now, known_as)

    def of_request(self, request_id: uuid.UUID) -> list[AttachmentInfo]:
        """The request's attachments, oldest first, without their content."""
        with self.sessions() as session:
            rows = session.execute(
                sa.select(*_INFO_COLUMNS, sa.func.coalesce(m.User.display_name, ""))
                .outerjoin(m.User, m.User.username == m.Attachment.added_by)
                .where(m.Attachment.request_id == request_id)
                .order_by(m.Attachment.added_at, m.Attachment.id)).all()
        return [AttachmentInfo(*row) for row in rows]

    def read(self, attachment_id: uuid.UUID) -> AttachmentFile:
        with self.sessions() as session:
            row = session.execute(
                sa.select(m.Attachment.filename, m.Attachment.media_type, m.Attachment.content)
                .where(m.Attachment.id == attachment_id)).one_or_none()
        if row is None:
            raise ServiceError("unknown_attachment", f"no such attachment: {attachment_id}")
        return AttachmentFile(*row)

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
            session.delete(row)
            return row.request_id


def _keep(session: Session, actor: Actor, request_id: uuid.UUID, *, filename: str, media_type: str,
          content: bytes, sha256: str, thumbnail: bytes | None, added_by: str, now: dt.datetime,
          **details: str) -> m.Attachment:
    """A new attachment row and its audit entry by ``actor`` (with ``details``)."""
    row = m.Attachment(id=new_id(), request_id=request_id, filename=filename, media_type=media_type,
                       size=len(content), sha256=sha256, content=content, thumbnail=thumbnail,
                       caption="", added_by=added_by, added_at=now)
    session.add(row)
    _audit(session, actor, AUDIT_ADDED, row, now, **details)
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
    commits; if it then rolls back, the request stays and the copy is only extra."""
    # The list first, the bytes one file at a time: a re-districting can take
    # hundreds of requests away in one page, each with photos of megabytes.
    rows = session.execute(
        sa.select(m.Attachment.id, m.Attachment.request_id, m.Attachment.filename,
                  m.Attachment.media_type, m.Attachment.size, m.Attachment.sha256,
                  m.Attachment.added_by, m.ServiceRequest.tracking_code)
        .join(m.ServiceRequest, m.ServiceRequest.id == m.Attachment.request_id)
        .where(m.Attachment.request_id.in_(list(request_ids)))).all()
    if not rows:
        return []
    database = session.get_bind().url.database
    if not database:
        raise RuntimeError("an office database in memory has nowhere to keep departing photos")
    written = []
    now = utcnow()
    for attachment_id, request_id, filename, media_type, size, digest, added_by, tracking_code in rows:
        content = session.scalar(sa.select(m.Attachment.content)
                                 .where(m.Attachment.id == attachment_id))
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
                     "added_by": added_by, "kept_as": str(target)}))
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
               thumbnail: bytes | None, added_by: str, source: str) -> None:
        if media_type not in SIGNATURES or session.scalar(sa.select(m.Attachment.id).where(
                m.Attachment.request_id == request_id, m.Attachment.sha256 == digest)):
            return
        _keep(session, actor, request_id, filename=filename, media_type=media_type, content=content,
              sha256=digest, thumbnail=thumbnail, added_by=added_by or actor.username, now=now,
              brought_back_from=source)
        attached.append(filename)

    for held in session.scalars(sa.select(m.Attachment).where(m.Attachment.request_id == departed)
                                .order_by(m.Attachment.added_at, m.Attachment.id)).all():
        attach(held.filename, held.media_type, held.content, held.sha256, held.thumbnail,
               held.added_by, str(departed))
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
        attach(details["filename"], media_type, content, details["sha256"], None,
               details.get("added_by") or "", str(path))
    return attached
