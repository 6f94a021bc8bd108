"""The office's use cases: the one door the window goes through.

Writes (:mod:`~desktop_app.services.requests`' Desk and its neighbours) are one user
action each, one transaction with its history event and outbox entry, and return
the :class:`~desktop_app.services.requests.Changes` the window announces.  Reads
(``request_view``, ``request_list``, ``form_choices``, ``crew_view`` …) return plain
frozen data, never database rows, so nothing in ``desktop_app.ui`` touches the
database (pyproject's import contracts).
"""
