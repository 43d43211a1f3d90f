"""The call deadline: one time budget over every try, backoff and Retry-After wait of a run.

Each test would take tens of seconds (or succeed) without the deadline; the bounds
asserted are generous, since the point is minutes against seconds.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from returns.result import Result

from avala import (
    AsyncClient,
    AvalaError,
    Client,
    RateLimitError,
    RequestTimeoutError,
    RetryPolicy,
    ServerError,
    WaitTimeoutError,
    gather,
    poll,
    resources,
    sequence,
)
from avala.testing import FakeAvala, Fault
from tests.drivers import KINDS, run

PROJECTS = resources.Projects()
DATASETS = resources.Datasets()
SLOW_BACKOFF = RetryPolicy(backoff_initial=20.0, backoff_max=20.0)


@pytest.mark.parametrize("kind", KINDS)
def test_retry_after_past_the_deadline_stops_at_once(fake: FakeAvala, kind: str) -> None:
    fake.inject(Fault.retry_after(100000, status=503), Fault.retry_after(100000, status=503))
    started = time.monotonic()
    result = run(kind, PROJECTS.list(), timeout=2, max_retries=1, deadline=3)
    elapsed = time.monotonic() - started
    err = result.failure()
    assert type(err) is ServerError and err.status_code == 503
    assert err.retry_after == 100000  # what the server asked for, uncapped
    assert elapsed < 5  # without the deadline: a 60 s (capped) sleep, then a second try
    assert len(fake.requests) == 1  # it did not try again


@pytest.mark.parametrize("kind", KINDS)
def test_a_429_past_the_request_deadline_is_a_rate_limit_error(fake: FakeAvala, kind: str) -> None:
    fake.inject(Fault.retry_after(30))
    request = PROJECTS.list().with_deadline(10)
    started = time.monotonic()
    err = run(kind, request).failure()
    assert isinstance(err, RateLimitError) and err.retry_after == 30
    assert time.monotonic() - started < 5
    assert len(fake.requests) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_the_servers_ask_counts_not_the_capped_wait(fake: FakeAvala, kind: str) -> None:
    """Retry-After 30 with a 10 s budget: nothing can succeed in time, even though the
    policy's cap would have tried again after 1 s."""
    fake.inject(Fault.retry_after(30), Fault.retry_after(30))
    policy = RetryPolicy(retry_after_max=1.0)
    err = run(kind, PROJECTS.list(), retry_policy=policy, deadline=10).failure()
    assert isinstance(err, RateLimitError) and err.retry_after == 30
    assert len(fake.requests) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_retry_after_within_the_deadline_is_honoured(fake: FakeAvala, kind: str) -> None:
    fake.inject(Fault.retry_after(1, status=503))
    started = time.monotonic()
    result = run(kind, PROJECTS.list(), deadline=20)
    assert result.unwrap().items == ()
    assert time.monotonic() - started >= 0.9  # it waited as asked
    assert len(fake.requests) == 2


@pytest.mark.parametrize("kind", KINDS)
def test_the_deadline_cuts_a_try_short(fake: FakeAvala, kind: str) -> None:
    fake.inject(Fault.delay(4))
    request = PROJECTS.list().with_deadline(1).with_max_retries(0)
    started = time.monotonic()
    err = run(kind, request, timeout=20).failure()
    assert isinstance(err, RequestTimeoutError)
    assert time.monotonic() - started < 3  # the try waited ~1 s, not the 4 s delay


@pytest.mark.parametrize("kind", KINDS)
def test_a_backoff_past_the_deadline_stops_with_the_last_error(fake: FakeAvala, kind: str) -> None:
    fake.inject(Fault.status(502), Fault.status(502))
    started = time.monotonic()
    err = run(kind, PROJECTS.list(), retry_policy=SLOW_BACKOFF, deadline=3).failure()
    assert type(err) is ServerError and err.status_code == 502
    assert time.monotonic() - started < 2.5  # a 10-20 s backoff would outlast it: no sleep
    assert len(fake.requests) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_deadline_covers_every_call_of_a_composed_request(fake: FakeAvala, kind: str) -> None:
    a, b = fake.add_project(name="A"), fake.add_project(name="B")
    fake.inject(Fault.delay(1.5), Fault.delay(1.5))
    get = PROJECTS.get
    request = sequence(get(a["uid"]), get(b["uid"])).with_deadline(2).with_max_retries(0)
    started = time.monotonic()
    err = run(kind, request, timeout=10).failure()  # without the deadline: Success after 3 s
    assert isinstance(err, RequestTimeoutError)
    assert time.monotonic() - started < 2.8
    assert [r.path for r in fake.requests] == [f"/users/me/projects/{p['uid']}/" for p in (a, b)]


