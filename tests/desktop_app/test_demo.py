"""``daftar demo`` end to end, without the window: a local centre, enrolment, sync."""

from __future__ import annotations

import argparse
from pathlib import Path

import sqlalchemy as sa

from desktop_app import demo
from desktop_app.services import sync_service
from desktop_app.services.users import sign_in
from desktop_app.store import models as m
from desktop_app.store.db import open_store


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


def test_demo_builds_a_centre_enrols_syncs_and_can_run_again(tmp_path: Path) -> None:
    assert demo.run_demo(_args(tmp_path)) == 0

    requests, users = _office_counts(tmp_path)
    assert requests == 150  # the demo office serves every district: it has them all
    assert users == len(demo.DEMO_USERS)
    store = open_store(tmp_path / "office")
    try:
        assert sync_service.is_enrolled(store)
        assert sign_in(store.sessions, "demo", "demo1234").role == "manager"
    finally:
        store.close()

    # A second run reuses both databases: no second fill, no second set of users.
    assert demo.run_demo(_args(tmp_path, requests=999)) == 0
    assert _office_counts(tmp_path) == (150, len(demo.DEMO_USERS))
