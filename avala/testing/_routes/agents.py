"""Agents: CRUD, their executions, and a test call that is recorded as an execution.

Collections: `agents` and `agents_executions` (each execution names its agent in
`registration`). Deleting an agent deletes its executions.
"""

from __future__ import annotations

import secrets

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, cursor_page, not_found, now_iso
from ._fields import OPTIONAL_TEXT, STRINGS, Field, Spec
from ._standard import Resource, Table, routes

router = Router()

AGENTS = "agents"
EXECUTIONS = "agents_executions"
SPEC: Spec = {
    "name": Field(required=True, blank=False),
    "description": OPTIONAL_TEXT,
    "callback_url": OPTIONAL_TEXT,
    "project": Field(null=True, refers_to="projects"),
    "events": STRINGS,
    "task_types": STRINGS,
    "is_active": Field("bool"),
}


def _new_agent() -> dict[str, object]:
    return {
        "description": None,
        "events": [],
        "callback_url": None,
        "is_active": True,
        "project": None,
        "task_types": [],
        "secret": f"agsec_{secrets.token_hex(16)}",
        "execution_stats": {"total": 0, "succeeded": 0, "failed": 0},
    }


@router.route("DELETE", "/agents/{uid}/")
def delete_agent(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    if not state.delete(AGENTS, uid):
        return not_found()
    for execution in state.where(EXECUTIONS, registration=uid):
        state.delete(EXECUTIONS, execution["uid"])
    return FakeResponse(204)


@router.route("GET", "/agents/{uid}/executions/")
def list_executions(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    if state.get(AGENTS, uid) is None:
        return not_found()
    return cursor_page(req, state.where(EXECUTIONS, registration=uid), state.base_url)


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


AGENT = Resource(AGENTS, spec=SPEC, defaults=_new_agent)
STANDARD: Table = routes("agents", AGENT, "list", "create", "get", "update")
