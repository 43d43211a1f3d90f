"""The programs of object-storage transfers: a ``PutObject`` (a file slice to a presigned
URL) and a ``GetObject`` (an object into a partial file beside its destination, then onto
it). Each try is checked against the host rules before it is sent; tries are retried as
any PUT or GET under the client's policy and the call deadline; a 403 asks the request's
``refresh`` for a fresh URL. ``Interpreter.program`` runs them.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from returns.result import Failure, Success

from avala._instructions import (
    Emit,
    Instruction,
    Program,
    SendObject,
    Sleep,
    describe,
    log_retry,
    within_deadline,
)
from avala._object_get import ObjectFetched, ObjectGet
from avala._object_transport import ObjectPut, ObjectReply
from avala._options import Options
from avala._wire import Outcome, WireResponse
from avala.errors import AvalaError, IntegrityError
from avala.events import BytesReceived, BytesSent, FileDownloaded, RetryScheduled
from avala.transfers._download import partial_path
from avala.transfers._hosts import check_fetch_url, check_upload_url
from avala.transfers._storage_errors import storage_error
from avala.transfers._values import Downloaded, GetObject, Presigned, PutObject, Stored

if TYPE_CHECKING:
    from avala._program import Interpreter

__all__ = ["get_program", "put_program"]

# A PUT's try may take the client's timeout plus this long per byte: a 128 MiB part gets
# about 8.5 minutes more, so a slow uplink still finishes while a stalled store does not.
OBJECT_SECONDS_PER_BYTE = 1 / (256 * 1024)
# A download of unknown size gets this long per try on top of the client's timeout; a
# try that times out is resumed where it stopped.
UNSIZED_DOWNLOAD_SECONDS = 3600.0


def put_program(
    interp: Interpreter,
    put: PutObject,
    options: Options,
    inherited: Options,
    expires_at: float | None,
) -> Program[Stored]:
    """PUT a file slice: retried like any PUT; a 403 asks ``put.refresh`` for a fresh
    URL (once per try); 412 means already stored. Bytes a try reported but did not
    store are taken back with one negative ``BytesSent``."""
    timeout = options.timeout
    if timeout is None:
        timeout = interp.config.timeout + put.length * OBJECT_SECONDS_PER_BYTE
    state = _Try(put.target, 0, refreshed=False)
    while True:
        target = state.target
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
        reply: ObjectReply | AvalaError = yield SendObject(op, state.attempt, expires_at)
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
        step = yield from _after_try(interp, put, outcome, state, options, inherited, expires_at)
        if isinstance(step, Failure):
            return step
        state = step


def get_program(
    interp: Interpreter,
    get: GetObject,
    options: Options,
    inherited: Options,
    expires_at: float | None,
) -> Program[Downloaded]:
    """GET an object into a partial file and onto ``get.dest``: retried like any GET,
    each retry resuming where the partial file ends; a try that moved bytes starts the
    retry count afresh. A 403 asks ``get.refresh`` for a fresh URL (once per try).
    Bytes a restart threw away are taken back with one negative ``BytesReceived``."""
    timeout = options.timeout
    if timeout is None:
        timeout = interp.config.timeout + (
            UNSIZED_DOWNLOAD_SECONDS if get.size is None else get.size * OBJECT_SECONDS_PER_BYTE
        )
    partial = partial_path(get.dest, get.sha256)
    offset: int | None = None  # the first try keeps what an earlier run left, if it can
    digest: Any = None
    counted = 0  # bytes reported in this run and still in the partial file
    state = _Try(get.target, 0, refreshed=False)
    while True:
        target = state.target
        refused = check_fetch_url(target.url, get.hosts, interp.config.base_url)
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
        reply: ObjectFetched | AvalaError = yield SendObject(op, state.attempt, expires_at)
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
            state = replace(state, attempt=0)  # the budget is for tries that move nothing
        step = yield from _after_try(interp, get, outcome, state, options, inherited, expires_at)
        if isinstance(step, Failure):
            return step
        state = step


def _after_try(
    interp: Interpreter,
    transfer: PutObject | GetObject,
    outcome: Outcome,
    last: _Try,
    options: Options,
    inherited: Options,
    expires_at: float | None,
) -> Generator[Instruction, Any, _Try | Failure[Any]]:
    """After a storage try of ``transfer`` that did not finish: a 403 asks its
    ``refresh`` for a fresh URL (once per try), anything else is retried as the policy and
    the deadline allow, or ends as the storage error."""
    method = "PUT" if isinstance(transfer, PutObject) else "GET"
    what, refresh = transfer.what, transfer.refresh
    if isinstance(outcome, WireResponse) and outcome.status == 403:
        if refresh is None or last.refreshed:
            return Failure(storage_error(outcome, what, last.target.url))
        fresh = yield from interp.program(refresh, inherited, expires_at)
        if isinstance(fresh, Failure):
            return fresh
        return _Try(_presigned(fresh.unwrap()), last.attempt, refreshed=True)
    delay = interp.policy.decide(
        last.attempt,
        method,
        outcome,
        jitter=interp.rng.random(),
        now=time.time(),
        max_retries=options.max_retries,
    )
    delay = yield from within_deadline(delay, outcome, expires_at, what)
    if delay is None:
        return Failure(storage_error(outcome, what, last.target.url))
    log_retry(what, delay, last.attempt, outcome)
    yield Emit(RetryScheduled(what, last.attempt + 1, delay, describe(outcome)))
    yield Sleep(delay)
    return _Try(last.target, last.attempt + 1, refreshed=False)


@dataclass(frozen=True, slots=True)
class _Try:
    """Where a storage transfer stands between tries: the URL to use, the retry count,
    and whether that URL was just refreshed (a second 403 then ends it)."""

    target: Presigned
    attempt: int
    refreshed: bool


def _presigned(value: object) -> Presigned:
    """What a ``refresh`` request gave, which must be a ``Presigned`` target."""
    if not isinstance(value, Presigned):
        raise TypeError(
            f"a PutObject's or GetObject's refresh request must give a Presigned target, not "
            f"{type(value).__name__}"
        )
    return value
