"""fleet.events against FakeAvala over HTTP, including the batch create."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from pyrsistent import pmap
from returns.result import Success

from avala import AsyncClient, Client
from avala.errors import NotFoundError, ValidationError
from avala.testing import FakeAvala
from avala.types import FleetEvent
from avala.types.fleet import BatchEventParams

STAMP = "2024-05-01T09:12:30.250000Z"
WHEN = datetime(2024, 5, 1, 9, 12, 30, 250000, tzinfo=UTC)


@pytest.fixture
def world(fake: FakeAvala) -> FakeAvala:
    """Two devices, each with one recording."""
    for n in (1, 2):
        fake.store.insert("fleet_devices", {"uid": f"dev-{n}", "name": f"Robot {n}"})
        fake.store.insert("fleet_recordings", {"uid": f"rec-{n}", "device": f"dev-{n}"})
    return fake


def seed(fake: FakeAvala, uid: str, **fields: Any) -> dict[str, Any]:
    record = {
        "uid": uid,
        "recording": "rec-1",
        "device": "dev-1",
        "type": "safety",
        "label": "hard_brake",
        "description": "Emergency stop",
        "timestamp": STAMP,
        "duration_ms": 1200,
        "tags": ["review"],
        "metadata": {"speed_mps": 3.5},
        "severity": "high",
        "created_at": STAMP,
        "updated_at": STAMP,
        **fields,
    }
    return fake.store.insert("fleet_events", record)


def expected(uid: str, **fields: Any) -> FleetEvent:
    values: dict[str, Any] = {
        "uid": uid,
        "recording": "rec-1",
        "device": "dev-1",
        "type": "safety",
        "label": "hard_brake",
        "description": "Emergency stop",
        "timestamp": WHEN,
        "duration_ms": 1200,
        "tags": ("review",),
        "metadata": pmap({"speed_mps": 3.5}),
        "severity": "high",
        "created_at": WHEN,
        "updated_at": WHEN,
        **fields,
    }
    return FleetEvent(**values)


def test_list_renames_filters(client: Client, world: FakeAvala) -> None:
    seed(world, "e1")
    seed(world, "e2", severity="low")
    seed(world, "e3", recording="rec-2", device="dev-2")
    seed(world, "e4", type="perception")
    seed(world, "e5")

    page = client.run(
        client.fleet.events.list(
            recording_id="rec-1", device_id="dev-1", type="safety", severity="high", limit=10
        )
    ).unwrap()

    sent = world.requests[-1]
    assert (sent.method, sent.path) == ("GET", "/fleet/events/")
    assert sent.query == {
        "recording": ["rec-1"],
        "device": ["dev-1"],
        "type": ["safety"],
        "severity": ["high"],
        "limit": ["10"],
    }
    assert page.items == (expected("e1"), expected("e5"))


def test_create(client: Client, world: FakeAvala) -> None:
    event = client.run(
        client.fleet.events.create(
            recording="rec-2",
            device="dev-2",
            label="disengagement",
            type="autonomy",
            timestamp="2024-05-01T09:12:30.250000Z",
            severity="medium",
            description="Driver took over",
            duration_ms=0,
            tags=("takeover",),
            metadata={"reason": "construction"},
        )
    ).unwrap()

    sent = world.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/fleet/events/")
    assert sent.body == {
        "recording": "rec-2",
        "device": "dev-2",
        "label": "disengagement",
        "type": "autonomy",
        "timestamp": "2024-05-01T09:12:30.250000Z",
        "severity": "medium",
        "description": "Driver took over",
        "duration_ms": 0,
        "tags": ["takeover"],
        "metadata": {"reason": "construction"},
    }
    assert event.timestamp == WHEN
    assert (event.recording, event.device, event.label) == ("rec-2", "dev-2", "disengagement")
    assert (event.duration_ms, event.tags) == (0, ("takeover",))
    assert event.metadata == pmap({"reason": "construction"})
    assert client.run(client.fleet.events.get(event.uid)).unwrap() == event


def test_create_minimal_body(client: Client, world: FakeAvala) -> None:
    call = client.fleet.events.create(
        recording="rec-1", device="dev-1", label="l", type="t", timestamp="2024-05-01T09:00:00"
    )
    client.run(call).unwrap()
    assert world.requests[-1].body == {
        "recording": "rec-1",
        "device": "dev-1",
        "label": "l",
        "type": "t",
        "timestamp": "2024-05-01T09:00:00",
    }


def test_create_with_unknown_recording_is_a_validation_error(
    client: Client, world: FakeAvala
) -> None:
    call = client.fleet.events.create(
        recording="rec-9", device="dev-1", label="l", type="t", timestamp=STAMP
    )
    error = client.run(call).failure()
    assert isinstance(error, ValidationError)
    assert [d.field for d in error.details] == ["recording"]
    assert world.store.count("fleet_events") == 0


def test_create_batch_returns_created_count(client: Client, world: FakeAvala) -> None:
    events: list[BatchEventParams] = [
        {
            "recording": "rec-1",
            "device": "dev-1",
            "label": "hard_brake",
            "type": "safety",
            "timestamp": STAMP,
        },
        {
            "recording": "rec-2",
            "device": "dev-2",
            "label": "lane_departure",
            "type": "safety",
            "timestamp": "2024-05-01T10:00:00+02:00",
            "severity": "low",
            "tags": ("lane",),
            "metadata": {"side": "left"},
            "duration_ms": 40,
        },
    ]
    created = client.run(client.fleet.events.create_batch(events=events))

    sent = world.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/fleet/events/batch/")
    assert sent.body == {
        "events": [
            {
                "recording": "rec-1",
                "device": "dev-1",
                "label": "hard_brake",
                "type": "safety",
                "timestamp": STAMP,
            },
            {
                "recording": "rec-2",
                "device": "dev-2",
                "label": "lane_departure",
                "type": "safety",
                "timestamp": "2024-05-01T10:00:00+02:00",
                "severity": "low",
                "tags": ["lane"],
                "metadata": {"side": "left"},
                "duration_ms": 40,
            },
        ]
    }
    assert created == Success(2)

    listed = client.run(client.fleet.events.list(device_id="dev-2")).unwrap()
    assert [(e.label, e.severity, e.tags) for e in listed] == [("lane_departure", "low", ("lane",))]


def test_create_batch_is_all_or_nothing(client: Client, world: FakeAvala) -> None:
    good: BatchEventParams = {
        "recording": "rec-1",
        "device": "dev-1",
        "label": "a",
        "type": "t",
        "timestamp": STAMP,
    }
    wrong_device: BatchEventParams = {**good, "device": "dev-2"}  # rec-1 belongs to dev-1
    error = client.run(client.fleet.events.create_batch(events=[good, wrong_device])).failure()
    assert isinstance(error, ValidationError)
    assert [d.field for d in error.details] == ["events.1.device"]
    assert world.store.count("fleet_events") == 0


def test_get_and_delete(client: Client, world: FakeAvala) -> None:
    seed(world, "e1")
    assert client.run(client.fleet.events.get("e1")).unwrap() == expected("e1")
    assert (world.requests[-1].method, world.requests[-1].path) == ("GET", "/fleet/events/e1/")

    assert client.run(client.fleet.events.delete("e1")) == Success(None)
    sent = world.requests[-1]
    assert (sent.method, sent.path, sent.body) == ("DELETE", "/fleet/events/e1/", None)
    assert isinstance(client.run(client.fleet.events.get("e1")).failure(), NotFoundError)
    assert isinstance(client.run(client.fleet.events.delete("e1")).failure(), NotFoundError)


def test_build_time_validation(client: Client) -> None:
    events = client.fleet.events
    ok: dict[str, Any] = {
        "recording": "r",
        "device": "d",
        "label": "l",
        "type": "t",
        "timestamp": STAMP,
    }
    with pytest.raises(ValueError, match="ISO-8601"):
        events.create(recording="r", device="d", label="l", type="t", timestamp="yesterday")
    with pytest.raises(ValueError):
        events.create(**ok, duration_ms=-1)
    with pytest.raises(TypeError):
        events.create(**ok, duration_ms=1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        events.create(**{**ok, "device": None})
    bad_batches: list[tuple[type[Exception], list[Any]]] = [
        (ValueError, [ok, {"recording": "r", "device": "d", "type": "t"}]),
        (TypeError, [ok, "not an event"]),
        (TypeError, [{**ok, "tags": "x"}]),
        (ValueError, [{**ok, "timestamp": "soon"}]),
        (ValueError, [{**ok, "duration_ms": -5}]),
    ]
    for error, batch in bad_batches:
        with pytest.raises(error):
            events.create_batch(events=batch)
    with pytest.raises(
        ValueError, match="events\\[1\\] is missing required keys: label, timestamp"
    ):
        events.create_batch(events=bad_batches[0][1])
    with pytest.raises(TypeError):
        events.create_batch(events={"events": []})  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        events.list(limit=0)


# --- timestamps as datetimes -----------------------------------------------------------

PARIS_SUMMER = timezone(timedelta(hours=2))
WHEN_IN_PARIS = datetime(2024, 5, 1, 11, 12, 30, 250000, tzinfo=PARIS_SUMMER)  # == WHEN


def test_create_takes_an_aware_datetime_and_sends_it_in_utc(
    client: Client, world: FakeAvala
) -> None:
    call = client.fleet.events.create(
        recording="rec-1", device="dev-1", label="l", type="t", timestamp=WHEN_IN_PARIS
    )
    event = client.run(call).unwrap()
    assert world.requests[-1].body["timestamp"] == "2024-05-01T09:12:30.250000Z"
    assert event.timestamp == WHEN


def test_create_with_whole_seconds_sends_no_fraction(client: Client, world: FakeAvala) -> None:
    moment = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
    call = client.fleet.events.create(
        recording="rec-1", device="dev-1", label="l", type="t", timestamp=moment
    )
    assert client.run(call).unwrap().timestamp == moment
    assert world.requests[-1].body["timestamp"] == "2024-05-01T09:00:00Z"


def test_create_batch_takes_aware_datetimes(client: Client, world: FakeAvala) -> None:
    event: BatchEventParams = {
        "recording": "rec-1",
        "device": "dev-1",
        "label": "l",
        "type": "t",
        "timestamp": WHEN_IN_PARIS,
    }
    as_text: BatchEventParams = {**event, "timestamp": "2024-05-01T10:00:00+02:00"}
    created = client.run(client.fleet.events.create_batch(events=[event, as_text]))
    assert created == Success(2)
    sent = [e["timestamp"] for e in world.requests[-1].body["events"]]
    assert sent == ["2024-05-01T09:12:30.250000Z", "2024-05-01T10:00:00+02:00"]


def test_async_client_sends_the_same_rendering(world: FakeAvala) -> None:
    async def main() -> FleetEvent:
        async with AsyncClient() as client:
            call = client.fleet.events.create(
                recording="rec-1", device="dev-1", label="l", type="t", timestamp=WHEN_IN_PARIS
            )
            return (await client.run(call)).unwrap()

    assert asyncio.run(main()).timestamp == WHEN
    assert world.requests[-1].body["timestamp"] == "2024-05-01T09:12:30.250000Z"


def test_a_naive_datetime_is_refused_naming_the_argument_and_the_fix(client: Client) -> None:
    naive = datetime(2024, 5, 1, 9, 0)
    with pytest.raises(ValueError, match=r"(?s)^timestamp\b.*timezone\.utc"):
        client.fleet.events.create(recording="r", device="d", label="l", type="t", timestamp=naive)
    event: dict[str, Any] = {"recording": "r", "device": "d", "label": "l", "type": "t"}
    batch = [{**event, "timestamp": STAMP}, {**event, "timestamp": naive}]
    with pytest.raises(ValueError, match=r"(?s)^events\[1\]\.timestamp\b.*timezone\.utc"):
        client.fleet.events.create_batch(events=batch)  # type: ignore[arg-type]


def test_a_date_or_a_number_is_a_type_error(client: Client) -> None:
    for wrong in (date(2024, 5, 1), 1714554000, None):
        with pytest.raises(TypeError, match="timestamp"):
            client.fleet.events.create(
                recording="r",
                device="d",
                label="l",
                type="t",
                timestamp=wrong,  # type: ignore[arg-type]
            )


def test_equal_instants_build_equal_hashable_requests(client: Client) -> None:
    def at(moment: datetime | str) -> object:
        return client.fleet.events.create(
            recording="r", device="d", label="l", type="t", timestamp=moment
        )

    assert at(WHEN_IN_PARIS) == at(WHEN) == at("2024-05-01T09:12:30.250000Z")
    assert hash(at(WHEN_IN_PARIS)) == hash(at(WHEN))
    assert at(WHEN) != at(WHEN + timedelta(microseconds=1))


def test_a_blank_reference_in_a_batch_event_is_refused_naming_it(client: Client) -> None:
    event = {"recording": "r", "device": "d", "label": "l", "type": "t", "timestamp": STAMP}
    for key, blank in (("recording", " "), ("device", "\t"), ("device", "")):
        with pytest.raises(ValueError, match=rf"^events\[0\]\.{key}\b"):
            client.fleet.events.create_batch(events=[{**event, key: blank}])  # type: ignore[list-item]
