"""Annotation (QC) issues, addressed per sequence or per dataset, and the QC tool catalogue.

Collections:
- `datasets_sequences` (shared with the dataset routes): a sequence `{"uid", "dataset_uid"}`.
  A sequence-scoped route on an unknown sequence is a 404, and an issue is only reachable
  under the sequence it was filed on.
- `annotation_issues`: the issues, stored in the shape the API returns.
- `annotation_issues_tools`: the QC tool catalogue `{"uid", "name", "dataset_type",
  "default", "problems": [{"uid", "title"}]}`; when empty, `DEFAULT_TOOLS` is served.
Datasets are found by `owner_name` + `slug` (`datasets.find_dataset`).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from statistics import fmean
from typing import Any

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, bad_request, not_found, now_iso
from ._fields import OPTIONAL_TEXT, REQUIRED, Field, field_errors, object_body, ok_or_404
from .datasets import find_dataset

router = Router()

ISSUES = "annotation_issues"
SEQUENCES = "datasets_sequences"
TOOLS = "annotation_issues_tools"

DEFAULT_TOOLS: tuple[dict[str, Any], ...] = (
    {
        "uid": "0b1f6a4e-5d0c-4c59-9d7e-2b1d6c1a0001",
        "name": "Bounding box",
        "dataset_type": "image",
        "default": True,
        "problems": [
            {"uid": "6f2a1c3b-0000-4000-8000-00000000a001", "title": "Wrong class"},
            {"uid": "6f2a1c3b-0000-4000-8000-00000000a002", "title": "Loose box"},
        ],
    },
    {
        "uid": "0b1f6a4e-5d0c-4c59-9d7e-2b1d6c1a0002",
        "name": "Cuboid",
        "dataset_type": "lidar",
        "default": True,
        "problems": [
            {"uid": "6f2a1c3b-0000-4000-8000-00000000b001", "title": "Wrong class"},
            {"uid": "6f2a1c3b-0000-4000-8000-00000000b002", "title": "Wrong heading"},
            {"uid": "6f2a1c3b-0000-4000-8000-00000000b003", "title": "Missing object"},
        ],
    },
    {
        "uid": "0b1f6a4e-5d0c-4c59-9d7e-2b1d6c1a0003",
        "name": "Polyline",
        "dataset_type": "lidar",
        "default": False,
        "problems": [{"uid": "6f2a1c3b-0000-4000-8000-00000000c001", "title": "Broken line"}],
    },
)

CLOSED_STATUSES = frozenset({"resolved", "closed"})
TEXT: tuple[str, ...] = ("dataset_item_uid", "priority", "severity", "description")
TEXT += ("wrong_class", "correct_class", "frames_affected", "object_uid")
TYPES = {
    **dict.fromkeys((*TEXT, "project_uid", "status"), OPTIONAL_TEXT),
    **dict.fromkeys(("should_re_annotate", "should_delete"), Field("bool", null=True)),
    "query_params": Field("object", null=True),
}
"""What the fields of a create or update body must be, when present."""
UPDATE_SPEC = {**TYPES, **dict.fromkeys(("status", "priority", "severity"), Field())}
CREATE_COPIED = (*TEXT, "should_re_annotate", "should_delete", "coordinates", "query_params")
"""Fields copied verbatim from a create body into the stored issue."""
UPDATE_COPIED = ("status", "priority", "severity", "description", "wrong_class", "frames_affected")


def _tools(state: Store) -> list[dict[str, Any]]:
    seeded = state.all(TOOLS)
    return seeded if seeded else [dict(t) for t in DEFAULT_TOOLS]


def _find_tool(state: Store, uid: Any) -> dict[str, Any] | None:
    return next((t for t in _tools(state) if t["uid"] == uid), None)


def _resolve_tool(
    state: Store, tool_uid: Any, problem_uid: Any, errors: dict[str, list[str]]
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The tool and problem objects an issue embeds; records field errors when unknown."""
    tool = _find_tool(state, tool_uid)
    if tool is None:
        errors["tool_uid"] = ["Object does not exist."]
        return None
    problem = next((p for p in tool.get("problems") or [] if p["uid"] == problem_uid), None)
    if problem is None:
        errors["problem_uid"] = ["Object does not exist for this tool."]
        return None
    embedded_tool = {"uid": tool["uid"], "name": tool["name"], "default": tool.get("default")}
    return embedded_tool, {"uid": problem["uid"], "title": problem["title"]}


