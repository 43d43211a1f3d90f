"""Models of the low-level recording upload calls: frozen, slotted, decoded strictly."""

from __future__ import annotations

from dataclasses import dataclass, field

from avala.types._common import JsonObject

__all__ = [
    "UploadConfirmResponse",
    "UploadSession",
    "UploadStatusResponse",
    "UploadUrlEntry",
    "UploadUrlsResponse",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadSession:
    """An upload session of a recording: its file manifest totals and progress."""

    uid: str
    total_files: int = 0
    total_bytes: int = 0
    confirmed_files: int = 0
    confirmed_bytes: int = 0
    s3_prefix: str | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadUrlEntry:
    """A presigned PUT target for one session file, with headers the PUT must carry."""

    path: str
    put_url: str
    s3_key: str
    headers: JsonObject = field(default_factory=JsonObject)


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadUrlsResponse:
    """The presigned PUT targets for a batch of session files."""

    urls: tuple[UploadUrlEntry, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadConfirmResponse:
    """Counters a confirm call answers with; ``confirm_upload`` returns the raw JSON instead."""

    confirmed: int = 0
    total_confirmed: int = 0
    total_files: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadStatusResponse:
    """Progress of a recording's current upload session, with paths still pending."""

    session_uid: str
    status: str
    total_files: int = 0
    confirmed_files: int = 0
    total_bytes: int = 0
    confirmed_bytes: int = 0
    pending_paths: tuple[str, ...] = ()
