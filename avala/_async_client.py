"""``AsyncClient``: runs the same request values with awaits.

The wire work is requests' blocking I/O, run on a thread pool sized to the
concurrency limit (see docs/design.md for why no async HTTP library is added).
Gathered requests run concurrently, at most ``max_concurrency`` on the wire at once.
One client serves any number of event loops, one after another or side by side.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any, TypeVar

from returns.result import Failure, Result

from avala._base_client import (
    STOPPED,
    BaseClient,
    RawResponse,
    ResponseRecorder,
    StopFlag,
    byte_event,
    value_or_raise,
)
from avala._instructions import Emit, Fork, LocalIO, Now, Program, SendObject, Sleep, Transmit
from avala._object_get import ObjectFetched
from avala._object_transport import ObjectReply, ObjectTransport
from avala._options import check_positive_int
from avala._pagination import walk
from avala._request import Call, Request
from avala._transport import DEFAULT_MAX_RESPONSE_BYTES, Transport
from avala._wire import Outcome
from avala.errors import AvalaError
from avala.events import EventHandler
from avala.retry import RetryPolicy
from avala.types import CursorPage

T = TypeVar("T")


class AsyncClient(BaseClient):
    """The asyncio Avala client; same constructor, same request values as ``Client``.

    ``await client.run(request)``; ``async with AsyncClient() as client``; gathered
    requests (``avala.gather``) run concurrently, up to ``max_concurrency`` at a time.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 2,
        deadline: float | None = None,
        max_concurrency: int = 10,
        transport: Transport | None = None,
        retry_policy: RetryPolicy | None = None,
        verify: bool | str = True,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        object_transport: ObjectTransport | None = None,
        anonymous: bool = False,
    ) -> None:
        check_positive_int("max_concurrency", max_concurrency)
        super().__init__(
            api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            deadline=deadline,
            transport=transport,
            retry_policy=retry_policy,
            verify=verify,
            max_response_bytes=max_response_bytes,
            pool_size=max_concurrency,
            object_transport=object_transport,
            anonymous=anonymous,
        )
        self._max_concurrency = max_concurrency
        self._executor = ThreadPoolExecutor(max_concurrency, thread_name_prefix="avala")
        # Semaphores belong to one event loop: one per loop that uses this client.
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )
        self._naps: set[asyncio.Future[None]] = set()  # backoffs in progress, cut by aclose()

    async def run(
        self, request: Request[T], *, on_event: EventHandler | None = None
    ) -> Result[T, AvalaError]:
        """Send ``request`` and return its Result; never raises for server or network faults.
        ``on_event`` is called on the event loop with each ``avala.events`` event."""
        self._check_open()
        return await self._drive(self._interpreter.start(request), None, on_event)

    async def run_raw(
        self, request: Request[T], *, on_event: EventHandler | None = None
    ) -> Result[RawResponse[T], AvalaError]:
        """Like ``run``, keeping the status and headers of the last HTTP response."""
        self._check_open()
        seen = ResponseRecorder((self._config.api_key,))
        result = await self._drive(self._interpreter.start(request), seen, on_event)
        return result.map(seen.wrap)

    async def run_or_raise(self, request: Request[T], *, on_event: EventHandler | None = None) -> T:
        """The value of ``request``, or its ``AvalaError`` raised (``except NotFoundError``)."""
        return value_or_raise(await self.run(request, on_event=on_event))

    async def iterate(
        self, request: Call[CursorPage[T]], *, max_items: int | None = None
    ) -> AsyncIterator[Result[T, AvalaError]]:
        """Every item of every page, lazily, as an async iterator; stops after one Failure
        (a client closed meanwhile is one: ``ClientClosedError``)."""
        self._check_open()
        steps = walk(request, max_items)
        try:
            step = next(steps)
            while True:
                if isinstance(step, Call):
                    step = steps.send(await self._drive(self._interpreter.start(step), None, None))
                else:
                    yield step
                    step = next(steps)
        except StopIteration:
            return

    async def items(
        self, request: Call[CursorPage[T]], *, max_items: int | None = None
    ) -> AsyncIterator[T]:
        """Every item of every page, lazily (``async for``); a Failure is raised as the
        typed ``AvalaError``."""
        async for result in self.iterate(request, max_items=max_items):
            yield value_or_raise(result)

    async def _drive(
        self,
        program: Program[T],
        seen: ResponseRecorder | None,
        on_event: EventHandler | None,
        stop: StopFlag | None = None,
    ) -> Result[T, AvalaError]:
        loop = asyncio.get_running_loop()
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
                answer = await self._send(instruction, loop)
                if seen is not None:
                    seen.note(answer)
            elif isinstance(instruction, SendObject):
                answer = await self._send_object_async(instruction, loop, on_event)
            elif isinstance(instruction, Sleep):
                await self._nap(instruction.seconds, loop)
                answer = None
            elif isinstance(instruction, Now):
                answer = loop.time()
            elif isinstance(instruction, Fork) and instruction.limit is not None:
                answer = await self._run_bounded(instruction, seen, on_event, stop)
            elif isinstance(instruction, Fork):
                answer = tuple(
                    await asyncio.gather(
                        *(self._drive(p, seen, on_event, stop) for p in instruction.programs)
                    )
                )
            elif isinstance(instruction, Emit):
                answer = None
                if on_event is not None:
                    on_event(instruction.event)
            elif isinstance(instruction, LocalIO):
                answer = await self._local(instruction, loop)

    async def _run_bounded(
        self,
        fork: Fork,
        seen: ResponseRecorder | None,
        on_event: EventHandler | None,
        parent: StopFlag | None,
    ) -> tuple[Any, ...]:
        """``fork.limit`` worker coroutines, each taking the next program as soon as it is
        free; the first Failure stops new starts and is the answer (as on ``Client``)."""
        programs = fork.programs
        results: list[Result[Any, AvalaError] | None] = [None] * len(programs)
        stop = StopFlag(parent)
        taken = 0
        failure: list[Result[Any, AvalaError]] = []

        async def work() -> None:
            nonlocal taken
            while not stop.is_set() and taken < len(programs):
                index = taken
                taken += 1
                try:
                    result = await self._drive(programs[index], seen, on_event, stop)
                except BaseException:
                    stop.set()
                    raise
                results[index] = result
                if isinstance(result, Failure):
                    if not failure and result.failure() is not STOPPED:
                        failure.append(result)
                    stop.set()

        workers = min(fork.limit or 1, len(programs))
        try:  # every worker ends before this returns or raises: none is left running
            ended = await asyncio.gather(*(work() for _ in range(workers)), return_exceptions=True)
        finally:
            for program in programs[taken:]:
                program.close()
        for end in ended:
            if isinstance(end, BaseException):
                raise end
        if failure:
            return (failure[0],)
        if stop.is_set():
            return (Failure(STOPPED),)
        return tuple(results)

    async def _send_object_async(
        self,
        instruction: SendObject,
        loop: asyncio.AbstractEventLoop,
        on_event: EventHandler | None,
    ) -> ObjectReply | ObjectFetched | AvalaError:
        """One object try on a worker thread, once a slot is free. Its ``BytesSent`` events
        are handed to the loop as they happen; an exception of the callback is raised here."""
        raised: list[BaseException] = []
        on_bytes = None
        if on_event is not None:
            handler = on_event
            event = byte_event(instruction.op)

            def deliver(count: int) -> None:
                try:
                    handler(event(count))
                except BaseException as exc:
                    raised.append(exc)

            def on_bytes(count: int) -> None:
                loop.call_soon_threadsafe(deliver, count)

        async with self._slots_of(loop):
            try:
                reply = await loop.run_in_executor(
                    self._executor, self._send_object, instruction, loop.time(), on_bytes
                )
            except RuntimeError:  # the executor was shut down: closed while waiting
                if not self._closed:
                    raise
                reply = self._send_object(instruction, loop.time(), None)
        await asyncio.sleep(0)  # let byte events scheduled last run before going on
        if raised:
            raise raised[0]
        return reply

    async def _local(self, instruction: LocalIO, loop: asyncio.AbstractEventLoop) -> Any:
        """Local file work on a worker thread, so a slow disk never blocks the loop."""
        try:
            return await loop.run_in_executor(self._executor, instruction.run)
        except RuntimeError:  # the executor was shut down: closed meanwhile
            if not self._closed:
                raise
            return instruction.run()

    async def _send(
        self, instruction: Transmit, loop: asyncio.AbstractEventLoop
    ) -> Outcome | AvalaError:
        """One try on a worker thread, once a slot is free; its clock starts then."""
        async with self._slots_of(loop):
            try:
                return await loop.run_in_executor(
                    self._executor, self._transmit, instruction, loop.time()
                )
            except RuntimeError:  # the executor was shut down: closed while waiting
                if not self._closed:
                    raise
                return self._transmit(instruction, loop.time())  # the closed error, unsent

    def _slots_of(self, loop: asyncio.AbstractEventLoop) -> asyncio.Semaphore:
        with self._lock:
            slots = self._slots.get(loop)
            if slots is None:
                slots = self._slots[loop] = asyncio.Semaphore(self._max_concurrency)
            return slots

    async def _nap(self, seconds: float, loop: asyncio.AbstractEventLoop) -> None:
        """Sleep ``seconds``, or until the client is closed: a closed client has nothing
        left to wait for."""
        woken = loop.create_future()
        timer = loop.call_later(seconds, _wake, woken)
        with self._lock:
            self._naps.add(woken)
        try:
            if not self._closed:  # checked once registered, so aclose() cannot miss it
                await woken
        finally:
            timer.cancel()
            with self._lock:
                self._naps.discard(woken)

    async def aclose(self) -> None:
        """Release connections and worker threads. Safe to call twice. Runs in flight
        send nothing more and end as ``ClientClosedError`` Failures."""
        if not self._closed:
            self._closing.set()
            # Tries already queued still run, and find the client closed: none is cancelled,
            # so no run in flight sees a CancelledError it did not ask for.
            self._executor.shutdown(wait=False)
            self._transport.close()
            self._object_transport.close()
            with self._lock:
                naps = list(self._naps)
            for nap in naps:  # on any loop, in any thread; one already closed has no sleeper
                with contextlib.suppress(RuntimeError):
                    nap.get_loop().call_soon_threadsafe(_wake, nap)

    async def close(self) -> None:
        """Alias of ``aclose``."""
        await self.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def _wake(nap: asyncio.Future[None]) -> None:
    if not nap.done():
        nap.set_result(None)
