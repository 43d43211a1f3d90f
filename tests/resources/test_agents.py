"""Agents against the fake API over HTTP: what was sent, and what came back."""

from __future__ import annotations

from datetime import datetime

import pytest
from pyrsistent import freeze
from returns.result import Success

from avala import Client
from avala.errors import NotFoundError, ValidationError
from avala.resources import Agents
from avala.testing import FakeAvala
from avala.types import Agent, AgentExecution


def seed_agent(fake: FakeAvala, **fields: object) -> dict[str, object]:
    record = {
        "name": "Reviewer",
        "description": None,
        "events": ["task.completed"],
        "callback_url": "https://hooks.example.invalid/agent",
        "is_active": True,
        "project": None,
        "task_types": ["annotation"],
        "secret": "agsec_seeded",
        "execution_stats": {"total": 0},
        **fields,
    }
    return fake.store.insert("agents", record)


def test_list_sends_limit_and_decodes_the_page(client: Client, fake: FakeAvala) -> None:
    first = seed_agent(fake, name="A")
    second = seed_agent(fake, name="B")
    seed_agent(fake, name="C")

    page = client.run(client.agents.list(limit=2)).unwrap()

    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.query) == ("GET", "/agents/", {"limit": ["2"]})
    assert [a.uid for a in page] == [first["uid"], second["uid"]]
    assert page.items[0].events == ("task.completed",)
    assert page.has_more

    rest = client.run(client.agents.list(limit=2, cursor=page.next_cursor)).unwrap()
    assert fake.requests[-1].query["cursor"] == [page.next_cursor]
    assert [a.name for a in rest] == ["C"] and not rest.has_more


def test_get_decodes_every_field(client: Client, fake: FakeAvala) -> None:
    seeded = seed_agent(fake, description="checks boxes", execution_stats={"total": 3})

    agent = client.run(client.agents.get(str(seeded["uid"]))).unwrap()

    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.body) == ("GET", f"/agents/{seeded['uid']}/", None)
    assert agent == Agent(
        uid=str(seeded["uid"]),
        name="Reviewer",
        description="checks boxes",
        events=("task.completed",),
        callback_url="https://hooks.example.invalid/agent",
        is_active=True,
        project=None,
        task_types=("annotation",),
        secret="agsec_seeded",
        execution_stats=freeze({"total": 3}),
        created_at=datetime.fromisoformat(str(seeded["created_at"])),
        updated_at=datetime.fromisoformat(str(seeded["updated_at"])),
    )
    assert "agsec_seeded" not in repr(agent)


def test_get_unknown_is_not_found(client: Client, fake: FakeAvala) -> None:
    result = client.run(client.agents.get("missing"))
    assert isinstance(result.failure(), NotFoundError)
    assert fake.requests[-1].path == "/agents/missing/"


def test_create_sends_only_given_fields(client: Client, fake: FakeAvala) -> None:
    project = fake.add_project()

    agent = client.run(
        client.agents.create(
            name="Labeller",
            events=("task.created", "task.completed"),  # any sequence is sent as an array
            project=project["uid"],
            is_active=False,
        )
    ).unwrap()

    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/agents/")
    assert sent.body == {
        "name": "Labeller",
        "events": ["task.created", "task.completed"],
        "is_active": False,
        "project": project["uid"],
    }
    assert agent.name == "Labeller"
    assert agent.events == ("task.created", "task.completed")
    assert agent.project == project["uid"] and agent.is_active is False
    assert agent.secret  # the server issues one
    assert fake.store.get("agents", agent.uid) is not None
    assert fake.store.create_count["agents"] == 1


def test_create_with_unknown_project_is_a_validation_error(client: Client, fake: FakeAvala) -> None:
    result = client.run(client.agents.create(name="Labeller", project="nope"))

    assert fake.requests[-1].body == {"name": "Labeller", "project": "nope"}
    error = result.failure()
    assert isinstance(error, ValidationError)
    assert [d.field for d in error.details] == ["project"]
    assert fake.store.count("agents") == 0


