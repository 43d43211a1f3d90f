"""Pure parts of the dataset resolver (UPLOADS.md §4): parsing references, and checking
what the server answers for them (the resolved revision, each access grant).

No I/O: the clock is an argument. A reference is refused when a request is built; an
answer that fails a check becomes a typed Failure before anything is fetched with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlsplit

from avala.errors import DecodeError, GrantRefusedError
from avala.types import AccessGrant, ManifestObject, ResolvedRevision

__all__ = [
    "MAX_GRANT_LIFETIME",
    "MIN_GRANT_REMAINING",
    "PROVIDERS",
    "DatasetReference",
    "check_grant",
    "check_revision",
    "parse_reference",
]

_OWNER = r"[a-z0-9][a-z0-9_-]{0,254}"
_DATASET = r"[a-z0-9][a-z0-9._-]{0,99}"
_DIGEST = r"[0-9a-f]{64}"
_ALIAS = r"[a-z][a-z0-9._-]{0,62}"
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_FRIENDLY = re.compile(rf"({_OWNER})/({_DATASET})(?:@({_DIGEST}|{_ALIAS}))?")
_CANONICAL = re.compile(rf"avala://datasets/({_UUID})@({_DIGEST})")
_EDGE_PATH = re.compile(
    rf"/v1/datasets/({_UUID})/({_DIGEST})/({_DIGEST})/objects/([0-9a-f-]{{36}})/{_DIGEST}"
)
_GRANT_TOKEN = re.compile(r"[A-Za-z0-9_.:-]{1,4096}")

PROVIDERS = frozenset({"aws_s3", "gcs", "azure_blob", "cloudflare_r2", "avala_proxy", "avala_edge"})
MAX_GRANT_LIFETIME = 300.0
"""Longest lifetime (``expires_at`` minus the response's ``Date``) a grant may claim."""
MIN_GRANT_REMAINING = 5.0
"""A grant with less usable time than this is asked for again, once."""
MAX_CLOCK_AHEAD = 30.0
"""How far the server's ``Date`` may run ahead of the local clock."""


@dataclass(frozen=True, slots=True)
class DatasetReference:
    """A parsed dataset reference: ``owner/dataset@selector`` (friendly) or
    ``avala://datasets/<uuid>@<sha256>`` (canonical). Build with ``parse_reference``."""

    text: str
    owner: str | None = None
    dataset: str | None = None
    selector: str | None = None
    dataset_uid: str | None = None
    revision_sha256: str | None = None

    @property
    def is_canonical(self) -> bool:
        return self.dataset_uid is not None

    @property
    def pinned(self) -> bool:
        """Whether it names one immutable revision (a digest), not a mutable alias."""
        return self.revision_sha256 is not None

    def __str__(self) -> str:
        return self.text


def parse_reference(text: str) -> DatasetReference:
    """Parse ``text``; a ValueError says what is wrong with a malformed one. A friendly
    reference without ``@selector`` means ``@main``."""
    if not isinstance(text, str):
        raise TypeError(f"a dataset reference is a str, not {type(text).__name__}")
    found = _CANONICAL.fullmatch(text)
    if found is not None:
        uid, digest = found.groups()
        return DatasetReference(text, dataset_uid=uid, revision_sha256=digest)
    found = _FRIENDLY.fullmatch(text)
    if found is None:
        raise ValueError(
            f"not a dataset reference: {text!r:.120}; expected owner/dataset[@selector] "
            "(lower case) or avala://datasets/<uuid>@<64 hex digits>"
        )
    owner, dataset, selector = found.groups()
    selector = selector or "main"
    digest = selector if re.fullmatch(_DIGEST, selector) else None
    return DatasetReference(
        f"{owner}/{dataset}@{selector}", owner, dataset, selector, revision_sha256=digest
    )


def check_revision(reference: DatasetReference, revision: ResolvedRevision) -> ResolvedRevision:
    """``revision`` if it is what ``reference`` asked for; raises DecodeError otherwise
    (a pin that does not match, another dataset, a moved objects path)."""
    problems = []
    if revision.requested_reference != reference.text:
        problems.append("it answers another reference")
    if reference.revision_sha256 and revision.revision_sha256 != reference.revision_sha256:
        problems.append("the revision digest is not the one pinned")
    if reference.dataset_uid and revision.dataset_uid != reference.dataset_uid:
        problems.append("the dataset uid is not the one asked for")
    canonical = f"avala://datasets/{revision.dataset_uid}@{revision.revision_sha256}"
    if revision.canonical_reference != canonical:
        problems.append("the canonical reference does not match its uid and digest")
    expected_path = f"/resolve/uid/{revision.dataset_uid}/{revision.revision_sha256}/objects/"
    if revision.manifest.objects_path != expected_path:
        problems.append("the objects path is not the revision's")
    if problems:
        raise DecodeError(
            f"resolved {reference.text!r} to a revision that fails its checks: "
            + "; ".join(problems)
        )
    return revision


def check_grant(
    grant: AccessGrant,
    date: str | None,
    now: float,
    revision: ResolvedRevision,
    obj: ManifestObject,
) -> float | GrantRefusedError:
    """The seconds ``grant`` may still be used for, or why it is refused (UPLOADS.md
    §4.4). ``date`` is its response's ``Date`` header, ``now`` the local Unix time."""
    identity = (
        grant.canonical_reference == revision.canonical_reference
        and grant.dataset_uid == revision.dataset_uid
        and grant.revision_sha256 == revision.revision_sha256
        and grant.manifest_sha256 == revision.manifest.sha256
        and grant.object_uid == obj.object_uid
    )
    if not identity:
        return _refused("identity_mismatch", "it names another revision or object")
    if grant.size_bytes != obj.size_bytes or grant.sha256 != obj.sha256:
        return _refused("manifest_mismatch", "its size or sha256 differs from the manifest's")
    if grant.method != "GET":
        return _refused("method", f"its method is {grant.method!r}, not 'GET'")
    if grant.provider not in PROVIDERS:
        return _refused("unknown_provider", f"unknown storage provider {grant.provider!r:.40}")
    if grant.provider == "avala_edge" and not _edge_url_matches(grant):
        return _refused("edge_url", "its edge URL does not name this object")
    expires = _utc_instant(grant.expires_at)
    if expires is None:
        return _refused("expires_at", "expires_at is not an ISO-8601 time in UTC")
    served = _http_date(date)
    if served is None:
        return _refused("date", "its response has no valid Date header")
    if served - now > MAX_CLOCK_AHEAD:
        return _refused("date", "its Date is more than 30 s ahead of this machine's clock")
    lifetime = expires - served
    if not 0 < lifetime <= MAX_GRANT_LIFETIME:
        return _refused("lifetime", f"its lifetime is {lifetime:g} s, not within (0, 300]")
    return min(lifetime, lifetime - max(0.0, now - served))


def _edge_url_matches(grant: AccessGrant) -> bool:
    parts = urlsplit(grant.url)
    found = _EDGE_PATH.fullmatch(parts.path)
    if found is None:
        return False
    expected = (grant.dataset_uid, grant.revision_sha256, grant.manifest_sha256, grant.object_uid)
    query = parse_qsl(parts.query, keep_blank_values=True)
    return (
        found.groups() == expected
        and len(query) == 1
        and query[0][0] == "grant"
        and _GRANT_TOKEN.fullmatch(query[0][1]) is not None
    )


def _utc_instant(text: str) -> float | None:
    """Unix time of an ISO-8601 instant with a zero UTC offset, else None."""
    if not isinstance(text, str) or not (text.endswith("Z") or text.endswith("+00:00")):
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.utcoffset() is None:
        return None
    return parsed.astimezone(UTC).timestamp()


def _http_date(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


def _refused(reason: str, why: str) -> GrantRefusedError:
    return GrantRefusedError(f"access grant refused ({reason}): {why}", reason=reason)
