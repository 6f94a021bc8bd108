from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from desktop_app.store import backup
from desktop_app.store import models as m
from desktop_app.store.db import DB_NAME, open_store
from sync.dates import TEHRAN
from tests import factories


def _day(y: int, mo: int, d: int) -> dt.datetime:
    return dt.datetime(y, mo, d, 9, 0, tzinfo=TEHRAN)


def test_daily_backup_is_consistent_while_in_use_and_taken_once_a_day(tmp_path: Path) -> None:
    store = factories.office(tmp_path)
    request = factories.make_request(store)
    # A writer holds a transaction open, half done, as a sync round might.
    with store.engine.connect() as writer:
        writer.execute(sa.update(m.ServiceRequest).values(description="half-written"))
        made = backup.daily_backup(tmp_path, now=_day(2026, 4, 1))
        writer.rollback()
    assert made is not None and made.name == "office-2026-04-01.sqlite3"
    assert backup.daily_backup(tmp_path, now=_day(2026, 4, 1)) is None
    backup.check(made)
    assert open_store_readonly(made) == [request.tracking_code]
    engine = sa.create_engine(f"sqlite:///{made}")
    with engine.connect() as conn:  # the backup holds the last committed state only
        assert conn.execute(sa.select(m.ServiceRequest.description)).scalar() != "half-written"
    engine.dispose()
    store.close()


def open_store_readonly(path: Path) -> list[str]:
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        codes = list(conn.execute(sa.select(m.ServiceRequest.tracking_code)).scalars())
    engine.dispose()
    return codes


def test_old_backups_are_pruned_to_keep(tmp_path: Path) -> None:
    factories.office(tmp_path).close()
    for day in range(1, 6):
        backup.daily_backup(tmp_path, keep=3, now=_day(2026, 4, day))
    assert [b.day.day for b in backup.backups(tmp_path)] == [5, 4, 3]


def test_restore_moves_the_current_database_aside(tmp_path: Path) -> None:
    store = factories.office(tmp_path)
    factories.make_request(store, tracking_code="1405000001")
    store.close()
    taken = backup.daily_backup(tmp_path, now=_day(2026, 4, 1))
    assert taken is not None
    store = open_store(tmp_path)
    factories.make_request(store, tracking_code="1405000002")
    store.close()

    aside = backup.restore(tmp_path, taken, now=_day(2026, 4, 2))

    assert open_store_readonly(tmp_path / DB_NAME) == ["1405000001"]
    assert sorted(open_store_readonly(aside)) == ["1405000001", "1405000002"]
    reopened = open_store(tmp_path)  # the restored file opens and migrates like any other
    reopened.close()


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 100])
def test_a_broken_backup_is_refused_and_nothing_is_replaced(tmp_path: Path, content: bytes) -> None:
    factories.office(tmp_path).close()
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(content)
    before = (tmp_path / DB_NAME).read_bytes()
    with pytest.raises(backup.BackupError):
        backup.restore(tmp_path, bad)
    assert (tmp_path / DB_NAME).read_bytes() == before


def test_a_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    engine = sa.create_engine(f"sqlite:///{other}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (x)"))
    engine.dispose()
    with pytest.raises(backup.BackupError, match="not a Daftar office database"):
        backup.check(other)


def test_a_database_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    from desktop_app.store.db import NewerDatabaseError

    factories.office(tmp_path).close()
    engine = sa.create_engine(f"sqlite:///{tmp_path / DB_NAME}")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'ffffffffffff'"))
    engine.dispose()
    before = (tmp_path / DB_NAME).read_bytes()
    with pytest.raises(NewerDatabaseError, match="newer version of Daftar"):
        open_store(tmp_path)
    assert (tmp_path / DB_NAME).read_bytes() == before
    assert not list(tmp_path.glob(f"{DB_NAME}.bak-*"))


def test_a_requested_restore_happens_at_the_next_opening(tmp_path: Path) -> None:
    store = factories.office(tmp_path)
    factories.make_request(store, tracking_code="1405000001")
    taken = backup.daily_backup(tmp_path, now=_day(2026, 4, 1))
    assert taken is not None
    factories.make_request(store, tracking_code="1405000002")
    backup.request_restore(tmp_path, taken)  # while the store is still open
    assert sorted(open_store_readonly(tmp_path / DB_NAME)) == ["1405000001", "1405000002"]
    store.close()

    reopened = open_store(tmp_path)
    reopened.close()
    assert open_store_readonly(tmp_path / DB_NAME) == ["1405000001"]
    assert not (tmp_path / backup.PENDING).exists()
    assert len(list(tmp_path.glob(f"{DB_NAME}.before-restore-*"))) == 1


def test_a_bad_backup_cannot_even_be_requested(tmp_path: Path) -> None:
    factories.office(tmp_path).close()
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"junk" * 100)
    with pytest.raises(backup.BackupError):
        backup.request_restore(tmp_path, bad)
    assert not (tmp_path / backup.PENDING).exists()
