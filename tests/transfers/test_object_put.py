"""PutObject on both clients against small real servers on 127.0.0.1: what the store
received, what the caller got, the events in between."""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import os
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from returns.result import Result, Success

from avala import AsyncClient, AvalaError, Client, ForbiddenError, pure
from avala.errors import ClientClosedError, ServerError, SourceChangedError, UnsafeUrlError
from avala.events import BytesSent, Event, RetryScheduled
from avala.transfers._stamp import Stamp
from avala.transfers._values import Presigned, PutObject, Stored, presigned, put_object
from tests.conftest import FAST_RETRY
from tests.hostile import HostileServer, Reply, response
from tests.transfers.object_sink import Behaviour, ObjectSink, object_sink

KINDS = ["sync", "async"]
API_KEY = "k" * 40
SIG = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


@pytest.fixture(autouse=True)
def loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")


@pytest.fixture
def sink() -> Iterator[ObjectSink]:
    with object_sink() as s:
        yield s


def make_file(tmp_path: Path, size: int, name: str = "data.bin") -> tuple[Path, Stamp]:
    path = tmp_path / name
    path.write_bytes(os.urandom(size))
    st = path.stat()
    return path, Stamp(st.st_size, st.st_mtime_ns)


def client_kwargs(**extra: Any) -> dict[str, Any]:
    return {
        "api_key": API_KEY,
        "base_url": "http://127.0.0.1:9/api/v1",  # never contacted
        "retry_policy": FAST_RETRY,
        "timeout": 5.0,
        **extra,
    }


def run(
    kind: str,
    request: Any,
    *,
    on_event: Any = "collect",
    **extra: Any,
) -> tuple[Result[Any, AvalaError], list[Event]]:
    events: list[Event] = []
    handler = events.append if on_event == "collect" else on_event
    if kind == "sync":
        with Client(**client_kwargs(**extra)) as client:
            return client.run(request, on_event=handler), events

    async def main() -> Result[Any, AvalaError]:
        async with AsyncClient(**client_kwargs(**extra)) as client:
            return await client.run(request, on_event=handler)

    return asyncio.run(main()), events


def sent_counts(events: list[Event]) -> int:
    return sum(e.count for e in events if isinstance(e, BytesSent))


@pytest.mark.parametrize("kind", KINDS)
def test_put_streams_the_slice_and_reports_its_bytes(
    kind: str, sink: ObjectSink, tmp_path: Path
) -> None:
    path, stamp = make_file(tmp_path, 3 * 1024 * 1024 + 5)
    data = path.read_bytes()
    request = put_object(
        sink.url("/b/part"), path, stamp=stamp, offset=1000, length=2 * 1024 * 1024 + 7
    )
    result, events = run(kind, request)
    expected = data[1000 : 1000 + 2 * 1024 * 1024 + 7]
    got = sink.received[0]
    assert got.length == len(expected)
    assert got.sha256 == hashlib.sha256(expected).hexdigest()
    assert result == Success(Stored(f'"{got.sha256[:32]}"', len(expected)))
    counts = [e.count for e in events if isinstance(e, BytesSent)]
    assert len(counts) == 3 and sum(counts) == len(expected)
    assert all(e.path == str(path) for e in events if isinstance(e, BytesSent))


@pytest.mark.parametrize("kind", KINDS)
def test_digest_is_the_sha256_of_the_slice_sent_and_off_unless_asked(
    kind: str, sink: ObjectSink, tmp_path: Path
) -> None:
    path, stamp = make_file(tmp_path, 2 * 1024 * 1024 + 3)
    expected = path.read_bytes()[5 : 5 + 1024 * 1024 + 9]
    digested = put_object(
        sink.url("/b/d"), path, stamp=stamp, offset=5, length=len(expected), digest=True
    )
    plain = put_object(sink.url("/b/p"), path, stamp=stamp)

    result, _ = run(kind, digested)
    plain_result, _ = run(kind, plain)

    assert result.unwrap().sha256 == hashlib.sha256(expected).hexdigest() == sink.received[0].sha256
    assert plain_result.unwrap().sha256 is None
    assert "digest=True" in repr(digested) and "digest=" not in repr(plain)


