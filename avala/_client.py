"""``Client``: runs request values with blocking I/O."""

from __future__ import annotations

import time
from collections.abc import Iterator
from types import TracebackType
from typing import Any, TypeVar

from returns.result import Failure, Result

from avala._base_client import BaseClient, RawResponse, ResponseRecorder, value_or_raise
from avala._pagination import walk
from avala._program import Emit, Fork, Now, Program, Sleep, Transmit
from avala._request import Call, Request
from avala.errors import AvalaError
from avala.events import EventHandler
from avala.types import CursorPage

T = TypeVar("T")


class Client(BaseClient):
    """The synchronous Avala client.

    ``Client(api_key=None, *, base_url=None, timeout=30.0, max_retries=2, deadline=None)``:
    the key falls back to ``AVALA_API_KEY``, the base URL to ``AVALA_BASE_URL``. Resource
    properties (``client.projects`` ...) build requests; ``run`` sends them.
    """

    def run(
        self, request: Request[T], *, on_event: EventHandler | None = None
    ) -> Result[T, AvalaError]:
        """Send ``request`` (and whatever it composes) and return its Result.

        Never raises for what the server or network does: those come back as Failure.
        ``on_event`` is called with each ``avala.events`` event (a ``PollTick`` per poll).
        """
        self._check_open()
        return self._drive(self._interpreter.start(request), None, on_event)

    def run_raw(
        self, request: Request[T], *, on_event: EventHandler | None = None
    ) -> Result[RawResponse[T], AvalaError]:
        """Like ``run``, keeping the status and headers of the last HTTP response."""
        self._check_open()
        seen = ResponseRecorder((self._config.api_key,))
        result = self._drive(self._interpreter.start(request), seen, on_event)
        return result.map(seen.wrap)

    def run_or_raise(self, request: Request[T], *, on_event: EventHandler | None = None) -> T:
        """The value of ``request``, or its ``AvalaError`` raised (so ``except NotFoundError``
        works): the raising path for scripts and notebooks. ``run`` is the one that never raises."""
        return value_or_raise(self.run(request, on_event=on_event))

    def iterate(
        self, request: Call[CursorPage[T]], *, max_items: int | None = None
    ) -> Iterator[Result[T, AvalaError]]:
        """Every item of every page, lazily: ``Success(item)`` each, in order, fetching a
        page only when the previous one is used up. Stops after yielding one Failure
        (a client closed meanwhile is one: ``ClientClosedError``)."""
        self._check_open()
        steps = walk(request, max_items)
        try:
            step = next(steps)
            while True:
                if isinstance(step, Call):
                    step = steps.send(self._drive(self._interpreter.start(step)))
                else:
                    yield step
                    step = next(steps)
        except StopIteration:
            return

    def items(self, request: Call[CursorPage[T]], *, max_items: int | None = None) -> Iterator[T]:
        """Every item of every page, lazily, like ``iterate``; a Failure is raised as the
        typed ``AvalaError`` (after the items before it were yielded)."""
        for result in self.iterate(request, max_items=max_items):
            yield value_or_raise(result)

    def _drive(
        self,
        program: Program[T],
        seen: ResponseRecorder | None = None,
        on_event: EventHandler | None = None,
    ) -> Result[T, AvalaError]:
        answer: Any = None
        while True:
            try:
                instruction = program.send(answer)
            except StopIteration as stop:
                result: Result[T, AvalaError] = stop.value
                return result
            if isinstance(instruction, Transmit):
                answer = self._transmit(instruction, time.monotonic())
                if seen is not None:
                    seen.note(answer)
            elif isinstance(instruction, Sleep):
                self._closing.wait(instruction.seconds)  # close() cuts a backoff short
                answer = None
            elif isinstance(instruction, Now):
                answer = time.monotonic()
            elif isinstance(instruction, Fork):
                answer = self._run_in_order(instruction.programs, seen, on_event)
            elif isinstance(instruction, Emit):
                answer = None
                if on_event is not None:
                    on_event(instruction.event)

    def _run_in_order(
        self,
        programs: tuple[Program[Any], ...],
        seen: ResponseRecorder | None,
        on_event: EventHandler | None,
    ) -> tuple[Any, ...]:
        """Run programs one by one, stopping at the first Failure (its result is last)."""
        results = []
        for program in programs:
            result = self._drive(program, seen, on_event)
            results.append(result)
            if isinstance(result, Failure):
                for rest in programs[len(results) :]:
                    rest.close()
                break
        return tuple(results)

    def close(self) -> None:
        """Release pooled connections. Safe to call twice, and from any thread: a run in
        flight elsewhere sends nothing more and ends as a ``ClientClosedError`` Failure."""
        if not self._closed:
            self._closing.set()
            self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
