"""exports.create: what it sends for each target, and the targets it refuses at build time."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from avala import AsyncClient, Client
from avala.testing import FakeAvala
from avala.types import Export


@pytest.mark.parametrize(
    "targets", [("project",), ("dataset",), ("project", "dataset")], ids="+".join
)
def test_create_sends_the_targets_given(
    client: Client, fake: FakeAvala, targets: tuple[str, ...]
) -> None:
    seeded = {"project": fake.add_project()["uid"], "dataset": fake.add_dataset()["uid"]}
    chosen = {name: seeded[name] for name in targets}
    export = client.run(client.exports.create(**chosen)).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.body) == ("POST", "/exports/", chosen)
    assert export.status == "pending"


def test_create_without_a_target_is_refused_naming_both_arguments(client: Client) -> None:
    for call in (
        lambda: client.exports.create(),
        lambda: client.exports.create(project=None, dataset=None),
    ):
        with pytest.raises(ValueError, match=r"(?s)project=.*dataset="):
            call()


def test_async_client_refuses_it_too_and_sends_nothing(fake: FakeAvala) -> None:
    async def main() -> Export:
        async with AsyncClient() as client:
            with pytest.raises(ValueError, match=r"(?s)project=.*dataset="):
                client.exports.create()
            return (await client.run(client.exports.create(project=project))).unwrap()

    project = fake.add_project()["uid"]
    assert asyncio.run(main()).status == "pending"
    assert [(r.method, r.body) for r in fake.requests] == [("POST", {"project": project})]


@pytest.mark.parametrize(
    "kwargs",
    [{"project": ""}, {"project": "  "}, {"dataset": "\t"}, {"project": "p", "dataset": " "}],
    ids=repr,
)
def test_a_blank_target_is_refused_naming_it(client: Client, kwargs: dict[str, Any]) -> None:
    blank = next(name for name, value in kwargs.items() if not value.strip())
    with pytest.raises(ValueError, match=f"^{blank}"):
        client.exports.create(**kwargs)


def test_a_target_of_the_wrong_type_is_a_type_error(client: Client) -> None:
    with pytest.raises(TypeError, match=r"^project\b"):
        client.exports.create(project=7)  # type: ignore[arg-type]
