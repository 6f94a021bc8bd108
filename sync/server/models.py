"""The centre's database: SQLAlchemy 2 typed models.

Shared shapes come from :mod:`sync.schema`; what only the centre has is here:
offices and their devices, the ordered change log that offices pull from, the
counters that keep it gap-free, and the record of every mutation applied.
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


class ServiceRequest(schema.RequestColumns, Base):
    #: Open311's ``GET requests?service_code=…`` pages newest first within a
    #: category: on 1M requests this index takes it from 31-70 ms to 3-5 ms of SQL
    #: (tests/bench/bench_open311.py).  Centre-only: offices list by district.
    __table_args__ = (*schema.request_table_args(),
                      sa.Index("ix_requests_category_received", "category_code", "received_at"))

    events: Mapped[list[Event]] = relationship(
        back_populates="request", order_by="Event.server_time", lazy="raise_on_sql"
    )


class Event(schema.EventColumns, Base):
    request: Mapped[ServiceRequest] = relationship(back_populates="events", lazy="raise_on_sql")


class Office(Base):
    """A district office (or the centre's own managers, with ``all_districts``)."""

    __tablename__ = "offices"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    #: Small number given at ``office add``; part of the tracking codes the office
    #: makes for walk-ins (``1405-7-23``), so codes born offline never collide.
    number: Mapped[int] = mapped_column(sa.Integer, unique=True)
    all_districts: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: Hash of the one-time enrolment code; cleared once a device used it.
    enrolment_code_hash: Mapped[str | None] = mapped_column(sa.String(200))
    enrolment_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class OfficeDistrict(Base):
    __tablename__ = "office_districts"
    office_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("offices.id"), primary_key=True)
    district_code: Mapped[str] = mapped_column(sa.ForeignKey("districts.code"), primary_key=True)


class OfficeUser(Base):
    """One of an office's people as the office last told the centre (``upsert_user``):
    whom the centre accepts as the actor of that office's mutations, and with which
    role.  Passwords stay at the office; a user is never deleted, only deactivated."""

    __tablename__ = "office_users"
    office_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("offices.id"), primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    display_name: Mapped[str] = mapped_column(sa.String(100))
    role: Mapped[str] = mapped_column(sa.String(16))
    active: Mapped[bool] = mapped_column(sa.Boolean)
    version: Mapped[int] = mapped_column(sa.Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Device(Base):
    """One enrolled installation of the office app; its credential is stored hashed."""

    __tablename__ = "devices"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    office_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("offices.id"), index=True)
    credential_hash: Mapped[str] = mapped_column(sa.String(200))
    enrolled_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ChangeLog(Base):
    """The one ordered log offices pull from.

    ``seq`` is not a database sequence: PostgreSQL sequences hand out numbers in
    call order but commit in any order, so a reader at cursor N could pass over a
    row that commits later with a smaller number.  :func:`sync.server.db.allocate_seq`
    takes numbers from a counter row inside the writing transaction instead; the row
    lock makes numbers commit in order, gap-free (shared/research/sync.md, "Pull").
    """

    __tablename__ = "change_log"
    seq: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    #: ``request``, ``event``, ``crew`` or ``reference``.
    entity: Mapped[str] = mapped_column(sa.String(16))
    entity_key: Mapped[str] = mapped_column(sa.String(64))
    #: The district whose offices receive the change; empty means every office.
    district_code: Mapped[str | None] = mapped_column(sa.String(16))
    #: ``upsert`` or ``moved_out`` (the request left this district's scope).
    op: Mapped[str] = mapped_column(sa.String(16), default="upsert")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (sa.Index("ix_change_log_district_seq", "district_code", "seq"),)


