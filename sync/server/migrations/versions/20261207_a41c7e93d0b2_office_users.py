"""office users: the centre holds each office's users, to check who acts

Revision ID: a41c7e93d0b2
Revises: 7365f0230df0
Create Date: 2026-12-07 01:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sync.schema


# revision identifiers, used by Alembic.
revision: str = 'a41c7e93d0b2'
down_revision: Union[str, Sequence[str], None] = '7365f0230df0'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('office_users',
    sa.Column('office_id', sa.Uuid(), nullable=False),
    sa.Column('username', sa.String(length=50), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sync.schema.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_office_users_office_id_offices')),
    sa.PrimaryKeyConstraint('office_id', 'username', name=op.f('pk_office_users'))
    )


def downgrade() -> None:
    op.drop_table('office_users')
