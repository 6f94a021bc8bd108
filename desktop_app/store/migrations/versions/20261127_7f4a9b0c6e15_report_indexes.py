"""report indexes: what the summary reports need to read a year of a million
requests without visiting the table

Revision ID: 7f4a9b0c6e15
Revises: 5d2c8e41a7b3
Create Date: 2026-11-27 21:55:00

"""
from typing import Sequence, Union

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '7f4a9b0c6e15'
down_revision: Union[str, Sequence[str], None] = '5d2c8e41a7b3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""


def downgrade() -> None:
    """Downgrade schema."""
