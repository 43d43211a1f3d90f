"""avala: the Python SDK for the Avala API.

A resource method builds an immutable ``Request``; ``client.run(request)`` sends it
and returns ``Success(value)`` or ``Failure(AvalaError)``.
"""

from typing import TYPE_CHECKING

from returns.result import Failure, Result, Success

from avala._base_client import RawResponse
from avala._client import Client
from avala._lazy import lazy_attributes
from avala._request import Call, Request, fail, gather, poll, pure, sequence
from avala._version import __version__
from avala.errors import (
    AuthenticationError,
    AvalaError,
    ClientClosedError,
    ConnectionFailedError,
    DecodeError,
    ExportNotReadyError,
    FieldError,
    ForbiddenError,
    GoneError,
    GrantRefusedError,
    IntegrityError,
    LocalFileError,
    NetworkError,
    NotFoundError,
    PartGrantRefusedError,
    PartTransferError,
    QuotaExceededError,
    RateLimitError,
    RequestTimeoutError,
    ResponseTooLargeError,
    ServerError,
    SourceChangedError,
    TerminalStatusError,
    UnpinnedReferenceWarning,
    UnsafeUrlError,
    ValidationError,
    WaitTimeoutError,
)
from avala.resources.signup import signup
from avala.retry import RetryPolicy
from avala.transfers._values import Downloaded, download
from avala.types import CursorPage

if TYPE_CHECKING:
    from avala._async_client import AsyncClient

# AsyncClient loads asyncio and a thread pool: imported on first use (avala._lazy).
__getattr__ = lazy_attributes(globals(), {"AsyncClient": "._async_client"})

__all__ = [
    "AsyncClient",
    "RawResponse",
    "AuthenticationError",
    "AvalaError",
    "Call",
    "Client",
    "ClientClosedError",
    "ConnectionFailedError",
    "CursorPage",
    "DecodeError",
    "Downloaded",
    "ExportNotReadyError",
    "Failure",
    "FieldError",
    "ForbiddenError",
    "GoneError",
    "GrantRefusedError",
    "PartGrantRefusedError",
    "PartTransferError",
    "IntegrityError",
    "LocalFileError",
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
    "SourceChangedError",
    "Success",
    "TerminalStatusError",
    "UnpinnedReferenceWarning",
    "UnsafeUrlError",
    "ValidationError",
    "WaitTimeoutError",
    "__version__",
    "download",
    "fail",
    "gather",
    "poll",
    "pure",
    "sequence",
    "signup",
]
