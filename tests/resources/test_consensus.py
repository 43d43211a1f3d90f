"""Consensus against the fake API over HTTP: per-project routes, what was sent and read."""

from __future__ import annotations

from typing import Any

import pytest
from pyrsistent import freeze

from avala import Client
from avala.errors import NotFoundError, ValidationError
from avala.resources import Consensus
from avala.testing import FakeAvala
from avala.types import ConsensusComputeResult, ConsensusScore


def seed_score(fake: FakeAvala, project: str, item: str, score: float, **fields: Any) -> Any:
    record = {
        "project": project,
        "dataset_item_uid": item,
        "task_name": "boxes",
        "score_type": "iou",
        "score": score,
        "annotator_count": 2,
        **fields,
    }
    return fake.store.insert("consensus_scores", record)


@pytest.fixture
def projects(fake: FakeAvala) -> tuple[str, str]:
    return fake.add_project()["uid"], fake.add_project()["uid"]


def test_get_summary_is_computed_from_this_projects_scores(
    client: Client, fake: FakeAvala, projects: tuple[str, str]
) -> None:
    mine, other = projects
    seed_score(fake, mine, "i1", 0.9)
    seed_score(fake, mine, "i2", 0.5, task_name="lanes")
    seed_score(fake, mine, "i3", 0.1, annotator_count=1)
    seed_score(fake, other, "i9", 0.0)

    summary = client.run(client.consensus.get_summary(mine)).unwrap()

    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.body) == ("GET", f"/projects/{mine}/consensus/", None)
    assert summary.mean_score == pytest.approx(0.5)
    assert (summary.median_score, summary.min_score, summary.max_score) == (0.5, 0.1, 0.9)
    assert summary.total_items == 3
    assert summary.items_with_consensus == 2  # i3 had one annotator, under min_annotations=2
    assert summary.score_distribution is not None
    assert summary.score_distribution["0.8-1.0"] == 1
    assert summary.by_task_name is not None
    assert [row["task_name"] for row in summary.by_task_name] == ["boxes", "lanes"]

    empty = client.run(client.consensus.get_summary(fake.add_project()["uid"])).unwrap()
    assert empty.total_items == 0 and empty.mean_score == 0.0


def test_get_summary_of_unknown_project_is_not_found(client: Client, fake: FakeAvala) -> None:
    result = client.run(client.consensus.get_summary("nope"))
    assert isinstance(result.failure(), NotFoundError)
    assert fake.requests[-1].path == "/projects/nope/consensus/"


def test_list_scores_pages_through_one_project(
    client: Client, fake: FakeAvala, projects: tuple[str, str]
) -> None:
    mine, other = projects
    first = seed_score(fake, mine, "i1", 0.75, details={"pairs": 1})
    seed_score(fake, other, "i9", 0.2)
    seed_score(fake, mine, "i2", 0.5)

    page = client.run(client.consensus.list_scores(mine, limit=1)).unwrap()

    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("GET", f"/projects/{mine}/consensus/scores/")
    assert sent.query == {"limit": ["1"]}
    assert page.items == (
        ConsensusScore(
            uid=first["uid"],
            dataset_item_uid="i1",
            task_name="boxes",
            score_type="iou",
            score=0.75,
            annotator_count=2,
            details=freeze({"pairs": 1}),
            created_at=page.items[0].created_at,
        ),
    )
    rest = client.run(client.consensus.list_scores(mine, cursor=page.next_cursor)).unwrap()
    assert fake.requests[-1].query["cursor"] == [page.next_cursor]
    assert [s.dataset_item_uid for s in rest] == ["i2"] and not rest.has_more

    missing = client.run(client.consensus.list_scores("nope"))
    assert isinstance(missing.failure(), NotFoundError)


def test_compute_posts_without_a_body(
    client: Client, fake: FakeAvala, projects: tuple[str, str]
) -> None:
    mine, _ = projects
    seed_score(fake, mine, "i1", 0.9)
    seed_score(fake, mine, "i2", 0.8)

    result = client.run(client.consensus.compute(mine)).unwrap()

    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.raw_body) == (
        "POST",
        f"/projects/{mine}/consensus/compute/",
        b"",
    )
    assert result == ConsensusComputeResult(
        status="started", message="Consensus computation started for 2 items."
    )
    assert isinstance(client.run(client.consensus.compute("nope")).failure(), NotFoundError)


def test_config_defaults_then_partial_put_keeps_the_rest(
    client: Client, fake: FakeAvala, projects: tuple[str, str]
) -> None:
    mine, other = projects

    config = client.run(client.consensus.get_config(mine)).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("GET", f"/projects/{mine}/consensus/config/")
    assert (config.iou_threshold, config.min_agreement_ratio, config.min_annotations) == (
        0.5,
        0.5,
        2,
    )

    updated = client.run(client.consensus.update_config(mine, iou_threshold=0.7)).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.body) == (
        "PUT",
        f"/projects/{mine}/consensus/config/",
        {"iou_threshold": 0.7},
    )
    assert updated.uid == config.uid
    assert (updated.iou_threshold, updated.min_agreement_ratio, updated.min_annotations) == (
        0.7,
        0.5,
        2,
    )

    assert client.run(client.consensus.get_config(mine)).unwrap().iou_threshold == 0.7
    untouched = client.run(client.consensus.get_config(other)).unwrap()
    assert untouched.iou_threshold == 0.5 and untouched.uid != config.uid

    same = client.run(client.consensus.update_config(mine)).unwrap()
    assert fake.requests[-1].body == {}
    assert same.iou_threshold == 0.7


def test_update_config_out_of_range_is_a_validation_error(
    client: Client, fake: FakeAvala, projects: tuple[str, str]
) -> None:
    mine, _ = projects
    result = client.run(
        client.consensus.update_config(mine, min_agreement_ratio=1.2, min_annotations=1)
    )
    assert fake.requests[-1].body == {"min_agreement_ratio": 1.2, "min_annotations": 1}
    error = result.failure()
    assert isinstance(error, ValidationError)
    assert sorted(d.field for d in error.details) == ["min_agreement_ratio", "min_annotations"]
    assert client.run(client.consensus.get_config(mine)).unwrap().min_annotations == 2


def test_config_of_unknown_project_is_not_found(client: Client, fake: FakeAvala) -> None:
    assert isinstance(client.run(client.consensus.get_config("nope")).failure(), NotFoundError)
    result = client.run(client.consensus.update_config("nope", iou_threshold=0.6))
    assert isinstance(result.failure(), NotFoundError)


def test_builders_refuse_impossible_arguments() -> None:
    consensus = Consensus()
    with pytest.raises(ValueError):
        consensus.list_scores("p", limit=-1)
    with pytest.raises(TypeError):
        consensus.update_config("p", min_annotations=2.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        consensus.update_config("p", min_annotations=True)
    with pytest.raises(TypeError):
        consensus.update_config("p", iou_threshold="0.5")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        consensus.update_config("p", iou_threshold=float("inf"))
    with pytest.raises(ValueError):
        consensus.get_summary("")
