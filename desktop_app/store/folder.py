"""Where an office's data folder is and what its database file is called.

Apart from :mod:`desktop_app.store.db` so that a command that only needs the path
(``daftar sync`` with nothing to do: :mod:`desktop_app.services.idle_sync`) does not
load SQLAlchemy to learn it.
"""

from __future__ import annotations

import os
from pathlib import Path

DB_NAME = "office.sqlite3"
#: Where the office's data folder is, if not given (``--data-dir``).
DATA_DIR_ENV = "DAFTAR_DATA_DIR"


def default_data_dir() -> Path:
    """``DAFTAR_DATA_DIR``, else the user data folder (``%LOCALAPPDATA%\\\\Daftar`` …)."""
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("Daftar", appauthor=False))


def data_folder(folder: Path | str | None) -> Path:
    """The folder given, else :func:`default_data_dir`."""
    return Path(folder) if folder else default_data_dir()
