"""The office's photos as the sync round's blob part sees them
(:class:`sync.client.blobs.BlobSide`): which bytes to send, which to fetch, and the
photo folder they come from and go to (:mod:`desktop_app.store.photos`)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.services import sync_state as state
from desktop_app.store import models as m
from desktop_app.store.photos import PhotoFolder
from sync.client.blobs import BlobRef
from sync.protocol import Op


class OfficeBlobs:
    """The blob side of the office whose database ``sessions`` open."""

    def __init__(self, sessions: sessionmaker[Session], folder: PhotoFolder):
        self.sessions = sessions
        self.folder = folder

    def to_upload(self) -> list[BlobRef]:
        """New photos the centre has the metadata of (their ``add_attachment`` is
        answered), smallest first."""
        with self.sessions() as session:
            waiting = _waiting_adds(session)
            rows = session.execute(sa.select(m.Attachment.id, m.Attachment.sha256, m.Attachment.size)
                                   .where(m.Attachment.needs_upload.is_(True))).all()
            behind = state.read(session, state.UPLOADS_LEFT_BEHIND, [])
        ready = {sha: size for attachment_id, sha, size in rows if attachment_id not in waiting}
        for sha in behind:
            if sha not in ready and self.folder.has(sha):
                ready[sha] = self.folder.path(sha).stat().st_size
        return sorted((BlobRef(sha, size) for sha, size in ready.items()), key=lambda b: (b.size, b.sha256))

    def read_blob(self, sha256: str) -> bytes | None:
        return self.folder.read(sha256)

    def uploaded(self, sha256: str) -> None:
        with self.sessions.begin() as session:
            session.execute(sa.update(m.Attachment).where(m.Attachment.sha256 == sha256)
                            .values(needs_upload=False))
            self._forget(session, sha256)

    def unknown(self, sha256: str) -> None:
        """The centre names no attachment of ours with these bytes: a photo left
        behind, or one whose metadata it refused, is not offered again.  A photo
        whose ``add_attachment`` is still to go keeps waiting (a walk-in registered
        again has new rows for the same bytes)."""
        with self.sessions.begin() as session:
            waiting = _waiting_adds(session)
            refused = [i for i in session.scalars(sa.select(m.Attachment.id).where(
                m.Attachment.sha256 == sha256, m.Attachment.needs_upload.is_(True))) if i not in waiting]
            if refused:
                session.execute(sa.update(m.Attachment).where(m.Attachment.id.in_(refused))
                                .values(needs_upload=False))
            self._forget(session, sha256)

    @staticmethod
    def _forget(session: Session, sha256: str) -> None:
        behind = state.read(session, state.UPLOADS_LEFT_BEHIND, [])
        if sha256 in behind:
            state.write(session, state.UPLOADS_LEFT_BEHIND, [s for s in behind if s != sha256])

    def to_download(self) -> list[BlobRef]:
        """Photos the office has the metadata of but not the bytes, smallest first."""
        with self.sessions() as session:
            rows = session.execute(sa.select(m.Attachment.sha256, sa.func.max(m.Attachment.size))
                                   .group_by(m.Attachment.sha256)).all()
        return sorted((BlobRef(sha, size) for sha, size in rows if not self.folder.has(sha)),
                      key=lambda b: (b.size, b.sha256))

    def part_size(self, sha256: str) -> int:
        return self.folder.part_size(sha256)

    def append_part(self, sha256: str, offset: int, data: bytes) -> None:
        self.folder.append_part(sha256, offset, data)

    def finish_part(self, sha256: str) -> bool:
        return self.folder.finish_part(sha256)

    def discard_part(self, sha256: str) -> None:
        self.folder.discard_part(sha256)


def _waiting_adds(session: Session) -> set[uuid.UUID]:
    """The attachments whose ``add_attachment`` is still in the outbox."""
    return {uuid.UUID(str(p["attachment"]["id"])) for p in session.scalars(
        sa.select(m.OutboxEntry.payload).where(m.OutboxEntry.op == Op.ADD_ATTACHMENT.value))}
