"""The office's sync round, without Qt and without the office's database.

A round is *hello, push, pull*:

* **hello** — who this device is now and the centre's clock (clock-skew check);
* **push** — the outbox as it stood when the round began, oldest first, in batches;
  each batch's answers are stored (and its entries deleted) while the next one is
  sent — after they are stored, when the next batch builds on them (a crew edited
  in both: the answer says which version the second edit is made on);
* **pull** — pages after the stored cursor until the centre has no more; each page
  is applied together with its new cursor.  Pages are fetched on a second thread,
  up to :data:`PULL_AHEAD` ahead of the one being applied (the centre's headers say
  where the next one starts), so that on a first sync the centre's work and the
  network overlap with the office's, and a page that takes the centre longer does
  not hold the office up.  That thread only waits for bytes: reading a page (JSON)
  and applying it stay on one thread, because SQLite lets go of the GIL for each
  row it writes, and a second Python thread busy then would make the writer queue
  for the GIL row after row.

Pushing first means a page never overwrites a change the centre has not seen yet,
and every step commits its own progress, so a round cut short anywhere — the network,
a crash, the user's cancel — resumes where it stopped: answers already stored are not
asked for again, and a mutation sent twice is answered from the centre's record.
Only :class:`~sync.client.errors.TransientError` (network, timeouts, 5xx) is retried,
with exponential backoff and jitter; anything the centre refuses on purpose ends the
round with its code.

The office's database is behind :class:`Replica`; the office app implements it
(:class:`desktop_app.services.replica.OfficeReplica`), tests implement it too.
"""

from __future__ import annotations

import datetime as dt
import queue
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import httpx

from sync.batching import collector_paused
from sync.client.blobs import BlobCounts, BlobMover, BlobSide
from sync.client.errors import SyncError, TransientError
from sync.client.transport import HttpTransport
from sync.dates import utcnow
from sync.protocol import (
    BLOB_CHUNK_BYTES,
    CLOCK_SKEW_WARNING_SECONDS,
    DEFAULT_PULL_PAGE,
    LAST_SEQ_HEADER,
    MAX_PULL_PAGE,
    MAX_PUSH_BATCH,
    NEXT_CURSOR_HEADER,
    PROTOCOL_VERSION,
    ErrorCode,
    HelloResponse,
    Mutation,
    MutationResult,
    OfficeInfo,
    Op,
    Outcome,
    PullResponse,
    PushRequest,
    PushResponse,
    Wire,
)
from sync.text import SEARCH_TEXT_RULES

T = TypeVar("T", bound=Wire)
R = TypeVar("R")

#: Pages fetched ahead of the one being applied, at most (a first sync's page is a
#: few megabytes).
PULL_AHEAD = 3
#: Each page of a long pull asks for this many times the entries of the one before
#: (:meth:`SyncEngine._limit`).
PAGE_GROWTH = 1.5


class Replica(Protocol):
    """The office's copy of the centre's data, and its outbox, as the engine needs
    them: the office's database behind it.  Each method that touches it
    is one local transaction; the engine never holds one across a network call."""

    def set_identity(self, office: OfficeInfo) -> None:
        """Remember who the centre says this office is (its districts may change)."""

    def outbox_end(self) -> int | None:
        """The newest outbox position now; a round pushes up to it and no further."""

    def pending(self, limit: int, up_to: int, after: int | None = None) -> list[Mutation]:
        """The oldest ``limit`` outbox entries at or before ``up_to`` (and after
        ``after``: a batch read while the one before it is still unanswered), in order."""

    def count_pending(self, up_to: int) -> int:
        """How many outbox entries wait at or before ``up_to``."""

    def store_results(self, results: Sequence[MutationResult]) -> None:
        """Keep the centre's answers and delete their outbox entries, in one transaction."""

    def cursor(self) -> int:
        """How far the office has pulled."""

    def reset_cursor(self) -> None:
        """Pull everything again (the centre's log is behind the office's cursor)."""

    def apply_page(self, page: PullResponse) -> int | None:
        """Apply a page and store its ``next_cursor``, in one transaction, if the
        stored cursor is still the page's ``cursor``; the number of requests newly
        referred to the office, or ``None`` when the cursor moved meanwhile (the page
        was not applied)."""

    def finish_round(self, report: SyncReport) -> None:
        """Remember when the last round completed and what it found."""


