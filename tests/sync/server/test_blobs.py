"""Attachments at the centre: their metadata pushed (add/remove) and pulled in the
request's scope, their bytes sent and fetched by hash at ``/sync/blobs`` — in pieces,
verified, deduplicated, size-limited, and only for an office whose districts hold
an attachment with that hash."""

from __future__ import annotations

import hashlib
import os
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from sync.protocol import MAX_ATTACHMENT_BYTES, Op
from sync.server import operations as ops
from sync.server.models import Attachment
from sync.workflow import Status
from tests.sync.client.harness import (
    CENTRE_ACTOR,
    D1,
    D2,
    D3,
    Centre,
    auth_headers,
    mutation,
    pull_all,
    push,
    rows,
)


def photo(size: int = 300_000, seed: int = 1) -> bytes:
    """JPEG-ish bytes: the signature, then noise (photos do not compress)."""
    return b"\xff\xd8\xff\xe0" + os.urandom(size - 4) if seed else b""


def add(request_id: uuid.UUID, content: bytes, *, actor: str = "clerk", role: str = "clerk",
        kind: str = "before", **more: Any) -> dict[str, Any]:
    values = {"id": str(uuid.uuid4()), "sha256": hashlib.sha256(content).hexdigest(),
              "size": len(content), "media_type": "image/jpeg", "kind": kind, "internal": False,
              "filename": "عکس.jpg", "caption": ""}
    values.update(more)
    return mutation(Op.ADD_ATTACHMENT, request_id, {"attachment": values}, event=False,
                    actor=actor, role=role)


def put(client: TestClient, credential: str, content: bytes, *, start: int = 0,
        end: int | None = None, sha: str | None = None, total: int | None = None) -> Any:
    end = len(content) - 1 if end is None else end
    headers = {**auth_headers(credential),
               "Content-Range": f"bytes {start}-{end}/{total or len(content)}",
               "Content-Type": "application/octet-stream"}
    return client.put(f"/sync/blobs/{sha or hashlib.sha256(content).hexdigest()}",
                      content=content[start:end + 1], headers=headers)


@pytest.fixture
def world(centre_engine: sa.Engine) -> dict[str, Any]:
    centre = Centre.on(centre_engine)
    return {"centre": centre, "client": centre.client(),
            "a": centre.enrol(centre.add_office("A", [D1])),
            "b": centre.enrol(centre.add_office("B", [D2])),
            "z": centre.enrol(centre.add_office("Z", all_districts=True))}


def test_metadata_travels_in_the_request_scope_and_bytes_by_hash_in_pieces(world: dict[str, Any]) -> None:
    centre, client, a, b, z = (world[k] for k in ("centre", "client", "a", "b", "z"))
    request_id = centre.intake(D1)
    content = photo(2_500_000)
    sha = hashlib.sha256(content).hexdigest()
    # Before the metadata, the centre takes no bytes of this hash from anyone.
    assert put(client, a, content).status_code == 404
    (result,) = push(client, a, add(request_id, content))
    assert result["outcome"] == "applied", result
    # In three pieces, the second "lost" and sent again after asking where to go on.
    piece = 1024 * 1024
    assert put(client, a, content, end=piece - 1).json() == {
        "sha256": sha, "complete": False, "received": piece, "size": None}
    skipped = put(client, a, content, start=2 * piece)
    assert skipped.status_code == 409 and skipped.json()["code"] == "blob_offset"
    assert skipped.json()["received"] == piece
    status = client.get(f"/sync/blobs/{sha}/status", headers=auth_headers(a)).json()
    assert status["received"] == piece and not status["complete"]
    assert put(client, a, content, start=piece, end=2 * piece - 1).json()["received"] == 2 * piece
    done = put(client, a, content, start=2 * piece).json()
    assert done == {"sha256": sha, "complete": True, "received": len(content), "size": len(content)}

    # A's pull has the metadata (never the bytes); B's (D2) nothing of it; Z everything.
    (row,) = rows(pull_all(client, a), "attachments")
    assert row["sha256"] == sha and row["request_id"] == str(request_id) and row["added_by"] == "clerk"
    assert rows(pull_all(client, b), "attachments") == []
    assert len(rows(pull_all(client, z), "attachments")) == 1
    # Bytes: whole, and from an offset (a broken download goes on).
    whole = client.get(f"/sync/blobs/{sha}", headers=auth_headers(z))
    assert whole.status_code == 200 and whole.content == content
    rest = client.get(f"/sync/blobs/{sha}", headers={**auth_headers(a), "Range": "bytes=1000-"})
    assert rest.status_code == 206 and rest.content == content[1000:]
    assert rest.headers["content-range"] == f"bytes 1000-{len(content) - 1}/{len(content)}"
    assert client.get(f"/sync/blobs/{sha}", headers={**auth_headers(a), "Range": f"bytes={len(content)}-"}
                      ).status_code == 416


