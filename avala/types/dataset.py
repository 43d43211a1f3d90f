"""Models of datasets: frozen, slotted, decoded by ``avala._decode``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pyrsistent import pmap

from avala.types._common import JsonObject

__all__ = [
    "CameraCalibration",
    "Dataset",
    "DatasetCalibration",
    "DatasetFrame",
    "DatasetHealth",
    "DatasetItem",
    "DatasetSequence",
    "FrameImage",
    "Quat",
    "SequenceHealth",
    "Vec3",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Dataset:
    """Dataset as the API returns it."""

    uid: str
    name: str
    slug: str
    item_count: int = 0
    owner_name: str | None = None
    status: str | None = None
    data_type: str | None = None
    is_sequence: bool | None = None
    predefined_labels: tuple[JsonObject, ...] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DatasetItem:
    """DatasetItem as the API returns it."""

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


@dataclass(frozen=True, slots=True, kw_only=True)
class DatasetSequence:
    """DatasetSequence as the API returns it."""

    uid: str
    is_hidden: bool = False
    key: str | None = None
    custom_uuid: str | None = None
    status: str | None = None
    featured_image: str | None = None
    number_of_frames: int | None = None
    views: tuple[JsonObject, ...] | None = None
    crop_data: JsonObject | None = None
    predefined_labels: tuple[JsonObject, ...] | None = None
    frames: tuple[JsonObject, ...] | None = None
    metrics: JsonObject | None = None
    dataset_uid: str | None = None
    dataset_data_type: str | None = None
    device_id: str | None = None
    allow_lidar_calibration: bool | None = None
    lidar_calibration_enabled: bool | None = None
    camera_calibration_enabled: bool | None = None
    camera_calibration: tuple[JsonObject, ...] | None = None
    coc_timeline: tuple[JsonObject, ...] | None = None
    is_workflow_terminal: bool | None = None
    sequence_status_workflow: JsonObject | None = None
    sequence_deliverable_workflow: JsonObject | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Vec3:
    """Vec3 as the API returns it."""

    x: float
    y: float
    z: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Quat:
    """Quat as the API returns it."""

    x: float
    y: float
    z: float
    w: float


@dataclass(frozen=True, slots=True, kw_only=True)
class FrameImage:
    """FrameImage as the API returns it."""

    image_url: str | None = None
    position: Vec3 | None = None
    heading: Quat | None = None
    width: int | None = None
    height: int | None = None
    fx: float | None = None
    fy: float | None = None
    cx: float | None = None
    cy: float | None = None
    model: str | None = None
    camera_model: str | None = None
    xi: float | None = None
    alpha: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DatasetFrame:
    """DatasetFrame as the API returns it.

    Note: client-built (get_frame); raw keeps the untouched frame dict.
    """

    frame_index: int
    key: str | None = None
    model: str | None = None
    camera_model: str | None = None
    xi: float | None = None
    alpha: float | None = None
    device_position: Vec3 | None = None
    device_heading: Quat | None = None
    images: tuple[FrameImage, ...] | None = None
    raw: JsonObject = field(default_factory=pmap)


@dataclass(frozen=True, slots=True, kw_only=True)
class CameraCalibration:
    """CameraCalibration as the API returns it.

    Note: client-built (get_calibration) from frames[0].images entries; camera_id from
    camera|camera_id|sensor_id.
    """

    camera_id: str | None = None
    position: Vec3 | None = None
    heading: Quat | None = None
    width: int | None = None
    height: int | None = None
    fx: float | None = None
    fy: float | None = None
    cx: float | None = None
    cy: float | None = None
    model: str | None = None
    xi: float | None = None
    alpha: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DatasetCalibration:
    """DatasetCalibration as the API returns it.

    Note: client-built; dataset_level_camera_calibration never populated by the SDK.
    """

    sequence_uid: str
    cameras: tuple[CameraCalibration, ...] = ()
    dataset_level_camera_calibration: JsonObject | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SequenceHealth:
    """SequenceHealth as the API returns it."""

    uid: str
    key: str | None = None
    status: str | None = None
    frame_count: int = 0
    has_lidar_calibration: bool = False
    has_camera_calibration: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class DatasetHealth:
    """DatasetHealth as the API returns it."""

    dataset_uid: str
    dataset_slug: str
    dataset_status: str | None = None
    data_type: str
    is_sequence: bool
    item_count: int = 0
    sequence_count: int = 0
    total_frames: int = 0
    s3_prefix: str | None = None
    gc_storage_prefix: str | None = None
    last_updated_at: datetime | None = None
    sequences: tuple[SequenceHealth, ...] = ()
    ingest_ok: bool = False
    issues: tuple[str, ...] = ()
