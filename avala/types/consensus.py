"""Consensus (inter-annotator agreement) of a project: settings, scores, summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from avala.types._common import JsonObject

__all__ = [
    "ConsensusComputeResult",
    "ConsensusConfig",
    "ConsensusScore",
    "ConsensusSummary",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsensusConfig:
    """A project's consensus settings: IoU threshold, agreement ratio, minimum annotators."""

    uid: str
    iou_threshold: float = 0.5
    min_agreement_ratio: float = 0.5
    min_annotations: int = 2
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsensusScore:
    """The agreement score of one dataset item's annotations in one task."""

    uid: str
    dataset_item_uid: str
    task_name: str
    score_type: str | None = None
    score: float
    annotator_count: int
    details: JsonObject | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsensusSummary:
    """Project-wide consensus statistics over all scored items."""

    mean_score: float
    median_score: float
    min_score: float
    max_score: float
    total_items: int
    items_with_consensus: int
    score_distribution: JsonObject | None = None
    by_task_name: tuple[Any, ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsensusComputeResult:
    """The server's answer to a request to (re)compute consensus."""

    status: str
    message: str
