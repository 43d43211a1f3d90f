"""Customer-owned storage buckets."""

from __future__ import annotations


class StorageConfigs:
    """Builds requests for storage configs; ``client.storage_configs``."""
