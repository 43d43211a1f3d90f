"""Models of inference providers (model endpoints used for auto-labelling)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from avala.types._common import JsonObject

__all__ = [
    "InferenceProvider",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class InferenceProvider:
    """A configured model endpoint; ``last_test_*`` record the latest connectivity test."""

    uid: str
    name: str
    description: str | None = None
    provider_type: str | None = None
    config: JsonObject | None = None
    is_active: bool = True
    project: str | None = None
    last_test_at: datetime | None = None
    last_test_success: bool | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
