"""``daftar-server``: the command-line contract (DESIGN.md, "Contracts").

Most tests call :func:`main` in-process; a few run it as a separate process, as
schedulers and the acceptance checks do, to pin exit codes and standard error.  Those
run this checkout's code (``python -m sync.server.cli``), whatever is installed; one
runs the installed ``daftar-server`` script itself, which is what users run, after
checking that it runs this checkout.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from sync.dates import utcnow
from sync.server import db
from sync.server.cli import main
from sync.server.enrolment import normalise_enrolment_code
from sync.server.models import (
    Category,
    ChangeLog,
    Device,
    District,
    Office,
    OfficeDistrict,
    REFERENCE_MODELS,
)
from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = Path(sys.executable).with_name("daftar-server")
REFERENCE = ROOT / "resources/reference/kashan-reference.json"
CODE = re.compile(r"^[2-9A-HJKMNP-Z]{4}(-[2-9A-HJKMNP-Z]{4}){3}$")


def run(url: str, *args: str) -> int:
    return main(["--database-url", url, *args])


def one_error_line(err: str) -> str:
    """The contract: a failure is exactly one line on standard error."""
    assert err.count("\n") == 1, err
    assert err.startswith("daftar-server: error: "), err
    return err


def last_line(text: str) -> str:
    return text.rstrip("\n").splitlines()[-1]


def rows(url: str, statement: Any) -> list[Any]:
    engine = db.open_engine(url)
    try:
        with Session(engine) as session:
            return list(session.scalars(statement))
    finally:
        engine.dispose()


@pytest.fixture
def url(centre_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    """A migrated centre with the shipped reference data loaded."""
    assert run(centre_url, "reference", "load", str(REFERENCE)) == 0
    capsys.readouterr()
    return centre_url


# ------------------------------------------------------- as a separate process


def _with_checkout(env: dict[str, str] | None) -> dict[str, str]:
    """``env`` (default: this process's) with this checkout first on the import path."""
    env = dict(os.environ if env is None else env)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def script(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``daftar-server *args`` from this checkout, in its own process."""
    return subprocess.run(
        [sys.executable, "-m", "sync.server.cli", *args], capture_output=True, text=True,
        timeout=120, env=_with_checkout(env), cwd=ROOT,
    )


def installed_script() -> Path:
    """The installed ``daftar-server``, if it runs this checkout's code; otherwise the
    test is skipped with the reason (a failure under CI, which installs the checkout)."""
    problem = None
    if not SCRIPT.exists():
        problem = f"no daftar-server beside {sys.executable}"
    else:
        # Import the CLI as the script does: from the script's own folder, with this
        # environment, so that the editable install or PYTHONPATH decide, as for users.
        where = subprocess.run(
            [sys.executable, "-c", "import sync.server.cli as c; print(c.__file__)"],
            capture_output=True, text=True, timeout=120, cwd=SCRIPT.parent,
        )
        runs = Path(where.stdout.strip()).resolve() if where.returncode == 0 else None
        if runs != ROOT / "sync" / "server" / "cli.py":
            problem = (f"the installed {SCRIPT} runs {runs or where.stderr.strip()}, not this "
                       f"checkout ({ROOT}): install it (pip install -e) or set PYTHONPATH")
    if problem:
        if IN_CI:
            pytest.fail(problem, pytrace=False)
        pytest.skip(problem)
    return SCRIPT


def test_the_installed_console_script_runs_this_checkout() -> None:
    """What users run: the console script itself, not the module."""
    installed = installed_script()
    version = subprocess.run([str(installed), "--version"], capture_output=True, text=True,
                             timeout=120)
    assert version.returncode == 0, version.stderr
    assert version.stdout == script("--version").stdout
    usage = subprocess.run([str(installed), "frobnicate"], capture_output=True, text=True,
                           timeout=120)
    assert usage.returncode == 2
    assert "invalid choice: 'frobnicate'" in one_error_line(usage.stderr)


def test_the_command_prints_its_version_and_help() -> None:
    version = script("--version")
    assert version.returncode == 0
    assert re.fullmatch(r"daftar-server \d+\.\d+\.\d+\S*\n", version.stdout)
    usage = script("--help")
    assert usage.returncode == 0
    for command in ("migrate", "serve", "reference", "import", "office", "demo-data"):
        assert command in usage.stdout
    assert script("import", "--help").returncode == 0


def test_the_command_fails_with_one_line_and_a_non_zero_code(tmp_path: Path) -> None:
    missing = f"sqlite:///{tmp_path / 'none.sqlite3'}"
    failed = script("--database-url", missing, "office", "list")
    assert failed.returncode == 1
    assert "run `daftar-server migrate` first" in one_error_line(failed.stderr)
    assert not (tmp_path / "none.sqlite3").exists()

    usage = script("frobnicate")
    assert usage.returncode == 2
    assert "invalid choice: 'frobnicate'" in one_error_line(usage.stderr)
    assert usage.stdout == ""


def test_the_command_migrates_a_new_database_from_database_url(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'centre.sqlite3'}", "PATH": "/usr/bin:/bin"}
    migrated = script("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    assert script("office", "list", env=env).returncode == 0


# ------------------------------------------------------------------------- parser


@pytest.mark.parametrize(
    "command",
    [
        [], ["migrate"], ["serve"], ["reference"], ["reference", "load"], ["import"],
        ["office"], ["office", "add"], ["office", "code"], ["office", "revoke"],
        ["office", "list"], ["demo-data"],
    ],
)
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, "--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: daftar-server")


def test_version_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("daftar-server ")


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["office", "add", "x"], "one of the arguments --districts --all is required"),
        (["office", "add", "x", "--all", "--districts", "1-1"], "not allowed with argument"),
        (["demo-data", "--requests", "0"], "'0' must be 1 or more"),
        (["serve", "--port", "70000"], "'70000' is not a port"),
    ],
)
def test_usage_errors_are_one_line_with_exit_code_2(
    argv: list[str], reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = one_error_line(capsys.readouterr().err)
    assert reason in err and "--help`)" in err


# ----------------------------------------------------------------------- database


def test_migrate_creates_and_then_leaves_a_current_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    assert run(url, "migrate") == 0
    assert run(url, "migrate") == 0
    assert "is at schema" in last_line(capsys.readouterr().out)
    engine = db.open_engine(url)
    assert db.is_current(engine)
    engine.dispose()


def test_migrate_on_an_existing_centre_is_harmless(
    centre_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(centre_url, "migrate") == 0


def test_commands_on_a_database_without_tables_say_to_migrate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "empty.sqlite3"
    sa.create_engine(f"sqlite:///{path}").connect().close()
    path.touch()
    assert run(f"sqlite:///{path}", "office", "list") == 1
    assert "has no Daftar tables: run `daftar-server migrate` first" in one_error_line(
        capsys.readouterr().err
    )


def test_a_database_from_a_newer_version_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    assert run(url, "migrate") == 0
    engine = db.open_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'fffffffffff0'"))
    engine.dispose()
    capsys.readouterr()
    assert run(url, "migrate") == 1
    assert "shaped by a newer daftar-server" in one_error_line(capsys.readouterr().err)


def test_database_url_comes_from_the_environment(
    centre_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", centre_url)
    assert main(["reference", "load", str(REFERENCE)]) == 0
    assert rows(centre_url, sa.select(sa.func.count()).select_from(District)) == [11]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("nosuchdb://x", "not a database URL"),
        ("postgresql://postgres:secret@127.0.0.1:1/none", "cannot use the database"),
    ],
)
def test_a_database_that_cannot_be_used_is_one_clear_error(
    url: str, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(url, "office", "list") == 1
    err = one_error_line(capsys.readouterr().err)
    assert reason in err
    assert "secret" not in err


# ---------------------------------------------------------------------- reference


def test_reference_load_fills_every_table_and_logs_each_row(
    centre_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(centre_url, "reference", "load", str(REFERENCE)) == 0
    assert "68 added, 0 changed, 0 unchanged" in capsys.readouterr().out
    total = sum(
        rows(centre_url, sa.select(sa.func.count()).select_from(m))[0] for m in REFERENCE_MODELS
    )
    log = rows(centre_url, sa.select(ChangeLog).order_by(ChangeLog.seq))
    assert len(log) == total == 68
    assert {(c.entity, c.district_code, c.op) for c in log} == {("reference", None, "upsert")}
    keys = {c.entity_key for c in log}
    assert {"region:1", "district:1-1", "neighbourhood:bazaar", "category:asphalt",
            "category_family:technical", "channel:sms", "reason:duplicate"} <= keys


def test_reference_load_twice_changes_and_logs_nothing(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    log_before = rows(url, sa.select(sa.func.count()).select_from(ChangeLog))
    assert run(url, "reference", "load", str(REFERENCE)) == 0
    assert "0 added, 0 changed, 68 unchanged" in capsys.readouterr().out
    assert rows(url, sa.select(sa.func.count()).select_from(ChangeLog)) == log_before


def test_reference_load_of_an_edited_file_logs_only_what_changed(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    asphalt = next(c for c in data["categories"] if c["code"] == "asphalt")
    asphalt["target_days"] = 10
    data["categories"].append(
        {"code": "lighting", "family": "city_services", "name_fa": "روشنایی معابر",
         "name_en": "Street lighting", "target_days": 3}
    )
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    last_seq = rows(url, sa.select(sa.func.max(ChangeLog.seq)))[0]
    assert run(url, "reference", "load", str(edited)) == 0
    assert "1 added, 1 changed" in capsys.readouterr().out
    log = rows(url, sa.select(ChangeLog.entity_key).where(ChangeLog.seq > last_seq))
    assert sorted(log) == ["category:asphalt", "category:lighting"]
    assert rows(url, sa.select(Category.target_days).where(Category.code == "asphalt")) == [10]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"regions": [', "not valid JSON at line 1"),
        ('{"regions": [{"number": 1, "name_fa": "یک", "name_en": "One"}]}',
         "regions[0]: 'districts' must be a non-empty list"),
    ],
)
def test_a_broken_reference_file_is_one_clear_error_and_loads_nothing(
    centre_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str,
    reason: str,
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text(content, encoding="utf-8")
    assert run(centre_url, "reference", "load", str(broken)) == 1
    err = one_error_line(capsys.readouterr().err)
    assert reason in err and "fix the file" in err
    assert rows(centre_url, sa.select(sa.func.count()).select_from(District)) == [0]


def test_a_missing_reference_file_is_one_clear_error(
    centre_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(centre_url, "reference", "load", str(tmp_path / "none.json")) == 1
    assert "cannot read the file" in one_error_line(capsys.readouterr().err)


# ------------------------------------------------------------------------ offices


def office(url: str, name: str) -> Office:
    (found,) = rows(url, sa.select(Office).where(Office.name == name))
    return found


def test_office_add_prints_the_code_alone_on_the_last_line_and_keeps_only_a_hash(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(url, "office", "add", "ناحیه ۱ منطقه ۱", "--districts", "1-1,۱-۲") == 0
    code = last_line(capsys.readouterr().out)
    assert CODE.match(code), code
    added = office(url, "ناحیه ۱ منطقه ۱")
    assert added.number == 1 and not added.all_districts
    assert added.enrolment_code_hash.startswith("$argon2")
    assert code not in added.enrolment_code_hash
    assert code.replace("-", "") not in added.enrolment_code_hash
    assert PasswordHasher().verify(added.enrolment_code_hash, normalise_enrolment_code(code))
    left = added.enrolment_expires_at - utcnow()
    assert dt.timedelta(days=6, hours=23) < left <= dt.timedelta(days=7)
    scope = rows(url, sa.select(OfficeDistrict.district_code).where(
        OfficeDistrict.office_id == added.id))
    assert sorted(scope) == ["1-1", "1-2"]


def test_office_numbers_follow_on_and_all_covers_every_district(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(url, "office", "add", "one", "--districts", "1-1") == 0
    assert run(url, "office", "add", "centre", "--all") == 0
    centre = office(url, "centre")
    assert (centre.number, centre.all_districts) == (2, True)
    assert rows(url, sa.select(OfficeDistrict).where(OfficeDistrict.office_id == centre.id)) == []
    codes = [line for line in capsys.readouterr().out.splitlines() if CODE.match(line)]
    assert len(set(codes)) == 2


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--districts", "1-1,9-9,x"], "unknown district codes: 9-9, x (known: 1-1, 1-2"),
        (["--districts", " , "], "--districts is empty"),
    ],
)
def test_office_add_refuses_unknown_districts(
    url: str, args: list[str], reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(url, "office", "add", "x", *args) == 1
    assert reason in one_error_line(capsys.readouterr().err)
    assert rows(url, sa.select(Office)) == []


def test_office_add_refuses_a_name_in_use(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(url, "office", "add", "one", "--all") == 0
    capsys.readouterr()
    assert run(url, "office", "add", "one", "--districts", "1-1") == 1
    assert "already exists" in one_error_line(capsys.readouterr().err)


def test_office_add_before_reference_data_says_to_load_it(
    centre_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(centre_url, "office", "add", "x", "--districts", "1-1") == 1
    assert "reference load" in one_error_line(capsys.readouterr().err)


def test_office_code_replaces_the_unused_code(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(url, "office", "add", "one", "--all") == 0
    first = last_line(capsys.readouterr().out)
    assert run(url, "office", "code", "one") == 0
    second = last_line(capsys.readouterr().out)
    assert CODE.match(second) and second != first
    stored = office(url, "one").enrolment_code_hash
    assert PasswordHasher().verify(stored, normalise_enrolment_code(second))


def test_office_revoke_revokes_every_device_and_clears_the_code(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(url, "office", "add", "one", "--districts", "1-1") == 0
    assert run(url, "office", "add", "two", "--districts", "1-2") == 0
    one, two = office(url, "one"), office(url, "two")
    earlier = utcnow() - dt.timedelta(days=3)
    engine = db.open_engine(url)
    with Session(engine) as session, session.begin():
        for office_id, revoked in ((one.id, None), (one.id, earlier), (two.id, None)):
            session.add(Device(office_id=office_id, credential_hash="x", enrolled_at=earlier,
                               revoked_at=revoked))
    engine.dispose()
    capsys.readouterr()

    assert run(url, "office", "revoke", "one") == 0
    assert "1 devices revoked" in capsys.readouterr().out
    revoked = {d.office_id: [] for d in rows(url, sa.select(Device))}
    for device in rows(url, sa.select(Device)):
        revoked[device.office_id].append(device.revoked_at)
    assert all(at is not None for at in revoked[one.id])
    assert earlier in revoked[one.id]
    assert revoked[two.id] == [None]
    cleared = office(url, "one")
    assert cleared.enrolment_code_hash is None and cleared.enrolment_expires_at is None
    assert office(url, "two").enrolment_code_hash is not None


def test_office_revoke_of_an_unknown_office_is_an_error(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(url, "office", "revoke", "nobody") == 1
    assert "no office named 'nobody'" in one_error_line(capsys.readouterr().err)


def test_office_list_prints_one_line_per_office(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(url, "office", "list") == 0
    assert capsys.readouterr().out == ""
    assert run(url, "office", "add", "one", "--districts", "1-2,1-1") == 0
    assert run(url, "office", "add", "centre", "--all") == 0
    assert run(url, "office", "revoke", "centre") == 0
    capsys.readouterr()
    assert run(url, "office", "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("1\tone\tdistricts: 1-1,1-2\t")
    assert "enrolment code: unused, valid until" in lines[0]
    assert lines[1].startswith("2\tcentre\tdistricts: all\t")
    assert lines[1].endswith("enrolment code: none")


def test_enrolment_codes_are_read_as_a_person_types_them() -> None:
    assert normalise_enrolment_code(" 7kqp-m3xd rt9h-WC4N ") == "7KQPM3XDRT9HWC4N"
    assert normalise_enrolment_code("۷KQP-M۳XD-RT۹H-WC۴N") == "7KQPM3XDRT9HWC4N"


# -------------------------------------------------------------------------- serve


def test_serve_hands_the_database_and_address_to_the_app(
    centre_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Any, ...]] = []
    app = types.ModuleType("sync.server.app")
    app.run = lambda url, *, host, port, sms_settings: calls.append(  # type: ignore[attr-defined]
        (url, host, port, sms_settings.provider))
    monkeypatch.setitem(sys.modules, "sync.server.app", app)
    assert run(centre_url, "serve", "--host", "0.0.0.0", "--port", "9000") == 0
    # The serve command also sends the SMS outbox: with the local provider by default.
    assert calls == [(centre_url, "0.0.0.0", 9000, "local")]


def test_serve_without_the_app_is_one_clear_error(
    centre_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "sync.server.app", None)
    assert run(centre_url, "serve") == 1
    assert "no HTTP server" in one_error_line(capsys.readouterr().err)
