"""The interpreter of request values, written once for every client.

Evaluating a request is a generator that yields instructions (send this, sleep,
what time is it, run these side by side) and receives their results. ``Client``
answers them with blocking calls, ``AsyncClient`` with awaits; retries, polling
and composition live here, so they behave the same on both.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from returns.result import Failure, Result, Success

from avala._config import ClientConfig
from avala._error_mapping import error_from_failure, error_from_response
from avala._logging import logger
from avala._misuse import not_a_request, step_result_not_a_request
from avala._options import NO_OPTIONS, Options
from avala._redact import redact_text
from avala._request import (
    Bound,
    Call,
    Failed,
    Gathered,
    Mapped,
    Polled,
    Pure,
    Recovered,
    Request,
    encode_json,
)
from avala._wire import Outcome, TransportFailure, WireRequest, WireResponse
from avala.errors import AvalaError, TerminalStatusError, WaitTimeoutError
from avala.events import Event, PollTick
from avala.retry import RetryPolicy

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Transmit:
    """Send ``wire`` once; answered with an ``Outcome``."""

    wire: WireRequest
    attempt: int


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


@dataclass(frozen=True, slots=True)
class Now:
    """Answered with a monotonic clock reading in seconds."""


@dataclass(frozen=True, slots=True)
class Fork:
    """Run independent programs; answered with their results in order (a sync driver may
    stop at the first Failure and answer fewer)."""

    programs: tuple[Program[Any], ...]


@dataclass(frozen=True, slots=True)
class Emit:
    """Hand ``event`` to the run's ``on_event`` callback, if it has one; answered with None."""

    event: Event


Instruction = Transmit | Sleep | Now | Fork | Emit
Program = Generator[Instruction, Any, Result[T, AvalaError]]


@dataclass(frozen=True, slots=True)
class Interpreter:
    """Turns request values into programs, given a client's configuration."""

    config: ClientConfig
    policy: RetryPolicy
    rng: random.Random

    def render(self, call: Call[Any], options: Options) -> WireRequest:
        """The wire form of a call: absolute URL, headers (with the key unless the call is
        anonymous), JSON body bytes."""
        url = self.config.base_url + call.url_path
        if call.query:
            url += "?" + urlencode(sorted(call.query.items()))
        headers = dict(self.config.headers)
        if call.anonymous:  # auth "none": the key never leaves the client
            del headers["X-Avala-Api-Key"]
        body = None
        if call.body is not None:
            body = encode_json(call.body)
            headers["Content-Type"] = "application/json"
        if options.idempotency_key:
            headers["Idempotency-Key"] = options.idempotency_key
        timeout = options.timeout if options.timeout is not None else self.config.timeout
        return WireRequest(call.method, url, headers, body, timeout)

    def program(self, request: Request[T], inherited: Options = NO_OPTIONS) -> Program[T]:
        if not isinstance(request, Request):
            raise TypeError(not_a_request(request))
        options = inherited.over(request.options)
        if isinstance(request, Call):
            return (yield from self._call(request, options))
        if isinstance(request, Pure):
            return Success(request.value)
        if isinstance(request, Mapped):
            result = yield from self.program(request.source, options)
            return result.bind(request.fn) if request.returns_result else result.map(request.fn)
        if isinstance(request, Bound):
            first = yield from self.program(request.source, options)
            if isinstance(first, Failure):
                return first
            return (yield from self.program(_built("bind", request.fn, first.unwrap()), options))
        if isinstance(request, Recovered):
            first = yield from self.program(request.source, options)
            if not isinstance(first, Failure):
                return first
            rescue = _built("recover", request.fn, first.failure())
            return (yield from self.program(rescue, options))
        if isinstance(request, Failed):
            return Failure(request.error)
        if isinstance(request, Gathered) and request.in_order:
            values = []
            for part in request.requests:
                result = yield from self.program(part, options)
                if isinstance(result, Failure):
                    return result
                values.append(result.unwrap())
            return cast(Result[T, AvalaError], Success(tuple(values)))
        if isinstance(request, Gathered):
            results = yield Fork(tuple(self.program(r, options) for r in request.requests))
            return cast(Result[T, AvalaError], _collect(results))
        if isinstance(request, Polled):
            return (yield from self._poll(request, options))
        raise TypeError(f"not a request: {request!r}")

    def _call(self, call: Call[T], options: Options) -> Program[T]:
        wire = self.render(call, options)
        attempt = 0
        while True:
            outcome: Outcome = yield Transmit(wire, attempt)
            if isinstance(outcome, WireResponse) and 200 <= outcome.status < 300:
                return call.reader.read(outcome.body)
            delay = self.policy.decide(
                attempt,
                call.method,
                outcome,
                has_idempotency_key=options.idempotency_key is not None,
                jitter=self.rng.random(),
                now=time.time(),
                max_retries=options.max_retries,
            )
            if delay is None:
                return Failure(self._error(outcome))
            if logger.isEnabledFor(logging.INFO):
                logger.info(
                    "retrying %s %s in %.2fs (retry %d): %s",
                    call.method,
                    redact_text(call.url_path, (self.config.api_key,)),
                    delay,
                    attempt + 1,
                    _describe(outcome),
                )
            yield Sleep(delay)
            attempt += 1

    def _error(self, outcome: Outcome) -> AvalaError:
        secrets = (self.config.api_key,)
        if isinstance(outcome, TransportFailure):
            return error_from_failure(outcome, secrets)
        return error_from_response(
            outcome.status, outcome.headers, outcome.body, now=time.time(), secrets=secrets
        )

    def _poll(self, polled: Polled[T], options: Options) -> Program[T]:
        started = yield Now()
        first = polled.request.first_call()
        endpoint = first.endpoint if first else None
        attempt = 0
        while True:
            result = yield from self.program(polled.request, options)
            if isinstance(result, Failure):
                return result
            last = result.unwrap()
            attempt += 1
            now = yield Now()
            yield Emit(PollTick(endpoint, attempt, now - started, last))
            if polled.until(last):
                return result
            if polled.fails_when is not None and polled.fails_when(last):
                return Failure(_terminal(endpoint, last))
            remaining = started + polled.timeout - now
            if remaining <= 0:
                return Failure(
                    WaitTimeoutError(
                        f"condition not met after {polled.timeout:g}s; last value: {last!r}",
                        last=last,
                    )
                )
            yield Sleep(min(polled.interval, remaining))


def _built(step: str, fn: Callable[[Any], Any], value: Any) -> Request[Any]:
    """The request a ``bind`` or ``recover`` function builds, refused if it is not one."""
    built = fn(value)
    if not isinstance(built, Request):
        raise TypeError(step_result_not_a_request(step, fn, built))
    return built


def _terminal(endpoint: str | None, value: Any) -> TerminalStatusError:
    """The error of a poll that reached a failure state: waiting longer cannot help."""
    status = getattr(value, "status", None)
    uid = getattr(value, "uid", None)
    subject = f"{uid} " if isinstance(uid, str) else ""
    state = f"status {status!r}" if status is not None else f"a failure state: {value!r:.100}"
    where = f" (polling {endpoint})" if endpoint else ""
    return TerminalStatusError(f"{subject}stopped in {state}{where}", value=value)


def _collect(results: tuple[Result[Any, AvalaError], ...]) -> Result[tuple[Any, ...], AvalaError]:
    for result in results:
        if isinstance(result, Failure):
            return result
    return Success(tuple(r.unwrap() for r in results))


def _describe(outcome: Outcome) -> str:
    if isinstance(outcome, TransportFailure):
        return f"{outcome.kind} failure"
    return f"HTTP {outcome.status}"
