"""Photos through sync, office to centre to office: metadata with the rows, bytes by
hash after them (smallest first), fetched by every office that holds the request,
never by one outside its districts; a moved request arrives with its photos; a cut
connection resumes where it stopped; a slow or failing blob never holds up rows."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from desktop_app.errors import ServiceError
from desktop_app.services import sync_service
from desktop_app.services.attachments import DEPARTED_FOLDER, Attachments
from desktop_app.store.db import Store
from desktop_app.store.photos import PhotoFolder
from sync.client import RetryPolicy
from sync.server import operations as ops
from sync.workflow import Role
from tests.desktop_app.services.sync_support import centre, client, office, sync
from tests.sync.client.harness import CENTRE_ACTOR, D1, D2, Centre, neighbourhood_of, office_actor

__all__ = ["centre", "client"]  # fixtures used by name


def jpeg(size: int) -> bytes:
    return b"\xff\xd8\xff\xe0" + os.urandom(size - 4)


def photos_of(store: Store, request_id: uuid.UUID) -> dict[str, bytes]:
    """The request's photos at the office: hash -> bytes (read through the service)."""
    shelf = Attachments(store.sessions, office_actor(store))
    return {a.filename: shelf.read(a.id).content for a in shelf.of_request(request_id)}


class Cutting(httpx.BaseTransport):
    """The centre, behind a line that breaks: the first ``cuts`` blob downloads stop
    after ``at`` bytes of their body; every request's path is noted."""

    def __init__(self, centre: TestClient, cuts: int = 0, at: int = 0, no_puts: bool = False):
        self.centre, self.cuts, self.at, self.no_puts = centre, cuts, at, no_puts
        self.paths: list[tuple[str, str, str]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.paths.append((request.method, request.url.path, request.headers.get("range", "")))
        if request.method == "PUT" and self.no_puts:
            raise httpx.ConnectError("no line for bytes", request=request)
        answer = self.centre.request(request.method, str(request.url), content=request.content,
                                     headers=dict(request.headers))
        body = answer.content
        if request.method == "GET" and request.url.path.count("/") == 3 \
                and request.url.path.startswith("/sync/blobs/") and self.cuts:
            self.cuts -= 1
            at = self.at

            def broken() -> Iterator[bytes]:
                yield body[:at]
                raise httpx.ReadError("the line broke")

            return httpx.Response(answer.status_code, headers=answer.headers, stream=_Stream(broken()))
        return httpx.Response(answer.status_code, headers=answer.headers, content=body)


class _Stream(httpx.SyncByteStream):
    def __init__(self, parts: Iterator[bytes]):
        self.parts = parts

    def __iter__(self) -> Iterator[bytes]:
        yield from self.parts


@pytest.fixture
def offices(tmp_path: Path, centre: Centre, client: TestClient) -> dict[str, Store]:
    stores = {"A": office(tmp_path, centre, client, (D1,), "A", "a"),
              "B": office(tmp_path, centre, client, (D2,), "B", "b"),
              "Z": office(tmp_path, centre, client, (D1, D2), "Z", "z")}
    yield stores
    for store in stores.values():
        store.close()


def test_photos_reach_every_office_holding_the_request_and_go_along_when_it_moves(
        centre: Centre, client: TestClient, offices: dict[str, Store]) -> None:
    a, b, z = offices["A"], offices["B"], offices["Z"]
    request = centre.intake(D1)
    for store in (a, b, z):
        sync(store, client)
    shelf = Attachments(a.sessions, office_actor(a))
    big, small = jpeg(1_500_000), jpeg(40_000)
    shelf.attach(request, filename="big.jpg", media_type="image/jpeg", content=big, kind="before")
    shelf.attach(request, filename="small.jpg", media_type="image/jpeg", content=small, kind="after")

    line = Cutting(client)
    with httpx.Client(transport=line, base_url="http://localhost") as cut:
        report = sync_service.sync_once(a, client=cut)
    assert (report.applied, report.blobs.sent, report.blobs.failed) == (2, 2, 0)
    puts = [path for method, path, _ in line.paths if method == "PUT"]
    # Smallest first, after the rows (push and pull) of the round.
    assert puts[0].endswith(hashlib.sha256(small).hexdigest())
    first_put = next(i for i, (method, _, _) in enumerate(line.paths) if method == "PUT")
    assert all(not path.startswith("/sync/p") for _, path, _ in line.paths[first_put:])

    report = sync(z, client)
    assert report.blobs.fetched == 2
    assert photos_of(z, request) == {"big.jpg": big, "small.jpg": small}
    assert sync(b, client).blobs.fetched == 0 and not PhotoFolder.beside(b.db_path).all()

    # Moved to D2: B gets the request with both photos; A lets it go without writing
    # them out (the centre has their bytes).
    with centre.sessions.begin() as session:
        ops.move(session, request, D2, actor=CENTRE_ACTOR, neighbourhood_code=neighbourhood_of(D2))
    assert sync(b, client).blobs.fetched == 2
    assert photos_of(b, request) == {"big.jpg": big, "small.jpg": small}
    sync(a, client)
    assert not (a.folder / DEPARTED_FOLDER).exists()


def test_a_broken_download_goes_on_from_where_it_stopped(
        centre: Centre, client: TestClient, offices: dict[str, Store]) -> None:
    a, z = offices["A"], offices["Z"]
    request = centre.intake(D1)
    sync(a, client)
    content = jpeg(800_000)
    Attachments(a.sessions, office_actor(a)).attach(request, filename="x.jpg",
                                                    media_type="image/jpeg", content=content)
    sync(a, client)
    line = Cutting(client, cuts=2, at=300_000)
    with httpx.Client(transport=line, base_url="http://localhost") as cut:
        # One retry only: the round ends with the blob failed, the rows all in.
        report = sync_service.sync_once(z, client=cut, retry=RetryPolicy(attempts=2, first_delay=0.001))
        assert (report.blobs.fetched, report.blobs.failed) == (0, 1)
        assert report.rows_finished_at is not None
        with pytest.raises(ServiceError) as not_here:
            photos_of(z, request)
        assert not_here.value.code == "attachment_not_here"
        report = sync_service.sync_once(z, client=cut)
    assert report.blobs.fetched == 1 and photos_of(z, request) == {"x.jpg": content}
    ranges = [r for method, path, r in line.paths if method == "GET" and path.count("/") == 3
              and path.startswith("/sync/blobs/")]
    # Each attempt asks from where the part ends: nothing is fetched twice.
    assert ranges == ["", "bytes=300000-", "bytes=600000-"]


def test_a_photo_whose_request_left_before_its_bytes_went_up_still_reaches_the_new_district(
        tmp_path: Path, centre: Centre, client: TestClient, offices: dict[str, Store]) -> None:
    a, b = offices["A"], offices["B"]
    request = centre.intake(D1)
    sync(a, client)
    content = jpeg(5000)
    Attachments(a.sessions, office_actor(a)).attach(request, filename="late.jpg",
                                                    media_type="image/jpeg", content=content)
    # The metadata reaches the centre, the bytes do not (no line for them) …
    with httpx.Client(transport=Cutting(client, no_puts=True), base_url="http://localhost") as cut:
        report = sync_service.sync_once(a, client=cut, retry=RetryPolicy(attempts=2, first_delay=0.001))
    assert (report.applied, report.blobs.sent, report.blobs.failed) == (1, 0, 1)
    # … and the centre moves the request away before the next round.
    with centre.sessions.begin() as session:
        ops.move(session, request, D2, actor=CENTRE_ACTOR, neighbourhood_code=neighbourhood_of(D2))
    report = sync(a, client)  # the request leaves A; its photo's bytes still go up
    assert report.blobs.sent == 1
    assert list((a.folder / DEPARTED_FOLDER).rglob("*.jpg"))  # and a copy stays at A
    sync(b, client)
    assert photos_of(b, request) == {"late.jpg": content}
    assert sync(a, client).blobs.sent == 0  # sent once


def test_a_photo_is_removed_everywhere(centre: Centre, client: TestClient, offices: dict[str, Store]) -> None:
    a, z = offices["A"], offices["Z"]
    request = centre.intake(D1)
    sync(a, client)
    added = Attachments(a.sessions, office_actor(a)).attach(
        request, filename="x.jpg", media_type="image/jpeg", content=jpeg(3000))
    sync(a, client)
    sync(z, client)
    assert len(photos_of(z, request)) == 1
    Attachments(a.sessions, office_actor(a, Role.MANAGER, "boss")).remove(added.id)
    assert sync(a, client).applied == 1
    sync(z, client)
    assert photos_of(z, request) == {}