def test_an_office_gets_no_blob_outside_its_districts_until_the_request_moves_in(world: dict[str, Any]) -> None:
    centre, client, a, b = (world[k] for k in ("centre", "client", "a", "b"))
    request_id = centre.intake(D1)
    content = photo(1000)
    sha = hashlib.sha256(content).hexdigest()
    push(client, a, add(request_id, content))
    assert put(client, a, content).json()["complete"]
    # B serves D2: the same answer for another district's photo as for none at all.
    for answer in (client.get(f"/sync/blobs/{sha}", headers=auth_headers(b)),
                   client.get(f"/sync/blobs/{sha}/status", headers=auth_headers(b)),
                   put(client, b, content)):
        assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    missing = hashlib.sha256(b"none").hexdigest()
    assert client.get(f"/sync/blobs/{missing}", headers=auth_headers(a)).status_code == 404
    # The centre moves the request to D2: its photo goes along, A's no longer.
    cursor_b = pull_all(client, b)[-1]["next_cursor"]
    with centre.sessions.begin() as session:
        ops.move(session, request_id, D2, actor=CENTRE_ACTOR)
    (row,) = rows(pull_all(client, b, cursor_b), "attachments")
    assert row["sha256"] == sha
    assert client.get(f"/sync/blobs/{sha}", headers=auth_headers(b)).content == content
    assert client.get(f"/sync/blobs/{sha}", headers=auth_headers(a)).status_code == 404


def test_bytes_that_do_not_hash_to_their_name_are_refused_and_the_part_discarded(world: dict[str, Any]) -> None:
    centre, client, a = world["centre"], world["client"], world["a"]
    request_id = centre.intake(D1)
    content = photo(5000)
    push(client, a, add(request_id, content))
    forged = content[:-1] + bytes([content[-1] ^ 1])
    sha = hashlib.sha256(content).hexdigest()
    answer = put(client, a, forged, sha=sha)
    assert answer.status_code == 422 and answer.json()["code"] == "blob_hash_mismatch"
    status = client.get(f"/sync/blobs/{sha}/status", headers=auth_headers(a)).json()
    assert status == {"sha256": sha, "complete": False, "received": 0, "size": None}
    assert client.get(f"/sync/blobs/{sha}", headers=auth_headers(a)).status_code == 404
    assert put(client, a, content).json()["complete"]  # the true bytes, from the start


def test_a_blob_over_the_limit_is_refused_with_a_clear_message(world: dict[str, Any]) -> None:
    centre, client, a = world["centre"], world["client"], world["a"]
    request_id = centre.intake(D1)
    big = photo(1000)
    (refused,) = push(client, a, add(request_id, big, size=MAX_ATTACHMENT_BYTES + 1))
    assert refused["outcome"] == "rejected" and refused["code"] == "invalid_value"
    assert "size" in refused["message"] and str(MAX_ATTACHMENT_BYTES) in refused["message"]
    push(client, a, add(request_id, big))
    answer = put(client, a, big, end=999, total=MAX_ATTACHMENT_BYTES + 1)
    assert answer.status_code == 413 and answer.json()["code"] == "blob_too_large"
    assert "10 MiB" in answer.json()["message"]


