"""deadline in the list indexes: the desk's overdue filter and count read ``due_at``

Revision ID: 7c2d9a4b1e60
Revises: 7b2e9d4c1a85
Create Date: 2026-12-07 03:00:00

"Overdue" is now open and past the deadline set at referral (``due_at``), no longer
arrival plus the category's target days.  The desk's two list indexes hold every
column its filters test, so that the status counts and the filtered pages never
read a request row on a million requests; the deadline joins them, last.
"""
from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = '7c2d9a4b1e60'
down_revision: str | Sequence[str] | None = '7b2e9d4c1a85'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: As desktop_app.store.models.LIST_INDEXES and REPORT_INDEXES before and after.
BEFORE = {
    "ix_requests_by_status": ["status", "category_code", "received_at",
                              "neighbourhood_code", "crew_id", "channel"],
    "ix_requests_report": ["received_at", "status", "category_code", "closed_at",
                           "outcome_reason", "district_code", "channel", "crew_id",
                           "neighbourhood_code"],
}
AFTER = {name: [*columns, "due_at"] for name, columns in BEFORE.items()}


def _swap(indexes: dict[str, list[str]]) -> None:
    bind = op.get_bind()
    for name, columns in indexes.items():
        # A first sync may have dropped them for a while (services.replica).
        op.execute(f"DROP INDEX IF EXISTS {name}")
        op.create_index(name, "requests", columns, unique=False)
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
        # Dropping an index drops its statistics: where the planner had some,
        # give the new ones theirs, or it would weigh them unlike the others.
        op.execute("ANALYZE requests")


def upgrade() -> None:
    _swap(AFTER)


def downgrade() -> None:
    _swap(BEFORE)
