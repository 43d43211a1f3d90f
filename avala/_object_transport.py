"""The object-storage transport: PUTs of local file slices to presigned URLs, and GETs
of objects into a partial file beside their destination.

The sibling of ``_transport.py`` for storage hosts, and the only code that opens a file
to send it. It has no access to the client's configuration: no API key can reach a
storage host. One keep-alive pool per storage host; no redirects; each try bounded as a
whole (connect, body and response) by its timeout; the body streamed in chunks, so a
transfer holds one chunk in memory, never a part. The file's stamp is checked before
it is opened and again before the last chunk goes out: a file that changed is never
stored, whatever its bytes.
"""

from __future__ import annotations

import hashlib
import os
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

import certifi
import requests.utils
import urllib3

from avala._connection import DeadlinePoolManager, DeadlineProxyManager
from avala._object_get import ObjectFetched, ObjectGet, fetch, open_storage
from avala._transport import _classify
from avala._wire import Outcome, TransportFailure, WireResponse
from avala.errors import SourceChangedError
from avala.transfers._stamp import Stamp

__all__ = [
    "CHUNK_SIZE",
    "ObjectFetched",
    "ObjectGet",
    "ObjectPut",
    "ObjectReply",
    "ObjectTransport",
    "PooledObjectTransport",
]

CHUNK_SIZE = 1024 * 1024
# A storage answer worth keeping is an error document of a few hundred bytes; past this
# the body is cut and the connection not reused.
_MAX_ANSWER_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class ObjectPut:
    """One try of a PUT: everything the transport needs and nothing more (no API key)."""

    url: str
    headers: Mapping[str, str] = field(repr=False)
    path: str
    offset: int
    length: int
    stamp: Stamp
    timeout: float
    digest: bool = False


@dataclass(frozen=True, slots=True)
class ObjectReply:
    """How a try ended, and how many body bytes it reported through ``on_bytes``;
    ``sha256`` is the hex digest of the body this try sent whole (asked for with
    ``ObjectPut.digest``; None otherwise, or when the body was cut short)."""

    outcome: Outcome | SourceChangedError
    bytes_sent: int
    sha256: str | None = None


class ObjectTransport(Protocol):
    """The seam between clients and object storage; tests may swap in their own."""

    def put(self, op: ObjectPut, on_bytes: Callable[[int], None]) -> ObjectReply: ...

    def get(self, op: ObjectGet, on_bytes: Callable[[int], None]) -> ObjectFetched: ...

    def close(self) -> None: ...


class _Abort(Exception):
    """Raised inside the body to stop a try; not an OSError, so urllib3 passes it through
    (and closes the connection, since the request was cut short)."""

    def __init__(self, reason: TransportFailure | SourceChangedError) -> None:
        super().__init__(str(reason))
        self.reason = reason


