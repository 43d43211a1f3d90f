"""Models of datasets: frozen, slotted, decoded by ``avala._decode``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

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
    """A dataset: a named, owned collection of items or sequences."""

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
    """One item (file) of a dataset, with its URLs, metadata and annotations."""

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
    """A sequence of a dataset; the detail response embeds its ``frames``."""

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
    """A 3-D position."""

    x: float
    y: float
    z: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Quat:
    """A rotation as a quaternion (x, y, z, w)."""

    x: float
    y: float
    z: float
    w: float


@dataclass(frozen=True, slots=True, kw_only=True)
class FrameImage:
    """One camera image of a frame, with the camera's pose and intrinsics."""

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
    """One frame of a sequence, built client-side by ``datasets.get_frame``; ``raw`` is the
    frame object exactly as the API sent it."""

    frame_index: int
    key: str | None = None
    model: str | None = None
    camera_model: str | None = None
    xi: float | None = None
    alpha: float | None = None
    device_position: Vec3 | None = None
    device_heading: Quat | None = None
    images: tuple[FrameImage, ...] | None = None
    raw: JsonObject = field(default_factory=JsonObject)


@dataclass(frozen=True, slots=True, kw_only=True)
class CameraCalibration:
    """One camera of a sequence's rig, built client-side from an image of its first frame."""

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
    """The camera rig of a sequence, built client-side by ``datasets.get_calibration``
    (``dataset_level_camera_calibration`` is not filled in by it)."""

    sequence_uid: str
    cameras: tuple[CameraCalibration, ...] = ()
    dataset_level_camera_calibration: JsonObject | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SequenceHealth:
    """Ingest health of one sequence, part of ``DatasetHealth``."""

    uid: str
    key: str | None = None
    status: str | None = None
    frame_count: int = 0
    has_lidar_calibration: bool = False
    has_camera_calibration: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class DatasetHealth:
    """Post-ingest health snapshot of a dataset: counts, storage prefixes, issues."""

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
