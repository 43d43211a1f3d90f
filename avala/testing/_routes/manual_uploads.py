"""Dataset manual uploads (UPLOADS.md §1): presign (v1 form POST, v2 PUT or MULTIPART),
part grants, completion, quota, and creating a dataset from what is stored.

v2 sessions live in ``datasets_uploads``, one per (scope, dataset name, path, batch):
presigning the same file of the same batch again reopens it (resume), unless its size
changed. Bytes go to the fake object store: a PUT session writes a staging object
(``.staging/<upload_uid>``, conditional on ``If-None-Match: *``) that ``complete``
moves to ``<root>/<dataset_name>/<path>``; a MULTIPART session is an object-store
multipart upload that ``complete`` assembles there. ``create_from_manual_upload`` indexes
every object under ``<root>/<dataset_name>/``; with an ``Idempotency-Key`` a repeat
answers the dataset the first request created.
"""

from __future__ import annotations

import math
import uuid
from typing import Any

from .._objects import StorageError, StoredObject
from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, bad_request, not_found
from ._fields import OPTIONAL_TEXT, Field, Spec, validated
from .datasets_more import (
    NAME,
    NEW_DATASET,
    UPLOAD_HOST,
    new_dataset,
    organization,
    owner_for,
    quota_of,
    scope_of,
    slug_taken,
    storage_root,
)

router = Router()

UPLOADS = "datasets_uploads"
MAX_PARTS = 10000
IMAGES = ["image/jpeg", "image/png", "image/webp"]
ARCHIVES = ["application/octet-stream", "application/json", "application/zip"]
ALLOWED_MIMES = {"mime_types": IMAGES + ARCHIVES, "video_prefix": "video/"}
PUT_HEADERS = {"Content-Type": "application/octet-stream", "If-None-Match": "*"}
"""Headers a v2 PUT descriptor asks for: the PUT is conditional, so a repeat is a 412."""

PRESIGN: Spec = {
    "dataset_name": NAME,
    "file_path_in_dataset": NAME,
    "dataset_upload_uid": OPTIONAL_TEXT,
    "organization_uid": OPTIONAL_TEXT,
    "content_length": Field("int", required=True, minimum=0),
    "upload_protocol_version": Field(null=True, choices=(1, 2)),
}
PART_NUMBERS: Spec = {
    "part_numbers": Field("list", required=True, items="int", empty=False),
}


def object_key(state: Store, scope: str, dataset_name: str, path: str) -> str:
    return f"{storage_root(state, scope)}/{dataset_name}/{path}"


def _staging(upload: dict[str, Any]) -> str:
    return f".staging/{upload['uid']}"


def _session(state: Store, scope: str, body: dict[str, Any]) -> dict[str, Any] | None:
    return state.first(
        UPLOADS,
        scope=scope,
        dataset_name=body["dataset_name"],
        path=body["file_path_in_dataset"],
        dataset_upload_uid=body.get("dataset_upload_uid"),
    )


def _open_session(state: Store, record: dict[str, Any], version: Any) -> dict[str, Any]:
    """A new session: v1, or v2 PUT / MULTIPART by size against the threshold."""
    settings, size = state.uploads, record["content_length"]
    if version != 2:
        return state.insert(UPLOADS, {**record, "method": "POST"})
    if size <= settings.multipart_threshold:
        return state.insert(UPLOADS, {**record, "method": "PUT", "completed": False})
    part_size = settings.part_size
    return state.insert(
        UPLOADS,
        {
            **record,
            "method": "MULTIPART",
            "completed": False,
            "part_size": part_size,
            "part_count": math.ceil(size / part_size),
            "upload_id": state.objects.create_multipart(record["key"]),
        },
    )


def _descriptor(state: Store, upload: dict[str, Any]) -> dict[str, Any]:
    objects, ttl = state.objects, state.uploads.url_ttl
    if upload["method"] == "POST":
        fields = {"key": upload["key"], "policy": "ZmFrZS1wb2xpY3k=", "x-amz-signature": "fake"}
        return {"method": "POST", "url": f"{UPLOAD_HOST}/", "fields": fields}
    if upload["method"] == "PUT":
        stored = upload["completed"] or objects.info(_staging(upload)) is not None
        return {
            "method": "PUT",
            "url": objects.presign("PUT", _staging(upload), expires_in=ttl),
            "headers": PUT_HEADERS,
            "upload_uid": upload["uid"],
            "complete": stored,
        }
    held = objects.parts(upload["upload_id"])
    return {
        "method": "MULTIPART",
        "upload_uid": upload["uid"],
        "part_size": upload["part_size"],
        "part_count": upload["part_count"],
        "complete": upload["completed"],
        "uploaded_parts": [
            {"part_number": n, "size": part.size, "etag": part.etag}
            for n, part in sorted(held.items())
        ],
    }


