"""Webhook deliveries: read-only records, written by `POST /webhooks/{uid}/test/`.

Seed them with `fake.seed.webhook_delivery(webhook)`.
"""

from __future__ import annotations

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, cursor_page
from ._common import ok_or_404

router = Router()

COLLECTION = "webhook_deliveries"


@router.route("GET", "/webhook-deliveries/")
def list_deliveries(state: Store, req: FakeRequest) -> FakeResponse:
    return cursor_page(req, state.all(COLLECTION), state.base_url)


@router.route("GET", "/webhook-deliveries/{uid}/")
def get_delivery(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    return ok_or_404(state.get(COLLECTION, uid))
