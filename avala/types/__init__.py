"""The models responses decode into: frozen, slotted dataclasses holding tuples."""

from avala.types._common import CursorPage, JsonObject
from avala.types.dataset import (
    CameraCalibration,
    Dataset,
    DatasetCalibration,
    DatasetFrame,
    DatasetHealth,
    DatasetItem,
    DatasetSequence,
    FrameImage,
    Quat,
    SequenceHealth,
    Vec3,
)
from avala.types.export import Export
from avala.types.project import Project
from avala.types.task import Task

__all__ = [
    "CameraCalibration",
    "CursorPage",
    "Dataset",
    "DatasetCalibration",
    "DatasetFrame",
    "DatasetHealth",
    "DatasetItem",
    "DatasetSequence",
    "Export",
    "FrameImage",
    "JsonObject",
    "Project",
    "Quat",
    "SequenceHealth",
    "Task",
    "Vec3",
]
