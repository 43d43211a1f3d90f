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
