"""``datasets.upload_files`` on both clients against FakeAvala and its object store: whole
files and parts, events, bounded concurrency, retries, 403 refresh, resume."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from returns.result import Success

from avala import Client
from avala._object_transport import ObjectPut, ObjectReply, PooledObjectTransport
from avala.events import BytesSent, FileSkipped, FileStarted, FileStored, PartStored
from avala.testing import FakeAvala, Fault, StorageFault
from avala.transfers._dataset_upload import UploadReport
from tests.transfers.upload_helpers import (
    KINDS,
    Events,
    MiB,
    journal_files,
    pattern,
    run,
    sent_to,
    stored,
    touch,
    write_tree,
)


@pytest.fixture(autouse=True)
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path / "state"
    monkeypatch.setenv("AVALA_STATE_DIR", str(state))
    return state


def folder(tmp_path: Path) -> dict[str, bytes]:
    files = {f"cam{i % 2}/{i:03}.jpg": pattern(1000 + i * 37, i) for i in range(12)}
    files["empty.txt"] = b""
    write_tree(tmp_path / "src", files)
    return files


def pairs(tmp_path: Path, files: dict[str, bytes]) -> list[tuple[str, str]]:
    return [(str(tmp_path / "src" / name), name) for name in files]


@pytest.mark.parametrize("kind", KINDS)
def test_a_folder_of_files_is_stored_and_reported(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path, state_dir: Path
) -> None:
    files = folder(tmp_path)
    events = Events()
    request = client.datasets.upload_files(dataset_name="run-7", files=pairs(tmp_path, files))
    report = run(kind, request, events).unwrap()

    assert report == UploadReport(
        dataset_name="run-7",
        batch_uid=report.batch_uid,
        stored=tuple(sorted(files)),
        skipped=(),
        bytes_sent=sum(len(d) for d in files.values()),
    )
    for name, data in files.items():
        assert stored(fake, "run-7", name) == data
    presigns = sent_to(fake, "/file-upload-url/")
    assert {r.body["dataset_upload_uid"] for r in presigns} == {report.batch_uid}
    assert {r.body["upload_protocol_version"] for r in presigns} == {2}
    assert len(sent_to(fake, "/complete/")) == len(files)
    # the events: one start and one stored per file, bytes adding up per file
    assert Counter(e.path for e in events.of(FileStarted)) == Counter(
        str(tmp_path / "src" / n) for n in files
    )
    by_path: Counter[str] = Counter()
    for e in events.of(BytesSent):
        by_path[e.path] += e.count
    assert {e.path: e.size for e in events.of(FileStored)} == {
        str(tmp_path / "src" / n): len(d) for n, d in files.items() if d
    } | {str(tmp_path / "src" / "empty.txt"): 0}
    assert {p: c for p, c in by_path.items() if c} == {
        str(tmp_path / "src" / n): len(d) for n, d in files.items() if d
    }
    assert len(journal_files(state_dir)) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_rerun_skips_every_stored_file(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    files = folder(tmp_path)
    request = client.datasets.upload_files(dataset_name="run-7", files=pairs(tmp_path, files))
    first = run(kind, request).unwrap()
    fake.clear_requests()
    fake.objects.clear_requests()
    events = Events()
    again = run(kind, request, events).unwrap()
    assert again.batch_uid == first.batch_uid
    assert (again.stored, again.skipped, again.bytes_sent) == ((), tuple(sorted(files)), 0)
    assert sent_to(fake, "/file-upload-url/") == [] and fake.objects.requests == []
    assert len(events.of(FileSkipped)) == len(files)


@pytest.mark.parametrize("kind", KINDS)
def test_multipart_parts_go_concurrently_and_assemble(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path, state_dir: Path
) -> None:
    fake.multipart_threshold = 0
    fake.part_size = 5 * MiB
    files = {"big.bin": pattern(5 * 5 * MiB + 123), "small.bin": pattern(7 * MiB, 3)}
    write_tree(tmp_path / "src", files)
    events = Events()
    request = client.datasets.upload_files(
        dataset_name="vid", files=pairs(tmp_path, files), workers=3
    )
    report = run(kind, request, events).unwrap()

    assert report.bytes_sent == sum(len(d) for d in files.values())
    for name, data in files.items():
        assert stored(fake, "vid", name) == data
    parts = sorted((e.path.rsplit("/", 1)[1], e.part_number) for e in events.of(PartStored))
    assert parts == [("big.bin", n) for n in range(1, 7)] + [("small.bin", 1), ("small.bin", 2)]
    # part URLs asked for a window at a time, never one call per part
    grants = sent_to(fake, "/parts/")
    asked = [n for r in grants for n in r.body["part_numbers"]]
    assert sorted(asked) == [1, 1, 2, 2, 3, 4, 5, 6]
    assert len(grants) < len(asked)
    assert max(len(r.body["part_numbers"]) for r in grants) == 3
    journal = journal_files(state_dir)[0].read_text()
    assert journal.count('"t":"part"') == 8 and journal.count('"t":"stored"') == 2


class CountingTransport(PooledObjectTransport):
    """The real object transport, counting the PUTs in flight at once."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._now = 0
        self.peak = 0

    def put(self, op: ObjectPut, on_bytes: Callable[[int], None]) -> ObjectReply:
        with self._lock:
            self._now += 1
            self.peak = max(self.peak, self._now)
        try:
            return super().put(op, on_bytes)
        finally:
            with self._lock:
                self._now -= 1


