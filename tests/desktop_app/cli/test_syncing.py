"""``daftar enroll`` and ``daftar sync``: one line on failure, the round's counts on success."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from desktop_app.cli import main as daftar
from desktop_app.services import sync_service
from desktop_app.store.db import open_store
from tests.desktop_app.services.sync_support import (
    centre,
    client,
    office,
)
from tests.sync.client.harness import (
    D1,
    Centre,
)

__all__ = ["centre", "client"]  # fixtures used by name


def test_daftar_sync_fails_with_one_line_when_not_enrolled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert daftar(["--data-dir", str(tmp_path), "sync"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["daftar: error: this office has not joined a centre: run `daftar enroll URL CODE`"]


def test_daftar_enroll_refuses_plain_http_to_another_computer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert daftar(["--data-dir", str(tmp_path), "enroll", "http://10.0.0.7:8137", "ABCD"]) == 1
    assert "--allow-insecure" in capsys.readouterr().err


def test_daftar_sync_reports_the_round(tmp_path: Path, centre: Centre, client: TestClient,
                                       capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    store = office(tmp_path, centre, client)
    store.close()
    centre.intake(D1)
    real = sync_service.sync_once
    monkeypatch.setattr(sync_service, "sync_once", lambda s, **kw: real(s, client=client, **kw))
    assert daftar(["--data-dir", str(tmp_path / "office"), "sync"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("sync: pushed 0 (0 applied, 0 rejected, 0 conflicts), pulled ")
    assert out.rstrip().endswith("1 new referrals")
    assert dt.datetime.now(dt.timezone.utc) - sync_service.last_sync_at(open_store(tmp_path / "office")) \
        < dt.timedelta(minutes=1)
