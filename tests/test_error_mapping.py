"""From (status, headers, body) to an error value, redacted."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from avala._error_mapping import error_from_failure, error_from_response
from avala._redact import REDACTED, redact_text
from avala._wire import TransportFailure
from avala.errors import (
    AuthenticationError,
    AvalaError,
    ConnectionFailedError,
    FieldError,
    ForbiddenError,
    NotFoundError,
    QuotaExceededError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    ValidationError,
)

KEY = "k3y-" + "s" * 20


def error(status: int, body: object = None, **headers: str) -> AvalaError:
    raw = b"" if body is None else json.dumps(body).encode()
    return error_from_response(status, headers, raw, now=0.0, secrets=(KEY,))


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, AuthenticationError),
        (403, ForbiddenError),
        (404, NotFoundError),
        (429, RateLimitError),
        (400, ValidationError),
        (422, ValidationError),
        (413, QuotaExceededError),
        (500, ServerError),
        (503, ServerError),
        (599, ServerError),
        (302, AvalaError),
        (405, AvalaError),
        (409, AvalaError),
    ],
)
def test_status_maps_to_its_class(status: int, cls: type[AvalaError]) -> None:
    err = error(status, {"detail": "nope"})
    assert type(err) is cls
    assert err.status_code == status
    assert err.message == "nope"


def test_message_falls_back_to_http_status() -> None:
    assert error(404).message == "HTTP 404"
    assert error(500, ["weird"]).message == "HTTP 500"
    assert "redirect" in error(301).message


def test_validation_details_from_a_drf_object_body() -> None:
    err = error(400, {"name": ["This field is required."], "config": {"bucket": ["Too long."]}})
    assert isinstance(err, ValidationError)
    assert err.details == (
        FieldError("name", "This field is required."),
        FieldError("config.bucket", "Too long."),
    )
    assert "name: This field is required." in err.message


def test_validation_details_from_an_array_body() -> None:
    err = error(422, ["Bad thing.", {"slug": ["Taken."]}])
    assert isinstance(err, ValidationError)
    assert err.details == (FieldError("", "Bad thing."), FieldError("1.slug", "Taken."))


def test_non_field_errors_name_the_whole_body() -> None:
    err = error(400, {"non_field_errors": ["Exactly one of a, b."]})
    assert isinstance(err, ValidationError)
    assert err.details == (FieldError("", "Exactly one of a, b."),)


def test_rate_limit_retry_after() -> None:
    err = error(429, None, **{"retry-after": "7"})
    assert isinstance(err, RateLimitError) and err.retry_after == 7.0
    err = error_from_response(429, {"retry-after": "Thu, 01 Jan 1970 00:01:40 GMT"}, b"", now=40.0)
    assert isinstance(err, RateLimitError) and err.retry_after == 60.0
    assert isinstance(e := error(429), RateLimitError) and e.retry_after is None


def test_quota_limits() -> None:
    err = error(413, {"detail": "Quota exceeded", "limit": 100, "used": 120})
    assert isinstance(err, QuotaExceededError) and (err.limit, err.used) == (100, 120)
    plain = error(413)
    assert isinstance(plain, QuotaExceededError) and plain.limit is None


def test_non_json_body_is_kept_as_text() -> None:
    err = error_from_response(502, {}, b"<html>bad gateway</html>", now=0)
    assert isinstance(err, ServerError) and err.body == "<html>bad gateway</html>"


def test_secrets_echoed_by_the_server_are_redacted() -> None:
    body = {
        "detail": f"Invalid key {KEY}",
        "api_key": "anything",
        "echo": {"headers": {"X-Avala-Api-Key": KEY, "authorization": "Bearer abcdefghijkl"}},
        "note": "token sk-live-abcdefghijklmnopqrstuv and AKIAABCDEFGHIJKLMNOP",
    }
    err = error(401, body)
    text = repr(err) + str(err) + json.dumps(err.body)
    assert KEY not in text
    assert "abcdefghijkl" not in text and "AKIAABCDEFGHIJKLMNOP" not in text
    assert err.body["api_key"] == REDACTED
    assert err.message == f"Invalid key {REDACTED}"


def test_pattern_redaction() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl"
    assert jwt not in redact_text(f"token={jwt}")
    assert "0123456789abcdef0123456789abcdef01234567" not in redact_text(
        "key 0123456789abcdef0123456789abcdef01234567 leaked"
    )
    assert redact_text("nothing secret here") == "nothing secret here"


KEY_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."


@given(st.text(min_size=8, alphabet=KEY_ALPHABET))
def test_the_clients_key_never_survives_redaction(secret: str) -> None:
    body = json.dumps({"detail": f"bad {secret}", "x": [secret]}).encode()
    err = error_from_response(400, {}, body, now=0, secrets=(secret,))
    assert secret not in err.message and secret not in json.dumps(err.body)


def test_transport_failures_map_to_network_errors() -> None:
    assert isinstance(
        error_from_failure(TransportFailure("timeout", True, "t")), RequestTimeoutError
    )
    assert isinstance(
        error_from_failure(TransportFailure("connect", False, "refused")), ConnectionFailedError
    )


def test_errors_compare_by_value() -> None:
    assert error(404, {"detail": "x"}) == error(404, {"detail": "x"})
    assert error(404, {"detail": "x"}) != error(404, {"detail": "y"})
    assert error(404) != error(403)
