"""The anonymous dataset resolver: references to published revisions, their manifest
objects, and download grants. Every call is sent without the API key."""

from __future__ import annotations

from dataclasses import dataclass

from avala._decode import model, page
from avala._request import Call, Request, fail
from avala.errors import AvalaError
from avala.resources._base import api
from avala.resources._checks import optional_int, optional_str, page_query, required_int
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


class Resolver:
    """Builds the resolver's anonymous calls; ``client.resolver``."""

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
        endpoint: str, dataset_uid: str, revision_sha256: str, object_uid: str
    ) -> Call[AccessGrant]:
        path = {
            "dataset_uid": dataset_uid,
            "revision_sha256": revision_sha256,
            "object_uid": object_uid,
        }
        query = {"transport": GRANT_TRANSPORT}
        return api(endpoint, model(AccessGrant), path=path, query=query)
