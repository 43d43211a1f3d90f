"""The transport against strict and hostile servers: request target, close, timeouts, framing.

Each test drives a real client over real sockets on 127.0.0.1: FakeAvala where a correct
server will do, `tests.hostile.HostileServer` where the server must misbehave.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from returns.result import Failure, Result, Success

from avala import AsyncClient, Client
from avala._transport import RequestsTransport
from avala._wire import TransportError, WireRequest
from avala.errors import ConnectionFailedError, RequestTimeoutError, ResponseTooLargeError
from avala.testing import FakeAvala
from tests.hostile import HostileServer, Reply, drip, json_response, response

Hostile = Callable[..., HostileServer]
PROJECT = json.dumps({"uid": "p1", "name": "Real"}).encode()
SMUGGLED = json.dumps({"uid": "SMUGGLED", "name": "Smuggled"}).encode()
GIB = 1024**3


def calls(kind: str, base_url: str, *builds: Callable[[Any], Any], **options: Any) -> Any:
    """Run each ``build(client)`` in turn on one fresh Client or AsyncClient.

    Returns the results and the seconds they took together.
    """
    options = {"max_retries": 0, **options}
    if kind == "sync":
        with Client("test-key", base_url=base_url, **options) as client:
            started = time.monotonic()
            results = [client.run(build(client)) for build in builds]
            return results, time.monotonic() - started

    async def main() -> Any:
        async with AsyncClient("test-key", base_url=base_url, **options) as client:
            started = time.monotonic()
            results = [await client.run(build(client)) for build in builds]
            return results, time.monotonic() - started

    return asyncio.run(main())


def call(kind: str, base_url: str, build: Callable[[Any], Any], **options: Any) -> Any:
    """One request: ``(result, seconds)``."""
    results, seconds = calls(kind, base_url, build, **options)
    return results[0], seconds


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` passes (False)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def uid_of(result: Result[Any, Any]) -> str:
    return str(result.unwrap().uid)


both_clients = pytest.mark.parametrize("kind", ["sync", "async"])


# --- request target (RFC 9112 §3.2) ------------------------------------------------------


@both_clients
def test_request_target_is_origin_form(hostile: Hostile, kind: str) -> None:
    page = json.dumps({"results": [], "next": None, "previous": None}).encode()
    server = hostile([Reply([json_response(PROJECT)]), Reply([json_response(page)])])

    results, _ = calls(
        kind,
        server.base_url,
        lambda c: c.projects.get("p1"),
        lambda c: c.projects.list(limit=2),
    )
    assert all(isinstance(result, Success) for result in results)
    assert server.request_lines == [
        "GET /api/v1/users/me/projects/p1/ HTTP/1.1",
        "GET /api/v1/users/me/projects/?limit=2 HTTP/1.1",
    ]
    assert f"\r\nHost: 127.0.0.1:{server.port}\r\n".encode() in server.requests[0]


def test_a_plain_http_proxy_gets_absolute_form(
    hostile: Hostile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Absolute-form is for proxies (RFC 9112 §3.2.2): the Session path sends it to one."""
    proxy = hostile([Reply([json_response(PROJECT)])])
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
    origin = "http://127.0.0.1:9/api/v1"  # never reached: the proxy answers
    result, _ = call("sync", origin, lambda c: c.projects.get("p1"))
    assert uid_of(result) == "p1"
    assert proxy.request_lines == ["GET http://127.0.0.1:9/api/v1/users/me/projects/p1/ HTTP/1.1"]


def test_a_url_outside_base_url_is_sent_in_origin_form_to_its_own_host(
    fake: FakeAvala, hostile: Hostile
) -> None:
    other = hostile([Reply([json_response(PROJECT)])])
    transport = RequestsTransport(base_url=fake.base_url)
    url = other.base_url + "/users/me/projects/p1/?x=1"
    answer = transport.send(WireRequest("GET", url, {}, None, 5.0))
    transport.close()
    assert answer.status == 200 and fake.requests == []
    assert other.request_lines == ["GET /api/v1/users/me/projects/p1/?x=1 HTTP/1.1"]


