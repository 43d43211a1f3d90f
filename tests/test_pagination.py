"""The page walk of ``iterate``: where it stops, on both clients, asserted on what the
server received. Pages the fake store cannot produce (cursors in a cycle) are scripted
with ``Fault.status(200, body=page)``, which answers without touching state."""

from __future__ import annotations

from typing import Any

import pytest
from returns.result import Success

from avala import DecodeError, resources
from avala._pagination import walk
from avala._request import Call
from avala.testing import FakeAvala, Fault
from avala.types import CursorPage
from tests.drivers import KINDS, iterate

TASKS = resources.Tasks()
PATH = "/tasks/"


def task(uid: str) -> dict[str, Any]:
    return {"uid": uid, "type": "annotation", "name": uid, "status": "pending", "project": None}


def page(uids: str, next_cursor: str | None) -> Fault:
    link = None if next_cursor is None else f"http://x/api/v1/tasks/?cursor={next_cursor}"
    return Fault.status(200, body={"results": [task(u) for u in uids], "next": link})


def cursors_sent(fake: FakeAvala) -> list[str | None]:
    return [r.query.get("cursor", [None])[0] for r in fake.requests]


@pytest.mark.parametrize("kind", KINDS)
def test_max_items_zero_sends_nothing(fake: FakeAvala, kind: str) -> None:
    fake.add_task(name="t0")
    assert iterate(kind, TASKS.list(limit=4), max_items=0) == []
    assert fake.requests == []


@pytest.mark.parametrize("kind", KINDS)
def test_max_items_at_a_page_edge_fetches_no_further_page(fake: FakeAvala, kind: str) -> None:
    for i in range(10):
        fake.add_task(name=f"t{i}")
    got = iterate(kind, TASKS.list(limit=4), max_items=4)
    assert [r.unwrap().name for r in got] == ["t0", "t1", "t2", "t3"]
    assert cursors_sent(fake) == [None]  # one page: the fifth item was never needed


@pytest.mark.parametrize("kind", KINDS)
def test_a_server_repeating_the_cursor_it_was_given_is_a_failure(
    fake: FakeAvala, kind: str
) -> None:
    fake.inject(page("ab", "A"), page("cd", "A"), page("ef", None), path=PATH)
    got = iterate(kind, TASKS.list())
    assert [r.unwrap().uid for r in got[:-1]] == ["a", "b", "c", "d"]
    err = got[-1].failure()
    assert isinstance(err, DecodeError) and "'A'" in err.message
    assert cursors_sent(fake) == [None, "A"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_cycle_of_cursors_is_a_failure(fake: FakeAvala, kind: str) -> None:
    """A -> B -> A: the third page would be the first page's successor again."""
    fake.inject(page("ab", "A"), page("cd", "B"), page("ef", "A"), page("gh", None), path=PATH)
    got = iterate(kind, TASKS.list())
    assert [r.unwrap().uid for r in got[:-1]] == ["a", "b", "c", "d", "e", "f"]
    err = got[-1].failure()
    assert isinstance(err, DecodeError) and "'A'" in err.message
    assert cursors_sent(fake) == [None, "A", "B"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_cycle_back_to_the_starting_cursor_is_a_failure(fake: FakeAvala, kind: str) -> None:
    fake.inject(page("ab", "B"), page("cd", "S"), page("ef", None), path=PATH)
    got = iterate(kind, TASKS.list(cursor="S"))
    assert isinstance(got[-1].failure(), DecodeError) and "'S'" in got[-1].failure().message
    assert cursors_sent(fake) == ["S", "B"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_long_walk_without_repeats_goes_to_the_end(fake: FakeAvala, kind: str) -> None:
    names = "abcdefghijklmnopqrstuvwxyz"
    pages = [page(u, f"c{i}" if i < len(names) - 1 else None) for i, u in enumerate(names)]
    fake.inject(*pages, path=PATH)
    got = iterate(kind, TASKS.list())
    assert "".join(r.unwrap().uid for r in got) == names
    assert cursors_sent(fake) == [None] + [f"c{i}" for i in range(len(names) - 1)]


def walk_over(pages: dict[str | None, tuple[tuple[str, ...], str | None]]) -> list[object]:
    """Drive ``walk`` by hand: ``pages`` maps the cursor sent to (items, next cursor)."""
    steps = walk(TASKS.list(), None)
    out: list[object] = []
    step = next(steps)
    try:
        while True:
            if isinstance(step, Call):
                items, following = pages[step.query.get("cursor")]
                step = steps.send(Success(CursorPage(items=items, next_cursor=following)))
            else:
                out.append(step)
                step = next(steps)
    except StopIteration:
        return out


def test_each_walk_starts_with_nothing_seen() -> None:
    """Cursors seen belong to one walk: walking the same pages twice succeeds twice."""
    pages: dict[str | None, tuple[tuple[str, ...], str | None]] = {
        None: (("a",), "A"),
        "A": (("b",), None),
    }
    for _ in range(2):
        assert walk_over(pages) == [Success("a"), Success("b")]
