"""The retry policy: an immutable value, and a pure decision per attempt.

``RetryPolicy.decide`` looks only at its arguments (attempt number, method,
outcome, whether an idempotency key is set, a jitter draw and the wall clock),
so every branch is tested without a network or a sleep.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from avala._wire import Outcome, TransportFailure, WireResponse, parse_retry_after

__all__ = ["RetryPolicy"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When to send a request again, and how long to wait first.

    Retried: connection failures, timeouts, 408, 429 and 5xx, up to ``max_retries``
    times after the first try. A POST or PATCH is sent again only when the server
    provably did not process it (nothing was sent, or 429/503 with Retry-After),
    or when it carries an idempotency key.
    """

    max_retries: int = 2
    backoff_initial: float = 0.5
    backoff_max: float = 8.0
    retry_after_max: float = 60.0
    statuses: frozenset[int] = field(default=frozenset({408, 429}))

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {self.max_retries}")
        if self.backoff_initial < 0 or self.backoff_max < 0 or self.retry_after_max < 0:
            raise ValueError("backoff and Retry-After limits must be >= 0")

    def retryable(self, outcome: Outcome) -> bool:
        """Whether this outcome is worth another try at all, ignoring method and count."""
        if isinstance(outcome, TransportFailure):
            return outcome.kind in ("connect", "timeout", "broken")
        return outcome.status in self.statuses or outcome.status >= 500

    def safe_to_resend(self, method: str, outcome: Outcome, has_idempotency_key: bool) -> bool:
        """Whether sending again cannot make the server act twice."""
        if method.upper() in IDEMPOTENT_METHODS or has_idempotency_key:
            return True
        if isinstance(outcome, TransportFailure):
            return not outcome.sent
        return outcome.status in (429, 503) and "retry-after" in outcome.headers

    def backoff(self, attempt: int, jitter: float) -> float:
        """Exponential backoff capped at ``backoff_max``; ``jitter`` in [0, 1) spreads it."""
        ceiling = min(self.backoff_max, self.backoff_initial * (2.0**attempt))
        return ceiling / 2.0 + ceiling / 2.0 * jitter

    def decide(
        self,
        attempt: int,
        method: str,
        outcome: Outcome,
        *,
        has_idempotency_key: bool = False,
        jitter: float = 0.5,
        now: float = 0.0,
        max_retries: int | None = None,
    ) -> float | None:
        """Seconds to wait before try number ``attempt + 1``, or None to stop here.

        ``attempt`` counts the tries already made, from 0; ``now`` is the Unix time used to
        read an HTTP-date Retry-After; ``max_retries`` overrides the policy's for one request.
        """
        limit = self.max_retries if max_retries is None else max_retries
        if attempt >= limit or not self.retryable(outcome):
            return None
        if not self.safe_to_resend(method, outcome, has_idempotency_key):
            return None
        if isinstance(outcome, WireResponse):
            retry_after = parse_retry_after(outcome.headers.get("retry-after"), now)
            if retry_after is not None:
                return min(retry_after, self.retry_after_max)
        return self.backoff(attempt, jitter)
