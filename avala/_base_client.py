"""What ``Client`` and ``AsyncClient`` share: configuration, resource properties,
rate-limit bookkeeping and the single-send step. Only the drivers differ."""

from __future__ import annotations

import dataclasses
import logging
import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from returns.result import Failure, Result

from avala import resources
from avala._config import ClientConfig
from avala._logging import configure_from_env, logger
from avala._program import Interpreter, Transmit
from avala._redact import redact_headers, redact_text
from avala._transport import DEFAULT_MAX_RESPONSE_BYTES, RequestsTransport, Transport
from avala._wire import Outcome, TransportError, TransportFailure, WireResponse
from avala.errors import AvalaError
from avala.retry import RetryPolicy

T = TypeVar("T")


DEFAULT_MAX_RETRIES = 2

_RATE_LIMIT_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")

# Builders hold no state, so every client shares one of each.
_AGENTS = resources.Agents()
_ANNOTATION_ISSUES = resources.AnnotationIssues()
_ANNOTATIONS = resources.Annotations()
_AUTO_LABEL_JOBS = resources.AutoLabelJobs()
_CONSENSUS = resources.Consensus()
_DATASETS = resources.Datasets()
_EXPORTS = resources.Exports()
_FLEET = resources.Fleet()
_INFERENCE_PROVIDERS = resources.InferenceProviders()
_ORGANIZATIONS = resources.Organizations()
_PROJECTS = resources.Projects()
_QUALITY_TARGETS = resources.QualityTargets()
_SLICES = resources.Slices()
_STORAGE_CONFIGS = resources.StorageConfigs()
_TASKS = resources.Tasks()
_USERS = resources.Users()
_RESOLVER = resources.Resolver()
_WEBHOOKS = resources.Webhooks()
_WEBHOOK_DELIVERIES = resources.WebhookDeliveries()


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

    def note(self, outcome: Outcome) -> None:
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
        transport: Transport | None = None,
        retry_policy: RetryPolicy | None = None,
        verify: bool | str = True,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        pool_size: int = 10,
    ) -> None:
        configure_from_env()
        self._config = ClientConfig.resolve(api_key, base_url, timeout, max_retries)
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
        self._rate_limit: dict[str, str] = {}
        self._lock = threading.Lock()
        self._closed = False

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

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"this {type(self).__name__} is closed; create a new one")

    def _transmit(self, instruction: Transmit) -> Outcome:
        """Send once through the transport; never raises for what the network does."""
        wire = instruction.wire
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
                redact_text(_path_of(wire.url, self._config.base_url), (self._config.api_key,)),
                status,
                (time.perf_counter() - started) * 1000,
                instruction.attempt,
            )
        return outcome

    def _note_rate_limit(self, response: WireResponse) -> None:
        found = {h: response.headers[h] for h in _RATE_LIMIT_HEADERS if h in response.headers}
        if found:
            with self._lock:
                self._rate_limit = found

    # -- resources ---------------------------------------------------------------------

    @property
    def agents(self) -> resources.Agents:
        return _AGENTS

    @property
    def annotation_issues(self) -> resources.AnnotationIssues:
        return _ANNOTATION_ISSUES

    @property
    def annotations(self) -> resources.Annotations:
        return _ANNOTATIONS

    @property
    def auto_label_jobs(self) -> resources.AutoLabelJobs:
        return _AUTO_LABEL_JOBS

    @property
    def consensus(self) -> resources.Consensus:
        return _CONSENSUS

    @property
    def datasets(self) -> resources.Datasets:
        return _DATASETS

    @property
    def exports(self) -> resources.Exports:
        return _EXPORTS

    @property
    def fleet(self) -> resources.Fleet:
        return _FLEET

    @property
    def inference_providers(self) -> resources.InferenceProviders:
        return _INFERENCE_PROVIDERS

    @property
    def organizations(self) -> resources.Organizations:
        return _ORGANIZATIONS

    @property
    def projects(self) -> resources.Projects:
        return _PROJECTS

    @property
    def quality_targets(self) -> resources.QualityTargets:
        return _QUALITY_TARGETS

    @property
    def resolver(self) -> resources.Resolver:
        return _RESOLVER

    @property
    def slices(self) -> resources.Slices:
        return _SLICES

    @property
    def storage_configs(self) -> resources.StorageConfigs:
        return _STORAGE_CONFIGS

    @property
    def tasks(self) -> resources.Tasks:
        return _TASKS

    @property
    def users(self) -> resources.Users:
        return _USERS

    @property
    def webhooks(self) -> resources.Webhooks:
        return _WEBHOOKS

    @property
    def webhook_deliveries(self) -> resources.WebhookDeliveries:
        return _WEBHOOK_DELIVERIES


def _path_of(url: str, base_url: str) -> str:
    """The part of ``url`` after the base URL: what a log line shows (query included)."""
    return url[len(base_url) :] if url.startswith(base_url) else url
