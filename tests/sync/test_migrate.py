"""sync.migrate: whether a database is current, answered without Alembic (the scripts'
revision lines read as text, the version table with one query), and Alembic's own
answer whenever the scripts are not plain enough to read so."""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from desktop_app.store import db as store_db
from sync import migrate
from sync.server import db as centre_db

FOLDERS = [store_db.MIGRATIONS, centre_db.MIGRATIONS]


def alembic_scripts(folder: Path) -> ScriptDirectory:
    return ScriptDirectory.from_config(migrate.config_for(folder))


@pytest.mark.parametrize("folder", FOLDERS, ids=["office", "centre"])
def test_the_scripts_read_as_text_are_alembics(folder: Path) -> None:
    scripts = alembic_scripts(folder)
    graph = migrate._read_graph(folder)
    assert graph == {s.revision: tuple([s.down_revision] if isinstance(s.down_revision, str)
                                       else s.down_revision or ())
                     for s in scripts.walk_revisions()}
    assert migrate.head_revision(folder) == scripts.get_current_head()
    for revision in graph:
        assert migrate.is_known_revision(folder, revision)
    assert not migrate.is_known_revision(folder, "0000newer0001")
    assert migrate.is_known_revision(folder, None)


def copy_with(tmp_path: Path, *scripts: tuple[str, str]) -> Path:
    """The office's migrations and ``scripts`` (file name, text) beside them."""
    folder = tmp_path / "migrations"
    shutil.copytree(store_db.MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    for name, text in scripts:
        (folder / "versions" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


HEAD = migrate.head_revision(store_db.MIGRATIONS)


def test_two_heads_are_alembics_error(tmp_path: Path) -> None:
    folder = copy_with(tmp_path, ("a_1.py", f'revision = "aaaa1"\ndown_revision = "{HEAD}"\n'),
                       ("b_1.py", f'revision = "bbbb1"\ndown_revision = "{HEAD}"\n'))
    with pytest.raises(CommandError, match="multiple heads"):
        migrate.head_revision(folder)


def test_a_merge_revision_is_the_head(tmp_path: Path) -> None:
    folder = copy_with(tmp_path, ("a_1.py", f'revision = "aaaa1"\ndown_revision = "{HEAD}"\n'),
                       ("b_1.py", f'revision = "bbbb1"\ndown_revision = "{HEAD}"\n'),
                       ("m_1.py", 'revision: str = "mmmm1"  # merge\n'
                                  'down_revision: tuple[str, str] = ("aaaa1", "bbbb1")\n'))
    assert migrate._read_graph(folder) is not None
    assert migrate.head_revision(folder) == "mmmm1" == alembic_scripts(folder).get_current_head()


def test_a_script_not_plain_enough_is_read_by_alembic(tmp_path: Path) -> None:
    folder = copy_with(tmp_path, ("c_1.py", f'PREFIX = "cc"\nrevision = PREFIX + "cc1"\n'
                                            f'down_revision = "{HEAD}"\n'))
    assert migrate._read_graph(folder) is None
    assert migrate.head_revision(folder) == "cccc1"
    assert migrate.is_known_revision(folder, "cccc1")
    assert not migrate.is_known_revision(folder, "dddd1")


def test_the_stamped_revision_is_read_with_one_query(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        assert migrate.current_revision(engine) is None  # no version table
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        assert migrate.current_revision(engine) is None  # an empty one
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO alembic_version VALUES ('c91d4b7e2a68')")
        assert migrate.current_revision(engine) == "c91d4b7e2a68"
    finally:
        engine.dispose()


def test_asking_whether_current_imports_no_alembic(tmp_path: Path) -> None:
    import subprocess

    code = ("import sys\nfrom pathlib import Path\nfrom sync import migrate\n"
            f"print(migrate.head_revision(Path({str(store_db.MIGRATIONS)!r})), "
            "'alembic' in sys.modules, 'sqlalchemy' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.stdout.split() == [HEAD, "False", "False"], result.stderr
