"""AsyncClient runs the same request values as Client, with gathers concurrent."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from returns.result import Success

from avala import AsyncClient, NotFoundError, gather
from avala.testing import FakeAvala, Fault
from tests.conftest import FAST_RETRY


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def test_runs_the_same_values_as_client(fake: FakeAvala) -> None:
    p = fake.add_project(name="Async")

    async def main() -> None:
        async with AsyncClient(retry_policy=FAST_RETRY) as client:
            req = client.projects.get(p["uid"]).map(lambda x: x.name)
            assert await client.run(req) == Success("Async")
            assert isinstance(
                (await client.run(client.projects.get("no"))).failure(), NotFoundError
            )
            raw = (await client.run_raw(client.projects.list())).unwrap()
            assert raw.status_code == 200 and "x-ratelimit-remaining" in raw.headers
            assert client.rate_limit_info["x-ratelimit-limit"] == "1000"

    run(main())
    assert [r.path for r in fake.requests][:2] == [
        f"/users/me/projects/{p['uid']}/",
        "/users/me/projects/no/",
    ]


def test_gather_is_concurrent_and_bounded(fake: FakeAvala) -> None:
    datasets = [fake.add_dataset(name=f"D{i}") for i in range(12)]
    fake.latency = 0.25  # long enough that scheduling noise cannot hide the difference

    async def main(limit: int) -> tuple[float, list[str]]:
        async with AsyncClient(max_concurrency=limit) as client:
            started = time.monotonic()
            result = await client.run(gather(*(client.datasets.get(d["uid"]) for d in datasets)))
            return time.monotonic() - started, [d.name for d in result.unwrap()]

    fast, names = run(main(12))
    assert names == [f"D{i}" for i in range(12)]  # argument order, whatever finished first
    slow, _ = run(main(2))
    assert fast < 1.2  # all at once: 0.25 s; two at a time: 1.5 s; one by one: 3 s
    assert slow >= 1.45  # two at a time: at least 6 rounds of 0.25 s


def test_retries_and_timeouts_work_the_same(fake: FakeAvala) -> None:
    fake.inject(Fault.status(503), path="/users/me/projects/")

    async def main() -> None:
        async with AsyncClient(retry_policy=FAST_RETRY) as client:
            assert (await client.run(client.projects.list())).unwrap().items == ()
            fake.inject(Fault.delay(1.0), path="/tasks/")
            req = client.tasks.list().with_timeout(0.2).with_max_retries(0)
            err = (await client.run(req)).failure()
            assert type(err).__name__ == "RequestTimeoutError"

    run(main())
    assert sum(r.path == "/users/me/projects/" for r in fake.requests) == 2


def test_async_iterate(fake: FakeAvala) -> None:
    seeded = [fake.add_task(name=f"t{i}") for i in range(5)]

    async def main() -> list[str]:
        async with AsyncClient() as client:
            return [r.unwrap().uid async for r in client.iterate(client.tasks.list(limit=2))]

    assert run(main()) == [t["uid"] for t in seeded]
    assert len(fake.requests) == 3


def test_export_wait_on_async(fake: FakeAvala) -> None:
    project = fake.add_project()["uid"]

    async def main() -> str | None:
        async with AsyncClient() as client:
            export = (await client.run(client.exports.create(project=project))).unwrap()
            done = await client.run(client.exports.wait(export.uid, interval=0.01))
            return done.unwrap().status

    assert run(main()) == "exported"


def test_closed_async_client_refuses(fake: FakeAvala) -> None:
    async def main() -> None:
        client = AsyncClient()
        await client.aclose()
        await client.aclose()
        with pytest.raises(RuntimeError, match="closed"):
            await client.run(client.projects.list())

    run(main())


@pytest.mark.parametrize("bad", [0, -1])
def test_concurrency_must_be_positive(fake: FakeAvala, bad: int) -> None:
    with pytest.raises(ValueError):
        AsyncClient(max_concurrency=bad)


def test_sequence_stays_in_order_on_the_async_client(fake: FakeAvala) -> None:
    from avala import sequence

    datasets = [fake.add_dataset(name=f"D{i}") for i in range(6)]
    fake.latency = 0.02

    async def main() -> list[str]:
        async with AsyncClient(max_concurrency=6) as client:
            req = sequence(*(client.datasets.get(d["uid"]) for d in datasets))
            return [d.name for d in (await client.run(req)).unwrap()]

    assert run(main()) == [f"D{i}" for i in range(6)]
    assert [r.path for r in fake.requests] == [f"/datasets/{d['uid']}/" for d in datasets]


def test_async_run_or_raise_and_items(fake: FakeAvala) -> None:
    p = fake.add_project(name="Lanes")
    seeded = [fake.add_task(name=f"t{i}") for i in range(5)]

    async def main() -> None:
        async with AsyncClient(retry_policy=FAST_RETRY) as client:
            assert (await client.run_or_raise(client.projects.get(p["uid"]))).name == "Lanes"
            with pytest.raises(NotFoundError) as caught:
                await client.run_or_raise(client.projects.get("ghost"))
            assert caught.value.status_code == 404
            walked = [t.uid async for t in client.items(client.tasks.list(limit=2))]
            assert walked == [t["uid"] for t in seeded]
            few = [t.uid async for t in client.items(client.tasks.list(limit=2), max_items=3)]
            assert few == walked[:3]

    run(main())
    assert sum(r.path == "/tasks/" for r in fake.requests) == 3 + 2


def test_async_items_raises_the_typed_error(fake: FakeAvala) -> None:
    for i in range(4):
        fake.add_task(name=f"t{i}")

    async def main() -> list[str]:
        names: list[str] = []
        async with AsyncClient(retry_policy=FAST_RETRY) as client:
            with pytest.raises(NotFoundError):
                async for task in client.items(client.tasks.list(limit=2)):
                    names.append(task.name)
                    if len(names) == 2:
                        fake.inject(Fault.status(404), path="/tasks/")
        return names

    assert run(main()) == ["t0", "t1"]


def test_recover_on_the_async_client(fake: FakeAvala) -> None:
    from avala import fail

    async def main() -> list[str]:
        async with AsyncClient(retry_policy=FAST_RETRY) as client:
            get_or_create = client.datasets.get_by_slug("acme", "dashcam").recover(
                lambda error: (
                    client.datasets.create(
                        name="Dashcam", slug="dashcam", data_type="image", owner_name="acme"
                    )
                    if isinstance(error, NotFoundError)
                    else fail(error)
                )
            )
            first = await client.run_or_raise(get_or_create)
            second = await client.run_or_raise(get_or_create)
            return [first.uid, second.uid]

    first, second = run(main())
    assert first == second
    assert [r.method for r in fake.requests] == ["GET", "POST", "GET"]


def test_one_client_serves_successive_and_parallel_event_loops(fake: FakeAvala) -> None:
    """max_concurrency=1 makes gathered calls wait for a slot, which is where a slot
    semaphore bound to the first loop used to fail on the next one."""
    datasets = [fake.add_dataset(name=f"D{i}") for i in range(3)]
    client = AsyncClient(max_concurrency=1)
    request = gather(*(client.datasets.get(d["uid"]) for d in datasets))

    async def names() -> list[str]:
        return [d.name for d in (await client.run(request)).unwrap()]

    assert asyncio.run(names()) == ["D0", "D1", "D2"]
    assert asyncio.run(names()) == ["D0", "D1", "D2"]  # a second loop, the same client
    in_threads: list[list[str]] = []
    threads = [
        threading.Thread(target=lambda: in_threads.append(asyncio.run(names()))) for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert in_threads == [["D0", "D1", "D2"]] * 2  # two loops at once
    asyncio.run(client.aclose())
    assert len(fake.requests) == 12
