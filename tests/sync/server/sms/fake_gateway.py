"""A stand-in for Kavenegar's REST API, run as its own process by the tests and the
benchmark: ``python -m tests.sync.server.sms.fake_gateway PORT LOG [DELAY]``.

It answers ``POST /v1/<key>/sms/send.json`` and ``…/sms/statuslocalmessageid.json``
with the documented shapes, de-duplicates by ``localid`` as Kavenegar documents it,
and writes every request it receives to ``LOG`` (one JSON line, flushed and synced
*before* it answers), so the tests count what reached the gateway even when the
centre dies before reading the answer.  ``DELAY`` seconds pass between receiving a
send and answering it: the window in which a kill leaves the outcome unknown.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class Gateway:
    def __init__(self, log_path: str, delay: float):
        self.log_path = log_path
        self.delay = delay
        self.lock = threading.Lock()
        self.by_local: dict[str, int] = {}
        self.next_id = 1000
        if os.path.exists(log_path):
            with open(log_path, encoding="utf-8") as log:
                for line in log:
                    record = json.loads(line)
                    if record["method"] == "send" and record.get("messageid"):
                        self.by_local[record["localid"]] = record["messageid"]
                        self.next_id = max(self.next_id, record["messageid"] + 1)
        # Open for the life of the process (it is killed, not stopped).
        self.log = open(log_path, "a", encoding="utf-8")  # noqa: SIM115

    def record(self, entry: dict[str, object]) -> None:
        self.log.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self.log.flush()
        os.fsync(self.log.fileno())


def make_handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _answer(self, status: int, entries: object, message: str = "تایید شد") -> None:
            body = json.dumps({"return": {"status": status, "message": message},
                               "entries": entries}, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            method = self.path.rsplit("/", 1)[-1].removesuffix(".json")
            localid = form.get("localid", "")
            if method == "send":
                with gateway.lock:
                    messageid = gateway.by_local.get(localid)
                    duplicate = messageid is not None
                    if messageid is None:
                        messageid = gateway.next_id
                        gateway.next_id += 1
                        gateway.by_local[localid] = messageid
                    gateway.record({"method": "send", "localid": localid, "messageid": messageid,
                                    "receptor": form.get("receptor"), "duplicate": duplicate,
                                    "at": time.time()})
                if gateway.delay:
                    time.sleep(gateway.delay)
                self._answer(200, [{"messageid": messageid, "message": form.get("message"),
                                    "status": 1, "statustext": "در صف ارسال",
                                    "sender": form.get("sender"), "receptor": form.get("receptor"),
                                    "date": int(time.time()), "cost": 120}])
            elif method == "statuslocalmessageid":
                with gateway.lock:
                    messageid = gateway.by_local.get(localid)
                    gateway.record({"method": "lookup", "localid": localid, "found": messageid is not None,
                                    "at": time.time()})
                if messageid is None:
                    self._answer(200, [{"messageid": 0, "localid": localid, "status": 100,
                                        "statustext": "شناسه نامعتبر"}])
                else:
                    self._answer(200, [{"messageid": messageid, "localid": localid, "status": 10,
                                        "statustext": "رسیده به گیرنده"}])
            else:
                self._answer(404, None, "متد یافت نشد")

    return Handler


def main() -> None:
    port, log_path = int(sys.argv[1]), sys.argv[2]
    delay = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(Gateway(log_path, delay)))
    server.daemon_threads = True
    # A centre killed while waiting for an answer breaks the pipe: that is the point.
    server.handle_error = lambda *_args: None  # type: ignore[method-assign]
    server.serve_forever()


if __name__ == "__main__":
    main()
