"""Datasets: lookup, creation (direct or from managed uploads), items, sequences, frames,
calibration, health, and waiting for a dataset to finish ingesting."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from returns.result import Failure, Result

from avala._decode import model, page, raw, structure
from avala._request import Call, Request
from avala.errors import AvalaError, DecodeError
from avala.resources._base import StatusIn, api, compact, status_wait
from avala.resources._checks import (
    check_interval,
    non_empty,
    optional_int,
    optional_json_object,
    optional_str,
    optional_uid,
    page_query,
    required_bool,
    required_int,
    required_str,
    sequence,
)
from avala.types import (
    AllowedMimes,
    CameraCalibration,
    CursorPage,
    Dataset,
    DatasetCalibration,
    DatasetFrame,
    DatasetHealth,
    DatasetItem,
    DatasetSequence,
    JsonObject,
    ManualUploadPartGrants,
    UploadQuota,
)
from avala.types._common import to_plain

if TYPE_CHECKING:
    from avala.transfers._dataset_upload import UploadReport

WAIT_MIN_INTERVAL = 1.0
"""``datasets.wait`` never polls more often than this (seconds)."""

FAILURE_MARKERS = ("fail", "error")
"""A dataset status containing one of these (case-insensitive), e.g. ``failed``, ``error``,
``creation_failed``, ``processing_error``, is a failure: ``datasets.wait`` stops on it."""

_FRAME_FIELDS = (
    "key",
    "model",
    "camera_model",
    "xi",
    "alpha",
    "device_position",
    "device_heading",
    "images",
)
_CAMERA_FIELDS = ("position", "heading", "width", "height", "fx", "fy", "cx", "cy", "xi", "alpha")
_CAMERA_ID_KEYS = ("camera", "camera_id", "sensor_id")


def is_failure_status(status: str | None) -> bool:
    """Whether a dataset status means ingest failed (see ``FAILURE_MARKERS``)."""
    folded = (status or "").casefold()
    return any(marker in folded for marker in FAILURE_MARKERS)


def has_failure_status(dataset: Dataset) -> bool:
    """Poll predicate: the dataset stopped in a failure status."""
    return is_failure_status(dataset.status)


@dataclass(frozen=True, slots=True)
class PickFrame:
    """Build the ``DatasetFrame`` at ``index`` out of a sequence's ``frames``."""

    index: int

    def __call__(self, sequence: DatasetSequence) -> Result[DatasetFrame, AvalaError]:
        frames = sequence.frames or ()
        if self.index >= len(frames):
            return Failure(
                DecodeError(
                    f"sequence {sequence.uid} has {len(frames)} frame(s); "
                    f"frame {self.index} does not exist",
                    path="$.frames",
                )
            )
        frame: Any = to_plain(frames[self.index])
        fields = {k: frame[k] for k in _FRAME_FIELDS if k in frame}
        return structure(
            {**fields, "frame_index": self.index, "raw": frame},
            DatasetFrame,
            at=f"$.frames[{self.index}]",
        )


@dataclass(frozen=True, slots=True)
class BuildCalibration:
    """Build a ``DatasetCalibration`` from the images of a sequence's first frame."""

    def __call__(self, sequence: DatasetSequence) -> Result[DatasetCalibration, AvalaError]:
        frames = sequence.frames or ()
        images: Any = to_plain(frames[0]).get("images") if frames else None
        if images is None:
            images = []
        if not isinstance(images, list):
            return Failure(DecodeError("frame images is not an array", path="$.frames[0].images"))
        cameras: list[dict[str, Any]] = []
        for image in images:
            if not isinstance(image, dict):
                cameras.append(image)  # let the decoder name the bad entry
                continue
            camera = {k: image[k] for k in _CAMERA_FIELDS if k in image}
            camera_id = next((image[k] for k in _CAMERA_ID_KEYS if image.get(k) is not None), None)
            if isinstance(camera_id, int) and not isinstance(camera_id, bool):
                camera_id = str(camera_id)
            camera["camera_id"] = camera_id
            camera["model"] = image.get("model") or image.get("camera_model")
            cameras.append(camera)
        decoded = structure(
            cameras, tuple[CameraCalibration, ...], at="$.frames[0].images", name="cameras"
        )
        return decoded.map(lambda cams: DatasetCalibration(sequence_uid=sequence.uid, cameras=cams))


def _dataset_name(name: str, value: object) -> str:
    """A dataset name, which also names the upload prefix: a non-empty str."""
    text = required_str(name, value)
    if not text.strip():
        raise ValueError(f"{name} must not be empty")
    return text


