"""inference_providers against FakeAvala over HTTP: what is sent, and what comes back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pyrsistent import freeze, pmap
from returns.result import Success

from avala import Client
from avala.errors import FieldError, NotFoundError, ValidationError
from avala.testing import FakeAvala
from avala.types import InferenceProvider, JsonObject

STAMP = "2024-05-01T10:00:00Z"
WHEN = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def seed(fake: FakeAvala, uid: str, **fields: Any) -> dict[str, Any]:
    record = {
        "uid": uid,
        "name": f"Provider {uid}",
        "description": "detector",
        "provider_type": "custom",
        "config": {"url": "https://models.example.com/v1", "timeout": 30},
        "is_active": True,
        "project": None,
        "last_test_at": None,
        "last_test_success": None,
        "created_at": STAMP,
        "updated_at": STAMP,
        **fields,
    }
    return fake.store.insert("inference_providers", record)


def test_list_pages(client: Client, fake: FakeAvala) -> None:
    for uid in ("p1", "p2", "p3"):
        seed(fake, uid)
    first = client.run(client.inference_providers.list(limit=2)).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.query) == (
        "GET",
        "/inference-providers/",
        {"limit": ["2"]},
    )
    assert [p.uid for p in first] == ["p1", "p2"]
    second = client.run(client.inference_providers.list(limit=2, cursor=first.next_cursor))
    assert fake.requests[-1].query == {"limit": ["2"], "cursor": [first.next_cursor]}
    assert [p.uid for p in second.unwrap()] == ["p3"]


def test_get(client: Client, fake: FakeAvala) -> None:
    seed(fake, "p1")
    result = client.run(client.inference_providers.get("p1"))
    assert (fake.requests[-1].method, fake.requests[-1].path) == ("GET", "/inference-providers/p1/")
    assert result == Success(
        InferenceProvider(
            uid="p1",
            name="Provider p1",
            description="detector",
            provider_type="custom",
            config=pmap({"url": "https://models.example.com/v1", "timeout": 30}),
            is_active=True,
            created_at=WHEN,
            updated_at=WHEN,
        )
    )


def test_get_unknown_is_not_found(client: Client, fake: FakeAvala) -> None:
    assert isinstance(client.run(client.inference_providers.get("nope")).failure(), NotFoundError)


def test_create_sends_all_fields(client: Client, fake: FakeAvala) -> None:
    project = fake.add_project()
    call = client.inference_providers.create(
        name="YOLO",
        provider_type="custom",
        config={"url": "https://models.example.com/yolo", "classes": ["car", "bus"]},
        description="vehicle detector",
        is_active=False,
        project=project["uid"],
    )
    created = client.run(call).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/inference-providers/")
    assert sent.body == {
        "name": "YOLO",
        "provider_type": "custom",
        "config": {"url": "https://models.example.com/yolo", "classes": ["car", "bus"]},
        "description": "vehicle detector",
        "is_active": False,
        "project": project["uid"],
    }
    assert created.name == "YOLO" and created.project == project["uid"]
    assert created.config == freeze(
        {"url": "https://models.example.com/yolo", "classes": ["car", "bus"]}
    )
    assert created.is_active is False
    assert client.run(client.inference_providers.get(created.uid)).unwrap() == created


def test_create_minimal_body(client: Client, fake: FakeAvala) -> None:
    call = client.inference_providers.create(name="M", provider_type="openai", config={})
    created = client.run(call).unwrap()
    assert fake.requests[-1].body == {"name": "M", "provider_type": "openai", "config": {}}
    assert created.is_active is True and created.project is None


def test_create_unknown_project_is_validation_error(client: Client, fake: FakeAvala) -> None:
    call = client.inference_providers.create(
        name="M", provider_type="custom", config={}, project="missing"
    )
    error = client.run(call).failure()
    assert isinstance(error, ValidationError)
    assert error.details == (
        FieldError("project", 'Invalid pk "missing" - object does not exist.'),
    )
    assert fake.store.count("inference_providers") == 0


def test_update_sends_only_given_fields(client: Client, fake: FakeAvala) -> None:
    seed(fake, "p1")
    call = client.inference_providers.update(
        "p1", name="Renamed", config={"url": "https://b.example"}
    )
    updated = client.run(call).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("PATCH", "/inference-providers/p1/")
    assert sent.body == {"name": "Renamed", "config": {"url": "https://b.example"}}
    assert updated.name == "Renamed" and updated.description == "detector"
    assert updated.config == pmap({"url": "https://b.example"})


def test_update_unknown_and_invalid(client: Client, fake: FakeAvala) -> None:
    update = client.inference_providers.update
    assert isinstance(client.run(update("nope", name="x")).failure(), NotFoundError)
    seed(fake, "p1")
    error = client.run(update("p1", name="")).failure()
    assert isinstance(error, ValidationError)
    assert [d.field for d in error.details] == ["name"]


def test_delete(client: Client, fake: FakeAvala) -> None:
    seed(fake, "p1")
    assert client.run(client.inference_providers.delete("p1")) == Success(None)
    assert (fake.requests[-1].method, fake.requests[-1].path) == (
        "DELETE",
        "/inference-providers/p1/",
    )
    assert isinstance(client.run(client.inference_providers.get("p1")).failure(), NotFoundError)


def test_test_returns_raw_json_and_stamps_provider(client: Client, fake: FakeAvala) -> None:
    seed(fake, "good")
    seed(fake, "off", is_active=False)
    verdict = client.run(client.inference_providers.test("good")).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.raw_body) == (
        "POST",
        "/inference-providers/good/test/",
        b"",
    )
    assert isinstance(verdict, JsonObject) and verdict["success"] is True
    good = client.run(client.inference_providers.get("good")).unwrap()
    assert good.last_test_success is True and good.last_test_at is not None

    assert client.run(client.inference_providers.test("off")).unwrap()["success"] is False
    off = client.run(client.inference_providers.get("off")).unwrap()
    assert off.last_test_success is False
    assert isinstance(client.run(client.inference_providers.test("nope")).failure(), NotFoundError)


def test_build_time_validation(client: Client) -> None:
    providers = client.inference_providers
    with pytest.raises(TypeError):
        providers.create(name="M", provider_type="custom", config=["url"])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        providers.create(name="M", provider_type="custom", config={1: "x"})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        providers.update("p1", is_active=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        providers.list(limit=0)
    with pytest.raises(ValueError):
        providers.test("")
