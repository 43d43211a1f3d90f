"""The interpreter of request values, written once for every client.

Evaluating a request is a generator that yields instructions (send this, sleep,
what time is it, run these side by side) and receives their results. ``Client``
answers them with blocking calls, ``AsyncClient`` with awaits; retries, polling
and composition live here, so they behave the same on both. The instructions are in
``_instructions``; the programs of object transfers in ``_storage_program``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from returns.result import Failure, Result, Success

from avala._config import ClientConfig
from avala._error_mapping import error_from_failure, error_from_response
from avala._instructions import (
    Emit,
    Fork,
    LocalIO,
    Now,
    Program,
    Sleep,
    Transmit,
    log_retry,
    within_deadline,
)
from avala._logging import logger
from avala._misuse import not_a_request, step_result_not_a_request
from avala._options import NO_OPTIONS, Options
from avala._redact import body_secrets, redact_text
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
from avala._steps import Announce, Contextual, Local
from avala._storage_program import get_program, put_program
from avala._wire import (
    Outcome,
    TransportFailure,
    WireRequest,
    WireResponse,
)
from avala.errors import (
    AuthenticationError,
    AvalaError,
    LocalFileError,
    TerminalStatusError,
    WaitTimeoutError,
)
from avala.events import (
    PollTick,
)
from avala.retry import RetryPolicy
from avala.transfers._values import GetObject, PutObject

T = TypeVar("T")


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
            headers.pop("X-Avala-Api-Key", None)
        body = None
        if call.body is not None:
            body = encode_json(call.body)
            headers["Content-Type"] = "application/json"
        if options.idempotency_key:
            headers["Idempotency-Key"] = options.idempotency_key
        timeout = options.timeout if options.timeout is not None else self.config.timeout
        return WireRequest(call.method, url, headers, body, timeout)

    def start(self, request: Request[T]) -> Program[T]:
        """The program of one run: the client's default deadline covers it, unless the
        request sets its own."""
        expires_at = None
        if self.config.deadline is not None and request.options.deadline is None:
            expires_at = (yield Now()) + self.config.deadline
        return (yield from self.program(request, NO_OPTIONS, expires_at))

    def program(
        self,
        request: Request[T],
        inherited: Options = NO_OPTIONS,
        expires_at: float | None = None,
    ) -> Program[T]:
        """``request`` under the options of what encloses it; ``expires_at`` is the end of
        the enclosing budget, if any (a deadline set here can only end it sooner)."""
        if not isinstance(request, Request):
            raise TypeError(not_a_request(request))
        options = inherited.over(request.options)
        if request.options.deadline is not None:
            ends = (yield Now()) + request.options.deadline
            expires_at = ends if expires_at is None else min(expires_at, ends)
        if isinstance(request, Call):
            return (yield from self._call(request, options, expires_at))
        if isinstance(request, Pure):
            return Success(request.value)
        if isinstance(request, Mapped):
            result = yield from self.program(request.source, options, expires_at)
            return result.bind(request.fn) if request.returns_result else result.map(request.fn)
        if isinstance(request, Bound):
            first = yield from self.program(request.source, options, expires_at)
            if isinstance(first, Failure):
                return first
            step = _built("bind", request.fn, first.unwrap())
            return (yield from self.program(step, options, expires_at))
        if isinstance(request, Recovered):
            first = yield from self.program(request.source, options, expires_at)
            if not isinstance(first, Failure):
                return first
            rescue = _built("recover", request.fn, first.failure())
            return (yield from self.program(rescue, options, expires_at))
        if isinstance(request, Failed):
            return Failure(request.error)
        if isinstance(request, Gathered) and request.in_order:
            values = []
            for part in request.requests:
                result = yield from self.program(part, options, expires_at)
                if isinstance(result, Failure):
                    return result
                values.append(result.unwrap())
            return cast(Result[T, AvalaError], Success(tuple(values)))
        if isinstance(request, Gathered):
            parts = tuple(self.program(r, options, expires_at) for r in request.requests)
            results = yield Fork(parts, request.limit)
            return cast(Result[T, AvalaError], _collect(results))
        if isinstance(request, PutObject):
            stored = yield from put_program(self, request, options, inherited, expires_at)
            return cast(Result[T, AvalaError], stored)
        if isinstance(request, GetObject):
            fetched = yield from get_program(self, request, options, inherited, expires_at)
            return cast(Result[T, AvalaError], fetched)
        if isinstance(request, Polled):
            return (yield from self._poll(request, options, expires_at))
        if isinstance(request, Local):
            answer = yield LocalIO(request.fn)
            return Failure(answer) if isinstance(answer, LocalFileError) else Success(answer)
        if isinstance(request, Contextual):
            built = _built("contextual", request.fn, self.config.base_url)
            return (yield from self.program(built, options, expires_at))
        if isinstance(request, Announce):
            for event in request.events:
                yield Emit(event)
            return cast(Result[T, AvalaError], Success(None))
        raise TypeError(f"not a request: {request!r}")

    def _call(self, call: Call[T], options: Options, expires_at: float | None) -> Program[T]:
        if not call.anonymous and not self.config.api_key:
            return Failure(
                AuthenticationError(
                    f"{call.endpoint} needs an API key, and this client was made with"
                    " anonymous=True; nothing was sent"
                )
            )
        wire = self.render(call, options)
        attempt = 0
        while True:
            outcome: Outcome | AvalaError = yield Transmit(wire, attempt, expires_at)
            if isinstance(outcome, AvalaError):
                return Failure(outcome)
            if isinstance(outcome, WireResponse) and 200 <= outcome.status < 300:
                return call.reader.read(outcome.body, outcome.headers)
            delay = self.policy.decide(
                attempt,
                call.method,
                outcome,
                has_idempotency_key=options.idempotency_key is not None,
                jitter=self.rng.random(),
                now=time.time(),
                max_retries=options.max_retries,
            )
            what = f"{call.method} {self._shown_path(call)}"
            delay = yield from within_deadline(delay, outcome, expires_at, what)
            if delay is None:
                return Failure(self._error(outcome, body_secrets(call.body)))
            log_retry(what, delay, attempt, outcome)
            yield Sleep(delay)
            attempt += 1

    def _shown_path(self, call: Call[Any]) -> str:
        return redact_text(call.url_path, (self.config.api_key,))

    def _error(self, outcome: Outcome, hidden: tuple[str, ...] = ()) -> AvalaError:
        """The error of a final outcome, redacted of the key and of ``hidden`` (the call's
        secret body values). Whatever the server sent, this returns: a body that breaks
        the mapping (nested too deeply, say) still gives the status' error."""
        secrets = (self.config.api_key, *hidden)
        if isinstance(outcome, TransportFailure):
            return error_from_failure(outcome, secrets)
        now = time.time()
        try:
            return error_from_response(
                outcome.status, outcome.headers, outcome.body, now=now, secrets=secrets
            )
        except Exception as exc:
            logger.debug("error body of HTTP %s not read: %s", outcome.status, type(exc).__name__)
        try:
            return error_from_response(outcome.status, outcome.headers, b"", now=now)
        except Exception:
            return AvalaError(f"HTTP {outcome.status}", status_code=outcome.status)

    def _poll(self, polled: Polled[T], options: Options, expires_at: float | None) -> Program[T]:
        started = yield Now()
        first = polled.request.first_call()
        endpoint = first.endpoint if first else None
        attempt = 0
        while True:
            result = yield from self.program(polled.request, options, expires_at)
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
            wait = min(polled.interval, remaining)
            if remaining <= 0:
                why = f"condition not met after {polled.timeout:g}s"
            elif expires_at is not None and wait >= expires_at - now:
                why = "condition not met within the call deadline"
            else:
                yield Sleep(wait)
                continue
            return Failure(WaitTimeoutError(f"{why}; last value: {last!r}", last=last))


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
