"""What crosses the transport seam: one request out, one response (or failure) back."""

from __future__ import annotations

import email.utils
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True, slots=True)
class WireRequest:
    """A fully rendered HTTP request; ``headers`` include the API key, so never log it whole."""

    method: str
    url: str
    headers: Mapping[str, str] = field(repr=False)
    body: bytes | None
    timeout: float


@dataclass(frozen=True, slots=True)
class WireResponse:
    """A complete HTTP response; header names are lower-cased."""

    status: int
    headers: Mapping[str, str]
    body: bytes


FailureKind = Literal["connect", "timeout", "broken", "too_large"]


@dataclass(frozen=True, slots=True)
class TransportFailure:
    """No complete response. ``sent`` is False only when the server provably got nothing."""

    kind: FailureKind
    sent: bool
    detail: str


Outcome = WireResponse | TransportFailure


class TransportError(Exception):
    """Raised by a transport's ``send``; the client turns it into a Failure value."""

    def __init__(self, failure: TransportFailure) -> None:
        super().__init__(failure.detail)
        self.failure = failure


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date (RFC 9110)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        return max(0.0, when.timestamp() - now)
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)
