"""Deliveries of webhook events: what was sent to which subscription, and how it went."""

from __future__ import annotations

from avala._decode import model, page
from avala._request import Call
from avala.resources._base import api
from avala.resources._checks import page_query
from avala.types import CursorPage, WebhookDelivery


class WebhookDeliveries:
    """Builds requests for webhook deliveries; ``client.webhook_deliveries``."""

    def list(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Call[CursorPage[WebhookDelivery]]:
        """One page of delivery records, across all of the caller's webhooks."""
        query = page_query(limit, cursor)
        return api("webhook_deliveries.list", page(WebhookDelivery), query=query)

    def get(self, uid: str) -> Call[WebhookDelivery]:
        """One delivery record by uid."""
        return api("webhook_deliveries.get", model(WebhookDelivery), path={"uid": uid})
