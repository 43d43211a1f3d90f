"""Retries and failures under injected faults, over real sockets."""

from __future__ import annotations

import asyncio
import email.utils
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from returns.result import Result

from avala import (
    AsyncClient,
    AvalaError,
    Call,
    Client,
    ConnectionFailedError,
    DecodeError,
    RateLimitError,
    RequestTimeoutError,
    RetryPolicy,
    ServerError,
)
from avala.testing import FakeAvala, Fault
from avala.testing._faults import apply_fault
from avala.testing._routing import FakeResponse
from avala.types import Export
from tests.conftest import FAST_RETRY

PROJECTS = "/users/me/projects/"
T = TypeVar("T")


def count(fake: FakeAvala, method: str, path: str) -> int:
    return sum(1 for r in fake.requests if r.method == method and r.path == path)


def create_export(fake: FakeAvala, client: Client) -> Call[Export]:
    """A POST that creates something: an export of a new project."""
    return client.exports.create(project=fake.add_project()["uid"])


def test_503_503_then_200_recovers(fake: FakeAvala, client: Client) -> None:
    fake.add_project(name="A")
    fake.inject(Fault.status(503), Fault.status(503), path=PROJECTS)
    page = client.run(client.projects.list()).unwrap()
    assert [p.name for p in page] == ["A"]
    assert count(fake, "GET", PROJECTS) == 3


def test_gives_up_after_max_retries(fake: FakeAvala, client: Client) -> None:
    fake.inject(*[Fault.status(500)] * 5, path=PROJECTS)
    err = client.run(client.projects.list()).failure()
    assert isinstance(err, ServerError) and err.status_code == 500
    assert count(fake, "GET", PROJECTS) == 3  # first try + max_retries=2


def test_per_request_max_retries(fake: FakeAvala, client: Client) -> None:
    fake.inject(Fault.status(503), path=PROJECTS)
    err = client.run(client.projects.list().with_max_retries(0)).failure()
    assert isinstance(err, ServerError)
    assert count(fake, "GET", PROJECTS) == 1


def test_429_with_retry_after_seconds(fake: FakeAvala, client: Client) -> None:
    fake.inject(Fault.retry_after(0.02), path=PROJECTS)
    started = time.monotonic()
    assert client.run(client.projects.list()).unwrap().items == ()
    assert time.monotonic() - started >= 0.02
    assert count(fake, "GET", PROJECTS) == 2


def an_hour_ahead() -> str:
    return email.utils.formatdate(time.time() + 3600, usegmt=True)


