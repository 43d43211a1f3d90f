"""fleet.devices against FakeAvala over HTTP: what is sent, and what comes back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pyrsistent import pmap
from returns.result import Success

from avala import Client
from avala.errors import NotFoundError, ValidationError
from avala.testing import FakeAvala
from avala.types import Device

STAMP = "2024-05-01T10:00:00Z"
WHEN = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def seed(fake: FakeAvala, uid: str, **fields: Any) -> dict[str, Any]:
    record = {
        "uid": uid,
        "name": f"Robot {uid}",
        "type": "robot",
        "status": "online",
        "tags": ["warehouse"],
        "firmware_version": "1.2.0",
        "metadata": {"site": "berlin"},
        "last_seen_at": STAMP,
        "created_at": STAMP,
        "updated_at": STAMP,
        **fields,
    }
    return fake.store.insert("fleet_devices", record)


def expected(uid: str, **fields: Any) -> Device:
    values: dict[str, Any] = {
        "uid": uid,
        "name": f"Robot {uid}",
        "type": "robot",
        "status": "online",
        "tags": ("warehouse",),
        "firmware_version": "1.2.0",
        "metadata": pmap({"site": "berlin"}),
        "last_seen_at": WHEN,
        "created_at": WHEN,
        "updated_at": WHEN,
        **fields,
    }
    return Device(**values)


def test_list_filters_and_pages(client: Client, fake: FakeAvala) -> None:
    seed(fake, "d1")
    seed(fake, "d2", status="offline")
    seed(fake, "d3")
    seed(fake, "d4", type="drone")

    first = client.run(client.fleet.devices.list(status="online", type="robot", limit=1)).unwrap()

    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("GET", "/fleet/devices/")
    assert sent.query == {"status": ["online"], "type": ["robot"], "limit": ["1"]}
    assert sent.body is None
    assert first.items == (expected("d1"),)
    assert first.next_cursor is not None

    second = client.run(
        client.fleet.devices.list(status="online", type="robot", limit=1, cursor=first.next_cursor)
    ).unwrap()
    assert fake.requests[-1].query["cursor"] == [first.next_cursor]
    assert second.items == (expected("d3"),)
    assert second.next_cursor is None


def test_list_without_arguments_sends_no_query(client: Client, fake: FakeAvala) -> None:
    seed(fake, "d1")
    result = client.run(client.fleet.devices.list()).unwrap()
    assert fake.requests[-1].query == {}
    assert [d.uid for d in result] == ["d1"]


def test_register_sends_body_and_returns_token(client: Client, fake: FakeAvala) -> None:
    call = client.fleet.devices.register(
        name="Scout",
        type="robot",
        firmware_version="2.0.1",
        tags=("outdoor", "lidar"),
        metadata={"owner": "ops"},
    )
    device = client.run(call).unwrap()

    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/fleet/devices/")
    assert sent.body == {
        "name": "Scout",
        "type": "robot",
        "firmware_version": "2.0.1",
        "tags": ["outdoor", "lidar"],
        "metadata": {"owner": "ops"},
    }
    assert (device.name, device.type, device.firmware_version) == ("Scout", "robot", "2.0.1")
    assert device.tags == ("outdoor", "lidar")
    assert device.metadata == pmap({"owner": "ops"})
    assert device.device_token and device.device_token.startswith("dvt_")
    assert device.device_token not in repr(device)
    assert fake.store.create_count["fleet_devices"] == 1

    fetched = client.run(client.fleet.devices.get(device.uid)).unwrap()
    assert fetched.uid == device.uid and fetched.name == "Scout"


def test_register_leaves_out_absent_optionals(client: Client, fake: FakeAvala) -> None:
    client.run(client.fleet.devices.register(name="Bare", type="drone")).unwrap()
    assert fake.requests[-1].body == {"name": "Bare", "type": "drone"}


def test_register_blank_name_is_a_validation_error(client: Client, fake: FakeAvala) -> None:
    result = client.run(client.fleet.devices.register(name="", type="robot"))
    error = result.failure()
    assert isinstance(error, ValidationError)
    assert [d.field for d in error.details] == ["name"]
    assert fake.store.count("fleet_devices") == 0


def test_get(client: Client, fake: FakeAvala) -> None:
    seed(fake, "dev/1")
    device = client.run(client.fleet.devices.get("dev/1")).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("GET", "/fleet/devices/dev%2F1/")
    assert device == expected("dev/1")


def test_get_unknown_is_not_found(client: Client, fake: FakeAvala) -> None:
    result = client.run(client.fleet.devices.get("missing"))
    assert isinstance(result.failure(), NotFoundError)
    assert fake.requests[-1].path == "/fleet/devices/missing/"


def test_update_sends_only_given_fields(client: Client, fake: FakeAvala) -> None:
    seed(fake, "d1")
    device = client.run(
        client.fleet.devices.update("d1", status="maintenance", tags=["indoor"])
    ).unwrap()

    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("PATCH", "/fleet/devices/d1/")
    assert sent.body == {"status": "maintenance", "tags": ["indoor"]}
    assert device.status == "maintenance"
    assert device.tags == ("indoor",)
    assert device.name == "Robot d1"  # untouched
    again = client.run(client.fleet.devices.get("d1")).unwrap()
    assert (again.status, again.tags) == ("maintenance", ("indoor",))


def test_update_errors(client: Client, fake: FakeAvala) -> None:
    seed(fake, "d1")
    blank = client.run(client.fleet.devices.update("d1", name="  ")).failure()
    assert isinstance(blank, ValidationError)
    assert [d.field for d in blank.details] == ["name"]
    missing = client.run(client.fleet.devices.update("nope", name="x")).failure()
    assert isinstance(missing, NotFoundError)


def test_delete(client: Client, fake: FakeAvala) -> None:
    seed(fake, "d1")
    assert client.run(client.fleet.devices.delete("d1")) == Success(None)
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.body) == ("DELETE", "/fleet/devices/d1/", None)
    assert fake.store.get("fleet_devices", "d1") is None
    assert isinstance(client.run(client.fleet.devices.delete("d1")).failure(), NotFoundError)


def test_build_time_validation(client: Client) -> None:
    devices = client.fleet.devices
    with pytest.raises(ValueError):
        devices.list(limit=0)
    with pytest.raises(TypeError):
        devices.list(status=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        devices.register(name="x", type="robot", tags="outdoor")
    with pytest.raises(TypeError):
        devices.register(name="x", type="robot", tags=["ok", 1])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        devices.register(name="x", type="robot", metadata=[("k", "v")])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        devices.register(name=None, type="robot")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        devices.get("")
    with pytest.raises(ValueError):
        devices.update("..", name="x")


def test_equal_arguments_build_equal_requests(client: Client) -> None:
    devices = client.fleet.devices
    a = devices.register(name="x", type="robot", tags=["a"], metadata={"k": [1]})
    b = devices.register(name="x", type="robot", tags=("a",), metadata={"k": [1]})
    assert a == b and hash(a) == hash(b)
