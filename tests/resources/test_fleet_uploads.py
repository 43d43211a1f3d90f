"""fleet.uploads (the five low-level calls) against FakeAvala's upload-session state machine."""

from __future__ import annotations

from typing import Any

import pytest
from pyrsistent import pmap

from avala import Client
from avala.errors import DecodeError, NotFoundError, ValidationError
from avala.testing import FakeAvala, Fault
from avala.types import JsonObject, UploadSession, UploadStatusResponse

REC = "rec-1"
BASE = f"/fleet/recordings/{REC}/upload"
MANIFEST = [
    {"path": "logs/run.mcap", "size_bytes": 1000},
    {"path": "meta.json", "size_bytes": 24},
    {"path": "cal/camera.yaml", "size_bytes": 300},
]


@pytest.fixture
def world(fake: FakeAvala) -> FakeAvala:
    fake.store.insert("fleet_devices", {"uid": "dev-1", "name": "Robot"})
    fake.store.insert("fleet_recordings", {"uid": REC, "device": "dev-1", "status": "pending"})
    fake.store.insert("fleet_recordings", {"uid": "rec-2", "device": "dev-1"})
    return fake


def start(client: Client, files: list[dict[str, Any]] = MANIFEST) -> UploadSession:
    return client.run(client.fleet.uploads.init_upload(REC, files)).unwrap()


def test_status_before_any_session_is_not_found(client: Client, world: FakeAvala) -> None:
    error = client.run(client.fleet.uploads.get_upload_status(REC)).failure()
    sent = world.requests[-1]
    assert (sent.method, sent.path, sent.body) == ("GET", f"{BASE}/status/", None)
    assert isinstance(error, NotFoundError)
    assert error.message == "No upload session found for this recording."


def test_init_upload(client: Client, world: FakeAvala) -> None:
    session = client.run(
        client.fleet.uploads.init_upload(REC, tuple(MANIFEST), storage_config_uid="sc-1")
    ).unwrap()

    sent = world.requests[-1]
    assert (sent.method, sent.path) == ("POST", f"{BASE}/init/")
    assert sent.body == {"files": MANIFEST, "storage_config_uid": "sc-1"}
    assert session == UploadSession(
        uid=session.uid,
        total_files=3,
        total_bytes=1324,
        confirmed_files=0,
        confirmed_bytes=0,
        s3_prefix=session.s3_prefix,
        status="initiated",
    )
    assert session.uid and session.s3_prefix and REC in session.s3_prefix

    status = client.run(client.fleet.uploads.get_upload_status(REC)).unwrap()
    assert status == UploadStatusResponse(
        session_uid=session.uid,
        status="initiated",
        total_files=3,
        confirmed_files=0,
        total_bytes=1324,
        confirmed_bytes=0,
        pending_paths=("logs/run.mcap", "meta.json", "cal/camera.yaml"),
    )


def test_init_upload_leaves_out_only_a_none_storage_config(
    client: Client, world: FakeAvala
) -> None:
    start_call = client.fleet.uploads.init_upload(REC, MANIFEST[:1], storage_config_uid=None)
    client.run(start_call).unwrap()
    assert world.requests[-1].body == {"files": MANIFEST[:1]}


def test_init_upload_sends_an_empty_storage_config_as_given(
    client: Client, world: FakeAvala
) -> None:
    start_call = client.fleet.uploads.init_upload(REC, MANIFEST[:1], storage_config_uid="")
    client.run(start_call).unwrap()
    assert world.requests[-1].body == {"files": MANIFEST[:1], "storage_config_uid": ""}


