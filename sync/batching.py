"""Helpers for work on many rows at once, shared by the office, the centre and their
bulk paths: slicing keys into ``IN (…)`` lists a database accepts, and pausing
Python's cyclic garbage collector around loads of many small objects."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

#: Keys per ``IN (…)`` list: inside SQLite's parameter limit, and kind to PostgreSQL.
IN_LIST = 900


def chunks(items: Sequence[T], size: int = IN_LIST) -> Iterator[Sequence[T]]:
    """``items`` in slices of at most ``size``, in order."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


_collector_lock = threading.Lock()
_collector_pauses = 0
_collector_was_enabled = False


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block, and on again after it if
    it was on before the first of the blocks open at once (in any thread) began.
    For blocks that make many objects that hold no cycles (rows of a page, of an
    archive): plain reference counting frees them all the same, and a full
    collection would rescan every one of them."""
    global _collector_pauses, _collector_was_enabled
    with _collector_lock:
        if _collector_pauses == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _collector_pauses += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_pauses -= 1
            if _collector_pauses == 0 and _collector_was_enabled:
                gc.enable()
