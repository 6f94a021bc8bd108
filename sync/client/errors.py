"""What can go wrong in a sync round, as stable codes the app translates."""

from __future__ import annotations


class SyncError(Exception):
    """A round that did not complete.  ``code`` is stable (the UI translates it);
    the message is English, one line, and says what to do where it can."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(message)


class TransientError(SyncError):
    """A failure worth trying again: the network, a timeout, the centre's 5xx."""
