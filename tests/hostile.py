"""A small raw-socket HTTP server that misbehaves on purpose, for transport tests.

FakeAvala is a well-behaved server; this one plays a script instead: for the n-th
connection it accepts, it reads each request whole and answers with the n-th script's
next `Reply`, byte for byte (drip-fed if asked). It records every request's raw bytes, so
tests can check the request line. Every loop is bounded: scripts are finite, each wait
ends at `stop()`, and `stop()` closes every socket it opened.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import TracebackType

_READ_TIMEOUT = 10.0  # a client that sends half a request cannot hold a thread for longer


@dataclass(frozen=True)
class Reply:
    """What the server writes after reading one request: `chunks` in order, `gap` apart."""

    chunks: Iterable[bytes]
    gap: float = 0.0
    close: bool = False  # hang up once written, even if the script has more replies


def response(
    status: str = "200 OK",
    body: bytes = b"",
    headers: Sequence[tuple[str, str]] = (),
    *,
    length: int | None = None,
) -> bytes:
    """A raw response. Content-Length is `length` if given, else `len(body)`, unless the
    status has no body or `headers` already frame it (Content-Length, Transfer-Encoding)."""
    head = [f"HTTP/1.1 {status}"]
    framed = {name.lower() for name, _ in headers} & {"content-length", "transfer-encoding"}
    if length is None and not framed and not status.startswith(("204", "304", "1")):
        length = len(body)
    if length is not None:
        head.append(f"Content-Length: {length}")
    head += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def json_response(body: bytes, status: str = "200 OK") -> bytes:
    return response(status, body, [("Content-Type", "application/json")])


def drip(data: bytes, gap: float) -> Reply:
    """`data` one byte at a time, `gap` seconds apart."""
    return Reply([data[i : i + 1] for i in range(len(data))], gap=gap)


class HostileServer:
    """Serves `scripts[n]` to the n-th connection; connections past the last get none."""

    def __init__(self, *scripts: Sequence[Reply], tls: ssl.SSLContext | None = None) -> None:
        self._scripts = list(scripts)
        self._tls = tls
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._requests: list[bytes] = []
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port: int = self._listener.getsockname()[1]
        self._spawn(self._accept_loop)

    @property
    def base_url(self) -> str:
        scheme = "https" if self._tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}/api/v1"

    @property
    def requests(self) -> list[bytes]:
        """Each request received, raw (request line, headers and body)."""
        with self._lock:
            return list(self._requests)

    @property
    def request_lines(self) -> list[str]:
        return [raw.split(b"\r\n", 1)[0].decode("latin-1") for raw in self.requests]

    @property
    def connections(self) -> int:
        """How many connections were accepted so far."""
        with self._lock:
            return len(self._sockets)

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            sockets = [self._listener, *self._sockets]
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # the listener was closed by stop()
            with self._lock:
                index = len(self._sockets)
                self._sockets.append(conn)
            script = self._scripts[index] if index < len(self._scripts) else []
            self._spawn(self._serve, index, conn, script)

    def _serve(self, index: int, conn: socket.socket, script: Sequence[Reply]) -> None:
        conn.settimeout(_READ_TIMEOUT)
        buffer = b""
        try:
            if self._tls is not None:
                conn = self._tls.wrap_socket(conn, server_side=True)  # takes over the socket
                with self._lock:
                    self._sockets[index] = conn
            for reply in script:
                raw, buffer = _read_request(conn, buffer)
                if raw is None:
                    return  # the client hung up
                with self._lock:
                    self._requests.append(raw)
                if not self._play(conn, reply) or reply.close:
                    return
            if script:  # let the client read the last reply before hanging up
                self._stopped.wait(0.2)
        except OSError:
            return  # the client hung up or stop() closed the socket
        finally:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def _play(self, conn: socket.socket, reply: Reply) -> bool:
        for i, chunk in enumerate(reply.chunks):
            if i and reply.gap and self._stopped.wait(reply.gap):
                return False
            conn.sendall(chunk)
        return True


def _read_request(conn: socket.socket, buffer: bytes) -> tuple[bytes | None, bytes]:
    """One request (head and Content-Length body) and whatever came after it."""
    while b"\r\n\r\n" not in buffer:
        data = conn.recv(65536)
        if not data:
            return None, b""
        buffer += data
    head, rest = buffer.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        data = conn.recv(65536)
        if not data:
            return None, b""
        rest += data
    return head + b"\r\n\r\n" + rest[:length], rest[length:]
