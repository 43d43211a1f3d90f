"""Webhook subscriptions: CRUD plus a test ping that records a delivery.

`POST /webhooks/{uid}/test/` writes a `webhook_deliveries` record (so the delivery can be
read back) when the subscription is active, and reports `success: false` when it is not.
"""

from __future__ import annotations

import secrets

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, not_found, now_iso
from ._fields import Field, Spec, url
from ._standard import Resource, Table, routes

router = Router()

COLLECTION = "webhooks"
DELIVERIES = "webhook_deliveries"
TEST_EVENT = "webhook.test"
SPEC: Spec = {
    "target_url": Field(required=True, rule=url),
    "events": Field("list", required=True, items="str", empty=False),
    "is_active": Field("bool"),
    "secret": Field(blank=False),
}


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


WEBHOOK = Resource(
    COLLECTION,
    spec=SPEC,
    fields=("target_url", "events", "is_active", "secret"),
    defaults=lambda: {"is_active": True, "secret": f"whsec_{secrets.token_hex(16)}"},
)
STANDARD: Table = routes("webhooks", WEBHOOK, "list", "create", "get", "update", "delete")