@dataclass
class SyncReport:
    """What one completed round did."""

    started_at: dt.datetime
    pushed: int = 0
    applied: int = 0
    rejected: int = 0
    conflicts: int = 0
    pulled: int = 0
    pages: int = 0
    #: Requests that arrived at the office as ``referred`` (new work for the desk).
    new_referrals: int = 0
    #: The centre's clock minus the office's, in seconds (``None`` if not measured).
    clock_skew_seconds: float | None = None
    #: When the rows' part of the round (hello, push, pull) ended: the photos' bytes
    #: move after it (:mod:`sync.client.blobs`) and never hold it up.
    rows_finished_at: dt.datetime | None = None
    #: Attachment bytes sent and fetched, and those that failed (tried next round).
    blobs: BlobCounts = field(default_factory=BlobCounts)
    finished_at: dt.datetime | None = None

    @property
    def clock_skew_warning(self) -> bool:
        return self.clock_skew_seconds is not None \
            and abs(self.clock_skew_seconds) > CLOCK_SKEW_WARNING_SECONDS


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failing call is tried again."""

    attempts: int = 5
    first_delay: float = 0.5
    max_delay: float = 8.0

    def delays(self) -> Iterator[float]:
        """Waits between attempts: doubling, capped, each drawn from its upper half
        so that fifty offices cut off together do not all come back together."""
        delay = self.first_delay
        for _ in range(self.attempts - 1):
            yield random.uniform(delay / 2, delay)
            delay = min(delay * 2, self.max_delay)


@dataclass
class SyncEngine:
    replica: Replica
    transport: HttpTransport
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    #: Called with ``(phase, done, total)``: phase ``push`` counts outbox entries,
    #: ``pull`` change-log positions (a long first sync moves steadily to its total).
    progress: Callable[[str, int, int], None] | None = None
    cancel: Callable[[], bool] | None = None
    page_size: int = DEFAULT_PULL_PAGE
    #: The pages of a long pull (the centre has more than two of these still to send
    #: when it begins: a first sync, a long absence) grow to this size: fewer, larger
    #: transactions and search-index segments (:meth:`_limit`).
    catch_up_page_size: int = MAX_PULL_PAGE
    #: Ask the centre for each pulled request's search text made by these rules
    #: (:data:`sync.text.SEARCH_TEXT_RULES`; ``None``: do not): the centre has the
    #: text at hand, and a first sync would otherwise make 100,000 of them here.
    search_text_rules: int | None = SEARCH_TEXT_RULES
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], dt.datetime] = utcnow
    #: The office's photos (:class:`~sync.client.blobs.BlobSide`): their bytes are
    #: sent and fetched after the rows, when given.
    blobs: BlobSide | None = None
    #: Bytes per uploaded piece (tests cut smaller pieces).
    blob_chunk: int = BLOB_CHUNK_BYTES

    # ----------------------------------------------------------------- plumbing

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel():
            raise SyncError("cancelled", "sync was cancelled; it resumes where it stopped")

    def _wait(self, seconds: float) -> None:
        """Back off, but notice a cancel within a tenth of a second."""
        while seconds > 0:
            self._check_cancel()
            step = min(seconds, 0.1)
            self.sleep(step)
            seconds -= step

    def _call(self, method: str, path: str, answer: type[T], *, body: Wire | None = None,
              params: dict[str, int] | None = None) -> T:
        return self.transport.read(path, answer, self._send(method, path, body=body, params=params))

    def _send(self, method: str, path: str, *, body: Wire | None = None,
              params: dict[str, int] | None = None) -> bytes:
        return self._retrying(lambda: self.transport.send(method, path, body=body, params=params))

    def _retrying(self, attempt: Callable[[], R]) -> R:
        delays = self.retry.delays()
        while True:
            self._check_cancel()
            try:
                return attempt()
            except TransientError as exc:
                delay = next(delays, None)
                if delay is None:
                    raise SyncError(exc.code, f"{exc.message} (gave up after "
                                    f"{self.retry.attempts} attempts)") from exc
                self._wait(delay)

    def _report(self, phase: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(phase, done, total)

    # -------------------------------------------------------------------- round

    def run_round(self) -> SyncReport:
        """One full round; :class:`SyncError` unless it completed."""
        report = SyncReport(started_at=self.clock())
        self._hello(report)
        self._push(report)
        self._pull(report)
        report.rows_finished_at = self.clock()
        if self.blobs is not None:
            mover = BlobMover(self.blobs, self.transport, self._retrying, self.blob_chunk)
            report.blobs = mover.run(self._check_cancel)
        report.finished_at = self.clock()
        self.replica.finish_round(report)
        return report

    def _hello(self, report: SyncReport) -> None:
        sent = self.clock()
        hello = self._call("GET", "/sync/hello", HelloResponse)
        received = self.clock()
        # The centre read its clock somewhere between send and receipt: the middle.
        local = sent + (received - sent) / 2
        report.clock_skew_seconds = (hello.server_time - local).total_seconds()
        self.replica.set_identity(hello.office)

    def _push(self, report: SyncReport) -> None:
        end = self.replica.outbox_end()
        if end is None:
            return
        total = self.replica.count_pending(end)
        self._report("push", 0, total)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="daftar-push") as sender:
            batch = self.replica.pending(MAX_PUSH_BATCH, end)
            answer = sender.submit(self._send_batch, batch) if batch else None
            while answer is not None:
                results = answer.result()
                # The next batch goes out while this one's answers are stored (the centre
                # applies one while the office writes the other), unless it builds on
                # them: the version a crew edit makes is known from its answer alone.
                after = self.replica.pending(MAX_PUSH_BATCH, end, after=batch[-1].office_seq)
                ahead = sender.submit(self._send_batch, after) \
                    if after and not _edits_crews_of(after, batch) else None
                self.replica.store_results(results)
                report.pushed += len(batch)
                for result in results:
                    if result.outcome == Outcome.APPLIED:
                        report.applied += 1
                    elif result.outcome == Outcome.CONFLICT:
                        report.conflicts += 1
                    else:
                        report.rejected += 1
                self._report("push", report.pushed, total)
                if ahead is None:
                    after = self.replica.pending(MAX_PUSH_BATCH, end)
                    ahead = sender.submit(self._send_batch, after) if after else None
                batch, answer = after, ahead

    def _send_batch(self, batch: list[Mutation]) -> list[MutationResult]:
        """The centre's answers to ``batch``, in its order."""
        request = PushRequest(protocol_version=PROTOCOL_VERSION, mutations=batch, client_time=self.clock())
        results = self._call("POST", "/sync/push", PushResponse, body=request).results
        if [r.mutation_id for r in results] != [m.mutation_id for m in batch]:
            raise SyncError("bad_response", "the centre's answers do not match the batch sent")
        return results

    def _fetch(self, cursor: int, limit: int) -> tuple[bytes, httpx.Headers]:
        """The page after ``cursor``, as it came (see :class:`_PageFeed`)."""
        params = {"cursor": cursor, "limit": limit}
        if self.search_text_rules is not None:
            params["search_text_rules"] = self.search_text_rules
        return self._retrying(lambda: self.transport.fetch("/sync/pull", params=params))

    def _limit(self, behind: int, previous: int) -> int:
        """The page size to ask for with ``behind`` log entries still to come, after a
        page of ``previous`` entries.

        A short pull keeps to ``page_size``.  A long one begins with ``page_size`` too,
        so that the office starts writing early, and each page after asks for
        :data:`PAGE_GROWTH` times more, up to ``catch_up_page_size``, where it stays.
        Growing by steps keeps the office busy: the next page comes while this one is
        written (the centre reads a log entry faster than the office writes it),
        where a jump straight to the big size leaves a first sync waiting for it."""
        if previous <= self.page_size and behind <= 2 * self.catch_up_page_size:
            return self.page_size
        return min(self.catch_up_page_size, max(self.page_size, int(previous * PAGE_GROWTH)))

    def _read(self, fetched: _Fetched) -> PullResponse:
        page = self.transport.read("/sync/pull", PullResponse, fetched.content)
        if page.cursor != fetched.cursor or page.next_cursor < fetched.cursor:
            raise SyncError("bad_response", "the centre answered for another cursor")
        return page

    def _pull(self, report: SyncReport) -> None:
        start = cursor = self.replica.cursor()
        behind = 0  # log entries after ``cursor``, as far as the last page said
        feed = _PageFeed(self, cursor, self.page_size)
        try:
            while True:
                fetched = feed.take()
                if fetched is None or fetched.cursor != cursor:
                    # The feed stopped short (an older centre, whose headers do not say
                    # where the next page starts) or went elsewhere: on from here.
                    feed.close()
                    feed = _PageFeed(self, cursor, self._limit(behind, feed.limit))
                    continue
                if fetched.error is not None:
                    if not (isinstance(fetched.error, SyncError) and cursor != 0
                            and fetched.error.code == ErrorCode.CURSOR_AHEAD):
                        raise fetched.error
                    # The centre was restored from an older copy: everything again,
                    # from 0 (rows are upserts: what the office has is overwritten).
                    self.replica.reset_cursor()
                    start = cursor = 0
                    feed.close()
                    feed = _PageFeed(self, cursor, self.page_size)
                    continue
                self._check_cancel()
                # A page is tens of thousands of new lists and strings, none of them in
                # a cycle: the cyclic collector, left on, walks them again and again
                # while they are read and written.
                with collector_paused():
                    page = self._read(fetched)
                    referred = self.replica.apply_page(page)
                if referred is None:
                    # Another round moved the cursor meanwhile: go on from where it is
                    # (pages fetched ahead for the old cursor are left unread).
                    cursor = self.replica.cursor()
                    feed.close()
                    feed = _PageFeed(self, cursor, self.page_size)
                    continue
                report.pages += 1
                report.pulled += page.row_count
                report.new_referrals += referred
                self._report("pull", page.next_cursor - start, page.last_seq - start)
                if not page.has_more:
                    return
                cursor, behind = page.next_cursor, page.last_seq - page.next_cursor
        finally:
            feed.close()


