"""The office engine on its own: an in-memory replica and a scripted centre
(httpx.MockTransport), to pin down retries, cancel, progress, clock skew and resumption.
What another thread does is waited for on events, never on the clock."""

from __future__ import annotations

import datetime as dt
import gc
import json
import queue
import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from types import SimpleNamespace
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from sync.client import HttpTransport, RetryPolicy, SyncEngine, SyncError, SyncReport, check_url
from sync.batching import collector_paused
from sync.client import engine as engine_module
from sync.client.engine import PULL_AHEAD
from sync.protocol import (
    LAST_SEQ_HEADER,
    MAX_PUSH_BATCH,
    NEXT_CURSOR_HEADER,
    PROTOCOL_VERSION,
    Mutation,
    MutationResult,
    OfficeInfo,
    Op,
    Outcome,
    PullResponse,
)
from sync.text import SEARCH_TEXT_RULES

NOW = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.timezone.utc)
OFFICE = OfficeInfo(office_id=uuid.uuid4(), name="A", number=1, districts=["1-1"], all_districts=False)


@dataclass
class MemoryStore:
    """A :class:`~sync.client.Replica` with no database: what the engine asked it to
    do, in order."""

    outbox: list[Mutation] = field(default_factory=list)
    cursor_value: int = 0
    answers: list[MutationResult] = field(default_factory=list)
    pages: list[PullResponse] = field(default_factory=list)
    identity: OfficeInfo | None = None
    finished: SyncReport | None = None
    #: Called before each page is applied (a test's chance to act mid-round).
    before_apply: Callable[[PullResponse], bool] = lambda page: True

    def set_identity(self, office: OfficeInfo) -> None:
        self.identity = office

    def outbox_end(self) -> int | None:
        return self.outbox[-1].office_seq if self.outbox else None

    def count_pending(self, up_to: int) -> int:
        return sum(1 for m in self.outbox if m.office_seq <= up_to)

    def pending(self, limit: int, up_to: int, after: int | None = None) -> list[Mutation]:
        return [m for m in self.outbox if (after or 0) < m.office_seq <= up_to][:limit]

    def store_results(self, results: Sequence[MutationResult]) -> None:
        done = {r.mutation_id for r in results}
        self.outbox = [m for m in self.outbox if m.mutation_id not in done]
        self.answers += results

    def cursor(self) -> int:
        return self.cursor_value

    def reset_cursor(self) -> None:
        self.cursor_value = 0

    def apply_page(self, page: PullResponse) -> int | None:
        if not self.before_apply(page) or page.cursor != self.cursor_value:
            return None
        self.pages.append(page)
        self.cursor_value = page.next_cursor
        return len(page.requests)

    def finish_round(self, report: SyncReport) -> None:
        self.finished = report


def note(seq: int) -> Mutation:
    return Mutation(mutation_id=uuid.uuid4(), office_seq=seq, op=Op.ADD_NOTE, entity="request",
                    entity_id=uuid.uuid4(), client_time=NOW, actor="clerk", actor_role="clerk",
                    payload={"event_id": str(uuid.uuid4()), "note": "x"})


class Centre:
    """A scripted centre: a log of ``last`` entries served in pages, and a queue of
    faults to answer with before the real answer."""

    def __init__(self, last: int = 0, clock: dt.datetime = NOW, *, page_headers: bool = True):
        self.last = last
        self.clock = clock
        #: Whether pull answers say in their headers where the next page starts (an
        #: older centre's do not).
        self.page_headers = page_headers
        self.faults: list[Callable[[httpx.Request], httpx.Response]] = []
        self.calls: list[str] = []
        #: Notified with each call (:meth:`wait_for_calls`).
        self.called = threading.Condition()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.called:
            self.calls.append(request.url.path)
            self.called.notify_all()
        if self.faults:
            return self.faults.pop(0)(request)
        return self.answer(request)

    def wait_for_calls(self, path: str, count: int) -> int:
        """How many calls to ``path`` the centre has had, once it has had ``count``
        (a test that waits here for longer than a blocked engine could fail)."""
        with self.called:
            self.called.wait_for(lambda: self.calls.count(path) >= count, timeout=30)
            return self.calls.count(path)

    def answer(self, request: httpx.Request) -> httpx.Response:
        """What a healthy centre answers."""
        if request.url.path == "/sync/hello":
            return httpx.Response(200, json={"protocol_version": PROTOCOL_VERSION, "min_protocol_version": 1,
                                             "server_time": self.clock.isoformat(),
                                             "office": OFFICE.model_dump(mode="json"), "last_seq": self.last})
        if request.url.path == "/sync/push":
            body = json.loads(request.content)
            return httpx.Response(200, json={
                "protocol_version": PROTOCOL_VERSION, "server_time": self.clock.isoformat(),
                "results": [{"mutation_id": m["mutation_id"], "outcome": "applied"} for m in body["mutations"]]})
        cursor, limit = int(request.url.params["cursor"]), int(request.url.params["limit"])
        if cursor > self.last:
            return httpx.Response(409, json={"code": "cursor_ahead", "message": "behind"})
        end = min(self.last, cursor + limit)
        headers = {NEXT_CURSOR_HEADER: str(end), LAST_SEQ_HEADER: str(self.last)} if self.page_headers else {}
        return httpx.Response(200, headers=headers, json={
            "protocol_version": PROTOCOL_VERSION, "cursor": cursor, "next_cursor": end, "last_seq": self.last,
            "has_more": end < self.last, "server_time": self.clock.isoformat()})


