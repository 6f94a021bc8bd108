"""satisfaction index: the reports count closing SMS and citizens' answers quickly

Revision ID: 7b2e9d4c1a85
Revises: 3e8c1f6a9d24
Create Date: 2026-12-07 03:00:00

A partial index of the ``sms_sent`` and ``satisfaction`` events by request: the
summary report's answer rate and satisfaction rate per group read these events and
their requests, not every event of an office's history.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '7b2e9d4c1a85'
down_revision: str | Sequence[str] | None = '3e8c1f6a9d24'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_events_satisfaction", "events", ["request_id"], unique=False,
                    sqlite_where=sa.text("kind IN ('satisfaction', 'sms_sent')"))


def downgrade() -> None:
    op.drop_index("ix_events_satisfaction", table_name="events")
