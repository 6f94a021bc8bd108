"""``daftar-server --help`` and ``--version`` load no command: neither SQLAlchemy, nor
the centre's models, nor Alembic, nor the HTTP app (speed: tests/bench/bench_commands.py)."""

from __future__ import annotations

import pytest

from tests.desktop_app.cli.test_startup import loaded_by


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["office", "--help"], ["office", "add", "--help"],
                                  ["apikey", "--help"], ["sms", "send-pending", "--help"], ["serve", "--help"]])
def test_help_and_version_load_no_command(argv: list[str]) -> None:
    printed, loaded = loaded_by("sync.server.cli", argv)
    assert loaded == []
    assert printed.startswith("daftar-server ") if argv == ["--version"] \
        else printed.startswith("usage: daftar-server")


def test_an_office_command_still_runs_when_asked(tmp_path) -> None:
    """The office commands are imported when one runs (sync.server.cli_parsers)."""
    url = f"sqlite:///{tmp_path / 'centre.sqlite3'}"
    printed, loaded = loaded_by("sync.server.cli", ["--database-url", url, "migrate"])
    assert "is at schema" in printed
    printed, loaded = loaded_by("sync.server.cli", ["--database-url", url, "office", "add", "Naheye 3",
                                                    "--all"])
    assert "sqlalchemy" in loaded
    printed, _ = loaded_by("sync.server.cli", ["--database-url", url, "office", "list"])
    assert "Naheye 3" in printed


def test_an_apikey_command_still_runs_when_asked(tmp_path) -> None:
    """The apikey commands are imported when one runs, like the office commands."""
    url = f"sqlite:///{tmp_path / 'centre.sqlite3'}"
    loaded_by("sync.server.cli", ["--database-url", url, "migrate"])
    printed, _ = loaded_by("sync.server.cli", ["--database-url", url, "apikey", "add", "website"])
    key = printed.strip().splitlines()[-1]
    printed, _ = loaded_by("sync.server.cli", ["--database-url", url, "apikey", "list"])
    assert "website" in printed and key not in printed
