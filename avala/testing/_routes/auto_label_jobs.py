"""Auto-label jobs: created under a project, then read, listed and cancelled by uid.

Collection `auto_label_jobs`; each record keeps its `project` uid (the list filters on it).
Each GET of one job advances it a step (pending -> running -> completed), like exports, so
polling finishes after a predictable number of requests. `total_items` is the number of
the project's tasks (collection `tasks`) when the job is created. DELETE cancels a job that
has not finished (204) and is a 400 once it has.
"""

from __future__ import annotations

from typing import Any

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, bad_request, not_found, now_iso
from ._fields import Field, Spec, validated
from ._standard import Resource, Table, routes

router = Router()

JOBS = "auto_label_jobs"
FINISHED = frozenset({"completed", "failed", "cancelled"})
DEFAULT_MODEL = "default"
DEFAULT_THRESHOLD = 0.5


SPEC: Spec = {
    "model_type": Field(null=True),
    "confidence_threshold": Field("number", null=True, minimum=0, maximum=1),
    "labels": Field("list", null=True, items="str"),
    "dry_run": Field("bool", null=True),
}


@router.route("POST", "/projects/{project_uid}/auto-label/")
def create_job(state: Store, req: FakeRequest, project_uid: str) -> FakeResponse:
    if state.get("projects", project_uid) is None:
        return not_found()
    body = validated(req, SPEC, optional=True)
    if isinstance(body, FakeResponse):
        return body
    total = len(state.where("tasks", project=project_uid))
    threshold = body.get("confidence_threshold")
    job = {
        "project": project_uid,
        "status": "pending",
        "model_type": body.get("model_type") or DEFAULT_MODEL,
        "confidence_threshold": DEFAULT_THRESHOLD if threshold is None else float(threshold),
        "labels": body.get("labels") or [],
        "dry_run": bool(body.get("dry_run", False)),
        "total_items": total,
        "processed_items": 0,
        "successful_items": 0,
        "failed_items": 0,
        "skipped_items": 0,
        "progress_pct": 0.0,
        "error_message": None,
        "summary": None,
        "started_at": None,
        "completed_at": None,
    }
    return FakeResponse(201, state.create(JOBS, job))


def _next_step(job: dict[str, Any]) -> dict[str, Any]:
    total = int(job.get("total_items") or 0)
    if job.get("status") == "pending":
        half = total // 2
        return {
            "status": "running",
            "started_at": now_iso(),
            "processed_items": half,
            "successful_items": 0 if job.get("dry_run") else half,
            "skipped_items": half if job.get("dry_run") else 0,
            "progress_pct": 100.0 * half / total if total else 0.0,
        }
    if job.get("status") == "running":
        dry = bool(job.get("dry_run"))
        return {
            "status": "completed",
            "completed_at": now_iso(),
            "processed_items": total,
            "successful_items": 0 if dry else total,
            "skipped_items": total if dry else 0,
            "progress_pct": 100.0,
            "summary": {"labelled_items": 0 if dry else total, "dry_run": dry},
        }
    return {}


@router.route("GET", "/auto-label-jobs/{uid}/")
def get_job(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    job = state.get(JOBS, uid)
    if job is None:
        return not_found()
    changes = _next_step(job)
    if changes:
        job = state.update(JOBS, uid, changes) or job
    return FakeResponse(200, job)


@router.route("DELETE", "/auto-label-jobs/{uid}/")
def cancel_job(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    job = state.get(JOBS, uid)
    if job is None:
        return not_found()
    if job.get("status") in FINISHED:
        return bad_request({"status": [f"Cannot cancel a job that is {job['status']}."]})
    state.update(JOBS, uid, {"status": "cancelled", "completed_at": now_iso()})
    return FakeResponse(204)


STANDARD: Table = routes("auto_label_jobs", Resource(JOBS, filters={"project": "project"}), "list")
