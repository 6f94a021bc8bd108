"""requests: index (category_code, received_at) for Open311's newest-first pages per service

Revision ID: 9b2e4d61a8c3
Revises: 3f11b0c2d7e4
Create Date: 2026-12-07 03:15:00

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '9b2e4d61a8c3'
down_revision: Union[str, Sequence[str], None] = '3f11b0c2d7e4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index('ix_requests_category_received', 'requests', ['category_code', 'received_at'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_requests_category_received', table_name='requests')
