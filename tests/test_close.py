"""Closing a client while runs are in flight: they send nothing more and end as Failures.

Synchronisation is on what the fake received, never on a sleep of the right length.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from returns.result import Failure, Result

from avala import (
    AsyncClient,
    AvalaError,
    Client,
    ClientClosedError,
    ConnectionFailedError,
    gather,
    resources,
    sequence,
)
from avala.testing import FakeAvala, Fault

PROJECTS = resources.Projects()
TASKS = resources.Tasks()


def wait_until(condition: Callable[[], bool], within: float = 10.0) -> None:
    ends = time.monotonic() + within
    while not condition():
        assert time.monotonic() < ends, "condition not reached"
        time.sleep(0.005)


async def async_wait_until(condition: Callable[[], bool], within: float = 10.0) -> None:
    ends = time.monotonic() + within
    while not condition():
        assert time.monotonic() < ends, "condition not reached"
        await asyncio.sleep(0.005)


def four_gets(fake: FakeAvala) -> tuple[list[str], Any]:
    uids = [fake.add_project(name=f"P{i}")["uid"] for i in range(4)]
    fake.inject(Fault.delay(1.0), path=f"/users/me/projects/{uids[1]}/")
    return uids, sequence(*(PROJECTS.get(uid) for uid in uids))


def test_close_stops_a_sequence_running_on_another_thread(fake: FakeAvala) -> None:
    uids, request = four_gets(fake)
    client = Client(max_retries=0)
    results: list[Result[Any, AvalaError]] = []
    worker = threading.Thread(target=lambda: results.append(client.run(request)))
    worker.start()
    wait_until(lambda: len(fake.requests) == 2)  # the second call is in flight
    client.close()
    worker.join(10)
    assert not worker.is_alive()
    assert isinstance(results[0], Failure)
    assert isinstance(results[0].failure(), ConnectionFailedError)  # ClientClosedError is one
    assert [r.path.split("/")[-2] for r in fake.requests] == uids[:2]


def test_close_cuts_a_backoff_short(fake: FakeAvala) -> None:
    fake.inject(Fault.retry_after(30, status=503))
    client = Client()
    results: list[Result[Any, AvalaError]] = []
    worker = threading.Thread(target=lambda: results.append(client.run(PROJECTS.list())))
    worker.start()
    wait_until(lambda: len(fake.requests) == 1)
    started = time.monotonic()
    client.close()
    worker.join(10)
    assert time.monotonic() - started < 5  # not the 30 s the server asked for
    err = results[0].failure()
    assert isinstance(err, ClientClosedError) and "closed" in err.message
    assert len(fake.requests) == 1


def test_closing_while_iterating_ends_the_walk_with_a_failure(fake: FakeAvala) -> None:
    for i in range(3):
        fake.add_task(name=f"t{i}")
    client = Client()
    walk = client.iterate(TASKS.list(limit=1))
    assert next(walk).unwrap().name == "t0"
    client.close()
    rest = list(walk)
    assert len(rest) == 1 and isinstance(rest[0].failure(), ClientClosedError)
    assert len(fake.requests) == 1


def test_a_closed_client_refuses_new_runs(fake: FakeAvala) -> None:
    """Running on a client already closed is a programming error, raised at once."""
    client = Client()
    client.close()
    with pytest.raises(RuntimeError, match="closed"):
        client.run(PROJECTS.list())
    assert fake.requests == []


def test_aclose_ends_a_sequence_in_flight_as_a_failure(fake: FakeAvala) -> None:
    uids, request = four_gets(fake)

    async def main() -> Result[Any, AvalaError]:
        client = AsyncClient(max_retries=0)
        running = asyncio.create_task(client.run(request))
        await async_wait_until(lambda: len(fake.requests) == 2)
        await client.aclose()
        return await asyncio.wait_for(running, 10)

    err = asyncio.run(main()).failure()
    assert isinstance(err, ConnectionFailedError)
    assert [r.path.split("/")[-2] for r in fake.requests] == uids[:2]


def test_aclose_ends_queued_gathered_calls_as_failures(fake: FakeAvala) -> None:
    """Calls waiting for a worker thread when the client closes are not cancelled
    (no CancelledError for the caller): they end as Failures, unsent."""
    uids = [fake.add_project(name=f"P{i}")["uid"] for i in range(3)]
    fake.inject(Fault.delay(1.0), path=f"/users/me/projects/{uids[0]}/")
    request = gather(*(PROJECTS.get(uid) for uid in uids))

    async def main() -> Result[Any, AvalaError]:
        client = AsyncClient(max_concurrency=1, max_retries=0)
        running = asyncio.create_task(client.run(request))
        await async_wait_until(lambda: len(fake.requests) == 1)
        await client.aclose()
        return await asyncio.wait_for(running, 10)

    err = asyncio.run(main()).failure()
    assert isinstance(err, ConnectionFailedError)
    assert [r.path.split("/")[-2] for r in fake.requests] == uids[:1]


def test_aclose_cuts_a_backoff_short(fake: FakeAvala) -> None:
    fake.inject(Fault.retry_after(30, status=503))

    async def main() -> tuple[Result[Any, AvalaError], float]:
        client = AsyncClient()
        running = asyncio.create_task(client.run(PROJECTS.list()))
        await async_wait_until(lambda: len(fake.requests) == 1)
        started = time.monotonic()
        await client.aclose()
        result = await asyncio.wait_for(running, 10)
        return result, time.monotonic() - started

    result, elapsed = asyncio.run(main())
    assert isinstance(result.failure(), ClientClosedError)
    assert elapsed < 5
    assert len(fake.requests) == 1


def test_aclose_while_iterating_ends_the_walk_with_a_failure(fake: FakeAvala) -> None:
    for i in range(3):
        fake.add_task(name=f"t{i}")

    async def main() -> list[Result[Any, AvalaError]]:
        client = AsyncClient()
        walk = client.iterate(TASKS.list(limit=1))
        got = [await anext(walk)]
        await client.aclose()
        return got + [r async for r in walk]

    results = asyncio.run(main())
    assert results[0].unwrap().name == "t0"
    assert len(results) == 2 and isinstance(results[1].failure(), ClientClosedError)
    assert len(fake.requests) == 1
