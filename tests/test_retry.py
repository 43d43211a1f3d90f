"""The retry decision is a pure function: tested here with no network and no sleep."""

from __future__ import annotations

import email.utils

import pytest
from hypothesis import given
from hypothesis import strategies as st

from avala import RetryPolicy
from avala._wire import TransportFailure, WireResponse

policy = RetryPolicy(max_retries=2, backoff_initial=0.5, backoff_max=8.0, retry_after_max=60.0)


def response(status: int, **headers: str) -> WireResponse:
    return WireResponse(status, {k.lower().replace("_", "-"): v for k, v in headers.items()}, b"")


REFUSED = TransportFailure("connect", sent=False, detail="refused")
DROPPED = TransportFailure("broken", sent=True, detail="reset")
READ_TIMEOUT = TransportFailure("timeout", sent=True, detail="read timed out")


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 599])
def test_retryable_statuses_are_retried_for_get(status: int) -> None:
    assert policy.decide(0, "GET", response(status), jitter=0.0) is not None


@pytest.mark.parametrize("status", [200, 301, 400, 401, 403, 404, 409, 413, 422])
def test_other_statuses_are_final(status: int) -> None:
    assert policy.decide(0, "GET", response(status)) is None


@pytest.mark.parametrize("outcome", [REFUSED, DROPPED, READ_TIMEOUT])
def test_network_failures_are_retried_for_idempotent_methods(outcome: TransportFailure) -> None:
    for method in ("GET", "PUT", "DELETE"):
        assert policy.decide(0, method, outcome) is not None


def test_too_large_is_never_retried() -> None:
    assert policy.decide(0, "GET", TransportFailure("too_large", True, "big")) is None


def test_stops_after_max_retries() -> None:
    assert policy.decide(1, "GET", response(503)) is not None
    assert policy.decide(2, "GET", response(503)) is None
    assert policy.decide(0, "GET", response(503), max_retries=0) is None


@pytest.mark.parametrize("method", ["POST", "PATCH"])
class TestNonIdempotent:
    def test_not_resent_when_the_server_may_have_acted(self, method: str) -> None:
        for outcome in (DROPPED, READ_TIMEOUT, response(500), response(502), response(503)):
            assert policy.decide(0, method, outcome) is None

    def test_resent_when_nothing_reached_the_server(self, method: str) -> None:
        assert policy.decide(0, method, REFUSED) is not None

    def test_resent_on_429_or_503_with_retry_after(self, method: str) -> None:
        assert policy.decide(0, method, response(429, retry_after="1")) == 1.0
        assert policy.decide(0, method, response(503, retry_after="2")) == 2.0
        assert policy.decide(0, method, response(429)) is None
        assert policy.decide(0, method, response(500, retry_after="1")) is None

    def test_resent_with_an_idempotency_key(self, method: str) -> None:
        for outcome in (DROPPED, READ_TIMEOUT, response(500)):
            assert policy.decide(0, method, outcome, has_idempotency_key=True) is not None


def test_retry_after_in_seconds_is_capped() -> None:
    assert policy.decide(0, "GET", response(429, retry_after="3.5")) == 3.5
    assert policy.decide(0, "GET", response(429, retry_after="86400")) == 60.0


@pytest.mark.parametrize("ahead", ["3600", "86400.5", "an hour ahead", "a year ahead"])
def test_a_distant_retry_after_is_cut_to_the_cap(ahead: str) -> None:
    now = 1_700_000_000.0
    dates = {"an hour ahead": now + 3600, "a year ahead": now + 365 * 86400}
    value = email.utils.formatdate(dates[ahead], usegmt=True) if ahead in dates else ahead
    capped = RetryPolicy(retry_after_max=0.05)
    assert capped.decide(0, "GET", response(429, retry_after=value), now=now) == 0.05
    assert capped.decide(0, "POST", response(503, retry_after=value), now=now) == 0.05


def test_retry_after_as_http_date() -> None:
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 12, usegmt=True)
    assert policy.decide(0, "GET", response(503, retry_after=date), now=now) == pytest.approx(12)
    past = email.utils.formatdate(now - 100, usegmt=True)
    assert policy.decide(0, "GET", response(503, retry_after=past), now=now) == 0.0


def test_unparseable_retry_after_falls_back_to_backoff() -> None:
    delay = policy.decide(0, "GET", response(429, retry_after="soon"), jitter=0.0)
    assert delay == policy.backoff(0, 0.0)


def test_backoff_grows_exponentially_to_the_cap() -> None:
    ceilings = [policy.backoff(n, 0.999999) for n in range(8)]
    assert ceilings[:4] == pytest.approx([0.5, 1.0, 2.0, 4.0], rel=1e-5)
    assert max(ceilings) == pytest.approx(8.0, rel=1e-5)


@given(attempt=st.integers(0, 50), jitter=st.floats(0, 1, exclude_max=True))
def test_backoff_is_bounded_and_jittered(attempt: int, jitter: float) -> None:
    delay = policy.backoff(attempt, jitter)
    ceiling = min(8.0, 0.5 * 2.0**attempt)
    assert ceiling / 2 <= delay <= ceiling


@given(
    attempt=st.integers(0, 5),
    method=st.sampled_from(["GET", "POST", "PATCH", "PUT", "DELETE"]),
    status=st.integers(100, 599),
    retry_after=st.none() | st.floats(0, 10_000, allow_nan=False).map(str),
    key=st.booleans(),
)
def test_decision_never_exceeds_caps_nor_resends_unsafely(
    attempt: int, method: str, status: int, retry_after: str | None, key: bool
) -> None:
    headers = {} if retry_after is None else {"retry-after": retry_after}
    outcome = WireResponse(status, headers, b"")
    delay = policy.decide(attempt, method, outcome, has_idempotency_key=key)
    if delay is None:
        return
    assert attempt < policy.max_retries
    assert 0 <= delay <= max(policy.backoff_max, policy.retry_after_max)
    if method in ("POST", "PATCH") and not key:
        assert status in (429, 503) and retry_after is not None


def test_policy_refuses_negative_values() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_retries=-1)
    with pytest.raises(ValueError):
        RetryPolicy(backoff_initial=-1)
