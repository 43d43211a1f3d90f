"""Downloads of presigned object URLs (``avala.download``) on both clients, against the
FakeAvala object store over real HTTP: what the store served, what landed at the
destination, the events in between."""

from __future__ import annotations

import asyncio
import hashlib
import os
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from returns.result import Failure, Result, Success

import avala
from avala import AsyncClient, AvalaError, Client, Downloaded
from avala.errors import IntegrityError, NotFoundError, ServerError, UnsafeUrlError
from avala.events import BytesReceived, Event, FileDownloaded, RetryScheduled
from avala.testing import FakeAvala
from avala.testing._object_faults import StorageFault
from avala.transfers._download import partial_path
from tests.conftest import FAST_RETRY

KINDS = ["sync", "async"]
MiB = 1024 * 1024


def run(
    kind: str, request: avala.Request[Any], events: list[Event] | None = None
) -> Result[Any, AvalaError]:
    on_event = None if events is None else events.append
    if kind == "sync":
        with Client(retry_policy=FAST_RETRY, timeout=10.0) as client:
            return client.run(request, on_event=on_event)

    async def main() -> Result[Any, AvalaError]:
        async with AsyncClient(retry_policy=FAST_RETRY, timeout=10.0) as client:
            return await client.run(request, on_event=on_event)

    return asyncio.run(main())


def stored(fake: FakeAvala, size: int, key: str = "objects/blob.bin") -> tuple[str, bytes]:
    """A presigned GET URL of ``size`` random bytes put in the store, and the bytes."""
    data = os.urandom(size)
    fake.objects.put(key, data)
    return fake.objects.presign("GET", key), data


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def received(events: list[Event]) -> int:
    return sum(e.count for e in events if isinstance(e, BytesReceived))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".avala-partial"))


@pytest.mark.parametrize("kind", KINDS)
def test_streams_the_object_to_dest_with_progress_and_no_api_key(
    kind: str, fake: FakeAvala, tmp_path: Path
) -> None:
    url, data = stored(fake, 3 * MiB + 17)
    dest = tmp_path / "out.bin"
    events: list[Event] = []

    result = run(kind, avala.download(url, dest, size=len(data), sha256=sha(data)), events)

    assert result == Success(Downloaded(str(dest), len(data), sha(data), len(data)))
    assert dest.read_bytes() == data
    assert leftovers(tmp_path) == []
    chunks = [e for e in events if isinstance(e, BytesReceived)]
    assert len(chunks) >= 3 and received(events) == len(data)
    assert events[-1] == FileDownloaded(str(dest), len(data))
    (get,) = fake.objects.requests
    assert get.method == "GET" and "range" not in get.headers
    assert "x-avala-api-key" not in get.headers
    assert fake.api_key not in repr(get.headers)


@pytest.mark.parametrize("kind", KINDS)
def test_without_size_or_digest_the_announced_length_is_the_check(
    kind: str, fake: FakeAvala, tmp_path: Path
) -> None:
    url, data = stored(fake, 100_000)
    dest = tmp_path / "plain.bin"
    assert run(kind, avala.download(url, dest)) == Success(
        Downloaded(str(dest), len(data), None, len(data))
    )
    assert dest.read_bytes() == data


@pytest.mark.parametrize("kind", KINDS)
def test_a_cut_download_resumes_with_range_and_fetches_only_the_rest(
    kind: str, fake: FakeAvala, tmp_path: Path
) -> None:
    url, data = stored(fake, 4 * MiB)
    cut = 3 * MiB // 2
    fake.objects.inject(StorageFault.cut(cut), method="GET")
    dest = tmp_path / "resumed.bin"
    events: list[Event] = []

    result = run(kind, avala.download(url, dest, sha256=sha(data)), events)

    assert result == Success(Downloaded(str(dest), len(data), sha(data), len(data)))
    assert dest.read_bytes() == data
    first, second = fake.objects.requests
    assert "range" not in first.headers
    assert second.headers["range"] == f"bytes={cut}-"
    assert fake.objects.bytes_served["objects/blob.bin"] == len(data)  # nothing twice
    assert received(events) == len(data)
    assert [e.attempt for e in events if isinstance(e, RetryScheduled)] == [1]


