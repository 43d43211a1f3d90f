"""Models of the low-level recording upload calls: frozen, slotted, decoded strictly."""

from __future__ import annotations

from dataclasses import dataclass, field

from avala.types._common import JsonObject

__all__ = [
    "ManagedFinalization",
    "ManagedFinalizeResponse",
    "ManagedGeneration",
    "ManagedMultipartInit",
    "ManagedOriginal",
    "ManagedPartGrant",
    "ManagedPartGrants",
    "ManagedPartInventory",
    "ManagedStoredPart",
    "ManagedUploadStatus",
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


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagedGeneration:
    """One multipart generation of a managed file (the client accepts only number 1)."""

    generation_uid: str
    number: int
    state: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagedOriginal:
    """One admitted file of a managed upload, with its geometry and progress."""

    file_uid: str
    path: str
    size_bytes: int
    content_sha256: str
    content_type: str
    content_encoding: str
    part_size: int
    part_count: int
    verified: bool
    generation: ManagedGeneration | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagedFinalization:
    """Verification and publication of a managed upload; ``state`` succeeded/failed ends it."""

    uid: str
    state: str
    stage: str
    attempts: int
    failures: int
    code: str
    available_at: str
    publication_uid: str | None
    dataset_uid: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagedUploadStatus:
    """The snapshot ``managed_status`` and ``managed_admit`` answer with."""

    protocol: str
    session_uid: str
    recording_uid: str
    status: str
    total_files: int
    total_bytes: int
    confirmed_files: int
    confirmed_bytes: int
    files: tuple[ManagedOriginal, ...]
    finalization: ManagedFinalization | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagedMultipartInit:
    """Generation 1 of one file's multipart upload, just opened."""

    protocol: str
    session_uid: str
    file_uid: str
    generation_uid: str
    number: int
    state: str
    part_size: int
    part_count: int
    initialization_deadline: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagedStoredPart:
    """A part the server holds for a generation."""

    part_number: int
    size: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagedPartInventory:
    """One page of stored parts; pass ``next_cursor`` back as ``after``."""

    protocol: str
    session_uid: str
    file_uid: str
    generation_uid: str
    parts: tuple[ManagedStoredPart, ...]
    next_cursor: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagedPartGrant:
    """A short-lived signed PUT of one part (the URL is a secret: not in repr)."""

    grant_uid: str
    part_number: int
    offset: int
    size_bytes: int
    url: str = field(repr=False)
    headers: JsonObject
    expires_at: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagedPartGrants:
    """The grants ``managed_multipart_parts`` answers with."""

    protocol: str
    session_uid: str
    file_uid: str
    generation_uid: str
    parts: tuple[ManagedPartGrant, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ManagedFinalizeResponse:
    """The finalization a ``managed_finalize`` started (or the one already running)."""

    protocol: str
    session_uid: str
    finalization: ManagedFinalization
