"""Dataset manual upload v2 against FakeAvala: presign, PUT or multipart to the object
store with plain ``requests``, parts, complete, resume, quota, and the dataset made from
everything under ``<root>/<dataset_name>/``; plus ``users.me`` (the personal root)."""

from __future__ import annotations

import math
from typing import Any

import pytest
import requests

from avala import Client
from avala.errors import ValidationError
from avala.testing import FakeAvala
from avala.types import ManualUploadPartGrants, UploadQuota, UserMe

MiB = 1024**2
BATCH = "3b0c2f7e-5d1a-4c56-9a0e-0f3f6d7b9e21"


def presign(client: Client, path: str, size: int, **extra: Any) -> Any:
    return client.run(
        client.datasets.create_manual_upload_url(
            dataset_name="run-7",
            file_path_in_dataset=path,
            content_length=size,
            dataset_upload_uid=BATCH,
            **extra,
        )
    ).unwrap()


def upload(client: Client, path: str, data: bytes) -> Any:
    """The v2 protocol, as a client drives it: descriptor, bytes, complete."""
    descriptor = presign(client, path, len(data))
    uid = descriptor["upload_uid"]
    if not descriptor["complete"] and descriptor["method"] == "PUT":
        sent = requests.put(descriptor["url"], data=data, headers=dict(descriptor["headers"]))
        assert sent.status_code in (200, 412)
    elif not descriptor["complete"]:
        held = {p["part_number"] for p in descriptor["uploaded_parts"]}
        size = descriptor["part_size"]
        for n in range(1, descriptor["part_count"] + 1):
            if n in held:
                continue
            grants = client.run(client.datasets.manual_upload_parts(uid, part_numbers=[n]))
            grant = grants.unwrap().parts[0]
            part = data[(n - 1) * size : n * size]
            assert requests.put(grant.url, data=part, timeout=10).status_code == 200
    client.run(client.datasets.manual_upload_complete(uid)).unwrap()
    return descriptor


def test_users_me(client: Client, fake: FakeAvala) -> None:
    me = client.run(client.users.me()).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.headers["x-avala-api-key"]) == (
        "GET",
        "/users/me/",
        fake.api_key,
    )
    assert me == UserMe(uid=fake.user_uid, username="fake-user", email="fake-user@example.com")


def test_a_small_file_is_a_put_to_the_object_store(client: Client, fake: FakeAvala) -> None:
    descriptor = upload(client, "cam0/1.jpg", b"jpeg" * 10)
    assert descriptor["method"] == "PUT"
    assert descriptor["url"].startswith(fake.objects.base_url)
    key = f"__u__=/{fake.user_uid}/run-7/cam0/1.jpg"
    assert fake.objects.get(key) == b"jpeg" * 10
    complete = fake.requests[-1]
    assert (complete.method, complete.path, complete.body) == (
        "POST",
        f"/datasets/manual-upload/uploads/{descriptor['upload_uid']}/complete/",
        {},
    )


