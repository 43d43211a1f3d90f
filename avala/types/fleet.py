"""Models of the robot fleet: devices, recordings, events, rules, alerts, alert channels."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NotRequired, TypedDict

from avala.types._common import JsonObject

__all__ = [
    "Alert",
    "AlertChannel",
    "BatchEventParams",
    "Device",
    "FleetEvent",
    "Recording",
    "Rule",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Device:
    """A robot or vehicle registered to the fleet (``device_token`` is secret: not in repr)."""

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
    """A capture session of one device (its logged topics), with size and duration."""

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
    """A timestamped, labelled moment in a recording (a hard brake, a disengagement)."""

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
    """An alerting rule: a condition over fleet data and the actions taken when it matches."""

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
    """An alert a rule raised for a device or recording; acknowledged, then resolved."""

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
    """Where alerts are delivered (email, Slack, webhook ...), with its settings."""

    uid: str
    name: str
    type: str | None = None
    config: JsonObject | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class BatchEventParams(TypedDict):
    """One event of ``fleet.events.create_batch``: the first five keys are required;
    ``timestamp`` is a timezone-aware datetime or ISO-8601 text."""

    recording: str
    device: str
    label: str
    type: str
    timestamp: datetime | str
    severity: NotRequired[str]
    description: NotRequired[str]
    duration_ms: NotRequired[int]
    tags: NotRequired[Sequence[str]]
    metadata: NotRequired[Mapping[str, Any]]
