"""fleet.alerts against FakeAvala over HTTP (alerts are seeded: rules raise them)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest
from pyrsistent import freeze

from avala import Client
from avala.errors import NotFoundError, ValidationError
from avala.testing import FakeAvala
from avala.types import Alert

STAMP = "2024-05-03T12:00:00Z"
WHEN = datetime(2024, 5, 3, 12, 0, tzinfo=UTC)


def seed(fake: FakeAvala, uid: str, **fields: Any) -> dict[str, Any]:
    record = {
        "uid": uid,
        "rule": "rule-1",
        "device": "dev-1",
        "recording": "rec-1",
        "severity": "high",
        "status": "open",
        "message": "Hard brake detected",
        "triggered_at": STAMP,
        "acknowledged_at": None,
        "acknowledged_by": None,
        "resolved_at": None,
        "resolution_note": None,
        "created_at": STAMP,
        "updated_at": STAMP,
        **fields,
    }
    return fake.store.insert("fleet_alerts", record)


def expected(uid: str, **fields: Any) -> Alert:
    values: dict[str, Any] = {
        "uid": uid,
        "rule": "rule-1",
        "device": "dev-1",
        "recording": "rec-1",
        "severity": "high",
        "status": "open",
        "message": "Hard brake detected",
        "triggered_at": WHEN,
        "created_at": WHEN,
        "updated_at": WHEN,
        **fields,
    }
    return Alert(**values)


def test_list_renames_filters(client: Client, fake: FakeAvala) -> None:
    seed(fake, "a1")
    seed(fake, "a2", rule="rule-2")
    seed(fake, "a3", device="dev-2")
    seed(fake, "a4", status="resolved")
    seed(fake, "a5", severity="low")
    seed(fake, "a6")

    page = client.run(
        client.fleet.alerts.list(
            status="open", severity="high", device_id="dev-1", rule_id="rule-1", limit=1
        )
    ).unwrap()

    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("GET", "/fleet/alerts/")
    assert sent.query == {
        "status": ["open"],
        "severity": ["high"],
        "device": ["dev-1"],
        "rule": ["rule-1"],
        "limit": ["1"],
    }
    assert page.items == (expected("a1"),)
    rest = client.run(
        client.fleet.alerts.list(
            status="open",
            severity="high",
            device_id="dev-1",
            rule_id="rule-1",
            cursor=page.next_cursor,
        )
    ).unwrap()
    assert rest.items == (expected("a6"),)


def test_get(client: Client, fake: FakeAvala) -> None:
    seed(fake, "a1")
    assert client.run(client.fleet.alerts.get("a1")).unwrap() == expected("a1")
    assert (fake.requests[-1].method, fake.requests[-1].path) == ("GET", "/fleet/alerts/a1/")
    assert isinstance(client.run(client.fleet.alerts.get("nope")).failure(), NotFoundError)


def test_acknowledge_posts_without_body(client: Client, fake: FakeAvala) -> None:
    seed(fake, "a1")
    alert = client.run(client.fleet.alerts.acknowledge("a1")).unwrap()

    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/fleet/alerts/a1/acknowledge/")
    assert (sent.body, sent.raw_body) == (None, b"")
    assert alert.status == "acknowledged"
    assert alert.acknowledged_at is not None and alert.acknowledged_by
    assert alert.message == "Hard brake detected"
    assert client.run(client.fleet.alerts.get("a1")).unwrap().status == "acknowledged"
    assert isinstance(client.run(client.fleet.alerts.acknowledge("x")).failure(), NotFoundError)


def test_resolve_with_note(client: Client, fake: FakeAvala) -> None:
    seed(fake, "a1", status="acknowledged")
    alert = client.run(
        client.fleet.alerts.resolve("a1", resolution_note="Sensor recalibrated")
    ).unwrap()

    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/fleet/alerts/a1/resolve/")
    assert sent.body == {"resolution_note": "Sensor recalibrated"}
    assert alert.status == "resolved"
    assert alert.resolution_note == "Sensor recalibrated"
    assert alert.resolved_at is not None


def test_resolve_without_note_sends_no_body(client: Client, fake: FakeAvala) -> None:
    seed(fake, "a1")
    alert = client.run(client.fleet.alerts.resolve("a1", resolution_note=None)).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/fleet/alerts/a1/resolve/")
    assert (sent.body, sent.raw_body) == (None, b"")
    assert "content-type" not in sent.headers
    assert (alert.status, alert.resolution_note) == ("resolved", None)


def test_resolve_with_an_empty_note_sends_it(client: Client, fake: FakeAvala) -> None:
    seed(fake, "a1")
    alert = client.run(client.fleet.alerts.resolve("a1", resolution_note="")).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/fleet/alerts/a1/resolve/")
    assert (sent.body, sent.raw_body) == ({"resolution_note": ""}, b'{"resolution_note":""}')
    assert (alert.status, alert.resolution_note) == ("resolved", "")


def test_resolving_twice_or_acknowledging_resolved_is_refused(
    client: Client, fake: FakeAvala
) -> None:
    seed(fake, "a1", status="resolved", resolved_at=STAMP)
    twice = client.run(client.fleet.alerts.resolve("a1")).failure()
    assert isinstance(twice, ValidationError)
    assert "already resolved" in twice.message
    ack = client.run(client.fleet.alerts.acknowledge("a1")).failure()
    assert isinstance(ack, ValidationError)
    assert client.run(client.fleet.alerts.get("a1")).unwrap().status == "resolved"


def test_resolve_note_of_wrong_type_names_the_field(client: Client, fake: FakeAvala) -> None:
    """The builder never sends this; a hand-altered call shows how the server answers."""
    seed(fake, "a1")
    call = dataclasses.replace(
        client.fleet.alerts.resolve("a1", resolution_note="x"),
        body=freeze({"resolution_note": 5}),
    )
    error = client.run(call).failure()
    assert isinstance(error, ValidationError)
    assert [d.field for d in error.details] == ["resolution_note"]


def test_build_time_validation(client: Client) -> None:
    alerts = client.fleet.alerts
    with pytest.raises(TypeError):
        alerts.resolve("a1", resolution_note=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        alerts.list(rule_id=["r"])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        alerts.list(limit=0)
    with pytest.raises(ValueError):
        alerts.acknowledge("")
