"""Backups as the window sees them: listed newest first with their size, taken once
a day, and a restore that is only asked for (it happens at the next start)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from desktop_app.services import backups
from desktop_app.store import backup
from tests.factories import office


def test_a_backup_taken_now_is_listed_with_its_day_and_size(tmp_path: Path) -> None:
    store = office(tmp_path)
    try:
        assert backups.list_backups(store) == ()
        taken = backups.back_up_now(store)
        assert taken is not None and taken.exists()
        assert backups.back_up_now(store) is None  # once a day

        (listed,) = backups.list_backups(store)
        assert listed == backups.BackupInfo(taken, listed.day, taken.stat().st_size)
        assert abs((listed.day - dt.date.today()).days) <= 1  # Tehran's day, not the machine's
        assert listed.size > 0

        backups.request_restore(store, listed.path)
        assert (tmp_path / backup.PENDING).exists()
        with pytest.raises(backups.BackupError):
            backups.request_restore(store, tmp_path / "no-such-backup.sqlite3")
    finally:
        store.close()
