"""Walking list calls page by page: which request fetches the page after this one."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, TypeVar

from returns.result import Failure, Result, Success

from avala._request import Call
from avala.errors import AvalaError, DecodeError
from avala.types import CursorPage

T = TypeVar("T")


def check_pageable(request: object) -> Call[CursorPage[Any]]:
    """Only a single list call can be walked; refuse anything else when iteration starts."""
    if not isinstance(request, Call) or request.reader.kind != "page":
        raise TypeError(
            "iterate() and items() take a list request (a Request built by a .list() method, "
            f"such as client.projects.list()), not {_kind(request)}"
        )
    return request


def _kind(request: object) -> str:
    if isinstance(request, Call):
        return f"a request for {request.endpoint}"
    return type(request).__name__


def check_max_items(max_items: int | None) -> int | None:
    if max_items is None:
        return None
    if isinstance(max_items, bool) or not isinstance(max_items, int) or max_items < 0:
        raise ValueError(f"max_items must be a non-negative int or None, got {max_items!r}")
    return max_items


def next_page(
    request: Call[CursorPage[T]], page: CursorPage[T], seen: set[str]
) -> Call[CursorPage[T]] | Result[None, AvalaError] | None:
    """The request for the page after ``page``; None at the end; a Failure if the server
    hands back a cursor this walk already sent (walking on would loop forever).
    ``seen`` holds the cursors sent so far, and gains the one returned."""
    cursor = page.next_cursor
    if cursor is None:
        return None
    key = request.reader.key
    if cursor in seen:
        return Failure(
            DecodeError(f"pagination did not advance: {key}={cursor!r} was already fetched")
        )
    seen.add(cursor)
    return request.with_query(**{key: cursor})


Step = Call[CursorPage[T]] | Result[T, AvalaError]


def walk(
    request: Call[CursorPage[T]], max_items: int | None
) -> Generator[Step[T], Result[CursorPage[T], AvalaError] | None, None]:
    """The walk over every item, written once for both clients: yields a page request
    (the driver sends back its Result) or an item Result for the caller."""
    current: Call[CursorPage[T]] | None = check_pageable(request)
    limit = check_max_items(max_items)
    start = request.query.get(request.reader.key)
    seen: set[str] = set() if start is None else {start}  # one walk's cursors: cycles end it
    handed = 0
    while current is not None and (limit is None or handed < limit):
        result = yield current
        if result is None or isinstance(result, Failure):
            if result is not None:
                yield result
            return
        page = result.unwrap()
        for item in page.items:
            if limit is not None and handed >= limit:
                return
            handed += 1
            yield Success(item)
        step = next_page(current, page, seen)
        if isinstance(step, Failure):
            yield step
            return
        current = step if isinstance(step, Call) else None