@router.route("POST", "/datasets/manual-upload/file-upload-url/")
def presign_upload(state: Store, req: FakeRequest) -> FakeResponse:
    body = validated(req, PRESIGN)
    if isinstance(body, FakeResponse):
        return body
    size, version = body["content_length"], body.get("upload_protocol_version")
    if version == 2 and body.get("dataset_upload_uid") is None:
        return bad_request({"dataset_upload_uid": ["Required by upload protocol version 2."]})
    org_uid = body.get("organization_uid")
    if org_uid is not None and organization(state, org_uid) is None:
        return bad_request({"organization_uid": ["Organization not found."]})
    settings = state.uploads
    multipart = version == 2 and size > settings.multipart_threshold
    if multipart and math.ceil(size / settings.part_size) > MAX_PARTS:
        return bad_request({"content_length": ["File too large for a multipart upload."]})
    scope = scope_of(org_uid)
    earlier = _session(state, scope, body)
    if earlier is not None and earlier["content_length"] != size:
        state.delete(UPLOADS, earlier["uid"])  # the file changed: a fresh session
    quota = quota_of(state, scope)
    reserved = earlier["content_length"] if earlier else 0
    used = quota["used"] - reserved
    if used + size > quota["limit"]:
        detail = "Storage quota exceeded."
        return FakeResponse(413, {"detail": detail, "limit": quota["limit"], "used": quota["used"]})
    state.update("datasets_quotas", scope, {"used": used + size})
    if earlier is not None and earlier["content_length"] == size:
        upload = earlier
    else:
        record = {
            "uid": str(uuid.uuid4()),
            "scope": scope,
            "dataset_name": body["dataset_name"],
            "path": body["file_path_in_dataset"],
            "content_length": size,
            "dataset_upload_uid": body.get("dataset_upload_uid"),
            "key": object_key(state, scope, body["dataset_name"], body["file_path_in_dataset"]),
        }
        upload = _open_session(state, record, version)
    return FakeResponse(200, _descriptor(state, upload))


def _v2_session(state: Store, upload_uid: str) -> dict[str, Any] | None:
    upload = state.get(UPLOADS, upload_uid)
    return upload if upload is not None and upload["method"] != "POST" else None


@router.route("POST", "/datasets/manual-upload/uploads/{upload_uid}/parts/")
def part_grants(state: Store, req: FakeRequest, upload_uid: str) -> FakeResponse:
    upload = _v2_session(state, upload_uid)
    if upload is None:
        return not_found()
    body = validated(req, PART_NUMBERS)
    if isinstance(body, FakeResponse):
        return body
    if upload["method"] != "MULTIPART" or upload["completed"]:
        return bad_request({"non_field_errors": ["This upload session takes no parts."]})
    numbers = body["part_numbers"]
    wrong = [n for n in numbers if not 1 <= n <= upload["part_count"]]
    if wrong:
        return bad_request({"part_numbers": [f"No such part: {wrong}."]})
    objects, ttl = state.objects, state.uploads.url_ttl
    parts = [
        {
            "part_number": n,
            "url": objects.presign(
                "PUT", upload["key"], expires_in=ttl, upload_id=upload["upload_id"], part_number=n
            ),
            "headers": {},
        }
        for n in numbers
    ]
    return FakeResponse(200, {"parts": parts})


def _finish(state: Store, upload: dict[str, Any]) -> StoredObject:
    """Move the session's bytes to its key: the staged PUT, or the assembled parts."""
    objects = state.objects
    if upload["method"] == "MULTIPART":
        return objects.complete_multipart(upload["upload_id"], upload["part_count"])
    staged = objects.info(_staging(upload))
    if staged is None:
        raise StorageError(400, "NoSuchKey", "The file has not been uploaded.")
    stored = objects._keep(upload["key"], staged)
    objects.delete(_staging(upload))
    return stored


