"""The frozen Linux build prints a work order and a summary report.

This proves the one-folder build carries what imports cannot reveal: the font,
the translations, both migration folders, the reference data and the modules the
command line loads by name.  ``installers/linux/build.sh`` makes ``dist/daftar``
(CI runs it before the tests); ``DAFTAR_FROZEN_APP`` may point elsewhere.
Without a build the test is skipped with that reason, except under CI.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests import factories
from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
FROZEN = Path(os.environ.get("DAFTAR_FROZEN_APP", ROOT / "dist" / "daftar" / "daftar"))


@pytest.fixture(scope="module")
def frozen() -> Path:
    if not FROZEN.exists():
        reason = f"no frozen build at {FROZEN} (run installers/linux/build.sh)"
        if IN_CI:
            pytest.fail(reason + "; CI must build and test it", pytrace=False)
        pytest.skip(reason)
    return FROZEN


def _run(app: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run([str(app), *args], capture_output=True, text=True, timeout=120, env=env)


def _fonts(pdf: Path) -> set[str]:
    names = set()
    for page in PdfReader(pdf).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_frozen_app_prints_a_work_order_and_a_summary(frozen: Path, tmp_path: Path) -> None:
    folder = tmp_path / "office"
    store = factories.office(folder)
    request = factories.make_request(store, received_at=dt.datetime(2026, 4, 1, 6, tzinfo=dt.UTC))
    store.close()

    version = _run(frozen, "--version")
    assert version.returncode == 0 and version.stdout.startswith("daftar ")

    order = tmp_path / "order.pdf"
    result = _run(frozen, "--data-dir", str(folder), "workorders",
                  "--request", request.tracking_code, "--out", str(order))
    assert result.returncode == 0, result.stderr
    assert len(PdfReader(order).pages) == 1
    assert any("Vazirmatn" in name for name in _fonts(order))

    report = tmp_path / "summary.pdf"
    result = _run(frozen, "--data-dir", str(folder), "report", "summary", "--from", "1405-01-01",
                  "--to", "1405-06-31", "--by", "region", "--out", str(report))
    assert result.returncode == 0, result.stderr
    assert len(PdfReader(report).pages) >= 1
    assert any("Vazirmatn" in name for name in _fonts(report))

    csv = tmp_path / "summary.csv"
    result = _run(frozen, "--data-dir", str(folder), "report", "summary", "--from", "۱۴۰۵-۰۱-۰۱",
                  "--to", "۱۴۰۵-۰۶-۳۱", "--by", "region", "--out", str(csv))
    assert result.returncode == 0, result.stderr
    lines = csv.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("group,received,done,not_actionable,in_progress")
    assert any(line.startswith("1,1,") for line in lines[1:])
