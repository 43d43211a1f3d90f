"""Agents: CRUD, their executions, and a test call that is recorded as an execution.

Collections: `agents` and `agents_executions` (each execution names its agent in
`registration`). Deleting an agent deletes its executions.
"""

from __future__ import annotations

import secrets
from typing import Any

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, bad_request, cursor_page, not_found, now_iso, require_object

router = Router()

AGENTS = "agents"
EXECUTIONS = "agents_executions"
# Body field -> the JSON type DRF would accept for it.
STRING_FIELDS = ("name", "description", "callback_url", "project")
LIST_FIELDS = ("events", "task_types")


def _validate(state: Store, body: dict[str, Any], *, partial: bool) -> dict[str, list[str]]:
    """DRF-style field errors of a create (partial=False) or PATCH body."""
    errors: dict[str, list[str]] = {}
    if not partial and body.get("name") is None:
        errors["name"] = ["This field is required."]
    for key in STRING_FIELDS:
        if key not in body:
            continue
        value = body[key]
        if value is None:
            if key == "name":
                errors[key] = ["This field may not be null."]
        elif not isinstance(value, str):
            errors[key] = ["Not a valid string."]
        elif key == "name" and not value.strip():
            errors[key] = ["This field may not be blank."]
    for key in LIST_FIELDS:
        value = body.get(key)
        if key in body and not isinstance(value, list):
            errors[key] = [f'Expected a list of items but got type "{type(value).__name__}".']
        elif isinstance(value, list) and not all(isinstance(v, str) for v in value):
            errors[key] = ["Not a valid string."]
    if "is_active" in body and not isinstance(body["is_active"], bool):
        errors["is_active"] = ["Must be a valid boolean."]
    project = body.get("project")
    if isinstance(project, str) and state.get("projects", project) is None:
        errors["project"] = [f'Invalid pk "{project}" - object does not exist.']
    return errors


def _fields(body: dict[str, Any]) -> dict[str, Any]:
    keys = (*STRING_FIELDS, *LIST_FIELDS, "is_active")
    return {k: body[k] for k in keys if k in body}


@router.route("GET", "/agents/")
def list_agents(state: Store, req: FakeRequest) -> FakeResponse:
    return cursor_page(req, state.all(AGENTS), state.base_url)


@router.route("POST", "/agents/")
def create_agent(state: Store, req: FakeRequest) -> FakeResponse:
    body = req.body
    invalid = require_object(body)
    if invalid is not None:
        return invalid
    errors = _validate(state, body, partial=False)
    if errors:
        return bad_request(errors)
    record: dict[str, Any] = {
        "name": body["name"],
        "description": None,
        "events": [],
        "callback_url": None,
        "is_active": True,
        "project": None,
        "task_types": [],
        **_fields(body),
        "secret": f"agsec_{secrets.token_hex(16)}",
        "execution_stats": {"total": 0, "succeeded": 0, "failed": 0},
    }
    return FakeResponse(201, state.create(AGENTS, record))


@router.route("GET", "/agents/{uid}/")
def get_agent(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    agent = state.get(AGENTS, uid)
    return FakeResponse(200, agent) if agent is not None else not_found()


@router.route("PATCH", "/agents/{uid}/")
def update_agent(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    if state.get(AGENTS, uid) is None:
        return not_found()
    body = {} if req.body is None else req.body
    invalid = require_object(body)
    if invalid is not None:
        return invalid
    errors = _validate(state, body, partial=True)
    if errors:
        return bad_request(errors)
    return FakeResponse(200, state.update(AGENTS, uid, _fields(body)))


@router.route("DELETE", "/agents/{uid}/")
def delete_agent(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    if not state.delete(AGENTS, uid):
        return not_found()
    for execution in state.all(EXECUTIONS):
        if execution.get("registration") == uid:
            state.delete(EXECUTIONS, execution["uid"])
    return FakeResponse(204)


@router.route("GET", "/agents/{uid}/executions/")
def list_executions(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    if state.get(AGENTS, uid) is None:
        return not_found()
    items = [e for e in state.all(EXECUTIONS) if e.get("registration") == uid]
    return cursor_page(req, items, state.base_url)


@router.route("POST", "/agents/{uid}/test/")
def test_agent(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    """Pretend to call the agent: it succeeds when it has a callback URL and is active."""
    agent = state.get(AGENTS, uid)
    if agent is None:
        return not_found()
    ok = bool(agent.get("callback_url")) and bool(agent.get("is_active"))
    error = None if ok else "Agent has no callback URL or is inactive."
    stamp = now_iso()
    execution = state.insert(
        EXECUTIONS,
        {
            "registration": uid,
            "event_type": "agent.test",
            "task": None,
            "result": "ok" if ok else None,
            "status": "completed" if ok else "failed",
            "action": "test",
            "event_payload": {"test": True},
            "response_payload": {"received": True} if ok else None,
            "error_message": error,
            "started_at": stamp,
            "completed_at": stamp,
        },
    )
    stats = dict(agent.get("execution_stats") or {})
    stats["total"] = stats.get("total", 0) + 1
    outcome = "succeeded" if ok else "failed"
    stats[outcome] = stats.get(outcome, 0) + 1
    state.update(AGENTS, uid, {"execution_stats": stats})
    return FakeResponse(
        200,
        {
            "success": ok,
            "status_code": 200 if ok else None,
            "error": error,
            "execution_uid": execution["uid"],
        },
    )
