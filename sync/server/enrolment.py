"""One-time enrolment codes: made by ``daftar-server office add`` (and ``office
code``), used up by an office's ``daftar enroll`` (:func:`sync.server.auth.enrol`).

A code is read aloud and typed by hand, so it avoids look-alike characters and is
compared in a normal form that forgives dashes, spaces, case and Persian digits.
Only its argon2 hash is stored: a typed code is short enough that every guess must
cost."""

from __future__ import annotations

import datetime as dt
import secrets

from argon2 import PasswordHasher

from sync.text import clean, to_latin_digits

#: No 0/O, 1/I/L.
ENROLMENT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ENROLMENT_GROUPS = 4
ENROLMENT_GROUP_LENGTH = 4
ENROLMENT_VALID = dt.timedelta(days=7)


def new_enrolment_code() -> str:
    """A one-time code like ``7KQP-M3XD-RT9H-WC4N`` (about 79 random bits)."""
    groups = (
        "".join(secrets.choice(ENROLMENT_ALPHABET) for _ in range(ENROLMENT_GROUP_LENGTH))
        for _ in range(ENROLMENT_GROUPS)
    )
    return "-".join(groups)


def normalise_enrolment_code(text: str) -> str:
    """The form that is hashed and verified: what a person typed, without the dashes,
    spaces or case they typed it with (Persian digits read as Latin)."""
    return "".join(ch for ch in to_latin_digits(clean(text)).upper() if ch.isalnum())


def hash_enrolment_code(code: str) -> str:
    """Only this argon2 hash is stored; verify with ``PasswordHasher().verify(hash,
    normalise_enrolment_code(typed))``."""
    return PasswordHasher().hash(normalise_enrolment_code(code))
