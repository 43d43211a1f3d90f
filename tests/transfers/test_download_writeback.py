"""A download flushes its partial file to disk in the background as it arrives, so the
fsync before the rename waits only for the tail; that fsync still comes before the
rename, and the flusher never outlives its download (threads, descriptors)."""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path
from typing import Any

import pytest

import avala
import avala._object_get as object_get
from avala.testing import FakeAvala
from avala.testing._object_faults import StorageFault
from tests.transfers.test_download import KINDS, MiB, run, sha, stored


def run_once(kind: str, request: avala.Request[Any]) -> Any:
    """``request`` on a client that does not retry."""
    if kind == "sync":
        with avala.Client(max_retries=0, timeout=10.0) as client:
            return client.run(request)

    async def main() -> Any:
        async with avala.AsyncClient(max_retries=0, timeout=10.0) as client:
            return await client.run(request)

    return asyncio.run(main())


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def steps(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(what, thread name) of every background flush, fsync and rename, in order."""
    seen: list[tuple[str, str]] = []
    lock = threading.Lock()

    def recorder(what: str, original: Any) -> Any:
        def call(*args: Any) -> Any:
            result = original(*args)
            with lock:
                seen.append((what, threading.current_thread().name))
            return result

        return call

    monkeypatch.setattr(object_get, "_flush", recorder("flush", object_get._flush))
    monkeypatch.setattr(os, "fsync", recorder("fsync", os.fsync))
    monkeypatch.setattr(os, "replace", recorder("replace", os.replace))
    return seen


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts /proc/self/fd")
@pytest.mark.parametrize("kind", KINDS)
def test_the_partial_file_is_flushed_while_it_arrives_and_fsynced_before_the_rename(
    kind: str, fake: FakeAvala, tmp_path: Path, steps: list[tuple[str, str]]
) -> None:
    url, data = stored(fake, 3 * object_get.WRITEBACK_STEP + 5)
    dest = tmp_path / "blob.bin"
    fds = open_fds()

    result = run(kind, avala.download(url, dest, size=len(data)))

    assert result.unwrap().size == len(data) and sha(dest.read_bytes()) == sha(data)
    flushes = [s for s in steps if s[0] == "flush"]
    assert len(flushes) >= 1 and all(name == "avala-writeback" for _, name in flushes)
    whats = [what for what, _ in steps]
    renamed = whats.index("replace")
    assert "flush" not in whats[renamed:]  # no flusher left running after the rename
    flushed = max(i for i, w in enumerate(whats) if w == "flush")
    assert "fsync" in whats[flushed:renamed]  # the whole file fsynced, then renamed
    assert "avala-writeback" not in {t.name for t in threading.enumerate()}
    assert open_fds() == fds


@pytest.mark.parametrize("kind", KINDS)
def test_a_small_download_starts_no_flusher(
    kind: str, fake: FakeAvala, tmp_path: Path, steps: list[tuple[str, str]]
) -> None:
    url, data = stored(fake, MiB)
    run(kind, avala.download(url, tmp_path / "small.bin", size=len(data))).unwrap()
    assert [s for s in steps if s[0] == "flush"] == []
    assert any(s[0] == "fsync" for s in steps)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts /proc/self/fd")
@pytest.mark.parametrize("kind", KINDS)
def test_a_cut_download_stops_its_flusher(kind: str, fake: FakeAvala, tmp_path: Path) -> None:
    url, data = stored(fake, 3 * object_get.WRITEBACK_STEP)
    fake.objects.inject(StorageFault.cut(2 * object_get.WRITEBACK_STEP + 7), method="GET")
    dest = tmp_path / "blob.bin"
    fds = open_fds()

    failed = run_once(kind, avala.download(url, dest, size=len(data), sha256=sha(data)))

    assert failed.failure() is not None
    assert not dest.exists()
    assert "avala-writeback" not in {t.name for t in threading.enumerate()}
    assert open_fds() == fds
