"""repeat calls index: the reports count repeat calls without reading every event

Revision ID: 3e8c1f6a9d24
Revises: d9e3a7f15c62
Create Date: 2026-12-07 02:50:00

A partial index of the ``repeat_call`` events by request: the summary report's
repeat calls per group read these few events and their requests, not the millions
of other events of an office's history.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '3e8c1f6a9d24'
down_revision: str | Sequence[str] | None = 'd9e3a7f15c62'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_events_repeat_calls", "events", ["request_id"], unique=False,
                    sqlite_where=sa.text("kind = 'repeat_call'"))


def downgrade() -> None:
    op.drop_index("ix_events_repeat_calls", table_name="events")
