"""Attachment bytes between an office and the centre, apart from the change log.

A round moves rows first (push, pull: :mod:`sync.client.engine`); then this part
sends the bytes of the office's new photos whose metadata the centre has answered,
smallest first (many small photos reach the centre before one big one), and fetches
the bytes of photos the office has metadata for but no file.  Everything is by
SHA-256 (``/sync/blobs/{sha256}``):

* **upload** — ``PUT`` pieces of :data:`~sync.protocol.BLOB_CHUNK_BYTES` with
  ``Content-Range``, from the start.  A piece the centre holds already (an earlier
  attempt cut short, or an answer lost and the piece sent again) gets
  ``blob_offset`` with what the centre holds, and the upload goes on from there (the
  centre also tells it, ``…/status``).  A blob the centre has already
  (another office sent it) is answered ``complete`` at once.
* **download** — ``GET`` with ``Range: bytes=N-`` where N is what the office's part
  holds, writing each piece to the part as it arrives (a cut connection, or the app
  killed, keeps what came), then the whole is checked against its hash before it is
  put in place (a part that does not match is thrown away and fetched again).

A blob that fails (the centre gone, a hash that does not match) is counted in the
round's report and tried again next round; it never fails the round, whose rows are
already stored.  The office's side of this is :class:`BlobSide`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sync.client.errors import SyncError, TransientError
from sync.client.transport import BlobRefusal, HttpTransport
from sync.protocol import BLOB_CHUNK_BYTES, BlobStatus, ErrorCode

log = logging.getLogger("daftar.sync.blobs")


@dataclass(frozen=True)
class BlobRef:
    sha256: str
    size: int


class BlobSide(Protocol):
    """The office's photos as the blob part of a round needs them."""

    def to_upload(self) -> list[BlobRef]:
        """Blobs the centre lacks whose metadata it has answered, smallest first."""

    def read_blob(self, sha256: str) -> bytes | None:
        """The bytes of a blob the office holds (``None``: gone meanwhile)."""

    def uploaded(self, sha256: str) -> None:
        """The centre has all of the blob: stop offering it."""

    def unknown(self, sha256: str) -> None:
        """The centre takes no such blob from this office (no attachment names it)."""

    def to_download(self) -> list[BlobRef]:
        """Blobs the office has metadata for but not the bytes, smallest first."""

    def part_size(self, sha256: str) -> int:
        """Bytes of the blob's download already held."""

    def append_part(self, sha256: str, offset: int, data: bytes) -> None:
        """Write ``data`` at ``offset`` of the blob's download."""

    def finish_part(self, sha256: str) -> bool:
        """Put the download in place if it hashes to its name (else discard it)."""

    def discard_part(self, sha256: str) -> None:
        """Throw away the blob's download (the centre says it is not what it holds)."""


@dataclass
class BlobCounts:
    sent: int = 0
    sent_bytes: int = 0
    fetched: int = 0
    fetched_bytes: int = 0
    failed: int = 0
    #: Blobs the centre does not have yet (still to come from the office that
    #: added them), or no longer takes (metadata refused): tried next round.
    waiting: int = 0


class BlobMover:
    """The blob part of one round, over ``transport``; each call through ``retrying``
    (the engine's backoff on transient failures)."""

    def __init__(self, side: BlobSide, transport: HttpTransport,
                 retrying: Callable[[Callable[[], object]], object],
                 chunk: int = BLOB_CHUNK_BYTES):
        self.side = side
        self.transport = transport
        self.retrying = retrying
        self.chunk = chunk
        self.counts = BlobCounts()

    def run(self, check_cancel: Callable[[], None]) -> BlobCounts:
        for phase, blobs in (("upload", self.side.to_upload()), ("download", self.side.to_download())):
            for blob in blobs:
                check_cancel()
                try:
                    self._upload(blob) if phase == "upload" else self._download(blob)
                except SyncError as exc:
                    if exc.code == "cancelled":
                        raise
                    if exc.code == ErrorCode.NOT_FOUND:
                        if phase == "upload":
                            self.side.unknown(blob.sha256)
                        self.counts.waiting += 1
                        continue
                    self.counts.failed += 1
                    log.warning("%s of %s failed: %s", phase, blob.sha256, exc.message)
                    if isinstance(exc.__cause__, TransientError) or isinstance(exc, TransientError):
                        # The centre cannot be reached: the rest would fail the same way.
                        return self.counts
        return self.counts

    # ------------------------------------------------------------- upload

    def _upload(self, blob: BlobRef) -> None:
        content = self.side.read_blob(blob.sha256)
        if content is None:
            return
        total = len(content)
        # Straight from the start: a centre holding part of it already (an earlier
        # round cut short) answers ``blob_offset`` with where to go on, and one
        # holding all of it answers ``complete`` — one call saved per photo.
        offset, complete = 0, False
        while not complete:
            end = min(offset + self.chunk, total) - 1
            piece = content[offset:end + 1]
            headers = {"Content-Range": f"bytes {offset}-{end}/{total}"}
            path = f"/sync/blobs/{blob.sha256}"
            try:
                answer = self.retrying(
                    lambda path=path, piece=piece, headers=headers:  # type: ignore[misc]
                    self.transport.put_bytes(path, piece, headers))
            except BlobRefusal as refused:  # the piece was there already (an answer lost)
                if refused.code != ErrorCode.BLOB_OFFSET or refused.received > total:
                    raise
                offset = refused.received
                continue
            status = self.transport.read(path, BlobStatus, answer)  # type: ignore[arg-type]
            offset, complete = status.received, status.complete
            if not complete and offset >= total:
                raise SyncError("bad_response", "the centre holds the whole blob but not as complete")
        self.side.uploaded(blob.sha256)
        self.counts.sent += 1
        self.counts.sent_bytes += total

    # ----------------------------------------------------------- download

    def _download(self, blob: BlobRef) -> None:
        path = f"/sync/blobs/{blob.sha256}"

        def attempt() -> None:
            offset = self.side.part_size(blob.sha256)
            if offset >= blob.size > 0:
                return
            position = [offset]

            def sink(data: bytes) -> None:
                self.side.append_part(blob.sha256, position[0], data)
                position[0] += len(data)

            headers = {"Range": f"bytes={offset}-"} if offset else {}
            try:
                self.transport.stream(path, headers, sink)
            except SyncError as exc:
                if offset and exc.code == ErrorCode.BAD_REQUEST:  # 416: the part is wrong
                    self.side.discard_part(blob.sha256)
                raise

        self.retrying(attempt)
        if not self.side.finish_part(blob.sha256):
            raise SyncError("blob_hash_mismatch",
                            f"the bytes fetched for {blob.sha256} do not match it; fetched again next round")
        self.counts.fetched += 1
        self.counts.fetched_bytes += blob.size


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
