"""The strict HTTP/1.1 server machinery every fake server shares: threaded, keep-alive,
origin-form targets only, with its open connections tracked and closed on stop."""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["StrictHandler", "StrictServer", "serve", "shut_down"]


class StrictServer(ThreadingHTTPServer):
    """Threaded server that remembers its owner (the fake) and its open client sockets."""

    daemon_threads = True
    block_on_close = False  # keep-alive clients must not make stop() hang
    request_queue_size = 128  # a burst of new connections must not overflow the backlog

    def __init__(self, owner: Any, handler: type[BaseHTTPRequestHandler], port: int = 0) -> None:
        self.owner = owner
        self.open_sockets: set[socket.socket] = set()
        self.connections_opened = 0
        self.sockets_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (it timed out, or a fault dropped it) is not an error."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class StrictHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive handler that counts connections and refuses absolute-form."""

    protocol_version = "HTTP/1.1"
    # Buffer writes so headers and body leave in one segment, and skip Nagle: without both,
    # keep-alive clients stall ~40 ms per request on delayed ACKs.
    wbufsize = -1
    disable_nagle_algorithm = True
    server: StrictServer

    def setup(self) -> None:
        super().setup()
        with self.server.sockets_lock:
            self.server.open_sockets.add(self.connection)
            self.server.connections_opened += 1

    def finish(self) -> None:
        with self.server.sockets_lock:
            self.server.open_sockets.discard(self.connection)
        with contextlib.suppress(OSError):  # the client may already have gone (timeouts)
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging; tests read the fake's request log instead."""

    def origin_form(self) -> bool:
        """RFC 9112 §3.2: absolute-form is for proxies; an origin server may refuse it."""
        return self.path.startswith("/")

    def header_map(self) -> dict[str, str]:
        """Request headers by lower-cased name; repeated ones joined with ", "."""
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        return headers


def serve(server: StrictServer, name: str) -> threading.Thread:
    """Serve ``server`` in a daemon thread."""
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.02},  # shut_down() waits at most this long
        name=name,
        daemon=True,
    )
    thread.start()
    return thread


def shut_down(server: StrictServer, thread: threading.Thread | None) -> None:
    """Stop serving, close the listener and every open keep-alive connection."""
    server.shutdown()
    server.server_close()
    with server.sockets_lock:
        open_sockets = list(server.open_sockets)
    for sock in open_sockets:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    if thread is not None:
        thread.join(timeout=5)
