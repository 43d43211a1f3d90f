"""Request nodes for steps that are neither HTTP calls nor object transfers: local file
work, facts of the running client, and progress events.

Each is a value; the interpreter (``avala._program``) gives it meaning when it runs.
Building one does nothing, so builders that compose them stay pure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from avala._options import NO_OPTIONS, Options
from avala._request import Request
from avala.events import Event

__all__ = ["Announce", "Contextual", "Local", "announce", "local"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Local(Request[T]):
    """Run ``fn`` (file work: functions of ``avala.transfers._local``) on the client's
    side. ``Client`` calls it; ``AsyncClient`` calls it on a worker thread. An ``OSError``
    it raises becomes a ``LocalFileError`` Failure; its value is the request's value."""

    fn: Callable[[], T]
    options: Options = NO_OPTIONS


@dataclass(frozen=True, slots=True)
class Contextual(Request[T]):
    """The request ``fn`` builds from the running client's base URL: for state that is
    keyed by where the requests go (an upload's journal), known only when it runs."""

    fn: Callable[[str], Request[T]]
    options: Options = NO_OPTIONS


@dataclass(frozen=True, slots=True)
class Announce(Request[None]):
    """Hand ``events`` to the run's ``on_event`` callback, in order; sends nothing."""

    events: tuple[Event, ...]
    options: Options = NO_OPTIONS


def local(fn: Callable[[], T]) -> Request[T]:
    """A ``Local`` step running ``fn``."""
    return Local(fn)


def announce(*events: Event) -> Request[None]:
    """An ``Announce`` of ``events`` (nothing to do when there are none)."""
    return Announce(tuple(events))
