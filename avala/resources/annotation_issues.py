"""Quality-control issues raised on annotations of a sequence, and the QC tool catalogue."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from avala._decode import array, model, nothing
from avala._request import Call
from avala.resources._base import api, compact
from avala.resources._checks import (
    json_value,
    optional_bool,
    optional_json_object,
    optional_str,
    optional_uid,
    required_str,
    required_uid,
)
from avala.types import AnnotationIssue, AnnotationIssueMetrics, AnnotationIssueToolDetail


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
            "dataset_item_uid": optional_uid("dataset_item_uid", dataset_item_uid),
            "project_uid": optional_uid("project_uid", project_uid),
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
        body = {
            "tool_uid": required_uid("tool_uid", tool_uid),
            "problem_uid": required_uid("problem_uid", problem_uid),
            "sequence_uid": sequence_uid,  # the API wants it in the body as well as the path
            **compact(
                dataset_item_uid=optional_uid("dataset_item_uid", dataset_item_uid),
                project_uid=optional_uid("project_uid", project_uid),
                priority=optional_str("priority", priority),
                severity=optional_str("severity", severity),
                description=optional_str("description", description),
                wrong_class=optional_str("wrong_class", wrong_class),
                correct_class=optional_str("correct_class", correct_class),
                should_re_annotate=optional_bool("should_re_annotate", should_re_annotate),
                should_delete=optional_bool("should_delete", should_delete),
                frames_affected=optional_str("frames_affected", frames_affected),
                coordinates=json_value("coordinates", coordinates),
                query_params=optional_json_object("query_params", query_params),
                object_uid=optional_uid("object_uid", object_uid),
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
            status=optional_str("status", status),
            priority=optional_str("priority", priority),
            severity=optional_str("severity", severity),
            description=optional_str("description", description),
            tool_uid=optional_uid("tool_uid", tool_uid),
            problem_uid=optional_uid("problem_uid", problem_uid),
            wrong_class=optional_str("wrong_class", wrong_class),
            frames_affected=optional_str("frames_affected", frames_affected),
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
        query = {"sequence_uid": optional_uid("sequence_uid", sequence_uid)}
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
        query = {"sequence_uid": optional_uid("sequence_uid", sequence_uid)}
        return api(
            "annotation_issues.get_metrics",
            model(AnnotationIssueMetrics),
            path={"owner": owner, "dataset_slug": dataset_slug},
            query=query,
        )

    def list_tools(self, *, dataset_type: str) -> Call[tuple[AnnotationIssueToolDetail, ...]]:
        """The QC tools, each with its catalogue of problems, for one dataset type."""
        query = {"dataset_type": required_str("dataset_type", dataset_type)}
        return api("annotation_issues.list_tools", array(AnnotationIssueToolDetail), query=query)
