"""``daftar demo`` end to end, without the window: a local centre, enrolment, sync."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop_app import demo
from desktop_app.services import sync_service
from desktop_app.services.users import sign_in
from desktop_app.store import models as m
from desktop_app.store.db import open_store
from sync.server.models import OfficeUser


@pytest.fixture(autouse=True)
def any_free_port(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo centre on a port the system picks, not the preferred 8137: two test
    runs at once (or a demo someone is running) would race for that one."""
    monkeypatch.setattr(demo, "PREFERRED_PORT", 0)


def _args(folder: Path, requests: int = 150) -> argparse.Namespace:
    return argparse.Namespace(data_dir=folder, requests=requests, no_window=True, lang=None)


def _office_counts(folder: Path) -> tuple[int, int]:
    store = open_store(folder / "office")
    try:
        with store.sessions() as session:
            requests = session.scalar(sa.select(sa.func.count()).select_from(m.ServiceRequest))
            users = session.scalar(sa.select(sa.func.count()).select_from(m.User))
        return requests or 0, users or 0
    finally:
        store.close()


SEED_TABLE = [  # shared/seed: region, received, done, not actionable, in progress
    "1,404,310,89,5", "2,993,698,285,10", "3,645,464,150,31", "4,400,327,71,2", "5,412,250,140,22",
]


def test_the_default_demo_reproduces_the_seed_table_through_sync_and_the_report(tmp_path: Path) -> None:
    from desktop_app.cli import DEMO_REQUESTS
    from desktop_app.cli import main as daftar

    assert demo.run_demo(_args(tmp_path, requests=DEMO_REQUESTS)) == 0
    out = tmp_path / "seed.csv"
    assert daftar(["--data-dir", str(tmp_path / "office"), "report", "summary", "--from",
                   "۱۴۰۵-۰۱-۰۱", "--to", "1405-06-31", "--by", "region", "--out", str(out)]) == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [",".join(line.split(",")[:5]) for line in lines[1:]] == SEED_TABLE


def test_demo_builds_a_centre_enrols_syncs_and_can_run_again(tmp_path: Path) -> None:
    assert demo.run_demo(_args(tmp_path)) == 0

    requests, users = _office_counts(tmp_path)
    assert requests == 150  # the demo office serves every district: it has them all
    assert users == len(demo.DEMO_USERS)
    store = open_store(tmp_path / "office")
    try:
        assert sync_service.is_enrolled(store)
        assert sign_in(store.sessions, "demo", "demo1234").role == "manager"
        # The users reached the centre before anyone's first change: nothing waits.
        assert sync_service.pending_count(store) == 0
        assert sync_service.open_problems(store) == []
    finally:
        store.close()
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'centre.sqlite3'}")
    try:
        with engine.connect() as conn:
            known = set(conn.execute(sa.select(OfficeUser.username, OfficeUser.role,
                                               OfficeUser.active)).all())
    finally:
        engine.dispose()
    assert known == {(username, role, True) for username, _, role, _ in demo.DEMO_USERS}

    # A second run reuses both databases: no second fill, no second set of users.
    assert demo.run_demo(_args(tmp_path, requests=999)) == 0
    assert _office_counts(tmp_path) == (150, len(demo.DEMO_USERS))
