"""webhook_deliveries against FakeAvala over HTTP: what is sent, and what comes back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pyrsistent import pmap
from returns.result import Success

from avala import Client
from avala.errors import NotFoundError, ValidationError
from avala.testing import FakeAvala
from avala.types import WebhookDelivery

STAMP = "2024-05-01T10:00:00Z"
WHEN = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def seed(fake: FakeAvala, uid: str, **fields: Any) -> dict[str, Any]:
    record = {
        "uid": uid,
        "subscription": "w1",
        "event_type": "task.completed",
        "payload": {"task": "t1"},
        "response_status": 500,
        "response_body": "boom",
        "attempts": 2,
        "next_retry_at": STAMP,
        "status": "retrying",
        "created_at": STAMP,
        "updated_at": STAMP,
        **fields,
    }
    return fake.store.insert("webhook_deliveries", record)


def test_list_pages(client: Client, fake: FakeAvala) -> None:
    for uid in ("d1", "d2", "d3"):
        seed(fake, uid)
    first = client.run(client.webhook_deliveries.list(limit=2)).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.query) == (
        "GET",
        "/webhook-deliveries/",
        {"limit": ["2"]},
    )
    assert [d.uid for d in first] == ["d1", "d2"]
    second = client.run(client.webhook_deliveries.list(cursor=first.next_cursor)).unwrap()
    assert fake.requests[-1].query == {"cursor": [first.next_cursor]}
    assert [d.uid for d in second] == ["d3"]
    assert second.next_cursor is None


def test_get(client: Client, fake: FakeAvala) -> None:
    seed(fake, "d1")
    result = client.run(client.webhook_deliveries.get("d1"))
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("GET", "/webhook-deliveries/d1/")
    assert result == Success(
        WebhookDelivery(
            uid="d1",
            subscription="w1",
            event_type="task.completed",
            payload=pmap({"task": "t1"}),
            response_status=500,
            response_body="boom",
            attempts=2,
            next_retry_at=WHEN,
            status="retrying",
            created_at=WHEN,
            updated_at=WHEN,
        )
    )


def test_get_unknown_is_not_found(client: Client, fake: FakeAvala) -> None:
    assert isinstance(client.run(client.webhook_deliveries.get("nope")).failure(), NotFoundError)
    assert fake.requests[-1].path == "/webhook-deliveries/nope/"


def test_bad_page_size_is_validation_error(client: Client, fake: FakeAvala) -> None:
    # The builder refuses limit=0; a hand-made query reaches the server's own check.
    error = client.run(client.webhook_deliveries.list().with_query(limit="many")).failure()
    assert isinstance(error, ValidationError)
    assert [d.field for d in error.details] == ["limit"]
    assert fake.requests[-1].query == {"limit": ["many"]}


def test_build_time_validation(client: Client) -> None:
    with pytest.raises(ValueError):
        client.webhook_deliveries.list(limit=-1)
    with pytest.raises(TypeError):
        client.webhook_deliveries.list(cursor=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        client.webhook_deliveries.get("..")
