"""A small object store for transfer tests: takes PUTs on 127.0.0.1, keeps only what the
tests assert on (path, headers, body length and a digest), and can delay or fail a path.

It measures how many PUTs are in flight at once (``peak``), and reads bodies into one
fixed buffer, so a memory measurement of the client is not swamped by the server's.
"""

from __future__ import annotations

import hashlib
import http.server
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    length: int
    sha256: str
    started: float
    ended: float = 0.0


@dataclass
class Behaviour:
    status: int = 200
    delay: float = 0.0
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    on_first_bytes: Callable[[], None] | None = None  # run once the body starts arriving


class ObjectSink:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[Received] = []  # PUTs answered 2xx: stored
        self.refused: list[Received] = []  # PUTs read whole, then answered with an error
        self.behaviour: dict[str, list[Behaviour]] = {}  # per path, consumed in order
        self.in_flight = 0
        self.peak = 0
        self.connections = 0
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with sink.lock:
                    sink.connections += 1

            def log_message(self, *args: object) -> None:
                pass

            def do_PUT(self) -> None:
                with sink.lock:
                    sink.in_flight += 1
                    sink.peak = max(sink.peak, sink.in_flight)
                    queue = sink.behaviour.get(self.path.split("?")[0], [])
                    act = queue.pop(0) if queue else Behaviour()
                started = time.monotonic()
                try:
                    length = int(self.headers.get("Content-Length", "0"))
                    digest = hashlib.sha256()
                    buffer = bytearray(256 * 1024)
                    view = memoryview(buffer)
                    left = length
                    while left:
                        n = self.rfile.readinto(view[: min(left, len(buffer))])
                        if not n:
                            return
                        if act.on_first_bytes is not None and left == length:
                            act.on_first_bytes()
                        digest.update(view[:n])
                        left -= n
                    if act.delay:
                        time.sleep(act.delay)
                    record = Received(
                        self.path, dict(self.headers.items()), length, digest.hexdigest(), started
                    )
                    record.ended = time.monotonic()
                    if act.status < 300:  # what a store keeps; recorded before it answers
                        with sink.lock:
                            sink.received.append(record)
                    else:
                        with sink.lock:
                            sink.refused.append(record)
                    self.send_response(act.status)
                    headers = {"ETag": f'"{record.sha256[:32]}"', **act.headers}
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(act.body)))
                    self.end_headers()
                    self.wfile.write(act.body)
                finally:
                    with sink.lock:
                        sink.in_flight -= 1

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def attempts(self) -> list[Received]:
        """Every PUT read whole, stored or refused, in the order they started."""
        with self.lock:
            return sorted(self.received + self.refused, key=lambda r: r.started)

    def url(self, path: str) -> str:
        sig = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
        return f"http://127.0.0.1:{self.port}{path}?X-Amz-Expires=60&X-Amz-Signature={sig}"

    def plan(self, path: str, *acts: Behaviour) -> None:
        with self.lock:
            self.behaviour[path] = list(acts)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@contextmanager
def object_sink() -> Iterator[ObjectSink]:
    sink = ObjectSink()
    try:
        yield sink
    finally:
        sink.stop()


class _QuietServer(http.server.ThreadingHTTPServer):
    """A client that hung up mid-answer (a cut or timed-out try) is the test's point, not
    an error to print."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]