@pytest.mark.parametrize("kind", KINDS)
def test_the_api_key_never_reaches_storage(kind: str, sink: ObjectSink, tmp_path: Path) -> None:
    path, stamp = make_file(tmp_path, 10)
    request = put_object(sink.url("/b/k"), path, stamp=stamp, headers={"x-amz-meta-a": "1"})
    result, _ = run(kind, request)
    assert isinstance(result, Success)
    headers = {k.lower(): v for k, v in sink.received[0].headers.items()}
    assert headers["x-amz-meta-a"] == "1"
    assert headers["content-length"] == "10"
    assert "x-avala-api-key" not in headers
    assert API_KEY not in repr(headers)


@pytest.mark.parametrize("kind", KINDS)
def test_puts_reuse_one_keep_alive_connection(kind: str, sink: ObjectSink, tmp_path: Path) -> None:
    from avala import sequence

    path, stamp = make_file(tmp_path, 1000)
    puts = [put_object(sink.url(f"/b/{n}"), path, stamp=stamp) for n in range(5)]
    result, _ = run(kind, sequence(*puts))
    assert isinstance(result, Success)
    assert len(sink.received) == 5
    assert sink.connections == 1


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_503_is_retried_honouring_retry_after(
    kind: str, form: str, sink: ObjectSink, tmp_path: Path
) -> None:
    path, stamp = make_file(tmp_path, 1500)
    after = "30" if form == "seconds" else email.utils.formatdate(time.time() + 30, usegmt=True)
    sink.plan("/b/k", Behaviour(503, headers={"Retry-After": after}), Behaviour(200))
    result, events = run(kind, put_object(sink.url("/b/k"), path, stamp=stamp))
    assert isinstance(result, Success) and result.unwrap().bytes_sent == 1500
    assert len(sink.attempts) == 2
    retries = [e for e in events if isinstance(e, RetryScheduled)]
    # FAST_RETRY caps Retry-After at 0.05 s and backs off at most 0.01 s: the cap shows the
    # header was read, in either form.
    assert [(r.attempt, r.delay, r.reason) for r in retries] == [(1, 0.05, "HTTP 503")]
    assert retries[0].what == f"PUT {path}"
    assert sent_counts(events) == 1500  # the failed try's bytes were taken back


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("status", [408, 429, 500, 502])
def test_retryable_statuses_then_success(
    kind: str, status: int, sink: ObjectSink, tmp_path: Path
) -> None:
    path, stamp = make_file(tmp_path, 10)
    sink.plan("/b/k", Behaviour(status), Behaviour(status), Behaviour(200))
    result, _ = run(kind, put_object(sink.url("/b/k"), path, stamp=stamp))
    assert isinstance(result, Success)
    assert len(sink.attempts) == 3


@pytest.mark.parametrize("kind", KINDS)
def test_retries_run_out_into_a_typed_redacted_error(
    kind: str, sink: ObjectSink, tmp_path: Path
) -> None:
    path, stamp = make_file(tmp_path, 10)
    body = b"<Error><Code>InternalError</Code><Message>try later</Message></Error>"
    sink.plan("/b/k", *[Behaviour(500, body=body)] * 3)
    result, _ = run(kind, put_object(sink.url("/b/k"), path, stamp=stamp))
    error = result.failure()
    assert isinstance(error, ServerError) and error.status_code == 500
    assert "InternalError: try later" in str(error) and str(path) in str(error)
    assert SIG not in str(error) and SIG not in repr(error)
    assert len(sink.attempts) == 3  # max_retries=2


