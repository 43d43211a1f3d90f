"""Models of slices: frozen, slotted, decoded by ``avala._decode``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from avala.types._common import JsonObject

__all__ = [
    "Slice",
    "SliceItem",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Slice:
    """A slice: a saved subset of items drawn from one or more datasets."""

    uid: str
    name: str
    slug: str | None = None
    owner_name: str | None = None
    organization: JsonObject | None = None
    visibility: str | None = None
    status: str | None = None
    item_count: int | None = None
    sub_slices: tuple[JsonObject, ...] | None = None
    source_data: Any | None = None
    featured_slice_item_urls: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SliceItem:
    """One item of a slice (a dataset item seen through the slice)."""

    id: int | None = None
    uid: str
    is_hidden: bool = False
    key: str | None = None
    dataset: str | None = None
    dataset_owner_name: str | None = None
    dataset_slug: str | None = None
    url: str | None = None
    gpu_texture_url: str | None = None
    thumbnails: tuple[str, ...] | None = None
    video_thumbnail: str | None = None
    metadata: JsonObject | None = None
    export_snippet: JsonObject | None = None
    annotations: JsonObject | None = None
    crop_data: JsonObject | None = None
    related_items: tuple[JsonObject, ...] | None = None
    related_sequence_uid: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
