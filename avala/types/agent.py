"""Agents (automations called back on platform events) and their runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from avala.types._common import JsonObject

__all__ = [
    "Agent",
    "AgentExecution",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Agent:
    """An agent: a callback the platform invokes on chosen events, optionally per project."""

    uid: str
    name: str
    description: str | None = None
    events: tuple[str, ...] = ()
    callback_url: str | None = None
    is_active: bool = True
    project: str | None = None
    task_types: tuple[str, ...] = ()
    secret: str | None = field(default=None, repr=False)
    execution_stats: JsonObject | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentExecution:
    """One run of an agent: the event that triggered it and what came of it."""

    uid: str
    registration: str
    event_type: str
    task: str | None = None
    result: str | None = None
    status: str | None = None
    action: str | None = None
    event_payload: JsonObject | None = None
    response_payload: JsonObject | None = None
    error_message: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
