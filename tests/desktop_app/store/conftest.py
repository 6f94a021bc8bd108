"""Fixtures of the office-store tests."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from desktop_app.store import db as store_db
from sync import migrate

HEAD = migrate.head_revision(store_db.MIGRATIONS)


@pytest.fixture
def newer_migrations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Makes a copy of the office migrations with one more revision on top and
    points the store at it.  Returns the new revision id."""

    def make(upgrade_body: str) -> str:
        folder = tmp_path / "migrations-next"
        shutil.copytree(
            store_db.MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__")
        )
        revision = "0000next0001"
        (folder / "versions" / f"29991231_{revision}_next.py").write_text(
            textwrap.dedent(
                f'''\
                from alembic import op
                import sqlalchemy as sa

                revision = "{revision}"
                down_revision = "{HEAD}"
                branch_labels = None
                depends_on = None


                def upgrade():
                '''
            )
            + textwrap.indent(textwrap.dedent(upgrade_body), "    ")
            + "\n\ndef downgrade():\n    pass\n",
            encoding="utf-8",
        )
        monkeypatch.setattr(store_db, "MIGRATIONS", folder)
        assert migrate.head_revision(folder) == revision
        return revision

    return make
