"""`FakeAvala`: the stateful fake API served over real HTTP on 127.0.0.1.

Real sockets (not a mocked transport) so that connection reuse, timeouts, dropped and
truncated responses behave exactly as they would against the real service.
"""

from __future__ import annotations

import fnmatch
import hmac
import json
import secrets
import sys
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from avala.resources._endpoints import ENDPOINTS

from ._faults import Fault, Outcome, apply_fault
from ._http import StrictHandler, StrictServer, serve, shut_down
from ._objects import ObjectStore
from ._routes import ALL_ROUTERS
from ._routes.resolver import publish_revision
from ._routing import FakeRequest, FakeResponse, Route, Router
from ._seed import Seeder
from ._store import Store

__all__ = ["FakeAvala", "ReceivedRequest"]

_ANONYMOUS = tuple(
    Route(e.method, e.path, FakeResponse) for e in ENDPOINTS.values() if e.auth == "none"
)
"""Routes of the endpoints whose auth is ``none``: served to requests without a key."""


def _anonymous(req: FakeRequest) -> bool:
    return any(route.match(req.path) is not None for route in _ANONYMOUS)


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


class _HTTPServer(StrictServer):
    """The API server: a strict server whose owner is the FakeAvala."""

    def __init__(self, fake: FakeAvala, port: int) -> None:
        self.fake = fake
        super().__init__(fake, _Handler, port)


class _Handler(StrictHandler):
    server: _HTTPServer

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
        if not self.origin_form():
            self.close_connection = True
            self._write(Outcome(FakeResponse(400, {"detail": "request target must be a path"})))
            return
        parts = urlsplit(self.path)
        in_api = parts.path == API_PREFIX or parts.path.startswith(API_PREFIX + "/")
        headers = self.header_map()
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
        self._objects = self._store.objects

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeAvala:
        """Bind 127.0.0.1 on the port (a free one by default) and serve in a daemon thread
        (no-op if running)."""
        if self._server is not None:
            return self
        server = _HTTPServer(self, self._requested_port)
        self._server = server
        self._store.base_url = self.base_url
        self._thread = serve(server, f"FakeAvala:{self.port}")
        self._objects.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the listener and every open keep-alive connection (the
        object store's too)."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        shut_down(server, thread)
        self._objects.stop()

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
        """The only key the fake accepts; assign a new one to rotate it (the old one then
        gets 401, as on the real API)."""
        return self._api_key

    @api_key.setter
    def api_key(self, value: str) -> None:
        self._api_key = value

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
    def objects(self) -> ObjectStore:
        """The object store presigned URLs point to (its own port; started with the fake)."""
        return self._objects

    @property
    def open_connections(self) -> int:
        """Client connections open right now; a client that closed leaves none behind.

        The server notices a client's close on its next read, so a test of `close()`
        should wait a moment for this to reach zero rather than check it at once.
        """
        server = self._server
        if server is None:
            return 0
        with server.sockets_lock:
            return len(server.open_sockets)

    @property
    def multipart_threshold(self) -> int:
        """v2 presigns answer MULTIPART above this many bytes (default 64 MiB), else PUT."""
        return self._store.uploads.multipart_threshold

    @multipart_threshold.setter
    def multipart_threshold(self, value: int) -> None:
        self._store.uploads.multipart_threshold = value

    @property
    def part_size(self) -> int:
        """Part size of v2 MULTIPART descriptors: 5 MiB to 128 MiB (default 64 MiB)."""
        return self._store.uploads.part_size

    @part_size.setter
    def part_size(self, value: int) -> None:
        self._store.uploads.part_size = value

    @property
    def url_ttl(self) -> int:
        """Lifetime in seconds of the presigned URLs the routes mint (default 900)."""
        return self._store.uploads.url_ttl

    @url_ttl.setter
    def url_ttl(self, value: int) -> None:
        self._store.uploads.url_ttl = value

    @property
    def user_uid(self) -> str:
        """Uid of the user holding the API key (``GET /users/me/``, storage root ``__u__=/``)."""
        return self._store.user_uid

    @property
    def export_failures(self) -> set[str]:
        """Project uids whose exports end in "failed" (mutate in place or assign)."""
        return self._store.export_failures

    @export_failures.setter
    def export_failures(self, value: set[str]) -> None:
        self._store.export_failures = set(value)

    @property
    def recording_failures(self) -> set[str]:
        """Recording uids whose processing after a finalized upload ends in "error"."""
        return self._store.recording_failures

    @recording_failures.setter
    def recording_failures(self, value: set[str]) -> None:
        self._store.recording_failures = set(value)

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
        if _anonymous(req):
            pass  # served without credentials (resolver, signup), like the real API
        elif sent is None:
            return FakeResponse(401, {"detail": "Authentication credentials were not provided."})
        elif not hmac.compare_digest(sent.encode(), self._api_key.encode()):
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

    @property
    def seed(self) -> Seeder:
        """Typed seeding, `fake.seed.project(name=...) -> Project`, one method per collection
        (and `fake.seed(projects=, datasets=, tasks=)` adds N default records of each)."""
        return Seeder(self._store)

    def publish_revision(
        self,
        owner: str,
        dataset: str,
        files: dict[str, bytes],
        *,
        aliases: tuple[str, ...] = ("main",),
    ) -> dict[str, Any]:
        """Publish ``files`` (logical path -> bytes) for the resolver as ``owner/dataset``
        (resolvable by each alias and by its digest); the bytes go to ``fake.objects``.
        Returns the record: ``document`` (the resolved revision) and ``objects``."""
        with self._store.lock:
            return publish_revision(self._store, owner, dataset, files, aliases=aliases)

    def tamper_grants(self, *overrides: dict[str, Any]) -> None:
        """Change the next resolver access grants, one dict per grant, in order: each
        key replaces that grant field (``provider``, ``size_bytes``, ``url`` ...), and
        ``lifetime`` (seconds) sets ``expires_at`` that long after the grant was issued."""
        with self._store.lock:
            self._store.grant_overrides.extend(dict(o) for o in overrides)

    def add_project(self, **fields: Any) -> dict[str, Any]:
        return self.seed.record("projects", **fields)

    def add_dataset(self, **fields: Any) -> dict[str, Any]:
        return self.seed.record("datasets", **fields)

    def add_task(self, **fields: Any) -> dict[str, Any]:
        return self.seed.record("tasks", **fields)

    def add_export(self, **fields: Any) -> dict[str, Any]:
        return self.seed.record("exports", **fields)
