"""Events a run reports while it works, for progress displays and logs.

``client.run(request, on_event=callback)`` calls ``callback(event)`` for each event, in
order within each part of a run. ``AsyncClient`` calls it on the event loop. ``Client``
calls it on the thread that runs the part: the calling thread, or, under
``gather(..., limit=n)``, one of its worker threads, so a callback fed by a limited
gather must be thread-safe (appending to a list or updating a progress bar is).
Events are frozen values: a callback reads them and cannot steer the run or change its
result. An exception a
callback raises is a bug in the caller's code and propagates out of ``run``, like one
raised by a ``map`` or ``bind`` function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

__all__ = [
    "BytesReceived",
    "BytesSent",
    "Event",
    "EventHandler",
    "FileDownloaded",
    "FileSkipped",
    "FileStarted",
    "FileStored",
    "PartStored",
    "PollTick",
    "RetryScheduled",
]


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


@dataclass(frozen=True, slots=True)
class FileStarted:
    """A file's transfer began: ``size`` bytes to store (resumed parts included)."""

    path: str
    size: int


@dataclass(frozen=True, slots=True)
class BytesSent:
    """``count`` more bytes of ``path`` went onto the wire, reported per chunk as they do.

    A try that does not store its bytes (it failed, or the object was already stored)
    takes them back with one negative count, so the counts of a finished transfer add
    up to the bytes it stored.
    """

    path: str
    count: int


@dataclass(frozen=True, slots=True)
class PartStored:
    """Part ``part_number`` (from 1) of a multipart transfer of ``path`` is stored."""

    path: str
    part_number: int
    size: int


@dataclass(frozen=True, slots=True)
class FileStored:
    """Every byte of ``path`` is stored."""

    path: str
    size: int


@dataclass(frozen=True, slots=True)
class FileSkipped:
    """``path`` was not sent; ``reason`` says why (already stored and unchanged, say)."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class BytesReceived:
    """``count`` more bytes of a download to ``path`` were written to its partial file,
    reported per chunk. A download that starts over (the store ignored a ``Range``, or a
    partial file failed its check) takes back what it had with one negative count, so the
    counts of a finished download add up to the bytes it fetched in this run (a resumed
    download does not count what an earlier run left behind)."""

    path: str
    count: int


@dataclass(frozen=True, slots=True)
class FileDownloaded:
    """A download is verified (size, and sha256 when known) and renamed onto ``path``."""

    path: str
    size: int


@dataclass(frozen=True, slots=True)
class RetryScheduled:
    """A try of ``what`` failed and try number ``attempt + 1`` follows in ``delay`` seconds;
    ``reason`` is what went wrong (``HTTP 503``, ``timeout failure``). ``what`` never shows
    a signed URL."""

    what: str
    attempt: int
    delay: float
    reason: str


Event: TypeAlias = (
    PollTick
    | FileStarted
    | BytesSent
    | PartStored
    | FileStored
    | FileSkipped
    | RetryScheduled
    | BytesReceived
    | FileDownloaded
)
"""Every event type a run can emit (a union as more are added)."""

EventHandler: TypeAlias = Callable[[Event], None]
"""What ``on_event`` takes."""
