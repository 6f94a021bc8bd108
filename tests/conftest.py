"""Fixtures every test package shares.

Databases: ``centre_engine`` is a migrated, empty centre database, once on SQLite
and once on PostgreSQL.  PostgreSQL comes from ``DAFTAR_TEST_POSTGRES_URL``
(default: the machine's server, database ``test``); each run makes its own
throwaway database there and drops it at the end.  When the server cannot be
reached the PostgreSQL half is skipped with the reason, except under CI
(``CI=true``), where that is a failure: CI must never go green without it.

Each run also has a home of its own for per-user settings and data (the XDG
folders, where QSettings and platformdirs look): two runs at once must not read
each other's saved language, nor touch the developer's own.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

# Qt must know there is no screen before anything imports it (platform.md: without
# this pytest aborts with exit 134 and no summary line).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_OWN_HOME = tempfile.mkdtemp(prefix="daftar-tests-home-")
atexit.register(shutil.rmtree, _OWN_HOME, ignore_errors=True)
for _variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
    os.environ[_variable] = os.path.join(_OWN_HOME, _variable.lower())

import pytest
import sqlalchemy as sa

from sync.server import db as centre_db
from sync.server.models import Base as CentreBase

POSTGRES_URL = os.environ.get(
    "DAFTAR_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _admin_url() -> str:
    return centre_db.normalise_url(POSTGRES_URL)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a throwaway PostgreSQL database, migrated to head, for this run."""
    admin = sa.create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    name = f"daftar_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        reason = f"PostgreSQL not reachable at {POSTGRES_URL}: {exc.orig}"
        if IN_CI:
            pytest.fail(reason + " (CI must run the PostgreSQL tests)", pytrace=False)
        pytest.skip(reason)
    url = sa.make_url(_admin_url()).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(scope="session")
def _migrated_postgres(postgres_url: str) -> str:
    engine = centre_db.open_engine(postgres_url)
    centre_db.upgrade(engine)
    engine.dispose()
    return postgres_url


def _truncate_all(engine: sa.Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in CentreBase.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {tables} CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def centre_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty centre database: a SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'centre.sqlite3'}"
        engine = centre_db.open_engine(url)
        centre_db.upgrade(engine)
        engine.dispose()
        yield url
    else:
        url = request.getfixturevalue("_migrated_postgres")
        yield url
        engine = centre_db.open_engine(url)
        _truncate_all(engine)
        engine.dispose()


@pytest.fixture
def centre_engine(centre_url: str) -> Iterator[sa.Engine]:
    engine = centre_db.open_engine(centre_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def reference():
    from sync import reference as ref

    return ref.load()
