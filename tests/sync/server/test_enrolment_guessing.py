"""Enrolment cannot be brute-forced or used to starve sync: codes stay typeable and
old ones verifiable, a wrong guess costs no argon2 run, attempts are limited per
address and overall with back-off (429, ``Retry-After``, ``too_many_attempts``), and
hello is answered while every enrolment worker is busy."""

from __future__ import annotations

import re
import threading
from typing import Any

import anyio
import anyio.to_thread
import httpx
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from sync.protocol import PROTOCOL_VERSION
from sync.server import enrolment as codes
from sync.server.app import create_app
from sync.server.enrolment import (
    ENROLMENT_ALPHABET,
    ENROLMENT_WORKERS,
    TOO_MANY_ATTEMPTS,
    AttemptGate,
    AttemptLimits,
    TooManyAttempts,
    code_hint,
    hash_enrolment_code,
    new_enrolment_code,
    normalise_enrolment_code,
)
from sync.server.models import Office
from tests.sync.client.harness import D1, D2, Centre, auth_headers


@pytest.fixture
def centre(centre_engine: sa.Engine) -> Centre:
    return Centre.on(centre_engine)


def enrol_body(code: str) -> dict[str, Any]:
    return {"protocol_version": PROTOCOL_VERSION, "code": code}


def guess(client: httpx.Client, code: str) -> httpx.Response:
    return client.post("/sync/enrol", json=enrol_body(code), headers=auth_headers())


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def wrong_codes(avoiding: set[bytes], count: int) -> list[str]:
    """Well-formed codes whose hint is none of ``avoiding`` (found deterministically)."""
    found = []
    for i in range(10_000):
        code = "-".join(ENROLMENT_ALPHABET[(i // 31 ** k) % 31] * 4 for k in range(4))
        if code_hint(normalise_enrolment_code(code)) not in avoiding:
            found.append(code)
            if len(found) == count:
                return found
    raise AssertionError("no such codes")


# ------------------------------------------------------------------ the codes


def test_a_printed_code_stays_typeable_and_its_hash_is_a_plain_argon2_hash() -> None:
    code = new_enrolment_code()
    assert re.fullmatch(rf"[{ENROLMENT_ALPHABET}]{{4}}(-[{ENROLMENT_ALPHABET}]{{4}}){{3}}", code)
    assert not set(code) & set("01OIL")
    stored = hash_enrolment_code(code)
    assert stored.startswith("$argon2") and code.replace("-", "") not in stored
    assert PasswordHasher().verify(stored, normalise_enrolment_code(code.lower().replace("-", " ")))
    assert codes.may_match(stored, code_hint(normalise_enrolment_code(code)))


def test_a_code_stored_before_hints_still_enrols(centre: Centre) -> None:
    code = new_enrolment_code()
    centre.add_office("Old", [D1])
    with centre.sessions.begin() as session:
        office = session.scalars(sa.select(Office).where(Office.name == "Old")).one()
        office.enrolment_code_hash = PasswordHasher().hash(normalise_enrolment_code(code))
    response = guess(centre.client(), code)
    assert response.status_code == 200, response.text
    assert response.json()["office"]["name"] == "Old"


def test_a_wrong_guess_runs_argon2_only_on_hashes_that_share_its_hint(
    centre: Centre, monkeypatch: pytest.MonkeyPatch
) -> None:
    waiting = {name: centre.add_office(name, [D1]) for name in ("A", "B", "C")}
    hints = {code_hint(normalise_enrolment_code(c)) for c in waiting.values()}
    verified: list[str] = []
    real = codes.verify_enrolment_code

    def counting(stored: str, typed: str) -> bool:
        verified.append(typed)
        return real(stored, typed)

    monkeypatch.setattr(codes, "verify_enrolment_code", counting)
    client = centre.client()
    for wrong in wrong_codes(hints, 4):
        assert guess(client, wrong).status_code == 403
    assert verified == []
    right = waiting["B"]
    sharing = sum(code_hint(normalise_enrolment_code(c)) == code_hint(normalise_enrolment_code(right))
                  for c in waiting.values())
    assert guess(client, right).status_code == 200
    assert 1 <= len(verified) <= sharing


# ------------------------------------------------------------------ the limits


def test_one_address_gets_its_free_attempts_then_waits_twice_as_long_each_time() -> None:
    clock = Clock()
    gate = AttemptGate(AttemptLimits(free_per_address=3, first_wait=1.0, max_wait=8.0,
                                     global_burst=1000), clock=clock)
    for _ in range(3):
        gate.admit("10.0.0.1")
    waits = []
    for _ in range(5):
        with pytest.raises(TooManyAttempts) as refused:
            gate.admit("10.0.0.1")
        waits.append(refused.value.retry_after)
        clock.now += refused.value.retry_after
        gate.admit("10.0.0.1")
    assert waits == [1, 2, 4, 8, 8]  # doubling, up to max_wait
    gate.admit("10.0.0.2")  # another address is not held back by this one
    gate.succeeded("10.0.0.1")
    gate.admit("10.0.0.1")  # a right code starts the address afresh


def test_a_quiet_address_is_forgotten() -> None:
    clock = Clock()
    gate = AttemptGate(AttemptLimits(free_per_address=1, forget_after=100.0), clock=clock)
    gate.admit("a")
    with pytest.raises(TooManyAttempts):
        gate.admit("a")
    clock.now += 101
    gate.admit("a")


def test_all_addresses_together_get_a_burst_then_one_attempt_per_interval() -> None:
    clock = Clock()
    gate = AttemptGate(AttemptLimits(global_burst=4, global_interval=6.0), clock=clock)
    for i in range(4):
        gate.admit(f"10.0.0.{i}")
    with pytest.raises(TooManyAttempts) as refused:
        gate.admit("10.0.1.1")
    assert refused.value.retry_after == 6
    clock.now += 6
    gate.admit("10.0.1.1")
    with pytest.raises(TooManyAttempts):
        gate.admit("10.0.1.2")


def test_guesses_beyond_the_limit_get_429_with_retry_after_and_another_address_does_not(
    centre: Centre,
) -> None:
    centre.add_office("A", [D1])
    guesser = centre.client(client=("203.0.113.7", 50000))
    free = AttemptLimits().free_per_address
    for wrong in wrong_codes(set(), free):
        assert guess(guesser, wrong).json()["code"] == "enrolment_code_invalid"
    refused = guess(guesser, wrong_codes(set(), 1)[0])
    assert refused.status_code == 429
    assert refused.json()["code"] == TOO_MANY_ATTEMPTS
    assert int(refused.headers["Retry-After"]) >= 1
    other = centre.client(client=("198.51.100.2", 50000))
    assert guess(other, wrong_codes(set(), 1)[0]).status_code == 403


# ------------------------------------------------------------- sync is not starved


def test_hello_is_answered_while_every_enrolment_worker_is_busy(
    centre: Centre, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The enrolment pool is held full by guesses stuck in a (fake) argon2 run; an
    enrolled office's hello and pull are answered meanwhile, and a guess beyond the
    global limit is refused at once, without waiting for a worker."""
    credential = centre.enrol(centre.add_office("Synced", [D1]))
    centre.add_office("Waiting", [D2])
    with centre.sessions.begin() as session:  # an old hash: every guess is verified
        office = session.scalars(sa.select(Office).where(Office.name == "Waiting")).one()
        office.enrolment_code_hash = PasswordHasher().hash("NOTAGUESS")
    entered = threading.Semaphore(0)
    release = threading.Event()
    finished: list[int] = []

    def stuck(stored: str, typed: str) -> bool:
        entered.release()
        assert release.wait(60), "the test never released the workers"
        return False

    monkeypatch.setattr(codes, "verify_enrolment_code", stuck)
    admitted = ENROLMENT_WORKERS + 1  # one more than the pool: it queues
    app = create_app(centre.engine, enrolment_gate=AttemptGate(
        AttemptLimits(global_burst=admitted, global_interval=3600.0, free_per_address=100),
        clock=Clock()))

    async def scenario() -> None:
        def client(host: str) -> httpx.AsyncClient:
            return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(host, 1)),
                                     base_url="http://centre")

        async def one_guess(host: str, code: str) -> None:
            async with client(host) as c:
                response = await c.post("/sync/enrol", json=enrol_body(code), headers=auth_headers())
            finished.append(response.status_code)

        async with anyio.create_task_group() as guesses:
            for i, code in enumerate(wrong_codes(set(), admitted)):
                guesses.start_soon(one_guess, f"192.0.2.{i}", code)
            for _ in range(ENROLMENT_WORKERS):
                assert await anyio.to_thread.run_sync(entered.acquire, True, 30)
            try:
                async with client("198.51.100.9") as office:
                    hello = await office.get("/sync/hello", headers=auth_headers(credential))
                    pull = await office.get("/sync/pull", headers=auth_headers(credential))
                    refused = await office.post("/sync/enrol", json=enrol_body("AAAA-BBBB-CCCC-DDDD"),
                                                headers=auth_headers())
                assert hello.status_code == 200, hello.text
                assert pull.status_code == 200, pull.text
                assert refused.status_code == 429
                assert refused.json()["code"] == TOO_MANY_ATTEMPTS
                assert finished == []  # every admitted guess is still held in (or for) the pool
            finally:
                release.set()
        assert sorted(finished) == [403] * admitted

    anyio.run(scenario)
