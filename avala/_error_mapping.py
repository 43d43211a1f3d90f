"""From an HTTP error response to an error value: a pure function of status, headers, body."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from avala import _json
from avala._redact import redact_json, redact_text
from avala._wire import TransportFailure, parse_retry_after
from avala.errors import (
    AuthenticationError,
    AvalaError,
    ConnectionFailedError,
    FieldError,
    ForbiddenError,
    GoneError,
    NotFoundError,
    QuotaExceededError,
    RateLimitError,
    RequestTimeoutError,
    ResponseTooLargeError,
    ServerError,
    ValidationError,
)

_BY_STATUS: dict[int, type[AvalaError]] = {
    401: AuthenticationError,
    403: ForbiddenError,
    404: NotFoundError,
    410: GoneError,
}


# A body that is not JSON is kept as text, cut to TEXT_BODY_LIMIT characters. It is
# redacted before the cut, over its first _TEXT_SCAN_BYTES bytes, so a secret that starts
# before the cut is hidden whole and never leaves a prefix.
TEXT_BODY_LIMIT = 2000
_TEXT_SCAN_BYTES = 64 * 1024
_LOCATION_LIMIT = 500


def _parse_body(raw: bytes, secrets: tuple[str, ...]) -> Any:
    """The error body decoded and redacted; text when it is not JSON or nests too deep
    for the parser (a RecursionError is the parser's way of saying so)."""
    if not raw:
        return None
    try:
        parsed = _json.loads(raw)
    except (ValueError, RecursionError):
        text = raw[:_TEXT_SCAN_BYTES].decode("utf-8", "replace")
        return redact_text(text, secrets)[:TEXT_BODY_LIMIT]
    return redact_json(parsed, secrets)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path and name else path or name


def field_errors(body: Any, path: str = "") -> Iterator[FieldError]:
    """Flatten DRF-style error bodies (objects of lists, nested objects, arrays) into fields."""
    if isinstance(body, dict):
        for key, value in body.items():
            if not path and key == "detail":
                continue
            name = "" if key == "non_field_errors" else str(key)
            yield from field_errors(value, _join(path, name))
    elif isinstance(body, list):
        for index, item in enumerate(body):
            nested = isinstance(item, dict | list)
            yield from field_errors(item, _join(path, str(index)) if nested else path)
    elif body is not None:
        yield FieldError(path, str(body))


def _message(status: int, body: Any, details: tuple[FieldError, ...]) -> str:
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return str(body["detail"])
    if status == 410 and isinstance(body, dict) and isinstance(body.get("code"), str):
        return str(body["code"])  # the resolver's withdrawal: dataset_revision_withdrawn
    if details:
        shown = "; ".join(f"{d.field}: {d.message}" if d.field else d.message for d in details[:5])
        return shown + ("; …" if len(details) > 5 else "")
    return f"HTTP {status}"


def _redirect_message(location: str | None, secrets: tuple[str, ...]) -> str:
    """Where the server pointed (redacted, then cut); ``str(error)`` adds the status."""
    if not location:
        return "redirect not followed: no Location header"
    shown = redact_text(location, secrets)
    if len(shown) > _LOCATION_LIMIT:
        shown = shown[:_LOCATION_LIMIT] + "…"
    return f"redirect to {shown} not followed"


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def error_from_response(
    status: int,
    headers: Mapping[str, str],
    raw_body: bytes,
    *,
    now: float,
    secrets: Iterable[str] = (),
) -> AvalaError:
    """Map a non-2xx response to its error class; message and body are redacted."""
    secrets = tuple(secrets)
    body = _parse_body(raw_body, secrets)
    details = tuple(field_errors(body)) if status in (400, 422) else ()
    if 300 <= status < 400:
        message = _redirect_message(headers.get("location"), secrets)
    else:
        message = redact_text(_message(status, body, details), secrets)
    if status in _BY_STATUS:
        return _BY_STATUS[status](message, status_code=status, body=body)
    retry_after = parse_retry_after(headers.get("retry-after"), now)
    if status == 429:
        return RateLimitError(message, status_code=status, body=body, retry_after=retry_after)
    if status == 413:
        fields = body if isinstance(body, dict) else {}
        return QuotaExceededError(
            message,
            status_code=status,
            body=body,
            limit=_int_or_none(fields.get("limit")),
            used=_int_or_none(fields.get("used")),
        )
    if status in (400, 422):
        return ValidationError(message, status_code=status, body=body, details=details)
    if status >= 500:
        return ServerError(message, status_code=status, body=body, retry_after=retry_after)
    return AvalaError(message, status_code=status, body=body)


def error_from_failure(failure: TransportFailure, secrets: Iterable[str] = ()) -> AvalaError:
    """Map a transport failure (no complete response) to its error class."""
    detail = redact_text(failure.detail, tuple(secrets))
    if failure.kind == "timeout":
        return RequestTimeoutError(f"request timed out: {detail}")
    if failure.kind == "too_large":
        return ResponseTooLargeError(detail)
    return ConnectionFailedError(f"connection failed: {detail}")
