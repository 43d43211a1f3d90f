"""Auto-label jobs against the fake API over HTTP: what was sent, and what came back."""

from __future__ import annotations

from typing import Any

import pytest
from returns.result import Success

from avala import Client
from avala.errors import NotFoundError, ValidationError
from avala.resources import AutoLabelJobs
from avala.testing import FakeAvala
from avala.types import AutoLabelJob


@pytest.fixture
def project(fake: FakeAvala) -> dict[str, Any]:
    made = fake.add_project(name="Driving")
    for _ in range(4):
        fake.add_task(project=made["uid"])
    return made


def test_create_posts_under_the_project(
    client: Client, fake: FakeAvala, project: dict[str, Any]
) -> None:
    job = client.run(
        client.auto_label_jobs.create(
            project["uid"],
            model_type="sam2",
            confidence_threshold=0.8,
            labels=("car", "pedestrian"),
            dry_run=True,
        )
    ).unwrap()

    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", f"/projects/{project['uid']}/auto-label/")
    assert sent.body == {
        "model_type": "sam2",
        "confidence_threshold": 0.8,
        "labels": ["car", "pedestrian"],
        "dry_run": True,
    }
    assert job == AutoLabelJob(
        uid=job.uid,
        status="pending",
        model_type="sam2",
        confidence_threshold=0.8,
        labels=("car", "pedestrian"),
        dry_run=True,
        total_items=4,  # the project's four tasks
        progress_pct=0.0,
        created_at=job.created_at,
    )
    assert fake.store.create_count["auto_label_jobs"] == 1


def test_create_with_no_arguments_sends_an_empty_object(
    client: Client, fake: FakeAvala, project: dict[str, Any]
) -> None:
    job = client.run(client.auto_label_jobs.create(project["uid"])).unwrap()
    assert fake.requests[-1].body == {}
    assert job.status == "pending" and job.dry_run is False and job.labels == ()


def test_create_on_unknown_project_is_not_found(client: Client, fake: FakeAvala) -> None:
    result = client.run(client.auto_label_jobs.create("nope", dry_run=True))
    assert isinstance(result.failure(), NotFoundError)
    assert fake.requests[-1].path == "/projects/nope/auto-label/"
    assert fake.store.count("auto_label_jobs") == 0


def test_create_with_threshold_above_one_is_a_validation_error(
    client: Client, fake: FakeAvala, project: dict[str, Any]
) -> None:
    result = client.run(client.auto_label_jobs.create(project["uid"], confidence_threshold=1.5))
    assert fake.requests[-1].body == {"confidence_threshold": 1.5}
    error = result.failure()
    assert isinstance(error, ValidationError)
    assert [d.field for d in error.details] == ["confidence_threshold"]


def test_get_follows_the_job_to_completion(
    client: Client, fake: FakeAvala, project: dict[str, Any]
) -> None:
    job = client.run(client.auto_label_jobs.create(project["uid"])).unwrap()

    running = client.run(client.auto_label_jobs.get(job.uid)).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.body) == ("GET", f"/auto-label-jobs/{job.uid}/", None)
    assert running.status == "running" and running.processed_items == 2
    assert running.progress_pct == 50.0 and running.started_at is not None

    done = client.run(client.auto_label_jobs.get(job.uid)).unwrap()
    assert done.status == "completed" and done.successful_items == 4
    assert done.summary is not None and done.summary["labelled_items"] == 4
    assert done.completed_at is not None

    assert isinstance(client.run(client.auto_label_jobs.get("nope")).failure(), NotFoundError)


def test_list_filters_by_project_and_pages(
    client: Client, fake: FakeAvala, project: dict[str, Any]
) -> None:
    other = fake.add_project()
    mine = [client.run(client.auto_label_jobs.create(project["uid"])).unwrap() for _ in range(3)]
    client.run(client.auto_label_jobs.create(other["uid"])).unwrap()

    first = client.run(client.auto_label_jobs.list(project=project["uid"], limit=2)).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("GET", "/auto-label-jobs/")
    assert sent.query == {"project": [project["uid"]], "limit": ["2"]}
    assert list(first) == mine[:2] and first.has_more

    second = client.run(
        client.auto_label_jobs.list(project=project["uid"], limit=2, cursor=first.next_cursor)
    ).unwrap()
    assert fake.requests[-1].query["cursor"] == [first.next_cursor]
    assert list(second) == mine[2:] and not second.has_more

    everything = client.run(client.auto_label_jobs.list()).unwrap()
    assert fake.requests[-1].query == {}
    assert len(everything) == 4


def test_cancel_is_a_delete_and_the_job_shows_cancelled(
    client: Client, fake: FakeAvala, project: dict[str, Any]
) -> None:
    job = client.run(client.auto_label_jobs.create(project["uid"])).unwrap()

    assert client.run(client.auto_label_jobs.cancel(job.uid)) == Success(None)
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.body) == ("DELETE", f"/auto-label-jobs/{job.uid}/", None)
    after = client.run(client.auto_label_jobs.get(job.uid)).unwrap()
    assert after.status == "cancelled"

    again = client.run(client.auto_label_jobs.cancel(job.uid))
    error = again.failure()
    assert isinstance(error, ValidationError) and [d.field for d in error.details] == ["status"]
    assert isinstance(client.run(client.auto_label_jobs.cancel("nope")).failure(), NotFoundError)


def test_builders_refuse_impossible_arguments() -> None:
    jobs = AutoLabelJobs()
    with pytest.raises(ValueError):
        jobs.list(limit=0)
    with pytest.raises(TypeError):
        jobs.create("p", labels="car")  # a bare string is not a list of labels
    with pytest.raises(TypeError):
        jobs.create("p", confidence_threshold="high")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        jobs.create("p", confidence_threshold=float("nan"))
    with pytest.raises(TypeError):
        jobs.create("p", dry_run=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        jobs.cancel("")