def test_the_same_photo_twice_is_kept_once(world: dict[str, Any]) -> None:
    centre, client, a, z = (world[k] for k in ("centre", "client", "a", "z"))
    first, second = centre.intake(D1), centre.intake(D1)
    content = photo(3000)
    push(client, a, add(first, content))
    push(client, z, add(second, content, actor="clerk"))
    assert put(client, a, content).json()["complete"]
    # Z's upload of the same bytes is answered "complete" at once, its body unread.
    assert put(client, z, content, end=9).json()["complete"]
    blobs = world["centre"].app.state.blobs
    assert blobs.read(hashlib.sha256(content).hexdigest()) == content


def test_removal_is_the_adder_s_or_a_manager_s_and_offices_learn_it_by_pull(world: dict[str, Any]) -> None:
    centre, client, a = world["centre"], world["client"], world["a"]
    request_id = centre.intake(D1)
    added = add(request_id, photo(100))
    attachment_id = added["payload"]["attachment"]["id"]
    push(client, a, added)
    cursor = pull_all(client, a)[-1]["next_cursor"]
    remove = {"attachment_id": attachment_id}
    (refused,) = push(client, a, mutation(Op.REMOVE_ATTACHMENT, request_id, remove, event=False,
                                          actor="super", role="supervisor"))
    assert refused["outcome"] == "rejected" and refused["code"] == "role_not_allowed"
    (removed,) = push(client, a, mutation(Op.REMOVE_ATTACHMENT, request_id, remove, event=False,
                                          actor="boss", role="manager"))
    assert removed["outcome"] == "applied"
    (row,) = rows(pull_all(client, a, cursor), "attachments")
    assert row["removed_at"] is not None and row["removed_by"] == "boss"
    with centre.sessions() as session:
        assert session.get(Attachment, uuid.UUID(attachment_id)).removed_at is not None


def test_attachment_metadata_is_checked_by_the_rule_book(world: dict[str, Any]) -> None:
    centre, client, a = world["centre"], world["client"], world["a"]
    mine, theirs = centre.intake(D1), centre.intake(D3)
    content = photo(100)
    cases = [(add(theirs, content), "not_in_scope"),
             (add(mine, content, sha256="XYZ"), "invalid_value"),
             (add(mine, content, media_type="video/mp4"), "invalid_value"),
             (add(mine, content, kind="selfie"), "invalid_value"),
             # Unhashable values are a refusal, not a 500 that jams the office's outbox.
             (add(mine, content, kind=[]), "invalid_value"),
             (add(mine, content, media_type={"a": 1}), "invalid_value"),
             (add(mine, content, filename="x" * 300), "invalid_value"),
             (add(mine, content, actor="stranger", role="clerk"), "unknown_actor")]
    for pushed, code in cases:
        (result,) = push(client, a, pushed)
        assert (result["outcome"], result["code"]) == ("rejected", code), (code, result)


def test_only_a_citizen_s_own_photo_not_internal_is_public(world: dict[str, Any]) -> None:
    centre, client, a = world["centre"], world["client"], world["a"]
    request_id = centre.intake(D1)
    photos = {name: photo(700 + i) for i, name in enumerate(("own", "hidden", "street", "taken back"))}
    pushed = {"own": add(request_id, photos["own"], kind="citizen"),
              "hidden": add(request_id, photos["hidden"], kind="citizen", internal=True),
              "street": add(request_id, photos["street"], kind="after"),
              "taken back": add(request_id, photos["taken back"], kind="citizen")}
    push(client, a, *pushed.values())
    for content in photos.values():
        assert put(client, a, content).json()["complete"]
    gone = pushed["taken back"]["payload"]["attachment"]["id"]
    push(client, a, mutation(Op.REMOVE_ATTACHMENT, request_id, {"attachment_id": gone}, event=False))
    ids = {name: m["payload"]["attachment"]["id"] for name, m in pushed.items()}
    public = client.get(f"/media/{ids['own']}")  # no credential: it is public
    assert public.status_code == 200 and public.content == photos["own"]
    assert public.headers["content-type"] == "image/jpeg"
    assert public.headers["x-content-type-options"] == "nosniff"
    for name in ("hidden", "street", "taken back"):
        assert client.get(f"/media/{ids[name]}").status_code == 404, name
    assert client.get(f"/media/{uuid.uuid4()}").status_code == 404


