"""The centre's store of attachment bytes: content-addressed blobs, apart from the
database and from the change log.

A blob is named by the SHA-256 of its bytes, so the same photo sent by two offices
(or twice by one) is kept once, and a name says what the bytes must be: an upload
is written to a *part* of its own, piece after piece (``PUT /sync/blobs/{sha256}``
with ``Content-Range``; a broken connection loses at most the piece under way, and
the office asks where to go on, ``GET …/status``), and becomes the blob only when
the whole of it hashes to its name.  A part that does not is thrown away.  Parts are
kept per office (two offices sending the same photo at once never write into one
file) and under a name no blob has, so a reader never sees a half blob.

:class:`BlobStore` is what the API needs; :class:`FolderBlobStore`, the default,
keeps blobs in a folder of the centre's data folder (``blobs/ab/cd/<sha256>``,
``blobs/parts/``).  An S3-compatible store (MinIO, Ceph, a cloud's) would plug in
as another :class:`BlobStore`: ``size`` a ``HEAD`` of object ``<sha256>``,
``read`` a ranged ``GET``, and the parts kept in the folder as here (they are
small and short-lived) with ``finish`` uploading the verified part as the object
(``PUT``, or a multipart upload over 5 MiB) before deleting it.  That store is
**not** implemented: configure the folder (``DAFTAR_BLOB_DIR``) on a mounted
volume meanwhile.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa

from sync.rules import is_sha256

#: Where the blobs are kept, when set; else beside a SQLite database, else in the
#: user data folder (:func:`default_blob_dir`).
BLOB_DIR_ENV = "DAFTAR_BLOB_DIR"
_READ_PIECE = 1024 * 1024


class BlobOffsetError(Exception):
    """A piece that does not start where the part ends."""

    def __init__(self, received: int):
        self.received = received
        super().__init__(f"the centre holds {received} bytes of this blob; send from there")


class BlobHashError(Exception):
    """The bytes received do not hash to the blob's name (the part is gone)."""


class BlobStore(Protocol):
    """Content-addressed bytes, with uploads in parts (one part per sender)."""

    def size(self, sha256: str) -> int | None:
        """The blob's size, or ``None`` when the store does not hold all of it."""

    def received(self, sha256: str, sender: str) -> int:
        """How many bytes of ``sender``'s part of the blob are held."""

    def append(self, sha256: str, sender: str, offset: int, data: bytes) -> int:
        """Add ``data`` at ``offset`` of the part (:class:`BlobOffsetError` unless the
        part ends there); the part's new length."""

    def finish(self, sha256: str, sender: str) -> int:
        """Make the part the blob if it hashes to ``sha256`` (else discard it and
        raise :class:`BlobHashError`); the blob's size."""

    def read(self, sha256: str, start: int = 0, end: int | None = None) -> bytes:
        """Bytes ``start`` to ``end`` (inclusive; ``None``: the last) of a blob held."""

    def put(self, sha256: str, data: bytes) -> int:
        """Keep a whole blob sent in one piece if it hashes to ``sha256`` (else
        :class:`BlobHashError`); its size."""


class FolderBlobStore:
    """Blobs as files under ``root``: ``ab/cd/<sha256>``, parts in ``parts/``."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        (self.root / "parts").mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        if not is_sha256(sha256):
            raise ValueError(f"not a SHA-256: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def _part(self, sha256: str, sender: str) -> Path:
        if not is_sha256(sha256) or not sender.replace("-", "").isalnum():
            raise ValueError("bad blob or sender name")
        return self.root / "parts" / f"{sha256}.{sender}.part"

    def size(self, sha256: str) -> int | None:
        try:
            return self.path(sha256).stat().st_size
        except FileNotFoundError:
            return None

    def received(self, sha256: str, sender: str) -> int:
        try:
            return self._part(sha256, sender).stat().st_size
        except FileNotFoundError:
            return 0

    def append(self, sha256: str, sender: str, offset: int, data: bytes) -> int:
        part = self._part(sha256, sender)
        with open(part, "ab") as out:
            held = out.tell()
            if held != offset:
                raise BlobOffsetError(held)
            out.write(data)
            return out.tell()

    def finish(self, sha256: str, sender: str) -> int:
        part = self._part(sha256, sender)
        digest = hashlib.sha256()
        try:
            with open(part, "rb") as source:
                while piece := source.read(_READ_PIECE):
                    digest.update(piece)
                os.fsync(source.fileno())
            if digest.hexdigest() != sha256:
                part.unlink(missing_ok=True)
                raise BlobHashError(f"the bytes received hash to {digest.hexdigest()}, not {sha256}")
            target = self.path(sha256)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(part, target)  # the same bytes from another sender: either is the blob
            return target.stat().st_size
        except FileNotFoundError:
            # Another sender's whole put() kept the blob and took this part away
            # meanwhile: the blob is complete; without it, this upload starts again.
            size = self.size(sha256)
            if size is None:
                raise BlobOffsetError(0) from None
            return size

    def put(self, sha256: str, data: bytes) -> int:
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            raise BlobHashError(f"the bytes received hash to {actual}, not {sha256}")
        target = self.path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.root / "parts" / f"{sha256}.{os.getpid()}.{id(data)}.whole"
        with open(temporary, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
        for stale in (self.root / "parts").glob(f"{sha256}.*.part"):  # earlier attempts' parts
            stale.unlink(missing_ok=True)
        return len(data)

    def read(self, sha256: str, start: int = 0, end: int | None = None) -> bytes:
        with open(self.path(sha256), "rb") as source:
            source.seek(start)
            return source.read(-1 if end is None else end - start + 1)


def default_blob_dir(url: sa.URL | str) -> Path:
    """Where the centre keeps blobs by default: :data:`BLOB_DIR_ENV`; beside a SQLite
    database file (``blobs/`` in its folder); else the user data folder's ``blobs/``
    (an in-memory database gets a temporary folder)."""
    configured = os.environ.get(BLOB_DIR_ENV)
    if configured:
        return Path(configured)
    url = sa.make_url(url) if isinstance(url, str) else url
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
            return Path(url.database).resolve().parent / "blobs"
        return Path(tempfile.mkdtemp(prefix="daftar-blobs-"))
    import platformdirs

    return Path(platformdirs.user_data_dir("daftar-server", appauthor=False)) / "blobs"
