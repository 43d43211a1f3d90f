"""What programs yield: the instructions a driver answers (send, send to storage, sleep,
read the clock, fork, emit an event, local file work), and the retry waits every program
shares (a delay checked against the call deadline, and its log line).

The programs (``_program`` for API calls and composition, ``_storage_program`` for object
transfers) are generators of these; ``Client`` answers them with blocking calls,
``AsyncClient`` with awaits.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from returns.result import Result

from avala._logging import logger
from avala._object_get import ObjectGet
from avala._object_transport import ObjectPut
from avala._wire import Outcome, TransportFailure, WireRequest, parse_retry_after
from avala.errors import AvalaError
from avala.events import Event
from avala.transfers._local_errors import local_error

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Transmit:
    """Send ``wire`` once; answered with an ``Outcome``, or with an ``AvalaError`` that
    ends the call as it is (the client was closed: nothing was sent).

    ``expires_at`` is the end of the call's deadline on the driver's clock, if it has one:
    the driver cuts the try's timeout to what is left when the try really starts.
    """

    wire: WireRequest
    attempt: int
    expires_at: float | None = None

    def wire_at(self, now: float) -> WireRequest | None:
        """The request for a try starting at ``now``: its timeout no longer than what is
        left of the deadline; None when nothing is left."""
        if self.expires_at is None:
            return self.wire
        remaining = self.expires_at - now
        if remaining <= 0:
            return None
        if remaining >= self.wire.timeout:
            return self.wire
        return replace(self.wire, timeout=remaining)


@dataclass(frozen=True, slots=True)
class SendObject:
    """One try of an object-storage transfer; answered with an ``ObjectReply`` (a PUT) or
    an ``ObjectFetched`` (a GET), or with an ``AvalaError`` (the client was closed:
    nothing was sent). The driver reports the body's bytes as ``BytesSent`` (PUT) or
    ``BytesReceived`` (GET) events while it goes. ``expires_at`` as for ``Transmit``."""

    op: ObjectPut | ObjectGet
    attempt: int
    expires_at: float | None = None

    def op_at(self, now: float) -> ObjectPut | ObjectGet | None:
        """The try starting at ``now``, its timeout cut to the deadline; None if none is left."""
        if self.expires_at is None:
            return self.op
        remaining = self.expires_at - now
        if remaining <= 0:
            return None
        return self.op if remaining >= self.op.timeout else replace(self.op, timeout=remaining)


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


@dataclass(frozen=True, slots=True)
class Now:
    """Answered with a monotonic clock reading in seconds."""


@dataclass(frozen=True, slots=True)
class Fork:
    """Run independent programs; answered with their results in order (a driver may stop
    at the first Failure and answer fewer, or answer only that Failure). ``limit``: at most
    that many run at a time, the next starting as soon as one ends."""

    programs: tuple[Program[Any], ...]
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class Emit:
    """Hand ``event`` to the run's ``on_event`` callback, if it has one; answered with None."""

    event: Event


@dataclass(frozen=True, slots=True)
class LocalIO:
    """Run ``fn`` (local file work); answered with its value, or with a ``LocalFileError``
    when it raised an ``OSError``. ``Client`` runs it in place, ``AsyncClient`` on a
    worker thread (``run`` is what either calls)."""

    fn: Callable[[], Any]

    def run(self) -> Any:
        try:
            return self.fn()
        except OSError as error:
            return local_error(error)


Instruction = Transmit | SendObject | Sleep | Now | Fork | Emit | LocalIO
Program = Generator[Instruction, Any, Result[T, AvalaError]]


# --- retry waits -------------------------------------------------------------------------


def within_deadline(
    delay: float | None, outcome: Outcome, expires_at: float | None, what: str
) -> Generator[Instruction, Any, float | None]:
    """``delay``, or None when waiting it (or the server's uncapped Retry-After) would
    pass the call deadline: the retry could not finish in time."""
    if delay is None or expires_at is None:
        return delay
    remaining = expires_at - (yield Now())
    wait = max(delay, _asked_wait(outcome))  # the server's ask, not the capped wait
    if wait < remaining:
        return delay
    if logger.isEnabledFor(logging.INFO):
        logger.info(
            "not retrying %s: a %.2fs wait would pass the deadline: %s",
            what,
            wait,
            describe(outcome),
        )
    return None


def log_retry(what: str, delay: float, attempt: int, outcome: Outcome) -> None:
    if logger.isEnabledFor(logging.INFO):
        logger.info(
            "retrying %s in %.2fs (retry %d): %s", what, delay, attempt + 1, describe(outcome)
        )


def _asked_wait(outcome: Outcome) -> float:
    """How long the server asked to be left alone (Retry-After), uncapped; 0 if it did not."""
    if isinstance(outcome, TransportFailure):
        return 0.0
    return parse_retry_after(outcome.headers.get("retry-after"), time.time()) or 0.0


def describe(outcome: Outcome) -> str:
    """An outcome in a few words, for logs and events."""
    if isinstance(outcome, TransportFailure):
        return f"{outcome.kind} failure"
    return f"HTTP {outcome.status}"
