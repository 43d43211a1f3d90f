"""Transfers against a real S3 implementation: moto's standalone server on 127.0.0.1,
with URLs presigned by boto3. Single PUT and multipart, bytes checked with get_object."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer
from returns.result import Success

from avala import Client, gather
from avala.errors import SourceChangedError
from avala.events import BytesSent, Event
from avala.transfers._values import put_object
from tests.conftest import FAST_RETRY
from tests.transfers.test_object_put import API_KEY, KINDS, make_file, run

PART = 5 * 1024 * 1024  # S3's smallest non-last part
BUCKET = "uploads"


@pytest.fixture(scope="module")
def s3() -> Iterator[Any]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    client = boto3.client(
        "s3",
        endpoint_url=f"http://{host}:{port}",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    client.create_bucket(Bucket=BUCKET)
    try:
        yield client
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")


def stored(s3: Any, key: str) -> bytes:
    return bytes(s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())


@pytest.mark.parametrize("kind", KINDS)
def test_single_put_stores_the_file(kind: str, s3: Any, tmp_path: Path) -> None:
    path, stamp = make_file(tmp_path, 1_500_000)
    key = f"single-{kind}.bin"
    url = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": key})
    result, events = run(kind, put_object(url, path, stamp=stamp))
    data = path.read_bytes()
    assert stored(s3, key) == data
    etag = s3.head_object(Bucket=BUCKET, Key=key)["ETag"]
    assert etag == f'"{hashlib.md5(data).hexdigest()}"'
    assert result == Success(result.unwrap()) and result.unwrap().etag == etag
    assert sum(e.count for e in events if isinstance(e, BytesSent)) == len(data)


@pytest.mark.parametrize("kind", KINDS)
def test_multipart_parts_in_parallel(kind: str, s3: Any, tmp_path: Path) -> None:
    path, stamp = make_file(tmp_path, 2 * PART + 12345)
    key = f"multi-{kind}.bin"
    upload_id = s3.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    parts = []
    for number, offset in enumerate(range(0, stamp.size, PART), start=1):
        url = s3.generate_presigned_url(
            "upload_part",
            Params={"Bucket": BUCKET, "Key": key, "UploadId": upload_id, "PartNumber": number},
        )
        length = min(PART, stamp.size - offset)
        parts.append(put_object(url, path, stamp=stamp, offset=offset, length=length))
    result, events = run(kind, gather(*parts, limit=2))
    stored_parts = result.unwrap()
    s3.complete_multipart_upload(
        Bucket=BUCKET,
        Key=key,
        UploadId=upload_id,
        MultipartUpload={
            "Parts": [{"ETag": p.etag, "PartNumber": n} for n, p in enumerate(stored_parts, 1)]
        },
    )
    assert stored(s3, key) == path.read_bytes()
    assert sum(e.count for e in events if isinstance(e, BytesSent)) == stamp.size


def test_puts_to_moto_reuse_one_connection(s3: Any, tmp_path: Path) -> None:
    path, stamp = make_file(tmp_path, 1000)
    with Client(
        api_key=API_KEY, base_url="http://127.0.0.1:9/api/v1", retry_policy=FAST_RETRY
    ) as client:
        for n in range(4):
            key = f"reuse-{n}"
            url = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": key})
            assert isinstance(client.run(put_object(url, path, stamp=stamp)), Success)
        pools = list(client._object_transport.manager.pools._container.values())  # type: ignore[attr-defined]
    assert [pool.num_connections for pool in pools] == [1]
    assert [pool.num_requests for pool in pools] == [4]


@pytest.mark.parametrize("kind", KINDS)
def test_a_part_whose_file_changes_is_not_stored(kind: str, s3: Any, tmp_path: Path) -> None:
    path, stamp = make_file(tmp_path, 3 * 1024 * 1024)
    key = f"changed-{kind}.bin"
    url = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": key})

    def change(event: Event) -> None:  # sync: called between chunks, before the last one
        if isinstance(event, BytesSent) and event.count > 0:
            with open(path, "r+b") as f:
                f.write(b"changed")

    handler = change if kind == "sync" else "collect"
    if kind == "async":  # events reach the loop late; change the file before the run
        with open(path, "ab") as f:
            f.write(b"x")
    result, _ = run(kind, put_object(url, path, stamp=stamp), on_event=handler)
    assert isinstance(result.failure(), SourceChangedError)
    with pytest.raises(s3.exceptions.ClientError):
        s3.head_object(Bucket=BUCKET, Key=key)
