"""A small tmpfs for the disk-full tests: a folder that really runs out of space.

Mounting needs root on Linux.  Elsewhere a test that asks for one is skipped with
the reason, except under CI, where a skipped disk-full test would hide the one check
of what the office and the centre do when the disk fills: there it fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import IN_CI


class SmallDisk:
    """A tmpfs mounted at ``path``; :meth:`grow` gives it more room in place."""

    def __init__(self, path: Path):
        self.path = path

    def grow(self, size: str) -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}", str(self.path)], check=True)


def _why_not() -> str | None:
    if not sys.platform.startswith("linux"):
        return "a small tmpfs needs Linux"
    if os.geteuid() != 0:
        return "mounting a small tmpfs needs root"
    return None


@contextmanager
def small_disk(path: Path, size: str) -> Iterator[SmallDisk]:
    """A tmpfs of ``size`` (``mount``'s notation: ``2m``) at ``path``, unmounted after."""
    reason = _why_not()
    if reason is not None:
        if IN_CI:
            pytest.fail(reason + " (CI must run the disk-full tests)", pytrace=False)
        pytest.skip(reason)
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True)
    try:
        yield SmallDisk(path)
    finally:
        subprocess.run(["umount", "--lazy", str(path)], check=True)
