"""What ``Client`` and ``AsyncClient`` share: configuration, resource properties,
rate-limit bookkeeping and the single-send step. Only the drivers differ."""

from __future__ import annotations

import dataclasses
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from returns.result import Failure, Result

from avala import resources
from avala._config import ClientConfig
from avala._instructions import SendObject, Transmit
from avala._logging import configure_from_env, logger
from avala._object_get import ObjectFetched, ObjectGet
from avala._object_transport import (
    ObjectPut,
    ObjectReply,
    ObjectTransport,
    PooledObjectTransport,
)
from avala._options import check_positive_int
from avala._program import Interpreter
from avala._redact import redact_headers, redact_text
from avala._transport import DEFAULT_MAX_RESPONSE_BYTES, RequestsTransport, Transport
from avala._wire import Outcome, TransportError, TransportFailure, WireRequest, WireResponse
from avala.errors import AvalaError, ClientClosedError, ConnectionFailedError
from avala.events import BytesReceived, BytesSent, EventHandler
from avala.retry import RetryPolicy

T = TypeVar("T")


DEFAULT_MAX_RETRIES = 2

# A try whose deadline ran out before it could start (waiting for a free slot, say).
_DEADLINE_SPENT = TransportFailure("timeout", False, "the call deadline ran out before this try")

_RATE_LIMIT_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")

B = TypeVar("B")
# Builders hold no state, so every client shares one of each, built on first use (the
# resource modules and the models they name are imported then).
_BUILDERS: dict[type[Any], Any] = {}


def _builder(cls: type[B]) -> B:
    found: B | None = _BUILDERS.get(cls)
    if found is None:
        found = _BUILDERS[cls] = cls()
    return found


@dataclass(frozen=True, slots=True)
class RawResponse(Generic[T]):
    """A decoded value with the status and headers of the HTTP response it came from."""

    status_code: int
    headers: Mapping[str, str]
    value: T


class ResponseRecorder:
    """Remembers the last complete HTTP response of one run, for ``run_raw``; the headers
    it hands out are redacted of ``secrets`` (a server may echo the key)."""

    __slots__ = ("last", "secrets")

    def __init__(self, secrets: tuple[str, ...]) -> None:
        self.last: WireResponse | None = None
        self.secrets = secrets

    def note(self, outcome: Outcome | AvalaError) -> None:
        if isinstance(outcome, WireResponse):
            self.last = outcome

    def wrap(self, value: T) -> RawResponse[T]:
        last = self.last
        if last is None:  # a request that sent nothing, such as pure(x)
            return RawResponse(0, {}, value)
        return RawResponse(last.status, redact_headers(last.headers, self.secrets), value)


def value_or_raise(result: Result[T, AvalaError]) -> T:
    """The value of a Success; the typed error of a Failure, raised (for ``run_or_raise``)."""
    if isinstance(result, Failure):
        raise result.failure()
    return result.unwrap()


