"""Models of webhook subscriptions and of their delivery attempts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from avala.types._common import JsonObject

__all__ = [
    "Webhook",
    "WebhookDelivery",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Webhook:
    """A subscription that POSTs the listed events to ``target_url``; ``secret`` signs them."""

    uid: str
    target_url: str
    events: tuple[str, ...] = ()
    is_active: bool = True
    secret: str | None = field(default=None, repr=False)
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookDelivery:
    """One event sent (or being retried) to a webhook subscription, with the receiver's answer."""

    uid: str
    subscription: str
    event_type: str
    payload: JsonObject | None = None
    response_status: int | None = None
    response_body: str | None = None
    attempts: int = 0
    next_retry_at: datetime | None = None
    status: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
