"""users to the centre: queue an ``upsert_user`` for every user the office has

Revision ID: f5a8d2c61e07
Revises: e2b7c5d41f93
Create Date: 2026-12-07 01:00:00

The centre accepts a pushed change only from an active user of the office it holds
(``upsert_user``).  Offices already in the field made their users before users were
synced, so this tells the centre about every one of them with the next sync, ahead of
anything waiting in the outbox from before: their active managers first, the first
of them introducing themselves (the centre takes an office's first users on the
strength of its enrolled device), then everyone else as that manager's change.
Downgrading drops the entries not yet sent (an older office cannot send them).
"""
import datetime as dt
import uuid
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from sync.schema import UTCDateTime


# revision identifiers, used by Alembic.
revision: str = 'f5a8d2c61e07'
down_revision: Union[str, Sequence[str], None] = 'e2b7c5d41f93'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_OP = "upsert_user"

_users = sa.table(
    "users", sa.column("id", sa.Uuid), sa.column("username", sa.String),
    sa.column("display_name", sa.String), sa.column("role", sa.String),
    sa.column("active", sa.Boolean),
)
_outbox = sa.table(
    "outbox", sa.column("seq", sa.Integer), sa.column("mutation_id", sa.Uuid),
    sa.column("entity", sa.String), sa.column("entity_id", sa.Uuid), sa.column("op", sa.String),
    sa.column("base_version", sa.Integer), sa.column("payload", sa.JSON),
    sa.column("created_at", UTCDateTime), sa.column("actor", sa.String),
    sa.column("attempts", sa.Integer),
)


def upgrade() -> None:
    conn = op.get_bind()
    users = conn.execute(sa.select(_users)).all()
    if not users:
        return
    users.sort(key=lambda u: (not (u.active and u.role == "manager"), u.username))
    manager = users[0].username if users[0].active and users[0].role == "manager" else None
    # Ahead of what waits in the outbox: seq numbers below the lowest there.
    first = conn.execute(sa.select(sa.func.min(_outbox.c.seq))).scalar()
    start = min(first, 1) - len(users) if first is not None else 1
    now = dt.datetime.now(dt.UTC)
    conn.execute(sa.insert(_outbox), [
        {"seq": start + at, "mutation_id": uuid.uuid4(), "entity": "user", "entity_id": u.id,
         "op": _OP, "base_version": None, "created_at": now, "actor": manager or u.username,
         "attempts": 0,
         "payload": {"username": u.username, "display_name": u.display_name, "role": u.role,
                     "active": bool(u.active)}}
        for at, u in enumerate(users)])


def downgrade() -> None:
    op.get_bind().execute(sa.delete(_outbox).where(_outbox.c.op == _OP))
