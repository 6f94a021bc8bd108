"""Everything the office and the centre must agree on, and both ends of sync.

The shared core lives here, beside the wire contract, on purpose: the Persian text
rules (:mod:`sync.text`: what is stored, what search matches — their version travels
in every pull), the Jalali periods both ends' reports cut by (:mod:`sync.dates`), the
request lifecycle (:mod:`sync.workflow`), the rule book both ends check every change
with (:mod:`sync.rules`), the tables both databases declare (:mod:`sync.schema`),
the reference data (:mod:`sync.reference`) and the protocol (:mod:`sync.protocol`).
A difference between two copies of any of them would be a sync bug, so there is one.

``sync.client`` is the office's engine (no Qt, no office database) and
``sync.server`` the centre.  Nothing here imports ``desktop_app``.
"""
