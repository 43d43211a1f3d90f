"""The retry decision is a pure function: tested here with no network and no sleep."""

from __future__ import annotations

import email.utils
import math

import pytest
from hypothesis import example, given
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


NOW = 1_700_000_000  # the Unix time decide() is given to read HTTP dates
METHODS = ["GET", "HEAD", "PUT", "DELETE", "POST", "PATCH"]

# Retry-After header values, each with the wait it asks for (None: unreadable, so the
# policy falls back to backoff), computed from how the value was drawn.
RetryAfter = tuple[str, float | None]
seconds_values: st.SearchStrategy[RetryAfter] = st.one_of(
    st.floats().map(lambda x: (repr(x), None if not math.isfinite(x) else max(0.0, x))),
    st.integers(-(10**20), 10**20).map(lambda n: (str(n), max(0.0, float(n)))),
)
date_values: st.SearchStrategy[RetryAfter] = st.integers(-(10**8), 10**8).map(
    lambda ahead: (email.utils.formatdate(NOW + ahead, usegmt=True), float(max(0, ahead)))
)
unreadable_values: st.SearchStrategy[RetryAfter] = st.one_of(
    st.sampled_from(
        [
            "",
            "   ",
            "NaN",
            "-inf",
            "Infinity",
            "1e400",  # a float too big: infinite
            "Sun, 06 Nov 1994 08:49:37",  # a date with no zone
            "Sun, 31 Feb 2024 25:61:00 GMT",
        ]
    ),
    st.text(alphabet="son lter;,", min_size=1),  # words, no digits, no "nan" nor "inf"
).map(lambda text: (text, None))
retry_after_values = st.one_of(seconds_values, date_values, unreadable_values)

transport_failures = st.builds(
    TransportFailure,
    kind=st.sampled_from(["connect", "timeout", "broken", "too_large"]),
    sent=st.booleans(),
    detail=st.just("drawn"),
)
wire_responses = st.builds(
    lambda status, retry_after: WireResponse(
        status, {} if retry_after is None else {"retry-after": retry_after}, b""
    ),
    st.integers(100, 599),
    st.none() | retry_after_values.map(lambda pair: pair[0]) | st.text(max_size=30),
)
outcomes = st.one_of(transport_failures, wire_responses)
policies = st.builds(
    RetryPolicy,
    max_retries=st.integers(0, 4),
    backoff_initial=st.floats(0, 5),
    backoff_max=st.floats(0, 30),
    retry_after_max=st.floats(0, 120),
)


def is_retryable(outcome: TransportFailure | WireResponse) -> bool:
    """What deserves another try, stated apart from the policy's code."""
    if isinstance(outcome, TransportFailure):
        return outcome.kind != "too_large"
    return outcome.status in (408, 429) or outcome.status >= 500


@given(
    drawn=policies,
    attempt=st.integers(0, 6),
    method=st.sampled_from(METHODS),
    outcome=outcomes,
    key=st.booleans(),
    jitter=st.floats(0, 1, exclude_max=True),
)
def test_decision_never_exceeds_caps_nor_resends_unsafely(
    drawn: RetryPolicy,
    attempt: int,
    method: str,
    outcome: TransportFailure | WireResponse,
    key: bool,
    jitter: float,
) -> None:
    delay = drawn.decide(attempt, method, outcome, has_idempotency_key=key, jitter=jitter, now=NOW)
    may_act_twice = method in ("POST", "PATCH") and not key
    if delay is not None:
        assert math.isfinite(delay) and delay >= 0
        assert delay <= max(drawn.retry_after_max, drawn.backoff_max)
        assert attempt < drawn.max_retries and is_retryable(outcome)
        if may_act_twice and isinstance(outcome, TransportFailure):
            assert not outcome.sent  # the server may have acted on what was sent
        if may_act_twice and isinstance(outcome, WireResponse):
            assert outcome.status in (429, 503) and "retry-after" in outcome.headers
    elif attempt < drawn.max_retries and is_retryable(outcome) and not may_act_twice:
        raise AssertionError(f"a safe {method} after {outcome} was not retried")


@given(failure=transport_failures, method=st.sampled_from(["POST", "PATCH"]))
def test_a_post_without_key_is_resent_only_when_nothing_was_sent(
    failure: TransportFailure, method: str
) -> None:
    delay = policy.decide(0, method, failure)
    assert (delay is not None) == (not failure.sent and failure.kind != "too_large")


def _date(ahead: int) -> str:
    return email.utils.formatdate(NOW + ahead, usegmt=True)


# The values a server gets wrong most, tried on every run whatever Hypothesis draws.
@example(retry_after=("nan", None), status=429, method="GET", jitter=0.5)
@example(retry_after=("NaN", None), status=503, method="POST", jitter=0.5)
@example(retry_after=("inf", None), status=429, method="GET", jitter=0.5)
@example(retry_after=("-inf", None), status=429, method="PATCH", jitter=0.5)
@example(retry_after=("1e400", None), status=503, method="GET", jitter=0.5)
@example(retry_after=("   ", None), status=429, method="GET", jitter=0.5)
@example(retry_after=("-5", 0.0), status=429, method="GET", jitter=0.5)
@example(retry_after=("86400", 86400.0), status=503, method="POST", jitter=0.5)
@example(retry_after=(_date(-3600), 0.0), status=429, method="GET", jitter=0.5)
@example(retry_after=(_date(3600), 3600.0), status=503, method="GET", jitter=0.5)
@example(retry_after=(_date(7), 7.0), status=429, method="POST", jitter=0.5)
@given(
    retry_after=retry_after_values,
    status=st.sampled_from([429, 503]),
    method=st.sampled_from(METHODS),
    jitter=st.floats(0, 1, exclude_max=True),
)
def test_retry_after_is_waited_capped_or_replaced_by_backoff(
    retry_after: RetryAfter, status: int, method: str, jitter: float
) -> None:
    text, asked = retry_after
    outcome = WireResponse(status, {"retry-after": text}, b"")
    delay = policy.decide(0, method, outcome, jitter=jitter, now=NOW)
    if asked is None:
        assert delay == policy.backoff(0, jitter)
    else:
        assert delay == pytest.approx(min(asked, policy.retry_after_max))


def test_policy_refuses_negative_values() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_retries=-1)
    with pytest.raises(ValueError):
        RetryPolicy(backoff_initial=-1)