@dataclass(frozen=True)
class _Fetched:
    """A page as it came from the centre, or why it did not."""

    cursor: int
    content: bytes = b""
    error: BaseException | None = None


class _PageFeed:
    """The pages after a cursor, fetched one after another on a thread of its own,
    up to :data:`PULL_AHEAD` ahead of the one the engine reads.  The centre's
    headers say where each next page starts; without them (an older centre) the
    feed stops after one page, and the engine starts a new one where that page
    says.  The thread only waits for bytes (see the module's docstring); a failure
    is handed to the engine in the page's place, as are its retries' give-up and
    a cancel."""

    def __init__(self, engine: SyncEngine, cursor: int, limit: int):
        self._engine = engine
        #: The size of the last page asked for (read it once the feed has stopped).
        self.limit = limit
        self._pages: queue.Queue[_Fetched] = queue.Queue(PULL_AHEAD)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(cursor, limit), name="daftar-pull",
                                        daemon=True)
        self._thread.start()

    def _run(self, cursor: int, limit: int) -> None:
        while not self._stop.is_set():
            try:
                content, headers = self._engine._fetch(cursor, limit)
            except BaseException as exc:  # noqa: BLE001 - the engine's thread raises it
                self._put(_Fetched(cursor, error=exc))
                return
            if not self._put(_Fetched(cursor, content)):
                return
            try:
                after, last = int(headers[NEXT_CURSOR_HEADER]), int(headers[LAST_SEQ_HEADER])
            except (KeyError, ValueError):
                return
            if not cursor < after < last:
                return  # the last page (or a centre that makes no sense: the page decides)
            cursor, limit = after, self._engine._limit(last - after, limit)
            self.limit = limit

    def _put(self, fetched: _Fetched) -> bool:
        while not self._stop.is_set():
            try:
                self._pages.put(fetched, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def take(self) -> _Fetched | None:
        """The next page, once it has come; ``None`` when the feed has stopped."""
        while True:
            try:
                return self._pages.get(timeout=0.1)
            except queue.Empty:
                if not self._thread.is_alive() and self._pages.empty():
                    return None

    def close(self) -> None:
        """Stop fetching; a call under way ends first (as with any round's last call)."""
        self._stop.set()
        self._thread.join()


def _edits_crews_of(later: Sequence[Mutation], earlier: Sequence[Mutation]) -> bool:
    """Whether ``later`` edits a crew that ``earlier`` edits too."""
    crews = {m.entity_id for m in earlier if m.op == Op.UPSERT_CREW}
    return any(m.op == Op.UPSERT_CREW and m.entity_id in crews for m in later)
