"""The normalised text a request is found by."""

from __future__ import annotations

from sync.text import search_key


def search_text(tracking_code: str, citizen_name: str, citizen_phone: str | None,
                address: str, description: str) -> str:
    """One string holding everything a clerk may type to find a request, folded by
    :func:`sync.text.search_key` (ی/ي, ک/ك, ZWNJ and digit scripts alike)."""
    return search_key(" ".join(
        part for part in (tracking_code, citizen_name, citizen_phone or "", address, description) if part
    ))
