"""webhooks against FakeAvala over HTTP: what is sent, and what comes back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from returns.result import Success

from avala import Client
from avala.errors import FieldError, NotFoundError, ValidationError
from avala.testing import FakeAvala
from avala.types import JsonObject, Webhook

STAMP = "2024-05-01T10:00:00Z"
WHEN = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def seed(fake: FakeAvala, uid: str, **fields: Any) -> dict[str, Any]:
    record = {
        "uid": uid,
        "target_url": f"https://hooks.example.com/{uid}",
        "events": ["task.completed"],
        "is_active": True,
        "secret": f"whsec_{uid}",
        "created_at": STAMP,
        "updated_at": STAMP,
        **fields,
    }
    return fake.store.insert("webhooks", record)


def test_list_pages_with_cursor(client: Client, fake: FakeAvala) -> None:
    for uid in ("w1", "w2", "w3"):
        seed(fake, uid)
    first = client.run(client.webhooks.list(limit=2)).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.query) == ("GET", "/webhooks/", {"limit": ["2"]})
    assert [w.uid for w in first] == ["w1", "w2"]
    assert first.next_cursor is not None and first.previous_cursor is None

    second = client.run(client.webhooks.list(limit=2, cursor=first.next_cursor)).unwrap()
    assert fake.requests[-1].query == {"limit": ["2"], "cursor": [first.next_cursor]}
    assert [w.uid for w in second] == ["w3"]
    assert second.next_cursor is None and second.previous_cursor is not None


def test_list_without_arguments_sends_no_query(client: Client, fake: FakeAvala) -> None:
    assert client.run(client.webhooks.list()).unwrap().items == ()
    assert fake.requests[-1].query == {}


def test_get_decodes_and_hides_secret(client: Client, fake: FakeAvala) -> None:
    seed(fake, "w1", events=["task.completed", "export.ready"])
    result = client.run(client.webhooks.get("w1"))
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.body) == ("GET", "/webhooks/w1/", None)
    assert result == Success(
        Webhook(
            uid="w1",
            target_url="https://hooks.example.com/w1",
            events=("task.completed", "export.ready"),
            is_active=True,
            secret="whsec_w1",
            created_at=WHEN,
            updated_at=WHEN,
        )
    )
    assert "whsec_w1" not in repr(result.unwrap())


def test_get_null_events_is_empty(client: Client, fake: FakeAvala) -> None:
    seed(fake, "w1", events=None)
    assert client.run(client.webhooks.get("w1")).unwrap().events == ()


def test_get_unknown_is_not_found(client: Client, fake: FakeAvala) -> None:
    result = client.run(client.webhooks.get("nope"))
    assert isinstance(result.failure(), NotFoundError)
    assert fake.requests[-1].path == "/webhooks/nope/"


def test_create_sends_all_fields(client: Client, fake: FakeAvala) -> None:
    call = client.webhooks.create(
        target_url="https://hooks.example.com/in",
        events=("task.completed", "export.ready"),
        is_active=False,
        secret="s3cr3t",
    )
    created = client.run(call).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/webhooks/")
    assert sent.body == {
        "target_url": "https://hooks.example.com/in",
        "events": ["task.completed", "export.ready"],
        "is_active": False,
        "secret": "s3cr3t",
    }
    assert created.target_url == "https://hooks.example.com/in"
    assert created.events == ("task.completed", "export.ready")
    assert created.is_active is False
    assert created.secret == "s3cr3t"
    assert fake.store.create_count["webhooks"] == 1
    assert client.run(client.webhooks.get(created.uid)).unwrap() == created


def test_create_leaves_out_unset_optionals(client: Client, fake: FakeAvala) -> None:
    call = client.webhooks.create(target_url="https://hooks.example.com/in", events=["a.b"])
    created = client.run(call).unwrap()
    assert fake.requests[-1].body == {
        "target_url": "https://hooks.example.com/in",
        "events": ["a.b"],
    }
    assert created.is_active is True
    assert created.secret  # the server made one


def test_create_bad_fields_is_validation_error(client: Client, fake: FakeAvala) -> None:
    result = client.run(client.webhooks.create(target_url="ftp://x", events=[]))
    error = result.failure()
    assert isinstance(error, ValidationError)
    assert set(error.details) == {
        FieldError("target_url", "Enter a valid URL."),
        FieldError("events", "This list may not be empty."),
    }
    assert fake.store.count("webhooks") == 0


def test_update_sends_only_given_fields(client: Client, fake: FakeAvala) -> None:
    seed(fake, "w1")
    result = client.run(client.webhooks.update("w1", events=["export.ready"]))
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("PATCH", "/webhooks/w1/")
    assert sent.body == {"events": ["export.ready"]}
    updated = result.unwrap()
    assert updated.events == ("export.ready",)
    assert updated.target_url == "https://hooks.example.com/w1"
    assert client.run(client.webhooks.get("w1")).unwrap().events == ("export.ready",)


def test_update_is_active_and_url(client: Client, fake: FakeAvala) -> None:
    seed(fake, "w1")
    call = client.webhooks.update("w1", target_url="https://new.example.com/", is_active=False)
    updated = client.run(call).unwrap()
    assert fake.requests[-1].body == {"target_url": "https://new.example.com/", "is_active": False}
    assert (updated.target_url, updated.is_active) == ("https://new.example.com/", False)


def test_update_unknown_and_invalid(client: Client, fake: FakeAvala) -> None:
    assert isinstance(
        client.run(client.webhooks.update("nope", is_active=True)).failure(), NotFoundError
    )
    seed(fake, "w1")
    error = client.run(client.webhooks.update("w1", target_url="not a url")).failure()
    assert isinstance(error, ValidationError)
    assert [d.field for d in error.details] == ["target_url"]


def test_delete(client: Client, fake: FakeAvala) -> None:
    seed(fake, "w1")
    assert client.run(client.webhooks.delete("w1")) == Success(None)
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.body) == ("DELETE", "/webhooks/w1/", None)
    assert isinstance(client.run(client.webhooks.get("w1")).failure(), NotFoundError)
    assert isinstance(client.run(client.webhooks.delete("w1")).failure(), NotFoundError)


def test_test_returns_raw_json_and_records_a_delivery(client: Client, fake: FakeAvala) -> None:
    seed(fake, "w1")
    verdict = client.run(client.webhooks.test("w1")).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.body, sent.raw_body) == (
        "POST",
        "/webhooks/w1/test/",
        None,
        b"",
    )
    assert isinstance(verdict, JsonObject)
    assert verdict["success"] is True and verdict["response_status"] == 200
    delivery = client.run(client.webhook_deliveries.get(verdict["delivery_uid"])).unwrap()
    assert (delivery.subscription, delivery.event_type, delivery.status) == (
        "w1",
        "webhook.test",
        "delivered",
    )


def test_test_inactive_and_unknown(client: Client, fake: FakeAvala) -> None:
    seed(fake, "w1", is_active=False)
    verdict = client.run(client.webhooks.test("w1")).unwrap()
    assert verdict["success"] is False
    assert fake.store.count("webhook_deliveries") == 0
    assert isinstance(client.run(client.webhooks.test("nope")).failure(), NotFoundError)


def test_build_time_validation(client: Client) -> None:
    with pytest.raises(TypeError):
        client.webhooks.create(target_url="https://x.example", events="task.completed")
    with pytest.raises(TypeError):
        client.webhooks.create(target_url="https://x.example", events=[1])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        client.webhooks.update("w1", is_active="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        client.webhooks.list(limit=0)
    with pytest.raises(ValueError):
        client.webhooks.get("")


def test_equal_arguments_build_equal_requests(client: Client) -> None:
    one = client.webhooks.create(target_url="https://x.example", events=["a"])
    two = client.webhooks.create(target_url="https://x.example", events=("a",))
    assert one == two and hash(one) == hash(two)
