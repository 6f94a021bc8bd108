"""The citizen's SMS channel (10007000137), in and out.

* :mod:`.settings` — which gateway, its key and line, the callback's shared secret,
  where SMS requests wait (environment variables, README "SMS").
* :mod:`.provider` — the gateway interface and the local provider (the default: it
  writes each message to a folder, so the demo and the tests need no account);
  :mod:`.kavenegar` — Kavenegar's HTTP API.
* :mod:`.notify` — the one hook: :func:`sync.server.operations.add_event` calls it for
  every event the centre records, and it queues the citizen's message in the same
  transaction (registered, referred, closed — whatever channel the request came by).
* :mod:`.outbox` — sends what waits: claims with a lease, retries with backoff, never
  twice (a message whose outcome is unknown is looked up at the gateway by its
  ``localid`` before it is sent again).
* :mod:`.inbound` — what a citizen's SMS becomes: a request, a status answer, a
  satisfaction score, an opt-out.
* :mod:`.texts` — the Persian messages and the phone-number rules.
"""
