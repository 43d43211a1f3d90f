"""datasets: every endpoint beyond list/get, against FakeAvala over real HTTP."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import pytest
import requests
from pyrsistent import freeze
from returns.result import Success

from avala import Client
from avala.errors import (
    DecodeError,
    FieldError,
    NotFoundError,
    QuotaExceededError,
    TerminalStatusError,
    ValidationError,
    WaitTimeoutError,
)
from avala.events import Event
from avala.resources import Datasets
from avala.testing import FakeAvala
from avala.types import (
    AllowedMimes,
    CameraCalibration,
    Dataset,
    DatasetCalibration,
    DatasetFrame,
    DatasetItem,
    FrameImage,
    Quat,
    SequenceHealth,
    UploadQuota,
    Vec3,
)


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _only_request(fake: FakeAvala) -> Any:
    assert len(fake.requests) == 1, fake.requests
    return fake.requests[0]


def _field_names(error: object) -> set[str]:
    assert isinstance(error, ValidationError), error
    return {d.field for d in error.details}


@pytest.fixture
def cars(fake: FakeAvala) -> dict[str, Any]:
    return fake.add_dataset(name="Cars", slug="cars", owner_name="acme", item_count=3)


FRAME_0 = {
    "key": "frame-000",
    "model": "pinhole",
    "device_position": {"x": 1.0, "y": 2.0, "z": 3},
    "device_heading": {"x": 0, "y": 0, "z": 0, "w": 1.0},
    "timestamp": 1700000000.5,
    "images": [
        {
            "image_url": "https://img.example/front.jpg",
            "camera": "front",
            "position": {"x": 0.1, "y": 0.2, "z": 1.5},
            "heading": {"x": 0.0, "y": 0.0, "z": 0.7, "w": 0.7},
            "width": 1920,
            "height": 1080,
            "fx": 1000.0,
            "fy": 1001.0,
            "cx": 960.0,
            "cy": 540.0,
            "model": "pinhole",
        },
        {
            "image_url": "https://img.example/rear.jpg",
            "sensor_id": 7,
            "width": 1280,
            "height": 720,
            "camera_model": "fisheye",
            "xi": 0.5,
            "alpha": 0.2,
        },
    ],
}
FRAME_1 = {
    "key": "frame-001",
    "camera_model": "mei",
    "xi": 0.9,
    "images": [{"image_url": "https://img.example/front-1.jpg", "camera_id": "front"}],
}


@pytest.fixture
def drive(fake: FakeAvala, cars: dict[str, Any]) -> dict[str, Any]:
    return fake.store.insert(
        "datasets_sequences",
        {
            "uid": "seq-1",
            "key": "drive-1",
            "status": "ready",
            "dataset_uid": cars["uid"],
            "number_of_frames": 2,
            "frames": [FRAME_0, FRAME_1],
            "camera_calibration": [{"camera": "front"}],
        },
    )


# --- get_by_slug ---------------------------------------------------------------------------


def test_get_by_slug(client: Client, fake: FakeAvala, cars: dict[str, Any]) -> None:
    fake.add_dataset(name="Other cars", slug="cars", owner_name="someone-else")

    result = client.run(client.datasets.get_by_slug("acme", "cars"))

    sent = _only_request(fake)
    assert (sent.method, sent.path, sent.query, sent.body) == (
        "GET",
        "/datasets/acme/cars/",
        {},
        None,
    )
    assert result.unwrap() == Dataset(
        uid=cars["uid"],
        name="Cars",
        slug="cars",
        item_count=3,
        owner_name="acme",
        status="created",
        data_type="image",
        is_sequence=False,
        created_at=_dt(cars["created_at"]),
        updated_at=_dt(cars["updated_at"]),
    )


def test_get_by_slug_unknown_or_other_owner_is_404(
    client: Client, fake: FakeAvala, cars: dict[str, Any]
) -> None:
    assert isinstance(
        client.run(client.datasets.get_by_slug("acme", "bikes")).failure(), NotFoundError
    )
    assert isinstance(
        client.run(client.datasets.get_by_slug("bob", "cars")).failure(), NotFoundError
    )


def test_get_by_slug_percent_encodes_path(client: Client, fake: FakeAvala) -> None:
    fake.add_dataset(slug="a?b", owner_name="o/x")

    result = client.run(client.datasets.get_by_slug("o/x", "a?b"))

    assert fake.requests[-1].path == "/datasets/o%2Fx/a%3Fb/"
    assert result.unwrap().slug == "a?b"


# --- transfer ------------------------------------------------------------------------------------


def test_transfer_to_organization(client: Client, fake: FakeAvala, cars: dict[str, Any]) -> None:
    fake.store.insert("organizations", {"uid": "org-1", "name": "Acme Org", "slug": "acme-org"})

    result = client.run(client.datasets.transfer("acme", "cars", organization_uid="org-1"))

    sent = _only_request(fake)
    assert (sent.method, sent.path, sent.body) == (
        "POST",
        "/datasets/acme/cars/transfer/",
        {"organization_uid": "org-1"},
    )
    moved = result.unwrap()
    assert (moved.uid, moved.owner_name, moved.slug) == (cars["uid"], "acme-org", "cars")
    # The dataset now lives under its new owner only.
    assert isinstance(
        client.run(client.datasets.get_by_slug("acme", "cars")).failure(), NotFoundError
    )
    assert client.run(client.datasets.get_by_slug("acme-org", "cars")).unwrap().uid == cars["uid"]


def test_transfer_to_user(client: Client, fake: FakeAvala, cars: dict[str, Any]) -> None:
    result = client.run(client.datasets.transfer("acme", "cars", owner_username="bob"))

    assert fake.requests[-1].body == {"owner_username": "bob"}
    assert result.unwrap().owner_name == "bob"


def test_transfer_unknown_organization_is_400(
    client: Client, fake: FakeAvala, cars: dict[str, Any]
) -> None:
    result = client.run(client.datasets.transfer("acme", "cars", organization_uid="nope"))

    assert _field_names(result.failure()) == {"organization_uid"}


def test_transfer_unknown_dataset_is_404(client: Client, fake: FakeAvala) -> None:
    result = client.run(client.datasets.transfer("acme", "ghost", owner_username="bob"))
    assert isinstance(result.failure(), NotFoundError)


@pytest.mark.parametrize("kwargs", [{}, {"organization_uid": "org-1", "owner_username": "bob"}])
def test_transfer_needs_exactly_one_destination(kwargs: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Datasets().transfer("acme", "cars", **kwargs)


# --- create --------------------------------------------------------------------------------------


def test_create_sends_defaults_and_optionals(client: Client, fake: FakeAvala) -> None:
    result = client.run(
        client.datasets.create(
            name="Roads",
            slug="roads",
            data_type="image",
            metadata={"source": "dashcam"},
            industry=3,
            provider_config={"provider": "aws_s3", "s3_bucket_name": "b"},
        )
    )

    sent = _only_request(fake)
    assert (sent.method, sent.path, sent.query) == ("POST", "/datasets/", {})
    assert sent.body == {
        "name": "Roads",
        "slug": "roads",
        "data_type": "image",
        "visibility": "private",
        "create_metadata": True,
        "metadata": {"source": "dashcam"},
        "industry": 3,
        "provider_config": {"provider": "aws_s3", "s3_bucket_name": "b"},
    }
    dataset = result.unwrap()
    assert (dataset.name, dataset.slug, dataset.owner_name) == ("Roads", "roads", "fake-user")
    assert (dataset.status, dataset.item_count, dataset.data_type) == ("creating", 0, "image")
    assert fake.store.create_count["datasets"] == 1
    # The created dataset is reachable both ways.
    assert client.run(client.datasets.get_by_slug("fake-user", "roads")).unwrap().uid == dataset.uid


def test_create_for_organization_with_explicit_visibility(client: Client, fake: FakeAvala) -> None:
    fake.store.insert("organizations", {"uid": "org-9", "slug": "nine"})

    result = client.run(
        client.datasets.create(
            name="Scans",
            slug="scans",
            data_type="lidar",
            visibility="public",
            create_metadata=False,
            organization_uid="org-9",
            organization_id=9,
        )
    )

    assert fake.requests[-1].body == {
        "name": "Scans",
        "slug": "scans",
        "data_type": "lidar",
        "visibility": "public",
        "create_metadata": False,
        "organization_uid": "org-9",
        "organization_id": 9,
    }
    assert result.unwrap().owner_name == "nine"


def test_create_rejected_fields_are_400(
    client: Client, fake: FakeAvala, cars: dict[str, Any]
) -> None:
    bad_visibility = client.run(
        client.datasets.create(name="X", slug="x", data_type="image", visibility="secret")
    )
    duplicate = client.run(
        client.datasets.create(name="Cars again", slug="cars", data_type="image", owner_name="acme")
    )

    assert _field_names(bad_visibility.failure()) == {"visibility"}
    assert _field_names(duplicate.failure()) == {"slug"}
    assert fake.store.create_count["datasets"] == 0


def test_create_checks_argument_types() -> None:
    datasets = Datasets()
    with pytest.raises(TypeError, match="name"):
        datasets.create(name=3, slug="s", data_type="image")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="create_metadata"):
        datasets.create(name="n", slug="s", data_type="image", create_metadata="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="industry"):
        datasets.create(name="n", slug="s", data_type="image", industry=True)


# --- managed uploads -----------------------------------------------------------------------------


def test_create_manual_upload_url_v2(client: Client, fake: FakeAvala) -> None:
    result = client.run(
        client.datasets.create_manual_upload_url(
            dataset_name="roads",
            file_path_in_dataset="a/1.jpg",
            content_length=1234,
            dataset_upload_uid="batch-1",
        )
    )

    sent = _only_request(fake)
    assert (sent.method, sent.path) == ("POST", "/datasets/manual-upload/file-upload-url/")
    assert sent.body == {
        "dataset_name": "roads",
        "file_path_in_dataset": "a/1.jpg",
        "content_length": 1234,
        "upload_protocol_version": 2,
        "dataset_upload_uid": "batch-1",
    }
    descriptor = result.unwrap()
    assert descriptor["method"] == "PUT"
    assert descriptor["url"].startswith(fake.objects.base_url + "/")
    assert descriptor["headers"]["If-None-Match"] == "*"
    assert descriptor["complete"] is False
    assert isinstance(descriptor["upload_uid"], str)
    assert descriptor == freeze(descriptor)  # frozen, hashable JSON


def test_create_manual_upload_url_legacy_for_organization(client: Client, fake: FakeAvala) -> None:
    fake.store.insert("organizations", {"uid": "org-1", "slug": "acme-org"})

    result = client.run(
        client.datasets.create_manual_upload_url(
            dataset_name="roads",
            file_path_in_dataset="b.png",
            content_length=0,
            organization_uid="org-1",
        )
    )

    assert fake.requests[-1].body == {
        "dataset_name": "roads",
        "file_path_in_dataset": "b.png",
        "content_length": 0,
        "organization_uid": "org-1",
    }
    descriptor = result.unwrap()
    assert descriptor["method"] == "POST"
    assert descriptor["fields"]["key"] == "__o__=/org-1/roads/b.png"


def test_create_manual_upload_url_over_quota_is_413(client: Client, fake: FakeAvala) -> None:
    fake.store.insert("datasets_quotas", {"uid": "me", "used": 900, "limit": 1000})

    result = client.run(
        client.datasets.create_manual_upload_url(
            dataset_name="roads", file_path_in_dataset="big.bin", content_length=101
        )
    )

    error = result.failure()
    assert isinstance(error, QuotaExceededError)
    assert (error.status_code, error.limit, error.used) == (413, 1000, 900)


def test_create_manual_upload_url_unknown_organization_is_400(
    client: Client, fake: FakeAvala
) -> None:
    result = client.run(
        client.datasets.create_manual_upload_url(
            dataset_name="d", file_path_in_dataset="f", content_length=1, organization_uid="ghost"
        )
    )
    assert _field_names(result.failure()) == {"organization_uid"}


def test_create_manual_upload_url_checks_content_length() -> None:
    datasets = Datasets()
    with pytest.raises(ValueError, match="content_length"):
        datasets.create_manual_upload_url(
            dataset_name="d", file_path_in_dataset="f", content_length=-1
        )
    with pytest.raises(TypeError, match="content_length"):
        datasets.create_manual_upload_url(
            dataset_name="d",
            file_path_in_dataset="f",
            content_length="10",  # type: ignore[arg-type]
        )


def test_manual_upload_quota_for_organization(client: Client, fake: FakeAvala) -> None:
    fake.store.insert("datasets_quotas", {"uid": "org-1", "used": 250, "limit": 1000})

    result = client.run(client.datasets.manual_upload_quota(organization_uid="org-1"))

    sent = _only_request(fake)
    assert (sent.method, sent.path, sent.query) == (
        "GET",
        "/datasets/manual-upload/quota/",
        {"organization_uid": ["org-1"]},
    )
    quota = result.unwrap()
    assert quota == UploadQuota(used=250, limit=1000)
    assert quota.remaining == 750


def test_manual_upload_quota_sends_an_empty_organization_as_given(
    client: Client, fake: FakeAvala
) -> None:
    fake.store.insert("datasets_quotas", {"uid": "me", "used": 5, "limit": 50})
    fake.store.insert("datasets_quotas", {"uid": "org-1", "used": 1, "limit": 2})

    empty = client.run(client.datasets.manual_upload_quota(organization_uid=""))
    none = client.run(client.datasets.manual_upload_quota())

    assert [r.query for r in fake.requests] == [{"organization_uid": [""]}, {}]
    # The fake, like the API, reads an empty organization as the caller's own quota.
    assert empty.unwrap() == none.unwrap() == UploadQuota(used=5, limit=50)


def test_manual_upload_quota_counts_presigned_bytes(client: Client, fake: FakeAvala) -> None:
    fake.store.insert("datasets_quotas", {"uid": "me", "used": 10, "limit": 1000})
    client.run(
        client.datasets.create_manual_upload_url(
            dataset_name="d", file_path_in_dataset="f", content_length=90
        )
    ).unwrap()

    assert client.run(client.datasets.manual_upload_quota()).unwrap() == UploadQuota(
        used=100, limit=1000
    )


def test_manual_upload_allowed_mimes(client: Client, fake: FakeAvala) -> None:
    result = client.run(client.datasets.manual_upload_allowed_mimes())

    sent = _only_request(fake)
    assert (sent.method, sent.path, sent.query, sent.body) == (
        "GET",
        "/datasets/manual-upload/allowed-mimes/",
        {},
        None,
    )
    mimes = result.unwrap()
    assert isinstance(mimes, AllowedMimes)
    assert "image/jpeg" in mimes.mime_types
    assert mimes.video_prefix == "video/"


def test_create_from_manual_upload(client: Client, fake: FakeAvala) -> None:
    for path, size in (("a.jpg", 10), ("b/c.jpg", 20)):
        descriptor = client.run(
            client.datasets.create_manual_upload_url(
                dataset_name="Roads",
                file_path_in_dataset=path,
                content_length=size,
                dataset_upload_uid="batch-7",
            )
        ).unwrap()
        stored = requests.put(descriptor["url"], data=b"x" * size, timeout=5)
        assert stored.status_code == 200
        client.run(client.datasets.manual_upload_complete(descriptor["upload_uid"])).unwrap()
    fake.clear_requests()

    result = client.run(
        client.datasets.create_from_manual_upload(
            name="Roads",
            slug="roads",
            data_type="image",
            metadata={"k": [1, 2]},
            license=2,
            dataset_upload_uid="batch-7",
        )
    )

    sent = _only_request(fake)
    assert (sent.method, sent.path) == ("POST", "/datasets/manual-upload/")
    assert sent.body == {
        "name": "Roads",
        "slug": "roads",
        "data_type": "image",
        "visibility": "private",
        "create_metadata": True,
        "metadata": {"k": [1, 2]},
        "license": 2,
        "dataset_upload_uid": "batch-7",
    }
    dataset = result.unwrap()
    assert (dataset.slug, dataset.item_count, dataset.status) == ("roads", 2, "creating")
    items = client.run(client.datasets.list_items("fake-user", "roads")).unwrap()
    assert sorted(i.key for i in items if i.key) == ["a.jpg", "b/c.jpg"]
    # The batch is used up: a second dataset from it is refused.
    again = client.run(
        client.datasets.create_from_manual_upload(
            name="Roads", slug="roads-2", data_type="image", dataset_upload_uid="batch-7"
        )
    )
    assert _field_names(again.failure()) == {"dataset_upload_uid"}


def test_create_from_manual_upload_batch_must_match_organization(
    client: Client, fake: FakeAvala
) -> None:
    fake.store.insert("organizations", {"uid": "org-1", "slug": "acme-org"})
    client.run(
        client.datasets.create_manual_upload_url(
            dataset_name="d", file_path_in_dataset="f", content_length=1, dataset_upload_uid="b1"
        )
    ).unwrap()

    # Presigned for the user, finalized for the organization: the server finds no files.
    result = client.run(
        client.datasets.create_from_manual_upload(
            name="d", slug="d", data_type="image", organization_uid="org-1", dataset_upload_uid="b1"
        )
    )

    assert fake.requests[-1].body["organization_uid"] == "org-1"
    assert _field_names(result.failure()) == {"dataset_upload_uid"}


def test_manual_upload_routes_beat_dataset_placeholders(client: Client, fake: FakeAvala) -> None:
    # Owner "manual-upload" / slug "quota" would also fit /datasets/{owner}/{slug}/.
    fake.add_dataset(owner_name="manual-upload", slug="quota")
    fake.store.insert("datasets_quotas", {"uid": "me", "used": 1, "limit": 2})

    assert client.run(client.datasets.manual_upload_quota()).unwrap() == UploadQuota(
        used=1, limit=2
    )


# --- items ---------------------------------------------------------------------------------------


def test_list_items_pages_through_one_dataset(
    client: Client, fake: FakeAvala, cars: dict[str, Any]
) -> None:
    seeded = [
        fake.store.insert(
            "datasets_items",
            {"uid": f"item-{n}", "key": f"{n}.jpg", "dataset": cars["uid"], "thumbnails": None},
        )
        for n in range(3)
    ]
    other = fake.add_dataset(slug="bikes", owner_name="acme")
    fake.store.insert("datasets_items", {"uid": "foreign", "dataset": other["uid"]})

    first = client.run(client.datasets.list_items("acme", "cars", limit=2)).unwrap()
    second = client.run(
        client.datasets.list_items("acme", "cars", limit=2, cursor=first.next_cursor)
    ).unwrap()

    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", "/datasets/acme/cars/items/")
    ] * 2
    assert fake.requests[0].query == {"limit": ["2"]}
    assert fake.requests[1].query == {"limit": ["2"], "cursor": [first.next_cursor]}
    assert [i.uid for i in first] == ["item-0", "item-1"]
    assert [i.uid for i in second] == ["item-2"]
    assert second.next_cursor is None
    assert first[0] == DatasetItem(
        uid="item-0",
        key="0.jpg",
        dataset=cars["uid"],
        thumbnails=None,
        created_at=_dt(seeded[0]["created_at"]),
        updated_at=_dt(seeded[0]["updated_at"]),
    )


def test_list_items_unknown_dataset_is_404(client: Client, fake: FakeAvala) -> None:
    assert isinstance(
        client.run(client.datasets.list_items("acme", "nope")).failure(), NotFoundError
    )


def test_list_items_checks_limit() -> None:
    with pytest.raises(ValueError, match="limit"):
        Datasets().list_items("acme", "cars", limit=0)


def test_get_item(client: Client, fake: FakeAvala, cars: dict[str, Any]) -> None:
    fake.store.insert(
        "datasets_items",
        {"uid": "item-1", "key": "k.jpg", "dataset": cars["uid"], "metadata": {"w": 640}, "id": 17},
    )

    result = client.run(client.datasets.get_item("acme", "cars", "item-1"))

    sent = _only_request(fake)
    assert (sent.method, sent.path, sent.query) == ("GET", "/datasets/acme/cars/items/item-1/", {})
    item = result.unwrap()
    assert (item.uid, item.id, item.key, item.metadata) == (
        "item-1",
        17,
        "k.jpg",
        freeze({"w": 640}),
    )


def test_get_item_of_another_dataset_is_404(
    client: Client, fake: FakeAvala, cars: dict[str, Any]
) -> None:
    other = fake.add_dataset(slug="bikes", owner_name="acme")
    fake.store.insert("datasets_items", {"uid": "item-b", "dataset": other["uid"]})

    result = client.run(client.datasets.get_item("acme", "cars", "item-b"))

    assert isinstance(result.failure(), NotFoundError)


# --- sequences, frames, calibration --------------------------------------------------------------


def test_list_sequences(client: Client, fake: FakeAvala, drive: dict[str, Any]) -> None:
    result = client.run(client.datasets.list_sequences("acme", "cars", limit=5))

    sent = _only_request(fake)
    assert (sent.method, sent.path, sent.query) == (
        "GET",
        "/datasets/acme/cars/sequences/",
        {"limit": ["5"]},
    )
    page = result.unwrap()
    assert [(s.uid, s.key, s.number_of_frames) for s in page] == [("seq-1", "drive-1", 2)]
    assert page.next_cursor is None


def test_get_sequence(client: Client, fake: FakeAvala, drive: dict[str, Any]) -> None:
    result = client.run(client.datasets.get_sequence("acme", "cars", "seq-1"))

    sent = _only_request(fake)
    assert (sent.method, sent.path) == ("GET", "/datasets/acme/cars/sequences/seq-1/")
    sequence = result.unwrap()
    assert sequence.uid == "seq-1"
    assert sequence.frames == (freeze(FRAME_0), freeze(FRAME_1))
    assert sequence.camera_calibration == (freeze({"camera": "front"}),)


def test_get_sequence_under_other_dataset_is_404(
    client: Client, fake: FakeAvala, drive: dict[str, Any]
) -> None:
    fake.add_dataset(slug="bikes", owner_name="acme")
    result = client.run(client.datasets.get_sequence("acme", "bikes", "seq-1"))
    assert isinstance(result.failure(), NotFoundError)


def test_get_frame(client: Client, fake: FakeAvala, drive: dict[str, Any]) -> None:
    result = client.run(client.datasets.get_frame("acme", "cars", "seq-1", 0))

    sent = _only_request(fake)
    assert (sent.method, sent.path, sent.query) == (
        "GET",
        "/datasets/acme/cars/sequences/seq-1/",
        {},
    )
    assert result.unwrap() == DatasetFrame(
        frame_index=0,
        key="frame-000",
        model="pinhole",
        device_position=Vec3(x=1.0, y=2.0, z=3.0),
        device_heading=Quat(x=0.0, y=0.0, z=0.0, w=1.0),
        images=(
            FrameImage(
                image_url="https://img.example/front.jpg",
                position=Vec3(x=0.1, y=0.2, z=1.5),
                heading=Quat(x=0.0, y=0.0, z=0.7, w=0.7),
                width=1920,
                height=1080,
                fx=1000.0,
                fy=1001.0,
                cx=960.0,
                cy=540.0,
                model="pinhole",
            ),
            FrameImage(
                image_url="https://img.example/rear.jpg",
                width=1280,
                height=720,
                camera_model="fisheye",
                xi=0.5,
                alpha=0.2,
            ),
        ),
        raw=freeze(FRAME_0),
    )


def test_get_frame_second_frame(client: Client, fake: FakeAvala, drive: dict[str, Any]) -> None:
    frame = client.run(client.datasets.get_frame("acme", "cars", "seq-1", 1)).unwrap()

    assert (frame.frame_index, frame.key, frame.camera_model, frame.xi) == (
        1,
        "frame-001",
        "mei",
        0.9,
    )
    assert frame.device_position is None
    assert frame.images == (FrameImage(image_url="https://img.example/front-1.jpg"),)


def test_get_frame_out_of_range_is_a_failure(
    client: Client, fake: FakeAvala, drive: dict[str, Any]
) -> None:
    result = client.run(client.datasets.get_frame("acme", "cars", "seq-1", 2))

    error = result.failure()
    assert isinstance(error, DecodeError)
    assert "2 frame(s)" in error.message
    assert error.path == "$.frames"
    assert len(fake.requests) == 1


def test_get_frame_of_malformed_frame_names_the_spot(
    client: Client, fake: FakeAvala, cars: dict[str, Any]
) -> None:
    fake.store.insert(
        "datasets_sequences",
        {"uid": "bad", "dataset_uid": cars["uid"], "frames": [{"device_position": {"x": "one"}}]},
    )

    error = client.run(client.datasets.get_frame("acme", "cars", "bad", 0)).failure()

    assert isinstance(error, DecodeError)
    assert error.path.startswith("$.frames[0].device_position")


def test_get_frame_unknown_sequence_is_404(
    client: Client, fake: FakeAvala, cars: dict[str, Any]
) -> None:
    result = client.run(client.datasets.get_frame("acme", "cars", "nope", 0))
    assert isinstance(result.failure(), NotFoundError)


def test_get_frame_checks_index() -> None:
    datasets = Datasets()
    with pytest.raises(ValueError, match="frame_idx"):
        datasets.get_frame("acme", "cars", "seq-1", -1)
    with pytest.raises(TypeError, match="frame_idx"):
        datasets.get_frame("acme", "cars", "seq-1", True)
    # Built from equal arguments, the composed requests compare equal.
    assert datasets.get_frame("a", "b", "c", 3) == datasets.get_frame("a", "b", "c", 3)
    assert datasets.get_frame("a", "b", "c", 3) != datasets.get_frame("a", "b", "c", 4)


def test_get_calibration(client: Client, fake: FakeAvala, drive: dict[str, Any]) -> None:
    result = client.run(client.datasets.get_calibration("acme", "cars", "seq-1"))

    sent = _only_request(fake)
    assert (sent.method, sent.path) == ("GET", "/datasets/acme/cars/sequences/seq-1/")
    assert result.unwrap() == DatasetCalibration(
        sequence_uid="seq-1",
        cameras=(
            CameraCalibration(
                camera_id="front",
                position=Vec3(x=0.1, y=0.2, z=1.5),
                heading=Quat(x=0.0, y=0.0, z=0.7, w=0.7),
                width=1920,
                height=1080,
                fx=1000.0,
                fy=1001.0,
                cx=960.0,
                cy=540.0,
                model="pinhole",
            ),
            CameraCalibration(
                camera_id="7", width=1280, height=720, model="fisheye", xi=0.5, alpha=0.2
            ),
        ),
    )


def test_get_calibration_without_frames(
    client: Client, fake: FakeAvala, cars: dict[str, Any]
) -> None:
    fake.store.insert(
        "datasets_sequences", {"uid": "empty", "dataset_uid": cars["uid"], "frames": None}
    )

    result = client.run(client.datasets.get_calibration("acme", "cars", "empty"))

    assert result == Success(DatasetCalibration(sequence_uid="empty"))


def test_get_calibration_unknown_dataset_is_404(client: Client, fake: FakeAvala) -> None:
    result = client.run(client.datasets.get_calibration("acme", "nope", "seq-1"))
    assert isinstance(result.failure(), NotFoundError)


# --- health --------------------------------------------------------------------------------------


def test_get_health(
    client: Client, fake: FakeAvala, cars: dict[str, Any], drive: dict[str, Any]
) -> None:
    fake.store.insert(
        "datasets_sequences",
        {
            "uid": "seq-2",
            "key": "drive-2",
            "dataset_uid": cars["uid"],
            "frames": [],
            "status": "new",
        },
    )

    result = client.run(client.datasets.get_health("acme", "cars"))

    sent = _only_request(fake)
    assert (sent.method, sent.path, sent.query) == ("GET", "/datasets/acme/cars/health/", {})
    health = result.unwrap()
    assert (health.dataset_uid, health.dataset_slug, health.dataset_status) == (
        cars["uid"],
        "cars",
        "created",
    )
    assert (health.sequence_count, health.total_frames, health.item_count) == (2, 2, 0)
    assert health.sequences == (
        SequenceHealth(
            uid="seq-1", key="drive-1", status="ready", frame_count=2, has_camera_calibration=True
        ),
        SequenceHealth(uid="seq-2", key="drive-2", status="new", frame_count=0),
    )
    assert health.ingest_ok is False
    assert any("drive-2" in issue for issue in health.issues)


def test_get_health_unknown_dataset_is_404(client: Client, fake: FakeAvala) -> None:
    assert isinstance(
        client.run(client.datasets.get_health("acme", "nope")).failure(), NotFoundError
    )


# --- wait ----------------------------------------------------------------------------------------


def _queue(fake: FakeAvala, uid: str, *statuses: str) -> None:
    fake.store.insert("datasets_lifecycle", {"uid": uid, "next": list(statuses)})


def test_wait_polls_until_target_status(client: Client, fake: FakeAvala) -> None:
    seeded = fake.add_dataset(status="creating")
    _queue(fake, seeded["uid"], "processing", "created")

    result = client.run(client.datasets.wait(seeded["uid"], interval=0.01, timeout=30))

    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", f"/datasets/{seeded['uid']}/")
    ] * 2
    dataset = result.unwrap()
    assert (dataset.uid, dataset.status) == (seeded["uid"], "created")


def test_wait_returns_at_once_when_already_there(client: Client, fake: FakeAvala) -> None:
    seeded = fake.add_dataset(status="ready")

    result = client.run(client.datasets.wait(seeded["uid"], status="ready"))

    assert len(fake.requests) == 1
    assert result.unwrap().status == "ready"


@pytest.mark.parametrize("failure", ["failed", "creation_failed", "error"])
def test_wait_stops_on_failure_status(client: Client, fake: FakeAvala, failure: str) -> None:
    seeded = fake.add_dataset(status="creating")
    _queue(fake, seeded["uid"], failure)

    result = client.run(client.datasets.wait(seeded["uid"], timeout=30))

    error = result.failure()
    assert isinstance(error, TerminalStatusError)
    assert failure in error.message
    assert isinstance(error.value, Dataset)
    assert (error.value.uid, error.value.status) == (seeded["uid"], failure)
    assert len(fake.requests) == 1


def test_wait_reports_every_poll_as_an_event(client: Client, fake: FakeAvala) -> None:
    seeded = fake.add_dataset(status="creating")
    _queue(fake, seeded["uid"], "processing", "created")
    events: list[Event] = []

    result = client.run(client.datasets.wait(seeded["uid"], interval=0.01), on_event=events.append)

    assert result.unwrap().status == "created"
    assert [(e.endpoint, e.attempt, e.value.status) for e in events] == [
        ("datasets.get", 1, "processing"),
        ("datasets.get", 2, "created"),
    ]


def test_wait_for_a_failure_status_itself_succeeds(client: Client, fake: FakeAvala) -> None:
    seeded = fake.add_dataset(status="failed")

    result = client.run(client.datasets.wait(seeded["uid"], status="failed"))

    assert result.unwrap().status == "failed"


def test_wait_times_out_with_last_value(client: Client, fake: FakeAvala) -> None:
    """A seeded dataset never changes status, so the wait can only run out of time."""
    seeded = fake.add_dataset(status="creating")
    started = time.monotonic()

    result = client.run(client.datasets.wait(seeded["uid"], interval=1, timeout=1))

    elapsed = time.monotonic() - started
    error = result.failure()
    assert isinstance(error, WaitTimeoutError)
    assert error.last.uid == seeded["uid"] and error.last.status == "creating"
    # One poll at the start, one when the 1 s budget is spent (the sleep is cut to what is
    # left of it), then the last value is returned: no third poll.
    assert [r.path for r in fake.requests] == [f"/datasets/{seeded['uid']}/"] * 2
    assert 1.0 <= elapsed < 5.0


def test_wait_unknown_dataset_is_404(client: Client, fake: FakeAvala) -> None:
    result = client.run(client.datasets.wait("ghost", timeout=5))
    assert isinstance(result.failure(), NotFoundError)
    assert len(fake.requests) == 1


def test_created_dataset_can_be_waited_for(client: Client, fake: FakeAvala) -> None:
    created = client.run(client.datasets.create(name="N", slug="n", data_type="image")).unwrap()
    assert created.status == "creating"

    done = client.run(client.datasets.wait(created.uid)).unwrap()

    assert done.status == "created"


def test_wait_checks_arguments() -> None:
    datasets = Datasets()
    with pytest.raises(ValueError, match="interval"):
        datasets.wait("d", interval=-1)
    with pytest.raises(ValueError, match="timeout"):
        datasets.wait("d", timeout=-0.5)
    with pytest.raises(TypeError, match="status"):
        datasets.wait("d", status=None)  # type: ignore[arg-type]
    # Intervals below one second are raised to it, so these two are the same request.
    assert datasets.wait("d", interval=0.01) == datasets.wait("d", interval=1.0)
    assert datasets.wait("d", interval=0.01) != datasets.wait("d", interval=2.0)
    assert datasets.wait("d", status="ready") != datasets.wait("d")


def test_validation_error_details_are_field_errors(client: Client, fake: FakeAvala) -> None:
    result = client.run(client.datasets.create(name=" ", slug="s", data_type="image"))
    error = result.failure()
    assert isinstance(error, ValidationError)
    assert error.details == (FieldError("name", "This field may not be blank."),)
