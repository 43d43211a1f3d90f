"""Models of storage configs: frozen, slotted, decoded by ``avala._decode``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "StorageConfig",
    "StorageConfigSetupInfo",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class StorageConfig:
    """A customer-owned S3 or Google Cloud Storage bucket Avala reads from (no secrets)."""

    uid: str
    name: str
    provider: str
    s3_bucket_name: str | None = None
    s3_bucket_region: str | None = None
    s3_bucket_prefix: str | None = None
    s3_auth_method: str | None = None
    s3_is_accelerated: bool = False
    gc_storage_bucket_name: str | None = None
    gc_storage_prefix: str | None = None
    is_verified: bool = False
    last_verified_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StorageConfigSetupInfo:
    """What to put in an S3 role's trust policy so Avala can assume it."""

    avala_aws_account_id: str
    external_id: str
