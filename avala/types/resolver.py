"""Documents of the anonymous dataset resolver: a published revision, its manifest
objects, and short-lived access grants. Decoded with strict types; extra keys ignored."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "AccessGrant",
    "ManifestObject",
    "ResolvedRevision",
    "ResolverManifest",
    "ResolverOrigin",
    "ResolverRights",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolverOrigin:
    """Where a revision's objects come from."""

    name: str
    kind: str
    canonical_ref: str
    external_revision: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolverManifest:
    """The revision's manifest: digest, counts and the path its objects are listed at."""

    schema_version: int
    sha256: str
    object_count: int
    total_size_bytes: int
    origins: tuple[ResolverOrigin, ...]
    objects_path: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolverRights:
    """The declared rights of a published revision."""

    status: str
    access: str
    name: str
    url: str
    document_sha256: str
    attestation_sha256: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolvedRevision:
    """One immutable published revision a reference resolved to."""

    schema_version: int
    requested_reference: str
    display_reference: str
    canonical_reference: str
    dataset_uid: str
    revision_uid: str
    revision_sha256: str
    state: str
    manifest: ResolverManifest
    rights: ResolverRights


@dataclass(frozen=True, slots=True, kw_only=True)
class ManifestObject:
    """One object of a revision's manifest; ``access_path`` is where a grant is asked for."""

    object_uid: str
    logical_path: str
    role: str
    ordinal: int
    episode_ordinal: int | None
    content_type: str
    origin: str
    size_bytes: int
    sha256: str
    access_path: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessGrant:
    """A short-lived signed download URL for one object (the URL is a secret: not in repr).

    The lifetime is ``expires_at`` minus the response's ``Date`` header, which this
    document does not carry: the caller checks it (``run_raw`` gives the headers)."""

    schema_version: int
    canonical_reference: str
    dataset_uid: str
    revision_sha256: str
    manifest_sha256: str
    object_uid: str
    method: str
    provider: str
    url: str = field(repr=False)
    expires_at: str
    size_bytes: int
    sha256: str
    range_supported: bool