@pytest.mark.parametrize("kind", KINDS)
def test_a_store_that_answers_200_to_a_range_restarts_from_zero(
    kind: str, fake: FakeAvala, tmp_path: Path
) -> None:
    url, data = stored(fake, 2 * MiB)
    fake.objects.inject(StorageFault.cut(MiB), StorageFault.ignore_range(), method="GET")
    dest = tmp_path / "restarted.bin"
    events: list[Event] = []

    result = run(kind, avala.download(url, dest, size=len(data), sha256=sha(data)), events)

    assert result == Success(Downloaded(str(dest), len(data), sha(data), len(data)))
    assert dest.read_bytes() == data  # the partial file was truncated, not appended to
    assert fake.objects.requests[1].headers["range"] == f"bytes={MiB}-"
    assert fake.objects.bytes_served["objects/blob.bin"] == MiB + len(data)
    counts = [e.count for e in events if isinstance(e, BytesReceived)]
    assert -MiB in counts and sum(counts) == len(data)  # the thrown-away MiB taken back


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("size", "digest", "check"),
    [(123, None, "size"), (None, "0" * 64, "sha256"), (None, None, None)],
)
def test_a_mismatch_is_an_integrity_error_with_nothing_at_dest(
    kind: str,
    fake: FakeAvala,
    tmp_path: Path,
    size: int | None,
    digest: str | None,
    check: str | None,
) -> None:
    url, _data = stored(fake, 50_000)
    if check is None:  # the store's bytes changed under a known digest
        digest, check = sha(b"other bytes"), "sha256"
    dest = tmp_path / "bad.bin"
    events: list[Event] = []

    result = run(kind, avala.download(url, dest, size=size, sha256=digest), events)

    assert isinstance(result, Failure)
    error = result.failure()
    assert isinstance(error, IntegrityError) and error.check == check
    assert error.path == str(dest)
    assert not dest.exists() and leftovers(tmp_path) == []
    assert received(events) == 0  # what it had counted is taken back
    assert len(fake.objects.requests) == 1  # not retried: the same bytes would fail again


@pytest.mark.parametrize("kind", KINDS)
def test_a_store_sending_more_than_expected_is_stopped(
    kind: str, fake: FakeAvala, tmp_path: Path
) -> None:
    url, _data = stored(fake, 3 * MiB)
    result = run(kind, avala.download(url, tmp_path / "x.bin", size=MiB))
    assert isinstance(result, Failure) and isinstance(result.failure(), IntegrityError)
    assert fake.objects.bytes_served["objects/blob.bin"] <= 3 * MiB


@pytest.mark.parametrize("kind", KINDS)
def test_retries_5xx_with_retry_after_in_both_forms(
    kind: str, fake: FakeAvala, tmp_path: Path
) -> None:
    url, data = stored(fake, 10_000)
    later = datetime.now(UTC) + timedelta(seconds=1)
    fake.objects.inject(
        StorageFault.status(503, retry_after=0), StorageFault.status(500, retry_after=later)
    )
    dest = tmp_path / "r.bin"
    events: list[Event] = []
    result = run(kind, avala.download(url, dest, sha256=sha(data)), events)
    assert isinstance(result, Success) and dest.read_bytes() == data
    assert [e.reason for e in events if isinstance(e, RetryScheduled)] == ["HTTP 503", "HTTP 500"]
    assert len(fake.objects.requests) == 3


@pytest.mark.parametrize("kind", KINDS)
def test_gives_up_after_the_retries_with_a_typed_error_and_keeps_nothing(
    kind: str, fake: FakeAvala, tmp_path: Path
) -> None:
    url, _ = stored(fake, 1000)
    fake.objects.inject(*[StorageFault.status(503)] * 3)
    dest = tmp_path / "never.bin"
    result = run(kind, avala.download(url, dest))
    assert isinstance(result, Failure) and isinstance(result.failure(), ServerError)
    assert "X-Amz-Signature" not in str(result.failure())
    assert not dest.exists() and leftovers(tmp_path) == []


@pytest.mark.parametrize("kind", KINDS)
def test_a_missing_object_is_not_found(kind: str, fake: FakeAvala, tmp_path: Path) -> None:
    url = fake.objects.presign("GET", "objects/missing")
    result = run(kind, avala.download(url, tmp_path / "m.bin"))
    assert isinstance(result, Failure) and isinstance(result.failure(), NotFoundError)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("kind", KINDS)
