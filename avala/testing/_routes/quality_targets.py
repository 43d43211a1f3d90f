"""Quality targets of a project (`/projects/{project_uid}/quality-targets/`).

Targets belong to one project (a `projects` record; unknown projects are 404) and are 404
under any other. A target states what the metric should be (`metric operator threshold`,
e.g. accuracy gte 0.9); `evaluate` reads current values from the `quality_targets_metrics`
record whose uid is the project uid (`{"uid": ..., "metrics": {"accuracy": 0.93}}`, a
missing metric reads 0.0) and marks a target breached when its condition does not hold.
"""

from __future__ import annotations

import operator as op
from collections.abc import Callable
from typing import Any

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, not_found, now_iso
from ._fields import Field, Spec, email
from ._standard import Resource, Table, routes

router = Router()

COLLECTION = "quality_targets"
METRICS = "quality_targets_metrics"
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "gt": op.gt,
    "gte": op.ge,
    "lt": op.lt,
    "lte": op.le,
    "eq": op.eq,
}
DEFAULT_OPERATOR = "gte"
SPEC: Spec = {
    "name": Field(required=True, blank=False),
    "metric": Field(required=True, blank=False),
    "threshold": Field("number", required=True),
    "operator": Field(choices=tuple(OPERATORS)),
    "severity": Field(choices=("info", "warning", "critical")),
    "is_active": Field("bool"),
    "notify_webhook": Field("bool"),
    "notify_emails": Field(
        "list", items="str", rule=lambda emails: next(filter(None, map(email, emails)), None)
    ),
}
NEW = {
    "operator": DEFAULT_OPERATOR,
    "severity": "warning",
    "is_active": True,
    "notify_webhook": True,
    "notify_emails": [],
    "last_evaluated_at": None,
    "last_value": None,
    "is_breached": False,
    "breach_count": 0,
    "last_breached_at": None,
}


def _view(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "project"}


@router.route("POST", "/projects/{project_uid}/quality-targets/evaluate/")
def evaluate_targets(state: Store, req: FakeRequest, project_uid: str) -> FakeResponse:
    if state.get("projects", project_uid) is None:
        return not_found()
    metrics = (state.get(METRICS, project_uid) or {}).get("metrics") or {}
    stamp = now_iso()
    results = []
    for target in state.all(COLLECTION):
        if target.get("project") != project_uid or not target.get("is_active", True):
            continue
        value = float(metrics.get(target["metric"], 0.0))
        check = OPERATORS.get(target.get("operator", DEFAULT_OPERATOR)) or OPERATORS["gte"]
        breached = not check(value, float(target["threshold"]))
        changes: dict[str, Any] = {
            "last_evaluated_at": stamp,
            "last_value": value,
            "is_breached": breached,
        }
        if breached:
            changes["breach_count"] = int(target.get("breach_count", 0)) + 1
            changes["last_breached_at"] = stamp
        state.update(COLLECTION, target["uid"], changes)
        results.append(
            {
                "uid": target["uid"],
                "name": target["name"],
                "metric": target["metric"],
                "threshold": float(target["threshold"]),
                "operator": target.get("operator", DEFAULT_OPERATOR),
                "current_value": value,
                "is_breached": breached,
                "severity": target.get("severity"),
            }
        )
    return FakeResponse(200, results)


def _as_float(changes: dict[str, Any]) -> dict[str, Any]:
    if "threshold" in changes:
        changes["threshold"] = float(changes["threshold"])
    return changes


TARGET = Resource(
    COLLECTION,
    keys={"project_uid": "project", "uid": "uid"},
    parent={"project_uid": "projects"},
    view=_view,
    spec=SPEC,
    defaults=lambda: dict(NEW),
    coerce=_as_float,
)
STANDARD: Table = routes("quality_targets", TARGET, "list", "create", "get", "update", "delete")