class _CallbackFailed(Exception):
    """Carries an exception of the caller's ``on_bytes`` out through urllib3 untouched: a
    bug in a progress callback is raised to the caller, not taken for a network fault."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(repr(error))
        self.error = error


class PooledObjectTransport:
    """Sends through a urllib3 pool manager: a keep-alive pool per storage host."""

    def __init__(
        self,
        *,
        verify: bool | str = True,
        pool_size: int = 16,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        if verify is True:
            verify = (
                os.environ.get("REQUESTS_CA_BUNDLE")
                or os.environ.get("CURL_CA_BUNDLE")
                or certifi.where()
            )
        where = verify if isinstance(verify, str) else None
        is_dir = where is not None and os.path.isdir(where)
        self._pool_options: dict[str, Any] = {
            "num_pools": 32,
            "maxsize": pool_size,
            "cert_reqs": "CERT_NONE" if verify is False else "CERT_REQUIRED",
            "ca_certs": None if is_dir else where,
            "ca_cert_dir": where if is_dir else None,
        }
        self._manager = DeadlinePoolManager(**self._pool_options)
        self._proxy_managers: dict[str, DeadlineProxyManager] = {}
        self._routes: dict[str, urllib3.PoolManager] = {}  # origin -> its pools
        self._lock = threading.Lock()
        self._chunk_size = chunk_size
        self._closed = threading.Event()

    @property
    def manager(self) -> urllib3.PoolManager:
        """The pools (for tests and diagnostics: connections opened, requests sent)."""
        return self._manager

    def _manager_for(self, url: str) -> urllib3.PoolManager:
        """The direct pools, or those of the proxy the environment names for ``url``'s
        origin: decided at the first transfer to that origin (the environment is read once
        per origin, not on every part)."""
        parts = urllib.parse.urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        route = self._routes.get(origin)
        if route is not None:
            return route
        proxy = _proxy_for(url)
        with self._lock:
            if proxy is None:
                route = self._manager
            else:
                route = self._proxy_managers.get(proxy)
                if route is None:
                    route = DeadlineProxyManager(
                        proxy, proxy_headers=_proxy_headers(proxy), **self._pool_options
                    )
                    self._proxy_managers[proxy] = route
            self._routes[origin] = route
        return route

    def put(self, op: ObjectPut, on_bytes: Callable[[int], None]) -> ObjectReply:
        reported = [0]

        def count(n: int) -> None:
            reported[0] += n
            try:
                on_bytes(n)
            except BaseException as exc:
                raise _CallbackFailed(exc) from None

        try:
            file = _open_checked(op)
        except _Abort as abort:
            return ObjectReply(abort.reason, 0)
        digest = hashlib.sha256() if op.digest else None  # fresh each try: none carries over
        try:
            headers = {**op.headers, "Content-Length": str(op.length)}
            body: Iterator[memoryview] | bytes = (
                self._chunks(file, op, count, digest) if op.length else b""
            )
            manager = self._manager_for(op.url)
            response = open_storage(manager, "PUT", op.url, headers, op.timeout, body)
            answer = _answer(response)
            whole = reported[0] == op.length
            sha256 = digest.hexdigest() if digest is not None and whole else None
            return ObjectReply(answer, reported[0], sha256)
        except _Abort as abort:
            return ObjectReply(abort.reason, reported[0])
        except _CallbackFailed as failed:
            raise failed.error from None
        except Exception as exc:
            return ObjectReply(_classify(exc), reported[0])
        finally:
            file.close()

    def _chunks(
        self,
        file: IO[bytes],
        op: ObjectPut,
        count: Callable[[int], None],
        digest: hashlib._Hash | None,
    ) -> Iterator[memoryview]:
        """The slice, one reused buffer at a time (urllib3 sends each chunk before it asks
        for the next); the stamp is checked again before the last chunk goes out, so a
        file that changed while it was read never reaches the store complete. ``digest``,
        if given, hears each chunk as it is read: the file is read once for both."""
        buffer = bytearray(min(self._chunk_size, op.length))
        view = memoryview(buffer)
        left = op.length
        while left:
            if self._closed.is_set():
                raise _Abort(TransportFailure("connect", True, "the client is closed"))
            size = min(len(buffer), left)
            _read_exactly(file, view[:size], op)
            if digest is not None:
                digest.update(view[:size])
            left -= size
            if not left:
                _check_stamp(op, os.fstat(file.fileno()).st_size, os.stat(op.path))
            yield view[:size]
            count(size)

    def get(self, op: ObjectGet, on_bytes: Callable[[int], None]) -> ObjectFetched:
        manager = self._manager_for(op.url)
        return fetch(manager, op, on_bytes, self._chunk_size, self._closed)

    def close(self) -> None:
        """Close idle connections now; a transfer in flight stops before its next chunk."""
        self._closed.set()
        self._manager.clear()
        with self._lock:
            for manager in self._proxy_managers.values():
                manager.clear()


def _proxy_for(url: str) -> str | None:
    """The proxy the environment names for ``url`` (``HTTPS_PROXY``, ``HTTP_PROXY``,
    ``ALL_PROXY``, minus ``NO_PROXY``), chosen as requests chooses it for API calls."""
    proxy = requests.utils.select_proxy(url, requests.utils.get_environ_proxies(url))
    if not proxy:
        return None
    return proxy if "://" in proxy else "http://" + proxy


def _proxy_headers(proxy: str) -> dict[str, str] | None:
    """Basic credentials given in the proxy URL, as the Proxy-Authorization header."""
    parts = urllib.parse.urlsplit(proxy)
    if parts.username is None:
        return None
    credentials = (
        f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
    )
    return urllib3.util.make_headers(proxy_basic_auth=credentials)


def _open_checked(op: ObjectPut) -> IO[bytes]:
    """The file, opened unbuffered at ``op.offset`` once its stamp matches ``op.stamp``."""
    try:
        before = os.stat(op.path)
        _check_stamp(op, before.st_size, before)
        file = open(op.path, "rb", buffering=0)  # noqa: SIM115  # closed by put()
    except OSError as exc:
        raise _Abort(_changed(op, f"cannot be read: {type(exc).__name__}")) from None
    try:
        _check_stamp(op, os.fstat(file.fileno()).st_size, before)  # the file we opened
        file.seek(op.offset)
    except OSError as exc:
        file.close()
        raise _Abort(_changed(op, f"cannot be read: {type(exc).__name__}")) from None
    except BaseException:
        file.close()
        raise
    return file


def _read_exactly(file: IO[bytes], into: memoryview, op: ObjectPut) -> None:
    got = 0
    while got < len(into):
        try:
            n = file.readinto(into[got:])  # type: ignore[attr-defined]  # raw file
        except OSError as exc:
            raise _Abort(_changed(op, f"cannot be read: {type(exc).__name__}")) from None
        if not n:
            raise _Abort(_changed(op, "is shorter than when it was planned"))
        got += n


def _check_stamp(op: ObjectPut, open_size: int, found: os.stat_result) -> None:
    if open_size != op.stamp.size or Stamp(found.st_size, found.st_mtime_ns) != op.stamp:
        raise _Abort(_changed(op, "changed since it was planned (size or modification time)"))


def _changed(op: ObjectPut, why: str) -> SourceChangedError:
    return SourceChangedError(f"{op.path} {why}; nothing was stored from it", path=op.path)


def _answer(response: urllib3.BaseHTTPResponse) -> WireResponse:
    """The response, its body cut at ``_MAX_ANSWER_BYTES``; the connection goes back to
    the pool only when the body was read to its end. Raises when the body is cut short."""
    reuse = False
    try:  # a body cut short fails the try, as on the API (docs/reliability.md, "Framing")
        length = response.length_remaining  # from Content-Length; None if chunked
        if length is not None and length <= _MAX_ANSWER_BYTES:
            body = response.read()  # urllib3 refuses a body shorter than its Content-Length
            reuse = True
        else:
            body = response.read(_MAX_ANSWER_BYTES + 1)
            reuse = len(body) <= _MAX_ANSWER_BYTES
    finally:
        if not reuse:
            response.close()
        response.release_conn()
    headers = {k.lower(): v for k, v in response.headers.items()}
    return WireResponse(response.status, headers, body[:_MAX_ANSWER_BYTES])
