"""summary events index: the summary reads each request's repeat calls, closing SMS and answers

Revision ID: 4a7e1c9d2b58
Revises: 4d8b2f6e1c93
Create Date: 2026-12-07 06:40:00

``ix_events_satisfaction`` held every ``sms_sent`` event (about three a request: the
registration, the referral and the closing message) and the answers; the summary
joined it to the requests and SQLite started from every SMS ever sent — 3.1-4.3 s
CPU for a year of a million-request office.  The new partial index holds the
repeat calls, the closing SMS and the answers only, by request and kind, and the
summary's counting pass looks each request of the period up in it
(reports.summary_queries).  Its condition is
:data:`desktop_app.store.models.SUMMARY_EVENTS`, copied here as it was when this
migration was written.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '4a7e1c9d2b58'
down_revision: str | Sequence[str] | None = '4d8b2f6e1c93'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SUMMARY_EVENTS = ("kind IN ('satisfaction', 'repeat_call') OR "
                   "(kind = 'sms_sent' AND json_extract(data, '$.purpose') = 'closed')")


def upgrade() -> None:
    op.drop_index("ix_events_satisfaction", table_name="events")
    op.create_index("ix_events_summary", "events", ["request_id", "kind"], unique=False,
                    sqlite_where=sa.text(_SUMMARY_EVENTS))


def downgrade() -> None:
    op.drop_index("ix_events_summary", table_name="events")
    op.create_index("ix_events_satisfaction", "events", ["request_id"], unique=False,
                    sqlite_where=sa.text("kind IN ('satisfaction', 'sms_sent')"))
