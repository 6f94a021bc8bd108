"""The direction of imports (DESIGN.md): ``ui → services → store / reports / sync``;
nothing outside ``desktop_app/ui/`` and ``desktop_app/app.py`` imports PySide6;
``sync/`` never imports ``desktop_app``.

Two checks: import-linter with the contracts in pyproject.toml, and a plain AST scan
of every file, which also sees what import-linter does not (imports inside
functions of files it cannot resolve, ``importlib.import_module("…")`` with a
literal name, files outside the packages it was told about).
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("desktop_app", "sync")
QT_ROOTS = {"PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2"}


def imported_modules(
    source: str, filename: str = "<src>", root: Path = ROOT
) -> list[tuple[int, str]]:
    """Every module a file imports, absolute, with its line.  Relative imports are
    resolved against the file's package; literal ``import_module``/``__import__``
    calls count too."""
    tree = ast.parse(source, filename)
    package = _package_of(filename, root)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".") if package else []
                parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
                base = ".".join([*parts, base] if base else parts)
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__") and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.append((node.lineno, arg.value))
    return found


def _package_of(filename: str, root: Path) -> str:
    path = Path(filename)
    try:
        rel = path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return ""
    parts = list(rel.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    else:
        parts = parts[:-1]
    return ".".join(parts)


def _root(module: str) -> str:
    return module.split(".", 1)[0]


def python_files(*folders: str, root: Path = ROOT) -> list[Path]:
    files: list[Path] = []
    for folder in folders:
        files += sorted(p for p in (root / folder).rglob("*.py") if "__pycache__" not in p.parts)
    return files


def may_import_qt(path: Path, root: Path = ROOT) -> bool:
    rel = path.relative_to(root).as_posix()
    return rel.startswith("desktop_app/ui/") or rel == "desktop_app/app.py"


def qt_violations(files: list[Path], root: Path = ROOT) -> list[str]:
    out = []
    for path in files:
        if may_import_qt(path, root):
            continue
        for line, module in imported_modules(path.read_text("utf-8"), str(path), root):
            if _root(module) in QT_ROOTS:
                out.append(f"{path.relative_to(root).as_posix()}:{line} imports {module}")
    return sorted(set(out))


def sync_violations(files: list[Path], root: Path = ROOT) -> list[str]:
    out = []
    for path in files:
        for line, module in imported_modules(path.read_text("utf-8"), str(path), root):
            if _root(module) == "desktop_app":
                out.append(f"{path.relative_to(root).as_posix()}:{line} imports {module}")
    return sorted(set(out))


# ------------------------------------------------------------------ the rules


def test_import_linter_contracts_are_kept():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which(
        "lint-imports"
    )
    if exe is None:
        pytest.fail("lint-imports is not installed (pip install -e '.[test]')")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [exe, "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "0 broken" in report, report
    # Both contracts of pyproject.toml were checked, not zero.
    assert "sync never imports the office app KEPT" in report, report
    assert "Qt only in the UI layer KEPT" in report, report


def test_no_qt_outside_the_ui():
    files = python_files(*PACKAGES)
    assert len(files) > 10  # the scan saw the code base
    assert any(may_import_qt(p) for p in files)
    assert qt_violations(files) == []


def test_sync_never_imports_the_office_app():
    files = python_files("sync")
    assert len(files) > 5
    assert sync_violations(files) == []


def test_every_python_file_parses():
    for path in python_files(*PACKAGES):
        ast.parse(path.read_text("utf-8"), str(path))


# ---------------------------------------------------- the scanner itself works


@pytest.mark.parametrize(
    "source",
    [
        "import PySide6",
        "import PySide6.QtWidgets as qw",
        "from PySide6 import QtCore",
        "from PySide6.QtGui import QImage",
        "def f():\n    from PySide6.QtCore import Qt\n",
        "import importlib\nimportlib.import_module('PySide6.QtCore')",
        "from importlib import import_module\nimport_module('shiboken6')",
        "__import__('PySide6')",
        "if TYPE_CHECKING:\n    from PySide6.QtWidgets import QWidget\n",
    ],
)
def test_the_scan_finds_qt_imports(source: str, tmp_path: Path):
    modules = [m for _, m in imported_modules(source)]
    assert any(_root(m) in QT_ROOTS for m in modules), modules


def test_the_scan_reports_files_that_break_the_rules(tmp_path: Path):
    files = {
        "desktop_app/app.py": "from PySide6.QtWidgets import QApplication\n",
        "desktop_app/ui/main_window.py": "from PySide6 import QtWidgets\n",
        "desktop_app/services/desk.py": "def f():\n    from PySide6.QtCore import QDate\n",
        "desktop_app/reports/pdf.py": "from ..ui import main_window\nimport shiboken6\n",
        "desktop_app/store/models.py": "import sqlalchemy\n",
        "sync/client/engine.py": "from desktop_app.store import db\n",
        "sync/server/api.py": "import importlib\nimportlib.import_module('desktop_app.cli')\n",
        "sync/text.py": "import re\n",
    }
    for rel, source in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(source, encoding="utf-8")
    scanned = python_files(*PACKAGES, root=tmp_path)
    assert len(scanned) == len(files)
    assert qt_violations(scanned, tmp_path) == [
        "desktop_app/reports/pdf.py:2 imports shiboken6",
        "desktop_app/services/desk.py:2 imports PySide6.QtCore",
        "desktop_app/services/desk.py:2 imports PySide6.QtCore.QDate",
    ]
    assert sync_violations(python_files("sync", root=tmp_path), tmp_path) == [
        "sync/client/engine.py:1 imports desktop_app.store",
        "sync/client/engine.py:1 imports desktop_app.store.db",
        "sync/server/api.py:2 imports desktop_app.cli",
    ]
    # Relative imports are resolved against the file's package.
    rel = imported_modules(
        "from ..client import engine\n", str(tmp_path / "sync/server/x.py"), tmp_path
    )
    assert rel == [(1, "sync.client"), (1, "sync.client.engine")]


def test_the_scan_ignores_mentions_that_are_not_imports():
    source = '"""Uses PySide6 elsewhere; see desktop_app.ui."""\nNAME = "PySide6"\n'
    assert imported_modules(source) == []
