"""Files that are either complete or not there: every report and printout is written so.

A PDF, CSV or workbook is written to a hidden ``.NAME.part`` beside its target and
moved onto it (``os.replace``, atomic on one file system) only once it is complete.
So a failed or cancelled job never leaves half a file where a viewer, a clerk or a
scheduler expects one, and yesterday's report stays untouched until today's is ready.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from desktop_app.reports.progress import NO_PROGRESS, Cancelled, Progress


class AtomicFile:
    """A file written under a temporary name and put in place by :meth:`commit`.

    As a context manager: committed when the block ends normally, discarded when
    it raises or when ``state`` was cancelled meanwhile (then :class:`Cancelled`).  The window splits the two: it draws on one thread, then commits
    (and records the work orders issued) on the database thread, or discards the
    part when the user cancelled in between."""

    def __init__(self, out: str | os.PathLike[str], state: Progress = NO_PROGRESS):
        self.out = Path(out)
        self._state = state
        if not self.out.parent.is_dir():
            raise FileNotFoundError(f"no folder {self.out.parent}: create it, or write the "
                                    "file elsewhere")
        #: Where the content is written until it is complete.
        self.part = self.out.with_name(f".{self.out.name}.part")

    def commit(self) -> Path:
        """Put the complete file in place of ``out`` (unless the job was cancelled)."""
        if self._state.cancelled:
            raise Cancelled(str(self.out))
        os.replace(self.part, self.out)
        return self.out

    def discard(self) -> None:
        """Forget the part written so far; ``out`` stays as it was."""
        self.part.unlink(missing_ok=True)

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        try:
            if kind is None:
                self.commit()
        finally:
            self.discard()


def write_atomically(out: str | os.PathLike[str], render: Callable[[Path], None]) -> Path:
    """``render`` into a temporary file beside ``out``, then move it into place, so
    that ``out`` is either the whole file or untouched, never half a file."""
    with AtomicFile(out) as file:
        render(file.part)
    return file.out
