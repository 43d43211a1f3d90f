"""The anonymous dataset resolver: references to published revisions, their manifest
objects, and download grants. Every call is sent without the API key."""

from __future__ import annotations

import os
import time
import warnings
from dataclasses import dataclass, replace
from typing import Any

from returns.result import Failure, Result, Success

from avala._decode import Dated, dated_model, model, page
from avala._request import Call, Request, fail, pure
from avala.errors import AvalaError, DecodeError, GrantRefusedError, UnpinnedReferenceWarning
from avala.resources._base import api
from avala.resources._checks import optional_int, optional_str, page_query, required_int
from avala.transfers._resolver import (
    MIN_GRANT_REMAINING,
    DatasetReference,
    check_grant,
    check_revision,
    parse_reference,
)
from avala.transfers._values import Downloaded, Presigned, check_dest, get_object, presigned
from avala.types import AccessGrant, CursorPage, ManifestObject, ResolvedRevision

GRANT_TRANSPORT = "avala-edge-v1"
"""The ``transport`` query every access-grant call sends."""


@dataclass(frozen=True, slots=True)
class GetOn405:
    """``recover`` step of ``issue_access_grant``: an older server answers the POST with
    405, and the same grant is then asked for with GET; any other error stands."""

    fallback: Call[AccessGrant]

    def __call__(self, error: AvalaError) -> Request[AccessGrant]:
        return self.fallback if error.status_code == 405 else fail(error)


@dataclass(frozen=True, slots=True)
class CheckedGrant:
    """An access grant that passed every check, and how many seconds it had left when
    it was checked (never under ``MIN_GRANT_REMAINING``)."""

    grant: AccessGrant
    usable: float


@dataclass(frozen=True, slots=True)
class ResolvedDataset:
    """A reference resolved to one published revision: what ``client.resolver.load``
    gives. Its methods build requests (they send nothing): ``objects()`` pages the
    manifest (walk it lazily with ``client.iterate``), ``grant(obj)`` asks for a checked
    access grant, ``download(obj, dest)`` fetches an object, verified, into ``dest``."""

    reference: DatasetReference
    revision: ResolvedRevision

    @property
    def canonical_reference(self) -> str:
        """``avala://datasets/<uuid>@<sha256>``: the pinned form to load it again by."""
        return self.revision.canonical_reference

    def objects(
        self, *, role: str | None = None, limit: int = 100
    ) -> Call[CursorPage[ManifestObject]]:
        """The first page of the manifest's objects (``role`` filters); pass it to
        ``client.iterate`` to walk every object, fetching a page only when needed."""
        return Resolver().list_objects(
            self.revision.dataset_uid, self.revision.revision_sha256, role=role, limit=limit
        )

    def grant(self, obj: ManifestObject) -> Request[CheckedGrant]:
        """A fresh access grant for ``obj``, checked (UPLOADS.md §4.4); one with under
        ``MIN_GRANT_REMAINING`` seconds left is asked for again, once."""
        ask = _dated_grant(self.revision, obj)
        return ask.bind(_GrantCheck(self, obj, ask, retry=True))

    def download(self, obj: ManifestObject, dest: str | os.PathLike[str]) -> Request[Downloaded]:
        """Download ``obj`` into the file ``dest`` with a fresh checked grant: streamed,
        resumed with Range, its size and sha256 checked against the manifest before it is
        renamed onto ``dest``. A grant that expires mid-download is asked for again."""
        if not isinstance(obj, ManifestObject):
            raise TypeError(f"obj must be a ManifestObject, not {type(obj).__name__}")
        return self.grant(obj).bind(_GrantDownload(self, obj, check_dest(dest)))


@dataclass(frozen=True, slots=True)
class _GrantCheck:
    """``bind`` step: a dated grant checked; a short one asked for again, once."""

    dataset: ResolvedDataset
    obj: ManifestObject
    ask: Request[Dated[AccessGrant]]
    retry: bool

    def __call__(self, dated: Dated[AccessGrant]) -> Request[CheckedGrant]:
        checked = check_grant(dated.value, dated.date, time.time(), self.dataset.revision, self.obj)
        if isinstance(checked, GrantRefusedError):
            return fail(checked)
        if checked >= MIN_GRANT_REMAINING:
            return pure(CheckedGrant(dated.value, checked))
        if self.retry:
            return self.ask.bind(replace(self, retry=False))
        return fail(
            GrantRefusedError(
                f"access grant refused (grant_expiry_too_short): {checked:.1f} s left "
                "on the second grant too",
                reason="grant_expiry_too_short",
            )
        )


@dataclass(frozen=True, slots=True)
class _GrantDownload:
    """``bind`` step of ``ResolvedDataset.download``: fetch with the grant's URL, under
    its provider's host rule; a 403 (expired URL) asks for a fresh grant."""

    dataset: ResolvedDataset
    obj: ManifestObject
    dest: str

    def __call__(self, checked: CheckedGrant) -> Request[Downloaded]:
        grant = checked.grant
        headers = {"Accept-Encoding": "gzip"} if grant.provider == "gcs" else None
        fresh = self.dataset.grant(self.obj).bind_result(_GrantTarget(grant.provider))
        return get_object(
            grant.url,
            self.dest,
            size=self.obj.size_bytes,
            sha256=self.obj.sha256,
            headers=headers,
            hosts=grant.provider,
            refresh=fresh,
        )


@dataclass(frozen=True, slots=True)
class _GrantTarget:
    """``bind_result`` step: a refreshed grant as a download target. Its provider must be
    the first grant's: the URL's host rule was chosen by it."""

    provider: str

    def __call__(self, checked: CheckedGrant) -> Result[Presigned, AvalaError]:
        if checked.grant.provider != self.provider:
            return Failure(
                GrantRefusedError(
                    "access grant refused (provider_changed): a fresh grant names another "
                    "storage provider than the download began with",
                    reason="provider_changed",
                )
            )
        headers = {"Accept-Encoding": "gzip"} if self.provider == "gcs" else None
        return Success(presigned(checked.grant.url, headers))


