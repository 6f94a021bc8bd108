"""walk-in serials: the desk's counter leaves the sync bookkeeping for a table of its own

Revision ID: e2b7c5d41f93
Revises: c4e1a9d27b58
Create Date: 2026-12-07 00:00:00

The serials were ``walk_in_serial:{year}`` keys of ``sync_state``; they are carried
over, year by year, so no office hands out a tracking code twice.  Downgrading puts
them back as keys.
"""
import json
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = 'e2b7c5d41f93'
down_revision: Union[str, Sequence[str], None] = 'c4e1a9d27b58'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_KEY = "walk_in_serial:"


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('walk_in_serials',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_walk_in_serials'))
    )
    conn = op.get_bind()
    kept = conn.execute(sa.text("SELECT key, value FROM sync_state WHERE key LIKE :prefix"),
                        {"prefix": _KEY + "%"}).all()
    # JSON text, though SQLite may hand a number back as one (the column's affinity).
    serials = [{"year": int(key[len(_KEY):]), "serial": int(json.loads(str(value)))}
               for key, value in kept]
    if serials:
        conn.execute(sa.text("INSERT INTO walk_in_serials (year, serial) VALUES (:year, :serial)"), serials)
    conn.execute(sa.text("DELETE FROM sync_state WHERE key LIKE :prefix"), {"prefix": _KEY + "%"})


def downgrade() -> None:
    """Downgrade schema."""
    conn = op.get_bind()
    serials = conn.execute(sa.text("SELECT year, serial FROM walk_in_serials")).all()
    if serials:
        conn.execute(sa.text("INSERT INTO sync_state (key, value) VALUES (:key, :value)"),
                     [{"key": f"{_KEY}{year}", "value": json.dumps(serial)} for year, serial in serials])
    op.drop_table('walk_in_serials')