@pytest.mark.parametrize("kind", KINDS)
def test_a_broken_connection_is_retried(kind: str, hostile: Any, tmp_path: Path) -> None:
    path, stamp = make_file(tmp_path, 100)
    server: HostileServer = hostile(
        [Reply([b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab"], close=True)],
        [Reply([response("200 OK", headers=[("ETag", '"e"')])])],
    )
    url = f"http://127.0.0.1:{server.port}/b/k?X-Amz-Signature={SIG}"
    result, events = run(kind, put_object(url, path, stamp=stamp))
    # The first answer's body was cut short; a PUT may be sent again.
    assert result == Success(Stored('"e"', 100))
    assert server.request_lines == [f"PUT /b/k?X-Amz-Signature={SIG} HTTP/1.1"] * 2
    assert sent_counts(events) == 100


@pytest.mark.parametrize("kind", KINDS)
def test_a_digest_survives_a_cut_answer_and_a_retry(
    kind: str, hostile: Any, tmp_path: Path
) -> None:
    path, stamp = make_file(tmp_path, 100)
    server: HostileServer = hostile(
        [Reply([b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab"], close=True)],
        [Reply([response("200 OK", headers=[("ETag", '"e"')])])],
    )
    url = f"http://127.0.0.1:{server.port}/b/k?X-Amz-Signature={SIG}"
    result, _ = run(kind, put_object(url, path, stamp=stamp, digest=True))
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    assert result == Success(Stored('"e"', 100, sha256=expected))
    assert len(server.request_lines) == 2


@pytest.mark.parametrize("kind", KINDS)
def test_412_means_already_stored(kind: str, sink: ObjectSink, tmp_path: Path) -> None:
    path, stamp = make_file(tmp_path, 2000)
    sink.plan("/b/k", Behaviour(412))
    result, events = run(kind, put_object(sink.url("/b/k"), path, stamp=stamp))
    assert result == Success(Stored(None, 0, already=True))
    assert sent_counts(events) == 0


EXPIRED = b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"


@pytest.mark.parametrize("kind", KINDS)
def test_403_runs_refresh_and_goes_on(kind: str, sink: ObjectSink, tmp_path: Path) -> None:
    path, stamp = make_file(tmp_path, 10)
    sink.plan("/b/old", Behaviour(403, body=EXPIRED))
    fresh = pure(presigned(sink.url("/b/new"), {"x-amz-meta-v": "2"}))
    result, events = run(kind, put_object(sink.url("/b/old"), path, stamp=stamp, refresh=fresh))
    assert isinstance(result, Success)
    assert [r.path.split("?")[0] for r in sink.attempts] == ["/b/old", "/b/new"]
    assert sink.attempts[1].headers["x-amz-meta-v"] == "2"
    assert sent_counts(events) == 10


@pytest.mark.parametrize("kind", KINDS)
def test_403_again_after_a_refresh_is_the_failure(
    kind: str, sink: ObjectSink, tmp_path: Path
) -> None:
    path, stamp = make_file(tmp_path, 10)
    sink.plan("/b/new", Behaviour(403, body=EXPIRED))
    fresh = pure(presigned(sink.url("/b/new")))
    request = put_object(sink.url("/b/old"), path, stamp=stamp, refresh=fresh)
    sink.plan("/b/old", Behaviour(403, body=EXPIRED))
    result, _ = run(kind, request)
    error = result.failure()
    assert isinstance(error, ForbiddenError) and "Request has expired" in str(error)
    assert len(sink.attempts) == 2


@pytest.mark.parametrize("kind", KINDS)
def test_403_without_refresh_fails_typed(kind: str, sink: ObjectSink, tmp_path: Path) -> None:
    path, stamp = make_file(tmp_path, 10)
    sink.plan("/b/k", Behaviour(403, body=EXPIRED + b"<SignatureProvided>" + SIG.encode()))
    result, _ = run(kind, put_object(sink.url("/b/k"), path, stamp=stamp))
    error = result.failure()
    assert isinstance(error, ForbiddenError)
    assert SIG not in str(error) and SIG not in repr(error) and SIG not in repr(error.body)


@pytest.mark.parametrize("kind", KINDS)
def test_a_refused_url_sends_nothing(
    kind: str, sink: ObjectSink, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AVALA_ALLOW_INSECURE_BASE_URL")
    path, stamp = make_file(tmp_path, 10)
    request = put_object(sink.url("/b/k"), path, stamp=stamp)
    result, _ = run(kind, request, base_url="https://api.avala.ai/api/v1")  # never contacted
    error = result.failure()
    assert isinstance(error, UnsafeUrlError) and SIG not in str(error)
    assert sink.connections == 0


@pytest.mark.parametrize("kind", KINDS)
def test_a_refreshed_url_is_checked_too(kind: str, sink: ObjectSink, tmp_path: Path) -> None:
    path, stamp = make_file(tmp_path, 10)
    sink.plan("/b/k", Behaviour(403, body=EXPIRED))
    fresh = pure(presigned("https://evil.example.com/k"))
    result, _ = run(kind, put_object(sink.url("/b/k"), path, stamp=stamp, refresh=fresh))
    assert isinstance(result.failure(), UnsafeUrlError)
    assert len(sink.attempts) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_changed_before_the_send_is_not_sent(
    kind: str, sink: ObjectSink, tmp_path: Path
) -> None:
    path, stamp = make_file(tmp_path, 10)
    path.write_bytes(b"0123456789a")
    result, _ = run(kind, put_object(sink.url("/b/k"), path, stamp=stamp))
    error = result.failure()
    assert isinstance(error, SourceChangedError) and error.path == str(path)
    assert sink.connections == 0


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_changed_while_sending_is_never_stored(
    kind: str, sink: ObjectSink, tmp_path: Path
) -> None:
    # 16 MiB: far more than loopback socket buffers hold, so the client is still reading
    # the file when the store, having got the first bytes, touches it.
    path, stamp = make_file(tmp_path, 16 * 1024 * 1024)

    def touch() -> None:
        os.utime(path, ns=(stamp.mtime_ns + 10**9, stamp.mtime_ns + 10**9))

    sink.plan("/b/k", Behaviour(on_first_bytes=touch))
    result, events = run(kind, put_object(sink.url("/b/k"), path, stamp=stamp))
    error = result.failure()
    assert isinstance(error, SourceChangedError) and str(path) in str(error)
    assert sent_counts(events) == 0  # what was sent was taken back
    assert sink.attempts == []  # the body was cut short: the store kept nothing


@pytest.mark.parametrize("kind", KINDS)
def test_events_never_change_the_result(kind: str, sink: ObjectSink, tmp_path: Path) -> None:
    path, stamp = make_file(tmp_path, 2 * 1024 * 1024)
    sink.plan("/b/1", Behaviour(503), Behaviour(200))
    sink.plan("/b/2", Behaviour(503), Behaviour(200))
    with_events, events = run(kind, put_object(sink.url("/b/1"), path, stamp=stamp))
    without, _ = run(kind, put_object(sink.url("/b/2"), path, stamp=stamp), on_event=None)
    assert events and with_events == without


def test_a_closed_client_sends_nothing(sink: ObjectSink, tmp_path: Path) -> None:
    path, stamp = make_file(tmp_path, 10)
    client = Client(**client_kwargs())
    request = put_object(sink.url("/b/k"), path, stamp=stamp)
    program = client._interpreter.start(request)
    instruction = next(program)
    client.close()
    answer = client._send_object(instruction, time.monotonic(), None)  # type: ignore[arg-type]
    assert isinstance(answer, ClientClosedError)
    assert sink.connections == 0


def test_a_progress_callback_error_is_raised_not_retried(sink: ObjectSink, tmp_path: Path) -> None:
    path, stamp = make_file(tmp_path, 10)

    def broken(event: Event) -> None:
        raise ZeroDivisionError("bug in the caller's callback")

    with Client(**client_kwargs()) as client, pytest.raises(ZeroDivisionError):
        client.run(put_object(sink.url("/b/k"), path, stamp=stamp), on_event=broken)


def test_memory_stays_at_one_chunk_for_a_64_mib_slice(sink: ObjectSink, tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    with open(path, "wb") as f:
        f.truncate(64 * 1024 * 1024)  # sparse: fast to make, read like any file
    st = path.stat()
    request = put_object(sink.url("/b/big"), path, stamp=Stamp(st.st_size, st.st_mtime_ns))
    with Client(**client_kwargs()) as client:
        tracemalloc.start()
        try:
            result = client.run(request)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert isinstance(result, Success) and sink.received[0].length == 64 * 1024 * 1024
    assert peak < 4 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"


def test_repr_never_shows_the_signature(tmp_path: Path) -> None:
    path, stamp = make_file(tmp_path, 10)
    request = put_object(
        f"https://b.s3.amazonaws.com/k?X-Amz-Credential=AKID%2Fx&X-Amz-Signature={SIG}",
        path,
        stamp=stamp,
        refresh=pure(Presigned(f"https://b.s3.amazonaws.com/k?sig={SIG}")),
    )
    assert SIG not in repr(request) and "AKID" not in repr(request)
    assert hash(request) == hash(
        PutObject(request.target, request.path, 0, 10, stamp, request.refresh)
    )


def test_builder_checks_the_slice(tmp_path: Path) -> None:
    stamp = Stamp(10, 1)
    with pytest.raises(ValueError, match="past the end"):
        put_object("https://b.s3.amazonaws.com/k", "f", stamp=stamp, offset=5, length=6)
    with pytest.raises(ValueError, match="offset"):
        put_object("https://b.s3.amazonaws.com/k", "f", stamp=stamp, offset=-1)
    with pytest.raises(ValueError, match="header"):
        put_object("https://b.s3.amazonaws.com/k", "f", stamp=stamp, headers={"a b": "1"})
    assert put_object("https://b.s3.amazonaws.com/k", "f", stamp=stamp, offset=4).length == 6
