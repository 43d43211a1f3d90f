"""Crash-safe resume of a download: the child process is killed with SIGKILL while the
store stalls half way through the object; the rerun keeps the verified bytes of the
partial file, fetches only the rest with Range, and the destination appears only then."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from avala.testing import FakeAvala, StorageFault
from avala.transfers._download import partial_path
from avala.transfers._values import download
from tests.transfers.upload_helpers import KINDS, run
from tests.waiting import wait_for

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

MiB = 1024 * 1024
SIZE = 24 * MiB
HALF = 12 * MiB

CHILD = """
import sys
from avala import Client, download
url, dest, digest = sys.argv[1:]
with Client() as client:
    client.run(download(url, dest, sha256=digest))
"""


@pytest.mark.parametrize("kind", KINDS)
def test_a_rerun_after_kill_9_fetches_only_what_the_partial_file_lacks(
    kind: str, fake: FakeAvala, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")
    data = os.urandom(SIZE)
    digest = hashlib.sha256(data).hexdigest()
    fake.objects.put("exports/big.bin", data)
    url = fake.objects.presign("GET", "exports/big.bin", expires_in=3600)
    dest = tmp_path / "big.bin"
    partial = Path(partial_path(str(dest), digest))
    fake.objects.inject(StorageFault.stall(HALF, 30), method="GET")

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, url, str(dest), digest], env=env)
    try:
        # the whole first half written (and served); the rest is held by the store
        wait_for(
            lambda: partial.exists() and partial.stat().st_size == HALF,
            "half of the object in the partial file",
        )
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert not dest.exists()  # nothing at dest until verified
    fake.objects.clear_faults()
    served_before = fake.objects.bytes_served["exports/big.bin"]

    result = run(kind, download(url, dest, sha256=digest)).unwrap()

    assert dest.read_bytes() == data and not partial.exists()
    assert (result.size, result.sha256, result.bytes_fetched) == (SIZE, digest, SIZE - HALF)
    assert fake.objects.bytes_served["exports/big.bin"] - served_before == SIZE - HALF
    (resumed,) = [r for r in fake.objects.requests if r.method == "GET"][-1:]
    assert resumed.headers.get("range") == f"bytes={HALF}-"
