"""fleet.recordings against FakeAvala over HTTP (recordings are seeded: the API has no create)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pyrsistent import pmap
from returns.result import Success

from avala import Client
from avala.errors import NotFoundError, ValidationError
from avala.testing import FakeAvala
from avala.types import Recording

START = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
END = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


def seed(fake: FakeAvala, uid: str, **fields: Any) -> dict[str, Any]:
    record = {
        "uid": uid,
        "device": "dev-1",
        "status": "ready",
        "duration_seconds": 1800.5,
        "size_bytes": 734003200,
        "topic_count": 2,
        "tags": ["night"],
        "topics": [{"name": "/camera/front", "type": "sensor_msgs/Image"}, {"name": "/lidar"}],
        "started_at": "2024-05-01T09:00:00Z",
        "ended_at": "2024-05-01T09:30:00+00:00",
        "created_at": "2024-05-01T09:30:00Z",
        "updated_at": "2024-05-01T09:30:00Z",
        **fields,
    }
    return fake.store.insert("fleet_recordings", record)


def expected(uid: str, **fields: Any) -> Recording:
    values: dict[str, Any] = {
        "uid": uid,
        "device": "dev-1",
        "status": "ready",
        "duration_seconds": 1800.5,
        "size_bytes": 734003200,
        "topic_count": 2,
        "tags": ("night",),
        "topics": (
            pmap({"name": "/camera/front", "type": "sensor_msgs/Image"}),
            pmap({"name": "/lidar"}),
        ),
        "started_at": START,
        "ended_at": END,
        "created_at": END,
        "updated_at": END,
        **fields,
    }
    return Recording(**values)


def test_list_renames_device_filter(client: Client, fake: FakeAvala) -> None:
    seed(fake, "r1")
    seed(fake, "r2", device="dev-2")
    seed(fake, "r3", status="uploading")
    seed(fake, "r4")

    page = client.run(client.fleet.recordings.list(device_id="dev-1", status="ready")).unwrap()

    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("GET", "/fleet/recordings/")
    assert sent.query == {"device": ["dev-1"], "status": ["ready"]}
    assert page.items == (expected("r1"), expected("r4"))
    assert page.next_cursor is None


def test_list_pages_with_cursor(client: Client, fake: FakeAvala) -> None:
    for n in range(3):
        seed(fake, f"r{n}")
    first = client.run(client.fleet.recordings.list(limit=2)).unwrap()
    assert [r.uid for r in first] == ["r0", "r1"]
    assert fake.requests[-1].query == {"limit": ["2"]}
    second = client.run(client.fleet.recordings.list(limit=2, cursor=first.next_cursor)).unwrap()
    assert [r.uid for r in second] == ["r2"]
    assert second.previous_cursor is not None


def test_get(client: Client, fake: FakeAvala) -> None:
    seed(fake, "r1")
    recording = client.run(client.fleet.recordings.get("r1")).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("GET", "/fleet/recordings/r1/")
    assert recording == expected("r1")


def test_get_decodes_null_lists(client: Client, fake: FakeAvala) -> None:
    seed(fake, "r1", tags=None, topics=None)
    recording = client.run(client.fleet.recordings.get("r1")).unwrap()
    assert recording.tags == ()


def test_get_unknown_is_not_found(client: Client, fake: FakeAvala) -> None:
    assert isinstance(client.run(client.fleet.recordings.get("nope")).failure(), NotFoundError)


def test_update(client: Client, fake: FakeAvala) -> None:
    seed(fake, "r1")
    recording = client.run(
        client.fleet.recordings.update("r1", status="archived", tags=("night", "rain"))
    ).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("PATCH", "/fleet/recordings/r1/")
    assert sent.body == {"status": "archived", "tags": ["night", "rain"]}
    assert recording.status == "archived"
    assert recording.tags == ("night", "rain")
    assert recording.device == "dev-1"

    client.run(client.fleet.recordings.update("r1", tags=[])).unwrap()
    assert fake.requests[-1].body == {"tags": []}
    assert client.run(client.fleet.recordings.get("r1")).unwrap().tags == ()


def test_update_errors(client: Client, fake: FakeAvala) -> None:
    seed(fake, "r1")
    blank = client.run(client.fleet.recordings.update("r1", status="")).failure()
    assert isinstance(blank, ValidationError)
    assert [d.field for d in blank.details] == ["status"]
    assert client.run(client.fleet.recordings.get("r1")).unwrap().status == "ready"
    missing = client.run(client.fleet.recordings.update("nope", status="ready")).failure()
    assert isinstance(missing, NotFoundError)


def test_delete(client: Client, fake: FakeAvala) -> None:
    seed(fake, "r1")
    assert client.run(client.fleet.recordings.delete("r1")) == Success(None)
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("DELETE", "/fleet/recordings/r1/")
    assert isinstance(client.run(client.fleet.recordings.get("r1")).failure(), NotFoundError)
    assert isinstance(client.run(client.fleet.recordings.delete("r1")).failure(), NotFoundError)


def test_build_time_validation(client: Client) -> None:
    recordings = client.fleet.recordings
    with pytest.raises(ValueError):
        recordings.list(limit=-1)
    with pytest.raises(TypeError):
        recordings.list(device_id=7)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        recordings.update("r1", tags="night")
    with pytest.raises(TypeError):
        recordings.get(None)  # type: ignore[arg-type]
