"""audit log entity index: a request's photo trail is read by (entity, entity_key)
each time its form opens, from a log that only grows

Revision ID: 9a6d3f2e8c41
Revises: 7f4a9b0c6e15
Create Date: 2026-11-27 22:20:00

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '9a6d3f2e8c41'
down_revision: Union[str, Sequence[str], None] = '7f4a9b0c6e15'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_index("ix_audit_log_entity_key", "audit_log", ["entity", "entity_key"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_audit_log_entity_key", table_name="audit_log")
