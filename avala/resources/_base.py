"""Helpers every resource module builds its requests with."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from avala._decode import Reader
from avala._request import Call, Request, call, poll
from avala.resources._checks import check_interval
from avala.resources._endpoints import ENDPOINTS

T = TypeVar("T")


def api(
    endpoint: str,
    reader: Reader[T],
    *,
    path: Mapping[str, str] | None = None,
    query: Mapping[str, object] | None = None,
    body: Any = None,
) -> Call[T]:
    """A call to the endpoint named in the table: method and path template come from there."""
    row = ENDPOINTS[endpoint]
    return call(
        endpoint,
        row.method,
        row.path,
        reader,
        path=path,
        query=query,
        body=body,
        anonymous=row.auth == "none",
    )


def compact(**fields: object) -> dict[str, object]:
    """A JSON object of the given fields, leaving out those that are None."""
    return {k: v for k, v in fields.items() if v is not None}


@dataclass(frozen=True, slots=True)
class StatusIn:
    """Predicate for polling: the value's ``status`` is one of ``statuses``. A value, so
    two polling requests built alike compare equal."""

    statuses: frozenset[str]

    def __call__(self, value: Any) -> bool:
        return getattr(value, "status", None) in self.statuses


def status_wait(
    get: Call[T],
    done: Callable[[T], bool],
    failed: Callable[[T], bool],
    *,
    interval: object,
    timeout: object,
    min_interval: float = 0.5,
) -> Request[T]:
    """Poll ``get`` until ``done``: the ``wait`` of a resource. ``failed`` ends it as a
    ``TerminalStatusError``, ``timeout`` seconds as a ``WaitTimeoutError``; ``interval`` and
    ``timeout`` are checked as poll seconds, the interval raised to ``min_interval``."""
    return poll(
        get,
        done,
        interval=check_interval("interval", interval, min_interval),
        timeout=check_interval("timeout", timeout, 0.0, allow_inf=True),
        fails_when=failed,
    )
