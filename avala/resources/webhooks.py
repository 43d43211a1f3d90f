"""Webhook subscriptions: where the API POSTs events, and a test ping."""

from __future__ import annotations

from collections.abc import Sequence

from avala._decode import model, nothing, page, raw
from avala._request import Call
from avala.resources._base import api, compact
from avala.resources._checks import (
    optional_bool,
    optional_str,
    optional_string_list,
    page_query,
    required_str,
    string_list,
)
from avala.types import CursorPage, JsonObject, Webhook


class Webhooks:
    """Builds requests for webhooks; ``client.webhooks``."""

    def list(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Call[CursorPage[Webhook]]:
        """One page of webhook subscriptions."""
        return api("webhooks.list", page(Webhook), query=page_query(limit, cursor))

    def get(self, uid: str) -> Call[Webhook]:
        """One webhook subscription by uid."""
        return api("webhooks.get", model(Webhook), path={"uid": uid})

    def create(
        self,
        *,
        target_url: str,
        events: Sequence[str],
        is_active: bool | None = None,
        secret: str | None = None,
    ) -> Call[Webhook]:
        """Subscribe ``target_url`` to ``events``; ``secret`` (settable only here) signs them."""
        body = {
            "target_url": required_str("target_url", target_url),
            "events": string_list("events", events),
            **compact(
                is_active=optional_bool("is_active", is_active),
                secret=optional_str("secret", secret),
            ),
        }
        return api("webhooks.create", model(Webhook), body=body)

    def update(
        self,
        uid: str,
        *,
        target_url: str | None = None,
        events: Sequence[str] | None = None,
        is_active: bool | None = None,
    ) -> Call[Webhook]:
        """Change a subscription; only the arguments given are sent (PATCH)."""
        body = compact(
            target_url=optional_str("target_url", target_url),
            events=optional_string_list("events", events),
            is_active=optional_bool("is_active", is_active),
        )
        return api("webhooks.update", model(Webhook), path={"uid": uid}, body=body)

    def delete(self, uid: str) -> Call[None]:
        """Remove a webhook subscription."""
        return api("webhooks.delete", nothing(), path={"uid": uid})

    def test(self, uid: str) -> Call[JsonObject]:
        """Have the server send a test event to the subscription; its verdict as frozen JSON."""
        return api("webhooks.test", raw(), path={"uid": uid})
