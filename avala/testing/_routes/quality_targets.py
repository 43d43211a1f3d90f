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
from functools import partial
from typing import Any

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, not_found, now_iso
from ._common import NOT_BLANK, NOT_NUMBER, absent, check_bools, check_choice, checked_body
from ._standard import Kind, Resource

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
SEVERITIES = ("info", "warning", "critical")
DEFAULT_OPERATOR = "gte"
DEFAULT_SEVERITY = "warning"
REQUIRED = ("name", "metric", "threshold")
WRITABLE = (
    "name",
    "metric",
    "threshold",
    "operator",
    "severity",
    "is_active",
    "notify_webhook",
    "notify_emails",
)
HIDDEN = ("project",)


def _view(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in HIDDEN}


def _find(state: Store, project_uid: str, uid: str) -> dict[str, Any] | None:
    return state.get_where(COLLECTION, uid, project=project_uid)


def _errors(body: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """DRF-style complaints about the fields present in `body` and the `required` absent."""
    errors = absent(body, required)
    for key in ("name", "metric"):
        if key in body and (not isinstance(body[key], str) or not body[key]):
            errors[key] = [NOT_BLANK]
    if "threshold" in body:
        value = body["threshold"]
        if isinstance(value, bool) or not isinstance(value, int | float):
            errors["threshold"] = [NOT_NUMBER]
    check_choice(errors, body, "operator", OPERATORS)
    check_choice(errors, body, "severity", SEVERITIES)
    check_bools(errors, body, ("is_active", "notify_webhook"), null_ok=False)
    if "notify_emails" in body:
        emails = body["notify_emails"]
        if not isinstance(emails, list) or not all(isinstance(e, str) and "@" in e for e in emails):
            errors["notify_emails"] = ["Enter a valid email address."]
    return errors


@router.route("POST", "/projects/{project_uid}/quality-targets/")
def create_target(state: Store, req: FakeRequest, project_uid: str) -> FakeResponse:
    if state.get("projects", project_uid) is None:
        return not_found()
    body = checked_body(req, partial(_errors, required=REQUIRED))
    if isinstance(body, FakeResponse):
        return body
    record = {
        "project": project_uid,
        "name": body["name"],
        "metric": body["metric"],
        "operator": body.get("operator", DEFAULT_OPERATOR),
        "threshold": float(body["threshold"]),
        "severity": body.get("severity", DEFAULT_SEVERITY),
        "is_active": body.get("is_active", True),
        "notify_webhook": body.get("notify_webhook", True),
        "notify_emails": body.get("notify_emails", []),
        "last_evaluated_at": None,
        "last_value": None,
        "is_breached": False,
        "breach_count": 0,
        "last_breached_at": None,
    }
    return FakeResponse(201, _view(state.create(COLLECTION, record)))


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
    check=lambda state, body, partial: _errors(body),
    fields=WRITABLE,
    coerce=_as_float,
)
STANDARD: dict[str, tuple[Kind, Resource]] = {
    "quality_targets.list": ("list", TARGET),
    "quality_targets.get": ("get", TARGET),
    "quality_targets.update": ("update", TARGET),
    "quality_targets.delete": ("delete", TARGET),
}
