"""Models of a project's quality targets and their evaluations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "QualityTarget",
    "QualityTargetEvaluation",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class QualityTarget:
    """A threshold on one project metric (``metric operator threshold``) and its breach record."""

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
    """One target's result from an on-demand evaluation: the metric's current value."""

    uid: str
    name: str
    metric: str
    threshold: float
    operator: str
    current_value: float
    is_breached: bool
    severity: str | None = None
