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
from dataclasses import dataclass, replace
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from returns.result import Failure, Result, Success

from avala._config import ClientConfig
from avala._error_mapping import error_from_failure, error_from_response
from avala._logging import logger
from avala._misuse import not_a_request, step_result_not_a_request
from avala._object_get import ObjectFetched, ObjectGet
from avala._object_transport import ObjectPut, ObjectReply
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
from avala._wire import (
    Outcome,
    TransportFailure,
    WireRequest,
    WireResponse,
    parse_retry_after,
)
from avala.errors import (
    AuthenticationError,
    AvalaError,
    IntegrityError,
    LocalFileError,
    TerminalStatusError,
    WaitTimeoutError,
)
from avala.events import (
    BytesReceived,
    BytesSent,
    Event,
    FileDownloaded,
    PollTick,
    RetryScheduled,
)
from avala.retry import RetryPolicy
from avala.transfers._download import partial_path
from avala.transfers._hosts import check_fetch_url, check_upload_url
from avala.transfers._local_errors import local_error
from avala.transfers._storage_errors import storage_error
from avala.transfers._values import Downloaded, GetObject, Presigned, PutObject, Stored

# A PUT's try may take the client's timeout plus this long per byte: a 128 MiB part gets
# about 8.5 minutes more, so a slow uplink still finishes while a stalled store does not.
OBJECT_SECONDS_PER_BYTE = 1 / (256 * 1024)
# A download of unknown size gets this long per try on top of the client's timeout; a
# try that times out is resumed where it stopped.
UNSIZED_DOWNLOAD_SECONDS = 3600.0

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
            stored = yield from self._put(request, options, inherited, expires_at)
            return cast(Result[T, AvalaError], stored)
        if isinstance(request, GetObject):
            fetched = yield from self._get(request, options, inherited, expires_at)
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
            delay = yield from _within_deadline(delay, outcome, expires_at, what)
            if delay is None:
                return Failure(self._error(outcome, body_secrets(call.body)))
            _log_retry(what, delay, attempt, outcome)
            yield Sleep(delay)
            attempt += 1

    def _put(
        self, put: PutObject, options: Options, inherited: Options, expires_at: float | None
    ) -> Program[Stored]:
        """PUT a file slice: retried like any PUT; a 403 asks ``put.refresh`` for a fresh
        URL (once per try); 412 means already stored. Bytes a try reported but did not
        store are taken back with one negative ``BytesSent``."""
        timeout = options.timeout
        if timeout is None:
            timeout = self.config.timeout + put.length * OBJECT_SECONDS_PER_BYTE
        target = put.target
        attempt = 0
        refreshed = False
        while True:
            refused = check_upload_url(target.url)
            if refused is not None:
                return Failure(refused)
            op = ObjectPut(
                target.url,
                target.headers,
                put.path,
                put.offset,
                put.length,
                put.stamp,
                timeout,
                put.digest,
            )
            reply: ObjectReply | AvalaError = yield SendObject(op, attempt, expires_at)
            if isinstance(reply, AvalaError):
                return Failure(reply)
            outcome = reply.outcome
            if isinstance(outcome, WireResponse) and 200 <= outcome.status < 300:
                etag = outcome.headers.get("etag")
                return Success(Stored(etag, reply.bytes_sent, sha256=reply.sha256))
            if reply.bytes_sent:
                yield Emit(BytesSent(put.path, -reply.bytes_sent))
            if isinstance(outcome, AvalaError):  # the file changed: no retry can help
                return Failure(outcome)
            if isinstance(outcome, WireResponse) and outcome.status == 412:
                return Success(Stored(None, 0, already=True))
            step = yield from self._after_storage_try(
                "PUT",
                put.what,
                put.refresh,
                outcome,
                _Try(target, attempt, refreshed),
                options,
                inherited,
                expires_at,
            )
            if isinstance(step, Failure):
                return step
            target, attempt, refreshed = step.target, step.attempt, step.refreshed

    def _get(
        self, get: GetObject, options: Options, inherited: Options, expires_at: float | None
    ) -> Program[Downloaded]:
        """GET an object into a partial file and onto ``get.dest``: retried like any GET,
        each retry resuming where the partial file ends; a try that moved bytes starts the
        retry count afresh. A 403 asks ``get.refresh`` for a fresh URL (once per try).
        Bytes a restart threw away are taken back with one negative ``BytesReceived``."""
        timeout = options.timeout
        if timeout is None:
            timeout = self.config.timeout + (
                UNSIZED_DOWNLOAD_SECONDS if get.size is None else get.size * OBJECT_SECONDS_PER_BYTE
            )
        partial = partial_path(get.dest, get.sha256)
        target = get.target
        offset: int | None = None  # the first try keeps what an earlier run left, if it can
        digest: Any = None
        counted = 0  # bytes reported in this run and still in the partial file
        attempt = 0
        refreshed = False
        while True:
            refused = check_fetch_url(target.url, get.hosts, self.config.base_url)
            if refused is not None:
                return Failure(refused)
            op = ObjectGet(
                target.url,
                target.headers,
                get.dest,
                partial,
                offset,
                get.size,
                get.sha256,
                timeout,
                digest,
            )
            reply: ObjectFetched | AvalaError = yield SendObject(op, attempt, expires_at)
            if isinstance(reply, AvalaError):
                return Failure(reply)
            if reply.restarted and counted:
                yield Emit(BytesReceived(get.dest, -counted))
                counted = 0
            counted += reply.received
            outcome = reply.outcome
            if reply.done:
                yield Emit(FileDownloaded(get.dest, reply.kept))
                return Success(Downloaded(get.dest, reply.kept, get.sha256, counted))
            if isinstance(outcome, AvalaError):  # a failed check or a local file error
                if isinstance(outcome, IntegrityError) and counted:
                    yield Emit(BytesReceived(get.dest, -counted))
                return Failure(outcome)
            offset, digest = reply.kept, reply.digest
            if reply.received:
                attempt = 0  # progress: the retry budget is for tries that move nothing
            step = yield from self._after_storage_try(
                "GET",
                get.what,
                get.refresh,
                outcome,
                _Try(target, attempt, refreshed),
                options,
                inherited,
                expires_at,
            )
            if isinstance(step, Failure):
                return step
            target, attempt, refreshed = step.target, step.attempt, step.refreshed

    def _after_storage_try(
        self,
        method: str,
        what: str,
        refresh: Request[Presigned] | None,
        outcome: Outcome,
        last: _Try,
        options: Options,
        inherited: Options,
        expires_at: float | None,
    ) -> Generator[Instruction, Any, _Try | Failure[Any]]:
        """After a storage try that did not finish: a 403 asks ``refresh`` for a fresh URL
        (once per try), anything else is retried as the policy and the deadline allow, or
        ends as the storage error."""
        if isinstance(outcome, WireResponse) and outcome.status == 403:
            if refresh is None or last.refreshed:
                return Failure(storage_error(outcome, what, last.target.url))
            fresh = yield from self.program(refresh, inherited, expires_at)
            if isinstance(fresh, Failure):
                return fresh
            return _Try(_presigned(fresh.unwrap()), last.attempt, refreshed=True)
        delay = self.policy.decide(
            last.attempt,
            method,
            outcome,
            jitter=self.rng.random(),
            now=time.time(),
            max_retries=options.max_retries,
        )
        delay = yield from _within_deadline(delay, outcome, expires_at, what)
        if delay is None:
            return Failure(storage_error(outcome, what, last.target.url))
        _log_retry(what, delay, last.attempt, outcome)
        yield Emit(RetryScheduled(what, last.attempt + 1, delay, _describe(outcome)))
        yield Sleep(delay)
        return _Try(last.target, last.attempt + 1, refreshed=False)

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


