"""Models of projects: frozen, slotted, decoded by ``avala._decode``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "Project",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Project:
    """Project as the API returns it."""

    uid: str
    name: str
    status: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