@dataclass(frozen=True, slots=True)
class _WaitFor:
    """``datasets.wait`` on the dataset a step made."""

    datasets: Datasets
    interval: float
    timeout: float

    def __call__(self, dataset: Dataset) -> Request[Dataset]:
        return self.datasets.wait(dataset.uid, interval=self.interval, timeout=self.timeout)


class Datasets:
    """Builds requests for datasets; ``client.datasets``."""

    def list(
        self,
        *,
        data_type: str | None = None,
        name: str | None = None,
        status: str | None = None,
        visibility: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Call[CursorPage[Dataset]]:
        """One page of datasets, optionally filtered."""
        query = {
            "data_type": optional_str("data_type", data_type),
            "name": optional_str("name", name),
            "status": optional_str("status", status),
            "visibility": optional_str("visibility", visibility),
            **page_query(limit, cursor),
        }
        return api("datasets.list", page(Dataset), query=query)

    def get(self, uid: str) -> Call[Dataset]:
        """One dataset by uid."""
        return api("datasets.get", model(Dataset), path={"uid": uid})

    def get_by_slug(self, owner: str, slug: str) -> Call[Dataset]:
        """One dataset by its owner (user or organization) and slug."""
        return api("datasets.get_by_slug", model(Dataset), path={"owner": owner, "slug": slug})

    def transfer(
        self,
        owner: str,
        slug: str,
        *,
        organization_uid: str | None = None,
        owner_username: str | None = None,
    ) -> Call[Dataset]:
        """Move a dataset to an organization or to a user: give exactly one of the two."""
        optional_uid("organization_uid", organization_uid)
        optional_str("owner_username", owner_username)
        if (organization_uid is None) == (owner_username is None):
            raise ValueError("give exactly one of organization_uid or owner_username")
        body = compact(organization_uid=organization_uid, owner_username=owner_username)
        return api(
            "datasets.transfer", model(Dataset), path={"owner": owner, "slug": slug}, body=body
        )

    def create(
        self,
        *,
        name: str,
        slug: str,
        data_type: str,
        visibility: str = "private",
        create_metadata: bool = True,
        provider_config: Mapping[str, Any] | None = None,
        owner_name: str | None = None,
        organization_id: int | None = None,
        organization_uid: str | None = None,
        gpu_texture_format: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        industry: int | None = None,
        license: int | None = None,
    ) -> Call[Dataset]:
        """Register a dataset; ``provider_config`` points it at your own bucket."""
        body = {
            "name": required_str("name", name),
            "slug": required_str("slug", slug),
            "data_type": required_str("data_type", data_type),
            "visibility": required_str("visibility", visibility),
            "create_metadata": required_bool("create_metadata", create_metadata),
            **compact(
                provider_config=optional_json_object("provider_config", provider_config),
                owner_name=optional_str("owner_name", owner_name),
                organization_id=optional_int("organization_id", organization_id),
                organization_uid=optional_uid("organization_uid", organization_uid),
                gpu_texture_format=optional_str("gpu_texture_format", gpu_texture_format),
                metadata=optional_json_object("metadata", metadata),
                industry=optional_int("industry", industry),
                license=optional_int("license", license),
            ),
        }
        return api("datasets.create", model(Dataset), body=body)

    def create_manual_upload_url(
        self,
        *,
        dataset_name: str,
        file_path_in_dataset: str,
        content_length: int,
        organization_uid: str | None = None,
        dataset_upload_uid: str | None = None,
    ) -> Call[JsonObject]:
        """Presign one file for a managed upload; the answer is the untyped upload descriptor.

        With ``dataset_upload_uid`` the v2 protocol is asked for (PUT or multipart uploads).
        """
        body = {
            "dataset_name": required_str("dataset_name", dataset_name),
            "file_path_in_dataset": required_str("file_path_in_dataset", file_path_in_dataset),
            "content_length": required_int("content_length", content_length, minimum=0),
            **compact(
                upload_protocol_version=None if dataset_upload_uid is None else 2,
                dataset_upload_uid=optional_uid("dataset_upload_uid", dataset_upload_uid),
                organization_uid=optional_uid("organization_uid", organization_uid),
            ),
        }
        return api("datasets.create_manual_upload_url", raw(), body=body)

    def manual_upload_quota(self, *, organization_uid: str | None = None) -> Call[UploadQuota]:
        """Managed-upload storage used and allowed, for the caller or an organization."""
        query = {"organization_uid": optional_uid("organization_uid", organization_uid)}
        return api("datasets.manual_upload_quota", model(UploadQuota), query=query)

    def manual_upload_allowed_mimes(self) -> Call[AllowedMimes]:
        """The MIME types managed uploads accept (advisory)."""
        return api("datasets.manual_upload_allowed_mimes", model(AllowedMimes))

    def create_from_manual_upload(
        self,
        *,
        name: str,
        slug: str,
        data_type: str,
        visibility: str = "private",
        create_metadata: bool = True,
        owner_name: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        industry: int | None = None,
        license: int | None = None,
        organization_uid: str | None = None,
        dataset_upload_uid: str | None = None,
    ) -> Call[Dataset]:
        """Create a dataset from files uploaded through presigned URLs.

        ``organization_uid`` and ``dataset_upload_uid`` must be the ones used to presign.
        """
        body = {
            "name": required_str("name", name),
            "slug": required_str("slug", slug),
            "data_type": required_str("data_type", data_type),
            "visibility": required_str("visibility", visibility),
            "create_metadata": required_bool("create_metadata", create_metadata),
            **compact(
                owner_name=optional_str("owner_name", owner_name),
                metadata=optional_json_object("metadata", metadata),
                industry=optional_int("industry", industry),
                license=optional_int("license", license),
                organization_uid=optional_uid("organization_uid", organization_uid),
                dataset_upload_uid=optional_uid("dataset_upload_uid", dataset_upload_uid),
            ),
        }
        return api("datasets.create_from_manual_upload", model(Dataset), body=body)

    def manual_upload_parts(
        self, upload_uid: str, *, part_numbers: Sequence[int]
    ) -> Call[ManualUploadPartGrants]:
        """Signed PUT targets for parts (numbered from 1) of a v2 MULTIPART upload session."""
        numbers = sequence("part_numbers", part_numbers)
        body = {
            "part_numbers": non_empty(
                "part_numbers",
                [required_int(f"part_numbers[{i}]", n, minimum=1) for i, n in enumerate(numbers)],
            )
        }
        path = {"upload_uid": upload_uid}
        return api(
            "datasets.manual_upload_parts", model(ManualUploadPartGrants), path=path, body=body
        )

    def manual_upload_complete(self, upload_uid: str) -> Call[Any]:
        """Close a v2 upload session: the server checks every byte is stored (and assembles
        a multipart object). The answer is untyped (None for an empty body)."""
        path = {"upload_uid": upload_uid}
        return api("datasets.manual_upload_complete", raw(), path=path, body={})

    def upload_files(
        self,
        *,
        dataset_name: str,
        files: Sequence[tuple[str | os.PathLike[str], str]],
        workers: int = 8,
        organization_uid: str | None = None,
        resume: bool = True,
    ) -> Request[UploadReport]:
        """Upload local files to the managed storage of dataset ``dataset_name``, each
        ``(local_path, path_in_dataset)``, at most ``workers`` transfers at a time.

        Resumable: progress is journaled under the state directory (``AVALA_STATE_DIR``),
        keyed by API, owner and dataset name, so a rerun, even after ``kill -9`` or with a
        rotated key, sends only what is missing; ``resume=False`` starts a fresh batch.
        Bad arguments (no files, duplicate or invalid dataset paths, ``workers < 1``) raise
        here; a file that is missing, unreadable or refused is a ``LocalFileError``
        Failure, before anything is sent. See docs/uploading.md.
        """
        from avala.transfers import _dataset_upload
        from avala.transfers._scan import check_files, check_workers

        return _dataset_upload.upload_files(
            self,
            dataset_name=_dataset_name("dataset_name", dataset_name),
            entries=check_files(files),
            workers=check_workers(workers),
            organization_uid=optional_uid("organization_uid", organization_uid),
            resume=required_bool("resume", resume),
        )

    def create_from_local(
        self,
        *,
        source: str | os.PathLike[str],
        name: str,
        slug: str,
        data_type: str,
        visibility: str = "private",
        workers: int = 8,
        wait: bool = False,
        resume: bool = True,
        check_quota: bool = True,
        organization_uid: str | None = None,
        create_metadata: bool = True,
        owner_name: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        industry: int | None = None,
        license: int | None = None,
        wait_interval: float = 10.0,
        wait_timeout: float = 3600.0,
    ) -> Request[Dataset]:
        """Upload a file or a directory tree and create dataset ``name`` from it.

        The tree is uploaded as by ``upload_files`` (dataset paths relative to
        ``source``; symlinks to files inside the tree are followed, any other is
        refused). With ``check_quota``, the storage quota is read first and the run
        refused (``QuotaExceededError``, nothing sent) when the bytes it must newly
        reserve exceed ``limit - used`` (files an interrupted run of this batch already
        presigned hold their reservation in ``used`` and are not counted again); a quota
        that cannot be read skips the check, and the server's 413 still applies. The
        dataset is created only after every byte is stored, once: the create call
        carries an idempotency key derived from the batch, and a rerun after it succeeded
        returns the same dataset. ``wait=True`` then waits with ``datasets.wait``.
        """
        from avala.transfers import _dataset_upload
        from avala.transfers._scan import check_source, check_workers

        create = partial(
            self.create_from_manual_upload,
            name=name,
            slug=slug,
            data_type=data_type,
            visibility=visibility,
            create_metadata=create_metadata,
            owner_name=owner_name,
            metadata=metadata,
            industry=industry,
            license=license,
            organization_uid=organization_uid,
        )
        create(dataset_upload_uid=None)  # checks every field now, at build time
        waiting = None
        if required_bool("wait", wait):
            interval = check_interval("wait_interval", wait_interval, WAIT_MIN_INTERVAL)
            timeout = check_interval("wait_timeout", wait_timeout, 0.0, allow_inf=True)
            waiting = _WaitFor(self, interval, timeout)
        return _dataset_upload.create_from_local(
            self,
            source=check_source(source),
            dataset_name=_dataset_name("name", name),
            create=lambda batch: create(dataset_upload_uid=batch),
            workers=check_workers(workers),
            organization_uid=optional_uid("organization_uid", organization_uid),
            resume=required_bool("resume", resume),
            check_quota=required_bool("check_quota", check_quota),
            wait=waiting,
        )

    def list_items(
        self, owner: str, slug: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Call[CursorPage[DatasetItem]]:
        """One page of a dataset's items."""
        return api(
            "datasets.list_items",
            page(DatasetItem),
            path={"owner": owner, "slug": slug},
            query=page_query(limit, cursor),
        )

    def get_item(self, owner: str, slug: str, item_uid: str) -> Call[DatasetItem]:
        """One item of a dataset."""
        path = {"owner": owner, "slug": slug, "item_uid": item_uid}
        return api("datasets.get_item", model(DatasetItem), path=path)

    def list_sequences(
        self, owner: str, slug: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Call[CursorPage[DatasetSequence]]:
        """One page of a dataset's sequences."""
        return api(
            "datasets.list_sequences",
            page(DatasetSequence),
            path={"owner": owner, "slug": slug},
            query=page_query(limit, cursor),
        )

    def get_sequence(self, owner: str, slug: str, sequence_uid: str) -> Call[DatasetSequence]:
        """One sequence of a dataset, with its frames."""
        path = {"owner": owner, "slug": slug, "sequence_uid": sequence_uid}
        return api("datasets.get_sequence", model(DatasetSequence), path=path)

    def get_frame(
        self, owner: str, slug: str, sequence_uid: str, frame_idx: int
    ) -> Request[DatasetFrame]:
        """Frame ``frame_idx`` of a sequence, picked out of one GET of the sequence.

        A frame past the end is a ``DecodeError`` Failure; a negative index a ValueError.
        """
        index = required_int("frame_idx", frame_idx, minimum=0)
        path = {"owner": owner, "slug": slug, "sequence_uid": sequence_uid}
        sequence = api("datasets.get_frame", model(DatasetSequence), path=path)
        return sequence.bind_result(PickFrame(index))

    def get_calibration(
        self, owner: str, slug: str, sequence_uid: str
    ) -> Request[DatasetCalibration]:
        """A sequence's camera rig, one entry per image of its first frame (one GET)."""
        path = {"owner": owner, "slug": slug, "sequence_uid": sequence_uid}
        sequence = api("datasets.get_calibration", model(DatasetSequence), path=path)
        return sequence.bind_result(BuildCalibration())

    def get_health(self, owner: str, slug: str) -> Call[DatasetHealth]:
        """Post-ingest health of a dataset: counts, per-sequence checks and issues."""
        path = {"owner": owner, "slug": slug}
        return api("datasets.get_health", model(DatasetHealth), path=path)

    def wait(
        self,
        uid: str,
        *,
        status: str = "created",
        interval: float = 10.0,
        timeout: float = 3600.0,
    ) -> Request[Dataset]:
        """Poll the dataset until its status is ``status``; intervals under 1 s are raised to 1 s.

        A status containing "fail" or "error" (``failed``, ``error``, ``creation_failed`` ...)
        ends the wait as a ``TerminalStatusError`` Failure holding the dataset, unless it is
        the target itself; ``timeout`` seconds without either is a ``WaitTimeoutError``.
        Each poll emits an ``avala.events.PollTick`` (``client.run(..., on_event=)``).
        """
        target = required_str("status", status)
        return status_wait(
            self.get(uid),
            StatusIn(frozenset({target})),
            has_failure_status,
            interval=interval,
            timeout=timeout,
            min_interval=WAIT_MIN_INTERVAL,
        )
