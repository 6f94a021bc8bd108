"""Sending what waits in the outbox: each message once, none lost.

A round (:meth:`Sender.run_once`):

1. **claim** — in one short transaction, each due message is taken with a
   conditional ``UPDATE … WHERE id = ? AND status = <as read> AND claim = <as read>``
   that sets ``sending``, a fresh claim token and a lease.  Two senders (the
   server's thread and ``daftar-server sms send-pending`` from a scheduler) never
   both win a message: on PostgreSQL the loser's update waits for the winner's
   commit and then matches nothing.  A message to a number that opted out is
   marked ``opted_out`` instead.
2. **send**, outside any transaction.  A message claimed from ``unknown`` or from an
   expired lease (its sender died mid-send, or timed out after the request left)
   may already be at the gateway: it is **looked up by its localid first** and
   marked sent with the gateway's id if found; only a message the gateway surely
   does not have is sent again, and with the same localid, which the gateway
   de-duplicates as a second guard; when the lookup itself fails the message stays
   ``unknown``.  Before each send the lease is renewed with a conditional update
   on the claim token; a message another sender has claimed since is skipped.
3. **finish** — in a transaction that matches the claim token (a sender whose
   lease ran out writes nothing): ``sent`` with the gateway's message id and its
   whole answer, and a ``sms_sent`` event on the request (which travels to its
   district's offices like any event); ``failed`` when the gateway refused it for
   good or the tries ran out; back to ``pending`` after a backoff that doubles
   (``unknown`` when the outcome cannot be known).

A kill -9 anywhere leaves each message ``pending`` (claim not committed: sent
later), ``sending`` (looked up once its lease expires) or finished.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from sync.dates import utcnow
from sync.server.changes import log_changes
from sync.server.models import ServiceRequest, SmsOptOut, SmsOutbox
from sync.server.sms.provider import GatewayError, OutcomeUnknown, Provider, Sent
from sync.server.sms.settings import SmsSettings
from sync.workflow import EventKind, Role

log = logging.getLogger("daftar.server.sms")

#: Who the history names for what the SMS channel did.
ACTOR = "sms"
#: Messages that go even to a number that opted out (the confirmation of it).
ALWAYS = frozenset({"opt_out"})
MAX_BACKOFF = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Claimed:
    id: int
    phone: str
    text: str
    purpose: str
    request_id: uuid.UUID | None
    token: str
    attempts: int
    #: It may be at the gateway already: look it up before sending.
    uncertain: bool


@dataclass
class Round:
    sent: int = 0
    found: int = 0
    failed: int = 0
    retry: int = 0
    unknown: int = 0
    opted_out: int = 0
    lost_lease: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def claimed(self) -> int:
        return self.sent + self.found + self.failed + self.retry + self.unknown + self.lost_lease

    def add(self, other: Round) -> None:
        for name in ("sent", "found", "failed", "retry", "unknown", "opted_out", "lost_lease"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors

    def summary(self) -> str:
        return (f"sent: {self.sent + self.found}, failed: {self.failed}, to retry: "
                f"{self.retry + self.unknown}, opted out: {self.opted_out}")


class Sender:
    def __init__(self, sessions: sessionmaker[Session], provider: Provider, settings: SmsSettings):
        self.sessions = sessions
        self.provider = provider
        self.settings = settings

    # ------------------------------------------------------------------ claim

    def _due(self, now: dt.datetime) -> sa.ColumnElement[bool]:
        return sa.or_(
            sa.and_(SmsOutbox.status.in_(("pending", "unknown")), SmsOutbox.next_attempt_at <= now),
            sa.and_(SmsOutbox.status == "sending", SmsOutbox.lease_until < now),
        )

    def claim(self, limit: int = 50) -> tuple[list[Claimed], int]:
        """Claim up to ``limit`` due messages; also returns how many were opted out."""
        now = utcnow()
        lease = now + dt.timedelta(seconds=self.settings.lease_seconds)
        claimed, opted = [], 0
        with self.sessions.begin() as session:
            rows = session.execute(
                sa.select(SmsOutbox.id, SmsOutbox.status, SmsOutbox.claim, SmsOutbox.phone,
                          SmsOutbox.text, SmsOutbox.purpose, SmsOutbox.request_id,
                          SmsOutbox.attempts)
                .where(self._due(now)).order_by(SmsOutbox.id).limit(limit)).all()
            if not rows:
                return [], 0
            stopped = set(session.scalars(sa.select(SmsOptOut.phone).where(
                SmsOptOut.phone.in_({r.phone for r in rows}))))
            for row in rows:
                same = [SmsOutbox.id == row.id, SmsOutbox.status == row.status,
                        SmsOutbox.claim.is_(None) if row.claim is None else SmsOutbox.claim == row.claim]
                if row.phone in stopped and row.purpose not in ALWAYS:
                    opted += session.execute(sa.update(SmsOutbox).where(*same).values(
                        status="opted_out", claim=None, lease_until=None,
                        last_error="the citizen opted out")).rowcount
                    continue
                token = str(uuid.uuid4())
                won = session.execute(sa.update(SmsOutbox).where(*same).values(
                    status="sending", claim=token, lease_until=lease,
                    attempts=SmsOutbox.attempts + 1)).rowcount
                if won == 1:
                    claimed.append(Claimed(row.id, row.phone, row.text, row.purpose, row.request_id,
                                           token, row.attempts + 1,
                                           uncertain=row.status in ("unknown", "sending")))
        return claimed, opted

    # ------------------------------------------------------------------- send

    def _backoff(self, attempts: int) -> dt.timedelta:
        seconds = self.settings.retry_seconds * 2 ** max(attempts - 1, 0)
        return min(dt.timedelta(seconds=seconds), MAX_BACKOFF)

    def _renew(self, message: Claimed) -> bool:
        """Extend our lease just before sending: a round's messages share one lease,
        which may have run out while earlier ones were sent.  False when another
        sender has claimed the message since: it is theirs, and sending it here too
        would send it twice."""
        lease = utcnow() + dt.timedelta(seconds=self.settings.lease_seconds)
        with self.sessions.begin() as session:
            return session.execute(sa.update(SmsOutbox).where(
                SmsOutbox.id == message.id, SmsOutbox.claim == message.token).values(
                lease_until=lease)).rowcount == 1

    def deliver(self, message: Claimed) -> str:
        """Send one claimed message and record the outcome; returns what happened."""
        if not self._renew(message):
            return "lost_lease"
        found: Sent | None = None
        if message.uncertain:
            try:
                found = self.provider.lookup(message.id)
            except (GatewayError, OutcomeUnknown) as exc:
                # Whether the gateway has it is still unknown: it stays uncertain (looked
                # up again next time), never back to pending, which would send it blindly.
                if message.attempts >= self.settings.max_attempts:
                    return self._finish(message, "failed", error=f"outcome unknown: {exc}")
                return self._finish(message, "unknown", error=f"lookup: {exc}")
        try:
            result = found or self.provider.send(message.phone, message.text, message.id)
        except GatewayError as exc:
            give_up = not exc.retry or message.attempts >= self.settings.max_attempts
            return self._finish(message, "failed" if give_up else "pending", error=str(exc),
                                answer={"status": exc.status, **exc.answer})
        except OutcomeUnknown as exc:
            if message.attempts >= self.settings.max_attempts:
                return self._finish(message, "failed", error=f"outcome unknown: {exc}")
            return self._finish(message, "unknown", error=str(exc))
        return self._sent(message, result, found is not None)

    def _finish(self, message: Claimed, status: str, *, error: str,
                answer: dict[str, object] | None = None) -> str:
        values: dict[str, object] = {"status": status, "claim": None, "lease_until": None,
                                     "last_error": error[:2000]}
        if answer is not None:
            values["gateway_answer"] = answer
        if status in ("pending", "unknown"):
            values["next_attempt_at"] = utcnow() + self._backoff(message.attempts)
        with self.sessions.begin() as session:
            done = session.execute(sa.update(SmsOutbox).where(
                SmsOutbox.id == message.id, SmsOutbox.claim == message.token).values(**values)).rowcount
        if not done:
            return "lost_lease"
        log.warning("SMS %s to %s: %s (%s)", message.id, message.phone, status, error)
        return {"pending": "retry"}.get(status, status)

    def _sent(self, message: Claimed, result: Sent, found: bool) -> str:
        from sync.server import operations as ops  # (operations imports this package)

        now = utcnow()
        with self.sessions.begin() as session:
            done = session.execute(sa.update(SmsOutbox).where(
                SmsOutbox.id == message.id, SmsOutbox.claim == message.token).values(
                status="sent", claim=None, lease_until=None, sent_at=now,
                gateway=self.provider.name, gateway_message_id=result.message_id,
                gateway_answer=result.answer, last_error="")).rowcount
            if not done:
                # Our lease ran out and another sender took it: it looks the message
                # up by its localid and records it; writing here would record it twice.
                return "lost_lease"
            request = session.get(ServiceRequest, message.request_id) if message.request_id else None
            if request is not None:
                event = ops.add_event(
                    session, request, EventKind.SMS_SENT, actor=ACTOR, role=Role.CENTRE, at=now,
                    client_time=now, note=message.text,
                    data={"outbox_id": message.id, "purpose": message.purpose,
                          "gateway": self.provider.name, "message_id": result.message_id})
                session.flush()
                log_changes(session, [ops.event_entry(event, request.district_code)])
        return "found" if found else "sent"

    # ----------------------------------------------------------------- rounds

    def run_once(self, limit: int = 50) -> Round:
        done = Round()
        claimed, done.opted_out = self.claim(limit)
        for message in claimed:
            try:
                outcome = self.deliver(message)
            except Exception as exc:  # a database hiccup: the lease brings it back
                log.exception("SMS %s could not be finished", message.id)
                done.errors.append(f"{message.id}: {type(exc).__name__}: {exc}")
                continue
            setattr(done, outcome, getattr(done, outcome) + 1)
        return done

    def drain(self, limit: int = 50, stop: threading.Event | None = None) -> Round:
        """Rounds until nothing is due now (or ``stop`` is set)."""
        total = Round()
        while stop is None or not stop.is_set():
            step = self.run_once(limit)
            total.add(step)
            if step.claimed + step.opted_out == 0:
                break
        return total


class SenderThread(threading.Thread):
    """What ``serve`` runs beside the API: a round every ``settings.interval`` seconds."""

    def __init__(self, sender: Sender):
        super().__init__(name="daftar-sms-sender", daemon=True)
        self.sender = sender
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.sender.drain(stop=self.stopping)
            except Exception:  # the database is away for a moment: try next round
                log.exception("SMS round failed")
            self.stopping.wait(self.sender.settings.interval)

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        self.join(timeout)
