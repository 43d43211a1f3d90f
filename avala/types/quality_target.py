"""Models of quality targets: frozen, slotted, decoded by ``avala._decode``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "QualityTarget",
    "QualityTargetEvaluation",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class QualityTarget:
    """QualityTarget as the API returns it."""

    uid: str
    name: str
    metric: str
    operator: str
    threshold: float
    severity: str | None = None
    is_active: bool = True
    notify_webhook: bool = True
    notify_emails: tuple[str, ...] = ()
    last_evaluated_at: datetime | None = None
    last_value: float | None = None
    is_breached: bool = False
    breach_count: int = 0
    last_breached_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QualityTargetEvaluation:
    """QualityTargetEvaluation as the API returns it."""

    uid: str
    name: str
    metric: str
    threshold: float
    operator: str
    current_value: float
    is_breached: bool
    severity: str | None = None
