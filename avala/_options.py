"""Per-request options: the knobs a single request may set over the client's defaults."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Options:
    """Unset fields (None) fall back to the enclosing request, then to the client."""

    timeout: float | None = None
    max_retries: int | None = None
    idempotency_key: str | None = None
    deadline: float | None = None

    def over(self, inner: Options) -> Options:
        """Options set here win over ``inner``'s; an outer request governs what it wraps.

        The deadline is the exception: every budget in effect holds, so the shorter is kept
        (the interpreter starts each budget when the request that sets it starts).
        """
        if inner == NO_OPTIONS:
            return self
        return Options(
            timeout=self.timeout if self.timeout is not None else inner.timeout,
            max_retries=self.max_retries if self.max_retries is not None else inner.max_retries,
            idempotency_key=self.idempotency_key or inner.idempotency_key,
            deadline=min(
                (d for d in (self.deadline, inner.deadline) if d is not None), default=None
            ),
        )


NO_OPTIONS = Options()


def check_timeout(seconds: float) -> float:
    return _check_seconds("timeout", seconds)


def check_deadline(seconds: float) -> float:
    return _check_seconds("deadline", seconds)


def _check_seconds(name: str, seconds: float) -> float:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise TypeError(f"{name} must be a number of seconds, not {type(seconds).__name__}")
    if not 0 < seconds < math.inf:  # also refuses NaN; a socket cannot wait for ever
        raise ValueError(f"{name} must be a finite number > 0 seconds, got {seconds!r}")
    return float(seconds)


def check_max_retries(count: int) -> int:
    if isinstance(count, bool) or not isinstance(count, int):
        raise TypeError(f"max_retries must be an int, not {type(count).__name__}")
    if count < 0:
        raise ValueError(f"max_retries must be >= 0, got {count}")
    return count


def check_positive_int(name: str, value: object) -> int:
    """``value`` if it is an int >= 1 (a bool is not): sizes and counts of the clients."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return value