@dataclass(frozen=True, slots=True)
class _Try:
    """Where a storage transfer stands between tries: the URL to use, the retry count,
    and whether that URL was just refreshed (a second 403 then ends it)."""

    target: Presigned
    attempt: int
    refreshed: bool


def _within_deadline(
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
            _describe(outcome),
        )
    return None


def _log_retry(what: str, delay: float, attempt: int, outcome: Outcome) -> None:
    if logger.isEnabledFor(logging.INFO):
        logger.info(
            "retrying %s in %.2fs (retry %d): %s", what, delay, attempt + 1, _describe(outcome)
        )


def _presigned(value: object) -> Presigned:
    """What a ``refresh`` request gave, which must be a ``Presigned`` target."""
    if not isinstance(value, Presigned):
        raise TypeError(
            f"a PutObject's or GetObject's refresh request must give a Presigned target, not "
            f"{type(value).__name__}"
        )
    return value


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


def _asked_wait(outcome: Outcome) -> float:
    """How long the server asked to be left alone (Retry-After), uncapped; 0 if it did not."""
    if isinstance(outcome, TransportFailure):
        return 0.0
    return parse_retry_after(outcome.headers.get("retry-after"), time.time()) or 0.0


def _describe(outcome: Outcome) -> str:
    if isinstance(outcome, TransportFailure):
        return f"{outcome.kind} failure"
    return f"HTTP {outcome.status}"
