"""Completion photos: the district manager may require, per category, that a request
is closed as done only with a photo of the finished work (an ``after`` photo,
:class:`~desktop_app.services.attachments.Kind`).

The rule is this office's (a setting, :data:`SETTING`: the codes of the categories
that require one), checked by the Desk inside the transaction that closes the
request (:func:`check`), so no way of closing a request skips it.  Who may change
it is :data:`MANAGE_ROLES`; each category turned on or off is an entry in the
office's audit log.  Photos stay at the office until the sync carries them, so the
centre does not check this rule: a request closed at the centre is closed there.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.errors import ServiceError
from desktop_app.services.attachments import Kind
from desktop_app.store import models as m
from sync.dates import utcnow
from sync.workflow import Role

if TYPE_CHECKING:
    from desktop_app.services.requests import Actor

#: The office setting: a sorted list of the category codes that require a photo.
SETTING = "completion_photo_categories"
#: Who decides it: the district manager.
MANAGE_ROLES = frozenset({Role.MANAGER})
#: The audit entry for one category (entity ``category``, key its code; details ``required``).
AUDIT_ACTION = "completion_photo_rule"
#: The error's code and the field it is about (the completion photo).
REQUIRED_CODE, FIELD = "completion_photo_required", "completion_photo"


@dataclass(frozen=True)
class CategoryRule:
    """One category and whether closing it as done needs an ``after`` photo."""

    code: str
    name_fa: str
    name_en: str
    required: bool


@dataclass(frozen=True)
class Need:
    """What closing one request as done needs of photos, for the outcome dialog."""

    request_id: uuid.UUID
    tracking_code: str
    required: bool
    has_after_photo: bool

    @property
    def missing(self) -> bool:
        return self.required and not self.has_after_photo


def required_categories(session: Session) -> frozenset[str]:
    setting = session.get(m.Setting, SETTING)
    value = setting.value if setting is not None else None
    return frozenset(str(code) for code in value) if isinstance(value, list) else frozenset()


def category_rules(sessions: sessionmaker[Session]) -> list[CategoryRule]:
    """Every category the office knows, with its rule, in the order of its code."""
    with sessions() as session:
        required = required_categories(session)
        rows = session.execute(sa.select(m.Category.code, m.Category.name_fa, m.Category.name_en)
                               .order_by(m.Category.code)).all()
    return [CategoryRule(code, fa, en, code in required) for code, fa, en in rows]


def set_required(sessions: sessionmaker[Session], actor: Actor,
                 required: Collection[str]) -> list[CategoryRule]:
    """Make exactly ``required`` the categories that need a completion photo, in one
    transaction, with an audit entry for each category turned on or off."""
    if actor.role not in MANAGE_ROLES:
        raise ServiceError("role_not_allowed",
                           "only the district manager decides which categories need a photo")
    wanted = frozenset(required)
    now = utcnow()
    with sessions.begin() as session:
        known = set(session.scalars(sa.select(m.Category.code)))
        unknown = sorted(wanted - known)
        if unknown:
            raise ServiceError("unknown_category", f"no such category: {unknown[0]}",
                               field="category_code", category_code=unknown[0])
        before = required_categories(session)
        for code in sorted(before ^ wanted):
            session.add(m.AuditEntry(at=now, actor=actor.username, action=AUDIT_ACTION,
                                     entity="category", entity_key=code,
                                     details={"required": code in wanted}))
        setting = session.get(m.Setting, SETTING)
        if setting is None:
            session.add(m.Setting(key=SETTING, value=sorted(wanted)))
        else:
            setting.value = sorted(wanted)
    return category_rules(sessions)


def _after_photos(session: Session, request_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    return set(session.scalars(sa.select(m.Attachment.request_id).distinct().where(
        m.Attachment.request_id.in_(list(request_ids)), m.Attachment.kind == Kind.AFTER.value)))


def check(session: Session, request: m.ServiceRequest) -> None:
    """Refuse closing ``request`` as done when its category needs a completion photo
    and it has none (in the caller's transaction: a photo kept in the same one counts)."""
    if request.category_code not in required_categories(session):
        return
    if request.id in _after_photos(session, [request.id]):
        return
    raise ServiceError(
        REQUIRED_CODE,
        f"{request.tracking_code}: its category needs a photo of the finished work to close "
        "it as done; attach one (kind: after work) and close it again",
        field=FIELD, tracking_code=request.tracking_code, category_code=request.category_code)


def needs(sessions: sessionmaker[Session], request_ids: Sequence[uuid.UUID]) -> list[Need]:
    """For each request, whether closing it as done needs a completion photo and
    whether it has one already (the outcome dialog asks for it up front)."""
    with sessions() as session:
        required = required_categories(session)
        rows = session.execute(
            sa.select(m.ServiceRequest.id, m.ServiceRequest.tracking_code,
                      m.ServiceRequest.category_code)
            .where(m.ServiceRequest.id.in_(list(request_ids)))).all()
        with_photo = _after_photos(session, request_ids)
    by_id = {row.id: row for row in rows}
    return [Need(rid, by_id[rid].tracking_code, by_id[rid].category_code in required,
                 rid in with_photo) for rid in request_ids if rid in by_id]
