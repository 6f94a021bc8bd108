"""The office's local database: SQLAlchemy 2 typed models.

Shared shapes (reference data, crews, requests, events) come from
:mod:`sync.schema`.  Only the office has: its users, the outbox of changes not yet
accepted by the centre, its sync bookkeeping, the sync problems a person must
settle, the audit log of writes that are not request events, the walk-in serials
and the office-wide settings.

Each kind of setting has one home.  What one person prefers on one PC (the
window's language, size and columns) is theirs, in QSettings
(``desktop_app/ui/i18n.py``); what holds for the whole office (what a work order
shows) is a :class:`Setting`; :class:`SyncState` is the sync's bookkeeping and
nothing else; the desk's walk-in numbering is a counter, :class:`WalkInSerial`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from sync import schema
from sync.schema import UTCDateTime, new_id


class Base(DeclarativeBase):
    metadata = schema.make_metadata()


class Region(schema.RegionColumns, Base):
    pass


class District(schema.DistrictColumns, Base):
    pass


class Neighbourhood(schema.NeighbourhoodColumns, Base):
    pass


class CategoryFamily(schema.CategoryFamilyColumns, Base):
    pass


class Category(schema.CategoryColumns, Base):
    pass


class Channel(schema.ChannelColumns, Base):
    pass


class Reason(schema.ReasonColumns, Base):
    pass


class Crew(schema.CrewColumns, Base):
    pass


#: What the summary reports read of a request, in the order of their index.
REPORT_COLUMNS = ("received_at", "status", "category_code", "closed_at", "outcome_reason",
                  "district_code", "channel", "crew_id", "neighbourhood_code")

#: Office-only indexes of ``requests`` for the desk's filters, sorts and status
#: counts on a million requests (migration 5d2c8e41a7b3).  One: by status, then
#: category and arrival, holding every other column the desk filters by, so the
#: status counts are one seek per status (per category, for a period) that never
#: reads a request row nor sorts.  Pages walk ``ix_requests_report`` below, which
#: leads with ``received_at`` and holds the same columns (services.request_sql).
LIST_INDEXES: tuple[sa.Index, ...] = (
    sa.Index("ix_requests_by_status", "status", "category_code", "received_at",
             "neighbourhood_code", "crew_id", "channel", "due_at"),
)
#: Office-only indexes of ``requests`` for the summary reports (migration 7f4a9b0c6e15):
#: every column a report reads, after the period's ``received_at``, so a year of a
#: million-request office is one range of this index and never the wide table rows
#: (citizen, address, description).  It costs about 130 MB per million requests.
REPORT_INDEXES: tuple[sa.Index, ...] = (
    # The deadline last (migration 7c2d9a4b1e60): the desk's overdue filter tests it.
    sa.Index("ix_requests_report", *REPORT_COLUMNS, "due_at"),
)

#: Office-only indexes for the centre's desk (migration d9e3a7f15c62): a caller's
#: earlier requests as the phone number is typed, and the verification queue's
#: oldest ``received`` requests first.
CENTRE_INDEXES: tuple[sa.Index, ...] = (
    sa.Index("ix_requests_citizen_phone", "citizen_phone", "received_at"),
    sa.Index("ix_requests_status_received", "status", "received_at"),
)


class ServiceRequest(schema.RequestColumns, Base):
    __table_args__ = (*schema.request_table_args(postgresql=False), *LIST_INDEXES, *REPORT_INDEXES,
                      *CENTRE_INDEXES)

    #: Normalised text of code, citizen, phone, address and description
    #: (:func:`sync.text.search_key`), for search that treats ی/ي, ک/ك, ZWNJ and
    #: Persian/Latin digits alike.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")

    events: Mapped[list[Event]] = relationship(back_populates="request", lazy="raise_on_sql")


class RequestCount(Base):
    """How many requests have each (status, category, neighbourhood, crew, channel):
    the desk's status counts without a pass over the requests.  Derived data, kept
    by triggers (:mod:`desktop_app.store.status_counts`; migration 4d8b2f6e1c93).
    No neighbourhood or no crew is ``''`` (a key cannot hold NULLs that match)."""

    __tablename__ = "request_counts"
    __table_args__ = {"sqlite_with_rowid": False}

    status: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    category_code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    neighbourhood_code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    #: The crew's id as SQLite stores a UUID (32 hex digits), or ``''``.
    crew_id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    n: Mapped[int] = mapped_column(sa.Integer, nullable=False)


#: The events the summary reads for each request: its repeat calls, its closing SMS
#: and the citizen's answers.  The condition of their partial index, and word for
#: word the condition of the query that reads it
#: (reports.summary_queries.events_of_request).
SUMMARY_EVENTS = ("kind IN ('satisfaction', 'repeat_call') OR "
                  "(kind = 'sms_sent' AND json_extract(data, '$.purpose') = 'closed')")

#: Office-only index of ``events`` for the reports (migration 3e8c1f6a9d24): the
#: repeat calls, a few among millions of events, found without reading the others.
EVENT_INDEXES: tuple[sa.Index, ...] = (
    sa.Index("ix_events_repeat_calls", "request_id",
             sqlite_where=sa.text("kind = 'repeat_call'")),
    # Migration 4a7e1c9d2b58: the repeat calls, the closing SMS and the citizens' 1-5
    # answers, which the summary counts per request (not the other SMS: about three a
    # request); the repeat calls' own index stays for the centre's report.
    sa.Index("ix_events_summary", "request_id", "kind", sqlite_where=sa.text(SUMMARY_EVENTS)),
)


class Event(schema.EventColumns, Base):
    __table_args__ = EVENT_INDEXES

    request: Mapped[ServiceRequest] = relationship(back_populates="events", lazy="raise_on_sql")


class User(Base):
    """Who works at this office.  The password is verified locally (works offline)."""

    __tablename__ = "users"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(sa.String(50), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(100))
    role: Mapped[str] = mapped_column(sa.String(16))
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class OutboxEntry(Base):
    """A local change the centre has not yet answered.  Written in the same
    transaction as the change; deleted only in the transaction that stores the
    centre's answer (DESIGN.md, sync)."""

    __tablename__ = "outbox"
    seq: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    mutation_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True, default=new_id)
    #: ``request``, ``event`` or ``crew``.
    entity: Mapped[str] = mapped_column(sa.String(16))
    entity_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    #: What to do: ``create_request``, ``change_status``, ``assign``, ``add_note``,
    #: ``work_order_issued``, ``upsert_crew`` …
    op: Mapped[str] = mapped_column(sa.String(32))
    #: The request's ``version`` the change was made on, for stale-edit detection.
    base_version: Mapped[int | None] = mapped_column(sa.Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(sa.String(100))
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)


