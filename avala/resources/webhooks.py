"""Webhook subscriptions: where the API POSTs events, and a test ping."""

from __future__ import annotations

from collections.abc import Sequence

from avala._decode import model, nothing, page, raw
from avala._request import Call
from avala.resources._base import api, check_limit, check_optional_str, compact
from avala.types import CursorPage, JsonObject, Webhook


def check_str_list(name: str, values: Sequence[str] | None) -> list[str] | None:
    """A caller's sequence of strings as a JSON array; a bare string is refused (it is a
    sequence of characters, never what was meant)."""
    if values is None:
        return None
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise TypeError(f"{name} must be a sequence of str, not {type(values).__name__}")
    out = list(values)
    for item in out:
        if not isinstance(item, str):
            raise TypeError(f"{name} items must be str, not {type(item).__name__}")
    return out


def check_bool(name: str, value: bool | None) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, not {type(value).__name__}")
    return value


class Webhooks:
    """Builds requests for webhooks; ``client.webhooks``."""

    def list(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Call[CursorPage[Webhook]]:
        """One page of webhook subscriptions."""
        query = {"limit": check_limit(limit), "cursor": check_optional_str("cursor", cursor)}
        return api("webhooks.list", page(Webhook), query=query)

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
            "target_url": check_optional_str("target_url", target_url),
            "events": check_str_list("events", events),
            **compact(
                is_active=check_bool("is_active", is_active),
                secret=check_optional_str("secret", secret),
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
            target_url=check_optional_str("target_url", target_url),
            events=check_str_list("events", events),
            is_active=check_bool("is_active", is_active),
        )
        return api("webhooks.update", model(Webhook), path={"uid": uid}, body=body)

    def delete(self, uid: str) -> Call[None]:
        """Remove a webhook subscription."""
        return api("webhooks.delete", nothing(), path={"uid": uid})

    def test(self, uid: str) -> Call[JsonObject]:
        """Have the server send a test event to the subscription; its verdict as frozen JSON."""
        return api("webhooks.test", raw(), path={"uid": uid})
