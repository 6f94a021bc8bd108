"""``daftar-server apikey add | revoke | list``: the key alone on the last line, only
its hash stored, a revoked key refused at once; the contract's one-line errors."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from sync.server.app import create_app
from sync.server.models import ApiClient
from sync.server.open311.keys import KEY_PREFIX, hash_key
from tests.sync.server.test_cli import REFERENCE, last_line, one_error_line, rows, run, script


@pytest.fixture
def url(centre_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    """A migrated centre with the shipped reference data loaded."""
    assert run(centre_url, "reference", "load", str(REFERENCE)) == 0
    capsys.readouterr()
    return centre_url


def _post(database: str, key: str) -> int:
    with TestClient(create_app(database)) as client:
        return client.post("/open311/v2/requests.json", data={
            "api_key": key, "service_code": "garbage", "address_id": "fin",
            "description": "زباله"}).status_code


def test_add_prints_the_key_last_and_stores_only_its_hash(
        url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(url, "apikey", "add", "website") == 0
    key = last_line(capsys.readouterr().out)
    assert key.startswith(KEY_PREFIX) and len(key) > 40 and " " not in key
    (client,) = rows(url, sa.select(ApiClient))
    assert (client.name, client.key_hash, client.revoked_at) == ("website", hash_key(key), None)
    assert key not in repr(vars(client))
    assert _post(url, key) == 201


def test_revoke_stops_the_key_and_list_shows_each_client(
        url: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(url, "apikey", "add", "website")
    website = last_line(capsys.readouterr().out)
    run(url, "apikey", "add", "تاکسی‌یار")
    app = last_line(capsys.readouterr().out)
    assert _post(url, website) == 201
    assert run(url, "apikey", "revoke", "website") == 0
    assert "revoked" in capsys.readouterr().out
    assert (_post(url, website), _post(url, app)) == (403, 201)
    assert run(url, "apikey", "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines] == ["website", "تاکسی‌یار"]
    assert lines[0].split("\t")[1].startswith("revoked") and lines[0].endswith("requests: 1")
    assert lines[1].split("\t")[1] == "active" and lines[1].endswith("requests: 1")


@pytest.mark.parametrize("args", [
    ("apikey", "revoke", "nobody"),
    ("apikey", "add", ""),
    ("apikey", "add", "x" * 101),
])
def test_failures_are_one_line_and_non_zero(url: str, capsys: pytest.CaptureFixture[str],
                                            args: tuple[str, ...]) -> None:
    assert run(url, *args) != 0
    one_error_line(capsys.readouterr().err)


def test_a_name_twice_or_a_revoked_key_revoked_again_is_refused(
        url: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(url, "apikey", "add", "website")
    capsys.readouterr()
    assert run(url, "apikey", "add", "website") == 1
    assert "already exists" in one_error_line(capsys.readouterr().err)
    run(url, "apikey", "revoke", "website")
    capsys.readouterr()
    assert run(url, "apikey", "revoke", "website") == 1
    assert "already revoked" in one_error_line(capsys.readouterr().err)


def test_help_works_on_each_command() -> None:
    for args in (("apikey", "--help"), ("apikey", "add", "--help"), ("apikey", "revoke", "--help"),
                 ("apikey", "list", "--help")):
        done = script(*args)
        assert done.returncode == 0 and "usage:" in done.stdout, (args, done.stderr)
