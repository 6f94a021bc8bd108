"""open311: API clients (hashed keys) and what an Open311 POST brought

Revision ID: 3f11b0c2d7e4
Revises: b83f1d6e0a57
Create Date: 2026-12-07 03:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sync.schema


# revision identifiers, used by Alembic.
revision: str = '3f11b0c2d7e4'
down_revision: Union[str, Sequence[str], None] = 'b83f1d6e0a57'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('api_clients',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sync.schema.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sync.schema.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_clients')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_clients_key_hash')),
    sa.UniqueConstraint('name', name=op.f('uq_api_clients_name'))
    )
    op.create_table('open311_submissions',
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('media_url', sa.Text(), nullable=True),
    sa.Column('device_id', sa.String(length=100), nullable=True),
    sa.Column('account_id', sa.String(length=100), nullable=True),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['api_clients.id'], name=op.f('fk_open311_submissions_client_id_api_clients')),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_open311_submissions_request_id_requests')),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_open311_submissions'))
    )
    op.create_index(op.f('ix_open311_submissions_client_id'), 'open311_submissions', ['client_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_open311_submissions_client_id'), table_name='open311_submissions')
    op.drop_table('open311_submissions')
    op.drop_table('api_clients')
