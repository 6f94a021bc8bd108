"""The bytes of the office's photos: a content-addressed folder beside its database.

Each file is named by the SHA-256 of its bytes (``photos/ab/<sha256>``), so the same
photo is kept once, a name says what the bytes must be, and a backup copies a photo
only once (:mod:`desktop_app.store.backup`): a photo never changes.  The database
keeps the metadata (:class:`~desktop_app.store.models.Attachment`), which names its
file by ``sha256``.  Measured against bytes inside SQLite on 10,000 photos
(``tests/bench/bench_photo_store.py``; numbers in the README): writes and reads cost
about the same, but the database stays small and the daily backup copies only the
day's new photos instead of gigabytes.

A file is written (and fsynced) under a temporary name and renamed into place
*before* the transaction that adds its row commits: a crash in between leaves a file
no row names, never a row without its file.  Downloads from the centre grow in
``parts/`` and are renamed into place only once the whole hashes to its name.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

#: The folder, inside the data folder, that holds the photos.
PHOTOS_DIR = "photos"
_HEX = frozenset("0123456789abcdef")


def _checked(sha256: str) -> str:
    if len(sha256) != 64 or not set(sha256) <= _HEX:
        raise ValueError(f"not a SHA-256: {sha256!r}")
    return sha256


class PhotoFolder:
    """Photos by hash under ``root`` (``<data folder>/photos``)."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    @classmethod
    def beside(cls, database: Path | str) -> PhotoFolder:
        """The photo folder of the office database at ``database``."""
        return cls(Path(database).parent / PHOTOS_DIR)

    def path(self, sha256: str) -> Path:
        return self.root / _checked(sha256)[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put(self, content: bytes) -> str:
        """Keep ``content`` (unless kept already); its SHA-256."""
        sha256 = hashlib.sha256(content).hexdigest()
        target = self.path(sha256)
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f"{sha256}.{os.getpid()}.tmp")
            with open(temporary, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        return sha256

    def read(self, sha256: str) -> bytes | None:
        """The bytes, or ``None`` when this office does not have them (yet)."""
        try:
            return self.path(sha256).read_bytes()
        except FileNotFoundError:
            return None

    def remove(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    # -------------------------------------------------- downloads in parts

    def _part(self, sha256: str) -> Path:
        return self.root / "parts" / f"{_checked(sha256)}.part"

    def part_size(self, sha256: str) -> int:
        try:
            return self._part(sha256).stat().st_size
        except FileNotFoundError:
            return 0

    def append_part(self, sha256: str, offset: int, data: bytes) -> None:
        """Add ``data`` at ``offset`` of the download's part (a part longer than
        ``offset`` — the same bytes arrived twice — is cut back first)."""
        part = self._part(sha256)
        part.parent.mkdir(parents=True, exist_ok=True)
        with open(part, "r+b" if part.exists() else "wb") as out:
            out.truncate(offset)
            out.seek(offset)
            out.write(data)

    def finish_part(self, sha256: str) -> bool:
        """Put the downloaded part in place if it hashes to ``sha256``; otherwise
        throw it away.  Whether it was put in place."""
        part = self._part(sha256)
        digest = hashlib.sha256()
        with open(part, "rb") as source:
            while piece := source.read(1024 * 1024):
                digest.update(piece)
            os.fsync(source.fileno())
        if digest.hexdigest() != sha256:
            part.unlink(missing_ok=True)
            return False
        target = self.path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(part, target)
        return True

    def discard_part(self, sha256: str) -> None:
        self._part(sha256).unlink(missing_ok=True)

    def all(self) -> list[Path]:
        """Every photo file (not the parts)."""
        if not self.root.is_dir():
            return []
        return [p for p in self.root.glob("??/*") if p.is_file() and len(p.name) == 64]
