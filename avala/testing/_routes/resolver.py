"""The anonymous dataset resolver (UPLOADS.md §4): published revisions, their manifest
objects (cursor pages) and access grants, signed GET URLs of the fake object store.

Collection ``resolver_revisions``: one per revision, made by ``publish_revision``
(``fake.publish_revision(...)``); ``withdrawn: True`` makes every call a 410."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, bad_request, decode_cursor, encode_cursor, not_found

router = Router()

REVISIONS = "resolver_revisions"
GRANT_TTL = 120
MAX_PAGE = 100
_UID = "/resolve/uid/{dataset_uid}/{revision_sha256}"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def publish_revision(
    state: Store,
    owner: str,
    dataset: str,
    files: dict[str, bytes],
    *,
    aliases: tuple[str, ...] = ("main",),
    role: str = "frame",
) -> dict[str, Any]:
    """Publish ``files`` (logical path -> bytes) as a revision of ``owner/dataset``; the
    bytes go to the object store. Returns the stored record (``document``, ``objects``)."""
    dataset_uid = str(uuid.uuid4())
    objects: list[dict[str, Any]] = []
    for ordinal, (path, data) in enumerate(sorted(files.items())):
        object_uid = str(uuid.uuid4())
        objects.append(
            {
                "object_uid": object_uid,
                "logical_path": path,
                "role": role,
                "ordinal": ordinal,
                "episode_ordinal": None,
                "content_type": "application/octet-stream",
                "origin": "upstream",
                "size_bytes": len(data),
                "sha256": _sha(data),
            }
        )
    manifest_sha = _sha(json.dumps(objects, sort_keys=True).encode())
    revision_sha = _sha(f"{dataset_uid}:{manifest_sha}".encode())
    objects_path = f"/resolve/uid/{dataset_uid}/{revision_sha}/objects/"
    for entry, data in zip(objects, (files[p] for p in sorted(files)), strict=True):
        entry["access_path"] = f"{objects_path}{entry['object_uid']}/access/"
        state.objects.put(_key(dataset_uid, revision_sha, entry["object_uid"]), data)
    canonical = f"avala://datasets/{dataset_uid}@{revision_sha}"
    document = {
        "schema_version": 1,
        "display_reference": f"{owner}/{dataset}@{revision_sha}",
        "canonical_reference": canonical,
        "dataset_uid": dataset_uid,
        "revision_uid": str(uuid.uuid4()),
        "revision_sha256": revision_sha,
        "state": "published",
        "manifest": {
            "schema_version": 1,
            "sha256": manifest_sha,
            "object_count": len(objects),
            "total_size_bytes": sum(len(d) for d in files.values()),
            "origins": [
                {
                    "name": "upstream",
                    "kind": "avala",
                    "canonical_ref": canonical,
                    "external_revision": "",
                }
            ],
            "objects_path": objects_path,
        },
        "rights": {
            "status": "declared",
            "access": "open_download",
            "name": "CC-BY-4.0",
            "url": "https://example.com/license",
            "document_sha256": _sha(b"license"),
            "attestation_sha256": _sha(b"attestation"),
        },
    }
    return state.insert(
        REVISIONS,
        {
            "owner": owner,
            "dataset": dataset,
            "aliases": list(aliases),
            "dataset_uid": dataset_uid,
            "revision_sha256": revision_sha,
            "document": document,
            "objects": objects,
            "withdrawn": False,
        },
    )


def _key(dataset_uid: str, revision_sha: str, object_uid: str) -> str:
    return f"resolver/{dataset_uid}/{revision_sha}/{object_uid}"


def _withdrawn(revision: dict[str, Any]) -> FakeResponse:
    document = revision["document"]
    return FakeResponse(
        410,
        {
            "schema_version": 1,
            "code": "dataset_revision_withdrawn",
            "canonical_reference": document["canonical_reference"],
            "dataset_uid": revision["dataset_uid"],
            "revision_sha256": revision["revision_sha256"],
        },
    )


def _answer(revision: dict[str, Any] | None, requested: str) -> FakeResponse:
    if revision is None:
        return not_found()
    if revision["withdrawn"]:
        return _withdrawn(revision)
    return FakeResponse(200, {**revision["document"], "requested_reference": requested})


def _by_uid(state: Store, dataset_uid: str, revision_sha256: str) -> dict[str, Any] | None:
    return state.first(REVISIONS, dataset_uid=dataset_uid, revision_sha256=revision_sha256)


@router.route("GET", "/resolve/{owner}/{dataset}@{selector}/")
def resolve_reference(
    state: Store, req: FakeRequest, owner: str, dataset: str, selector: str
) -> FakeResponse:
    found = next(
        (
            r
            for r in reversed(state.where(REVISIONS, owner=owner, dataset=dataset))
            if selector in r["aliases"] or selector == r["revision_sha256"]
        ),
        None,
    )
    return _answer(found, f"{owner}/{dataset}@{selector}")


@router.route("GET", f"{_UID}/")
def resolve_uid(
    state: Store, req: FakeRequest, dataset_uid: str, revision_sha256: str
) -> FakeResponse:
    requested = f"avala://datasets/{dataset_uid}@{revision_sha256}"
    return _answer(_by_uid(state, dataset_uid, revision_sha256), requested)


@router.route("GET", f"{_UID}/objects/")
def list_objects(
    state: Store, req: FakeRequest, dataset_uid: str, revision_sha256: str
) -> FakeResponse:
    revision = _by_uid(state, dataset_uid, revision_sha256)
    if revision is None:
        return not_found()
    if revision["withdrawn"]:
        return _withdrawn(revision)
    limit, token = req.q("limit") or str(MAX_PAGE), req.q("cursor")
    offset = 0 if token is None else decode_cursor(token)
    if not limit.isdigit() or not 1 <= int(limit) <= MAX_PAGE or offset is None:
        return bad_request({"detail": ["Invalid limit or cursor."]})
    items = revision["objects"]
    if req.q("role") is not None:
        items = [o for o in items if o["role"] == req.q("role")]
    if req.q("ordinal") is not None:
        items = [o for o in items if str(o["ordinal"]) == req.q("ordinal")]
    end = offset + int(limit)
    document = revision["document"]
    return FakeResponse(
        200,
        {
            "schema_version": 1,
            "canonical_reference": document["canonical_reference"],
            "revision_sha256": revision_sha256,
            "manifest_sha256": document["manifest"]["sha256"],
            "next_cursor": encode_cursor(end) if end < len(items) else None,
            "previous_cursor": encode_cursor(max(0, offset - int(limit))) if offset else None,
            "results": items[offset:end],
        },
    )


def _grant(
    state: Store, req: FakeRequest, dataset_uid: str, revision_sha256: str, object_uid: str
) -> FakeResponse:
    revision = _by_uid(state, dataset_uid, revision_sha256)
    if revision is None:
        return not_found()
    if revision["withdrawn"]:
        return _withdrawn(revision)
    found = next((o for o in revision["objects"] if o["object_uid"] == object_uid), None)
    if found is None:
        return not_found()
    override = state.grant_overrides.pop(0) if state.grant_overrides else {}
    lifetime = override.pop("lifetime", GRANT_TTL)
    issued = datetime.now(UTC).replace(microsecond=0)
    url = state.objects.presign(
        "GET",
        _key(dataset_uid, revision_sha256, object_uid),
        expires_in=max(1, int(lifetime)),
        issued_at=issued,
    )
    document = revision["document"]
    expires = (issued + timedelta(seconds=lifetime)).isoformat().replace("+00:00", "Z")
    grant = {
        "schema_version": 1,
        "canonical_reference": document["canonical_reference"],
        "dataset_uid": dataset_uid,
        "revision_sha256": revision_sha256,
        "manifest_sha256": document["manifest"]["sha256"],
        "object_uid": object_uid,
        "method": "GET",
        "provider": "aws_s3",
        "url": url,
        "expires_at": expires,
        "size_bytes": found["size_bytes"],
        "sha256": found["sha256"],
        "range_supported": True,
    }
    return FakeResponse(200, {**grant, **override})


router.add("POST", f"{_UID}/objects/{{object_uid}}/access/", _grant)
router.add("GET", f"{_UID}/objects/{{object_uid}}/access/", _grant)
