"""centre desk indexes: a caller's earlier requests, and the verification queue

Revision ID: d9e3a7f15c62
Revises: b6d41e0c9a27
Create Date: 2026-12-07 02:50:00

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = 'd9e3a7f15c62'
down_revision: Union[str, Sequence[str], None] = 'b6d41e0c9a27'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

#: As desktop_app.store.models.CENTRE_INDEXES when this revision was written.
INDEXES = {
    "ix_requests_citizen_phone": ["citizen_phone", "received_at"],
    "ix_requests_status_received": ["status", "received_at"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "requests", columns, unique=False)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="requests")