@pytest.mark.parametrize("kind", KINDS)
def test_at_most_workers_transfers_are_in_flight(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    fake.multipart_threshold = 6 * MiB
    fake.part_size = 5 * MiB
    files = {"a.bin": pattern(15 * MiB + 1), **{f"s{i}.bin": pattern(10 + i) for i in range(5)}}
    write_tree(tmp_path / "src", files)
    fake.objects.inject(*[StorageFault.delay(0.3)] * 20, method="PUT")
    transport = CountingTransport()
    request = client.datasets.upload_files(
        dataset_name="d", files=pairs(tmp_path, files), workers=3
    )
    assert isinstance(run(kind, request, object_transport=transport), Success)
    # files and parts share one window: 9 transfers, each held 0.3 s, 3 at a time
    assert transport.peak == 3
    assert fake.objects.connections_opened <= 3  # keep-alive: no connection per file


@pytest.mark.parametrize("kind", KINDS)
def test_a_dropped_put_is_retried_and_an_expired_part_url_refreshed(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    fake.multipart_threshold = 6 * MiB
    fake.part_size = 5 * MiB
    files = {"a.bin": pattern(2 * MiB), "b.bin": pattern(11 * MiB, 1)}
    write_tree(tmp_path / "src", files)
    fake.objects.inject(StorageFault.drop_after(), method="PUT", key=".staging/*")
    fake.objects.inject(StorageFault.expired(), method="PUT", key="*b.bin", skip=1)
    events = Events()
    request = client.datasets.upload_files(dataset_name="d", files=pairs(tmp_path, files))
    report = run(kind, request, events).unwrap()
    for name, data in files.items():
        assert stored(fake, "d", name) == data
    grants = [n for r in sent_to(fake, "/parts/") for n in r.body["part_numbers"]]
    assert len(grants) == 3 + 1  # one part asked for again after its 403
    # a.bin's PUT was stored, then its answer lost: the retry is a 412 (stored already),
    # so it counts no bytes, and its events took the lost try's bytes back
    puts = [r for r in fake.objects.requests if r.method == "PUT" and "staging" in r.key]
    assert [r.fault.kind if r.fault else None for r in puts] == ["drop_after", None]
    assert report.bytes_sent == len(files["b.bin"])
    total: Counter[str] = Counter()
    for e in events.of(BytesSent):
        total[e.path] += e.count
    assert sum(total.values()) == report.bytes_sent


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_changed_since_stored_is_sent_again(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    files = {"a.txt": b"first", "b.txt": b"other"}
    write_tree(tmp_path / "src", files)
    request = client.datasets.upload_files(dataset_name="d", files=pairs(tmp_path, files))
    first = run(kind, request).unwrap()
    touch(tmp_path / "src" / "a.txt", b"second!")
    again = run(kind, request).unwrap()
    assert stored(fake, "d", "a.txt") == b"second!"
    assert "a.txt" in again.stored
    assert again.batch_uid != first.batch_uid  # one server session per (batch, path)


@pytest.mark.parametrize("kind", KINDS)
def test_a_rotated_api_key_keeps_the_progress(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    files = {"a.txt": b"a" * 10, "b.txt": b"b" * 20}
    write_tree(tmp_path / "src", files)
    request = client.datasets.upload_files(dataset_name="d", files=pairs(tmp_path, files))
    first = run(kind, request).unwrap()
    fake.api_key = "rotated-key"
    fake.clear_requests()
    again = run(kind, request, api_key="rotated-key").unwrap()
    assert again.batch_uid == first.batch_uid
    assert (again.skipped, again.bytes_sent) == (("a.txt", "b.txt"), 0)
    assert sent_to(fake, "/file-upload-url/") == []


@pytest.mark.parametrize("kind", KINDS)
def test_a_5xx_on_presign_parts_or_complete_is_retried(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    fake.multipart_threshold = 0
    fake.part_size = 5 * MiB
    files = {"v.bin": pattern(6 * MiB)}
    write_tree(tmp_path / "src", files)
    for path in ("/datasets/manual-upload/file-upload-url/", "*/parts/", "*/complete/"):
        fake.inject(Fault.status(503), method="POST", path=path)
    request = client.datasets.upload_files(dataset_name="d", files=pairs(tmp_path, files))
    assert run(kind, request).unwrap().stored == ("v.bin",)
    assert stored(fake, "d", "v.bin") == files["v.bin"]
    keys = [r.headers.get("idempotency-key") for r in fake.requests if r.method == "POST"]
    assert all(keys) and len(keys) == 2 * 3
