"""The office end of sync, without Qt and without the office's database (see
:mod:`sync.client.engine`)."""

from sync.client.engine import Replica, RetryPolicy, SyncEngine, SyncReport
from sync.client.errors import SyncError, TransientError
from sync.client.transport import HttpTransport, check_url

__all__ = [
    "HttpTransport", "Replica", "RetryPolicy", "SyncEngine", "SyncError",
    "SyncReport", "TransientError", "check_url",
]
