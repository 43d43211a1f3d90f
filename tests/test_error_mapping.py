"""From (status, headers, body) to an error value, redacted."""

from __future__ import annotations

import json
import re
import string

import pytest
from hypothesis import assume, given
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


# --- redaction rules ----------------------------------------------------------------------

REAL_KEY = "0f3c9a71d2b84e65a90c7d13e8f2b6a4c5d9e0f1"  # Avala's 40-hex shape


def outside_markers(text: str) -> str:
    """``text`` with each redaction marker made opaque: what a reader can still see."""
    return text.replace(REDACTED, "\x00")


def test_the_key_echoed_as_an_object_key_is_redacted() -> None:
    body = {REAL_KEY: ["unknown key"], "detail": "no", "nested": [{REAL_KEY: 1}]}
    err = error_from_response(400, {}, json.dumps(body).encode(), now=0, secrets=(REAL_KEY,))
    seen = repr(err) + str(err) + repr(vars(err)) + json.dumps(err.body)
    assert REAL_KEY not in seen
    assert err.body == {REDACTED: ["unknown key"], "detail": "no", "nested": [{REDACTED: 1}]}


@pytest.mark.parametrize("start", [1990, 1995, 1999, 2000 - len(REAL_KEY) + 1])
def test_a_text_body_is_redacted_before_it_is_cut(start: int) -> None:
    raw = ("x" * start + REAL_KEY + " tail").encode()
    err = error_from_response(502, {}, raw, now=0, secrets=(REAL_KEY,))
    assert isinstance(err.body, str) and len(err.body) <= 2000
    assert err.body.startswith("x" * start + REDACTED[: 2000 - start])
    # Not even the part of the key that fits before the cut is shown.
    assert REAL_KEY[:8] not in err.body


def test_a_short_key_leaves_words_alone() -> None:
    raw = json.dumps({"detail": "Task not found; check the task id."}).encode()
    err = error_from_response(404, {}, raw, now=0, secrets=("k",))
    assert err.message == "Task not found; check the task id."
    assert redact_text("bad key: k.", ("k",)) == f"bad key: {REDACTED}."


@pytest.mark.parametrize(
    "name",
    [
        "s3_secret_access_key",
        "webhook_secret",
        "refresh_token",
        "clientSecret",
        "DB_PASSWORD",
        "private_key",
        "privateKey",
        "aws_credentials",
        "X-Avala-Api-Key",
        "apiKey",
        "Authorization",
        "token_count",  # the documented over-match: any name containing "token"
    ],
)
def test_fields_named_like_secrets_are_redacted(name: str) -> None:
    body = {name: "hunter2-value", "items": [{name: {"deep": "x"}}], "name": "kept"}
    err = error(400, body)
    assert err.body == {name: REDACTED, "items": [{name: REDACTED}], "name": "kept"}
    assert "hunter2" not in repr(err) + str(err)


@pytest.mark.parametrize("name", ["name", "description", "access_key_id", "key", "status"])
def test_ordinary_field_names_are_kept(name: str) -> None:
    assert error(400, {name: "v"}).body == {name: "v"}


PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
    "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n"
    "-----END RSA PRIVATE KEY-----"
)


