"""Where the office keeps photo bytes: inside its SQLite database, or in a
content-addressed folder beside it (metadata rows in the database either way).

Measured on N synthetic photos (JPEG signature plus random bytes, 100–300 KB; random
bytes because photos do not compress): the time to write them (one transaction per
photo, as the desk attaches them; the folder variant writes the file, fsyncs it and
renames it into place, then the row), to read them all back in random order, the
database's size, a full backup, and the next day's backup after 100 more photos
(the database through SQLite's backup API; the folder's photos copied only when the
backup does not have them yet).

    .venv/bin/python tests/bench/bench_photo_store.py [--photos 10000] [--dir /tmp/x]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path


def photos(n: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    return [b"\xff\xd8\xff\xe0" + rng.randbytes(rng.randint(100_000, 300_000) - 4) for _ in range(n)]


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


SCHEMA = ("CREATE TABLE IF NOT EXISTS attachments (id INTEGER PRIMARY KEY, sha256 TEXT, size INT, "
          "content BLOB)")


def write_db(conn: sqlite3.Connection, batch: list[bytes]) -> None:
    for content in batch:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO attachments (sha256, size, content) VALUES (?, ?, ?)",
                     (hashlib.sha256(content).hexdigest(), len(content), content))
        conn.execute("COMMIT")


def write_folder(conn: sqlite3.Connection, folder: Path, batch: list[bytes]) -> None:
    for content in batch:
        sha = hashlib.sha256(content).hexdigest()
        target = folder / sha[:2] / sha
        target.parent.mkdir(exist_ok=True)
        part = target.with_suffix(".part")
        with open(part, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(part, target)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO attachments (sha256, size, content) VALUES (?, ?, NULL)",
                     (sha, len(content)))
        conn.execute("COMMIT")


def backup_db(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def backup_folder(folder: Path, target: Path) -> int:
    """Copy the photos the backup does not have yet; returns how many."""
    copied = 0
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix != ".part":
            into = target / path.relative_to(folder)
            if not into.exists():
                into.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, into)
                copied += 1
    return copied


def timed(label: str, fn, *args) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn(*args)
    elapsed = time.perf_counter() - start
    print(f"  {label:<34} {elapsed:8.2f} s", flush=True)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-photos-", dir=args.dir))
    print(f"{args.photos} photos of 100-300 KB; load {os.getloadavg()}", flush=True)
    try:
        for variant in ("sqlite", "folder"):
            root = base / variant
            root.mkdir()
            db = root / "office.sqlite3"
            conn = connect(db)
            conn.execute(SCHEMA)
            folder = root / "photos"
            folder.mkdir()
            first = photos(args.photos, 1)
            total = sum(map(len, first))
            print(f"{variant}: {total / 1e9:.2f} GB", flush=True)
            if variant == "sqlite":
                timed("write (one transaction each)", write_db, conn, first)
            else:
                timed("write (file+fsync+rename, row)", write_folder, conn, folder, first)
            del first
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            ids = [r[0] for r in conn.execute("SELECT id FROM attachments")]
            random.Random(2).shuffle(ids)

            def read_all() -> None:
                for i in ids:
                    sha, content = conn.execute("SELECT sha256, content FROM attachments WHERE id = ?",
                                                (i,)).fetchone()
                    if content is None:
                        content = (folder / sha[:2] / sha).read_bytes()
                    assert len(content) > 0

            # (The page cache holds what was just written: a warm read.)
            timed("read all, random order", read_all)
            print(f"  {'database size':<34} {db.stat().st_size / 1e6:8.1f} MB")
            backups = root / "backups"
            backups.mkdir()
            timed("backup day 1 (database)", backup_db, db, backups / "day1.sqlite3")
            if variant == "folder":
                timed("backup day 1 (photos copied)", backup_folder, folder, backups / "photos")
            more = photos(100, 3)
            if variant == "sqlite":
                write_db(conn, more)
            else:
                write_folder(conn, folder, more)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            timed("backup day 2 (database)", backup_db, db, backups / "day2.sqlite3")
            if variant == "folder":
                timed("backup day 2 (100 new photos)", backup_folder, folder, backups / "photos")
            size = sum(p.stat().st_size for p in backups.rglob("*") if p.is_file())
            print(f"  {'two backups take':<34} {size / 1e9:8.2f} GB", flush=True)
            conn.close()
            shutil.rmtree(root)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"load {os.getloadavg()}")


if __name__ == "__main__":
    main()
