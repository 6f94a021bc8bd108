"""request counts: the desk's status counts kept by triggers, not counted each time

Revision ID: 4d8b2f6e1c93
Revises: c91d4b7e2a68
Create Date: 2026-12-07 06:20:00

The counts beside the requests table (per status, under the clerk's category,
neighbourhood, crew or channel) were a pass over ``ix_requests_by_status``: half a
second on a million requests under load.  ``request_counts`` holds them ready.  The
table is made here, empty; its contents and triggers are derived data, made on the
next open (desktop_app.store.status_counts.ensure_counts), as the search index is.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '4d8b2f6e1c93'
down_revision: str | Sequence[str] | None = 'c91d4b7e2a68'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGERS = ("request_counts_ai", "request_counts_ad", "request_counts_au")


def upgrade() -> None:
    op.create_table(
        "request_counts",
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("category_code", sa.String(40), nullable=False),
        sa.Column("neighbourhood_code", sa.String(40), nullable=False),
        sa.Column("crew_id", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("status", "category_code", "neighbourhood_code", "crew_id", "channel",
                                name=op.f("pk_request_counts")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("request_counts")