def test_a_namesake_at_another_office_is_not_the_adder(world: dict[str, Any]) -> None:
    """Usernames are per office: Z's "clerk" is not A's "clerk" who added the photo."""
    centre, client, a, z = (world[k] for k in ("centre", "client", "a", "z"))
    request_id = centre.intake(D1)
    content = photo(100)
    added = add(request_id, content, actor="clerk")
    push(client, a, added)
    attachment_id = added["payload"]["attachment"]["id"]
    remarked = {**added, "mutation_id": str(uuid.uuid4()),
                "payload": {"attachment": {**added["payload"]["attachment"], "kind": "after"}}}
    (changed,) = push(client, z, remarked)
    assert (changed["outcome"], changed["code"]) == ("rejected", "role_not_allowed"), changed
    remove = mutation(Op.REMOVE_ATTACHMENT, request_id, {"attachment_id": attachment_id}, event=False,
                      actor="clerk", role="clerk")
    (refused,) = push(client, z, remove)
    assert (refused["outcome"], refused["code"]) == ("rejected", "role_not_allowed"), refused
    with centre.sessions() as session:
        kept = session.get(Attachment, uuid.UUID(attachment_id))
        assert kept.removed_at is None and kept.kind == "before"
    # The adder herself, at her own office, still may.
    (removed,) = push(client, a, {**remove, "mutation_id": str(uuid.uuid4())})
    assert removed["outcome"] == "applied", removed


def test_a_photo_of_a_request_closed_as_a_false_report_is_not_public(world: dict[str, Any]) -> None:
    centre, client, a = world["centre"], world["client"], world["a"]
    request_id = centre.intake(D1)
    content = photo(800)
    pushed = add(request_id, content, kind="citizen")
    push(client, a, pushed)
    assert put(client, a, content).json()["complete"]
    url = f"/media/{pushed['payload']['attachment']['id']}"
    assert client.get(url).status_code == 200
    with centre.sessions.begin() as session:
        ops.change_status(session, request_id, Status.NOT_ACTIONABLE, actor=CENTRE_ACTOR,
                          reason="false_report", note="گزارش نادرست بود")
    hidden = client.get(url)
    assert hidden.status_code == 404 and hidden.json()["code"] == "not_found"


def test_a_part_taken_away_by_another_senders_whole_put_finishes_as_the_blob(tmp_path: Any) -> None:
    """Two offices send the same photo: B's in one piece lands while A's last piece is
    in; B's put() removes A's part.  A's finish answers the blob (not a 500)."""
    from sync.server.blobs import BlobOffsetError, FolderBlobStore

    store = FolderBlobStore(tmp_path)
    content = photo(5000)
    sha = hashlib.sha256(content).hexdigest()
    assert store.append(sha, "office-a", 0, content) == len(content)
    store.put(sha, content)  # B, whole: also clears earlier parts of this hash
    assert store.received(sha, "office-a") == 0
    assert store.finish(sha, "office-a") == len(content)
    # A part gone with no blob at all: start again from byte 0, as a status says.
    other = photo(3000)
    other_sha = hashlib.sha256(other).hexdigest()
    store.append(other_sha, "office-a", 0, other)
    store._part(other_sha, "office-a").unlink()
    with pytest.raises(BlobOffsetError) as again:
        store.finish(other_sha, "office-a")
    assert again.value.received == 0
