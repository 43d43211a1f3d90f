"""Models of manual uploads: frozen, slotted, decoded by ``avala._decode``."""

from __future__ import annotations

from dataclasses import dataclass, field

from avala.types._common import JsonObject

__all__ = [
    "AllowedMimes",
    "ManualUploadDescriptor",
    "ManualUploadPartGrant",
    "ManualUploadPartGrants",
    "ManualUploadStoredPart",
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


@dataclass(frozen=True, slots=True, kw_only=True)
class ManualUploadStoredPart:
    """A part of a v2 multipart session the server already holds (skip it on resume)."""

    part_number: int
    size: int
    etag: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ManualUploadDescriptor:
    """What ``create_manual_upload_url`` answers, typed: ``method`` POST (v1 form), PUT or
    MULTIPART (v2). The builder returns the raw JSON; decode it with
    ``avala._decode.structure(raw, ManualUploadDescriptor)`` where a typed value helps."""

    method: str = "POST"
    url: str | None = field(default=None, repr=False)  # a signed URL is a secret
    fields: JsonObject = field(default_factory=JsonObject, repr=False)
    headers: JsonObject = field(default_factory=JsonObject)
    upload_uid: str | None = None
    complete: bool = False
    part_size: int | None = None
    part_count: int | None = None
    uploaded_parts: tuple[ManualUploadStoredPart, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ManualUploadPartGrant:
    """A signed PUT target for one part of a v2 multipart session."""

    part_number: int
    url: str = field(repr=False)
    headers: JsonObject = field(default_factory=JsonObject)


@dataclass(frozen=True, slots=True, kw_only=True)
class ManualUploadPartGrants:
    """The grants ``datasets.manual_upload_parts`` answers with, one per part asked for."""

    parts: tuple[ManualUploadPartGrant, ...] = ()
