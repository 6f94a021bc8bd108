"""One-time enrolment codes: made by ``daftar-server office add`` (and ``office
code``), used up by an office's ``daftar enroll`` (:func:`sync.server.auth.enrol`),
and the limits that keep guessing them hopeless and harmless to sync.

A code is read aloud and typed by hand: four groups of four characters from an
alphabet without look-alikes (``7KQP-M3XD-RT9H-WC4N``), compared in a normal form
that forgives dashes, spaces, case and Persian digits.  Only its argon2 hash is
stored.  The salt of that hash starts with a marker and a two-byte *hint* (from a
SHA-256 of the code), so a typed code is verified only against the waiting codes
whose hint it shares: a wrong guess almost never costs an argon2 run, and a right
one costs one, however many offices wait.  Hashes without the marker (made before
it) are verified as before, against every guess, until they are used or expire.

Why guessing is hopeless, with the limits below (:class:`AttemptLimits`):

* the space is 31^16 ≈ 7.3·10^23 codes (≈ 2^79); the hint tells an attacker who
  reads it off the database (or times the answers) at most 16 of those bits, which
  leaves 31^16 / 2^16 ≈ 1.1·10^19 per waiting code;
* all clients together get at most 20 attempts at once and 600 an hour after that
  (one every 6 s); one address gets 5, then waits 1, 2, 4 … seconds, at most 15
  minutes, between attempts (about 18 in its first hour, 4 an hour after);
* with 100 codes waiting at once (more than the city has offices), a guess hits
  with probability 100 / 1.1·10^19 ≈ 9·10^-18 even knowing the hints: at 600
  guesses an hour, the expected time to a first hit is about 1.8·10^14 hours,
  some 2·10^10 years.  A code expires after 7 days, in which 100,800 guesses fit.

Guessing cannot starve sync either: limits are checked on the event loop before
any work, so a refused guess costs a dictionary lookup (429 with ``Retry-After``
and the code :data:`TOO_MANY_ATTEMPTS`), and verification runs in its own pool of
:data:`ENROLMENT_WORKERS` threads, apart from the threads that serve hello, push
and pull.  The price is that a flood can make a legitimate enrolment wait (it is
told when to try again); it never delays a sync.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import math
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from starlette.types import ASGIApp, Receive, Scope, Send

from sync.protocol import ErrorCode
from sync.server.body_limit import answer
from sync.text import clean, to_latin_digits

#: No 0/O, 1/I/L.
ENROLMENT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ENROLMENT_GROUPS = 4
ENROLMENT_GROUP_LENGTH = 4
ENROLMENT_VALID = dt.timedelta(days=7)
#: Threads that may run argon2 for enrolments at once (apart from the sync threads).
ENROLMENT_WORKERS = 2
#: The stable ``ErrorBody.code`` of a 429.
TOO_MANY_ATTEMPTS = ErrorCode.TOO_MANY_ATTEMPTS.value
ENROL_PATH = "/sync/enrol"

_HASHER = PasswordHasher()
#: Salts of hashes that carry a hint start with this.
_SALT_MARKER = b"dfe1"
_HINT_BYTES = 2


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


def code_hint(normalised: str) -> bytes:
    """Two bytes of a SHA-256 of the normalised code: which stored hashes to try."""
    return hashlib.sha256(b"daftar enrolment hint\0" + normalised.encode()).digest()[:_HINT_BYTES]


def hash_enrolment_code(code: str) -> str:
    """The argon2 hash that is stored (a standard one: ``PasswordHasher().verify(hash,
    normalise_enrolment_code(typed))`` holds), its salt carrying the code's hint."""
    typed = normalise_enrolment_code(code)
    salt = _SALT_MARKER + code_hint(typed) + secrets.token_bytes(16 - len(_SALT_MARKER) - _HINT_BYTES)
    return _HASHER.hash(typed, salt=salt)


def may_match(code_hash: str, hint: bytes) -> bool:
    """Whether a code with ``hint`` can be the one ``code_hash`` was made of; true for
    hashes without a hint, which only a full verification can tell."""
    parts = code_hash.split("$")
    if len(parts) != 6:
        return True
    try:
        salt = base64.b64decode(parts[4] + "=" * (-len(parts[4]) % 4))
    except ValueError:
        return True
    if not salt.startswith(_SALT_MARKER):
        return True
    return salt[len(_SALT_MARKER):len(_SALT_MARKER) + _HINT_BYTES] == hint