def test_update_patches_only_given_fields(client: Client, fake: FakeAvala) -> None:
    seeded = seed_agent(fake)

    agent = client.run(
        client.agents.update(str(seeded["uid"]), description="new", task_types=[])
    ).unwrap()

    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("PATCH", f"/agents/{seeded['uid']}/")
    assert sent.body == {"description": "new", "task_types": []}
    assert agent.description == "new" and agent.task_types == ()
    assert agent.name == "Reviewer" and agent.events == ("task.completed",)
    again = client.run(client.agents.get(str(seeded["uid"]))).unwrap()
    assert again.description == "new"


def test_update_with_blank_name_is_rejected_by_the_server(client: Client, fake: FakeAvala) -> None:
    seeded = seed_agent(fake)
    result = client.run(client.agents.update(str(seeded["uid"]), name=""))
    error = result.failure()
    assert isinstance(error, ValidationError)
    assert [d.field for d in error.details] == ["name"]


def test_update_unknown_is_not_found(client: Client, fake: FakeAvala) -> None:
    result = client.run(client.agents.update("missing", name="x"))
    assert isinstance(result.failure(), NotFoundError)


def test_delete_then_get_is_not_found(client: Client, fake: FakeAvala) -> None:
    seeded = seed_agent(fake)
    uid = str(seeded["uid"])

    assert client.run(client.agents.delete(uid)) == Success(None)
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.body) == ("DELETE", f"/agents/{uid}/", None)
    assert isinstance(client.run(client.agents.get(uid)).failure(), NotFoundError)
    assert isinstance(client.run(client.agents.delete(uid)).failure(), NotFoundError)


def test_list_executions_only_shows_that_agents_runs(client: Client, fake: FakeAvala) -> None:
    mine = seed_agent(fake)
    other = seed_agent(fake, name="Other")
    run = fake.store.insert(
        "agents_executions",
        {
            "registration": mine["uid"],
            "event_type": "task.completed",
            "task": "task-1",
            "status": "completed",
            "event_payload": {"task": "task-1"},
        },
    )
    fake.store.insert(
        "agents_executions", {"registration": other["uid"], "event_type": "task.created"}
    )

    page = client.run(client.agents.list_executions(str(mine["uid"]), limit=5)).unwrap()

    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("GET", f"/agents/{mine['uid']}/executions/")
    assert sent.query == {"limit": ["5"]}
    assert page.items == (
        AgentExecution(
            uid=str(run["uid"]),
            registration=str(mine["uid"]),
            event_type="task.completed",
            task="task-1",
            status="completed",
            event_payload=freeze({"task": "task-1"}),
            created_at=datetime.fromisoformat(str(run["created_at"])),
            updated_at=datetime.fromisoformat(str(run["updated_at"])),
        ),
    )
    missing = client.run(client.agents.list_executions("missing"))
    assert isinstance(missing.failure(), NotFoundError)


def test_test_returns_raw_json_and_records_an_execution(client: Client, fake: FakeAvala) -> None:
    seeded = seed_agent(fake)
    uid = str(seeded["uid"])

    verdict = client.run(client.agents.test(uid)).unwrap()

    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.body, sent.raw_body) == (
        "POST",
        f"/agents/{uid}/test/",
        None,
        b"",
    )
    assert verdict["success"] is True
    with pytest.raises(TypeError):
        verdict["success"] = False
    runs = client.run(client.agents.list_executions(uid)).unwrap()
    assert [r.uid for r in runs] == [verdict["execution_uid"]]
    assert runs.items[0].event_type == "agent.test"


def test_test_of_an_agent_without_callback_fails_softly(client: Client, fake: FakeAvala) -> None:
    seeded = seed_agent(fake, callback_url=None)
    verdict = client.run(client.agents.test(str(seeded["uid"]))).unwrap()
    assert verdict["success"] is False and verdict["error"]
    assert isinstance(client.run(client.agents.test("missing")).failure(), NotFoundError)


def test_builders_refuse_impossible_arguments() -> None:
    agents = Agents()
    with pytest.raises(ValueError):
        agents.list(limit=0)
    with pytest.raises(TypeError):
        agents.create(name="x", events="task.created")  # a bare string is not a list
    with pytest.raises(TypeError):
        agents.create(name="x", task_types=[1])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        agents.update("uid", is_active="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        agents.get("")
    assert agents.create(name="x", events=["a"]) == agents.create(name="x", events=("a",))