@pytest.mark.parametrize("kind", KINDS)
def test_a_deadline_bounds_polling(fake: FakeAvala, kind: str) -> None:
    p = fake.add_project(name="never ready")
    request = poll(PROJECTS.get(p["uid"]), lambda _: False, interval=0.3, timeout=60)
    started = time.monotonic()
    err = run(kind, request.with_deadline(1.5)).failure()
    assert isinstance(err, WaitTimeoutError) and err.last.name == "never ready"
    assert "deadline" in err.message
    assert time.monotonic() - started < 3
    assert 2 <= len(fake.requests) <= 6


@pytest.mark.parametrize("kind", KINDS)
def test_the_client_default_applies_per_run(fake: FakeAvala, kind: str) -> None:
    """Each run gets a fresh budget: two runs of 1 s each fit a 2 s default."""
    fake.inject(Fault.delay(1.0), Fault.delay(1.0))

    if kind == "sync":
        with Client(deadline=2, max_retries=0) as client:
            results = [client.run(PROJECTS.list()) for _ in range(2)]
    else:

        async def main() -> list[Result[Any, AvalaError]]:
            async with AsyncClient(deadline=2, max_retries=0) as client:
                return [await client.run(PROJECTS.list()) for _ in range(2)]

        results = asyncio.run(main())
    assert [r.unwrap().items for r in results] == [(), ()]


@pytest.mark.parametrize("kind", KINDS)
def test_the_requests_own_deadline_replaces_the_client_default(fake: FakeAvala, kind: str) -> None:
    fake.inject(Fault.delay(1.5))
    request = PROJECTS.list().with_max_retries(0)
    assert isinstance(run(kind, request, deadline=0.5).failure(), RequestTimeoutError)
    fake.inject(Fault.delay(1.5))
    assert run(kind, request.with_deadline(10), deadline=0.5).unwrap().items == ()


@pytest.mark.parametrize("kind", KINDS)
def test_an_inner_deadline_starts_with_its_part(fake: FakeAvala, kind: str) -> None:
    fake.inject(Fault.delay(1.5), Fault.delay(1.5))
    request = sequence(PROJECTS.list(), PROJECTS.list().with_deadline(0.5))
    # The looser outer budget does not lift the inner one.
    err = run(kind, request.with_deadline(30).with_max_retries(0)).failure()
    assert isinstance(err, RequestTimeoutError)
    # The first part took 1.5 s and spent nothing of the second's budget: the second was sent.
    assert len(fake.requests) == 2


@pytest.mark.parametrize("kind", KINDS)
def test_an_outer_deadline_bounds_a_looser_inner_one(fake: FakeAvala, kind: str) -> None:
    fake.inject(Fault.delay(1.5), Fault.delay(1.5))
    inner = sequence(PROJECTS.list(), PROJECTS.list().with_deadline(30))
    started = time.monotonic()
    err = run(kind, inner.with_deadline(2).with_max_retries(0), timeout=10).failure()
    assert isinstance(err, RequestTimeoutError)
    assert time.monotonic() - started < 2.8


def test_deadline_values_are_checked() -> None:
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="deadline"):
            PROJECTS.list().with_deadline(bad)
        with pytest.raises(ValueError, match="deadline"):
            Client(api_key="k", deadline=bad)
    for wrong in ("3", True):
        with pytest.raises(TypeError, match="deadline"):
            PROJECTS.list().with_deadline(wrong)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="deadline"):
            AsyncClient(api_key="k", deadline=wrong)  # type: ignore[arg-type]
    assert PROJECTS.list().with_deadline(3).options.deadline == 3.0
    assert PROJECTS.list().with_deadline(3) == PROJECTS.list().with_deadline(3.0)


def test_a_try_waiting_for_a_slot_spends_the_budget(fake: FakeAvala) -> None:
    """AsyncClient: a try's clock starts when it gets a slot; one that finds the budget
    spent by then is not sent at all."""
    fake.inject(Fault.delay(2.5), path="/users/me/projects/")
    request = gather(PROJECTS.list(), DATASETS.list()).with_deadline(1)

    async def main() -> Result[Any, AvalaError]:
        async with AsyncClient(max_concurrency=1, timeout=10) as client:
            return await client.run(request)

    started = time.monotonic()
    err = asyncio.run(main()).failure()
    assert isinstance(err, RequestTimeoutError)
    assert time.monotonic() - started < 2.2
    assert [r.path for r in fake.requests] == ["/users/me/projects/"]  # datasets never sent