def verify_enrolment_code(code_hash: str, normalised: str) -> bool:
    """The slow check (argon2): run it off the event loop, in the enrolment pool."""
    try:
        return _HASHER.verify(code_hash, normalised)
    except (VerificationError, InvalidHashError):
        return False


# --------------------------------------------------------------------- limits


@dataclass(frozen=True)
class AttemptLimits:
    """How many enrolment attempts the centre takes (the docstring's arithmetic)."""

    #: All clients together: a bucket of this many attempts ...
    global_burst: int = 20
    #: ... refilled by one every so many seconds (600 an hour).
    global_interval: float = 6.0
    #: One address: this many attempts before it must wait ...
    free_per_address: int = 5
    #: ... first this long, doubling with each further attempt, up to ...
    first_wait: float = 1.0
    max_wait: float = 15 * 60.0
    #: An address quiet this long starts afresh (longer than ``max_wait``).
    forget_after: float = 60 * 60.0
    #: Addresses remembered at once; the oldest are forgotten first.
    max_addresses: int = 100_000


class TooManyAttempts(Exception):
    """An attempt refused by the limits; ``retry_after`` whole seconds to wait."""

    def __init__(self, retry_after: float, message: str):
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(message)


@dataclass
class _Address:
    attempts: int = 0
    last: float = 0.0
    next_allowed: float = 0.0


@dataclass
class AttemptGate:
    """Admits enrolment attempts by the :class:`AttemptLimits`, or refuses them with
    :class:`TooManyAttempts`.  Used from the event loop only, so it needs no lock."""

    limits: AttemptLimits = field(default_factory=AttemptLimits)
    clock: Callable[[], float] = time.monotonic
    _tokens: float = field(init=False)
    _refilled: float = field(init=False)
    _addresses: dict[str, _Address] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._tokens = float(self.limits.global_burst)
        self._refilled = self.clock()

    def admit(self, address: str) -> None:
        """Count an attempt from ``address``, or raise :class:`TooManyAttempts`."""
        now = self.clock()
        limits = self.limits
        seen = self._addresses.get(address)
        if seen is not None and now - seen.last > limits.forget_after:
            seen = None
        if seen is not None and now < seen.next_allowed:
            raise TooManyAttempts(seen.next_allowed - now,
                                  "too many enrolment attempts from this address: wait and try again")
        self._refill(now)
        if self._tokens < 1:
            raise TooManyAttempts((1 - self._tokens) * limits.global_interval,
                                  "the centre is taking too many enrolment attempts: try again later")
        self._tokens -= 1
        if seen is None:
            seen = self._remember(address)
        seen.attempts += 1
        seen.last = now
        beyond = seen.attempts - limits.free_per_address
        if beyond >= 0:
            seen.next_allowed = now + min(limits.first_wait * 2.0 ** beyond, limits.max_wait)

    def succeeded(self, address: str) -> None:
        """A right code was no guess: the address starts afresh and the attempt is
        given back to the global bucket."""
        self._addresses.pop(address, None)
        self._tokens = min(float(self.limits.global_burst), self._tokens + 1)

    def _refill(self, now: float) -> None:
        earned = (now - self._refilled) / self.limits.global_interval
        self._tokens = min(float(self.limits.global_burst), self._tokens + earned)
        self._refilled = now

    def _remember(self, address: str) -> _Address:
        if len(self._addresses) >= self.limits.max_addresses:
            oldest = min(self._addresses, key=lambda a: self._addresses[a].last)
            del self._addresses[oldest]
        record = self._addresses[address] = _Address()
        return record


class AttemptGatekeeper:
    """ASGI middleware: each request to :data:`ENROL_PATH` is counted by the gate
    before anything else is done with it, and one beyond the limits is answered 429
    there, its body unread — a refused guess costs the centre almost nothing."""

    def __init__(self, app: ASGIApp, gate: AttemptGate) -> None:
        self.app = app
        self.gate = gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == ENROL_PATH and scope["method"] == "POST":
            try:
                self.gate.admit(address_of(scope))
            except TooManyAttempts as exc:
                await answer(send, 429, TOO_MANY_ATTEMPTS, str(exc),
                             {"Retry-After": str(exc.retry_after)})
                return
        await self.app(scope, receive, send)


def address_of(scope: Scope) -> str:
    """The client's address (uvicorn takes it from ``X-Forwarded-For`` when the
    request comes through a proxy it trusts, by default one on this computer)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"
