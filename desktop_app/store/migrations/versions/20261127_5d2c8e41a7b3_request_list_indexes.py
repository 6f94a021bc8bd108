"""request list indexes: what the desk's filters, sorts and status counts need on a
million requests

Revision ID: 5d2c8e41a7b3
Revises: 3b1e5c7a9d20
Create Date: 2026-11-27 21:55:00

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '5d2c8e41a7b3'
down_revision: Union[str, Sequence[str], None] = '3b1e5c7a9d20'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


#: As desktop_app.store.models.LIST_INDEXES when this revision was written.
INDEXES = {
    "ix_requests_by_status": ["status", "category_code", "received_at",
                              "neighbourhood_code", "crew_id", "channel"],
}


def upgrade() -> None:
    """Upgrade schema."""
    for name, columns in INDEXES.items():
        op.create_index(name, "requests", columns, unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    for name in INDEXES:
        op.drop_index(name, table_name="requests")