@router.route("POST", "/datasets/manual-upload/uploads/{upload_uid}/complete/")
def complete_upload(state: Store, req: FakeRequest, upload_uid: str) -> FakeResponse:
    """Check every byte is stored and move it in place; completing twice is a no-op."""
    upload = _v2_session(state, upload_uid)
    if upload is None:
        return not_found()
    if req.body is not None and not isinstance(req.body, dict):
        return bad_request({"non_field_errors": ["Invalid data. Expected a dictionary."]})
    if not upload["completed"]:
        try:
            stored = _finish(state, upload)
        except StorageError as error:
            return bad_request({"non_field_errors": [error.message]})
        if stored.size != upload["content_length"]:
            state.objects.delete(upload["key"])
            message = f"Stored {stored.size} bytes, expected {upload['content_length']}."
            return bad_request({"non_field_errors": [message]})
        state.update(UPLOADS, upload_uid, {"completed": True, "etag": stored.etag})
    return FakeResponse(200, {"upload_uid": upload_uid, "complete": True})


@router.route("GET", "/datasets/manual-upload/quota/")
def upload_quota(state: Store, req: FakeRequest) -> FakeResponse:
    quota = quota_of(state, scope_of(req.q("organization_uid")))
    return FakeResponse(200, {"used": quota["used"], "limit": quota["limit"]})


@router.route("GET", "/datasets/manual-upload/allowed-mimes/")
def allowed_mimes(state: Store, req: FakeRequest) -> FakeResponse:
    return FakeResponse(200, ALLOWED_MIMES)


def _indexed(state: Store, scope: str, name: str) -> dict[str, int]:
    """What the dataset will hold, path -> size: every stored object under the prefix, and
    the v1 (form POST) files presigned for this name (they never reach the fake store)."""
    prefix = object_key(state, scope, name, "")
    found = {}
    for key in state.objects.keys(prefix):
        stored = state.objects.info(key)
        if stored is not None:
            found[key[len(prefix) :]] = stored.size
    for upload in state.where(UPLOADS, scope=scope, dataset_name=name, method="POST"):
        found.setdefault(upload["path"], upload["content_length"])
    return found


@router.route("POST", "/datasets/manual-upload/")
def create_from_upload(state: Store, req: FakeRequest) -> FakeResponse:
    key = req.headers.get("idempotency-key")
    if key:  # a repeat of a create whose answer was lost: the same dataset, once
        first_uid = state.idempotency.get(("datasets_manual_upload", key))
        first = state.get("datasets", first_uid) if first_uid else None
        if first is not None:
            return FakeResponse(201, first)
    body = validated(req, {**NEW_DATASET, "dataset_upload_uid": OPTIONAL_TEXT})
    if isinstance(body, FakeResponse):
        return body
    owner = owner_for(state, body)
    if isinstance(owner, FakeResponse):
        return owner
    scope, batch, name = (
        scope_of(body.get("organization_uid")),
        body.get("dataset_upload_uid"),
        body["name"],
    )
    sessions = state.where(UPLOADS, scope=scope, dataset_name=name)
    if batch is not None:
        in_batch = [u for u in sessions if u["dataset_upload_uid"] == batch]
        if not in_batch:
            return bad_request({"dataset_upload_uid": ["No uploaded files found for this batch."]})
        open_ = sorted(u["path"] for u in in_batch if u["method"] != "POST" and not u["completed"])
        if open_:
            message = f"Upload not complete for: {', '.join(open_)}."
            return bad_request({"dataset_upload_uid": [message]})
    files = _indexed(state, scope, name)
    if not files:
        field = "dataset_upload_uid" if batch is not None else "non_field_errors"
        return bad_request({field: ["No uploaded files found for this dataset."]})
    taken = slug_taken(state, owner, body["slug"])
    if taken is not None:
        return taken
    dataset = new_dataset(state, body, owner, item_count=len(files))
    for session in sessions:
        state.delete(UPLOADS, session["uid"])
    base = f"{state.objects.base_url}/{state.objects.bucket}"
    for path, size in sorted(files.items()):
        state.insert(
            "datasets_items",
            {
                "key": path,
                "dataset": dataset["uid"],
                "dataset_owner_name": owner,
                "dataset_slug": dataset["slug"],
                "url": f"{base}/{object_key(state, scope, name, path)}",
                "metadata": {"content_length": size},
            },
        )
    if key:
        state.idempotency[("datasets_manual_upload", key)] = dataset["uid"]
    return FakeResponse(201, dataset)


__all__ = ["object_key", "router"]
