"""What a request value says when it is used as if it were its result.

Users of raising SDKs iterate, index or await what a resource method returns. Here that
is a request value and nothing has been sent, so each message says so and shows the call
that runs it. Plain text only: nothing here knows the request classes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

RUN = (
    "Run it: client.run(request) gives Success(value) or Failure(error), "
    "client.run_or_raise(request) gives the value or raises the error"
)
EVERY_ITEM = (
    "; for every item of every page: client.items(request) (client.iterate(request) for Results)"
)
PAGE_ATTRIBUTES = frozenset({"items", "results", "next_cursor", "previous_cursor", "count", "next"})


def what(endpoint: str | None) -> str:
    """Which request this is, and that it is not its result."""
    target = f" for {endpoint}" if endpoint else ""
    return f"it is a request{target} (nothing sent yet), not its result"


def _fixes(pageable: bool) -> str:
    return RUN + (EVERY_ITEM if pageable else "")


def not_iterable(kind: str, endpoint: str | None, pageable: bool) -> str:
    return f"{kind!r} object is not iterable: {what(endpoint)}. {_fixes(pageable)}"


def not_async_iterable(kind: str, endpoint: str | None) -> str:
    return (
        f"{kind!r} object is not an async iterable: {what(endpoint)}. On an AsyncClient, "
        "`async for item in client.items(request)` walks every item of every page"
    )


def not_a_container(kind: str, endpoint: str | None, pageable: bool, operation: str) -> str:
    return f"{kind!r} object does not support {operation}: {what(endpoint)}. {_fixes(pageable)}"


def not_awaitable(kind: str, endpoint: str | None) -> str:
    return (
        f"{kind!r} object cannot be awaited: {what(endpoint)}. On an AsyncClient, "
        "await client.run(request) gives a Result, "
        "await client.run_or_raise(request) the value or raises the error"
    )


def no_attribute(kind: str, endpoint: str | None, pageable: bool, name: str) -> str:
    fixes = _fixes(pageable or name in PAGE_ATTRIBUTES)
    return f"{kind!r} object has no attribute {name!r}: {what(endpoint)}. {fixes}"


def not_a_request(value: object) -> str:
    """For a client's run methods handed something that is not a request value."""
    return (
        "client.run() and the other run methods take a Request, such as "
        f"client.projects.get(uid) or avala.pure(value); got {type(value).__name__}: "
        f"{value!r:.80}"
    )


def step_result_not_a_request(step: str, fn: Callable[..., Any], value: object) -> str:
    """For a ``bind`` or ``recover`` function that returned something other than a request."""
    name = getattr(fn, "__qualname__", None) or type(fn).__qualname__
    fixes = {
        "bind": "return a request such as client.tasks.list(...), avala.pure(value) for a "
        "plain value, or use .map(fn) for a function that returns a plain value",
        "recover": "return a request: avala.pure(value) to recover with a value, "
        "avala.fail(error) to fail again, or another request such as client.projects.create(...)",
    }[step]
    return (
        f"the function given to {step}() ({name}) returned {type(value).__name__}, "
        f"not a Request: {fixes}"
    )
