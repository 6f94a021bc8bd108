"""search index case-sensitive: the trigram index is made anew without folding case
itself, since every text it holds and every query is folded already

Revision ID: c4e1a9d27b58
Revises: 9a6d3f2e8c41
Create Date: 2026-12-02 15:40:00

The index lives outside the schema (desktop_app/store/fts.py): it is dropped here
with its triggers, and opening the store makes it again, by the new definition, from
``requests`` (as after any migration).  Downgrading drops it too, for the older
version to make by its own.
"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = 'c4e1a9d27b58'
down_revision: Union[str, Sequence[str], None] = '9a6d3f2e8c41'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _drop_search_index() -> None:
    for trigger in ("requests_fts_ai", "requests_fts_ad", "requests_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS requests_fts")


def upgrade() -> None:
    """Upgrade schema."""
    _drop_search_index()


def downgrade() -> None:
    """Downgrade schema."""
    _drop_search_index()
