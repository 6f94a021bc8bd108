"""photos in a folder: attachment bytes move out of the database into photos/<ab>/<sha256>

Revision ID: c91d4b7e2a68
Revises: a7c3e9f15b24
Create Date: 2026-12-07 03:00:00

The bytes of every attachment are written to the content-addressed photo folder
beside the database (checked against their hash), then the column goes: the daily
backup then copies a photo once, not every day (tests/bench/bench_photo_store.py).
``needs_upload`` marks photos whose bytes the centre still lacks; photos kept before
they travelled never had their metadata sent, so they are not marked.  (The database
was copied aside before any migration ran: open_store's ``.bak-<rev>``.)
"""
import hashlib
import os
from pathlib import Path
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision: str = 'c91d4b7e2a68'
down_revision: Union[str, Sequence[str], None] = 'a7c3e9f15b24'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _folder() -> Path | None:
    database = op.get_bind().engine.url.database
    if not database or database == ":memory:":
        return None
    return Path(database).parent / "photos"


def upgrade() -> None:
    conn = op.get_bind()
    folder = _folder()
    ids = [row[0] for row in conn.execute(sa.text("SELECT id FROM attachments"))]
    if ids and folder is None:
        raise RuntimeError("photos in a database in memory have no folder to move to")
    for attachment_id in ids:  # one photo in memory at a time
        sha, content = conn.execute(sa.text("SELECT sha256, content FROM attachments WHERE id = :i"),
                                    {"i": attachment_id}).one()
        if hashlib.sha256(content).hexdigest() != sha:
            # The row's checksum was wrong (the bytes are what the office kept): the
            # file is named by what the bytes are.
            sha = hashlib.sha256(content).hexdigest()
            conn.execute(sa.text("UPDATE attachments SET sha256 = :s WHERE id = :i"),
                         {"s": sha, "i": attachment_id})
        target = folder / sha[:2] / sha
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(sha + ".tmp")
            with open(temporary, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_column('content')
        batch_op.add_column(sa.Column('needs_upload', sa.Boolean(), nullable=True))


def downgrade() -> None:
    folder = _folder()
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_column('needs_upload')
        batch_op.add_column(sa.Column('content', sa.LargeBinary(), nullable=False,
                                      server_default=sa.text("x''")))
    conn = op.get_bind()
    for attachment_id, sha in conn.execute(sa.text("SELECT id, sha256 FROM attachments")).all():
        path = folder / sha[:2] / sha if folder else None
        content = path.read_bytes() if path is not None and path.is_file() else b""
        conn.execute(sa.text("UPDATE attachments SET content = :c WHERE id = :i"),
                     {"c": content, "i": attachment_id})