class SyncState(Base):
    """The sync's bookkeeping by key: centre URL, credential, office, cursor, last
    success … (:mod:`desktop_app.services.sync_state` names the keys)."""

    __tablename__ = "sync_state"
    key: Mapped[str] = mapped_column(sa.String(48), primary_key=True)
    value: Mapped[Any] = mapped_column(sa.JSON)


class SyncProblem(Base):
    """A change the centre rejected, or a stale edit kept as a conflict.  Kept until
    a person settles it (re-apply or discard); never dropped."""

    __tablename__ = "sync_problems"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    mutation_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True)
    #: ``rejected`` or ``conflict``.
    kind: Mapped[str] = mapped_column(sa.String(16))
    entity: Mapped[str] = mapped_column(sa.String(16))
    entity_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    op: Mapped[str] = mapped_column(sa.String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    reason_code: Mapped[str] = mapped_column(sa.String(48))
    message: Mapped[str] = mapped_column(sa.Text, default="")
    server_value: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: ``reapplied`` or ``discarded``.
    resolution: Mapped[str | None] = mapped_column(sa.String(16))
    resolved_by: Mapped[str | None] = mapped_column(sa.String(100))


class AuditEntry(Base):
    """Writes that are not request events (crews, users, settings, sync problems)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(sa.String(100))
    action: Mapped[str] = mapped_column(sa.String(48))
    entity: Mapped[str] = mapped_column(sa.String(16))
    entity_key: Mapped[str] = mapped_column(sa.String(64))
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    #: A thing's trail (a request's photos in its history, a user's changes) is
    #: read by entity and key; the log only grows (every sign-in is in it).
    __table_args__ = (sa.Index("ix_audit_log_entity_key", "entity", "entity_key"),)


class Attachment(Base):
    """A photo (or other file) kept with a request: what the citizen sent, or what a
    crew photographed on the street.  The row is the metadata, which travels like a
    request's history (``add_attachment``, pulled as ``attachments``); the bytes are
    a file named by ``sha256`` beside the database, which travels by hash
    (``/sync/blobs``).  The request list never reads this table."""

    __tablename__ = "attachments"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    request_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("requests.id", ondelete="CASCADE"))
    #: The file's own name, as the user chose it (shown, and used on "save as").
    filename: Mapped[str] = mapped_column(sa.String(255))
    #: ``image/jpeg``, ``image/png`` …
    media_type: Mapped[str] = mapped_column(sa.String(100))
    #: Bytes of the file; sha256 of it, hex (the same photo twice is refused).  The
    #: bytes are the file of that name in the photo folder beside the database
    #: (:class:`desktop_app.store.photos.PhotoFolder`); one pulled from the centre may
    #: not be there yet (it is being downloaded).
    size: Mapped[int] = mapped_column(sa.Integer)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    #: A small JPEG/PNG for the form's strip of photos; ``None`` for non-images.
    thumbnail: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    caption: Mapped[str] = mapped_column(sa.String(500), default="")
    added_by: Mapped[str] = mapped_column(sa.String(100))
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: Whose photo, and when: ``citizen`` (what the citizen sent or brought),
    #: ``before`` (the street before the work) or ``after`` (the completion photo).
    #: Rows kept before kinds existed are ``before``: staff added them at the office,
    #: and a photo nobody chose to publish must not become the citizen's (public) one,
    #: nor prove a completion nobody photographed.
    kind: Mapped[str] = mapped_column(sa.String(16), server_default="before")
    #: Never public (Open311, the citizen) whatever its kind: a photo of a person,
    #: a plate, the inside of a home.
    internal: Mapped[bool] = mapped_column(sa.Boolean, server_default=sa.false())
    #: The centre does not have the bytes yet: sync sends them once it has the
    #: metadata (``add_attachment`` answered).  ``None`` for photos pulled from the
    #: centre, sent already, or kept before photos travelled.
    needs_upload: Mapped[bool | None] = mapped_column(sa.Boolean)

    #: Also the index that finds a request's attachments (its first column).
    __table_args__ = (sa.UniqueConstraint("request_id", "sha256"),)


class Setting(Base):
    """An office-wide setting by key, the same for everyone at this office's desk
    (e.g. whether work orders show the citizen's phone)."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(sa.String(48), primary_key=True)
    value: Mapped[Any] = mapped_column(sa.JSON)


class WalkInSerial(Base):
    """The last walk-in serial the desk handed out in a Jalali year: a walk-in's
    tracking code is ``{year}-{office number}-{serial}``, final at the counter."""

    __tablename__ = "walk_in_serials"
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    serial: Mapped[int] = mapped_column(sa.Integer)


REFERENCE_MODELS = (Region, District, Neighbourhood, CategoryFamily, Category, Channel, Reason)
