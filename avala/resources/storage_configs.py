"""Customer-owned storage buckets (S3 or Google Cloud Storage) Avala reads data from."""

from __future__ import annotations

from avala._decode import model, nothing, page, raw
from avala._request import Call
from avala.resources._base import api, compact
from avala.resources._checks import optional_bool, optional_str, page_query, required_str
from avala.types import CursorPage, JsonObject, StorageConfig, StorageConfigSetupInfo


class StorageConfigs:
    """Builds requests for storage configs; ``client.storage_configs``."""

    def list(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        organization: str | None = None,
    ) -> Call[CursorPage[StorageConfig]]:
        """One page of storage configs, optionally only those of one organization (slug)."""
        query = {
            **page_query(limit, cursor),
            "organization": optional_str("organization", organization),
        }
        return api("storage_configs.list", page(StorageConfig), query=query)

    def create(
        self,
        *,
        name: str,
        provider: str,
        organization: str | None = None,
        s3_bucket_name: str | None = None,
        s3_bucket_region: str | None = None,
        s3_bucket_prefix: str | None = None,
        s3_auth_method: str | None = None,
        s3_role_arn: str | None = None,
        s3_access_key_id: str | None = None,
        s3_secret_access_key: str | None = None,
        s3_is_accelerated: bool | None = None,
        gc_storage_bucket_name: str | None = None,
        gc_storage_prefix: str | None = None,
        gc_storage_auth_json_content: str | None = None,
    ) -> Call[StorageConfig]:
        """Register a bucket; ``organization`` (a slug) travels in the query string."""
        strings = {
            "s3_bucket_name": s3_bucket_name,
            "s3_bucket_region": s3_bucket_region,
            "s3_bucket_prefix": s3_bucket_prefix,
            "s3_auth_method": s3_auth_method,
            "s3_role_arn": s3_role_arn,
            "s3_access_key_id": s3_access_key_id,
            "s3_secret_access_key": s3_secret_access_key,
            "gc_storage_bucket_name": gc_storage_bucket_name,
            "gc_storage_prefix": gc_storage_prefix,
            "gc_storage_auth_json_content": gc_storage_auth_json_content,
        }
        body = {
            "name": required_str("name", name),
            "provider": required_str("provider", provider),
            **compact(
                **{key: optional_str(key, value) for key, value in strings.items()},
                s3_is_accelerated=optional_bool("s3_is_accelerated", s3_is_accelerated),
            ),
        }
        query = {"organization": optional_str("organization", organization)}
        return api("storage_configs.create", model(StorageConfig), query=query, body=body)

    def setup_info(self, *, organization: str | None = None) -> Call[StorageConfigSetupInfo]:
        """The AWS account id and external id to trust for role-based S3 access."""
        query = {"organization": optional_str("organization", organization)}
        return api("storage_configs.setup_info", model(StorageConfigSetupInfo), query=query)

    def test(self, uid: str) -> Call[JsonObject]:
        """Have the server try the bucket; the answer is its untyped verdict."""
        return api("storage_configs.test", raw(), path={"uid": uid})

    def get(self, uid: str, *, organization: str | None = None) -> Call[StorageConfig]:
        """One storage config; with ``organization`` (a slug) it must belong to it."""
        query = {"organization": optional_str("organization", organization)}
        return api("storage_configs.get", model(StorageConfig), path={"uid": uid}, query=query)

    def delete(self, uid: str) -> Call[None]:
        """Remove a storage config."""
        return api("storage_configs.delete", nothing(), path={"uid": uid})
