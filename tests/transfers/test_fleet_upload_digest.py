"""The legacy fleet upload hashes each file once, in the read that sends it (issue 13):
the reported and journaled SHA-256 is that of the file and of what the store holds, a
retried PUT starts its digest afresh, and no file is read from disk twice."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from avala import Client
from avala.testing import FakeAvala, StorageFault
from avala.transfers._journal import FileStored, decode_journal
from tests.transfers.fleet_helpers import REC, seed_recording, stored_files
from tests.transfers.upload_helpers import KINDS, MiB, pattern, run, write_tree

TREE = {
    "cam/front.mcap": pattern(3 * MiB + 17, 1),  # several 1 MiB chunks
    "meta.json": b'{"robot": 7}',
    "empty.txt": b"",
}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "state"
    monkeypatch.setenv("AVALA_STATE_DIR", str(directory))
    return directory


def journaled(state: Path) -> dict[str, str | None]:
    (journal,) = (p for p in state.rglob("*") if p.is_file() and "recordings" in str(p))
    records = decode_journal(journal.read_bytes())
    return {r.path: r.sha256 for r in records if isinstance(r, FileStored)}


@pytest.mark.parametrize("kind", KINDS)
def test_the_report_and_journal_give_the_sha256_of_each_file_and_of_what_is_stored(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path, state: Path
) -> None:
    seed_recording(fake)
    source = write_tree(tmp_path / "src", TREE)

    report = run(kind, client.fleet.uploads.upload_recording(REC, source)).unwrap()

    expected = {path: sha(data) for path, data in TREE.items()}
    assert dict(report.sha256) == expected
    assert {p: sha(d) for p, d in stored_files(fake).items()} == expected
    assert journaled(state) == expected
    with pytest.raises(TypeError):
        report.sha256["meta.json"] = "0" * 64  # type: ignore[index]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "fault",
    [StorageFault.status(503), StorageFault.drop_before(), StorageFault.drop_after()],
    ids=["503", "drop_before", "drop_after"],
)
def test_a_retried_put_starts_its_digest_afresh(
    kind: str, fault: StorageFault, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    """Each fault comes after the whole body was sent: a digest carried over from the
    failed try would hash the file twice."""
    seed_recording(fake)
    source = write_tree(tmp_path / "src", TREE)
    fake.objects.inject(fault, method="PUT", key="*front.mcap")

    report = run(kind, client.fleet.uploads.upload_recording(REC, source)).unwrap()

    data = TREE["cam/front.mcap"]
    assert report.sha256["cam/front.mcap"] == sha(data)
    assert stored_files(fake)["cam/front.mcap"] == data
    assert len([r for r in fake.objects.requests if r.key.endswith("front.mcap")]) == 2


def test_a_rerun_reports_digests_only_for_what_it_stored(
    fake: FakeAvala, client: Client, tmp_path: Path, state: Path
) -> None:
    seed_recording(fake)
    source = write_tree(tmp_path / "src", TREE)
    request = client.fleet.uploads.upload_recording(REC, source)
    run("sync", request).unwrap()

    again = run("sync", request).unwrap()

    assert again.stored == () and dict(again.sha256) == {}


def test_old_journal_lines_without_a_digest_still_read() -> None:
    line = b'{"t":"stored","path":"a.bin","size":3,"mtime_ns":5}\n'
    (record,) = decode_journal(line)
    assert record == FileStored("a.bin", record.stamp) and record.sha256 is None  # type: ignore[union-attr]


READ_ONCE = """
import asyncio, json, sys
from avala import AsyncClient, Client

def rchar():
    with open("/proc/self/io") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("rchar:"))

kind, source = sys.argv[1], sys.argv[2]
if kind == "sync":
    client = Client()
    request = client.fleet.uploads.upload_recording("rec-1", source, max_workers=2)
    before = rchar()
    report = client.run(request).unwrap()
    after = rchar()
    client.close()
else:
    async def main():
        async with AsyncClient() as client:
            request = client.fleet.uploads.upload_recording("rec-1", source, max_workers=2)
            before = rchar()
            report = (await client.run(request)).unwrap()
            return before, rchar(), report
    before, after, report = asyncio.run(main())
print(json.dumps({"read": after - before, "sent": report.bytes_sent}))
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/io"), reason="needs Linux /proc/self/io")
@pytest.mark.parametrize("kind", KINDS)
def test_each_file_is_read_from_disk_once(kind: str, fake: FakeAvala, tmp_path: Path) -> None:
    """rchar of the uploading process (the fake serves from this one) counts every byte
    it read with read(); sockets are read with recv, which it does not count."""
    seed_recording(fake)
    files = {f"f/{i}.bin": pattern(MiB + i, i) for i in range(6)}
    source = write_tree(tmp_path / "src", files)
    total = sum(len(d) for d in files.values())

    done = subprocess.run(
        [sys.executable, "-c", READ_ONCE, kind, str(source)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        check=False,
    )

    assert done.returncode == 0, done.stderr
    measured = json.loads(done.stdout)
    assert measured["sent"] == total
    # once, plus the journal and a little else; a second read of the files would be 2x
    assert total <= measured["read"] < 1.1 * total, measured