def engine(store: MemoryStore, centre: Centre, **options: Any) -> tuple[SyncEngine, list[float]]:
    waits: list[float] = []
    client = httpx.Client(transport=httpx.MockTransport(centre), base_url="http://localhost")
    options.setdefault("clock", lambda: NOW)
    return SyncEngine(store, HttpTransport("http://localhost", "dft1.x.y", client=client),
                      sleep=waits.append, **options), waits


def refuse(status: int, code: str = "server_error") -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, json={"code": code, "message": f"{code}!"})


def drop(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def test_a_round_says_hello_pushes_then_pulls_and_records_itself() -> None:
    store = MemoryStore(outbox=[note(1), note(2)])
    centre = Centre(last=12)
    report = engine(store, centre, page_size=5)[0].run_round()
    assert centre.calls == ["/sync/hello", "/sync/push", "/sync/pull", "/sync/pull", "/sync/pull"]
    assert (report.pushed, report.applied, report.pages) == (2, 2, 3)
    assert store.outbox == [] and store.cursor_value == 12
    assert store.identity == OFFICE and store.finished is report and report.finished_at == NOW


def test_pulls_ask_for_search_texts_by_the_offices_rules_unless_told_not_to() -> None:
    asked: list[str | None] = []
    centre = Centre(last=3)
    answer = centre.answer
    centre.answer = lambda request: (asked.append(request.url.params.get("search_text_rules")),
                                     answer(request))[1]
    engine(MemoryStore(), centre, page_size=2)[0].run_round()
    engine(MemoryStore(), centre, search_text_rules=None)[0].run_round()
    assert asked == [None, str(SEARCH_TEXT_RULES), str(SEARCH_TEXT_RULES), None, None]  # hellos ask nothing


def test_network_failures_and_5xx_are_retried_with_growing_waits() -> None:
    store = MemoryStore(outbox=[note(1)])
    centre = Centre(last=1)
    centre.faults = [drop, refuse(503), drop]
    sync, waits = engine(store, centre, retry=RetryPolicy(attempts=4, first_delay=1, max_delay=3))
    report = sync.run_round()
    assert report.pushed == 1 and store.cursor_value == 1
    assert centre.calls[:4] == ["/sync/hello"] * 4
    # Waited 0.5-1, then 1-2, then 1.5-3 s, in slices of at most 0.1 s (to notice a cancel).
    assert 3 <= sum(waits) <= 6 and max(waits) <= 0.1


def test_it_gives_up_after_the_last_attempt_with_the_network_code() -> None:
    centre = Centre()
    centre.faults = [drop] * 3
    sync, _ = engine(MemoryStore(), centre, retry=RetryPolicy(attempts=3, first_delay=0.01))
    with pytest.raises(SyncError) as error:
        sync.run_round()
    assert error.value.code == "network" and "3 attempts" in error.value.message
    assert len(centre.calls) == 3


@pytest.mark.parametrize("status, code", [(401, "credential_revoked"), (401, "bad_credential"),
                                          (426, "unsupported_protocol"), (403, "enrolment_code_invalid")])
def test_a_refusal_is_not_retried_and_keeps_the_centres_code(status: int, code: str) -> None:
    centre = Centre()
    centre.faults = [refuse(status, code)]
    with pytest.raises(SyncError) as error:
        engine(MemoryStore(), centre)[0].run_round()
    assert error.value.code == code and centre.calls == ["/sync/hello"]


def test_an_answer_that_is_not_the_centres_is_a_clear_error() -> None:
    centre = Centre()
    centre.faults = [lambda request: httpx.Response(404, text="<html>not found</html>")]
    with pytest.raises(SyncError) as error:
        engine(MemoryStore(), centre)[0].run_round()
    assert error.value.code == "bad_response" and "Daftar centre" in error.value.message


def test_answers_that_do_not_match_the_batch_end_the_round_before_storing_them() -> None:
    store = MemoryStore(outbox=[note(1), note(2)])
    centre = Centre()
    centre.faults = [centre.answer,  # hello
                     lambda r: httpx.Response(200, json={"protocol_version": 1, "server_time": NOW.isoformat(),
                                                         "results": []})]
    with pytest.raises(SyncError) as error:
        engine(store, centre)[0].run_round()
    assert error.value.code == "bad_response" and len(store.outbox) == 2


def test_cancel_stops_the_round_between_steps_and_it_resumes_later() -> None:
    store = MemoryStore()
    centre = Centre(last=30)
    cancelled: list[bool] = []
    # The clerk presses cancel while the second page is being applied.
    store.before_apply = lambda page: page.cursor != 10 or not cancelled.append(True)
    sync, _ = engine(store, centre, page_size=10, cancel=lambda: bool(cancelled))
    with pytest.raises(SyncError) as error:
        sync.run_round()
    assert error.value.code == "cancelled" and store.cursor_value == 20
    store.before_apply = lambda page: True
    cancelled.clear()
    engine(store, centre, page_size=10)[0].run_round()
    assert store.cursor_value == 30 and [p.cursor for p in store.pages] == [0, 10, 20]


def test_progress_counts_up_to_the_total_in_each_phase() -> None:
    seen: list[tuple[str, int, int]] = []
    store = MemoryStore(outbox=[note(i) for i in range(1, 451)], cursor_value=100)
    engine(store, Centre(last=1100), page_size=400, progress=lambda *p: seen.append(p))[0].run_round()
    assert [p for p in seen if p[0] == "push"] == [("push", 0, 450), ("push", 200, 450), ("push", 400, 450),
                                                   ("push", 450, 450)]
    assert [p for p in seen if p[0] == "pull"] == [("pull", 400, 1000), ("pull", 800, 1000), ("pull", 1000, 1000)]


@pytest.mark.parametrize("page_headers", [True, False])
@pytest.mark.parametrize(("last", "steps"), [
    # More than 600 behind after the first page: half as much again each page, up to 300.
    (1000, [10, 15, 22, 33, 49, 73, 109, 163, 244, 282]),
    (600, [10] * 60),  # a short pull keeps to the usual size
])
def test_far_behind_the_pages_grow_by_steps_to_the_catch_up_size(page_headers: bool, last: int,
                                                                  steps: list[int]) -> None:
    store = MemoryStore()
    engine(store, Centre(last=last, page_headers=page_headers), page_size=10,
           catch_up_page_size=300)[0].run_round()
    assert [p.next_cursor - p.cursor for p in store.pages] == steps and store.cursor_value == last


def test_pages_are_fetched_ahead_while_one_is_applied_but_only_so_far(
        monkeypatch: pytest.MonkeyPatch) -> None:
    centre = Centre(last=100)
    pulls = lambda: centre.calls.count("/sync/pull")  # noqa: E731
    applying, held = threading.Event(), threading.Event()

    class Pages(queue.Queue):  # type: ignore[type-arg]
        """The feed's queue, telling when the feed waits with a page it cannot hand on."""

        def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
            if applying.is_set() and self.full():
                held.set()
            super().put(item, block, timeout)

    monkeypatch.setattr(engine_module, "queue", SimpleNamespace(Queue=Pages, Full=queue.Full, Empty=queue.Empty))
    seen: list[int] = []

    def slow_first_page(page: PullResponse) -> bool:
        if page.cursor == 0:
            applying.set()
            # Fetching stops only when the feed is full: an unbounded feed fails here.
            assert held.wait(timeout=30), "the feed never waited for room"
            seen.append(pulls())
        return True

    store = MemoryStore(before_apply=slow_first_page)
    report = engine(store, centre, page_size=10)[0].run_round()
    # This page, PULL_AHEAD waiting behind it, and one more fetched and held.
    assert seen == [2 + PULL_AHEAD]
    assert [p.cursor for p in store.pages] == list(range(0, 100, 10)) and report.pages == 10
    assert pulls() == 10


def test_an_older_centre_without_page_headers_is_asked_page_by_page() -> None:
    centre = Centre(last=30, page_headers=False)
    order: list[tuple[str, int]] = []
    store = MemoryStore(before_apply=lambda page: not order.append(("apply", page.cursor)))
    answer = centre.answer
    centre.answer = lambda request: (order.append(("fetch", int(request.url.params.get("cursor", -1))))
                                     if request.url.path == "/sync/pull" else None, answer(request))[1]
    engine(store, centre, page_size=10)[0].run_round()
    assert order == [("fetch", 0), ("apply", 0), ("fetch", 10), ("apply", 10), ("fetch", 20), ("apply", 20)]


def crew_edit(seq: int, crew_id: uuid.UUID) -> Mutation:
    return Mutation(mutation_id=uuid.uuid4(), office_seq=seq, op=Op.UPSERT_CREW, entity="crew",
                    entity_id=crew_id, base_version=1, client_time=NOW, actor="clerk",
                    payload={"crew": {"id": str(crew_id), "name": "x", "district_code": "1-1"}})


class Sending(ThreadPoolExecutor):
    """The engine's sender, counting the batches handed to it (in the engine's thread)."""

    handed: list[int] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        Sending.handed.append(len(args[0]))
        return super().submit(fn, *args, **kwargs)


class StoringWhileSending(MemoryStore):
    """Stores each batch's answers only once the centre has every batch handed to the
    sender so far, noting how many that is: a batch sent ahead reaches the centre
    while these answers wait to be stored."""

    centre: Centre | None = None
    seen: list[int] = []

    def store_results(self, results: Sequence[MutationResult]) -> None:
        assert self.centre is not None
        self.seen.append(self.centre.wait_for_calls("/sync/push", len(Sending.handed)))
        super().store_results(results)


@pytest.fixture
def sending(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_module, "ThreadPoolExecutor", Sending)
    monkeypatch.setattr(Sending, "handed", [])


@pytest.mark.usefixtures("sending")
def test_the_next_batch_goes_out_while_the_answers_to_one_are_stored() -> None:
    store = StoringWhileSending(outbox=[note(i) for i in range(1, 451)])
    sent = [m.mutation_id for m in store.outbox]
    store.centre, store.seen = Centre(), []
    report = engine(store, store.centre)[0].run_round()
    # Each batch's answers were stored once the centre had the batch after it.
    assert store.seen == [2, 3, 3] and report.pushed == 450 and store.outbox == []
    assert [r.mutation_id for r in store.answers] == sent


@pytest.mark.usefixtures("sending")
def test_a_batch_that_edits_a_crew_again_waits_for_the_first_edits_answer() -> None:
    crew = uuid.uuid4()
    outbox = [note(i) for i in range(1, MAX_PUSH_BATCH)] + [crew_edit(MAX_PUSH_BATCH, crew),
                                                            crew_edit(MAX_PUSH_BATCH + 1, crew)]
    store = StoringWhileSending(outbox=outbox)
    store.centre, store.seen = Centre(), []
    report = engine(store, store.centre)[0].run_round()
    assert store.seen == [1, 2] and report.pushed == MAX_PUSH_BATCH + 1


def test_a_round_pushes_what_was_waiting_when_it_began_not_what_came_after() -> None:
    store = MemoryStore(outbox=[note(1)])
    late = note(2)
    centre = Centre()

    def push_then_work(request: httpx.Request) -> httpx.Response:
        store.outbox.append(late)  # the clerk keeps working during the round
        return centre.answer(request)

    centre.faults = [centre.answer, push_then_work]
    report = engine(store, centre)[0].run_round()
    assert report.pushed == 1 and store.outbox == [late]


@pytest.mark.parametrize("offset, warned", [(dt.timedelta(minutes=10), True), (dt.timedelta(seconds=-30), False),
                                            (dt.timedelta(hours=-1), True)])
def test_clock_skew_is_measured_against_the_centres_clock(offset: dt.timedelta, warned: bool) -> None:
    report = engine(MemoryStore(), Centre(clock=NOW + offset))[0].run_round()
    assert report.clock_skew_seconds == pytest.approx(offset.total_seconds())
    assert report.clock_skew_warning is warned


def test_a_centre_restored_from_an_older_copy_is_pulled_again_from_the_start() -> None:
    store = MemoryStore(cursor_value=500)
    centre = Centre(last=40)
    engine(store, centre, page_size=25)[0].run_round()
    assert [p.cursor for p in store.pages] == [0, 25] and store.cursor_value == 40


def test_a_page_applied_meanwhile_by_another_round_is_not_applied_twice() -> None:
    store = MemoryStore()

    def another_round_was_faster(page: PullResponse) -> bool:
        if page.cursor == 0 and store.cursor_value == 0:
            store.cursor_value = 10
            return False
        return True

    store.before_apply = another_round_was_faster
    engine(store, Centre(last=20), page_size=10)[0].run_round()
    assert [p.cursor for p in store.pages] == [10] and store.cursor_value == 20


@pytest.mark.parametrize("url, allowed, insecure", [
    ("https://137.kashan.ir", True, False), ("https://137.kashan.ir/", True, False),
    ("http://localhost:8137", True, False), ("http://127.0.0.1:8137", True, False), ("http://[::1]:8137", True, False),
    ("http://137.kashan.ir", False, False), ("http://192.168.1.5:8137", False, False),
    ("http://192.168.1.5:8137", True, True), ("ftp://137.kashan.ir", False, True), ("137.kashan.ir", False, True),
])
def test_plain_http_is_refused_to_another_computer_unless_allowed(url: str, allowed: bool, insecure: bool) -> None:
    if allowed:
        assert check_url(url, allow_insecure=insecure) == url.rstrip("/")
    else:
        with pytest.raises(SyncError) as error:
            check_url(url, allow_insecure=insecure)
        assert error.value.code in ("insecure_url", "bad_url")


def test_results_are_counted_by_outcome() -> None:
    store = MemoryStore(outbox=[note(1), note(2), note(3)])
    centre = Centre()
    outcomes = iter([Outcome.APPLIED, Outcome.REJECTED, Outcome.CONFLICT])

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        return httpx.Response(200, json={"protocol_version": 1, "server_time": NOW.isoformat(), "results": [
            {"mutation_id": m["mutation_id"], "outcome": next(outcomes)} for m in body["mutations"]]})

    centre.faults = [centre.answer, answer]
    report = engine(store, centre)[0].run_round()
    assert (report.applied, report.rejected, report.conflicts) == (1, 1, 1)


def test_the_collector_is_paused_for_blocks_and_left_as_it_was_found() -> None:
    was = gc.isenabled()
    try:
        gc.enable()
        with collector_paused():
            assert not gc.isenabled()
            with collector_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()  # the outer block still runs
        assert gc.isenabled()
        gc.disable()  # someone else's choice: not ours to undo
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()


# ------------------------------------------------------------ the 30-second poll


class PollingCentre(Centre):
    """A centre that answers hello's ``changes_after`` for the cursor asked about:
    anything in ``(cursor, last]`` is the office's (a one-district log)."""

    def __init__(self, last: int = 0, **options: Any):
        super().__init__(last, **options)
        self.hello_cursors: list[str | None] = []

    def answer(self, request: httpx.Request) -> httpx.Response:
        response = super().answer(request)
        if request.url.path != "/sync/hello":
            return response
        cursor = request.url.params.get("cursor")
        self.hello_cursors.append(cursor)
        body = json.loads(response.content)
        body["changes_after"] = None if cursor is None else int(cursor) != self.last
        return httpx.Response(200, json=body)


def test_an_idle_round_is_one_hello_with_the_cursor_and_nothing_else() -> None:
    store = MemoryStore(cursor_value=12)
    centre = PollingCentre(last=12)
    report = engine(store, centre)[0].run_round()
    # No push (the outbox is empty) and no pull (the centre has nothing after 12).
    assert centre.calls == ["/sync/hello"] and centre.hello_cursors == ["12"]
    assert (report.pushed, report.pulled, report.pages) == (0, 0, 0)
    assert store.finished is report and store.identity == OFFICE and store.cursor_value == 12


def test_a_round_pulls_when_the_centre_has_something_after_the_cursor() -> None:
    store = MemoryStore(cursor_value=10)
    centre = PollingCentre(last=12)
    engine(store, centre)[0].run_round()
    assert centre.calls == ["/sync/hello", "/sync/pull"] and store.cursor_value == 12


def test_a_round_that_pushes_still_pulls_the_centres_answer() -> None:
    store = MemoryStore(outbox=[note(1)], cursor_value=12)
    centre = PollingCentre(last=12)
    engine(store, centre)[0].run_round()
    assert centre.calls == ["/sync/hello", "/sync/push", "/sync/pull"]


def test_an_older_centre_that_does_not_say_is_pulled_from_as_before() -> None:
    store = MemoryStore(cursor_value=12)
    centre = Centre(last=12)  # its hello has no changes_after
    engine(store, centre)[0].run_round()
    assert centre.calls == ["/sync/hello", "/sync/pull"]


def test_new_districts_from_hello_reset_the_cursor_and_the_round_pulls() -> None:
    class Regrouped(MemoryStore):
        def set_identity(self, office: OfficeInfo) -> None:
            super().set_identity(office)
            self.cursor_value = 0  # what the office does when its districts change

    store = Regrouped(cursor_value=12)
    centre = PollingCentre(last=12)
    engine(store, centre)[0].run_round()
    assert centre.calls == ["/sync/hello", "/sync/pull"] and store.cursor_value == 12
