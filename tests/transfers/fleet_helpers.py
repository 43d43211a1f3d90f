"""Shared pieces of the fleet recording upload tests: a seeded recording and what the
fake's store holds for it."""

from __future__ import annotations

from typing import Any

from avala.testing import FakeAvala

REC = "rec-1"


def seed_recording(fake: FakeAvala, uid: str = REC) -> str:
    fake.store.insert("fleet_devices", {"uid": "dev-1", "name": "Robot"})
    fake.store.insert("fleet_recordings", {"uid": uid, "device": "dev-1", "status": "pending"})
    return uid


def sessions(fake: FakeAvala, uid: str = REC) -> list[dict[str, Any]]:
    return fake.store.where("fleet_upload_sessions", recording_uid=uid)


def stored_files(fake: FakeAvala, uid: str = REC) -> dict[str, bytes]:
    """path -> bytes of every object under the recording's (single) session prefix."""
    (session,) = sessions(fake, uid)
    prefix = session["s3_prefix"]
    found = {}
    for key in fake.objects.keys(prefix):
        data = fake.objects.get(key)
        assert data is not None
        found[key[len(prefix) :]] = data
    return found


def fleet_calls(fake: FakeAvala, suffix: str, uid: str = REC) -> list[Any]:
    path = f"/fleet/recordings/{uid}/upload/{suffix}"
    return [r for r in fake.requests if r.path.endswith(path)]
