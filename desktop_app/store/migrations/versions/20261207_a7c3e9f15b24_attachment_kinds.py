"""attachment kinds: whose photo (citizen, before work, after work) and whether it is internal

Revision ID: a7c3e9f15b24
Revises: f5a8d2c61e07
Create Date: 2026-12-07 02:45:00

Photos kept before kinds existed were added by staff at the office; they become
``before`` (not ``citizen``: that kind is public, and nobody chose to publish them;
not ``after``: they would then prove completions nobody photographed) and not internal.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'a7c3e9f15b24'
down_revision: str | Sequence[str] | None = 'f5a8d2c61e07'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='before',
                                      nullable=False))
        batch_op.add_column(sa.Column('internal', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_column('internal')
        batch_op.drop_column('kind')