class Counter(Base):
    """Named counters taken under a row lock: the change log, tracking codes."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class AppliedMutation(Base):
    """Every mutation an office pushed, with the answer it got: a replay of the same
    ``mutation_id`` returns this answer instead of applying it again."""

    __tablename__ = "applied_mutations"
    mutation_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    office_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("offices.id"), index=True)
    device_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: ``applied`` or ``rejected``.
    outcome: Mapped[str] = mapped_column(sa.String(16))
    result: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON)


class ApiClient(Base):
    """An Open311 client (the municipality's website, an app) with its API key.

    Only the key's SHA-256 is kept: a key is 32 random bytes, so a fast hash is as
    safe as a slow one and lets every POST find its client by one index lookup.
    A revoked client keeps its row (its requests name it) and its key stops working."""

    __tablename__ = "api_clients"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Open311Submission(Base):
    """What an Open311 POST brought beyond the request's own columns: the client, the
    citizen's e-mail (private, like the phone), the photo's address, the client's
    device and account ids and the service attributes as posted.  Centre-only: it
    does not travel to offices."""

    __tablename__ = "open311_submissions"
    request_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("requests.id"), primary_key=True)
    client_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("api_clients.id"), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    media_url: Mapped[str | None] = mapped_column(sa.Text)
    device_id: Mapped[str | None] = mapped_column(sa.String(100))
    account_id: Mapped[str | None] = mapped_column(sa.String(100))
    attributes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)


REFERENCE_MODELS = (Region, District, Neighbourhood, CategoryFamily, Category, Channel, Reason)


# ------------------------------------------------------------------------ SMS
# The citizen's channel 10007000137 (:mod:`sync.server.sms`).


class SmsOutbox(Base):
    """A message to a citizen, queued in the transaction of the event that causes it
    and sent by :mod:`sync.server.sms.outbox`.  ``id`` is also the gateway's
    ``localid``: a message whose send outcome is unknown is looked up by it before
    it is ever sent again.

    ``status``: ``pending`` (waiting; ``next_attempt_at``), ``sending`` (claimed until
    ``lease_until`` by ``claim``), ``unknown`` (a send may have reached the gateway:
    look it up first), ``sent``, ``failed`` (the gateway refused it for good, or the
    retries ran out), ``opted_out`` (the citizen said stop before it went)."""

    __tablename__ = "sms_outbox"
    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    phone: Mapped[str] = mapped_column(sa.String(20))
    text: Mapped[str] = mapped_column(sa.Text)
    #: ``registered``, ``referred``, ``reopened``, ``closed``, ``status_reply``,
    #: ``satisfaction_thanks``, ``opt_out``, ``opt_in``, ``help``.
    purpose: Mapped[str] = mapped_column(sa.String(24))
    request_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("requests.id"), index=True)
    #: The event that caused it (none for answers to a message that names no request).
    event_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    claim: Mapped[str | None] = mapped_column(sa.String(36))
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    gateway: Mapped[str | None] = mapped_column(sa.String(16))
    gateway_message_id: Mapped[str | None] = mapped_column(sa.String(40))
    #: The gateway's last answer as it came (status code, message, entries).
    gateway_answer: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")

    __table_args__ = (sa.Index("ix_sms_outbox_status_next", "status", "next_attempt_at"),
                      sa.Index("ix_sms_outbox_phone", "phone"))


class SmsInbound(Base):
    """A citizen's SMS as the gateway delivered it; ``gateway_message_id`` is unique,
    so a callback the gateway repeats is taken in once."""

    __tablename__ = "sms_inbound"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    gateway_message_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    phone: Mapped[str] = mapped_column(sa.String(20), index=True)
    line: Mapped[str] = mapped_column(sa.String(20), default="")
    text: Mapped[str] = mapped_column(sa.Text)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: What the centre made of it: ``new_request``, ``status_query``, ``unknown_code``,
    #: ``satisfaction``, ``opt_out``, ``opt_in``, ``unmatched``.
    action: Mapped[str] = mapped_column(sa.String(24))
    request_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)


class SmsOptOut(Base):
    """A number that asked for no more messages (``لغو``); removed by ``شروع``."""

    __tablename__ = "sms_opt_outs"
    phone: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    inbound_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)


class Attachment(Base):
    """A photo or scanned letter of a request: its metadata, pulled by offices like
    its request's events (change-log entity ``attachment``, the request's district).
    The bytes are a blob named by ``sha256`` in the centre's blob store
    (:mod:`sync.server.blobs`), which an office sends and fetches apart.  Never
    deleted: taking one back sets ``removed_at`` (offices drop it; the centre keeps
    the record and the bytes)."""

    __tablename__ = "attachments"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    request_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("requests.id"), index=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    media_type: Mapped[str] = mapped_column(sa.String(100))
    #: ``citizen``, ``before`` or ``after`` (the completion photo).
    kind: Mapped[str] = mapped_column(sa.String(16))
    #: Never shown outside the city (Open311 ``media_url`` serves only the citizen's
    #: own photos that are not internal).
    internal: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    filename: Mapped[str] = mapped_column(sa.String(255))
    caption: Mapped[str] = mapped_column(sa.String(500), default="")
    added_by: Mapped[str] = mapped_column(sa.String(100))
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    removed_by: Mapped[str | None] = mapped_column(sa.String(100))
    #: The office that added it (``None``: the centre, e.g. Open311).
    office_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