@router.route("GET", "/qc-available-tools/")
def list_tools(state: Store, req: FakeRequest) -> FakeResponse:
    dataset_type = req.q("dataset_type")
    if not dataset_type:
        return bad_request({"dataset_type": [REQUIRED]})
    return FakeResponse(200, [t for t in _tools(state) if t.get("dataset_type") == dataset_type])


@router.route("GET", "/sequences/{sequence_uid}/annotation-issues/")
def list_by_sequence(state: Store, req: FakeRequest, sequence_uid: str) -> FakeResponse:
    if state.get(SEQUENCES, sequence_uid) is None:
        return not_found()
    items = state.where(ISSUES, sequence_uid=sequence_uid)
    item = req.q("dataset_item_uid")
    if item:
        items = [i for i in items if i.get("dataset_item_uid") == item]
    project = req.q("project_uid")
    if project:
        items = [i for i in items if (i.get("project") or {}).get("uid") == project]
    return FakeResponse(200, items)


@router.route("POST", "/sequences/{sequence_uid}/annotation-issues/")
def create_issue(state: Store, req: FakeRequest, sequence_uid: str) -> FakeResponse:
    if state.get(SEQUENCES, sequence_uid) is None:
        return not_found()
    body = object_body(req)
    if isinstance(body, FakeResponse):
        return body
    required = ("tool_uid", "problem_uid", "sequence_uid")
    errors = {k: [REQUIRED] for k in required if body.get(k) is None}
    errors.update(field_errors(TYPES, body))
    if body.get("sequence_uid") not in (None, sequence_uid):
        errors["sequence_uid"] = ["Does not match the sequence in the URL."]
    project = None
    project_uid = body.get("project_uid")
    if isinstance(project_uid, str):
        found = state.get("projects", project_uid)
        if found is None:
            errors["project_uid"] = ["Object does not exist."]
        else:
            project = {"uid": found["uid"], "name": found.get("name", "")}
    resolved = None
    if "tool_uid" not in errors and "problem_uid" not in errors:
        resolved = _resolve_tool(state, body["tool_uid"], body["problem_uid"], errors)
    if errors or resolved is None:
        return bad_request(errors)
    tool, problem = resolved
    record: dict[str, Any] = {key: body.get(key) for key in CREATE_COPIED}
    record.update(
        {
            "sequence_uid": sequence_uid,
            "project": project,
            "reporter": {
                "username": "fake-user",
                "picture": None,
                "full_name": "Fake User",
                "type": "customer",
                "is_staff": False,
            },
            "status": "open",
            "tool": tool,
            "problem": problem,
            "closed_at": None,
        }
    )
    record["priority"] = record["priority"] or "medium"
    record["severity"] = record["severity"] or "minor"
    return FakeResponse(201, state.create(ISSUES, record))


def _issue_under(state: Store, sequence_uid: str, issue_uid: str) -> dict[str, Any] | None:
    if state.get(SEQUENCES, sequence_uid) is None:
        return None
    return state.get_where(ISSUES, issue_uid, sequence_uid=sequence_uid)


