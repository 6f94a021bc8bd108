"""The disk fills during ``daftar-server import``: the command exits non-zero with one
line on standard error that names the full disk, keeps nothing of the file, and the
same import succeeds once there is room.  Two disks can fill: the one holding the
centre's SQLite database, and the one holding the temporary file the import spills
its checked rows to (``TMPDIR``).  Each is a small tmpfs (:mod:`tests.tmpfs`); the
command runs as its own process, as an operator would run it.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.sync.server.test_import_streaming import row, write_csv
from tests.tmpfs import small_disk

ROOT = Path(__file__).resolve().parents[3]
REFERENCE = ROOT / "resources/reference/kashan-reference.json"
#: More rows than the small disks hold, written or spilled.
ROWS = 6000


def daftar_server(database: Path, *args: str, tmpdir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if tmpdir is not None:
        env["TMPDIR"] = str(tmpdir)
    return subprocess.run(
        [sys.executable, "-m", "sync.server.cli", "--database-url", f"sqlite:///{database}", *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300, check=False)


def centre(database: Path) -> None:
    for command in (("migrate",), ("reference", "load", str(REFERENCE))):
        done = daftar_server(database, *command)
        assert done.returncode == 0, done.stderr


def requests_and_integrity(database: Path) -> tuple[int, str]:
    with sqlite3.connect(database) as conn:
        return (conn.execute("SELECT count(*) FROM requests").fetchone()[0],
                conn.execute("PRAGMA integrity_check").fetchone()[0])


def archive(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "archive.csv", [row(i) for i in range(1, ROWS + 1)])


def assert_refused_for_a_full_disk(done: subprocess.CompletedProcess[str], which: str) -> None:
    assert done.returncode != 0
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("daftar-server: error: ")
    assert which in lines[0] and "full" in lines[0] and "import again" in lines[0], lines[0]
    assert "Traceback" not in done.stderr and "unexpected" not in lines[0]


def test_a_full_disk_under_the_database_keeps_nothing_and_the_import_succeeds_with_room(tmp_path: Path) -> None:
    csv = archive(tmp_path)
    with small_disk(tmp_path / "disk", "2m") as disk:
        database = disk.path / "centre.sqlite3"
        centre(database)
        before = requests_and_integrity(database)

        done = daftar_server(database, "import", str(csv))
        assert_refused_for_a_full_disk(done, "the centre's database")
        assert requests_and_integrity(database) == before == (0, "ok")

        disk.grow("64m")
        done = daftar_server(database, "import", str(csv))
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-1] == f"imported: {ROWS}, already present: 0, rejected: 0"
        assert requests_and_integrity(database) == (ROWS, "ok")


def test_a_full_disk_under_the_temporary_folder_keeps_nothing_and_the_import_succeeds_with_room(
        tmp_path: Path) -> None:
    csv = archive(tmp_path)
    database = tmp_path / "centre.sqlite3"
    centre(database)
    with small_disk(tmp_path / "tmp", "512k") as disk:
        done = daftar_server(database, "import", str(csv), tmpdir=disk.path)
        assert_refused_for_a_full_disk(done, str(disk.path))
        assert "TMPDIR" in done.stderr
        assert requests_and_integrity(database) == (0, "ok")

        disk.grow("64m")
        done = daftar_server(database, "import", str(csv), tmpdir=disk.path)
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[-1] == f"imported: {ROWS}, already present: 0, rejected: 0"
        assert requests_and_integrity(database) == (ROWS, "ok")
