#!/usr/bin/env python3
"""Set up and run Daftar from a fresh checkout, on Linux or Windows.

    python3 scripts/dev.py demo     # set up, then open the app with demo data
    python3 scripts/dev.py test     # set up, then run the whole test suite
    python3 scripts/dev.py setup    # only set up (.venv with the pinned dependencies)

Anything after ``test`` goes to pytest (``python3 scripts/dev.py test -k import``).
The virtual environment lives in ``.venv`` beside this folder; it is reused, and
reinstalled when ``pyproject.toml`` changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".daftar-installed"


def setup() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"Daftar needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not PYTHON.exists():
        print("creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [str(PYTHON), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
    print("installing Daftar and its pinned dependencies …", flush=True)
    subprocess.run([*pip, "install", "-e", f"{ROOT}[test,build]"], check=True)
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "test"
    setup()
    if command == "setup":
        return 0
    if command == "test":
        env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
        lint = subprocess.run([str(BIN / "lint-imports")], cwd=ROOT, env=env)
        tests = subprocess.run([str(PYTHON), "-m", "pytest", *argv[1:]], cwd=ROOT, env=env)
        return lint.returncode or tests.returncode
    if command == "demo":
        return subprocess.run([str(BIN / "daftar"), "demo", *argv[1:]], cwd=ROOT).returncode
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
