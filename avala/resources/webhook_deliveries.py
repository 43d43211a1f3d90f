"""Deliveries of webhook events."""

from __future__ import annotations


class WebhookDeliveries:
    """Builds requests for webhook deliveries; ``client.webhook_deliveries``."""
