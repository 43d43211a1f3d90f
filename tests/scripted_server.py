"""An HTTP server on 127.0.0.1 that answers with exactly the bytes a test scripts.

For bodies FakeAvala cannot produce (JSON nested 100,000 deep, broken JSON under any
status): each request gets the next scripted answer, the last one repeating.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class ScriptedServer:
    """Serves ``answers`` in order; ``paths`` records the request targets received."""

    def __init__(self) -> None:
        self.answers: list[Answer] = [Answer(200, b"{}")]
        self.paths: list[str] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/v1"

    def script(self, *answers: Answer) -> None:
        with self._lock:
            self.answers = list(answers)
            self.paths = []

    def take(self, path: str) -> Answer:
        with self._lock:
            self.paths.append(path)
            return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def _handler_for(server: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            answer = server.take(self.path)
            self.send_response(answer.status)
            headers = {"Content-Type": "application/json", **answer.headers}
            headers["Content-Length"] = str(len(answer.body))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(answer.body)

        do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def scripted_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ScriptedServer]:
    """A running server, with the environment pointing ``Client()`` at it."""
    server = ScriptedServer()
    server._thread.start()
    monkeypatch.setenv("AVALA_API_KEY", "scripted-key")
    monkeypatch.setenv("AVALA_BASE_URL", server.base_url)
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")
    try:
        yield server
    finally:
        server._server.shutdown()
        server._server.server_close()