def test_a_large_file_is_multipart_and_assembled_on_complete(
    client: Client, fake: FakeAvala
) -> None:
    fake.multipart_threshold = 5 * MiB
    fake.part_size = 5 * MiB
    data = bytes(range(256)) * (11 * MiB // 256 + 1)
    descriptor = upload(client, "big.bin", data)
    assert descriptor["method"] == "MULTIPART"
    assert (descriptor["part_size"], descriptor["part_count"]) == (
        5 * MiB,
        math.ceil(len(data) / (5 * MiB)),
    )
    assert fake.objects.get(f"__u__=/{fake.user_uid}/run-7/big.bin") == data
    grants = [r for r in fake.requests if r.path.endswith("/parts/")]
    assert [r.body for r in grants] == [{"part_numbers": [n]} for n in (1, 2, 3)]


def test_presigning_again_reopens_the_session_with_the_parts_held(
    client: Client, fake: FakeAvala
) -> None:
    fake.multipart_threshold = 0
    fake.part_size = 5 * MiB
    data = b"z" * (10 * MiB + 3)
    first = presign(client, "f.bin", len(data))
    grant = client.run(
        client.datasets.manual_upload_parts(first["upload_uid"], part_numbers=[2])
    ).unwrap()
    assert isinstance(grant, ManualUploadPartGrants)
    requests.put(grant.parts[0].url, data=data[5 * MiB : 10 * MiB], timeout=10)

    again = presign(client, "f.bin", len(data))
    assert again["upload_uid"] == first["upload_uid"]
    assert [(p["part_number"], p["size"]) for p in again["uploaded_parts"]] == [(2, 5 * MiB)]
    assert again["complete"] is False

    upload(client, "f.bin", data)  # sends parts 1 and 3 only
    sent = fake.objects.bytes_received[f"__u__=/{fake.user_uid}/run-7/f.bin"]
    assert sent == len(data)
    assert presign(client, "f.bin", len(data))["complete"] is True


def test_a_put_already_stored_answers_complete_true(client: Client, fake: FakeAvala) -> None:
    first = presign(client, "a.txt", 3)
    requests.put(first["url"], data=b"abc", headers=dict(first["headers"]), timeout=5)
    again = presign(client, "a.txt", 3)  # the response to the PUT was lost, say
    assert again["complete"] is True
    repeat = requests.put(again["url"], data=b"abc", headers=dict(again["headers"]), timeout=5)
    assert repeat.status_code == 412  # conditional: the bytes are already there


def test_complete_refuses_missing_bytes(client: Client, fake: FakeAvala) -> None:
    descriptor = presign(client, "a.txt", 3)
    error = client.run(client.datasets.manual_upload_complete(descriptor["upload_uid"]))
    assert isinstance(error.failure(), ValidationError)
    requests.put(descriptor["url"], data=b"abcd", timeout=5)  # not the announced size
    error = client.run(client.datasets.manual_upload_complete(descriptor["upload_uid"]))
    assert "expected 3" in str(error.failure())


def test_part_numbers_outside_the_session_are_refused(client: Client, fake: FakeAvala) -> None:
    fake.multipart_threshold = 0
    fake.part_size = 5 * MiB
    uid = presign(client, "b.bin", 6 * MiB)["upload_uid"]
    result = client.run(client.datasets.manual_upload_parts(uid, part_numbers=[3]))
    assert isinstance(result.failure(), ValidationError)


def test_the_part_size_keeps_the_protocol_limits(fake: FakeAvala) -> None:
    with pytest.raises(ValueError, match="5 MiB to 128 MiB"):
        fake.part_size = 1024
    with pytest.raises(ValueError, match="5 MiB to 128 MiB"):
        fake.part_size = 129 * MiB


def test_quota_used_includes_reservations(client: Client, fake: FakeAvala) -> None:
    presign(client, "a", 100)
    presign(client, "b", 50)
    presign(client, "a", 100)  # the same file again: one reservation
    assert client.run(client.datasets.manual_upload_quota()).unwrap() == UploadQuota(
        used=150, limit=10 * 1024**3
    )


def test_organization_uploads_live_under_the_organization_root(
    client: Client, fake: FakeAvala
) -> None:
    org = "9d7e0a52-1c2b-4f0e-8a3d-2b6c4e8f1a90"
    fake.store.insert("organizations", {"uid": org, "slug": "acme"})
    descriptor = presign(client, "x.bin", 2, organization_uid=org)
    requests.put(descriptor["url"], data=b"hi", timeout=5)
    client.run(client.datasets.manual_upload_complete(descriptor["upload_uid"])).unwrap()
    assert fake.objects.keys("__o__=/") == [f"__o__=/{org}/run-7/x.bin"]


def test_the_dataset_indexes_everything_under_the_prefix(client: Client, fake: FakeAvala) -> None:
    upload(client, "a.jpg", b"a" * 5)
    upload(client, "sub/b.jpg", b"b" * 7)
    fake.objects.put(f"__u__=/{fake.user_uid}/run-7/earlier.jpg", b"old")  # an older run
    dataset = client.run(
        client.datasets.create_from_manual_upload(
            name="run-7", slug="run-7", data_type="image", dataset_upload_uid=BATCH
        )
    ).unwrap()
    items = client.run(client.datasets.list_items("fake-user", "run-7")).unwrap()
    assert dataset.item_count == 3
    assert sorted((i.key, i.metadata["content_length"]) for i in items) == [  # type: ignore[index]
        ("a.jpg", 5),
        ("earlier.jpg", 3),
        ("sub/b.jpg", 7),
    ]


def test_the_dataset_waits_for_every_session_of_the_batch(client: Client, fake: FakeAvala) -> None:
    upload(client, "a.jpg", b"a")
    presign(client, "b.jpg", 1)  # presigned, never completed
    result = client.run(
        client.datasets.create_from_manual_upload(
            name="run-7", slug="run-7", data_type="image", dataset_upload_uid=BATCH
        )
    )
    assert "b.jpg" in str(result.failure())
