"""Storage configs: list/create/get/delete, the S3 role setup info, and a connection test.

Collection ``storage_configs``; each record keeps the ``organization`` slug it was created
under (from the ``organization`` query parameter, None for personal ones) and its
credentials, which responses never echo. ``?organization=`` filters the list and scopes
``get`` (a config of another owner is 404).
"""

from __future__ import annotations

import hashlib
from typing import Any

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, bad_request, not_found, now_iso
from ._fields import OPTIONAL_TEXT, Errors, Field, field_errors, object_body
from ._standard import Resource, Table, routes

router = Router()

PROVIDERS = ("aws_s3", "gc_storage")
AVALA_AWS_ACCOUNT_ID = "123456789012"
PUBLIC_FIELDS = (
    "uid",
    "name",
    "provider",
    "s3_bucket_name",
    "s3_bucket_region",
    "s3_bucket_prefix",
    "s3_auth_method",
    "s3_is_accelerated",
    "gc_storage_bucket_name",
    "gc_storage_prefix",
    "is_verified",
    "last_verified_at",
    "created_at",
    "updated_at",
)
STRING_FIELDS = (
    "s3_bucket_name",
    "s3_bucket_region",
    "s3_bucket_prefix",
    "s3_auth_method",
    "s3_role_arn",
    "s3_access_key_id",
    "s3_secret_access_key",
    "gc_storage_bucket_name",
    "gc_storage_prefix",
    "gc_storage_auth_json_content",
)
BUCKET_FIELD = {"aws_s3": "s3_bucket_name", "gc_storage": "gc_storage_bucket_name"}


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record[k] for k in PUBLIC_FIELDS if k in record}


def _visible(record: dict[str, Any] | None, organization: str | None) -> bool:
    if record is None:
        return False
    return not organization or record.get("organization") == organization


SPEC = {
    "name": Field(required=True, blank=False),
    "provider": Field(required=True, choices=PROVIDERS),
    **dict.fromkeys(STRING_FIELDS, OPTIONAL_TEXT),
    "s3_is_accelerated": Field("bool", null=True),
}


def _errors(body: dict[str, Any]) -> Errors:
    """DRF-style field errors of a create body, the provider's bucket included."""
    errors = field_errors(SPEC, body)
    provider = body.get("provider")
    bucket = BUCKET_FIELD.get(provider) if isinstance(provider, str) else None
    if bucket and not errors.get(bucket) and not body.get(bucket):
        errors[bucket] = [f"This field is required for provider {provider}."]
    return errors


@router.route("POST", "/storage-configs/")
def create_storage_config(state: Store, req: FakeRequest) -> FakeResponse:
    body = object_body(req)
    if isinstance(body, FakeResponse):
        return body
    errors = _errors(body)
    if errors:
        return bad_request(errors)
    record: dict[str, Any] = {key: body.get(key) for key in STRING_FIELDS}
    record.update(
        name=body["name"],
        provider=body["provider"],
        s3_is_accelerated=bool(body.get("s3_is_accelerated")),
        is_verified=False,
        last_verified_at=None,
        organization=req.q("organization") or None,
    )
    return FakeResponse(201, _public(state.create("storage_configs", record)))


@router.route("GET", "/storage-configs/setup-info/")
def setup_info(state: Store, req: FakeRequest) -> FakeResponse:
    owner = req.q("organization") or "fake-user"
    external_id = hashlib.sha256(f"avala-external:{owner}".encode()).hexdigest()[:32]
    return FakeResponse(
        200, {"avala_aws_account_id": AVALA_AWS_ACCOUNT_ID, "external_id": external_id}
    )


@router.route("POST", "/storage-configs/{uid}/test/")
def test_storage_config(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    config = state.get("storage_configs", uid)
    if config is None:
        return not_found()
    bucket_field = BUCKET_FIELD.get(str(config.get("provider")), "s3_bucket_name")
    bucket = config.get(bucket_field)
    ok = bool(bucket)
    state.update("storage_configs", uid, {"is_verified": ok, "last_verified_at": now_iso()})
    message = f"Connected to bucket {bucket}." if ok else "No bucket configured."
    return FakeResponse(200, {"success": ok, "message": message})


@router.route("GET", "/storage-configs/{uid}/")
def get_storage_config(state: Store, req: FakeRequest, uid: str) -> FakeResponse:
    config = state.get("storage_configs", uid)
    if not _visible(config, req.q("organization")):
        return not_found()
    assert config is not None
    return FakeResponse(200, _public(config))


CONFIG = Resource("storage_configs", filters={"organization": "organization"}, view=_public)
STANDARD: Table = routes("storage_configs", CONFIG, "list", "delete")