def test_init_upload_errors(client: Client, world: FakeAvala) -> None:
    duplicate = [MANIFEST[0], {"path": "logs/run.mcap", "size_bytes": 5}]
    error = client.run(client.fleet.uploads.init_upload(REC, duplicate)).failure()
    assert isinstance(error, ValidationError)
    assert [d.field for d in error.details] == ["files.1.path"]

    no_size = client.run(client.fleet.uploads.init_upload(REC, [{"path": "a"}])).failure()
    assert isinstance(no_size, ValidationError)
    assert [d.field for d in no_size.details] == ["files.0.size_bytes"]

    unknown = client.run(client.fleet.uploads.init_upload("rec-9", MANIFEST)).failure()
    assert isinstance(unknown, NotFoundError)
    assert world.requests[-1].path == "/fleet/recordings/rec-9/upload/init/"

    start(client)
    busy = client.run(client.fleet.uploads.init_upload(REC, MANIFEST)).failure()
    assert isinstance(busy, ValidationError)
    assert "already open" in busy.message


def test_get_upload_urls(client: Client, world: FakeAvala) -> None:
    session = start(client)
    urls = client.run(
        client.fleet.uploads.get_upload_urls(
            REC, session.uid, ("logs/run.mcap", "meta.json"), ttl_seconds=600
        )
    ).unwrap()

    sent = world.requests[-1]
    assert (sent.method, sent.path) == ("POST", f"{BASE}/urls/")
    assert sent.body == {
        "session_uid": session.uid,
        "file_paths": ["logs/run.mcap", "meta.json"],
        "ttl_seconds": 600,
    }
    assert [u.path for u in urls.urls] == ["logs/run.mcap", "meta.json"]
    first = urls.urls[0]
    assert first.s3_key == f"{session.s3_prefix}logs/run.mcap"
    # A URL of the fake's object store, signed for that key and lifetime.
    assert first.put_url.startswith(world.objects.base_url + "/")
    assert "X-Amz-Expires=600" in first.put_url
    assert first.headers == pmap({"Content-Type": "application/octet-stream"})

    status = client.run(client.fleet.uploads.get_upload_status(REC)).unwrap()
    assert status.status == "uploading"


def test_get_upload_urls_default_ttl_and_errors(client: Client, world: FakeAvala) -> None:
    session = start(client)
    client.run(client.fleet.uploads.get_upload_urls(REC, session.uid, ["meta.json"])).unwrap()
    assert world.requests[-1].body["ttl_seconds"] == 3600

    stray = client.run(client.fleet.uploads.get_upload_urls(REC, session.uid, ["nope.bin"]))
    error = stray.failure()
    assert isinstance(error, ValidationError)
    assert [d.field for d in error.details] == ["file_paths"]
    assert "nope.bin" in error.details[0].message

    # The session belongs to rec-1: under rec-2 it does not exist.
    other = client.run(client.fleet.uploads.get_upload_urls("rec-2", session.uid, ["meta.json"]))
    assert isinstance(other.failure(), NotFoundError)


def test_confirm_upload_returns_raw_counters(client: Client, world: FakeAvala) -> None:
    session = start(client)
    files = [
        {"path": "logs/run.mcap", "etag": '"e1"', "size_bytes": 1000},
        {"path": "meta.json", "etag": '"e2"', "size_bytes": 24},
    ]
    answer = client.run(client.fleet.uploads.confirm_upload(REC, session.uid, files)).unwrap()

    sent = world.requests[-1]
    assert (sent.method, sent.path) == ("POST", f"{BASE}/confirm/")
    assert sent.body == {"session_uid": session.uid, "files": files}
    assert isinstance(answer, JsonObject)
    # UploadConfirmResponse's fields and the counters the legacy workflow checks (§2.4)
    assert answer == pmap(
        {
            "session_uid": session.uid,
            "confirmed": 2,
            "total_confirmed": 2,
            "total_files": 3,
            "total_bytes": 1324,
            "confirmed_files": 2,
            "confirmed_bytes": 1024,
        }
    )

    # Confirming a file again does not count it twice.
    again = client.run(client.fleet.uploads.confirm_upload(REC, session.uid, files[1:])).unwrap()
    assert (again["confirmed"], again["total_confirmed"]) == (0, 2)

    status = client.run(client.fleet.uploads.get_upload_status(REC)).unwrap()
    assert (status.confirmed_files, status.confirmed_bytes) == (2, 1024)
    assert status.pending_paths == ("cal/camera.yaml",)


