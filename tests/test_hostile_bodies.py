"""Nothing a server sends raises out of run, run_raw or iterate, on either client.

JSON nested deeper than the parser's or the mapper's recursion takes used to raise
RecursionError out of run(): a 2xx body must come back as a DecodeError, an error
body as the typed error of its status.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns.result import Result, Success

from avala import (
    AvalaError,
    DecodeError,
    NotFoundError,
    RateLimitError,
    ServerError,
    ValidationError,
    resources,
)
from tests import drivers
from tests.drivers import KINDS
from tests.scripted_server import Answer, ScriptedServer, scripted_server

PROJECTS = resources.Projects()
AGENTS = resources.Agents()
DEEP = 100_000


def nested_lists(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def nested_objects(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


# Too deep for any parser stack: never a value.
TOO_DEEP = {
    "unclosed": b"[" * DEEP,
    "deep lists": nested_lists(DEEP),
    "deep objects": nested_objects(DEEP),
}
# Near the recursion limit: the parser may read them, then decoding or mapping recurses.
NEAR_THE_LIMIT = {
    "objects 600 deep": nested_objects(600),
    "lists 600 deep": nested_lists(600),  # parses, then freezing it for a raw reader recurses
    "lists 950 deep": nested_lists(950),
}
HOSTILE_BODIES = TOO_DEEP | NEAR_THE_LIMIT


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedServer]:
    with scripted_server(monkeypatch) as running:
        yield running


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("body", list(TOO_DEEP.values()), ids=list(TOO_DEEP))
def test_a_2xx_body_too_deep_to_parse_is_a_decode_error(
    server: ScriptedServer, kind: str, body: bytes
) -> None:
    server.script(Answer(200, body))
    for request in (PROJECTS.get("p1"), PROJECTS.list(), AGENTS.test("a1")):
        result = drivers.run(kind, request)
        assert isinstance(result.failure(), DecodeError), (request, result)
    assert isinstance(drivers.run_raw(kind, PROJECTS.get("p1")).failure(), DecodeError)
    walked = drivers.iterate(kind, PROJECTS.list())
    assert len(walked) == 1 and isinstance(walked[0].failure(), DecodeError)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("body", list(NEAR_THE_LIMIT.values()), ids=list(NEAR_THE_LIMIT))
def test_a_2xx_body_near_the_recursion_limit_gives_a_result(
    server: ScriptedServer, kind: str, body: bytes
) -> None:
    """Whether such a body parses depends on the stack already in use; either way the
    caller gets a value or a DecodeError, and a model is never read from it."""
    server.script(Answer(200, body))
    assert isinstance(drivers.run(kind, PROJECTS.get("p1")).failure(), DecodeError)
    for request in (PROJECTS.list(), AGENTS.test("a1")):
        result = drivers.run(kind, request)
        assert isinstance(result, Success) or isinstance(result.failure(), DecodeError)
    for walked in drivers.iterate(kind, PROJECTS.list()):
        assert isinstance(walked.failure(), DecodeError)  # no item in either shape


ERROR_OF_STATUS = {400: ValidationError, 404: NotFoundError, 429: RateLimitError, 503: ServerError}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("body", list(HOSTILE_BODIES.values()), ids=list(HOSTILE_BODIES))
def test_a_hostile_error_body_still_gives_the_error_of_its_status(
    server: ScriptedServer, kind: str, body: bytes
) -> None:
    for status, error in ERROR_OF_STATUS.items():
        server.script(Answer(status, body, {"Retry-After": "7"}))
        request = PROJECTS.get("p1").with_max_retries(0)
        err = drivers.run(kind, request).failure()
        assert type(err) is error and err.status_code == status
        if isinstance(err, RateLimitError | ServerError):
            assert err.retry_after == 7
        assert type(drivers.run_raw(kind, request).failure()) is error
        walked = drivers.iterate(kind, PROJECTS.list().with_max_retries(0))
        assert [type(r.failure()) for r in walked] == [error]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=10,
)


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    """JSON, JSON wrapped deep, JSON cut short, or any bytes at all."""
    import json

    text = json.dumps(draw(json_values)).encode()
    depth = draw(st.sampled_from([0, 1, 500, 990, 3000, 50_000]))
    wrapped = b'{"results":' * depth + text + b"}" * depth
    cut = draw(st.integers(0, len(wrapped)))
    return draw(st.sampled_from([wrapped, wrapped[:cut], draw(st.binary(max_size=64))]))


@given(
    status=st.sampled_from([200, 201, 301, 400, 401, 403, 404, 409, 413, 422, 429, 500, 503]),
    body=bodies(),
)
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_run_returns_a_result_whatever_the_body(
    server: ScriptedServer, status: int, body: bytes
) -> None:
    server.script(Answer(status, body, {"Retry-After": "0"}))
    for request in (PROJECTS.get("p1"), PROJECTS.list(), AGENTS.test("a1")):
        result: Result[Any, AvalaError] = drivers.run("sync", request.with_max_retries(0))
        if isinstance(result, Success):
            assert 200 <= status < 300
        elif 200 <= status < 300:
            assert isinstance(result.failure(), DecodeError)
        else:
            assert isinstance(result.failure(), AvalaError)
            assert result.failure().status_code == status


@pytest.mark.parametrize("kind", KINDS)
def test_a_bug_in_the_callers_own_function_propagates(server: ScriptedServer, kind: str) -> None:
    """Only what the server and network do is contained; a function of yours that
    raises is a bug in your code, and it surfaces as itself."""
    server.script(Answer(200, b'{"results": [], "next": null}'))
    with pytest.raises(ZeroDivisionError):
        drivers.run(kind, PROJECTS.list().map(lambda _: 1 / 0))
    with pytest.raises(ZeroDivisionError):
        drivers.run(kind, PROJECTS.list().bind(lambda _: 1 / 0))  # type: ignore[arg-type,return-value]
