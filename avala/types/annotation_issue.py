"""Quality-control issues on annotations, their counters and the QC tool catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from avala.types._common import JsonObject

__all__ = [
    "AnnotationIssue",
    "AnnotationIssueMetrics",
    "AnnotationIssueProblem",
    "AnnotationIssueProject",
    "AnnotationIssueReporter",
    "AnnotationIssueTool",
    "AnnotationIssueToolDetail",
    "AnnotationIssueToolProblem",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class AnnotationIssueProject:
    """The project an annotation issue was raised in (uid and name)."""

    uid: str
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AnnotationIssueReporter:
    """Who reported an annotation issue."""

    username: str | None = None
    picture: str | None = None
    full_name: str | None = None
    type: str | None = None
    is_staff: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AnnotationIssueTool:
    """The QC tool an annotation issue was raised with."""

    uid: str
    name: str
    default: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AnnotationIssueProblem:
    """The kind of problem an annotation issue reports, from its tool's catalogue."""

    uid: str
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AnnotationIssue:
    """A QC issue on an annotated sequence (optionally one item or object of it)."""

    uid: str
    dataset_item_uid: str | None = None
    sequence_uid: str | None = None
    project: AnnotationIssueProject | None = None
    reporter: AnnotationIssueReporter | None = None
    priority: str | None = None
    severity: str | None = None
    description: str | None = None
    status: str | None = None
    tool: AnnotationIssueTool | None = None
    problem: AnnotationIssueProblem | None = None
    wrong_class: str | None = None
    correct_class: str | None = None
    should_re_annotate: bool | None = None
    should_delete: bool | None = None
    frames_affected: str | None = None
    coordinates: Any | None = None
    query_params: Any | None = None
    created_at: datetime | None = None
    closed_at: datetime | None = None
    object_uid: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AnnotationIssueMetrics:
    """Counts and close times of the QC issues of a dataset (or one sequence)."""

    status_count: JsonObject | None = None
    priority_count: JsonObject | None = None
    severity_count: JsonObject | None = None
    mean_seconds_close_time_all: int | None = None
    mean_seconds_close_time_customer: int | None = None
    mean_unresolved_issue_age_all: int | None = None
    mean_unresolved_issue_age_customer: int | None = None
    object_count_by_annotation_issue_problem_uid: tuple[JsonObject, ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AnnotationIssueToolProblem:
    """One problem a QC tool can report."""

    uid: str
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AnnotationIssueToolDetail:
    """A QC tool available for a dataset type, with its catalogue of problems."""

    uid: str
    name: str
    dataset_type: str | None = None
    default: bool | None = None
    problems: tuple[AnnotationIssueToolProblem, ...] | None = None
