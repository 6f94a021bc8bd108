"""The office's database as the window holds it: a handle the window passes to the
services and never opens itself.  The window names its type from here, so that
``desktop_app.ui`` imports nothing of ``desktop_app.store`` (pyproject's layers
contract); queries and writes are the services' job."""

from __future__ import annotations

from desktop_app.store.db import Store

__all__ = ["Store"]
