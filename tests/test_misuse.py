"""A request used as if it were its result (the raising SDK's habits) explains itself and
names the fix; a non-request handed to a client or returned by a step is refused by name.

The assertions check the fix a message names, not its wording.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import pickle
from collections.abc import Callable
from typing import Any

import pytest

from avala import AsyncClient, Client, Request, gather, pure
from avala.resources import Projects, Tasks
from avala.testing import FakeAvala
from tests.conftest import FAST_RETRY

projects, tasks = Projects(), Tasks()
LIST = projects.list(limit=5)
ONE = projects.get("p-1")
COMPOSED: list[Request[Any]] = [ONE.map(str), gather(ONE, LIST), pure(3), ONE.bind(lambda p: LIST)]


# --- iterating, indexing, len, await on a request ----------------------------------------


def test_iterating_a_list_request_names_run_items_and_iterate() -> None:
    with pytest.raises(TypeError) as caught:
        for _ in LIST:  # type: ignore[attr-defined]
            pass
    message = str(caught.value)
    assert "client.run(" in message
    assert "client.items(" in message and "client.iterate(" in message
    assert "projects.list" in message  # says which request it is


@pytest.mark.parametrize("request_", [ONE, *COMPOSED])
def test_iterating_or_unpacking_any_request_names_run(request_: Request[Any]) -> None:
    with pytest.raises(TypeError, match=r"client\.run\("):
        iter(request_)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"client\.run\("):
        _first, _second = request_  # type: ignore[misc]


@pytest.mark.parametrize("request_", [LIST, ONE, *COMPOSED])
def test_indexing_and_len_name_run(request_: Request[Any]) -> None:
    with pytest.raises(TypeError, match=r"client\.run\("):
        request_[0]  # type: ignore[index]
    with pytest.raises(TypeError, match=r"client\.run\("):
        len(request_)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"client\.run\("):
        assert 1 in request_  # type: ignore[operator]


@pytest.mark.parametrize("request_", [LIST, ONE, *COMPOSED])
def test_a_request_is_still_truthy(request_: Request[Any]) -> None:
    assert bool(request_) is True  # len() refusing must not make `if request:` raise


def test_awaiting_a_request_names_await_client_run() -> None:
    async def habit() -> object:
        return await LIST  # type: ignore[misc]

    with pytest.raises(TypeError, match=r"await client\.run\("):
        asyncio.run(habit())


def test_async_for_over_a_list_request_names_client_items() -> None:
    async def habit() -> None:
        async for _ in LIST:  # type: ignore[attr-defined]
            pass

    with pytest.raises(TypeError, match=r"client\.items\("):
        asyncio.run(habit())


# --- attributes the old SDK's users reach for ---------------------------------------------


@pytest.mark.parametrize("name", ["items", "results", "next_cursor", "previous_cursor", "count"])
def test_page_attributes_on_a_list_request_name_the_fix(name: str) -> None:
    with pytest.raises(AttributeError) as caught:
        getattr(LIST, name)
    message = str(caught.value)
    assert "client.run(" in message and "client.items(" in message
    assert caught.value.name == name


@pytest.mark.parametrize("name", ["name", "uid", "status"])
def test_model_attributes_on_a_request_name_run(name: str) -> None:
    with pytest.raises(AttributeError, match=r"client\.run\("):
        getattr(ONE, name)
    with pytest.raises(AttributeError, match=r"client\.run\("):
        getattr(ONE.map(str), name)


def test_real_fields_and_probes_behave_as_before() -> None:
    assert hasattr(LIST, "endpoint") and LIST.endpoint == "projects.list"
    assert not hasattr(LIST, "items")
    assert getattr(LIST, "results", None) is None
    assert not hasattr(LIST, "__array__") and not hasattr(LIST, "_repr_html_")
    with pytest.raises(AttributeError) as caught:
        LIST._private  # type: ignore[attr-defined]  # noqa: B018
    assert "client.run(" not in str(caught.value)  # only public names get the long story


@pytest.mark.parametrize("request_", [LIST, ONE, pure(3), gather(ONE, LIST)])
def test_copy_pickle_and_replace_still_work(request_: Request[Any]) -> None:
    assert copy.copy(request_) == request_
    assert copy.deepcopy(request_) == request_
    assert pickle.loads(pickle.dumps(request_)) == request_
    assert dataclasses.replace(request_) == request_  # type: ignore[type-var]
    assert hash(request_) == hash(copy.deepcopy(request_))


# --- a client handed something that is not a request ---------------------------------------

NOT_REQUESTS: list[object] = ["projects.list", None, [LIST], {"uid": "p-1"}]


def _sync_entry_points(client: Client) -> list[Callable[[Any], Any]]:
    return [
        client.run,
        client.run_raw,
        client.run_or_raise,
        lambda x: next(client.iterate(x)),
        lambda x: next(client.items(x)),
    ]


@pytest.mark.parametrize("thing", NOT_REQUESTS, ids=lambda x: type(x).__name__)
def test_client_refuses_a_non_request_naming_request(
    client: Client, fake: FakeAvala, thing: object
) -> None:
    for entry in _sync_entry_points(client):
        with pytest.raises(TypeError, match="Request"):
            entry(thing)
    assert fake.requests == []


@pytest.mark.parametrize("thing", NOT_REQUESTS, ids=lambda x: type(x).__name__)
def test_async_client_refuses_a_non_request_naming_request(fake: FakeAvala, thing: object) -> None:
    async def main() -> None:
        async with AsyncClient(retry_policy=FAST_RETRY) as client:
            for run in (client.run, client.run_raw, client.run_or_raise):
                with pytest.raises(TypeError, match="Request"):
                    await run(thing)  # type: ignore[arg-type]
            with pytest.raises(TypeError, match="Request"):
                await anext(client.iterate(thing))  # type: ignore[arg-type]
            with pytest.raises(TypeError, match="Request"):
                await anext(client.items(thing))  # type: ignore[arg-type]

    asyncio.run(main())
    assert fake.requests == []


# --- a bind or recover step that builds something other than a request ---------------------


def name_of_the_project(project: Any) -> str:
    return str(project.name)


def test_bind_returning_a_non_request_names_the_bind_step(client: Client, fake: FakeAvala) -> None:
    p = fake.add_project(name="Lanes")
    chain = client.projects.get(p["uid"]).bind(name_of_the_project)  # type: ignore[arg-type]
    with pytest.raises(TypeError) as caught:
        client.run(chain)
    message = str(caught.value)
    assert "bind" in message and name_of_the_project.__qualname__ in message
    assert "pure(" in message and ".map(" in message  # the two fixes


def test_bind_returning_a_non_request_on_async_client(fake: FakeAvala) -> None:
    p = fake.add_project(name="Lanes")

    async def main() -> None:
        async with AsyncClient(retry_policy=FAST_RETRY) as client:
            chain = client.projects.get(p["uid"]).bind(lambda project: project.name)
            await client.run(chain)

    with pytest.raises(TypeError, match=r"bind.*<lambda>"):
        asyncio.run(main())


def test_recover_returning_a_non_request_names_the_recover_step(client: Client) -> None:
    chain = client.projects.get("ghost").recover(lambda error: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(TypeError) as caught:
        client.run(chain)
    message = str(caught.value)
    assert "recover" in message and "<lambda>" in message
    assert "pure(" in message and "fail(" in message
