"""A read-only engine on the office database for the requests table's queries.

The table reads on threads of its own, with deferred transactions
(``make_engine(..., immediate=False)``): in WAL mode such a reader never waits for
the desk or for sync writing, and never blocks them.  Its dialect writes SQLite's
index hints, so that a query can name the index that answers it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from sync.db import make_engine


def open_read_engine(db_path: Path) -> sa.Engine:
    """A read-only engine on the office database, tuned for scanning indexes.

    Its dialect writes SQLite's ``INDEXED BY``/``NOT INDEXED`` table hints
    (``Select.with_hint``), which SQLAlchemy's SQLite compiler otherwise drops."""
    engine = make_engine(f"sqlite:///{db_path}", immediate=False)
    compiler = engine.dialect.statement_compiler

    class _HintingCompiler(compiler):  # type: ignore[valid-type,misc]
        def get_from_hint_text(self, table: Any, text: str | None) -> str | None:
            return text

    engine.dialect.statement_compiler = _HintingCompiler

    @event.listens_for(engine, "connect")
    def _reader_pragmas(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA query_only=ON")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB of pages stay warm
        cursor.execute("PRAGMA temp_store=MEMORY")  # partial sorts never touch disk
        cursor.close()

    return engine
