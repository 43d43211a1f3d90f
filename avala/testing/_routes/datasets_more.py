"""Datasets beyond list/get: owner/slug lookup, transfer, create, managed (manual) uploads,
items, sequences and health.

Collections: ``datasets`` (shared with datasets.py), ``datasets_items`` (``dataset`` = the
dataset uid), ``datasets_sequences`` (``dataset_uid``), ``datasets_uploads`` (presigned
files not yet turned into a dataset), ``datasets_quotas`` (``uid`` = organization uid or
``me``; ``used``/``limit`` bytes). The caller is the user ``fake-user``; an organization
owns datasets under its ``slug`` (from the ``organizations`` collection).

The literal ``/datasets/manual-upload/...`` routes win over ``/datasets/{uid}/`` and
``/datasets/{owner}/{slug}/`` because the router always prefers literal segments.
"""

from __future__ import annotations

from typing import Any

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, bad_request, cursor_page, not_found
from ._fields import OPTIONAL_TEXT, Field, Spec, object_body, ok_or_404, validated
from .datasets import find_dataset, queue_statuses

router = Router()

CALLER = "fake-user"
"""User name of whoever holds the fake's API key (``add_dataset`` uses it too)."""
ME = "me"
"""Quota/upload scope key of the caller's personal storage."""
VISIBILITIES = ("private", "public", "unlisted")
SEQUENCE_TYPES = ("video", "lidar", "mcap", "splat")
DEFAULT_QUOTA_BYTES = 10 * 1024**3
UPLOAD_HOST = "https://uploads.example.invalid"


# --- helpers ---------------------------------------------------------------------------------


def _dataset_or_404(state: Store, owner: str, slug: str) -> dict[str, Any] | FakeResponse:
    dataset = find_dataset(state, owner, slug)
    return dataset if dataset is not None else not_found()


def organization(state: Store, uid: Any) -> dict[str, Any] | None:
    return state.get("organizations", uid) if isinstance(uid, str) and uid else None


def _org_handle(org: dict[str, Any]) -> str:
    return str(org.get("slug") or org.get("handle") or org["uid"])


NAME = Field(required=True, blank=False)
NEW_DATASET: Spec = {
    **dict.fromkeys(("name", "slug", "data_type"), NAME),
    **dict.fromkeys(("owner_name", "organization_uid"), OPTIONAL_TEXT),
    "visibility": Field(choices=VISIBILITIES),
    "create_metadata": Field("bool"),
    **dict.fromkeys(("industry", "license", "organization_id"), Field("int", null=True)),
    **dict.fromkeys(("metadata", "provider_config"), Field("object", null=True)),
}
"""The fields of both dataset-creating POSTs (each adds one optional string of its own)."""


def owner_for(state: Store, body: dict[str, Any]) -> str | FakeResponse:
    """Who a new dataset belongs to: ``owner_name``, else the organization, else the caller."""
    org_uid = body.get("organization_uid")
    org = organization(state, org_uid)
    if org_uid is not None and org is None:
        return bad_request({"organization_uid": ["Organization not found."]})
    if body.get("owner_name"):
        return str(body["owner_name"])
    return _org_handle(org) if org is not None else CALLER


def new_dataset(state: Store, body: dict[str, Any], owner: str, item_count: int) -> dict[str, Any]:
    data_type = body["data_type"]
    dataset = state.create(
        "datasets",
        {
            "name": body["name"],
            "slug": body["slug"],
            "item_count": item_count,
            "owner_name": owner,
            "status": "creating",
            "data_type": data_type,
            "is_sequence": data_type in SEQUENCE_TYPES,
            "predefined_labels": None,
            "visibility": body.get("visibility", "private"),
            "metadata": body.get("metadata"),
            "industry": body.get("industry"),
            "license": body.get("license"),
            "gpu_texture_format": body.get("gpu_texture_format"),
            "organization_uid": body.get("organization_uid"),
        },
    )
    queue_statuses(state, dataset["uid"], ["created"])
    return dataset


def slug_taken(state: Store, owner: str, slug: str) -> FakeResponse | None:
    if find_dataset(state, owner, slug) is not None:
        return bad_request({"slug": ["A dataset with this slug already exists for this owner."]})
    return None


def quota_of(state: Store, scope: str) -> dict[str, Any]:
    quota = state.get("datasets_quotas", scope)
    if quota is None:
        quota = state.insert(
            "datasets_quotas", {"uid": scope, "used": 0, "limit": DEFAULT_QUOTA_BYTES}
        )
    return quota


def scope_of(org_uid: Any) -> str:
    """Quota and upload scope: an organization uid, or ``me`` for personal storage."""
    return org_uid if isinstance(org_uid, str) and org_uid else ME


def storage_root(state: Store, scope: str) -> str:
    """Where a scope's uploads live: ``__o__=/<org uid>`` or ``__u__=/<user uid>``."""
    return f"__u__=/{state.user_uid}" if scope == ME else f"__o__=/{scope}"


# --- lookup and transfer -------------------------------------------------------------------


@router.route("GET", "/datasets/{owner}/{slug}/")
def get_dataset_by_slug(state: Store, req: FakeRequest, owner: str, slug: str) -> FakeResponse:
    return ok_or_404(find_dataset(state, owner, slug))