class BaseClient:
    """Configuration and bookkeeping common to both clients."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = DEFAULT_MAX_RETRIES,
        deadline: float | None = None,
        transport: Transport | None = None,
        retry_policy: RetryPolicy | None = None,
        verify: bool | str = True,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        pool_size: int = 10,
        object_transport: ObjectTransport | None = None,
        anonymous: bool = False,
    ) -> None:
        configure_from_env()
        if not isinstance(anonymous, bool):
            raise TypeError(f"anonymous must be a bool, not {type(anonymous).__name__}")
        check_positive_int("pool_size", pool_size)
        check_positive_int("max_response_bytes", max_response_bytes)
        if not isinstance(verify, (bool, str)):
            raise TypeError(
                f"verify must be a bool or a CA bundle path, not {type(verify).__name__}"
            )
        self._config = ClientConfig.resolve(
            api_key, base_url, timeout, max_retries, deadline, anonymous=anonymous
        )
        # max_retries sets the count, unless a policy was given and max_retries left alone.
        policy = retry_policy or RetryPolicy()
        if retry_policy is None or max_retries != DEFAULT_MAX_RETRIES:
            policy = dataclasses.replace(policy, max_retries=self._config.max_retries)
        self._interpreter = Interpreter(self._config, policy, random.Random())
        self._transport: Transport = transport or RequestsTransport(
            base_url=self._config.base_url,
            verify=verify,
            pool_size=pool_size,
            max_response_bytes=max_response_bytes,
        )
        # Object storage gets its own transport, built without the configuration: it
        # cannot send the API key. Pools sized for a limited gather of uploads.
        self._object_transport: ObjectTransport = object_transport or PooledObjectTransport(
            verify=verify, pool_size=max(pool_size, 16)
        )
        self._rate_limit: dict[str, str] = {}
        self._lock = threading.Lock()
        self._closing = threading.Event()  # set by close(); wakes a sync backoff at once

    # -- bookkeeping -------------------------------------------------------------------

    @property
    def rate_limit_info(self) -> dict[str, str]:
        """Rate-limit headers of the latest response, keyed by lower-cased header name.

        Empty before the first response. A copy: changing it changes nothing here.
        Building a request (``client.projects.list()``) sends nothing, so only a run
        (``client.run(request)``) updates it.
        Redacted when read, so the per-response bookkeeping stays cheap.
        """
        with self._lock:
            found = self._rate_limit
        return redact_headers(found, (self._config.api_key,))

    @property
    def base_url(self) -> str:
        return self._config.base_url

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"{type(self).__name__}(base_url={self._config.base_url!r}, {state})"

    @property
    def _closed(self) -> bool:
        return self._closing.is_set()

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"this {type(self).__name__} is closed; create a new one")

    def _transmit(self, instruction: Transmit, now: float) -> Outcome | AvalaError:
        """Send once through the transport, the try starting at ``now`` on the driver's
        clock; never raises for what the network does. Once closed, sends nothing."""
        if self._closed:
            return ClientClosedError(
                f"{type(self).__name__} closed: {instruction.wire.method} "
                f"{self._shown_path(instruction.wire)} not sent"
            )
        wire = instruction.wire_at(now)
        if wire is None:
            return _DEADLINE_SPENT
        started = time.perf_counter()
        try:
            outcome: Outcome = self._transport.send(wire)
        except TransportError as exc:
            outcome = exc.failure
        except AssertionError:
            raise  # a stub transport refusing an unexpected request: let the test see it
        except Exception as exc:
            outcome = TransportFailure("broken", True, f"{type(exc).__name__}: {exc}")
        if isinstance(outcome, WireResponse):
            self._note_rate_limit(outcome)
        if logger.isEnabledFor(logging.DEBUG):
            status = outcome.status if isinstance(outcome, WireResponse) else outcome.kind
            logger.debug(
                "%s %s -> %s in %.1f ms (retry %d)",
                wire.method,
                self._shown_path(wire),
                status,
                (time.perf_counter() - started) * 1000,
                instruction.attempt,
            )
        return outcome

    def _send_object(
        self, instruction: SendObject, now: float, on_bytes: Callable[[int], None] | None
    ) -> ObjectReply | ObjectFetched | AvalaError:
        """One object-storage try starting at ``now``; ``on_bytes`` hears each chunk sent.
        Once closed, sends nothing; never raises for what the network or the file does
        (a progress callback's own exception is raised)."""
        op = instruction.op
        if self._closed:
            what = f"PUT {op.path}" if isinstance(op, ObjectPut) else f"GET {op.dest}"
            return ClientClosedError(f"{type(self).__name__} closed: {what} not sent")
        timed = instruction.op_at(now)
        if isinstance(op, ObjectGet):  # downloads log nothing here: the URL is a secret
            if not isinstance(timed, ObjectGet):
                return ObjectFetched(_DEADLINE_SPENT, op.offset or 0, op.digest)
            return self._object_transport.get(timed, on_bytes or _ignore)
        if not isinstance(timed, ObjectPut):
            return ObjectReply(_DEADLINE_SPENT, 0)
        started = time.perf_counter()
        reply = self._object_transport.put(timed, on_bytes or _ignore)
        if logger.isEnabledFor(logging.DEBUG):
            outcome = reply.outcome
            status = (
                outcome.status
                if isinstance(outcome, WireResponse)
                else getattr(outcome, "kind", type(outcome).__name__)
            )
            logger.debug(
                "PUT %s (%d bytes) -> %s in %.1f ms (retry %d)",
                op.path,
                op.length,
                status,
                (time.perf_counter() - started) * 1000,
                instruction.attempt,
            )
        return reply

    def _shown_path(self, wire: WireRequest) -> str:
        """The path and query of ``wire`` as logs and messages show it: redacted."""
        return redact_text(_path_of(wire.url, self._config.base_url), (self._config.api_key,))

    def _note_rate_limit(self, response: WireResponse) -> None:
        found = {h: response.headers[h] for h in _RATE_LIMIT_HEADERS if h in response.headers}
        if found:
            with self._lock:
                self._rate_limit = found

    # -- resources ---------------------------------------------------------------------

    @property
    def agents(self) -> resources.Agents:
        return _builder(resources.Agents)

    @property
    def annotation_issues(self) -> resources.AnnotationIssues:
        return _builder(resources.AnnotationIssues)

    @property
    def annotations(self) -> resources.Annotations:
        return _builder(resources.Annotations)

    @property
    def auto_label_jobs(self) -> resources.AutoLabelJobs:
        return _builder(resources.AutoLabelJobs)

    @property
    def consensus(self) -> resources.Consensus:
        return _builder(resources.Consensus)

    @property
    def datasets(self) -> resources.Datasets:
        return _builder(resources.Datasets)

    @property
    def exports(self) -> resources.Exports:
        return _builder(resources.Exports)

    @property
    def fleet(self) -> resources.Fleet:
        return _builder(resources.Fleet)

    @property
    def inference_providers(self) -> resources.InferenceProviders:
        return _builder(resources.InferenceProviders)

    @property
    def organizations(self) -> resources.Organizations:
        return _builder(resources.Organizations)

    @property
    def projects(self) -> resources.Projects:
        return _builder(resources.Projects)

    @property
    def quality_targets(self) -> resources.QualityTargets:
        return _builder(resources.QualityTargets)

    @property
    def resolver(self) -> resources.Resolver:
        return _builder(resources.Resolver)

    @property
    def slices(self) -> resources.Slices:
        return _builder(resources.Slices)

    @property
    def storage_configs(self) -> resources.StorageConfigs:
        return _builder(resources.StorageConfigs)

    @property
    def tasks(self) -> resources.Tasks:
        return _builder(resources.Tasks)

    @property
    def users(self) -> resources.Users:
        return _builder(resources.Users)

    @property
    def webhooks(self) -> resources.Webhooks:
        return _builder(resources.Webhooks)

    @property
    def webhook_deliveries(self) -> resources.WebhookDeliveries:
        return _builder(resources.WebhookDeliveries)


class StopFlag:
    """Set when a limited gather has its result (a Failure): the parts still running stop
    before their next instruction. Nested gathers see their parent's flag too."""

    __slots__ = ("_event", "_parent")

    def __init__(self, parent: StopFlag | None = None) -> None:
        self._event = threading.Event()
        self._parent = parent

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set() or (self._parent is not None and self._parent.is_set())


# What a part stopped by a StopFlag answers; never a run's result (the Failure that set
# the flag is), so its wording is for debugging only.
STOPPED = ConnectionFailedError("stopped: another part of the gather failed")


def _ignore(count: int) -> None:
    pass


def bytes_reporter(
    op: ObjectPut | ObjectGet, on_event: EventHandler | None
) -> Callable[[int], None] | None:
    """``on_bytes`` for a transfer: each count as a ``BytesSent`` event (a PUT of its file)
    or a ``BytesReceived`` event (a GET to its destination)."""
    if on_event is None:
        return None
    handler = on_event
    event = byte_event(op)

    def report(count: int) -> None:
        handler(event(count))

    return report


def byte_event(op: ObjectPut | ObjectGet) -> Callable[[int], BytesSent | BytesReceived]:
    """The progress event of ``op``'s bytes, as a function of their count."""
    if isinstance(op, ObjectGet):
        dest = op.dest
        return lambda count: BytesReceived(dest, count)
    path = op.path
    return lambda count: BytesSent(path, count)


def _path_of(url: str, base_url: str) -> str:
    """The part of ``url`` after the base URL: what a log line shows (query included)."""
    return url[len(base_url) :] if url.startswith(base_url) else url
