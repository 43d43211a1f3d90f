"""fleet.rules against FakeAvala over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pyrsistent import freeze, pmap
from returns.result import Success

from avala import Client
from avala.errors import NotFoundError, ValidationError
from avala.testing import FakeAvala
from avala.types import Rule

STAMP = "2024-05-02T08:00:00Z"
WHEN = datetime(2024, 5, 2, 8, 0, tzinfo=UTC)
CONDITION: dict[str, Any] = {"event_type": "safety", "severity": {"gte": "high"}}
ACTIONS: list[dict[str, Any]] = [
    {"type": "alert", "channel": "ch-1"},
    {"type": "tag", "tags": ["review"]},
]


def seed(fake: FakeAvala, uid: str, **fields: Any) -> dict[str, Any]:
    record = {
        "uid": uid,
        "name": f"Rule {uid}",
        "description": "Hard brakes",
        "enabled": True,
        "condition": CONDITION,
        "actions": ACTIONS,
        "scope": {"devices": ["dev-1"]},
        "hit_count": 4,
        "last_hit_at": STAMP,
        "created_at": STAMP,
        "updated_at": STAMP,
        **fields,
    }
    return fake.store.insert("fleet_rules", record)


def expected(uid: str, **fields: Any) -> Rule:
    values: dict[str, Any] = {
        "uid": uid,
        "name": f"Rule {uid}",
        "description": "Hard brakes",
        "enabled": True,
        "condition": freeze(CONDITION),
        "actions": tuple(freeze(a) for a in ACTIONS),
        "scope": freeze({"devices": ["dev-1"]}),
        "hit_count": 4,
        "last_hit_at": WHEN,
        "created_at": WHEN,
        "updated_at": WHEN,
        **fields,
    }
    return Rule(**values)


def test_list_enabled_filter_renders_booleans(client: Client, fake: FakeAvala) -> None:
    seed(fake, "ru1")
    seed(fake, "ru2", enabled=False)
    seed(fake, "ru3")

    disabled = client.run(client.fleet.rules.list(enabled=False)).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("GET", "/fleet/rules/")
    assert sent.query == {"enabled": ["false"]}
    assert disabled.items == (expected("ru2", enabled=False),)

    enabled = client.run(client.fleet.rules.list(enabled=True, limit=1)).unwrap()
    assert fake.requests[-1].query == {"enabled": ["true"], "limit": ["1"]}
    assert enabled.items == (expected("ru1"),)
    rest = client.run(client.fleet.rules.list(enabled=True, cursor=enabled.next_cursor)).unwrap()
    assert [r.uid for r in rest] == ["ru3"]


def test_create(client: Client, fake: FakeAvala) -> None:
    rule = client.run(
        client.fleet.rules.create(
            name="Hard brakes",
            condition=CONDITION,
            actions=tuple(ACTIONS),
            description="Alert on hard brakes",
            enabled=False,
            scope={"tags": ["warehouse"]},
        )
    ).unwrap()

    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/fleet/rules/")
    assert sent.body == {
        "name": "Hard brakes",
        "condition": CONDITION,
        "actions": ACTIONS,
        "description": "Alert on hard brakes",
        "enabled": False,
        "scope": {"tags": ["warehouse"]},
    }
    assert rule.name == "Hard brakes" and rule.enabled is False
    assert rule.condition == freeze(CONDITION)
    assert rule.actions == tuple(freeze(a) for a in ACTIONS)
    assert rule.scope == pmap({"tags": freeze(["warehouse"])})
    assert rule.hit_count == 0
    assert client.run(client.fleet.rules.get(rule.uid)).unwrap() == rule


def test_create_minimal_body_uses_server_defaults(client: Client, fake: FakeAvala) -> None:
    rule = client.run(client.fleet.rules.create(name="r", condition={}, actions=[])).unwrap()
    assert fake.requests[-1].body == {"name": "r", "condition": {}, "actions": []}
    assert (rule.enabled, rule.actions, rule.scope) == (True, (), None)


def test_create_blank_name_is_a_validation_error(client: Client, fake: FakeAvala) -> None:
    error = client.run(client.fleet.rules.create(name="", condition={}, actions=[])).failure()
    assert isinstance(error, ValidationError)
    assert [d.field for d in error.details] == ["name"]
    assert fake.store.count("fleet_rules") == 0


def test_get(client: Client, fake: FakeAvala) -> None:
    seed(fake, "ru1")
    assert client.run(client.fleet.rules.get("ru1")).unwrap() == expected("ru1")
    assert (fake.requests[-1].method, fake.requests[-1].path) == ("GET", "/fleet/rules/ru1/")
    assert isinstance(client.run(client.fleet.rules.get("nope")).failure(), NotFoundError)


def test_update(client: Client, fake: FakeAvala) -> None:
    seed(fake, "ru1")
    rule = client.run(
        client.fleet.rules.update(
            "ru1", enabled=False, actions=[{"type": "alert", "channel": "ch-2"}]
        )
    ).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("PATCH", "/fleet/rules/ru1/")
    assert sent.body == {"enabled": False, "actions": [{"type": "alert", "channel": "ch-2"}]}
    assert rule.enabled is False
    assert rule.actions == (pmap({"type": "alert", "channel": "ch-2"}),)
    assert rule.condition == freeze(CONDITION)  # untouched
    assert isinstance(
        client.run(client.fleet.rules.update("nope", enabled=True)).failure(), NotFoundError
    )


def test_delete(client: Client, fake: FakeAvala) -> None:
    seed(fake, "ru1")
    assert client.run(client.fleet.rules.delete("ru1")) == Success(None)
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("DELETE", "/fleet/rules/ru1/")
    assert isinstance(client.run(client.fleet.rules.delete("ru1")).failure(), NotFoundError)


def test_build_time_validation(client: Client) -> None:
    rules = client.fleet.rules
    with pytest.raises(TypeError):
        rules.list(enabled="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        rules.create(name="r", condition=[("a", 1)], actions=[])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        rules.create(name="r", condition={}, actions={"type": "alert"})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        rules.create(name="r", condition={}, actions=["alert"])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        rules.update("ru1", enabled=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        rules.list(limit=0)
