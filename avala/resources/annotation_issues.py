"""Quality-control issues raised on annotations of a sequence, and the QC tool catalogue."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pyrsistent import thaw

from avala._decode import array, model, nothing
from avala._request import Call
from avala.resources._base import api, check_optional_str, compact
from avala.types import AnnotationIssue, AnnotationIssueMetrics, AnnotationIssueToolDetail


def _required_str(name: str, value: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value


def _json_value(name: str, value: Any) -> Any:
    """``value`` if it can be sent as JSON (None included); a TypeError naming it if not."""
    try:
        json.dumps(thaw(value), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be JSON-serialisable: {exc}") from None
    return value


def _optional_bool(name: str, value: bool | None) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, not {type(value).__name__}")
    return value


class AnnotationIssues:
    """Builds requests for annotation issues; ``client.annotation_issues``."""

    def list_by_sequence(
        self,
        sequence_uid: str,
        *,
        dataset_item_uid: str | None = None,
        project_uid: str | None = None,
    ) -> Call[tuple[AnnotationIssue, ...]]:
        """Every QC issue on a sequence, optionally of one item or project (not paginated)."""
        query = {
            "dataset_item_uid": check_optional_str("dataset_item_uid", dataset_item_uid),
            "project_uid": check_optional_str("project_uid", project_uid),
        }
        return api(
            "annotation_issues.list_by_sequence",
            array(AnnotationIssue),
            path={"sequence_uid": sequence_uid},
            query=query,
        )

    def create(
        self,
        sequence_uid: str,
        *,
        tool_uid: str,
        problem_uid: str,
        dataset_item_uid: str | None = None,
        project_uid: str | None = None,
        priority: str | None = None,
        severity: str | None = None,
        description: str | None = None,
        wrong_class: str | None = None,
        correct_class: str | None = None,
        should_re_annotate: bool | None = None,
        should_delete: bool | None = None,
        frames_affected: str | None = None,
        coordinates: Any | None = None,
        query_params: Mapping[str, Any] | None = None,
        object_uid: str | None = None,
    ) -> Call[AnnotationIssue]:
        """File a QC issue (a problem found with a QC tool) against a sequence."""
        if query_params is not None and not isinstance(query_params, Mapping):
            raise TypeError(f"query_params must be a mapping, not {type(query_params).__name__}")
        body = {
            "tool_uid": _required_str("tool_uid", tool_uid),
            "problem_uid": _required_str("problem_uid", problem_uid),
            "sequence_uid": sequence_uid,  # the API wants it in the body as well as the path
            **compact(
                dataset_item_uid=check_optional_str("dataset_item_uid", dataset_item_uid),
                project_uid=check_optional_str("project_uid", project_uid),
                priority=check_optional_str("priority", priority),
                severity=check_optional_str("severity", severity),
                description=check_optional_str("description", description),
                wrong_class=check_optional_str("wrong_class", wrong_class),
                correct_class=check_optional_str("correct_class", correct_class),
                should_re_annotate=_optional_bool("should_re_annotate", should_re_annotate),
                should_delete=_optional_bool("should_delete", should_delete),
                frames_affected=check_optional_str("frames_affected", frames_affected),
                coordinates=_json_value("coordinates", coordinates),
                query_params=_json_value(
                    "query_params", None if query_params is None else dict(query_params)
                ),
                object_uid=check_optional_str("object_uid", object_uid),
            ),
        }
        return api(
            "annotation_issues.create",
            model(AnnotationIssue),
            path={"sequence_uid": sequence_uid},
            body=body,
        )

    def update(
        self,
        sequence_uid: str,
        issue_uid: str,
        *,
        status: str | None = None,
        priority: str | None = None,
        severity: str | None = None,
        description: str | None = None,
        tool_uid: str | None = None,
        problem_uid: str | None = None,
        wrong_class: str | None = None,
        frames_affected: str | None = None,
    ) -> Call[AnnotationIssue]:
        """Change some fields of a QC issue (PATCH: arguments left as None are not sent)."""
        body = compact(
            status=check_optional_str("status", status),
            priority=check_optional_str("priority", priority),
            severity=check_optional_str("severity", severity),
            description=check_optional_str("description", description),
            tool_uid=check_optional_str("tool_uid", tool_uid),
            problem_uid=check_optional_str("problem_uid", problem_uid),
            wrong_class=check_optional_str("wrong_class", wrong_class),
            frames_affected=check_optional_str("frames_affected", frames_affected),
        )
        return api(
            "annotation_issues.update",
            model(AnnotationIssue),
            path={"sequence_uid": sequence_uid, "issue_uid": issue_uid},
            body=body,
        )

    def delete(self, sequence_uid: str, issue_uid: str) -> Call[None]:
        """Remove a QC issue from a sequence."""
        return api(
            "annotation_issues.delete",
            nothing(),
            path={"sequence_uid": sequence_uid, "issue_uid": issue_uid},
        )

    def list_by_dataset(
        self, owner: str, dataset_slug: str, *, sequence_uid: str | None = None
    ) -> Call[tuple[AnnotationIssue, ...]]:
        """Every QC issue in a dataset, optionally of one sequence (not paginated)."""
        query = {"sequence_uid": check_optional_str("sequence_uid", sequence_uid)}
        return api(
            "annotation_issues.list_by_dataset",
            array(AnnotationIssue),
            path={"owner": owner, "dataset_slug": dataset_slug},
            query=query,
        )

    def get_metrics(
        self, owner: str, dataset_slug: str, *, sequence_uid: str | None = None
    ) -> Call[AnnotationIssueMetrics]:
        """Counters and close times of a dataset's QC issues, optionally of one sequence."""
        query = {"sequence_uid": check_optional_str("sequence_uid", sequence_uid)}
        return api(
            "annotation_issues.get_metrics",
            model(AnnotationIssueMetrics),
            path={"owner": owner, "dataset_slug": dataset_slug},
            query=query,
        )

    def list_tools(self, *, dataset_type: str) -> Call[tuple[AnnotationIssueToolDetail, ...]]:
        """The QC tools, each with its catalogue of problems, for one dataset type."""
        query = {"dataset_type": _required_str("dataset_type", dataset_type)}
        return api("annotation_issues.list_tools", array(AnnotationIssueToolDetail), query=query)