@pytest.mark.parametrize(
    "text",
    [
        f"key was {PEM} ok",
        f"key was {PEM.replace(chr(10), chr(13) + chr(10))} ok",
        f"cut short: {PEM[:120]}",  # no END line: redacted to the end of the text
        PEM.replace("RSA PRIVATE KEY", "PGP PRIVATE KEY BLOCK"),
    ],
)
def test_multi_line_pem_blocks_are_redacted(text: str) -> None:
    out = redact_text(text)
    assert "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun" not in out
    assert "VTLw7onLRnrq0" not in out and REDACTED in out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"password": "correct horse battery"}', f'{{"password": "{REDACTED}"}}'),
        ("webhook_secret=abc123&page=2", f"webhook_secret={REDACTED}&page=2"),
        ("Authorization: Bearer abcdefghijkl", f"Authorization: {REDACTED} {REDACTED}"),
        ("name: kept", "name: kept"),
    ],
)
def test_named_values_in_text_are_redacted(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_deeply_nested_error_bodies_do_not_raise() -> None:
    for depth in (600, 5000, 100_000):
        raw = ('{"a":' * depth + "1" + "}" * depth).encode()
        err = error_from_response(400, {}, raw, now=0, secrets=(REAL_KEY,))
        assert isinstance(err, ValidationError)
        err == err  # noqa: B015  comparing must not recurse without bound either
        repr(err.body)
    raw = json.dumps({"detail": "deep", "x": [[[[REAL_KEY]]]]}).encode()
    assert REAL_KEY not in json.dumps(error_from_response(400, {}, raw, now=0).body)


def test_values_beyond_the_depth_limit_are_replaced() -> None:
    from avala._redact import MAX_DEPTH, TOO_DEEP, redact_json

    value: object = "leaf"
    for _ in range(MAX_DEPTH + 5):
        value = [value]
    out = redact_json(value)
    for _ in range(MAX_DEPTH):
        assert isinstance(out, list) and len(out) == 1
        out = out[0]
    assert out == TOO_DEEP
    shallow = {"a": [{"b": "c"}]}
    assert redact_json(shallow) == shallow


def test_a_deep_text_body_is_still_redacted() -> None:
    raw = ("[" * 100_000 + f'"{REAL_KEY}", "password": "pw-value"').encode()
    err = error_from_response(500, {}, raw, now=0, secrets=(REAL_KEY,))
    assert isinstance(err.body, str) and REAL_KEY not in err.body


def test_a_redirect_says_its_status_once_and_shows_location() -> None:
    location = f"https://elsewhere.example.com/api/v1/?api_key={REAL_KEY}&x=1"
    err = error_from_response(302, {"location": location}, b"", now=0, secrets=(REAL_KEY,))
    assert type(err) is AvalaError and err.status_code == 302
    assert str(err).count("302") == 1
    assert "https://elsewhere.example.com/api/v1/" in err.message
    assert REAL_KEY not in repr(err) + str(err)
    moved = error_from_response(301, {"location": "/api/v2/"}, b"<html>Moved</html>", now=0)
    assert str(moved) == "redirect to /api/v2/ not followed (HTTP 301)"
    nowhere = error_from_response(307, {}, b"", now=0)
    assert str(nowhere) == "redirect not followed: no Location header (HTTP 307)"


# --- properties ---------------------------------------------------------------------------

REALISTIC_KEYS = st.text(alphabet=KEY_ALPHABET, min_size=8, max_size=64)


@given(REALISTIC_KEYS, st.text(max_size=40), st.text(max_size=40))
def test_a_realistic_key_never_survives_anywhere(key: str, before: str, after: str) -> None:
    assert key not in outside_markers(redact_text(before + key + after, (key,)))
    assert key not in outside_markers(redact_text(before + key + key + after + key, (key,)))


@given(REALISTIC_KEYS, st.integers(0, 2100), st.sampled_from(["text", "json-key", "json-value"]))
def test_a_realistic_key_never_survives_error_mapping(key: str, offset: int, where: str) -> None:
    padding = "p" * offset
    if where == "text":
        raw = (padding + key + " more").encode()
    elif where == "json-key":
        raw = json.dumps({padding + key: "v", "detail": key}).encode()
    else:
        raw = json.dumps({"detail": "d", "x": [padding + key]}).encode()
    err = error_from_response(400, {}, raw, now=0, secrets=(key,))
    shown = outside_markers(repr(err) + str(err) + repr(vars(err)) + json.dumps(err.body))
    assert key not in shown


PROSE = (
    "Task not found; check the task id. The project or dataset was invalid, please try again "
    "later: an error occurred while processing your request. Field required, value must be "
    "unique. Kilometre 42 of sequence frame export."
)
WORDS = tuple(re.findall(r"\w+", PROSE))


@given(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=30),
    st.lists(st.sampled_from([" ", ", ", ". ", "; ", " - ", "\n"]), min_size=30, max_size=30),
    st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=3),
)
def test_ordinary_text_survives_a_short_key(
    words: list[str], separators: list[str], key: str
) -> None:
    """Words survive a 1-3 character test key, inside words too; only a word that is the
    key itself is hidden (it cannot be told apart from the key)."""
    text = "".join(w + s for w, s in zip(words, separators, strict=False)).strip()
    if key in words:
        assert redact_text(text, (key,)) == re.sub(rf"\b{key}\b", REDACTED, text)
    else:
        assert redact_text(text, (key,)) == text


@given(st.text(alphabet=KEY_ALPHABET, min_size=1, max_size=7), st.text(max_size=20))
def test_a_short_key_standing_alone_is_redacted(key: str, around: str) -> None:
    assume(any(c.isalnum() for c in key))
    text = f"{around} {key} {around}"
    assert f" {key} " not in redact_text(text, (key,))


@given(
    st.integers(100, 599),
    st.dictionaries(st.sampled_from(["retry-after", "location", "x"]), st.text()),
    st.binary(max_size=3000),
)
def test_error_mapping_never_raises(status: int, headers: dict[str, str], raw: bytes) -> None:
    err = error_from_response(status, headers, raw, now=0, secrets=(REAL_KEY, "k"))
    assert isinstance(err, AvalaError) and err.status_code == status
    repr(err), str(err)


@given(st.integers(1, 3000))
def test_error_mapping_never_raises_for_deep_bodies(depth: int) -> None:
    for raw in (b"[" * depth, b"[" * depth + b"]" * depth, b'{"a":' * depth + b"{}" + b"}" * depth):
        err = error_from_response(422, {}, raw, now=0, secrets=(REAL_KEY,))
        assert isinstance(err, ValidationError)
