"""Real processes and photos: ``daftar-server serve`` killed with ``kill -9`` while an
office's ``daftar sync`` is sending photos, and an office's ``daftar sync`` killed
while it fetches them; after restarts every photo is at the centre and at the
office, byte-identical, each attachment once, and no part left over."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from desktop_app.services.attachments import Attachments
from desktop_app.store.db import open_store
from desktop_app.store.photos import PhotoFolder
from sync import reference
from sync.server import db as centre_db
from sync.server import operations as ops
from sync.server.models import Attachment
from sync.server.reference_io import load_reference
from tests.sync.client.harness import CENTRE_ACTOR, D1, neighbourhood_of, office_actor
from tests.sync.test_processes import ROOT, Server, add_office, daftar, sync_until_done, wait_for

PHOTOS = 24
SIZE = 1_500_000


def _blobs(folder: Path) -> list[Path]:
    return [p for p in folder.glob("??/??/*") if p.is_file()]


def _parts(folder: Path) -> list[Path]:
    return [p for p in (folder / "parts").glob("*.part") if p.stat().st_size > 0] \
        if (folder / "parts").is_dir() else []


def test_kill_9_of_the_server_mid_upload_and_of_the_office_mid_download(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'centre.sqlite3'}"
    subprocess.run([sys.executable, "-m", "sync.server.cli", "--database-url", url, "migrate"], cwd=ROOT,
                   check=True, capture_output=True)
    engine = centre_db.open_engine(url)
    with centre_db.session_factory(engine).begin() as session:
        load_reference(session, reference.default())
        request_id = ops.intake(session, district_code=D1, category_code="garbage", description="عکس",
                                neighbourhood_code=neighbourhood_of(D1), actor=CENTRE_ACTOR,
                                citizen_phone="09121234567").id
        ops.refer(session, request_id, actor=CENTRE_ACTOR)
    blobs = tmp_path / "blobs"
    server = Server(url)
    server.start()
    try:
        up = tmp_path / "up"
        assert daftar(up, "enroll", server.base, add_office(url, "Up")).wait(60) == 0
        sync_until_done(up)
        contents = [b"\xff\xd8\xff\xe0" + os.urandom(SIZE - 4 + i) for i in range(PHOTOS)]
        with contextlib.closing(open_store(up)) as store:
            shelf = Attachments(store.sessions, office_actor(store))
            for i, content in enumerate(contents):
                shelf.attach(request_id, filename=f"{i}.jpg", media_type="image/jpeg", content=content)

        # ---- the server dies while photos go up (some in, one in part)
        client = daftar(up, "sync")
        wait_for(lambda: bool(_parts(blobs)) or len(_blobs(blobs)) >= PHOTOS or client.poll() is not None,
                 timeout=120)
        assert client.poll() is None and len(_blobs(blobs)) < PHOTOS, \
            "the upload was over before the server could be killed"
        server.kill()
        server.start()
        client.wait(180)
        sync_until_done(up)
        hashes = {hashlib.sha256(c).hexdigest(): c for c in contents}
        held = {p.name: p.read_bytes() for p in _blobs(blobs)}
        assert held == hashes and not _parts(blobs)
        with centre_db.session_factory(engine)() as session:
            rows = session.scalars(sa.select(Attachment.sha256)).all()
        assert sorted(rows) == sorted(hashes)  # each attachment once

        # ---- an office dies while it fetches them, twice
        down = tmp_path / "down"
        assert daftar(down, "enroll", server.base, add_office(url, "Down")).wait(60) == 0
        photos = PhotoFolder(down / "photos")
        interrupted = 0
        for _ in range(2):
            client = daftar(down, "sync")
            before = len(photos.all())
            wait_for(lambda before=before, client=client: len(photos.all()) > before
                     or client.poll() is not None, timeout=120)
            if client.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(client.pid, signal.SIGKILL)
                    interrupted += 1
            client.wait()
        assert interrupted, "the office fetched everything before it could be killed"
        assert len(photos.all()) < PHOTOS
        sync_until_done(down)
        assert {p.name: p.read_bytes() for p in photos.all()} == hashes
        with contextlib.closing(open_store(down)) as store:
            shelf = Attachments(store.sessions, office_actor(store))
            listed = shelf.of_request(request_id)
            assert len(listed) == len({a.id for a in listed}) == PHOTOS
            assert {hashlib.sha256(shelf.read(a.id).content).hexdigest() for a in listed} == set(hashes)
        assert not list((down / "photos" / "parts").glob("*.part"))
    finally:
        if server.process is not None and server.process.poll() is None:
            server.kill()
        engine.dispose()