def _dated_grant(revision: ResolvedRevision, obj: ManifestObject) -> Request[Dated[AccessGrant]]:
    """The grant call (POST, then GET on 405) keeping the response's Date header."""
    ids = (revision.dataset_uid, revision.revision_sha256, obj.object_uid)
    post = Resolver._grant("resolver.issue_access_grant", *ids, reader=dated_model(AccessGrant))
    get = Resolver._grant("resolver.issue_access_grant_get", *ids, reader=dated_model(AccessGrant))
    return post.recover(GetOn405(get))


@dataclass(frozen=True, slots=True)
class _Resolved:
    """``bind_result`` step of ``load``: the revision checked against the reference."""

    reference: DatasetReference

    def __call__(self, revision: ResolvedRevision) -> Result[ResolvedDataset, AvalaError]:
        try:
            return Success(
                ResolvedDataset(self.reference, check_revision(self.reference, revision))
            )
        except DecodeError as error:
            return Failure(error)


class Resolver:
    """Builds the resolver's anonymous calls; ``client.resolver``."""

    def load(self, reference: str) -> Request[ResolvedDataset]:
        """Resolve ``reference`` (``owner/dataset@selector`` or
        ``avala://datasets/<uuid>@<sha256>``) to a ``ResolvedDataset``, anonymously.

        A malformed reference is a ValueError now. One not pinned to a revision digest
        (``@main``, or no selector) warns ``UnpinnedReferenceWarning``: it may resolve to
        another revision tomorrow. A withdrawn revision is a ``GoneError`` (HTTP 410)."""
        parsed = parse_reference(reference)
        if not parsed.pinned:
            warnings.warn(
                f"{parsed.text} is not pinned to a revision digest; its content may change "
                "(load the canonical_reference of the result to pin it)",
                UnpinnedReferenceWarning,
                stacklevel=2,
            )
        if parsed.is_canonical:
            assert parsed.dataset_uid is not None and parsed.revision_sha256 is not None
            call = self.resolve_uid(parsed.dataset_uid, parsed.revision_sha256)
        else:
            assert parsed.owner is not None and parsed.dataset is not None
            call = self.resolve_reference(parsed.owner, parsed.dataset, parsed.selector or "main")
        return call.bind_result(_Resolved(parsed))

    def download(
        self, dataset: ResolvedDataset, obj: ManifestObject, dest: str | os.PathLike[str]
    ) -> Request[Downloaded]:
        """``dataset.download(obj, dest)``: one object of a loaded dataset into ``dest``."""
        return dataset.download(obj, dest)

    def resolve_reference(
        self, owner: str, dataset: str, selector: str = "main"
    ) -> Call[ResolvedRevision]:
        """The revision ``owner/dataset@selector`` names (a 64-hex digest pins one; any
        other selector is a mutable alias such as ``main``)."""
        path = {"owner": owner, "dataset": dataset, "selector": selector}
        return api("resolver.resolve_reference", model(ResolvedRevision), path=path)

    def resolve_uid(self, dataset_uid: str, revision_sha256: str) -> Call[ResolvedRevision]:
        """The revision a canonical reference ``avala://datasets/<uid>@<sha256>`` names."""
        path = {"dataset_uid": dataset_uid, "revision_sha256": revision_sha256}
        return api("resolver.resolve_uid", model(ResolvedRevision), path=path)

    def list_objects(
        self,
        dataset_uid: str,
        revision_sha256: str,
        *,
        role: str | None = None,
        ordinal: int | None = None,
        cursor: str | None = None,
        limit: int = 100,
    ) -> Call[CursorPage[ManifestObject]]:
        """One page of the revision's manifest objects (walk them with ``client.iterate``);
        ``role`` filters, ``ordinal`` (with ``role``) picks one object."""
        query = {
            "role": optional_str("role", role),
            "ordinal": optional_int("ordinal", ordinal, minimum=0),
            **page_query(required_int("limit", limit, minimum=1), cursor),
        }
        path = {"dataset_uid": dataset_uid, "revision_sha256": revision_sha256}
        return api("resolver.list_objects", page(ManifestObject), path=path, query=query)

    def issue_access_grant(
        self, dataset_uid: str, revision_sha256: str, object_uid: str
    ) -> Request[AccessGrant]:
        """A short-lived signed download URL for one object: a POST, repeated once as GET
        when the server answers 405 (servers older than the POST form)."""
        post = self._grant("resolver.issue_access_grant", dataset_uid, revision_sha256, object_uid)
        get = self.issue_access_grant_get(dataset_uid, revision_sha256, object_uid)
        return post.recover(GetOn405(get))

    def issue_access_grant_get(
        self, dataset_uid: str, revision_sha256: str, object_uid: str
    ) -> Call[AccessGrant]:
        """The GET form of ``issue_access_grant`` alone (the 405 fallback)."""
        return self._grant(
            "resolver.issue_access_grant_get", dataset_uid, revision_sha256, object_uid
        )

    @staticmethod
    def _grant(
        endpoint: str,
        dataset_uid: str,
        revision_sha256: str,
        object_uid: str,
        reader: Any = None,
    ) -> Call[Any]:
        path = {
            "dataset_uid": dataset_uid,
            "revision_sha256": revision_sha256,
            "object_uid": object_uid,
        }
        query = {"transport": GRANT_TRANSPORT}
        return api(endpoint, reader or model(AccessGrant), path=path, query=query)