@router.route("PATCH", "/sequences/{sequence_uid}/annotation-issues/{issue_uid}/")
def update_issue(state: Store, req: FakeRequest, sequence_uid: str, issue_uid: str) -> FakeResponse:
    issue = _issue_under(state, sequence_uid, issue_uid)
    if issue is None:
        return not_found()
    body = object_body(req, optional=True)
    if isinstance(body, FakeResponse):
        return body
    errors = field_errors(UPDATE_SPEC, body)
    changes: dict[str, Any] = {k: body[k] for k in UPDATE_COPIED if k in body}
    if "tool_uid" in body or "problem_uid" in body:
        tool_uid = body.get("tool_uid", (issue.get("tool") or {}).get("uid"))
        problem_uid = body.get("problem_uid", (issue.get("problem") or {}).get("uid"))
        resolved = _resolve_tool(state, tool_uid, problem_uid, errors)
        if resolved is not None:
            changes["tool"], changes["problem"] = resolved
    if errors:
        return bad_request(errors)
    status = changes.get("status", issue.get("status"))
    if status in CLOSED_STATUSES and issue.get("closed_at") is None:
        changes["closed_at"] = now_iso()
    elif status not in CLOSED_STATUSES:
        changes["closed_at"] = None
    return FakeResponse(200, state.update(ISSUES, issue_uid, changes))


@router.route("DELETE", "/sequences/{sequence_uid}/annotation-issues/{issue_uid}/")
def delete_issue(state: Store, req: FakeRequest, sequence_uid: str, issue_uid: str) -> FakeResponse:
    if _issue_under(state, sequence_uid, issue_uid) is None:
        return not_found()
    state.delete(ISSUES, issue_uid)
    return FakeResponse(204)


def _dataset_issues(
    state: Store, req: FakeRequest, owner: str, dataset_slug: str
) -> list[dict[str, Any]] | None:
    """Issues on the dataset's sequences (optionally one of them); None: no such dataset."""
    dataset = find_dataset(state, owner, dataset_slug)
    if dataset is None:
        return None
    sequences = {s["uid"] for s in state.where(SEQUENCES, dataset_uid=dataset["uid"])}
    wanted = req.q("sequence_uid")
    if wanted:
        sequences &= {wanted}
    return [i for i in state.all(ISSUES) if i.get("sequence_uid") in sequences]


@router.route("GET", "/datasets/{owner}/{dataset_slug}/annotation-issues/")
def list_by_dataset(state: Store, req: FakeRequest, owner: str, dataset_slug: str) -> FakeResponse:
    return ok_or_404(_dataset_issues(state, req, owner, dataset_slug))


def _seconds_between(start: str, end: str) -> float:
    def parse(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    return (parse(end) - parse(start)).total_seconds()


def _mean_int(values: list[float]) -> int | None:
    return round(fmean(values)) if values else None


@router.route("GET", "/datasets/{owner}/{dataset_slug}/annotation-issues/metrics/")
def get_metrics(state: Store, req: FakeRequest, owner: str, dataset_slug: str) -> FakeResponse:
    issues = _dataset_issues(state, req, owner, dataset_slug)
    if issues is None:
        return not_found()
    now = now_iso()

    def customer(issue: dict[str, Any]) -> bool:
        return (issue.get("reporter") or {}).get("type") == "customer"

    closed = [i for i in issues if i.get("closed_at")]
    open_ = [i for i in issues if not i.get("closed_at")]
    close_all = [_seconds_between(i["created_at"], i["closed_at"]) for i in closed]
    close_customer = [
        _seconds_between(i["created_at"], i["closed_at"]) for i in closed if customer(i)
    ]
    age_all = [_seconds_between(i["created_at"], now) for i in open_]
    age_customer = [_seconds_between(i["created_at"], now) for i in open_ if customer(i)]
    by_problem = Counter((i.get("problem") or {}).get("uid") for i in issues)
    body = {
        "status_count": dict(Counter(i.get("status") for i in issues)),
        "priority_count": dict(Counter(i.get("priority") for i in issues)),
        "severity_count": dict(Counter(i.get("severity") for i in issues)),
        "mean_seconds_close_time_all": _mean_int(close_all),
        "mean_seconds_close_time_customer": _mean_int(close_customer),
        "mean_unresolved_issue_age_all": _mean_int(age_all),
        "mean_unresolved_issue_age_customer": _mean_int(age_customer),
        "object_count_by_annotation_issue_problem_uid": [
            {"problem_uid": uid, "count": n} for uid, n in sorted(by_problem.items(), key=str)
        ],
    }
    return FakeResponse(200, body)
