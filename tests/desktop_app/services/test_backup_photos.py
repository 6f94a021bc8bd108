"""The daily backup and photos: each photo is copied once into the backups' shared
photo folder (the next day copies only the new ones), pruned with the backups that
name it, and a restore gives back every photo the restored database names."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

from desktop_app.services.attachments import Attachments
from desktop_app.store import backup
from desktop_app.store.db import open_store
from sync.dates import TEHRAN
from tests.factories import CLERK, MANAGER, make_request, office


def _day(d: int) -> dt.datetime:
    return dt.datetime(2026, 4, d, 9, 0, tzinfo=TEHRAN)


def _photo(size: int) -> bytes:
    return b"\xff\xd8\xff\xe0" + os.urandom(size)


def _kept(folder: Path) -> dict[str, int]:
    """The backups' photos: name -> the time its file was last written."""
    return {p.name: p.stat().st_mtime_ns for p in (folder / "backups" / "photos").glob("??/*")}


def test_photos_are_backed_up_once_and_every_one_comes_back_on_restore(tmp_path: Path) -> None:
    store = office(tmp_path)
    request = make_request(store)
    shelf = Attachments(store.sessions, CLERK)
    first = {shelf.attach(request.id, filename=f"{i}.jpg", media_type="image/jpeg",
                          content=_photo(5000 + i)).id: None for i in range(3)}
    day1 = backup.daily_backup(tmp_path, now=_day(1))
    assert day1 is not None
    after_day1 = _kept(tmp_path)
    assert len(after_day1) == 3

    extra = shelf.attach(request.id, filename="new.jpg", media_type="image/jpeg", content=_photo(7000))
    contents = {a.id: shelf.read(a.id).content for a in shelf.of_request(request.id)}
    day2 = backup.daily_backup(tmp_path, now=_day(2))
    after_day2 = _kept(tmp_path)
    # Incremental: the three photos of day 1 were not copied again, the new one was.
    assert len(after_day2) == 4 and {k: after_day2[k] for k in after_day1} == after_day1

    # Disaster: the photo folder is lost and a photo removed; day 2 is restored.
    Attachments(store.sessions, MANAGER).remove(extra.id)
    store.close()
    for path in sorted((tmp_path / "photos").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    backup.request_restore(tmp_path, day2)
    store = open_store(tmp_path)
    shelf = Attachments(store.sessions, CLERK)
    assert {a.id for a in shelf.of_request(request.id)} == set(contents)
    assert {a: shelf.read(a).content for a in contents} == contents
    store.close()

    # Day 1's backup restored: its three photos, byte for byte.
    backup.request_restore(tmp_path, day1)
    store = open_store(tmp_path)
    shelf = Attachments(store.sessions, CLERK)
    assert {a.id for a in shelf.of_request(request.id)} == set(first)
    assert all(shelf.read(a).content == contents[a] for a in first)
    store.close()


def test_a_photo_no_kept_backup_names_is_pruned(tmp_path: Path) -> None:
    store = office(tmp_path)
    request = make_request(store)
    shelf = Attachments(store.sessions, MANAGER)
    gone = shelf.attach(request.id, filename="gone.jpg", media_type="image/jpeg", content=_photo(900))
    backup.daily_backup(tmp_path, now=_day(1), keep=1)
    shelf.remove(gone.id)
    stays = _photo(800)
    shelf.attach(request.id, filename="stays.jpg", media_type="image/jpeg", content=stays)
    backup.daily_backup(tmp_path, now=_day(2), keep=1)  # day 1 is pruned, and its photo
    assert list(_kept(tmp_path)) == [hashlib.sha256(stays).hexdigest()]
    store.close()


def test_no_photo_is_pruned_while_a_kept_backup_cannot_be_read(tmp_path: Path) -> None:
    store = office(tmp_path)
    request = make_request(store)
    shelf = Attachments(store.sessions, MANAGER)
    content = _photo(900)
    photo = shelf.attach(request.id, filename="old.jpg", media_type="image/jpeg", content=content)
    day1 = backup.daily_backup(tmp_path, now=_day(1), keep=5)
    assert day1 is not None and len(_kept(tmp_path)) == 1
    shelf.remove(photo.id)
    # Day 1's backup is damaged: which photos it names cannot be known, so none goes.
    day1.write_bytes(b"not a database" * 100)
    backup.daily_backup(tmp_path, now=_day(2), keep=5)
    assert list(_kept(tmp_path)) == [hashlib.sha256(content).hexdigest()]
    store.close()
