"""Open311 GeoReport v2 at the centre (http://wiki.open311.org/GeoReport_v2/):
the municipality's website and apps list the services, post citizens' requests
with an API key the centre issues, and follow them by tracking code."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from sync.server.open311.routes import PREFIX, error_response, make_router
from sync.server.open311.wire import format_of_path

__all__ = ["PREFIX", "error_response", "format_of_path", "install", "owns"]


def install(app: FastAPI) -> None:
    """Add the endpoints, and describe them truthfully: FastAPI documents a 422 for
    every operation with parameters, but an Open311 refusal is 400 or 404."""
    app.include_router(make_router())
    described = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = described()
            for path, operations in schema.get("paths", {}).items():
                if owns(path):
                    for operation in operations.values():
                        operation.get("responses", {}).pop("422", None)
        return app.openapi_schema or described()

    app.openapi = openapi  # type: ignore[method-assign]


def owns(path: str) -> bool:
    """True for a path under ``/open311/``: its errors are the standard's."""
    return path.startswith(PREFIX + "/") or path == PREFIX