@router.route("POST", "/datasets/{owner}/{slug}/transfer/")
def transfer_dataset(state: Store, req: FakeRequest, owner: str, slug: str) -> FakeResponse:
    found = _dataset_or_404(state, owner, slug)
    if isinstance(found, FakeResponse):
        return found
    body = object_body(req, optional=True)
    if isinstance(body, FakeResponse):
        return body
    org_uid, username = body.get("organization_uid"), body.get("owner_username")
    if (org_uid is None) == (username is None):
        message = "Provide exactly one of organization_uid or owner_username."
        return bad_request({"non_field_errors": [message]})
    if org_uid is not None:
        org = organization(state, org_uid)
        if org is None:
            return bad_request({"organization_uid": ["Organization not found."]})
        new_owner, changes = _org_handle(org), {"organization_uid": org_uid}
    else:
        if not isinstance(username, str) or not username.strip():
            return bad_request({"owner_username": ["This field may not be blank."]})
        new_owner, changes = username, {"organization_uid": None}
    if new_owner != owner:
        taken = slug_taken(state, new_owner, slug)
        if taken is not None:
            return taken
    moved = state.update("datasets", found["uid"], {"owner_name": new_owner, **changes})
    return FakeResponse(200, moved)


# --- create ----------------------------------------------------------------------------------


@router.route("POST", "/datasets/")
def create_dataset(state: Store, req: FakeRequest) -> FakeResponse:
    body = validated(req, {**NEW_DATASET, "gpu_texture_format": OPTIONAL_TEXT})
    if isinstance(body, FakeResponse):
        return body
    owner = owner_for(state, body)
    if isinstance(owner, FakeResponse):
        return owner
    taken = slug_taken(state, owner, body["slug"])
    if taken is not None:
        return taken
    return FakeResponse(201, new_dataset(state, body, owner, item_count=0))


# --- items, sequences, health --------------------------------------------------------------


def _items_of(state: Store, dataset: dict[str, Any]) -> list[dict[str, Any]]:
    return state.where("datasets_items", dataset=dataset["uid"])


def _sequences_of(state: Store, dataset: dict[str, Any]) -> list[dict[str, Any]]:
    return state.where("datasets_sequences", dataset_uid=dataset["uid"])


@router.route("GET", "/datasets/{owner}/{slug}/items/")
def list_items(state: Store, req: FakeRequest, owner: str, slug: str) -> FakeResponse:
    found = _dataset_or_404(state, owner, slug)
    if isinstance(found, FakeResponse):
        return found
    return cursor_page(req, _items_of(state, found), state.base_url)


@router.route("GET", "/datasets/{owner}/{slug}/items/{item_uid}/")
def get_item(state: Store, req: FakeRequest, owner: str, slug: str, item_uid: str) -> FakeResponse:
    found = _dataset_or_404(state, owner, slug)
    if isinstance(found, FakeResponse):
        return found
    return ok_or_404(state.get_where("datasets_items", item_uid, dataset=found["uid"]))


@router.route("GET", "/datasets/{owner}/{slug}/sequences/")
def list_sequences(state: Store, req: FakeRequest, owner: str, slug: str) -> FakeResponse:
    found = _dataset_or_404(state, owner, slug)
    if isinstance(found, FakeResponse):
        return found
    # Like the real list serializer, the frames array is only in the detail response.
    summaries = [{k: v for k, v in s.items() if k != "frames"} for s in _sequences_of(state, found)]
    return cursor_page(req, summaries, state.base_url)


@router.route("GET", "/datasets/{owner}/{slug}/sequences/{sequence_uid}/")
def get_sequence(
    state: Store, req: FakeRequest, owner: str, slug: str, sequence_uid: str
) -> FakeResponse:
    found = _dataset_or_404(state, owner, slug)
    if isinstance(found, FakeResponse):
        return found
    sequence = state.get_where("datasets_sequences", sequence_uid, dataset_uid=found["uid"])
    return ok_or_404(sequence)


def _frame_count(sequence: dict[str, Any]) -> int:
    frames = sequence.get("frames")
    if isinstance(frames, list):
        return len(frames)
    count = sequence.get("number_of_frames")
    return count if isinstance(count, int) else 0


@router.route("GET", "/datasets/{owner}/{slug}/health/")
def dataset_health(state: Store, req: FakeRequest, owner: str, slug: str) -> FakeResponse:
    found = _dataset_or_404(state, owner, slug)
    if isinstance(found, FakeResponse):
        return found
    sequences = _sequences_of(state, found)
    items = _items_of(state, found)
    issues: list[str] = []
    if found.get("status") != "created":
        issues.append(f"dataset status is {found.get('status')!r}, not 'created'")
    health_rows = []
    for seq in sequences:
        frames = _frame_count(seq)
        if frames == 0:
            issues.append(f"sequence {seq.get('key') or seq['uid']} has no frames")
        health_rows.append(
            {
                "uid": seq["uid"],
                "key": seq.get("key"),
                "status": seq.get("status"),
                "frame_count": frames,
                "has_lidar_calibration": bool(seq.get("lidar_calibration_enabled")),
                "has_camera_calibration": bool(seq.get("camera_calibration")),
            }
        )
    if not items and not sequences:
        issues.append("dataset has no items")
    root = storage_root(state, scope_of(found.get("organization_uid")))
    return FakeResponse(
        200,
        {
            "dataset_uid": found["uid"],
            "dataset_slug": found["slug"],
            "dataset_status": found.get("status"),
            "data_type": found.get("data_type") or "image",
            "is_sequence": bool(found.get("is_sequence")),
            "item_count": len(items),
            "sequence_count": len(sequences),
            "total_frames": sum(r["frame_count"] for r in health_rows),
            "s3_prefix": f"{root}/{found['slug']}/",
            "gc_storage_prefix": None,
            "last_updated_at": found.get("updated_at"),
            "sequences": health_rows,
            "ingest_ok": not issues,
            "issues": issues,
        },
    )
