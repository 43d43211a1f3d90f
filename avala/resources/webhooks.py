"""Webhook subscriptions."""

from __future__ import annotations


class Webhooks:
    """Builds requests for webhooks; ``client.webhooks``."""
