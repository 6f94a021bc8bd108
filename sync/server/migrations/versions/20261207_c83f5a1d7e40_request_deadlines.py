"""request deadlines: ``due_at``, set by the centre at referral, and the index of open work by deadline

Revision ID: c83f5a1d7e40
Revises: a41c7e93d0b2
Create Date: 2026-12-07 02:45:00

A request referred before deadlines existed gets the deadline it had in effect:
its arrival plus its category's ``target_days`` (what the desk's "overdue" meant
until now); one still waiting for verification (``received``) has none yet.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

import sync.schema


# revision identifiers, used by Alembic.
revision: str = 'c83f5a1d7e40'
down_revision: Union[str, Sequence[str], None] = 'a41c7e93d0b2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("requests", sa.Column("due_at", sync.schema.UTCDateTime(timezone=True),
                                        nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE requests SET due_at = received_at + make_interval(days => c.target_days) "
            "FROM categories c WHERE c.code = requests.category_code "
            "AND requests.status <> 'received'")
    else:
        # SQLite keeps instants as 'YYYY-MM-DD HH:MM:SS.ffffff' text: the date moved
        # by whole days, and the fraction kept as it was.
        op.execute(
            "UPDATE requests SET due_at = datetime(received_at, '+' || "
            "(SELECT target_days FROM categories WHERE code = requests.category_code) "
            "|| ' days') || substr(received_at, 20) WHERE status <> 'received'")
    # Only the open requests, by deadline (as sync.schema's OPEN_STATUS_SQL when
    # this revision was written).
    where = sa.text("status IN ('received', 'referred', 'assigned', 'in_progress')")
    op.create_index("ix_requests_open_due", "requests",
                    ["due_at", "district_code", "category_code", "status"], unique=False,
                    sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    op.drop_index("ix_requests_open_due", table_name="requests")
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("due_at")
