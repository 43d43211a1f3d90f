"""Consensus of a project: settings, per-item scores, summary and a compute trigger.

Every route is under `/projects/{project_uid}/consensus/`; an unknown project (collection
`projects`) is a 404 and each project only sees its own records.
Collections (records carry their `project` uid, not shown in responses):
- `consensus_configs`: one per project, made with the defaults on first access.
- `consensus_scores`: `{uid, project, dataset_item_uid, task_name, score_type, score,
  annotator_count, details}`; seed them in tests.
The summary is computed from the scores: an item "has consensus" when one of its scores
comes from at least `min_annotations` annotators.
"""

from __future__ import annotations

from collections import defaultdict
from statistics import fmean, median
from typing import Any

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, not_found
from ._fields import RATIO, Field, validated
from ._standard import Resource, Table

router = Router()

CONFIGS = "consensus_configs"
SCORES = "consensus_scores"
DEFAULTS = {"iou_threshold": 0.5, "min_agreement_ratio": 0.5, "min_annotations": 2}
BUCKETS = ("0.0-0.2", "0.2-0.4", "0.4-0.6", "0.6-0.8", "0.8-1.0")


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "project"}


def _config(state: Store, project_uid: str) -> dict[str, Any]:
    """The project's config record, created with the defaults the first time."""
    config = state.first(CONFIGS, project=project_uid)
    if config is None:
        config = state.insert(CONFIGS, {"project": project_uid, **DEFAULTS})
    return config


def _scores(state: Store, project_uid: str) -> list[dict[str, Any]]:
    return state.where(SCORES, project=project_uid)


def _bucket(score: float) -> str:
    return BUCKETS[min(int(score * 5), 4)] if score >= 0 else BUCKETS[0]


@router.route("GET", "/projects/{project_uid}/consensus/")
def get_summary(state: Store, req: FakeRequest, project_uid: str) -> FakeResponse:
    if state.get("projects", project_uid) is None:
        return not_found()
    config = _config(state, project_uid)
    scores = _scores(state, project_uid)
    values = [float(s["score"]) for s in scores]
    items = {s["dataset_item_uid"] for s in scores}
    agreed = {
        s["dataset_item_uid"]
        for s in scores
        if int(s.get("annotator_count") or 0) >= config["min_annotations"]
    }
    distribution = dict.fromkeys(BUCKETS, 0)
    by_task: dict[str, list[float]] = defaultdict(list)
    for s in scores:
        distribution[_bucket(float(s["score"]))] += 1
        by_task[s["task_name"]].append(float(s["score"]))
    body = {
        "mean_score": fmean(values) if values else 0.0,
        "median_score": float(median(values)) if values else 0.0,
        "min_score": min(values) if values else 0.0,
        "max_score": max(values) if values else 0.0,
        "total_items": len(items),
        "items_with_consensus": len(agreed),
        "score_distribution": distribution,
        "by_task_name": [
            {"task_name": name, "mean_score": fmean(v), "count": len(v)}
            for name, v in sorted(by_task.items())
        ],
    }
    return FakeResponse(200, body)


@router.route("POST", "/projects/{project_uid}/consensus/compute/")
def compute(state: Store, req: FakeRequest, project_uid: str) -> FakeResponse:
    if state.get("projects", project_uid) is None:
        return not_found()
    items = {s["dataset_item_uid"] for s in _scores(state, project_uid)}
    message = f"Consensus computation started for {len(items)} items."
    return FakeResponse(202, {"status": "started", "message": message})


@router.route("GET", "/projects/{project_uid}/consensus/config/")
def get_config(state: Store, req: FakeRequest, project_uid: str) -> FakeResponse:
    if state.get("projects", project_uid) is None:
        return not_found()
    return FakeResponse(200, _public(_config(state, project_uid)))


CONFIG_SPEC = {
    "iou_threshold": RATIO,
    "min_agreement_ratio": RATIO,
    "min_annotations": Field("int", minimum=2),
}


@router.route("PUT", "/projects/{project_uid}/consensus/config/")
def update_config(state: Store, req: FakeRequest, project_uid: str) -> FakeResponse:
    """A PUT that, like the real API, accepts a partial body (even `{}`)."""
    if state.get("projects", project_uid) is None:
        return not_found()
    body = validated(req, CONFIG_SPEC, optional=True)
    if isinstance(body, FakeResponse):
        return body
    config = _config(state, project_uid)
    changes = {k: body[k] for k in DEFAULTS if k in body}
    for key in ("iou_threshold", "min_agreement_ratio"):
        if key in changes:
            changes[key] = float(changes[key])
    updated = state.update(CONFIGS, config["uid"], changes) or config
    return FakeResponse(200, _public(updated))


SCORE = Resource(
    SCORES, keys={"project_uid": "project"}, parent={"project_uid": "projects"}, view=_public
)
STANDARD: Table = {"consensus.list_scores": ("list", SCORE)}
