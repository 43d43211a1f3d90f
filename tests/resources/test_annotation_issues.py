"""Annotation (QC) issues against the fake API over HTTP: what was sent, what came back."""

from __future__ import annotations

from typing import Any

import pytest
from pyrsistent import freeze
from returns.result import Success

from avala import Client
from avala.errors import NotFoundError, ValidationError
from avala.resources import AnnotationIssues
from avala.testing import FakeAvala
from avala.types import (
    AnnotationIssueProblem,
    AnnotationIssueProject,
    AnnotationIssueTool,
    AnnotationIssueToolDetail,
    AnnotationIssueToolProblem,
)

TOOL = {
    "uid": "tool-cuboid",
    "name": "Cuboid",
    "dataset_type": "lidar",
    "default": True,
    "problems": [
        {"uid": "prob-class", "title": "Wrong class"},
        {"uid": "prob-heading", "title": "Wrong heading"},
    ],
}
OTHER_TOOL = {
    "uid": "tool-box",
    "name": "Box",
    "dataset_type": "image",
    "default": False,
    "problems": [{"uid": "prob-loose", "title": "Loose box"}],
}


@pytest.fixture
def world(fake: FakeAvala) -> dict[str, Any]:
    """A dataset with two sequences, a second dataset with one, a project and two QC tools."""
    fake.store.insert("annotation_issues_tools", TOOL)
    fake.store.insert("annotation_issues_tools", OTHER_TOOL)
    dataset = fake.add_dataset(owner_name="acme", slug="drive", data_type="lidar")
    other = fake.add_dataset(owner_name="acme", slug="other", data_type="lidar")
    seq_a = fake.store.insert("datasets_sequences", {"dataset_uid": dataset["uid"], "key": "a"})
    seq_b = fake.store.insert("datasets_sequences", {"dataset_uid": dataset["uid"], "key": "b"})
    seq_c = fake.store.insert("datasets_sequences", {"dataset_uid": other["uid"], "key": "c"})
    project = fake.add_project(name="QC project")
    return {
        "project": project,
        "seq_a": seq_a["uid"],
        "seq_b": seq_b["uid"],
        "seq_c": seq_c["uid"],
    }


def file_issue(client: Client, sequence_uid: str, **fields: Any) -> Any:
    args = {"tool_uid": "tool-cuboid", "problem_uid": "prob-class", **fields}
    return client.run(client.annotation_issues.create(sequence_uid, **args)).unwrap()


def test_create_sends_sequence_in_path_and_body(
    client: Client, fake: FakeAvala, world: dict[str, Any]
) -> None:
    seq = world["seq_a"]
    project = world["project"]

    issue = client.run(
        client.annotation_issues.create(
            seq,
            tool_uid="tool-cuboid",
            problem_uid="prob-heading",
            dataset_item_uid="item-1",
            project_uid=project["uid"],
            priority="high",
            should_delete=False,
            coordinates=[1.5, 2.0, 0.0],
            query_params={"frame": 3},
        )
    ).unwrap()

    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", f"/sequences/{seq}/annotation-issues/")
    assert sent.body == {
        "tool_uid": "tool-cuboid",
        "problem_uid": "prob-heading",
        "sequence_uid": seq,
        "dataset_item_uid": "item-1",
        "project_uid": project["uid"],
        "priority": "high",
        "should_delete": False,
        "coordinates": [1.5, 2.0, 0.0],
        "query_params": {"frame": 3},
    }
    assert issue.sequence_uid == seq and issue.dataset_item_uid == "item-1"
    assert issue.project == AnnotationIssueProject(uid=project["uid"], name="QC project")
    assert issue.tool == AnnotationIssueTool(uid="tool-cuboid", name="Cuboid", default=True)
    assert issue.problem == AnnotationIssueProblem(uid="prob-heading", title="Wrong heading")
    assert issue.priority == "high" and issue.status == "open"
    assert issue.should_delete is False and issue.should_re_annotate is None
    assert issue.coordinates == (1.5, 2.0, 0.0)
    assert issue.query_params == freeze({"frame": 3})
    assert issue.closed_at is None and issue.created_at is not None


def test_create_with_a_problem_of_another_tool_is_a_validation_error(
    client: Client, fake: FakeAvala, world: dict[str, Any]
) -> None:
    result = client.run(
        client.annotation_issues.create(
            world["seq_a"], tool_uid="tool-cuboid", problem_uid="prob-loose"
        )
    )
    error = result.failure()
    assert isinstance(error, ValidationError)
    assert [d.field for d in error.details] == ["problem_uid"]
    assert fake.store.count("annotation_issues") == 0


