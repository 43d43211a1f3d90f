"""Models of tasks: frozen, slotted, decoded by ``avala._decode``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "Task",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Task:
    """Task as the API returns it."""

    uid: str
    type: str | None = None
    name: str | None = None
    status: str | None = None
    project: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
