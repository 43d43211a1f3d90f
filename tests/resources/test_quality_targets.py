"""quality_targets against FakeAvala over HTTP: what is sent, and what comes back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from returns.result import Success

from avala import Client, Request
from avala.errors import FieldError, NotFoundError, ValidationError
from avala.testing import FakeAvala
from avala.types import QualityTarget, QualityTargetEvaluation

STAMP = "2024-05-01T10:00:00Z"
WHEN = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def seed(fake: FakeAvala, project: str, uid: str, **fields: Any) -> dict[str, Any]:
    record = {
        "uid": uid,
        "project": project,
        "name": f"Target {uid}",
        "metric": "accuracy",
        "operator": "gte",
        "threshold": 0.9,
        "severity": "warning",
        "is_active": True,
        "notify_webhook": True,
        "notify_emails": ["qa@example.com"],
        "is_breached": False,
        "breach_count": 0,
        "created_at": STAMP,
        "updated_at": STAMP,
        **fields,
    }
    return fake.store.insert("quality_targets", record)


def base(path: str) -> str:
    return f"/projects/{path}"


def test_list_is_per_project_and_pages(client: Client, fake: FakeAvala) -> None:
    a, b = fake.add_project()["uid"], fake.add_project()["uid"]
    for uid in ("t1", "t2", "t3"):
        seed(fake, a, uid)
    seed(fake, b, "other")
    first = client.run(client.quality_targets.list(a, limit=2)).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.query) == (
        "GET",
        f"/projects/{a}/quality-targets/",
        {"limit": ["2"]},
    )
    assert [t.uid for t in first] == ["t1", "t2"]
    second = client.run(client.quality_targets.list(a, cursor=first.next_cursor)).unwrap()
    assert fake.requests[-1].query == {"cursor": [first.next_cursor]}
    assert [t.uid for t in second] == ["t3"]
    assert [t.uid for t in client.run(client.quality_targets.list(b)).unwrap()] == ["other"]


def test_unknown_project_is_not_found(client: Client, fake: FakeAvala) -> None:
    requests: tuple[Request[Any], ...] = (
        client.quality_targets.list("ghost"),
        client.quality_targets.create("ghost", name="n", metric="m", threshold=1),
        client.quality_targets.evaluate("ghost"),
    )
    for request in requests:
        assert isinstance(client.run(request).failure(), NotFoundError)


def test_get(client: Client, fake: FakeAvala) -> None:
    a = fake.add_project()["uid"]
    seed(fake, a, "t1")
    result = client.run(client.quality_targets.get(a, "t1"))
    assert (fake.requests[-1].method, fake.requests[-1].path) == (
        "GET",
        f"/projects/{a}/quality-targets/t1/",
    )
    assert result == Success(
        QualityTarget(
            uid="t1",
            name="Target t1",
            metric="accuracy",
            operator="gte",
            threshold=0.9,
            severity="warning",
            notify_emails=("qa@example.com",),
            created_at=WHEN,
            updated_at=WHEN,
        )
    )


def test_target_of_another_project_is_not_found(client: Client, fake: FakeAvala) -> None:
    a, b = fake.add_project()["uid"], fake.add_project()["uid"]
    seed(fake, a, "t1")
    targets = client.quality_targets
    requests: tuple[Request[Any], ...] = (
        targets.get(b, "t1"),
        targets.update(b, "t1", name="x"),
        targets.delete(b, "t1"),
    )
    for request in requests:
        assert isinstance(client.run(request).failure(), NotFoundError)
    assert client.run(targets.get(a, "t1")).unwrap().name == "Target t1"


def test_create_sends_all_fields(client: Client, fake: FakeAvala) -> None:
    a = fake.add_project()["uid"]
    call = client.quality_targets.create(
        a,
        name="Accuracy floor",
        metric="accuracy",
        threshold=0.95,
        operator="gt",
        severity="critical",
        is_active=True,
        notify_webhook=False,
        notify_emails=("qa@example.com", "lead@example.com"),
    )
    created = client.run(call).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", f"/projects/{a}/quality-targets/")
    assert sent.body == {
        "name": "Accuracy floor",
        "metric": "accuracy",
        "threshold": 0.95,
        "operator": "gt",
        "severity": "critical",
        "is_active": True,
        "notify_webhook": False,
        "notify_emails": ["qa@example.com", "lead@example.com"],
    }
    assert (created.name, created.operator, created.threshold, created.severity) == (
        "Accuracy floor",
        "gt",
        0.95,
        "critical",
    )
    assert created.notify_emails == ("qa@example.com", "lead@example.com")
    assert created.notify_webhook is False
    assert client.run(client.quality_targets.get(a, created.uid)).unwrap() == created


def test_create_minimal_body_gets_server_defaults(client: Client, fake: FakeAvala) -> None:
    a = fake.add_project()["uid"]
    call = client.quality_targets.create(a, name="n", metric="iou", threshold=1)
    created = client.run(call).unwrap()
    assert fake.requests[-1].body == {"name": "n", "metric": "iou", "threshold": 1}
    assert created.threshold == 1.0 and created.operator == "gte"
    assert created.notify_emails == () and created.is_active is True


def test_create_bad_choice_is_validation_error(client: Client, fake: FakeAvala) -> None:
    a = fake.add_project()["uid"]
    call = client.quality_targets.create(a, name="n", metric="m", threshold=1, operator="~")
    error = client.run(call).failure()
    assert isinstance(error, ValidationError)
    assert error.details == (FieldError("operator", '"~" is not a valid choice.'),)


def test_update_sends_only_given_fields(client: Client, fake: FakeAvala) -> None:
    a = fake.add_project()["uid"]
    seed(fake, a, "t1")
    call = client.quality_targets.update(a, "t1", threshold=0.8, notify_emails=[])
    updated = client.run(call).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("PATCH", f"/projects/{a}/quality-targets/t1/")
    assert sent.body == {"threshold": 0.8, "notify_emails": []}
    assert updated.threshold == 0.8 and updated.notify_emails == ()
    assert updated.name == "Target t1"


def test_delete(client: Client, fake: FakeAvala) -> None:
    a = fake.add_project()["uid"]
    seed(fake, a, "t1")
    assert client.run(client.quality_targets.delete(a, "t1")) == Success(None)
    assert (fake.requests[-1].method, fake.requests[-1].path) == (
        "DELETE",
        f"/projects/{a}/quality-targets/t1/",
    )
    assert isinstance(client.run(client.quality_targets.get(a, "t1")).failure(), NotFoundError)


def test_evaluate_returns_array_and_records_breaches(client: Client, fake: FakeAvala) -> None:
    a, b = fake.add_project()["uid"], fake.add_project()["uid"]
    fake.store.insert(
        "quality_targets_metrics", {"uid": a, "metrics": {"accuracy": 0.85, "iou": 0.7}}
    )
    seed(fake, a, "acc")  # accuracy gte 0.9: breached at 0.85
    seed(fake, a, "iou", metric="iou", operator="gte", threshold=0.5, severity="info")
    seed(fake, a, "off", is_active=False)
    seed(fake, b, "elsewhere")
    result = client.run(client.quality_targets.evaluate(a))
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.raw_body) == (
        "POST",
        f"/projects/{a}/quality-targets/evaluate/",
        b"",
    )
    assert result == Success(
        (
            QualityTargetEvaluation(
                uid="acc",
                name="Target acc",
                metric="accuracy",
                threshold=0.9,
                operator="gte",
                current_value=0.85,
                is_breached=True,
                severity="warning",
            ),
            QualityTargetEvaluation(
                uid="iou",
                name="Target iou",
                metric="iou",
                threshold=0.5,
                operator="gte",
                current_value=0.7,
                is_breached=False,
                severity="info",
            ),
        )
    )
    acc = client.run(client.quality_targets.get(a, "acc")).unwrap()
    assert (acc.is_breached, acc.breach_count, acc.last_value) == (True, 1, 0.85)
    assert acc.last_breached_at is not None
    assert client.run(client.quality_targets.evaluate(b)).unwrap()[0].uid == "elsewhere"


def test_build_time_validation(client: Client) -> None:
    targets = client.quality_targets
    with pytest.raises(TypeError):
        targets.create("p", name="n", metric="m", threshold=True)
    with pytest.raises(TypeError):
        targets.create("p", name="n", metric="m", threshold="0.9")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        targets.update("p", "t", threshold=float("nan"))
    with pytest.raises(TypeError):
        targets.update("p", "t", notify_emails="qa@example.com")
    with pytest.raises(ValueError):
        targets.list("p", limit=0)
    with pytest.raises(ValueError):
        targets.evaluate("")
