"""request list indexes: what the desk's filters, sorts and status counts need on a
million requests

Revision ID: 5d2c8e41a7b3
Revises: 3b1e5c7a9d20
Create Date: 2026-11-27 21:55:00

"""
from typing import Sequence, Union

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '5d2c8e41a7b3'
down_revision: Union[str, Sequence[str], None] = '3b1e5c7a9d20'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""


def downgrade() -> None:
    """Downgrade schema."""
