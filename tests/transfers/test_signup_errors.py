"""``avala.signup`` on both clients: every error status maps to its typed error like any
other call, and the password never shows in a message, a body, a repr or a log line,
wherever the server echoes it."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

import avala
from avala.errors import (
    AuthenticationError,
    AvalaError,
    ForbiddenError,
    NotFoundError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from avala.testing import FakeAvala
from avala.testing._faults import Fault
from tests.conftest import FAST_RETRY
from tests.drivers import KINDS, run

SECRET = "Tr0ub4dor&3-zebra"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, ValidationError),
        (422, ValidationError),
        (401, AuthenticationError),
        (403, ForbiddenError),
        (404, NotFoundError),
        (409, AvalaError),
        (500, ServerError),
    ],
)
def test_errors_are_typed_and_the_echoed_password_is_redacted(
    kind: str,
    fake: FakeAvala,
    status: int,
    error_type: type[AvalaError],
    caplog: pytest.LogCaptureFixture,
) -> None:
    echoed = {
        "detail": f"rejected {SECRET}",
        "email": [f"{SECRET} looks like a password"],
        "nested": {"why": [SECRET]},
    }
    fake.inject(*[Fault.status(status, echoed)] * 3, path="/signup/")
    request = avala.signup(email="z@example.com", password=SECRET, first_name="Z")
    with caplog.at_level(logging.DEBUG, logger="avala"):
        result = run(kind, request, retry_policy=FAST_RETRY)
    error = result.failure()
    assert type(error) is error_type and error.status_code == status
    for shown in (str(error), repr(error), repr(error.body), repr(request), caplog.text):
        assert SECRET not in shown
    assert "x-avala-api-key" not in fake.requests[-1].headers


@pytest.mark.parametrize("kind", KINDS)
def test_a_429_with_an_http_date_is_a_rate_limit_error(kind: str, fake: FakeAvala) -> None:
    later = (datetime.now(UTC) + timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    fake.inject(*[Fault.retry_after(later)] * 3, path="/signup/")
    result = run(kind, avala.signup(email="y@example.com", password=SECRET), deadline=5.0)
    error = result.failure()
    assert isinstance(error, RateLimitError)
    assert error.retry_after is not None and 0 < error.retry_after <= 31


@pytest.mark.parametrize("kind", KINDS)
def test_the_new_key_is_hidden_from_repr(kind: str, fake: FakeAvala) -> None:
    created = run(kind, avala.signup(email="x@example.com", password=SECRET)).unwrap()
    assert created.api_key and created.api_key not in repr(created)
    assert created.api_key not in str(created)
