"""Webhook subscriptions: CRUD plus a test ping that records a delivery.

`POST /webhooks/{uid}/test/` writes a `webhook_deliveries` record (so the delivery can be
read back) when the subscription is active, and reports `success: false` when it is not.
"""

from __future__ import annotations

import secrets
from functools import partial
from typing import Any

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, not_found, now_iso
from ._common import (
    NOT_STRING,
    absent,
    check_bools,
    check_strings,
    checked_body,
    not_a,
)
from ._standard import Kind, Resource

router = Router()

COLLECTION = "webhooks"
DELIVERIES = "webhook_deliveries"
TEST_EVENT = "webhook.test"
REQUIRED = ("target_url", "events")
WRITABLE = ("target_url", "events", "is_active")


def _errors(body: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """DRF-style complaints about the fields present in `body` and the `required` absent."""
    errors = absent(body, required)
    if "target_url" in body:
        url = body["target_url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            errors["target_url"] = ["Enter a valid URL."]
    if "events" in body:
        events = body["events"]
        if not isinstance(events, list):
            errors["events"] = [not_a("list", events)]
        elif not events:
            errors["events"] = ["This list may not be empty."]
        elif not all(isinstance(e, str) and e for e in events):
            errors["events"] = [NOT_STRING]
    check_bools(errors, body, ("is_active",), null_ok=False)
    check_strings(errors, body, ("secret",), null_ok=False)
    return errors


@router.route("POST", "/webhooks/")
def create_webhook(state: Store, req: FakeRequest) -> FakeResponse:
    body = checked_body(req, partial(_errors, required=REQUIRED))
    if isinstance(body, FakeResponse):
        return body
    record = {
        "target_url": body["target_url"],
        "events": body["events"],
        "is_active": body.get("is_active", True),
        "secret": body.get("secret") or f"whsec_{secrets.token_hex(16)}",
    }
    return FakeResponse(201, state.create(COLLECTION, record))


@router.route("POST", "/webhooks/{uid}/test/")
def test_webhook(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    webhook = state.get(COLLECTION, uid)
    if webhook is None:
        return not_found()
    if not webhook.get("is_active", True):
        return FakeResponse(200, {"success": False, "detail": "Webhook is inactive."})
    delivery = state.insert(
        DELIVERIES,
        {
            "subscription": uid,
            "event_type": TEST_EVENT,
            "payload": {"event": TEST_EVENT, "webhook": uid, "sent_at": now_iso()},
            "response_status": 200,
            "response_body": "OK",
            "attempts": 1,
            "next_retry_at": None,
            "status": "delivered",
        },
    )
    return FakeResponse(
        200, {"success": True, "delivery_uid": delivery["uid"], "response_status": 200}
    )


WEBHOOK = Resource(COLLECTION, check=lambda state, body, partial: _errors(body), fields=WRITABLE)
STANDARD: dict[str, tuple[Kind, Resource]] = {
    "webhooks.list": ("list", WEBHOOK),
    "webhooks.get": ("get", WEBHOOK),
    "webhooks.update": ("update", WEBHOOK),
    "webhooks.delete": ("delete", WEBHOOK),
}
