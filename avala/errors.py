"""The error values a request can fail with.

``Client.run`` returns them inside ``Failure``; it never raises them. Each error
compares equal to another with the same fields, so tests can assert on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "AuthenticationError",
    "AvalaError",
    "ClientClosedError",
    "ConnectionFailedError",
    "DecodeError",
    "FieldError",
    "ForbiddenError",
    "LocalFileError",
    "NetworkError",
    "NotFoundError",
    "QuotaExceededError",
    "RateLimitError",
    "RequestTimeoutError",
    "ResponseTooLargeError",
    "ServerError",
    "SourceChangedError",
    "TerminalStatusError",
    "UnsafeUrlError",
    "ValidationError",
    "WaitTimeoutError",
    "IntegrityError",
    "GoneError",
    "ExportNotReadyError",
    "GrantRefusedError",
    "PartGrantRefusedError",
    "PartTransferError",
    "UnpinnedReferenceWarning",
]


class AvalaError(Exception):
    """Base of every failure; ``status_code`` is None when no HTTP response was read."""

    def __init__(self, message: str, *, status_code: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.body = body

    def _fields(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, AvalaError)
            and type(other) is type(self)
            and other._fields() == self._fields()
        )

    def __hash__(self) -> int:
        return hash((type(self), self.message, self.status_code))

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self._fields().items() if k != "body")
        return f"{type(self).__name__}({fields})"

    def __str__(self) -> str:
        if self.status_code is None:
            return self.message
        return f"{self.message} (HTTP {self.status_code})"


class AuthenticationError(AvalaError):
    """401: the API key is missing, wrong or revoked."""


class ForbiddenError(AvalaError):
    """403: the key is valid but may not do this."""


class NotFoundError(AvalaError):
    """404: no such object, or not visible to this key."""


class RateLimitError(AvalaError):
    """429: too many requests; ``retry_after`` is in seconds when the server said."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = 429,
        body: Any = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, body=body)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class FieldError:
    """One complaint of a 400/422: ``field`` is a dotted path, empty for the whole body."""

    field: str
    message: str


class ValidationError(AvalaError):
    """400 or 422: the server refused the request's content; ``details`` names the fields."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = 400,
        body: Any = None,
        details: tuple[FieldError, ...] = (),
    ) -> None:
        super().__init__(message, status_code=status_code, body=body)
        self.details = details


class QuotaExceededError(AvalaError):
    """413: a storage quota is full; ``limit`` and ``used`` are bytes when the server said."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = 413,
        body: Any = None,
        limit: int | None = None,
        used: int | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, body=body)
        self.limit = limit
        self.used = used


class ServerError(AvalaError):
    """5xx: the server failed; retried before it reaches you. ``retry_after`` is in seconds
    when the server said how long to wait (a 503 with ``Retry-After``)."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = 500,
        body: Any = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, body=body)
        self.retry_after = retry_after


class NetworkError(AvalaError):
    """No complete HTTP response was read."""


class ConnectionFailedError(NetworkError):
    """The connection could not be made, or broke before a full response arrived."""


class ClientClosedError(ConnectionFailedError):
    """The client was closed while this request was running; nothing more was sent."""


class RequestTimeoutError(NetworkError):
    """The server did not answer within the request's timeout."""


class ResponseTooLargeError(NetworkError):
    """The response body was larger than the client's ``max_response_bytes``."""


class DecodeError(AvalaError):
    """The response arrived but is not what the request expected; ``path`` names the spot."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        body: Any = None,
        path: str = "$",
    ) -> None:
        super().__init__(message, status_code=status_code, body=body)
        self.path = path


class WaitTimeoutError(AvalaError):
    """A polling request ran out of time; ``last`` is the last value it saw."""

    def __init__(self, message: str, *, last: Any = None) -> None:
        super().__init__(message)
        self.last = last


class TerminalStatusError(AvalaError):
    """A polled object stopped in a failure status; ``value`` is the object as last seen."""

    def __init__(self, message: str, *, value: Any = None) -> None:
        super().__init__(message)
        self.value = value


class UnsafeUrlError(AvalaError):
    """A presigned URL broke the host rules (https, an allow-listed storage host, no
    credentials, port or fragment); nothing was sent to it. ``url`` is shown redacted."""

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message)
        self.url = url


class SourceChangedError(AvalaError):
    """A local file changed (size or modification time), vanished or could not be read
    while it was being sent; the transfer stopped before the object could be stored
    complete. ``path`` names the file."""

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(message)
        self.path = path


class IntegrityError(AvalaError):
    """A download's bytes failed their check: ``check`` is ``"size"`` (more or fewer bytes
    than announced or expected) or ``"sha256"``. Nothing was written at ``path`` (the
    destination) and the partial file was removed: the same bytes would fail again."""

    def __init__(self, message: str, *, path: str = "", check: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.check = check


class LocalFileError(AvalaError):
    """A local file or tree could not be read, written or renamed, or is refused for upload
    (nothing was sent for it); ``path`` names it. ``reason`` says why, one of:
    ``not_found``, ``permission_denied``, ``is_a_directory``, ``not_a_directory``,
    ``empty_source``, ``duplicate_path``, ``symlink_refused``, ``not_a_regular_file``,
    ``too_large``, ``invalid_name``, ``state_dir``, ``journal_corrupt``, ``limit_exceeded``,
    ``changed``, ``stray_objects``, ``os_error``.
    Retrying cannot help until that is fixed."""

    def __init__(self, message: str, *, path: str = "", reason: str = "os_error") -> None:
        super().__init__(message)
        self.path = path
        self.reason = reason


class GoneError(AvalaError):
    """HTTP 410: the thing asked for was withdrawn for good (a dataset revision taken
    down, say). The body says which; asking again will not bring it back."""


class ExportNotReadyError(AvalaError):
    """``exports.download`` found an export that is not ``exported`` or has no download
    URL; ``export`` is the export as it was read (wait with ``exports.wait`` first)."""

    def __init__(self, message: str, *, export: Any = None) -> None:
        super().__init__(message)
        self.export = export


class GrantRefusedError(AvalaError):
    """A resolver access grant failed its checks (UPLOADS.md §4.4: identity, size, sha256,
    method, provider, lifetime, URL host); nothing was fetched with it. ``reason`` is a
    short code such as ``identity_mismatch`` or ``grant_expiry_too_short``."""

    def __init__(self, message: str, *, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason


class PartGrantRefusedError(GrantRefusedError):
    """A managed fleet upload's part grant failed its checks (UPLOADS.md §3.7: numbers,
    headers, host, object path, signature query, expiry, pin); nothing was sent with it.
    ``path`` and ``part_number`` say which file and part."""

    def __init__(self, message: str, *, reason: str, path: str, part_number: int) -> None:
        super().__init__(f"{path} part {part_number}: {message}", reason=reason)
        self.path = path
        self.part_number = part_number


class PartTransferError(AvalaError):
    """A managed fleet upload's part PUT failed after its retries; ``path`` and
    ``part_number`` say which, ``cause`` is the storage or network error. The parts the
    store holds are kept: rerunning the upload sends only the missing ones."""

    def __init__(self, cause: AvalaError, *, path: str, part_number: int) -> None:
        super().__init__(
            f"{path} part {part_number}: {cause.message}",
            status_code=cause.status_code,
            body=cause.body,
        )
        self.path = path
        self.part_number = part_number
        self.cause = cause


class UnpinnedReferenceWarning(UserWarning):
    """A dataset reference names a mutable alias (``@main``), not a revision digest: what
    it resolves to may change between runs. Pin ``@<64 hex>`` to make a load repeatable."""
