"""The people who work at an office, and signing in — verified locally, so it works
offline.  Passwords are stored as argon2 hashes only."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from desktop_app.services.errors import FieldProblem, ServiceError, ValidationFailed
from desktop_app.services.requests import Actor
from desktop_app.store import models as m
from sync.dates import utcnow
from sync.text import clean
from sync.workflow import Role

_HASHER = PasswordHasher()
MIN_PASSWORD = 6


def create_user(sessions: sessionmaker[Session], *, username: str, display_name: str,
                role: Role | str, password: str, created_by: str = "setup") -> m.User:
    problems = []
    username = clean(username).casefold()
    if not username:
        problems.append(FieldProblem("username", "required", "choose a user name"))
    if len(password) < MIN_PASSWORD:
        problems.append(FieldProblem("password", "too_short",
                                     f"the password needs at least {MIN_PASSWORD} characters"))
    try:
        role = Role(role)
    except ValueError:
        problems.append(FieldProblem("role", "unknown", "choose clerk, supervisor or manager"))
    if problems:
        raise ValidationFailed(problems)
    now = utcnow()
    with sessions.begin() as session:
        if session.scalar(select(m.User).where(m.User.username == username)):
            raise ValidationFailed([FieldProblem("username", "taken", "this user name is taken")])
        user = m.User(username=username, display_name=clean(display_name) or username,
                      role=Role(role).value, password_hash=_HASHER.hash(password), active=True,
                      created_at=now)
        session.add(user)
        session.add(m.AuditEntry(at=now, actor=created_by, action="user_created", entity="user",
                                 entity_key=username, details={"role": user.role}))
    return user


def sign_in(sessions: sessionmaker[Session], username: str, password: str) -> m.User:
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
        return user


def has_users(sessions: sessionmaker[Session]) -> bool:
    with sessions() as session:
        return session.scalar(select(m.User.id).limit(1)) is not None


def actor_for(user: m.User, *, office_id=None, office_number: int = 0) -> Actor:  # type: ignore[no-untyped-def]
    return Actor(username=user.username, role=Role(user.role), display_name=user.display_name,
                 office_id=office_id, office_number=office_number)
