"""Crash-safe resume of a managed recording upload: the child process is killed with
SIGKILL once the store holds a part and the next one is held by a slow store; the rerun
is the same session, sends only the parts the store does not hold, and publishes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from avala import Client
from avala.testing import FakeAvala, StorageFault
from tests.transfers.managed_helpers import (
    PART,
    REC,
    held_parts,
    managed_calls,
    object_sha256,
    part_puts,
    seed_recording,
    sessions,
    sha256_of,
    write_mcap,
)
from tests.transfers.upload_helpers import KINDS, run
from tests.waiting import wait_for

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

CHILD = f"""
import sys
from avala import Client
source, = sys.argv[1:]
with Client() as client:
    client.run(client.fleet.uploads.upload_managed_recording({REC!r}, source, max_workers=1))
"""


@pytest.mark.parametrize("kind", KINDS)
def test_a_rerun_after_kill_9_sends_only_the_parts_the_store_lacks(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AVALA_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")
    seed_recording(fake)
    source = tmp_path / "src"
    big = write_mcap(source / "drive.mcap", PART + 3 * 1024 * 1024, seed=5)
    # part 1 goes through; part 2 is held after its body is read
    fake.objects.inject(StorageFault.delay(30), method="PUT", skip=1)

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(source)], env=env)
    try:

        def one_held_one_in_flight() -> bool:
            if not sessions(fake) or not sessions(fake)[0]["files"][0].get("upload_id"):
                return False
            held = any(r.fault and r.fault.kind == "delay" for r in fake.objects.requests)
            return held_parts(fake, "drive.mcap") == {1} and held

        wait_for(one_held_one_in_flight, "part 1 stored, part 2 in flight")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    (first,) = sessions(fake)
    fake.objects.clear_faults()
    fake.objects.clear_requests()

    rerun = client.fleet.uploads.upload_managed_recording(REC, source, wait_timeout=30)
    report = run(kind, rerun).unwrap()

    assert [r.query["partNumber"] for r in part_puts(fake)] == [["2"]]
    assert (report.session_uid, report.parts_sent, report.parts_skipped) == (first["uid"], 1, 1)
    assert len(sessions(fake)) == 1 and len(managed_calls(fake, "multipart/init/")) == 1
    assert report.status.finalization is not None
    assert report.status.finalization.state == "succeeded"
    assert object_sha256(fake, "drive.mcap") == sha256_of(big)
