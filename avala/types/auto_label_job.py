"""Auto-label jobs: model-assisted labelling runs on a project."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from avala.types._common import JsonObject

__all__ = [
    "AutoLabelJob",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class AutoLabelJob:
    """A model-assisted labelling run on a project: settings, status and item counters."""

    uid: str
    status: str | None = None
    model_type: str | None = None
    confidence_threshold: float | None = None
    labels: tuple[str, ...] = ()
    dry_run: bool = False
    total_items: int = 0
    processed_items: int = 0
    successful_items: int = 0
    failed_items: int = 0
    skipped_items: int = 0
    progress_pct: float | None = None
    error_message: str | None = None
    summary: JsonObject | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    created_at: datetime | None = None
