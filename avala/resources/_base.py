"""Helpers every resource module builds its requests with."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from avala._decode import Reader
from avala._request import Call, call
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
    return call(endpoint, row.method, row.path, reader, path=path, query=query, body=body)


def compact(**fields: object) -> dict[str, object]:
    """A JSON object of the given fields, leaving out those that are None."""
    return {k: v for k, v in fields.items() if v is not None}


def check_limit(limit: int | None) -> int | None:
    """Page sizes are positive integers; refuse anything else before a request exists."""
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError(f"limit must be an int, not {type(limit).__name__}")
    if limit < 1:
        raise ValueError(f"limit must be >= 1, got {limit}")
    return limit


def check_optional_str(name: str, value: str | None) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value


def check_interval(name: str, value: float, floor: float) -> float:
    """Poll intervals: negative is an error; below ``floor`` is raised to it (spares the API)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number of seconds")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value}")
    return max(float(value), floor)


@dataclass(frozen=True, slots=True)
class StatusIn:
    """Predicate for polling: the value's ``status`` is one of ``statuses``. A value, so
    two polling requests built alike compare equal."""

    statuses: frozenset[str]

    def __call__(self, value: Any) -> bool:
        return getattr(value, "status", None) in self.statuses
