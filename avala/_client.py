"""``Client``: runs request values with blocking I/O."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from types import TracebackType
from typing import Any, TypeVar

from returns.result import Failure, Result

from avala._base_client import (
    STOPPED,
    BaseClient,
    RawResponse,
    ResponseRecorder,
    StopFlag,
    bytes_reporter,
    value_or_raise,
)
from avala._instructions import Emit, Fork, LocalIO, Now, Program, SendObject, Sleep, Transmit
from avala._pagination import walk
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
    ``Client(anonymous=True)`` needs no key and holds none: it runs the anonymous calls
    (``avala.signup``, ``client.resolver``, downloads); any other is an
    ``AuthenticationError`` with nothing sent.
    """

    def run(
        self, request: Request[T], *, on_event: EventHandler | None = None
    ) -> Result[T, AvalaError]:
        """Send ``request`` (and whatever it composes) and return its Result.

        Never raises for what the server or network does: those come back as Failure.
        ``on_event`` is called with each ``avala.events`` event (a ``PollTick`` per poll,
        ``BytesSent`` per chunk of a transfer); under ``gather(..., limit=n)`` it is called
        from the worker threads too, so it must then be thread-safe.
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
        stop: StopFlag | None = None,
    ) -> Result[T, AvalaError]:
        answer: Any = None
        while True:
            try:
                instruction = program.send(answer)
            except StopIteration as done:
                result: Result[T, AvalaError] = done.value
                return result
            if stop is not None and stop.is_set():
                program.close()
                return Failure(STOPPED)
            if isinstance(instruction, Transmit):
                answer = self._transmit(instruction, time.monotonic())
                if seen is not None:
                    seen.note(answer)
            elif isinstance(instruction, SendObject):
                on_bytes = bytes_reporter(instruction.op, on_event)
                answer = self._send_object(instruction, time.monotonic(), on_bytes)
            elif isinstance(instruction, Sleep):
                self._closing.wait(instruction.seconds)  # close() cuts a backoff short
                answer = None
            elif isinstance(instruction, Now):
                answer = time.monotonic()
            elif isinstance(instruction, Fork):
                if instruction.limit is None:
                    answer = self._run_in_order(instruction.programs, seen, on_event, stop)
                else:
                    answer = self._run_bounded(instruction, seen, on_event, stop)
            elif isinstance(instruction, Emit):
                answer = None
                if on_event is not None:
                    on_event(instruction.event)
            elif isinstance(instruction, LocalIO):
                answer = instruction.run()

    def _run_in_order(
        self,
        programs: tuple[Program[Any], ...],
        seen: ResponseRecorder | None,
        on_event: EventHandler | None,
        stop: StopFlag | None = None,
    ) -> tuple[Any, ...]:
        """Run programs one by one, stopping at the first Failure (its result is last)."""
        results = []
        for program in programs:
            result = self._drive(program, seen, on_event, stop)
            results.append(result)
            if isinstance(result, Failure):
                for rest in programs[len(results) :]:
                    rest.close()
                break
        return tuple(results)

    def _run_bounded(
        self,
        fork: Fork,
        seen: ResponseRecorder | None,
        on_event: EventHandler | None,
        parent: StopFlag | None,
    ) -> tuple[Any, ...]:
        """Run programs on ``fork.limit`` worker threads, each taking the next program as
        soon as it is free (a sliding window, never lockstep batches). The first Failure
        sets a flag: no program starts after it, the running ones stop before their next
        instruction, and it alone is the answer. Every thread is joined before returning."""
        programs = fork.programs
        results: list[Result[Any, AvalaError] | None] = [None] * len(programs)
        stop = StopFlag(parent)
        lock = threading.Lock()
        taken = 0
        failure: list[Result[Any, AvalaError]] = []
        raised: list[BaseException] = []

        def work() -> None:
            nonlocal taken
            while True:
                with lock:
                    if stop.is_set() or taken == len(programs):
                        return
                    index = taken
                    taken += 1
                try:
                    result = self._drive(programs[index], seen, on_event, stop)
                except BaseException as exc:  # a bug in a map, bind or on_event function
                    with lock:
                        raised.append(exc)
                    stop.set()
                    return
                results[index] = result
                if isinstance(result, Failure):
                    with lock:
                        if not failure and result.failure() is not STOPPED:
                            failure.append(result)
                    stop.set()

        threads = [
            threading.Thread(target=work, name=f"avala-gather-{n}", daemon=True)
            for n in range(min(fork.limit or 1, len(programs)))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for program in programs[taken:]:
            program.close()
        if raised:
            raise raised[0]
        if failure:
            return (failure[0],)
        if stop.is_set():  # an enclosing gather failed meanwhile: its Failure is the answer
            return (Failure(STOPPED),)
        return tuple(results)

    def close(self) -> None:
        """Release pooled connections. Safe to call twice, and from any thread: a run in
        flight elsewhere sends nothing more and ends as a ``ClientClosedError`` Failure."""
        if not self._closed:
            self._closing.set()
            self._transport.close()
            self._object_transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
