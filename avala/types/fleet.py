"""Models of fleets: frozen, slotted, decoded by ``avala._decode``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from avala.types._common import JsonObject

__all__ = [
    "Alert",
    "AlertChannel",
    "Device",
    "FleetEvent",
    "Recording",
    "Rule",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Device:
    """Device as the API returns it."""

    uid: str
    name: str
    type: str | None = None
    status: str | None = None
    tags: tuple[str, ...] = ()
    firmware_version: str | None = None
    metadata: JsonObject | None = None
    last_seen_at: datetime | None = None
    device_token: str | None = field(default=None, repr=False)
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Recording:
    """Recording as the API returns it."""

    uid: str
    device: str | None = None
    status: str | None = None
    duration_seconds: float | None = None
    size_bytes: int | None = None
    topic_count: int = 0
    tags: tuple[str, ...] = ()
    topics: tuple[JsonObject, ...] | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FleetEvent:
    """FleetEvent as the API returns it."""

    uid: str
    recording: str | None = None
    device: str | None = None
    type: str | None = None
    label: str | None = None
    description: str | None = None
    timestamp: datetime | None = None
    duration_ms: int | None = None
    tags: tuple[str, ...] = ()
    metadata: JsonObject | None = None
    severity: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """Rule as the API returns it."""

    uid: str
    name: str
    description: str | None = None
    enabled: bool = True
    condition: JsonObject | None = None
    actions: tuple[JsonObject, ...] = ()
    scope: JsonObject | None = None
    hit_count: int = 0
    last_hit_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert:
    """Alert as the API returns it."""

    uid: str
    rule: str | None = None
    device: str | None = None
    recording: str | None = None
    severity: str | None = None
    status: str | None = None
    message: str | None = None
    triggered_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    resolution_note: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertChannel:
    """AlertChannel as the API returns it."""

    uid: str
    name: str
    type: str | None = None
    config: JsonObject | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
