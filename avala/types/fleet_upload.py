"""Models of fleet uploads: frozen, slotted, decoded by ``avala._decode``."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyrsistent import pmap
from pyrsistent.typing import PMap

__all__ = [
    "UploadConfirmResponse",
    "UploadSession",
    "UploadStatusResponse",
    "UploadUrlEntry",
    "UploadUrlsResponse",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadSession:
    """UploadSession as the API returns it."""

    uid: str
    total_files: int = 0
    total_bytes: int = 0
    confirmed_files: int = 0
    confirmed_bytes: int = 0
    s3_prefix: str | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadUrlEntry:
    """UploadUrlEntry as the API returns it."""

    path: str
    put_url: str
    s3_key: str
    headers: PMap[str, str] = field(default_factory=pmap)


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadUrlsResponse:
    """UploadUrlsResponse as the API returns it."""

    urls: tuple[UploadUrlEntry, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadConfirmResponse:
    """UploadConfirmResponse as the API returns it.

    Note: defined but never used: confirm_upload returns a raw dict.
    """

    confirmed: int = 0
    total_confirmed: int = 0
    total_files: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadStatusResponse:
    """UploadStatusResponse as the API returns it."""

    session_uid: str
    status: str
    total_files: int = 0
    confirmed_files: int = 0
    total_bytes: int = 0
    confirmed_bytes: int = 0
    pending_paths: tuple[str, ...] = ()
