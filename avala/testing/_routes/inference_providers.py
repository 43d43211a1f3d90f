"""Inference providers: CRUD plus a connectivity test.

The test succeeds exactly when the provider is active and its `config` names a `url`;
it stamps `last_test_at` / `last_test_success` on the provider either way.
"""

from __future__ import annotations

from typing import Any

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, bad_request, cursor_page, not_found, now_iso, require_object

router = Router()

COLLECTION = "inference_providers"
STRINGS = ("name", "description", "provider_type", "project")
REQUIRED = ("name", "provider_type", "config")


def _errors(state: Store, body: dict[str, Any]) -> dict[str, list[str]]:
    """DRF-style complaints about the fields present in `body`."""
    errors: dict[str, list[str]] = {}
    for key in STRINGS:
        if key in body and body[key] is not None and not isinstance(body[key], str):
            errors[key] = ["Not a valid string."]
    for key in ("name", "provider_type"):
        if key in body and (body[key] is None or body[key] == ""):
            errors[key] = ["This field may not be blank."]
    if "config" in body and not isinstance(body["config"], dict):
        kind = type(body["config"]).__name__
        errors["config"] = [f'Expected a dictionary of items but got type "{kind}".']
    if "is_active" in body and not isinstance(body["is_active"], bool):
        errors["is_active"] = ["Must be a valid boolean."]
    project = body.get("project")
    if isinstance(project, str) and state.get("projects", project) is None:
        errors["project"] = [f'Invalid pk "{project}" - object does not exist.']
    return errors


@router.route("GET", "/inference-providers/")
def list_providers(state: Store, req: FakeRequest) -> FakeResponse:
    return cursor_page(req, state.all(COLLECTION), state.base_url)


@router.route("POST", "/inference-providers/")
def create_provider(state: Store, req: FakeRequest) -> FakeResponse:
    body = req.body
    invalid = require_object(body)
    if invalid is not None:
        return invalid
    errors = {n: ["This field is required."] for n in REQUIRED if n not in body}
    errors.update(_errors(state, body))
    if errors:
        return bad_request(errors)
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


@router.route("GET", "/inference-providers/{uid}/")
def get_provider(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    provider = state.get(COLLECTION, uid)
    return FakeResponse(200, provider) if provider is not None else not_found()


@router.route("PATCH", "/inference-providers/{uid}/")
def update_provider(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    if state.get(COLLECTION, uid) is None:
        return not_found()
    body = {} if req.body is None else req.body
    invalid = require_object(body)
    if invalid is not None:
        return invalid
    errors = _errors(state, body)
    if errors:
        return bad_request(errors)
    keys = (*STRINGS, "config", "is_active")
    changes = {k: body[k] for k in keys if k in body}
    return FakeResponse(200, state.update(COLLECTION, uid, changes))


@router.route("DELETE", "/inference-providers/{uid}/")
def delete_provider(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    return FakeResponse(204) if state.delete(COLLECTION, uid) else not_found()


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
