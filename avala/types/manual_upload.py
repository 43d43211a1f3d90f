"""Models of manual uploads: frozen, slotted, decoded by ``avala._decode``."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AllowedMimes",
    "UploadQuota",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadQuota:
    """Managed-upload storage quota of the caller or an organization, in bytes."""

    used: int
    limit: int

    @property
    def remaining(self) -> int:
        """Bytes still free (never negative)."""
        return max(0, self.limit - self.used)


@dataclass(frozen=True, slots=True, kw_only=True)
class AllowedMimes:
    """MIME types the managed upload accepts (advisory); ``video_prefix`` matches any video."""

    mime_types: tuple[str, ...] = ()
    video_prefix: str = ""
