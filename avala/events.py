"""Events a run reports while it works, for progress displays and logs.

``client.run(request, on_event=callback)`` calls ``callback(event)`` for each event, in
order, on the thread (or event loop) that runs the request. Events are frozen values:
a callback reads them and cannot steer the run or change its result. An exception a
callback raises is a bug in the caller's code and propagates out of ``run``, like one
raised by a ``map`` or ``bind`` function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

__all__ = ["Event", "EventHandler", "PollTick"]


@dataclass(frozen=True, slots=True)
class PollTick:
    """One answered poll of a polling request (``exports.wait``, ``datasets.wait``,
    ``avala.poll``), emitted before its conditions are checked, the last poll included.

    ``endpoint`` names the first call of the polled request (``"exports.get"``), or is
    None when it sends none; ``attempt`` counts polls from 1; ``elapsed`` is seconds since
    the wait began; ``value`` is what this poll read.
    """

    endpoint: str | None
    attempt: int
    elapsed: float
    value: Any


Event: TypeAlias = PollTick
"""Every event type a run can emit (a union as more are added)."""

EventHandler: TypeAlias = Callable[[Event], None]
"""What ``on_event`` takes."""
