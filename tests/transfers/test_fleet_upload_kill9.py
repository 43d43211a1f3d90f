"""Crash-safe resume of a recording upload: the child process is killed with SIGKILL while
PUTs are held by a slow store; the rerun sends only the files the journal does not record
as confirmed, and the recording ends complete."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from avala import Client
from avala.testing import FakeAvala, StorageFault
from tests.transfers.fleet_helpers import REC, fleet_calls, seed_recording, sessions, stored_files
from tests.transfers.upload_helpers import KINDS, pattern, run, write_tree
from tests.waiting import wait_for

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

CHILD = """
import sys
from avala import Client
source, = sys.argv[1:]
with Client() as client:
    client.run(client.fleet.uploads.upload_recording("rec-1", source, max_workers=2))
"""
WORKERS = 2
TREE = {f"cam/{i}.mcap": pattern(50_000 + i, i) for i in range(8)}


@pytest.mark.parametrize("kind", KINDS)
def test_a_rerun_after_kill_9_sends_only_unconfirmed_files(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"
    monkeypatch.setenv("AVALA_STATE_DIR", str(state))
    seed_recording(fake)
    source = write_tree(tmp_path / "src", TREE)
    # three PUTs go through, then every PUT is held after its body is read
    fake.objects.inject(*[StorageFault.delay(30)] * 8, method="PUT", skip=3)

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(source)], env=env)
    try:

        def journaled() -> int:
            files = sorted((state / "uploads" / "recordings").glob("*.journal"))
            return files[0].read_text().count('"t":"stored"') if files else 0

        def held() -> int:
            return sum(1 for r in fake.objects.requests if r.fault and r.fault.kind == "delay")

        wait_for(lambda: journaled() == 3 and held() == WORKERS, "3 files stored, 2 in flight")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    fake.objects.clear_faults()
    prefix = sessions(fake)[0]["s3_prefix"]
    before = dict(fake.objects.bytes_received)
    confirmed = {f["path"] for c in fleet_calls(fake, "confirm/") for f in c.body["files"]}
    assert len(confirmed) == 3

    report = run(kind, client.fleet.uploads.upload_recording(REC, source, max_workers=WORKERS))

    done = report.unwrap()
    assert stored_files(fake) == TREE
    assert len(sessions(fake)) == 1 and done.status == "completed"
    assert set(done.skipped) == confirmed
    for path in confirmed:
        assert fake.objects.bytes_received[prefix + path] == before[prefix + path]
    # all in all: each file once, plus at most the files that were in flight
    total = sum(fake.objects.bytes_received[prefix + p] for p in TREE)
    largest = max(len(d) for d in TREE.values())
    assert total <= sum(len(d) for d in TREE.values()) + WORKERS * largest
