"""The people who work at an office, and signing in — verified locally, so it works
offline.  Passwords are stored as argon2 hashes only.

Only a manager adds, changes or deactivates people (``by=`` names who does it, and
every such write lands in the audit log with that name).  ``create_user`` without
``by`` is the first-run set-up, before anyone can sign in.  Every function hands back
an :class:`Account`, plain frozen data without the password hash, so the sign-in
dialog and the users dialog never hold an ORM row.

The centre holds a copy of the office's users (name, role, whether active — never
the password), because it accepts a pushed change only from an active user of the
office with the role it holds for them.  So every change to a person also queues an
``upsert_user`` in the outbox, in the same transaction, made by the manager who
changed them; the first user of the set-up introduces themselves (the centre takes
an office's first users on the strength of its enrolled device: sync.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.errors import FieldProblem, ServiceError, ValidationFailed
from desktop_app.services.requests import Actor, is_centre_session
from desktop_app.store import models as m
from sync import rules
from sync.dates import utcnow
from sync.protocol import Op, UpsertUserPayload
from sync.schema import new_id
from sync.text import clean
from sync.workflow import Role

_HASHER = PasswordHasher()
MIN_PASSWORD = 6


@dataclass(frozen=True)
class Account:
    """A person who may (or, inactive, may no longer) sign in here."""

    username: str
    display_name: str
    # The role's code (``Role`` values), as stored.
    role: str
    active: bool


def _account(user: m.User) -> Account:
    return Account(user.username, user.display_name, user.role, user.active)


def _require_manager(actor: Actor) -> None:
    try:
        rules.check_user_manager(actor.role)
    except rules.RuleError as exc:
        raise ServiceError(exc.code, str(exc)) from None


def _queue(session: Session, user: m.User, by: str) -> None:
    """Tell the centre about ``user`` as they now are, with the next sync."""
    payload = UpsertUserPayload(username=user.username, display_name=user.display_name,
                                role=user.role, active=user.active)
    session.add(m.OutboxEntry(
        mutation_id=new_id(), entity="user", entity_id=user.id, op=Op.UPSERT_USER.value,
        base_version=None, payload=payload.model_dump(mode="json"), created_at=utcnow(), actor=by))


def _role_problem(role: Role | str) -> list[FieldProblem]:
    try:
        Role(role)
    except ValueError:
        return [FieldProblem("role", "unknown", "choose clerk, supervisor or manager")]
    return []


def _centre_role_here(session: Session, role: Role | str) -> None:
    """A user of role ``centre`` works only at the centre's office (every district):
    the centre would refuse them anywhere else, and so does the office."""
    if Role(role) == Role.CENTRE and not is_centre_session(session):
        raise ValidationFailed([FieldProblem(
            "role", "centre_user_at_district_office",
            "the centre's operators work at the centre's office (enrolled with every district)")])


def create_user(sessions: sessionmaker[Session], *, username: str, display_name: str,
                role: Role | str, password: str, created_by: str = "setup",
                by: Actor | None = None) -> Account:
    if by is not None:
        _require_manager(by)
        created_by = by.username
    problems = []
    try:
        username = rules.check_username(username)
    except rules.RuleError as exc:
        problems.append(FieldProblem("username", exc.code, str(exc)))
    if len(password) < MIN_PASSWORD:
        problems.append(FieldProblem("password", "too_short",
                                     f"the password needs at least {MIN_PASSWORD} characters"))
    problems += _role_problem(role)
    if problems:
        raise ValidationFailed(problems)
    now = utcnow()
    with sessions.begin() as session:
        if session.scalar(select(m.User).where(m.User.username == username)):
            raise ValidationFailed([FieldProblem("username", "taken", "this user name is taken")])
        _centre_role_here(session, role)
        user = m.User(username=username, display_name=clean(display_name) or username,
                      role=Role(role).value, password_hash=_HASHER.hash(password), active=True,
                      created_at=now)
        session.add(user)
        session.add(m.AuditEntry(at=now, actor=created_by, action="user_created", entity="user",
                                 entity_key=username, details={"role": user.role}))
        session.flush()
        # At the set-up, the person introduces themselves to the centre.
        _queue(session, user, by.username if by is not None else user.username)
        return _account(user)


def list_users(sessions: sessionmaker[Session]) -> tuple[Account, ...]:
    """Everyone who has an account here, active ones first, by name."""
    with sessions() as session:
        return tuple(_account(user) for user in session.scalars(
            select(m.User).order_by(m.User.active.desc(), m.User.display_name, m.User.username)
        ))


def update_user(sessions: sessionmaker[Session], by: Actor, username: str, *,
                display_name: str | None = None, role: Role | str | None = None,
                active: bool | None = None, password: str | None = None) -> Account:
    """A manager changes someone's name, role, password or whether they may sign in.

    ``None`` leaves a value as it is.  The office can never lose its last active
    manager: nobody would be left to undo the change."""
    _require_manager(by)
    problems = _role_problem(role) if role is not None else []
    if password is not None and len(password) < MIN_PASSWORD:
        problems.append(FieldProblem("password", "too_short",
                                     f"the password needs at least {MIN_PASSWORD} characters"))
    if problems:
        raise ValidationFailed(problems)
    with sessions.begin() as session:
        user = session.scalar(select(m.User).where(m.User.username == clean(username).casefold()))
        if user is None:
            raise ServiceError("unknown_user", f"no such user: {username}", username=username)
        details: dict[str, object] = {}
        if display_name is not None and clean(display_name) != user.display_name:
            user.display_name = clean(display_name) or user.username
            details["display_name"] = user.display_name
        if role is not None and Role(role).value != user.role:
            _centre_role_here(session, role)
            user.role = details["role"] = Role(role).value
        if active is not None and active != user.active:
            user.active = details["active"] = active
        if password is not None:
            user.password_hash = _HASHER.hash(password)
            details["password"] = "changed"  # never the password itself
        if not details:
            return _account(user)
        session.flush()
        managers = session.scalar(select(func.count()).select_from(m.User).where(
            m.User.role == Role.MANAGER.value, m.User.active.is_(True)))
        if not managers:
            raise ServiceError("last_manager", "the office must keep an active manager")
        session.add(m.AuditEntry(at=utcnow(), actor=by.username, action="user_updated",
                                 entity="user", entity_key=user.username, details=details))
        if set(details) != {"password"}:  # the centre never hears of passwords
            _queue(session, user, by.username)
        return _account(user)


def resend_user(sessions: sessionmaker[Session], by: Actor, username: str) -> None:
    """A manager tells the centre about someone again, as the office holds them now
    (a user change the centre refused, re-applied); audited like any change."""
    _require_manager(by)
    with sessions.begin() as session:
        user = session.scalar(select(m.User).where(m.User.username == clean(username).casefold()))
        if user is None:
            raise ServiceError("unknown_user", f"no such user: {username}", username=username)
        session.add(m.AuditEntry(at=utcnow(), actor=by.username, action="user_resent",
                                 entity="user", entity_key=user.username, details={}))
        _queue(session, user, by.username)


def sign_in(sessions: sessionmaker[Session], username: str, password: str) -> Account:
    """The user, if the password is right; ``ServiceError('bad_login')`` otherwise
    (the same answer for an unknown name and a wrong password)."""
    with sessions.begin() as session:
        user = session.scalar(select(m.User).where(m.User.username == clean(username).casefold()))
        try:
            if user is None or not user.active:
                raise VerificationError
            _HASHER.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise ServiceError("bad_login", "wrong user name or password") from None
        session.add(m.AuditEntry(at=utcnow(), actor=user.username, action="signed_in",
                                 entity="user", entity_key=user.username, details={}))
        return _account(user)


def has_users(sessions: sessionmaker[Session]) -> bool:
    with sessions() as session:
        return session.scalar(select(m.User.id).limit(1)) is not None


def actor_for(user: Account, *, office_id=None, office_number: int = 0) -> Actor:  # type: ignore[no-untyped-def]
    return Actor(username=user.username, role=Role(user.role), display_name=user.display_name,
                 office_id=office_id, office_number=office_number)
