"""`FakeAvala`: the stateful fake API served over real HTTP on 127.0.0.1.

Real sockets (not a mocked transport) so that connection reuse, timeouts, dropped and
truncated responses behave exactly as they would against the real service.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hmac
import json
import secrets
import socket
import sys
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ._faults import Fault, Outcome, apply_fault
from ._routes import ALL_ROUTERS
from ._routing import FakeRequest, FakeResponse, Router
from ._store import Store

__all__ = ["FakeAvala", "ReceivedRequest"]

API_PREFIX = "/api/v1"
RATE_LIMIT = 1000
RATE_WINDOW_SECONDS = 3600
_NO_BODY = object()  # sentinel: request body was not valid JSON


@dataclass(frozen=True)
class ReceivedRequest:
    """One logged request (faulted ones included), for assertions in tests."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    raw_body: bytes
    fault: Fault | None = None


@dataclass
class _Injection:
    method: str | None
    path: str | None
    faults: deque[Fault] = field(default_factory=deque)

    def matches(self, req: FakeRequest) -> bool:
        if self.method is not None and self.method != req.method.upper():
            return False
        if self.path is None:
            return True
        if "*" in self.path:
            return fnmatch.fnmatchcase(req.path, self.path)
        return req.path == self.path


class _HTTPServer(ThreadingHTTPServer):
    """Threaded server that remembers its FakeAvala and its open client sockets."""

    daemon_threads = True
    block_on_close = False  # keep-alive clients must not make stop() hang
    request_queue_size = 128  # a burst of new connections must not overflow the backlog

    def __init__(self, fake: FakeAvala, port: int) -> None:
        self.fake = fake
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (it timed out, or a fault dropped it) is not an error."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Buffer writes so headers and body leave in one segment, and skip Nagle: without both,
    # keep-alive clients stall ~40 ms per request on delayed ACKs.
    wbufsize = -1
    disable_nagle_algorithm = True
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        with self.server.sockets_lock:
            self.server.open_sockets.add(self.connection)

    def finish(self) -> None:
        with self.server.sockets_lock:
            self.server.open_sockets.discard(self.connection)
        with contextlib.suppress(OSError):  # the client may already have gone (timeouts)
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging; tests read `FakeAvala.requests` instead."""

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is not None:
            return self.rfile.read(int(length))
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # skip trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return b""

    def _handle(self) -> None:
        fake = self.server.fake
        raw_body = self._read_body()
        parts = urlsplit(self.path)
        in_api = parts.path == API_PREFIX or parts.path.startswith(API_PREFIX + "/")
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        body: Any = None
        if raw_body.strip():
            try:
                body = json.loads(raw_body)
            except (ValueError, UnicodeDecodeError):
                body = _NO_BODY
        req = FakeRequest(
            method=self.command,
            path=parts.path[len(API_PREFIX) :] if in_api else parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=headers,
            body=None if body is _NO_BODY else body,
            raw_body=raw_body,
        )
        fault = fake._take_fault(req)
        fake._log(
            ReceivedRequest(
                req.method, req.path, req.query, req.headers, req.body, req.raw_body, fault
            )
        )
        outcome = apply_fault(fault, lambda: fake._process(req, in_api, body is not _NO_BODY))
        if fake.latency > 0:
            time.sleep(fake.latency)
        try:
            self._write(outcome)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. its timeout fired)

    def _write(self, outcome: Outcome) -> None:
        resp = outcome.response
        if resp is None:  # dropped: close without a single byte
            self.close_connection = True
            return
        no_body = resp.status == 204 or resp.status == 304 or resp.status < 200
        if no_body:
            payload = b""
        elif resp.raw is not None:
            payload = resp.raw
        else:
            payload = json.dumps(resp.body, separators=(",", ":")).encode()
        out: dict[str, tuple[str, str]] = {}
        for name, value in self.server.fake._rate_limit_headers().items():
            out[name.lower()] = (name, value)
        if not no_body:
            if resp.raw is None:
                out["content-type"] = ("Content-Type", "application/json")
            out["content-length"] = ("Content-Length", str(len(payload)))
        for name, value in resp.headers.items():
            out[name.lower()] = (name, value)
        self.send_response(resp.status)
        for name, value in out.values():
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD":
            pass
        elif outcome.truncate:
            self.wfile.write(payload[: len(payload) // 2])
            self.close_connection = True
        else:
            self.wfile.write(payload)
        self.wfile.flush()


class FakeAvala:
    """Stateful in-memory Avala API on a free local port; use as `with FakeAvala() as fake:`."""

    def __init__(self, api_key: str | None = None, *, latency: float = 0.0, port: int = 0) -> None:
        """``port`` 0 picks a free port (tests); a fixed one is for ``python -m avala.testing
        serve --port N``."""
        self._requested_port = port
        self._api_key = api_key if api_key is not None else f"fake-key-{secrets.token_hex(16)}"
        self.latency = latency
        self._store = Store()
        self._router = Router.merged(*ALL_ROUTERS)
        self._lock = threading.Lock()  # guards requests log, fault queue, rate-limit counter
        self._requests: list[ReceivedRequest] = []
        self._injections: list[_Injection] = []
        self._remaining = RATE_LIMIT
        self._reset_at = int(time.time()) + RATE_WINDOW_SECONDS
        self._server: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeAvala:
        """Bind 127.0.0.1 on the port (a free one by default) and serve in a daemon thread
        (no-op if running)."""
        if self._server is not None:
            return self
        server = _HTTPServer(self, self._requested_port)
        self._server = server
        self._store.base_url = self.base_url
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.02},  # stop() waits at most this long
            name=f"FakeAvala:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the listener and every open keep-alive connection."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        server.shutdown()
        server.server_close()
        with server.sockets_lock:
            open_sockets = list(server.open_sockets)
        for sock in open_sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeAvala:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- public properties -----------------------------------------------------------------

    @property
    def api_key(self) -> str:
        return self._api_key

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeAvala is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def store(self) -> Store:
        return self._store

    @property
    def export_failures(self) -> set[str]:
        """Project uids whose exports end in "failed" (mutate in place or assign)."""
        return self._store.export_failures

    @export_failures.setter
    def export_failures(self, value: set[str]) -> None:
        self._store.export_failures = set(value)

    @property
    def requests(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def env(self) -> dict[str, str]:
        """Environment variables pointing an SDK client at this fake."""
        return {
            "AVALA_API_KEY": self.api_key,
            "AVALA_BASE_URL": self.base_url,
            "AVALA_ALLOW_INSECURE_BASE_URL": "1",
        }

    # --- fault injection -------------------------------------------------------------------

    def inject(self, *faults: Fault, method: str | None = None, path: str | None = None) -> None:
        """Queue `faults`, consumed one per matching request in order, then behave normally.

        `path` is relative to /api/v1 and percent-encoded as sent; with `*` it is a glob.
        """
        with self._lock:
            self._injections.append(
                _Injection(method.upper() if method else None, path, deque(faults))
            )

    def clear_faults(self) -> None:
        """Forget every injected fault not yet consumed."""
        with self._lock:
            self._injections.clear()

    def _take_fault(self, req: FakeRequest) -> Fault | None:
        with self._lock:
            for injection in self._injections:
                if injection.faults and injection.matches(req):
                    fault = injection.faults.popleft()
                    self._injections = [i for i in self._injections if i.faults]
                    return fault
        return None

    def _log(self, entry: ReceivedRequest) -> None:
        with self._lock:
            self._requests.append(entry)

    def _rate_limit_headers(self) -> dict[str, str]:
        with self._lock:
            now = int(time.time())
            if now >= self._reset_at:
                self._remaining = RATE_LIMIT
                self._reset_at = now + RATE_WINDOW_SECONDS
            self._remaining = max(0, self._remaining - 1)
            return {
                "X-RateLimit-Limit": str(RATE_LIMIT),
                "X-RateLimit-Remaining": str(self._remaining),
                "X-RateLimit-Reset": str(self._reset_at),
            }

    # --- normal processing -----------------------------------------------------------------

    def _process(self, req: FakeRequest, in_api: bool, body_ok: bool) -> FakeResponse:
        """Auth, then JSON parse check, then routing: the order DRF applies them."""
        if not in_api:
            return FakeResponse(404, {"detail": "Not found."})
        sent = req.headers.get("x-avala-api-key")
        if sent is None:
            return FakeResponse(401, {"detail": "Authentication credentials were not provided."})
        if not hmac.compare_digest(sent.encode(), self._api_key.encode()):
            return FakeResponse(401, {"detail": "Invalid API key."})
        if not body_ok:
            return FakeResponse(400, {"detail": "JSON parse error"})
        try:
            with self._store.lock:
                return self._router.dispatch(self._store, req)
        except Exception as exc:  # a bug in the fake: surface it loudly, never hang the client
            traceback.print_exc(file=sys.stderr)
            return FakeResponse(500, {"detail": f"Fake server error: {exc!r}"})

    # --- seeding ---------------------------------------------------------------------------

    def _next_number(self, collection: str) -> int:
        return self._store.count(collection) + 1

    def add_project(self, **fields: Any) -> dict[str, Any]:
        n = self._next_number("projects")
        return self._store.insert(
            "projects", {"name": f"Project {n}", "status": "active", **fields}
        )

    def add_dataset(self, **fields: Any) -> dict[str, Any]:
        n = self._next_number("datasets")
        record: dict[str, Any] = {
            "name": f"Dataset {n}",
            "slug": f"dataset-{n}",
            "item_count": 0,
            "owner_name": "fake-user",
            "status": "created",
            "data_type": "image",
            "is_sequence": False,
            "predefined_labels": None,
            "visibility": "private",
        }
        return self._store.insert("datasets", {**record, **fields})

    def add_task(self, **fields: Any) -> dict[str, Any]:
        n = self._next_number("tasks")
        record: dict[str, Any] = {
            "type": "annotation",
            "name": f"Task {n}",
            "status": "pending",
            "project": None,
        }
        return self._store.insert("tasks", {**record, **fields})

    def add_export(self, **fields: Any) -> dict[str, Any]:
        record: dict[str, Any] = {
            "status": "pending",
            "download_url": None,
            "project": None,
            "dataset": None,
        }
        return self._store.insert("exports", {**record, **fields})

    def seed(
        self, projects: int = 0, datasets: int = 0, tasks: int = 0
    ) -> dict[str, list[dict[str, Any]]]:
        """Add N default records of each kind; tasks are spread round-robin over all projects."""
        made_projects = [self.add_project() for _ in range(projects)]
        made_datasets = [self.add_dataset() for _ in range(datasets)]
        owners = [p["uid"] for p in self._store.all("projects")]
        made_tasks = [
            self.add_task(project=owners[i % len(owners)] if owners else None) for i in range(tasks)
        ]
        return {"projects": made_projects, "datasets": made_datasets, "tasks": made_tasks}
