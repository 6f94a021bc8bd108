"""What a headless ``daftar`` command loads before it works: only what it needs (its
speed is measured in tests/bench/bench_commands.py; here, what it imports)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
#: Libraries a command loads only when its work needs them.
HEAVY = ("sqlalchemy", "alembic", "httpx", "pydantic", "PySide6", "reportlab", "openpyxl",
         "fastapi", "jdatetime")


def loaded_by(module: str, argv: list[str], *, env: dict[str, str] | None = None,
              watch: tuple[str, ...] = HEAVY) -> tuple[str, list[str]]:
    """What ``main(argv)`` of ``module`` printed, and which of ``watch`` it loaded,
    in a fresh interpreter; the command must succeed (exit code 0)."""
    code = (
        "import contextlib, io, json, sys\n"
        f"from {module} import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        f"        exit_code = main({argv!r})\n"
        "    except SystemExit as stop:\n"
        "        exit_code = stop.code\n"
        f"print(json.dumps([out.getvalue(), [m for m in {watch!r} if m in sys.modules], exit_code]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    assert result.returncode == 0, result.stderr
    printed, loaded, exit_code = json.loads(result.stdout.strip().splitlines()[-1])
    assert exit_code in (0, None), (argv, exit_code, result.stderr)
    return printed, loaded


@pytest.mark.parametrize("argv", [["--help"], ["report", "summary", "--help"], ["sync", "--help"],
                                  ["--version"]])
def test_help_and_version_load_no_library(argv: list[str]) -> None:
    printed, loaded = loaded_by("desktop_app.cli", argv)
    assert loaded == []
    assert printed.startswith("daftar ") if argv == ["--version"] else printed.startswith("usage: daftar")


@pytest.mark.parametrize("argv, read", [(["--help"], False), (["sync", "--help"], False),
                                        (["report", "summary", "--help"], True)])
def test_the_groupings_are_read_only_for_a_summary(argv: list[str], read: bool) -> None:
    printed, loaded = loaded_by("desktop_app.cli", argv, watch=("desktop_app.reports.groupings",))
    assert loaded == (["desktop_app.reports.groupings"] if read else [])
    assert ("{region,district," in printed) == read


def test_the_version_is_the_installed_one() -> None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        expected = version("daftar")
    except PackageNotFoundError:
        expected = "unknown"
    printed, _loaded = loaded_by("desktop_app.cli", ["--version"])
    assert printed == f"daftar {expected}\n"


def test_a_report_parses_its_dates_and_says_when_it_is_ready(tmp_path: Path) -> None:
    """The dates are read (jdatetime loaded then), the store opened, and with
    ``DAFTAR_TRACE_START`` the command says when it has parsed and when it begins."""
    out = tmp_path / "s.csv"
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--data-dir", str(tmp_path / "office"), "report", "summary",
         "--from", "1405-01-01", "--to", "1405-01-31", "--by", "region", "--out", str(out)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "DAFTAR_TRACE_START": "1"})
    marks = [line.split()[1] for line in result.stderr.splitlines() if line.startswith("daftar: ")
             and line.split()[2:3] == ["at"]]
    assert marks == ["parsed", "ready"], result.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--data-dir", str(tmp_path / "office"), "report", "summary",
         "--from", "1405-13-01", "--to", "1405-01-31", "--by", "region", "--out", str(out)],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert bad.returncode == 2 and "--from" in bad.stderr


def office_with_reference(folder: Path) -> Path:
    from desktop_app.store import reference as store_reference
    from desktop_app.store.db import open_store
    from sync import reference

    store = open_store(folder)
    try:
        with store.sessions.begin() as session:
            store_reference.install(session, reference.default())
    finally:
        store.close()
    return folder


@pytest.mark.parametrize("fmt, needed", [("csv", []), ("xlsx", ["openpyxl"]), ("pdf", ["reportlab"])])
def test_a_report_loads_what_its_format_needs(tmp_path: Path, fmt: str, needed: list[str]) -> None:
    """A summary to CSV loads neither openpyxl nor ReportLab, none loads Qt, Alembic
    (the schema is current) or the network client; each file is written."""
    folder = office_with_reference(tmp_path / "office")
    out = tmp_path / f"summary.{fmt}"
    printed, loaded = loaded_by("desktop_app.cli", [
        "--data-dir", str(folder), "report", "summary", "--from", "1405-01-01", "--to", "1405-06-31",
        "--by", "region", "--out", str(out)])
    assert printed.startswith(f"wrote {out} ({fmt})")
    assert out.stat().st_size > 0
    assert sorted(set(loaded) - {"sqlalchemy", "pydantic", "jdatetime"}) == needed
