"""report indexes: what the summary reports need to read a year of a million
requests without visiting the table

Revision ID: 7f4a9b0c6e15
Revises: 5d2c8e41a7b3
Create Date: 2026-11-27 21:55:00

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '7f4a9b0c6e15'
down_revision: Union[str, Sequence[str], None] = '5d2c8e41a7b3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


#: As desktop_app.store.models.REPORT_COLUMNS when this revision was written.
_COLUMNS = ["received_at", "status", "category_code", "closed_at", "outcome_reason",
            "district_code", "channel", "crew_id", "neighbourhood_code"]


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index("ix_requests_report", "requests", _COLUMNS)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_requests_report", table_name="requests")
