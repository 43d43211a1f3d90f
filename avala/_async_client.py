"""``AsyncClient``: runs the same request values with awaits.

The wire work is requests' blocking I/O, run on a thread pool sized to the
concurrency limit (see docs/design.md for why no async HTTP library is added).
Gathered requests run concurrently, at most ``max_concurrency`` on the wire at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any, TypeVar

from returns.result import Result

from avala._base_client import BaseClient, RawResponse, ResponseRecorder, value_or_raise
from avala._pagination import walk
from avala._program import Emit, Fork, Now, Program, Sleep, Transmit
from avala._request import Call, Request
from avala._transport import DEFAULT_MAX_RESPONSE_BYTES, Transport
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
        max_concurrency: int = 10,
        transport: Transport | None = None,
        retry_policy: RetryPolicy | None = None,
        verify: bool | str = True,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int):
            raise TypeError("max_concurrency must be an int")
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be >= 1, got {max_concurrency}")
        super().__init__(
            api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            transport=transport,
            retry_policy=retry_policy,
            verify=verify,
            max_response_bytes=max_response_bytes,
            pool_size=max_concurrency,
        )
        self._max_concurrency = max_concurrency
        self._executor = ThreadPoolExecutor(max_concurrency, thread_name_prefix="avala")
        self._slots: asyncio.Semaphore | None = None

    async def run(
        self, request: Request[T], *, on_event: EventHandler | None = None
    ) -> Result[T, AvalaError]:
        """Send ``request`` and return its Result; never raises for server or network faults.
        ``on_event`` is called on the event loop with each ``avala.events`` event."""
        self._check_open()
        return await self._drive(self._interpreter.program(request), None, on_event)

    async def run_raw(
        self, request: Request[T], *, on_event: EventHandler | None = None
    ) -> Result[RawResponse[T], AvalaError]:
        """Like ``run``, keeping the status and headers of the last HTTP response."""
        self._check_open()
        seen = ResponseRecorder((self._config.api_key,))
        result = await self._drive(self._interpreter.program(request), seen, on_event)
        return result.map(seen.wrap)

    async def run_or_raise(self, request: Request[T], *, on_event: EventHandler | None = None) -> T:
        """The value of ``request``, or its ``AvalaError`` raised (``except NotFoundError``)."""
        return value_or_raise(await self.run(request, on_event=on_event))

    async def iterate(
        self, request: Call[CursorPage[T]], *, max_items: int | None = None
    ) -> AsyncIterator[Result[T, AvalaError]]:
        """Every item of every page, lazily, as an async iterator; stops after one Failure."""
        self._check_open()
        steps = walk(request, max_items)
        try:
            step = next(steps)
            while True:
                if isinstance(step, Call):
                    step = steps.send(await self.run(step))
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
        self, program: Program[T], seen: ResponseRecorder | None, on_event: EventHandler | None
    ) -> Result[T, AvalaError]:
        loop = asyncio.get_running_loop()
        answer: Any = None
        while True:
            try:
                instruction = program.send(answer)
            except StopIteration as stop:
                result: Result[T, AvalaError] = stop.value
                return result
            if isinstance(instruction, Transmit):
                async with self._semaphore():
                    answer = await loop.run_in_executor(self._executor, self._transmit, instruction)
                if seen is not None:
                    seen.note(answer)
            elif isinstance(instruction, Sleep):
                await asyncio.sleep(instruction.seconds)
                answer = None
            elif isinstance(instruction, Now):
                answer = loop.time()
            elif isinstance(instruction, Fork):
                answer = tuple(
                    await asyncio.gather(
                        *(self._drive(p, seen, on_event) for p in instruction.programs)
                    )
                )
            elif isinstance(instruction, Emit):
                answer = None
                if on_event is not None:
                    on_event(instruction.event)

    def _semaphore(self) -> asyncio.Semaphore:
        if self._slots is None:  # made lazily: it belongs to the running loop
            self._slots = asyncio.Semaphore(self._max_concurrency)
        return self._slots

    async def aclose(self) -> None:
        """Release connections and worker threads. Safe to call twice."""
        if not self._closed:
            self._closed = True
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._transport.close()

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