def test_fake_refuses_an_absolute_form_target(fake: FakeAvala) -> None:
    def status_of(target: str) -> bytes:
        with socket.create_connection(("127.0.0.1", fake.port), timeout=5) as sock:
            sock.sendall(
                f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{fake.port}\r\n"
                f"X-Avala-Api-Key: {fake.api_key}\r\nConnection: close\r\n\r\n".encode()
            )
            return sock.recv(65536).split(b"\r\n", 1)[0]

    path = "/api/v1/users/me/projects/"
    assert status_of(path) == b"HTTP/1.1 200 OK"
    assert status_of(f"http://127.0.0.1:{fake.port}{path}") == b"HTTP/1.1 400 Bad Request"


# --- close ---------------------------------------------------------------------------------


def test_closing_a_client_closes_every_pooled_connection(fake: FakeAvala) -> None:
    p = fake.add_project()
    fake.latency = 0.5  # overlapping calls need a connection each
    with Client(max_retries=0) as client:
        threads = [
            threading.Thread(target=client.run, args=(client.projects.get(p["uid"]),))
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert fake.open_connections >= 2  # (3 unless a thread started very late)
    assert wait_until(lambda: fake.open_connections == 0)


def test_closing_an_async_client_closes_every_pooled_connection(fake: FakeAvala) -> None:
    p = fake.add_project()
    fake.latency = 0.5

    async def main() -> None:
        async with AsyncClient(max_retries=0) as client:
            gets = [client.run(client.projects.get(p["uid"])) for _ in range(3)]
            assert all(isinstance(r, Success) for r in await asyncio.gather(*gets))
            assert fake.open_connections >= 2

    asyncio.run(main())
    assert wait_until(lambda: fake.open_connections == 0)


def test_a_closed_transport_sends_nothing(fake: FakeAvala) -> None:
    transport = RequestsTransport(base_url=fake.base_url)
    transport.close()
    with pytest.raises(TransportError) as caught:
        transport.send(WireRequest("GET", fake.base_url + "/users/me/projects/", {}, None, 5.0))
    assert caught.value.failure.kind == "connect" and not caught.value.failure.sent
    assert fake.requests == []


# --- timeouts bound a whole try -------------------------------------------------------------

# 100 bytes, one every 0.1 s: 10 s to read, though no single read waits a whole second.
DRIP_GAP = 0.1


def _padded_project() -> bytes:
    body = json.dumps({"uid": "p1", "name": "x" * 40}).encode()
    return json_response(body)


@both_clients
@pytest.mark.parametrize("phase", ["headers", "body"])
def test_a_drip_fed_response_ends_at_the_timeout(hostile: Hostile, kind: str, phase: str) -> None:
    raw = _padded_project()
    head, body = raw.split(b"\r\n\r\n", 1)
    if phase == "headers":
        reply = drip(raw, DRIP_GAP)
    else:
        reply = Reply([head + b"\r\n\r\n", *(body[i : i + 1] for i in range(len(body)))], DRIP_GAP)
    server = hostile([reply])
    result, seconds = call(kind, server.base_url, lambda c: c.projects.get("p1"), timeout=1.0)
    assert isinstance(result.failure(), RequestTimeoutError)
    assert seconds < 3.0  # the old per-read timeout waited for the whole drip (~10 s)


def test_a_drip_through_a_proxy_ends_at_the_timeout(
    hostile: Hostile, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = hostile([drip(_padded_project(), DRIP_GAP)])
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
    result, seconds = call(
        "sync", "http://127.0.0.1:9/api/v1", lambda c: c.projects.get("p1"), timeout=1.0
    )
    assert isinstance(result.failure(), RequestTimeoutError) and seconds < 3.0
    assert proxy.request_lines  # the proxy was asked


def test_a_whole_try_timeout_is_a_sent_timeout(hostile: Hostile) -> None:
    server = hostile([drip(_padded_project(), DRIP_GAP)])
    transport = RequestsTransport(base_url=server.base_url)
    with pytest.raises(TransportError) as caught:
        transport.send(WireRequest("GET", server.base_url + "/users/me/projects/p1/", {}, None, 1))
    transport.close()
    assert caught.value.failure.kind == "timeout" and caught.value.failure.sent


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command line."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command line")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    command = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1"
    subprocess.run(
        [*command.split(), "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def test_https_is_origin_form_and_bounded_by_the_timeout(
    hostile: Hostile, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    server = hostile([Reply([json_response(PROJECT)])], [drip(_padded_project(), 0.1)], tls=tls)
    get = lambda c: c.projects.get("p1")  # noqa: E731
    (ok,), _ = calls("sync", server.base_url, get, verify=str(cert))
    assert uid_of(ok) == "p1"
    dripped, seconds = call("sync", server.base_url, get, verify=str(cert), timeout=1.0)
    assert isinstance(dripped.failure(), RequestTimeoutError) and seconds < 3.0
    assert server.request_lines == ["GET /api/v1/users/me/projects/p1/ HTTP/1.1"] * 2


# --- bodies over the limit are never downloaded -----------------------------------------------


def _trickle(head: bytes, piece: bytes) -> Reply:
    """`head`, then `piece` every 50 ms for up to 10 s (until the client hangs up)."""
    return Reply([head, *itertools.repeat(piece, 200)], gap=0.05)


@both_clients
@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_an_over_limit_body_fails_at_once_and_drops_the_connection(
    hostile: Hostile, kind: str, framing: str
) -> None:
    if framing == "content-length":
        head = response("200 OK", headers=[("Content-Type", "application/json")], length=10 * GIB)
        piece = b"x" * 1024
    else:
        head = response("200 OK", headers=[("Transfer-Encoding", "chunked")])
        piece = b"400\r\n" + b"x" * 1024 + b"\r\n"
    server = hostile([_trickle(head, piece)], [Reply([json_response(PROJECT)])])

    get = lambda c: c.projects.get("p1")  # noqa: E731
    (first, second), seconds = calls(kind, server.base_url, get, get, max_response_bytes=4096)
    assert isinstance(first.failure(), ResponseTooLargeError)
    assert uid_of(second) == "p1"  # on a new connection
    assert server.connections == 2
    assert seconds < 3.0  # the old transport drained for ~10 s


def test_an_over_limit_body_is_a_too_large_failure(hostile: Hostile) -> None:
    head = response("200 OK", length=10 * GIB)
    server = hostile([_trickle(head, b"x" * 1024)])
    result, seconds = call(
        "sync", server.base_url, lambda c: c.projects.get("p1"), max_response_bytes=4096
    )
    assert isinstance(result.failure(), ResponseTooLargeError) and seconds < 3.0


# --- framing ------------------------------------------------------------------------------


@both_clients
def test_bytes_after_a_204_never_become_the_next_response(hostile: Hostile, kind: str) -> None:
    """A 204 cannot have a body, so bytes after it are not ours: the connection is dropped."""
    smuggled = json_response(SMUGGLED)
    no_content = response("204 No Content", length=len(smuggled))
    server = hostile(
        [Reply([no_content]), Reply([smuggled, json_response(PROJECT)])],
        [Reply([json_response(PROJECT)])],
    )

    (deleted, got), _ = calls(
        kind, server.base_url, lambda c: c.agents.delete("a1"), lambda c: c.projects.get("p1")
    )
    assert deleted == Success(None)
    assert uid_of(got) == "p1"
    assert server.request_lines == [
        "DELETE /api/v1/agents/a1/ HTTP/1.1",
        "GET /api/v1/users/me/projects/p1/ HTTP/1.1",
    ]


@both_clients
@pytest.mark.parametrize(
    "cut",
    [
        b"HTTP/1.1 204 No Content\r\nX-Request-Id: ab",  # inside a header line
        b"HTTP/1.1 204 No Content\r\n",  # before the blank line
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}",  # body short of its length
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n",  # no last chunk
    ],
)
def test_a_response_cut_short_is_a_failure(hostile: Hostile, kind: str, cut: bytes) -> None:
    server = hostile([Reply([cut], close=True)])
    result, _ = call(kind, server.base_url, lambda c: c.agents.delete("a1"))
    assert isinstance(result, Failure)
    assert isinstance(result.failure(), ConnectionFailedError)


@both_clients
def test_a_response_framed_both_ways_is_refused(hostile: Hostile, kind: str) -> None:
    """Content-Length with Transfer-Encoding may be response splitting (RFC 9112 §6.3)."""
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(PROJECT), PROJECT)
    both = response("200 OK", chunked, [("Transfer-Encoding", "chunked")], length=len(PROJECT))
    server = hostile([Reply([both])], [Reply([json_response(PROJECT)])])
    get = lambda c: c.projects.get("p1")  # noqa: E731
    (first, second), _ = calls(kind, server.base_url, get, get)
    assert isinstance(first.failure(), ConnectionFailedError)
    assert uid_of(second) == "p1" and server.connections == 2