def test_a_transport_failure_keeps_a_verifiable_partial_for_the_next_run(
    kind: str, fake: FakeAvala, tmp_path: Path
) -> None:
    url, data = stored(fake, 2 * MiB)
    dest = tmp_path / "later.bin"
    fake.objects.inject(StorageFault.cut(MiB // 2), *[StorageFault.status(503)] * 3, method="GET")
    first = run(kind, avala.download(url, dest, sha256=sha(data)))
    assert isinstance(first, Failure) and isinstance(first.failure(), ServerError)
    partial = Path(partial_path(str(dest), sha(data)))
    assert partial.stat().st_size == MiB // 2 and not dest.exists()

    fake.objects.clear_requests()
    events: list[Event] = []
    second = run(kind, avala.download(url, dest, sha256=sha(data)), events)

    assert second == Success(Downloaded(str(dest), len(data), sha(data), len(data) - MiB // 2))
    assert dest.read_bytes() == data and not partial.exists()
    assert fake.objects.requests[0].headers["range"] == f"bytes={MiB // 2}-"
    assert fake.objects.bytes_served["objects/blob.bin"] == len(data) - MiB // 2
    assert received(events) == len(data) - MiB // 2


@pytest.mark.parametrize("kind", KINDS)
def test_a_stale_partial_of_other_bytes_fails_the_digest_and_is_removed(
    kind: str, fake: FakeAvala, tmp_path: Path
) -> None:
    url, data = stored(fake, 4096)
    dest = tmp_path / "stale.bin"
    partial = Path(partial_path(str(dest), sha(data)))
    partial.write_bytes(b"x" * 100)
    result = run(kind, avala.download(url, dest, sha256=sha(data)))
    assert isinstance(result, Failure) and result.failure().check == "sha256"  # type: ignore[attr-defined]
    assert not partial.exists() and not dest.exists()
    assert run(kind, avala.download(url, dest, sha256=sha(data))).map(lambda d: d.size) == Success(
        4096
    )


@pytest.mark.parametrize("kind", KINDS)
def test_refuses_urls_off_the_host_rules_before_sending(
    kind: str, fake: FakeAvala, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = stored(fake, 10)
    monkeypatch.delenv("AVALA_ALLOW_INSECURE_BASE_URL")
    monkeypatch.setenv("AVALA_BASE_URL", "https://api.avala.ai/api/v1")
    for bad in (
        url,
        "https://evil.example.com/x?X-Amz-Signature=abc",
        "http://bucket.s3.amazonaws.com/k",
    ):
        result = run(kind, avala.download(bad, tmp_path / "u.bin"))
        assert isinstance(result, Failure) and isinstance(result.failure(), UnsafeUrlError)
        assert "abc" not in str(result.failure())
    assert fake.objects.requests == []


def test_builder_checks_its_arguments_and_hides_the_signature() -> None:
    request = avala.download("https://b.s3.amazonaws.com/k?X-Amz-Signature=secret", "d.bin")
    assert "secret" not in repr(request)
    with pytest.raises(ValueError, match="sha256"):
        avala.download("https://x", "d", sha256="abc")
    with pytest.raises(ValueError, match="size"):
        avala.download("https://x", "d", size=-1)
    with pytest.raises(ValueError, match="dest"):
        avala.download("https://x", "")
    assert avala.download("https://x", "d", sha256="A" * 64).sha256 == "a" * 64


def test_memory_stays_flat_for_a_64_mib_download(fake: FakeAvala, tmp_path: Path) -> None:
    data = os.urandom(64 * MiB)
    fake.objects.put("objects/big.bin", data)
    url = fake.objects.presign("GET", "objects/big.bin")
    digest = sha(data)
    del data
    dest = tmp_path / "big.bin"
    with Client(retry_policy=FAST_RETRY, timeout=30.0) as client:
        tracemalloc.start()
        try:
            result = client.run(avala.download(url, dest, sha256=digest))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert isinstance(result, Success) and dest.stat().st_size == 64 * MiB
    assert peak < 8 * MiB, f"peak {peak / MiB:.1f} MiB"