def test_create_on_unknown_sequence_is_not_found(
    client: Client, fake: FakeAvala, world: dict[str, Any]
) -> None:
    result = client.run(
        client.annotation_issues.create("no-seq", tool_uid="tool-cuboid", problem_uid="prob-class")
    )
    assert isinstance(result.failure(), NotFoundError)
    assert fake.requests[-1].path == "/sequences/no-seq/annotation-issues/"


def test_list_by_sequence_filters_and_stays_in_its_sequence(
    client: Client, fake: FakeAvala, world: dict[str, Any]
) -> None:
    project = world["project"]
    first = file_issue(client, world["seq_a"], dataset_item_uid="i1", project_uid=project["uid"])
    file_issue(client, world["seq_a"], dataset_item_uid="i2")
    file_issue(client, world["seq_b"], dataset_item_uid="i1")

    everything = client.run(client.annotation_issues.list_by_sequence(world["seq_a"])).unwrap()
    assert fake.requests[-1].query == {}
    assert len(everything) == 2 and {i.sequence_uid for i in everything} == {world["seq_a"]}

    filtered = client.run(
        client.annotation_issues.list_by_sequence(
            world["seq_a"], dataset_item_uid="i1", project_uid=project["uid"]
        )
    ).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("GET", f"/sequences/{world['seq_a']}/annotation-issues/")
    assert sent.query == {"dataset_item_uid": ["i1"], "project_uid": [project["uid"]]}
    assert filtered == (first,)

    missing = client.run(client.annotation_issues.list_by_sequence("no-seq"))
    assert isinstance(missing.failure(), NotFoundError)


def test_update_patches_and_closing_sets_closed_at(
    client: Client, fake: FakeAvala, world: dict[str, Any]
) -> None:
    issue = file_issue(client, world["seq_a"], description="box too big")
    seq = world["seq_a"]

    updated = client.run(
        client.annotation_issues.update(
            seq, issue.uid, status="closed", problem_uid="prob-heading", frames_affected="1-4"
        )
    ).unwrap()

    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("PATCH", f"/sequences/{seq}/annotation-issues/{issue.uid}/")
    assert sent.body == {
        "status": "closed",
        "problem_uid": "prob-heading",
        "frames_affected": "1-4",
    }
    assert updated.status == "closed" and updated.closed_at is not None
    assert updated.problem == AnnotationIssueProblem(uid="prob-heading", title="Wrong heading")
    assert updated.frames_affected == "1-4" and updated.description == "box too big"


def test_update_under_another_sequence_is_not_found(
    client: Client, fake: FakeAvala, world: dict[str, Any]
) -> None:
    issue = file_issue(client, world["seq_a"])
    result = client.run(client.annotation_issues.update(world["seq_b"], issue.uid, status="closed"))
    assert isinstance(result.failure(), NotFoundError)
    still = client.run(client.annotation_issues.list_by_sequence(world["seq_a"])).unwrap()
    assert still[0].status == "open"


def test_update_with_unknown_tool_is_a_validation_error(
    client: Client, fake: FakeAvala, world: dict[str, Any]
) -> None:
    issue = file_issue(client, world["seq_a"])
    result = client.run(client.annotation_issues.update(world["seq_a"], issue.uid, tool_uid="x"))
    error = result.failure()
    assert isinstance(error, ValidationError)
    assert [d.field for d in error.details] == ["tool_uid"]


def test_delete_removes_only_under_its_sequence(
    client: Client, fake: FakeAvala, world: dict[str, Any]
) -> None:
    issue = file_issue(client, world["seq_a"])

    wrong = client.run(client.annotation_issues.delete(world["seq_b"], issue.uid))
    assert isinstance(wrong.failure(), NotFoundError)

    assert client.run(client.annotation_issues.delete(world["seq_a"], issue.uid)) == Success(None)
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == (
        "DELETE",
        f"/sequences/{world['seq_a']}/annotation-issues/{issue.uid}/",
    )
    assert client.run(client.annotation_issues.list_by_sequence(world["seq_a"])).unwrap() == ()


