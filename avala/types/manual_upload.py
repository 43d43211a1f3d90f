"""Models of manual uploads: frozen, slotted, decoded by ``avala._decode``."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AllowedMimes",
    "UploadQuota",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadQuota:
    """UploadQuota as the API returns it."""

    used: int
    limit: int


@dataclass(frozen=True, slots=True, kw_only=True)
class AllowedMimes:
    """AllowedMimes as the API returns it."""

    mime_types: tuple[str, ...] = ()
    video_prefix: str = ""
