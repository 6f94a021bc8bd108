"""Table shapes that both databases share.

The centre's database (``sync/server/models.py``) and each office's
(``desktop_app/store/models.py``) hold the same reference data, the same request
projection and the same append-only history, because sync copies rows between
them.  The columns are declared once here, as mixins; each side adds them to its
own declarative base and adds what only it needs (offices: outbox, users; centre:
change log, enrolment).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator
from uuid6 import uuid7

from sync.dates import UTC

#: Constraint names that Alembic can diff and that SQLite batch migrations can find.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> uuid.UUID:
    """Row keys are made where the row is born; UUIDv7 keeps them time-ordered."""
    return uuid7()


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An instant.  Stored in UTC; always handed back aware (SQLite drops the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store instants with their offset")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def make_metadata() -> sa.MetaData:
    return sa.MetaData(naming_convention=NAMING_CONVENTION)


# ------------------------------------------------------------------ reference data


class RegionColumns:
    __tablename__ = "regions"
    number: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    name_fa: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str] = mapped_column(sa.String(100))


class DistrictColumns:
    __tablename__ = "districts"
    code: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    region_number: Mapped[int] = mapped_column(sa.ForeignKey("regions.number"), index=True)
    name_fa: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str] = mapped_column(sa.String(100))


class NeighbourhoodColumns:
    __tablename__ = "neighbourhoods"
    code: Mapped[str] = mapped_column(sa.String(48), primary_key=True)
    district_code: Mapped[str] = mapped_column(sa.ForeignKey("districts.code"), index=True)
    name_fa: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str] = mapped_column(sa.String(100))


class CategoryFamilyColumns:
    __tablename__ = "category_families"
    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name_fa: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str] = mapped_column(sa.String(100))


class CategoryColumns:
    __tablename__ = "categories"
    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    family_code: Mapped[str] = mapped_column(sa.ForeignKey("category_families.code"))
    name_fa: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str] = mapped_column(sa.String(100))
    target_days: Mapped[int] = mapped_column(sa.Integer)


class ChannelColumns:
    __tablename__ = "channels"
    code: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    name_fa: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str] = mapped_column(sa.String(100))


class ReasonColumns:
    """Reasons a request can be not actionable."""

    __tablename__ = "reasons"
    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name_fa: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str] = mapped_column(sa.String(100))


# ------------------------------------------------------------------------ crews


class CrewColumns:
    """A field crew (اکیپ) of a district.  Born in an office, synced to the centre."""

    __tablename__ = "crews"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    district_code: Mapped[str] = mapped_column(sa.ForeignKey("districts.code"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    supervisor: Mapped[str] = mapped_column(sa.String(100), default="")
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    version: Mapped[int] = mapped_column(sa.Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


# --------------------------------------------------------------------- requests


class RequestColumns:
    """A citizen's request: the projection of its history (the events)."""

    __tablename__ = "requests"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    #: What the citizen is told and what everyone quotes (10 digits from the centre).
    tracking_code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    channel: Mapped[str] = mapped_column(sa.ForeignKey("channels.code"))
    district_code: Mapped[str] = mapped_column(sa.ForeignKey("districts.code"))
    neighbourhood_code: Mapped[str | None] = mapped_column(
        sa.ForeignKey("neighbourhoods.code"), index=True
    )
    category_code: Mapped[str] = mapped_column(sa.ForeignKey("categories.code"), index=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    citizen_name: Mapped[str] = mapped_column(sa.String(200), default="")
    citizen_phone: Mapped[str | None] = mapped_column(sa.String(20))
    address: Mapped[str] = mapped_column(sa.Text, default="")
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    status: Mapped[str] = mapped_column(sa.String(16))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    outcome_reason: Mapped[str | None] = mapped_column(sa.ForeignKey("reasons.code"))
    outcome_note: Mapped[str] = mapped_column(sa.Text, default="")
    crew_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("crews.id"), index=True)
    assigned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: For a not-actionable duplicate: the original request.
    duplicate_of: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    #: The deadline the centre set when it referred the request (referral time plus
    #: the category's ``target_days`` unless the centre chose another); ``None`` while
    #: it waits for verification.  Overdue = open and ``due_at`` before now.
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Incremented by the centre only, on every change; offices send it back as the
    #: base of an edit so that a stale edit is seen (DESIGN.md, sync).
    version: Mapped[int] = mapped_column(sa.Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return request_table_args()


#: The open statuses as SQL, spelled exactly as the partial index ``ix_requests_open_due``
#: says it: a query uses that index only when its condition is this text.
OPEN_STATUS_SQL = "status IN ('received', 'referred', 'assigned', 'in_progress')"
OPEN_DUE_COLUMNS = ("due_at", "district_code", "category_code", "status")


def request_table_args(*, postgresql: bool = True) -> tuple[Any, ...]:
    """The indexes and checks of ``requests`` in both databases.  A function, so that
    the office can add its own indexes to the same tuple (desktop_app.store.models).

    ``postgresql=False`` (the office, always SQLite) leaves out PostgreSQL's options:
    naming one makes SQLAlchemy import its whole PostgreSQL dialect to check it,
    about 20 ms of every headless command's start-up (issue 18)."""
    where = {"sqlite_where": sa.text(OPEN_STATUS_SQL)}
    if postgresql:
        where["postgresql_where"] = sa.text(OPEN_STATUS_SQL)
    return (
        sa.Index("ix_requests_district_status", "district_code", "status"),
        #: Open work by deadline (overdue = open and ``due_at`` before now): only the
        #: open requests, in order of how late, with what the overdue screens and
        #: counts group by — never a closed request's row, nor a sort.
        sa.Index("ix_requests_open_due", *OPEN_DUE_COLUMNS, **where),
        sa.CheckConstraint(
            "status IN ('received','referred','assigned','in_progress','done','not_actionable')",
            name="status_known",
        ),
        sa.CheckConstraint(
            "channel IN ('phone','web','sms','walk_in')", name="channel_known"
        ),
    )


class EventColumns:
    """One entry of a request's history.  Never updated, never deleted."""

    __tablename__ = "events"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=new_id)
    request_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("requests.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    from_status: Mapped[str | None] = mapped_column(sa.String(16))
    to_status: Mapped[str | None] = mapped_column(sa.String(16))
    reason: Mapped[str | None] = mapped_column(sa.String(32))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    #: Extra facts of the event (crew id, districts of a move …).
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    actor: Mapped[str] = mapped_column(sa.String(100))
    actor_role: Mapped[str] = mapped_column(sa.String(16))
    office_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    #: The clock of the machine where it happened: for the audit, never for ordering.
    client_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: The centre's clock when it accepted the event; empty while an office holds it.
    server_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    mutation_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
