"""The outbox survives ``kill -9`` of the server mid-send: a real ``daftar-server
serve`` process sends through Kavenegar's API to a fake gateway process that logs
every request before it answers (and waits a moment before answering, so that the
kill lands between the gateway taking a message and the centre reading its
answer).  The server is killed several times, right after the gateway took a
message; after the last restart every message is sent, the gateway received each
``localid`` exactly once (an uncertain message was looked up, not sent again), and
each message has one ``sms_sent`` event."""

from __future__ import annotations

import collections
import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

from sync.server import operations as ops
from sync.server.models import Event, SmsOutbox
from tests.sync.test_processes import ROOT, Server, free_port, wait_for

MESSAGES = 60
KILLS = 3


def _log(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _sends(path: Path) -> list[dict]:
    return [r for r in _log(path) if r["method"] == "send"]


def test_kill_9_mid_send_loses_nothing_and_sends_nothing_twice(centre_url, sessions, tmp_path):
    with sessions.begin() as session:
        for i in range(MESSAGES):
            ops.intake(session, district_code="1-1", category_code="asphalt", description=f"چاله {i}",
                       actor="operator", citizen_phone=f"0913{i:07d}")
    log = tmp_path / "gateway.jsonl"
    port = free_port()
    gateway = subprocess.Popen([sys.executable, "-m", "tests.sync.server.sms.fake_gateway", str(port),
                                str(log), "0.3"], cwd=ROOT, start_new_session=True)
    server = None
    try:
        wait_for(lambda: _up(port), timeout=30)
        server = Server(centre_url, env={
            "DAFTAR_SMS_PROVIDER": "kavenegar", "DAFTAR_SMS_API_KEY": "test-key",
            "DAFTAR_SMS_API_URL": f"http://127.0.0.1:{port}/v1", "DAFTAR_SMS_LEASE_SECONDS": "2",
            "DAFTAR_SMS_INTERVAL": "0.1", "DAFTAR_SMS_RETRY_SECONDS": "0.1",
            "DAFTAR_SMS_DIR": str(tmp_path / "unused")})
        in_flight = 0
        for kill in range(KILLS):
            server.start()
            before = len(_sends(log))
            # Let it send a while, then kill it the moment the gateway takes one more.
            wait_for(lambda before=before: len(_sends(log)) >= before + 5, timeout=120)
            seen = len(_sends(log))
            wait_for(lambda seen=seen: len(_sends(log)) > seen, timeout=60)
            server.kill()
            taken = {r["localid"] for r in _sends(log)}
            with sessions() as session:
                sending = session.scalars(sa.select(SmsOutbox.id).where(SmsOutbox.status == "sending")).all()
            # The gateway has it, the centre does not know: the case that matters.
            in_flight += sum(1 for i in sending if str(i) in taken)
        assert in_flight >= 1, "no kill landed between the gateway taking a message and its answer"
        server.start()

        def all_sent() -> bool:
            time.sleep(0.2)  # (each look is a short transaction of its own: on SQLite
            # a session held open would hold the write lock the server needs)
            with sessions() as session:
                return session.scalar(sa.select(sa.func.count()).select_from(SmsOutbox)
                                      .where(SmsOutbox.status == "sent")) == MESSAGES
        wait_for(all_sent, timeout=240)
        server.kill()
    finally:
        # A failed wait must not leave a centre running after the test.
        if server is not None and server.process is not None and server.process.poll() is None:
            server.kill()
        gateway.kill()
        gateway.wait()

    sends = collections.Counter(r["localid"] for r in _sends(log))
    lookups = [r for r in _log(log) if r["method"] == "lookup"]
    with sessions() as session:
        rows = session.scalars(sa.select(SmsOutbox)).all()
        sent_events = session.scalars(sa.select(Event).where(Event.kind == "sms_sent")).all()
    assert {str(r.id) for r in rows} == set(sends), "a message was lost, or one the centre never queued arrived"
    assert max(sends.values()) == 1, f"sent twice: {[k for k, n in sends.items() if n > 1]}"
    assert all(r.status == "sent" and r.gateway_message_id for r in rows)
    assert len(lookups) >= in_flight and any(r["found"] for r in lookups)
    assert sorted(e.data["outbox_id"] for e in sent_events) == sorted(r.id for r in rows)


def _up(port: int) -> bool:
    try:
        httpx.post(f"http://127.0.0.1:{port}/v1/k/sms/nothing.json", timeout=1)
    except httpx.TransportError:
        return False
    return True
