"""Inference providers: CRUD plus a connectivity test.

The test succeeds exactly when the provider is active and its `config` names a `url`;
it stamps `last_test_at` / `last_test_success` on the provider either way.
"""

from __future__ import annotations

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, not_found, now_iso
from ._fields import OPTIONAL_TEXT, Field, Spec
from ._standard import Resource, Table, routes

router = Router()

COLLECTION = "inference_providers"
SPEC: Spec = {
    "name": Field(required=True, blank=False),
    "description": OPTIONAL_TEXT,
    "provider_type": Field(required=True, blank=False),
    "project": Field(null=True, refers_to="projects"),
    "config": Field("object", required=True),
    "is_active": Field("bool"),
}
NEW = {"description": "", "is_active": True, "project": None}


@router.route("POST", "/inference-providers/{uid}/test/")
def test_provider(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    provider = state.get(COLLECTION, uid)
    if provider is None:
        return not_found()
    config = provider.get("config") or {}
    ok = bool(provider.get("is_active", True)) and bool(config.get("url"))
    stamp = now_iso()
    state.update(COLLECTION, uid, {"last_test_at": stamp, "last_test_success": ok})
    message = "Connection successful." if ok else "Provider is inactive or has no url."
    return FakeResponse(200, {"success": ok, "message": message, "tested_at": stamp})


PROVIDER = Resource(
    COLLECTION,
    spec=SPEC,
    defaults=lambda: {**NEW, "last_test_at": None, "last_test_success": None},
)
STANDARD: Table = routes(
    "inference_providers", PROVIDER, "list", "create", "get", "update", "delete"
)
