"""fleet.alert_channels against FakeAvala over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pyrsistent import freeze, pmap
from returns.result import Success

from avala import Client
from avala.errors import NotFoundError, ValidationError
from avala.testing import FakeAvala
from avala.types import AlertChannel, JsonObject

STAMP = "2024-05-04T07:00:00Z"
WHEN = datetime(2024, 5, 4, 7, 0, tzinfo=UTC)


def seed(fake: FakeAvala, uid: str, **fields: Any) -> dict[str, Any]:
    record = {
        "uid": uid,
        "name": f"Ops {uid}",
        "type": "slack",
        "config": {"channel": "#fleet-ops"},
        "created_at": STAMP,
        "updated_at": STAMP,
        **fields,
    }
    return fake.store.insert("fleet_alert_channels", record)


def expected(uid: str, **fields: Any) -> AlertChannel:
    values: dict[str, Any] = {
        "uid": uid,
        "name": f"Ops {uid}",
        "type": "slack",
        "config": pmap({"channel": "#fleet-ops"}),
        "created_at": WHEN,
        "updated_at": WHEN,
        **fields,
    }
    return AlertChannel(**values)


def test_list_pages(client: Client, fake: FakeAvala) -> None:
    for n in range(3):
        seed(fake, f"ch{n}")
    first = client.run(client.fleet.alert_channels.list(limit=2)).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.query) == (
        "GET",
        "/fleet/alert-channels/",
        {"limit": ["2"]},
    )
    assert first.items == (expected("ch0"), expected("ch1"))
    second = client.run(client.fleet.alert_channels.list(cursor=first.next_cursor)).unwrap()
    assert fake.requests[-1].query == {"cursor": [first.next_cursor]}
    assert second.items == (expected("ch2"),)
    assert second.next_cursor is None


def test_create(client: Client, fake: FakeAvala) -> None:
    config = {"recipients": ["ops@example.com"], "digest": False}
    channel = client.run(
        client.fleet.alert_channels.create(name="Ops mail", type="email", config=config)
    ).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/fleet/alert-channels/")
    assert sent.body == {"name": "Ops mail", "type": "email", "config": config}
    assert (channel.name, channel.type) == ("Ops mail", "email")
    assert channel.config == freeze(config)
    listed = client.run(client.fleet.alert_channels.list()).unwrap()
    assert listed.items == (channel,)


def test_create_blank_type_is_a_validation_error(client: Client, fake: FakeAvala) -> None:
    call = client.fleet.alert_channels.create(name="x", type="", config={})
    error = client.run(call).failure()
    assert isinstance(error, ValidationError)
    assert [d.field for d in error.details] == ["type"]
    assert fake.store.count("fleet_alert_channels") == 0


def test_delete(client: Client, fake: FakeAvala) -> None:
    seed(fake, "ch1")
    assert client.run(client.fleet.alert_channels.delete("ch1")) == Success(None)
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("DELETE", "/fleet/alert-channels/ch1/")
    assert fake.store.get("fleet_alert_channels", "ch1") is None
    again = client.run(client.fleet.alert_channels.delete("ch1")).failure()
    assert isinstance(again, NotFoundError)


def test_test_returns_frozen_raw_json(client: Client, fake: FakeAvala) -> None:
    seed(fake, "ch1", name="Ops", type="webhook")
    verdict = client.run(client.fleet.alert_channels.test("ch1")).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/fleet/alert-channels/ch1/test/")
    assert (sent.body, sent.raw_body) == (None, b"")
    assert isinstance(verdict, JsonObject)
    assert verdict["success"] is True
    assert verdict["channel"] == "ch1"
    assert "webhook" in verdict["message"] and "Ops" in verdict["message"]


def test_test_unknown_channel_is_not_found(client: Client, fake: FakeAvala) -> None:
    result = client.run(client.fleet.alert_channels.test("nope"))
    assert isinstance(result.failure(), NotFoundError)


def test_build_time_validation(client: Client) -> None:
    channels = client.fleet.alert_channels
    with pytest.raises(TypeError):
        channels.create(name="x", type="email", config=None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        channels.create(name="x", type=None, config={})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        channels.create(name="x", type="email", config={1: "a"})  # type: ignore[dict-item]
    with pytest.raises(ValueError):
        channels.list(limit=0)
    with pytest.raises(ValueError):
        channels.test(".")
