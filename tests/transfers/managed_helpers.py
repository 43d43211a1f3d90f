"""Shared pieces of the managed fleet upload tests: a seeded recording, source files of
more than one 64 MiB part written sparsely (distinct bytes in every part, so a misplaced
part shows in the digest), and what the fake's session and store hold."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from avala.testing import FakeAvala

REC = "4d6f0c1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f"
PART = 64 * 1024 * 1024
SESSIONS = "fleet_managed_sessions"


def seed_recording(fake: FakeAvala, uid: str = REC) -> str:
    fake.seed.fleet_recording(uid=uid)
    return uid


def write_mcap(path: Path, size: int, seed: int = 0) -> Path:
    """A ``size``-byte file: sparse, with 4 KiB of seeded bytes at the start of every
    64 MiB part and at its end."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        out.truncate(size)
        for offset in [*range(0, size, PART), max(0, size - 4096)]:
            out.seek(offset)
            block = bytes((i * 31 + seed + offset // PART) % 251 for i in range(4096))
            out.write(block[: size - offset])
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def sessions(fake: FakeAvala, uid: str = REC) -> list[dict[str, Any]]:
    return fake.store.where(SESSIONS, recording_uid=uid)


def managed_calls(fake: FakeAvala, suffix: str, uid: str = REC) -> list[Any]:
    path = f"/fleet/recordings/{uid}/managed-upload/{suffix}"
    return [r for r in fake.requests if r.path.endswith(path)]


def held_parts(fake: FakeAvala, path: str) -> set[int]:
    """The part numbers the store holds for ``path``'s open multipart upload."""
    (session,) = sessions(fake)
    (file,) = [f for f in session["files"] if f["path"] == path]
    return set(fake.objects.parts(file["upload_id"]))


def object_sha256(fake: FakeAvala, path: str) -> str | None:
    """The sha256 of the completed object of ``path``, None if there is none."""
    (session,) = sessions(fake)
    (file,) = [f for f in session["files"] if f["path"] == path]
    info = fake.objects.info(file["key"])
    return None if info is None else sha256_of(info.file)


def part_puts(fake: FakeAvala) -> list[Any]:
    return [r for r in fake.objects.requests if r.method == "PUT"]


def environ_for_child() -> dict[str, str]:
    return dict(os.environ)