def test_confirm_upload_size_mismatch_names_the_field(client: Client, world: FakeAvala) -> None:
    session = start(client)
    files = [{"path": "meta.json", "etag": "e", "size_bytes": 25}]
    error = client.run(client.fleet.uploads.confirm_upload(REC, session.uid, files)).failure()
    assert isinstance(error, ValidationError)
    assert [d.field for d in error.details] == ["files.0.size_bytes"]
    status = client.run(client.fleet.uploads.get_upload_status(REC)).unwrap()
    assert status.confirmed_files == 0


def test_finalize_upload_completes_the_session(client: Client, world: FakeAvala) -> None:
    session = start(client, MANIFEST[:2])
    early = client.run(client.fleet.uploads.finalize_upload(REC, session.uid)).failure()
    assert isinstance(early, ValidationError)
    assert "2 of 2 files" in early.message

    files = [
        {"path": f["path"], "etag": "etag", "size_bytes": f["size_bytes"]} for f in MANIFEST[:2]
    ]
    client.run(client.fleet.uploads.confirm_upload(REC, session.uid, files)).unwrap()
    done = client.run(client.fleet.uploads.finalize_upload(REC, session.uid)).unwrap()

    sent = world.requests[-1]
    assert (sent.method, sent.path) == ("POST", f"{BASE}/finalize/")
    assert sent.body == {"session_uid": session.uid}
    assert isinstance(done["detail"], str)
    assert (done["session_uid"], done["status"]) == (session.uid, "completed")

    status = client.run(client.fleet.uploads.get_upload_status(REC)).unwrap()
    assert status == UploadStatusResponse(
        session_uid=session.uid,
        status="completed",
        total_files=2,
        confirmed_files=2,
        total_bytes=1024,
        confirmed_bytes=1024,
        pending_paths=(),
    )

    # A finalized session takes nothing more; a new one may be opened.
    late = client.run(client.fleet.uploads.finalize_upload(REC, session.uid)).failure()
    assert isinstance(late, ValidationError)
    assert start(client).uid != session.uid


def test_finalize_unknown_session_is_not_found(client: Client, world: FakeAvala) -> None:
    result = client.run(client.fleet.uploads.finalize_upload(REC, "no-such-session"))
    assert isinstance(result.failure(), NotFoundError)


def test_status_is_decoded_strictly(client: Client, world: FakeAvala) -> None:
    """No coercion: a counter sent as a string is a DecodeError naming it."""
    body = {"session_uid": "s", "status": "uploading", "total_files": "3"}
    world.inject(Fault.status(200, body), path=f"{BASE}/status/")
    error = client.run(client.fleet.uploads.get_upload_status(REC)).failure()
    assert isinstance(error, DecodeError)
    assert error.path == "$.total_files"


def test_build_time_validation(client: Client) -> None:
    uploads = client.fleet.uploads
    with pytest.raises(ValueError):
        uploads.init_upload(REC, [])
    with pytest.raises(ValueError, match="path"):
        uploads.init_upload(REC, [{"size_bytes": 3}])
    with pytest.raises(ValueError):
        uploads.init_upload(REC, [{"path": "a", "size_bytes": -1}])
    with pytest.raises(TypeError):
        uploads.init_upload(REC, ["a.mcap"])  # type: ignore[list-item]
    with pytest.raises(TypeError):
        uploads.init_upload(REC, MANIFEST, storage_config_uid=5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        uploads.get_upload_urls(REC, "s", ["a"], ttl_seconds=0)
    with pytest.raises(TypeError):
        uploads.get_upload_urls(REC, "s", ["a"], ttl_seconds=True)
    with pytest.raises(TypeError):
        uploads.get_upload_urls(REC, "s", "a")
    with pytest.raises(ValueError):
        uploads.get_upload_urls(REC, "s", [])
    with pytest.raises(ValueError):
        uploads.confirm_upload(REC, "s", [])
    with pytest.raises(TypeError):
        uploads.finalize_upload(REC, None)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        uploads.get_upload_status("")
