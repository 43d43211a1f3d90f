"""Models of exports: frozen, slotted, decoded by ``avala._decode``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "Export",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Export:
    """Export as the API returns it."""

    uid: str
    status: str | None = None
    download_url: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
