"""fleet.uploads managed_* (protocol fleet-managed-mcap-v1) against FakeAvala: the
envelope on the wire, the shapes answered, and part grants that really store parts."""

from __future__ import annotations

import requests

from avala import Client
from avala.errors import NotFoundError
from avala.testing import FakeAvala
from avala.types import (
    ManagedFinalizeResponse,
    ManagedMultipartInit,
    ManagedPartGrants,
    ManagedUploadStatus,
)

REC = "4d6f0c1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f"
SESSION = "0f6c3e0a-9a1b-4b7e-8c2d-4e5f6a7b8c9d"
BASE = f"/fleet/recordings/{REC}/managed-upload"
ENVELOPE = {"protocol": "fleet-managed-mcap-v1", "session_uid": SESSION}
MANIFEST = [{"path": "run1.mcap", "size_bytes": 100, "content_sha256": "5e" * 32}]


def admit(client: Client, fake: FakeAvala) -> ManagedUploadStatus:
    fake.store.insert("fleet_recordings", {"uid": REC, "device": "dev-1"})
    return client.run(client.fleet.uploads.managed_admit(REC, SESSION, MANIFEST)).unwrap()


def test_admit_then_status(client: Client, fake: FakeAvala) -> None:
    admitted = admit(client, fake)
    sent = fake.requests[-1]
    assert (sent.method, sent.path, sent.body) == (
        "POST",
        f"{BASE}/admit/",
        {**ENVELOPE, "files": MANIFEST},
    )
    assert (admitted.session_uid, admitted.recording_uid, admitted.status) == (
        SESSION,
        REC,
        "initiated",
    )
    assert [(f.path, f.part_count, f.generation) for f in admitted.files] == [
        ("run1.mcap", 1, None)
    ]
    status = client.run(client.fleet.uploads.managed_status(REC, SESSION)).unwrap()
    assert fake.requests[-1].query == {
        "protocol": ["fleet-managed-mcap-v1"],
        "session_uid": [SESSION],
    }
    assert status == admitted


def test_status_of_an_unknown_session_is_404(client: Client, fake: FakeAvala) -> None:
    result = client.run(client.fleet.uploads.managed_status(REC, SESSION))
    assert isinstance(result.failure(), NotFoundError)


def test_init_grant_put_progress_and_finalize(client: Client, fake: FakeAvala) -> None:
    file_uid = admit(client, fake).files[0].file_uid
    uploads = client.fleet.uploads
    opened = client.run(uploads.managed_multipart_init(REC, SESSION, file_uid)).unwrap()
    assert fake.requests[-1].body == {**ENVELOPE, "file_uid": file_uid}
    assert isinstance(opened, ManagedMultipartInit)
    assert (opened.number, opened.state, opened.part_size) == (1, "active", 64 * 1024**2)
    generation = opened.generation_uid

    grants = client.run(
        uploads.managed_multipart_parts(REC, SESSION, file_uid, generation, [1])
    ).unwrap()
    assert fake.requests[-1].body == {
        **ENVELOPE,
        "file_uid": file_uid,
        "generation_uid": generation,
        "numbers": [1],
    }
    assert isinstance(grants, ManagedPartGrants)
    grant = grants.parts[0]
    assert (grant.part_number, grant.offset, grant.size_bytes) == (1, 0, 100)
    assert grant.headers["Content-Length"] == "100"
    assert requests.put(grant.url, data=b"m" * 100, timeout=5).status_code == 200

    progress = client.run(
        uploads.managed_multipart_progress(REC, SESSION, file_uid, generation)
    ).unwrap()
    assert fake.requests[-1].query["after"] == ["0"]
    assert [(p.part_number, p.size) for p in progress.parts] == [(1, 100)]
    assert progress.next_cursor is None

    files = [{"file_uid": file_uid, "generation_uid": generation}]
    finalized = client.run(uploads.managed_finalize(REC, SESSION, files)).unwrap()
    assert fake.requests[-1].body == {**ENVELOPE, "files": files}
    assert isinstance(finalized, ManagedFinalizeResponse)
    assert finalized.finalization.state == "pending"
