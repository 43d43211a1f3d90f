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
    """StorageConfig as the API returns it."""

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
    """StorageConfigSetupInfo as the API returns it."""

    avala_aws_account_id: str
    external_id: str
