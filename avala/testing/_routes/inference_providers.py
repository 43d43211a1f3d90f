"""Inference providers: CRUD plus a connectivity test.

The test succeeds exactly when the provider is active and its `config` names a `url`;
it stamps `last_test_at` / `last_test_success` on the provider either way.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, not_found, now_iso
from ._common import (
    NOT_BLANK,
    absent,
    check_bools,
    check_reference,
    check_strings,
    checked_body,
    not_a,
)
from ._standard import Kind, Resource

router = Router()

COLLECTION = "inference_providers"
STRINGS = ("name", "description", "provider_type", "project")
REQUIRED = ("name", "provider_type", "config")
WRITABLE = (*STRINGS, "config", "is_active")


def _errors(
    state: Store, body: dict[str, Any], required: tuple[str, ...] = ()
) -> dict[str, list[str]]:
    """DRF-style complaints about the fields present in `body` and the `required` absent."""
    errors = absent(body, required)
    check_strings(errors, body, STRINGS)
    for key in ("name", "provider_type"):
        if key in body and (body[key] is None or body[key] == ""):
            errors[key] = [NOT_BLANK]
    if "config" in body and not isinstance(body["config"], dict):
        errors["config"] = [not_a("dictionary", body["config"])]
    check_bools(errors, body, ("is_active",), null_ok=False)
    check_reference(errors, state, body, "project", "projects")
    return errors


@router.route("POST", "/inference-providers/")
def create_provider(state: Store, req: FakeRequest) -> FakeResponse:
    body = checked_body(req, partial(_errors, state, required=REQUIRED))
    if isinstance(body, FakeResponse):
        return body
    record = {
        "name": body["name"],
        "description": body.get("description") or "",
        "provider_type": body["provider_type"],
        "config": body["config"],
        "is_active": body.get("is_active", True),
        "project": body.get("project"),
        "last_test_at": None,
        "last_test_success": None,
    }
    return FakeResponse(201, state.create(COLLECTION, record))


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
    COLLECTION, check=lambda state, body, partial: _errors(state, body), fields=WRITABLE
)
STANDARD: dict[str, tuple[Kind, Resource]] = {
    "inference_providers.list": ("list", PROVIDER),
    "inference_providers.get": ("get", PROVIDER),
    "inference_providers.update": ("update", PROVIDER),
    "inference_providers.delete": ("delete", PROVIDER),
}