def test_list_by_dataset_sees_only_its_sequences(
    client: Client, fake: FakeAvala, world: dict[str, Any]
) -> None:
    a = file_issue(client, world["seq_a"])
    b = file_issue(client, world["seq_b"])
    file_issue(client, world["seq_c"])  # another dataset

    both = client.run(client.annotation_issues.list_by_dataset("acme", "drive")).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.query) == (
        "GET",
        "/datasets/acme/drive/annotation-issues/",
        {},
    )
    assert both == (a, b)

    only_b = client.run(
        client.annotation_issues.list_by_dataset("acme", "drive", sequence_uid=world["seq_b"])
    ).unwrap()
    assert fake.requests[-1].query == {"sequence_uid": [world["seq_b"]]}
    assert only_b == (b,)

    missing = client.run(client.annotation_issues.list_by_dataset("acme", "nope"))
    assert isinstance(missing.failure(), NotFoundError)


def test_get_metrics_counts_the_datasets_issues(
    client: Client, fake: FakeAvala, world: dict[str, Any]
) -> None:
    first = file_issue(client, world["seq_a"], priority="high")
    file_issue(client, world["seq_b"], priority="low", problem_uid="prob-heading")
    file_issue(client, world["seq_c"], priority="high")  # another dataset: not counted
    client.run(client.annotation_issues.update(world["seq_a"], first.uid, status="resolved"))

    metrics = client.run(client.annotation_issues.get_metrics("acme", "drive")).unwrap()

    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("GET", "/datasets/acme/drive/annotation-issues/metrics/")
    assert metrics.status_count == freeze({"resolved": 1, "open": 1})
    assert metrics.priority_count == freeze({"high": 1, "low": 1})
    assert metrics.mean_seconds_close_time_all is not None
    assert {
        (row["problem_uid"], row["count"])
        for row in metrics.object_count_by_annotation_issue_problem_uid or ()
    } == {("prob-class", 1), ("prob-heading", 1)}

    one = client.run(
        client.annotation_issues.get_metrics("acme", "drive", sequence_uid=world["seq_b"])
    ).unwrap()
    assert fake.requests[-1].query == {"sequence_uid": [world["seq_b"]]}
    assert one.status_count == freeze({"open": 1})

    missing = client.run(client.annotation_issues.get_metrics("nobody", "drive"))
    assert isinstance(missing.failure(), NotFoundError)


def test_list_tools_sends_dataset_type_and_decodes_the_catalogue(
    client: Client, fake: FakeAvala, world: dict[str, Any]
) -> None:
    tools = client.run(client.annotation_issues.list_tools(dataset_type="lidar")).unwrap()

    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.query) == (
        "GET",
        "/qc-available-tools/",
        {"dataset_type": ["lidar"]},
    )
    assert tools == (
        AnnotationIssueToolDetail(
            uid="tool-cuboid",
            name="Cuboid",
            dataset_type="lidar",
            default=True,
            problems=(
                AnnotationIssueToolProblem(uid="prob-class", title="Wrong class"),
                AnnotationIssueToolProblem(uid="prob-heading", title="Wrong heading"),
            ),
        ),
    )


def test_list_tools_serves_a_built_in_catalogue_when_none_is_seeded(
    client: Client, fake: FakeAvala
) -> None:
    tools = client.run(client.annotation_issues.list_tools(dataset_type="image")).unwrap()
    assert tools and {t.dataset_type for t in tools} == {"image"}
    assert all(t.problems for t in tools)


def test_list_tools_with_empty_dataset_type_is_a_validation_error(
    client: Client, fake: FakeAvala
) -> None:
    result = client.run(client.annotation_issues.list_tools(dataset_type=""))
    assert fake.requests[-1].query == {"dataset_type": [""]}
    error = result.failure()
    assert isinstance(error, ValidationError)
    assert [d.field for d in error.details] == ["dataset_type"]


def test_builders_refuse_impossible_arguments() -> None:
    issues = AnnotationIssues()
    with pytest.raises(TypeError):
        issues.create("seq", tool_uid=None, problem_uid="p")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        issues.create("seq", tool_uid="t", problem_uid="p", query_params=[1])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        issues.create("seq", tool_uid="t", problem_uid="p", coordinates={1, 2})
    with pytest.raises(TypeError):
        issues.create("seq", tool_uid="t", problem_uid="p", should_delete="no")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        issues.list_tools(dataset_type=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        issues.update("", "issue", status="closed")
    with pytest.raises(ValueError):
        issues.list_by_dataset("acme", "..")
