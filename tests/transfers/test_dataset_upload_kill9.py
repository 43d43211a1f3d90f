"""Crash-safe resume: an upload in a child process is killed with SIGKILL while parts are
on the wire; the rerun sends only what the journal does not record as stored."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from avala import Client
from avala.events import FileSkipped
from avala.testing import FakeAvala, StorageFault
from tests.transfers.upload_helpers import KINDS, Events, MiB, journal_files, pattern, run
from tests.waiting import wait_for

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

CHILD = """
import sys
from avala import Client
path, = sys.argv[1:]
with Client() as client:
    client.run(client.datasets.upload_files(dataset_name="d", files=[(path, "big.bin")], workers=2))
"""
PART = 5 * MiB
WORKERS = 2


@pytest.mark.parametrize("kind", KINDS)
def test_a_rerun_after_kill_9_resends_at_most_the_parts_in_flight(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"
    monkeypatch.setenv("AVALA_STATE_DIR", str(state))
    fake.multipart_threshold = 0
    fake.part_size = PART
    data = pattern(8 * PART + 1)  # 9 parts
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    key = f"__u__=/{fake.user_uid}/d/big.bin"
    # two parts go through, then every PUT is held after its body is read: a slow store
    fake.objects.inject(*[StorageFault.delay(30)] * 9, method="PUT", skip=2)

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(source)], env=env)
    try:

        def journaled() -> int:
            files = journal_files(state)
            return files[0].read_text().count('"t":"part"') if files else 0

        def held() -> int:
            return sum(1 for r in fake.objects.requests if r.fault and r.fault.kind == "delay")

        wait_for(lambda: journaled() == 2 and held() == WORKERS, "2 parts stored, 2 in flight")
        wait_for(lambda: fake.objects.bytes_received[key] == 4 * PART, "the held bodies read")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    fake.objects.clear_faults()
    before = fake.objects.bytes_received[key]
    events = Events()
    request = client.datasets.upload_files(
        dataset_name="d", files=[(str(source), "big.bin")], workers=WORKERS
    )
    report = run(kind, request, events).unwrap()

    resent = fake.objects.bytes_received[key] - before
    assert resent == len(data) - 2 * PART  # the 2 stored parts were not sent again
    # all in all: the file once, plus at most the parts that were in flight
    assert fake.objects.bytes_received[key] <= len(data) + WORKERS * PART
    assert report.bytes_sent == resent
    assert fake.objects.get(key) == data
    assert events.of(FileSkipped) == []