def within(seconds: float, call: Callable[[], T]) -> T:
    """``call()``'s value, or a test failure if it takes longer: a wait the policy should
    have cut must fail the test, not hang it for an hour."""
    done: list[T] = []
    worker = threading.Thread(target=lambda: done.append(call()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert done, f"still running after {seconds} s"
    return done[0]


@pytest.mark.parametrize("retry_after", [3600, "an hour ahead"])
def test_a_distant_retry_after_waits_only_the_policy_cap(
    fake: FakeAvala, client: Client, retry_after: int | str
) -> None:
    """The client's policy caps Retry-After at 0.05 s (FAST_RETRY): the retry comes at once."""
    value = an_hour_ahead() if retry_after == "an hour ahead" else retry_after
    fake.inject(Fault.retry_after(value), path=PROJECTS)
    result = within(5.0, lambda: client.run(client.projects.list()))
    assert result.unwrap().items == ()
    assert count(fake, "GET", PROJECTS) == 2


@pytest.mark.parametrize("retry_after", [3600, "an hour ahead"])
def test_a_distant_retry_after_waits_only_the_policy_cap_async(
    fake: FakeAvala, retry_after: int | str
) -> None:
    value = an_hour_ahead() if retry_after == "an hour ahead" else retry_after
    fake.inject(Fault.retry_after(value), path=PROJECTS)

    async def main() -> Result[Any, AvalaError]:
        async with AsyncClient(retry_policy=FAST_RETRY) as client:
            return await asyncio.wait_for(client.run(client.projects.list()), timeout=5.0)

    assert asyncio.run(main()).unwrap().items == ()
    assert count(fake, "GET", PROJECTS) == 2


def test_429_that_persists_surfaces_retry_after(fake: FakeAvala, client: Client) -> None:
    fake.inject(*[Fault.retry_after(3)] * 3, path=PROJECTS)
    err = client.run(client.projects.list()).failure()
    assert isinstance(err, RateLimitError) and err.retry_after == 3.0


def test_dropped_connection_before_processing_is_retried(fake: FakeAvala, client: Client) -> None:
    fake.inject(Fault.drop_before(), path=PROJECTS)
    assert client.run(client.projects.list()).unwrap().items == ()
    assert count(fake, "GET", PROJECTS) == 2


@pytest.mark.parametrize(("fault", "created"), [(Fault.drop_before(), 0), (Fault.drop_after(), 1)])
def test_a_dropped_create_happened_only_when_dropped_after(
    fake: FakeAvala, client: Client, fault: Fault, created: int
) -> None:
    """The two drops differ only in whether the server acted: a create shows it."""
    fake.inject(fault, path="/agents/")
    err = client.run(client.agents.create(name="dropped", events=["task.completed"])).failure()
    assert isinstance(err, ConnectionFailedError)
    assert count(fake, "POST", "/agents/") == 1  # not resent: the client cannot tell them apart
    assert fake.store.create_count["agents"] == created
    listed = client.run(client.agents.list()).unwrap()
    assert [a.name for a in listed] == ["dropped"] * created


def test_a_keyed_create_dropped_before_is_resent_and_created_once(
    fake: FakeAvala, client: Client
) -> None:
    fake.inject(Fault.drop_before(), path="/exports/")
    export = client.run(create_export(fake, client).with_idempotency_key("order-8")).unwrap()
    assert count(fake, "POST", "/exports/") == 2
    assert fake.store.create_count["exports"] == 1
    assert [e["uid"] for e in fake.store.all("exports")] == [export.uid]


def test_post_is_not_resent_after_a_5xx(fake: FakeAvala, client: Client) -> None:
    fake.inject(Fault.status(503), path="/exports/")
    err = client.run(create_export(fake, client)).failure()
    assert isinstance(err, ServerError)
    assert count(fake, "POST", "/exports/") == 1


def test_post_is_not_resent_when_the_server_may_have_acted(fake: FakeAvala, client: Client) -> None:
    fake.inject(Fault.drop_after(), path="/exports/")
    err = client.run(create_export(fake, client)).failure()
    assert isinstance(err, ConnectionFailedError)
    assert count(fake, "POST", "/exports/") == 1
    assert fake.store.create_count["exports"] == 1  # it did act: sending again would duplicate


def test_post_with_idempotency_key_is_resent_and_created_once(
    fake: FakeAvala, client: Client
) -> None:
    fake.inject(Fault.drop_after(), path="/exports/")
    export = client.run(create_export(fake, client).with_idempotency_key("order-7")).unwrap()
    posts = [r for r in fake.requests if r.method == "POST"]
    assert [r.headers["idempotency-key"] for r in posts] == ["order-7", "order-7"]
    assert fake.store.create_count["exports"] == 1
    assert [e["uid"] for e in fake.store.all("exports")] == [export.uid]


def test_post_is_resent_after_429_with_retry_after(fake: FakeAvala, client: Client) -> None:
    fake.inject(Fault.retry_after(0.01), path="/exports/")
    assert client.run(create_export(fake, client)).unwrap().status == "pending"
    assert count(fake, "POST", "/exports/") == 2
    assert fake.store.create_count["exports"] == 1


def test_timeout_then_success(fake: FakeAvala, client: Client) -> None:
    fake.inject(Fault.delay(3.0), path=PROJECTS)
    result = client.run(client.projects.list().with_timeout(0.5))
    assert result.unwrap().items == ()
    assert count(fake, "GET", PROJECTS) == 2


def test_timeout_without_retries_is_a_timeout_error(fake: FakeAvala, client: Client) -> None:
    fake.inject(Fault.delay(4.0), path=PROJECTS)
    req = client.projects.list().with_timeout(0.5).with_max_retries(0)
    started = time.monotonic()
    err = client.run(req).failure()
    assert isinstance(err, RequestTimeoutError)
    assert time.monotonic() - started < 3.0  # gave up long before the server answered


def test_malformed_json_is_a_decode_error(fake: FakeAvala, client: Client) -> None:
    fake.inject(Fault.malformed_json(), path=PROJECTS)
    err = client.run(client.projects.list()).failure()
    assert isinstance(err, DecodeError) and "not valid JSON" in err.message
    assert count(fake, "GET", PROJECTS) == 1


def test_wrong_content_type_is_a_decode_error(fake: FakeAvala, client: Client) -> None:
    fake.inject(Fault.wrong_content_type(), path=PROJECTS)
    assert isinstance(client.run(client.projects.list()).failure(), DecodeError)


def test_missing_field_names_its_path(fake: FakeAvala, client: Client) -> None:
    p = fake.add_project()
    fake.inject(Fault.missing_fields("name"), path=f"{PROJECTS}{p['uid']}/")
    err = client.run(client.projects.get(p["uid"])).failure()
    assert isinstance(err, DecodeError) and err.path == "$.name"


def test_missing_field_in_a_page_names_the_item_path(fake: FakeAvala, client: Client) -> None:
    fake.add_project(name="A")
    fake.add_project(name="B")
    fake.inject(Fault.missing_fields("name"), path=PROJECTS)
    err = client.run(client.projects.list()).failure()
    assert isinstance(err, DecodeError) and err.path == "$.results[0].name"
    again = client.run(client.projects.list()).unwrap()  # the fault is spent
    assert [p.name for p in again] == ["A", "B"]


def test_missing_fields_strips_the_page_and_every_item() -> None:
    page = {"results": [{"uid": "a", "name": "A"}, {"uid": "b", "name": "B"}], "next": "n"}
    outcome = apply_fault(Fault.missing_fields("name", "next"), lambda: FakeResponse(200, page))
    assert outcome.response is not None
    assert outcome.response.body == {"results": [{"uid": "a"}, {"uid": "b"}]}


def test_truncated_body_is_retried_for_a_get(fake: FakeAvala, client: Client) -> None:
    fake.add_project(name="whole")
    fake.inject(Fault.truncated_body(), path=PROJECTS)
    assert [p.name for p in client.run(client.projects.list()).unwrap()] == ["whole"]
    assert count(fake, "GET", PROJECTS) == 2


def test_connection_refused_is_a_failure_value(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")
    with Client("k", base_url=f"http://127.0.0.1:{port}/api/v1", retry_policy=FAST_RETRY) as c:
        err = c.run(c.exports.create(project="prj-1")).failure()
    assert isinstance(err, ConnectionFailedError)
    assert err.status_code is None


@pytest.mark.parametrize(
    ("kwargs", "tries"),
    [
        ({"max_retries": 0}, 1),
        ({"retry_policy": RetryPolicy(max_retries=4, backoff_initial=0.001)}, 5),
        ({"max_retries": 1, "retry_policy": RetryPolicy(max_retries=4, backoff_initial=0.001)}, 2),
    ],
)
def test_max_retries_and_retry_policy(
    fake: FakeAvala, kwargs: dict[str, object], tries: int
) -> None:
    fake.inject(*[Fault.status(503)] * 6, path=PROJECTS)
    with Client(**kwargs) as client:  # type: ignore[arg-type]
        assert isinstance(client.run(client.projects.list()).failure(), ServerError)
    assert count(fake, "GET", PROJECTS) == tries
