"""Webhook subscriptions: CRUD plus a test ping that records a delivery.

`POST /webhooks/{uid}/test/` writes a `webhook_deliveries` record (so the delivery can be
read back) when the subscription is active, and reports `success: false` when it is not.
"""

from __future__ import annotations

import secrets
from typing import Any

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, bad_request, cursor_page, not_found, now_iso, require_object

router = Router()

COLLECTION = "webhooks"
DELIVERIES = "webhook_deliveries"
TEST_EVENT = "webhook.test"


def _errors(body: dict[str, Any]) -> dict[str, list[str]]:
    """DRF-style complaints about the fields present in `body` (absent ones are fine)."""
    errors: dict[str, list[str]] = {}
    if "target_url" in body:
        url = body["target_url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            errors["target_url"] = ["Enter a valid URL."]
    if "events" in body:
        events = body["events"]
        if not isinstance(events, list):
            kind = type(events).__name__
            errors["events"] = [f'Expected a list of items but got type "{kind}".']
        elif not events:
            errors["events"] = ["This list may not be empty."]
        elif not all(isinstance(e, str) and e for e in events):
            errors["events"] = ["Not a valid string."]
    if "is_active" in body and not isinstance(body["is_active"], bool):
        errors["is_active"] = ["Must be a valid boolean."]
    if "secret" in body and not isinstance(body["secret"], str):
        errors["secret"] = ["Not a valid string."]
    return errors


@router.route("GET", "/webhooks/")
def list_webhooks(state: Store, req: FakeRequest) -> FakeResponse:
    return cursor_page(req, state.all(COLLECTION), state.base_url)


@router.route("POST", "/webhooks/")
def create_webhook(state: Store, req: FakeRequest) -> FakeResponse:
    body = req.body
    invalid = require_object(body)
    if invalid is not None:
        return invalid
    errors = {n: ["This field is required."] for n in ("target_url", "events") if n not in body}
    errors.update(_errors(body))
    if errors:
        return bad_request(errors)
    record = {
        "target_url": body["target_url"],
        "events": body["events"],
        "is_active": body.get("is_active", True),
        "secret": body.get("secret") or f"whsec_{secrets.token_hex(16)}",
    }
    return FakeResponse(201, state.create(COLLECTION, record))


@router.route("GET", "/webhooks/{uid}/")
def get_webhook(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    webhook = state.get(COLLECTION, uid)
    return FakeResponse(200, webhook) if webhook is not None else not_found()


@router.route("PATCH", "/webhooks/{uid}/")
def update_webhook(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    if state.get(COLLECTION, uid) is None:
        return not_found()
    body = {} if req.body is None else req.body
    invalid = require_object(body)
    if invalid is not None:
        return invalid
    errors = _errors(body)
    if errors:
        return bad_request(errors)
    changes = {k: body[k] for k in ("target_url", "events", "is_active") if k in body}
    return FakeResponse(200, state.update(COLLECTION, uid, changes))


@router.route("DELETE", "/webhooks/{uid}/")
def delete_webhook(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    return FakeResponse(204) if state.delete(COLLECTION, uid) else not_found()


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
