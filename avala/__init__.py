"""avala: the Python SDK for the Avala API.

A resource method builds an immutable ``Request``; ``client.run(request)`` sends it
and returns ``Success(value)`` or ``Failure(AvalaError)``.
"""

from returns.result import Failure, Result, Success

from avala._async_client import AsyncClient
from avala._base_client import RawResponse
from avala._client import Client
from avala._request import Call, Request, fail, gather, poll, pure, sequence
from avala._version import __version__
from avala.errors import (
    AuthenticationError,
    AvalaError,
    ConnectionFailedError,
    DecodeError,
    FieldError,
    ForbiddenError,
    NetworkError,
    NotFoundError,
    QuotaExceededError,
    RateLimitError,
    RequestTimeoutError,
    ResponseTooLargeError,
    ServerError,
    TerminalStatusError,
    ValidationError,
    WaitTimeoutError,
)
from avala.resources.signup import signup
from avala.retry import RetryPolicy
from avala.types import CursorPage

__all__ = [
    "AsyncClient",
    "RawResponse",
    "AuthenticationError",
    "AvalaError",
    "Call",
    "Client",
    "ConnectionFailedError",
    "CursorPage",
    "DecodeError",
    "Failure",
    "FieldError",
    "ForbiddenError",
    "NetworkError",
    "NotFoundError",
    "QuotaExceededError",
    "RateLimitError",
    "Request",
    "RequestTimeoutError",
    "ResponseTooLargeError",
    "Result",
    "RetryPolicy",
    "ServerError",
    "Success",
    "TerminalStatusError",
    "ValidationError",
    "WaitTimeoutError",
    "__version__",
    "fail",
    "gather",
    "poll",
    "pure",
    "sequence",
    "signup",
]
