"""The fake object store: presigned URLs served over HTTP on a port of their own.

FakeAvala's upload routes mint presigned URLs to it; tests can too (``presign``). It
checks each URL's signature and expiry, keeps objects and multipart parts on disk (so a
large upload costs disk, not memory), answers like S3 (ETag, 412, Range, XML errors),
counts what it receives, and misbehaves on request (``inject(StorageFault...)``).
"""

from __future__ import annotations

import fnmatch
import hashlib
import hmac
import io
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, BinaryIO
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from ._http import StrictHandler, StrictServer, serve, shut_down
from ._object_faults import StorageFault

__all__ = ["MIN_PART_SIZE", "ObjectRequest", "ObjectStore", "StorageError", "StoredObject"]

MIN_PART_SIZE = 5 * 1024**2
"""S3's smallest part (every part but the last); ``complete_multipart`` enforces it."""
CHUNK = 1024**2
AMZ_DATE = "%Y%m%dT%H%M%SZ"
SIGNED_QUERY = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires")
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


@dataclass(frozen=True)
class StoredObject:
    """An object (or a multipart part) the store holds: its size and quoted-md5 ETag."""

    key: str
    size: int
    etag: str
    file: Path = field(repr=False)

    def read(self) -> bytes:
        return self.file.read_bytes()


@dataclass(frozen=True)
class ObjectRequest:
    """One request the store received (faulted ones included), for assertions in tests."""

    method: str
    path: str
    key: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    fault: StorageFault | None = None


class StorageError(Exception):
    """An S3-style refusal: HTTP status, error code and message (sent as XML)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message

    def xml(self) -> bytes:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{self.code}</Code><Message>{self.message}</Message></Error>"
        ).encode()


@dataclass
class _Multipart:
    key: str
    parts: dict[int, StoredObject] = field(default_factory=dict)


@dataclass
class _Injection:
    method: str | None
    key: str | None
    faults: list[StorageFault]
    skip: int = 0

    def matches(self, method: str, key: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return self.key is None or fnmatch.fnmatchcase(key, self.key)


class ObjectStore:
    """S3-like storage on its own 127.0.0.1 port; started and stopped with its FakeAvala."""

    def __init__(self, *, bucket: str = "fake-bucket") -> None:
        self.bucket = bucket
        self.min_part_size = MIN_PART_SIZE
        self._secret = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._objects: dict[str, StoredObject] = {}
        self._uploads: dict[str, _Multipart] = {}
        self._requests: list[ObjectRequest] = []
        self._received: Counter[str] = Counter()
        self._served: Counter[str] = Counter()
        self._injections: list[_Injection] = []
        self._dir: Path | None = None
        self._server: StrictServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> ObjectStore:
        if self._server is not None:
            return self
        self._dir = Path(tempfile.mkdtemp(prefix="avala-fake-objects-"))
        self._server = StrictServer(self, _ObjectHandler)
        self._thread = serve(self._server, f"FakeObjects:{self._server.port}")
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._server = self._thread = None
        shut_down(server, thread)
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the object store is not running; start its FakeAvala first")
        return self._server.port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``: where presigned URLs point."""
        return f"http://127.0.0.1:{self.port}"

    # --- presigned URLs --------------------------------------------------------------------

    def presign(
        self,
        method: str,
        key: str,
        *,
        expires_in: int = 900,
        upload_id: str | None = None,
        part_number: int | None = None,
        issued_at: datetime | None = None,
        signed_headers: str = "host",
    ) -> str:
        """A URL allowing ``method`` on ``key`` for ``expires_in`` seconds from
        ``issued_at`` (now); with ``upload_id`` and ``part_number``, a part PUT.
        ``signed_headers`` is what the URL claims to sign (not enforced by the store)."""
        issued = (issued_at or datetime.now(UTC)).astimezone(UTC)
        query = {
            "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
            "X-Amz-Credential": f"FAKEKEY/{issued:%Y%m%d}/auto/s3/aws4_request",
            "X-Amz-Date": issued.strftime(AMZ_DATE),
            "X-Amz-Expires": str(int(expires_in)),
            "X-Amz-SignedHeaders": signed_headers,
        }
        if upload_id is not None:
            query["uploadId"] = upload_id
        if part_number is not None:
            query["partNumber"] = str(part_number)
        query["X-Amz-Signature"] = self._signature(method.upper(), key, query)
        path = quote(f"/{self.bucket}/{key}", safe="/~")
        return f"{self.base_url}{path}?{urlencode(query, quote_via=quote)}"

    def _signature(self, method: str, key: str, query: dict[str, str]) -> str:
        signed = sorted((k, v) for k, v in query.items() if k != "X-Amz-Signature")
        text = "\n".join([method, self.bucket, key, urlencode(signed, quote_via=quote)])
        return hmac.new(self._secret, text.encode(), hashlib.sha256).hexdigest()

    def verify(self, method: str, key: str, query: dict[str, list[str]]) -> None:
        """Raise ``StorageError`` 403 unless the query signs ``method`` on ``key`` and has
        not expired (a HEAD may use a GET URL)."""
        single = {k: v[0] for k, v in query.items() if len(v) == 1}
        if len(single) != len(query) or not all(k in single for k in SIGNED_QUERY):
            raise StorageError(403, "AccessDenied", "Query-string authentication is required")
        given = single.get("X-Amz-Signature", "")
        methods = ("GET", "HEAD") if method == "HEAD" else (method,)
        if not any(hmac.compare_digest(given, self._signature(m, key, single)) for m in methods):
            raise StorageError(403, "SignatureDoesNotMatch", "The request signature does not match")
        issued = datetime.strptime(single["X-Amz-Date"], AMZ_DATE).replace(tzinfo=UTC)
        if time.time() > issued.timestamp() + int(single["X-Amz-Expires"]):
            raise StorageError(403, "AccessDenied", "Request has expired")

    # --- objects ---------------------------------------------------------------------------

    def put(self, key: str, data: bytes) -> StoredObject:
        """Store ``data`` at ``key`` directly (seeding a download, say)."""
        return self._keep(key, self._write(iter([data])))

    def get(self, key: str) -> bytes | None:
        found = self.info(key)
        return None if found is None else found.read()

    def info(self, key: str) -> StoredObject | None:
        with self._lock:
            return self._objects.get(key)

    def keys(self, prefix: str = "") -> list[str]:
        """Keys under ``prefix``, sorted."""
        with self._lock:
            return sorted(k for k in self._objects if k.startswith(prefix))

    def delete(self, key: str) -> bool:
        with self._lock:
            return self._objects.pop(key, None) is not None

    def _new_file(self) -> Path:
        if self._dir is None:
            raise RuntimeError("the object store is not running")
        return self._dir / uuid.uuid4().hex

    def _write(self, chunks: object, count: Callable[[int], None] | None = None) -> StoredObject:
        """Stream ``chunks`` to a new file, hashing as it goes; key set by the caller."""
        target = self._new_file()
        digest, size = hashlib.md5(usedforsecurity=False), 0
        with target.open("wb") as out:
            for chunk in chunks:  # type: ignore[attr-defined]
                out.write(chunk)
                digest.update(chunk)
                size += len(chunk)
                if count is not None:
                    count(len(chunk))
        return StoredObject("", size, f'"{digest.hexdigest()}"', target)

    def _join(self, parts: list[Path]) -> Path:
        """Concatenate part files into a new file, copied in the kernel where it can be (a
        real store joins parts without the client waiting on a byte copy in Python)."""
        target = self._new_file()
        with target.open("wb") as out:
            for path in parts:
                with path.open("rb") as part:
                    _append(part, out)
        return target

    def _keep(self, key: str, stored: StoredObject) -> StoredObject:
        kept = StoredObject(key, stored.size, stored.etag, stored.file)
        with self._lock:
            self._objects[key] = kept
        return kept

    # --- multipart -------------------------------------------------------------------------

    def create_multipart(self, key: str) -> str:
        """Open a multipart upload of ``key``; parts are PUT with its upload id."""
        upload_id = secrets.token_urlsafe(24)
        with self._lock:
            self._uploads[upload_id] = _Multipart(key)
        return upload_id

    def parts(self, upload_id: str) -> dict[int, StoredObject]:
        """The parts held for an upload, by part number (empty for an unknown upload)."""
        with self._lock:
            upload = self._uploads.get(upload_id)
            return dict(upload.parts) if upload else {}

    def complete_multipart(self, upload_id: str, part_count: int) -> StoredObject:
        """Join parts 1..part_count into the object; ``StorageError`` if one is missing or
        a part before the last is smaller than ``min_part_size``. The ETag is S3's
        ``"<md5 of the part md5s>-<count>"``."""
        with self._lock:
            upload = self._uploads.get(upload_id)
        if upload is None:
            raise StorageError(404, "NoSuchUpload", "The specified upload does not exist")
        numbers = range(1, part_count + 1)
        missing = [n for n in numbers if n not in upload.parts]
        if missing:
            raise StorageError(400, "InvalidPart", f"missing part(s) {missing}")
        small = [n for n in numbers[:-1] if upload.parts[n].size < self.min_part_size]
        if small:
            raise StorageError(400, "EntityTooSmall", f"part(s) {small} below the minimum")

        joined = self._join([upload.parts[n].file for n in numbers])
        md5s = b"".join(bytes.fromhex(upload.parts[n].etag.strip('"')) for n in numbers)
        etag = f'"{hashlib.md5(md5s, usedforsecurity=False).hexdigest()}-{part_count}"'
        with self._lock:
            self._uploads.pop(upload_id, None)
        return self._keep(upload.key, StoredObject("", joined.stat().st_size, etag, joined))

    # --- counters and faults ---------------------------------------------------------------

    @property
    def requests(self) -> list[ObjectRequest]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()
            self._received.clear()
            self._served.clear()

    @property
    def bytes_received(self) -> Counter[str]:
        """Request-body bytes read per key (parts count toward their object's key), faulted
        and refused requests included: what a client actually sent."""
        with self._lock:
            return Counter(self._received)

    @property
    def bytes_served(self) -> Counter[str]:
        """GET body bytes written per key, cut and ranged answers included: what a
        download actually fetched (a resume shows as only the rest)."""
        with self._lock:
            return Counter(self._served)

    def _serve(self, key: str, size: int) -> None:
        with self._lock:
            self._served[key] += size

    @property
    def connections_opened(self) -> int:
        """Connections accepted since start: a keep-alive client opens few."""
        server = self._server
        if server is None:
            return 0
        with server.sockets_lock:
            return server.connections_opened

    @property
    def open_connections(self) -> int:
        server = self._server
        if server is None:
            return 0
        with server.sockets_lock:
            return len(server.open_sockets)

    def inject(
        self,
        *faults: StorageFault,
        method: str | None = None,
        key: str | None = None,
        skip: int = 0,
    ) -> None:
        """Queue ``faults``, one per matching request in order (``key`` may be a glob),
        after letting ``skip`` matching requests through: ``skip=2`` faults the third."""
        with self._lock:
            self._injections.append(
                _Injection(method.upper() if method else None, key, list(faults), skip)
            )

    def clear_faults(self) -> None:
        with self._lock:
            self._injections.clear()

    def _take_fault(self, method: str, key: str) -> StorageFault | None:
        with self._lock:
            for injection in self._injections:
                if injection.faults and injection.matches(method, key):
                    if injection.skip > 0:
                        injection.skip -= 1
                        return None
                    fault = injection.faults.pop(0)
                    self._injections = [i for i in self._injections if i.faults]
                    return fault
        return None

    def _log(self, entry: ObjectRequest) -> None:
        with self._lock:
            self._requests.append(entry)

    def _count(self, key: str, size: int) -> None:
        with self._lock:
            self._received[key] += size

    def _store_part(self, upload_id: str, number: int, stored: StoredObject) -> StoredObject:
        with self._lock:
            upload = self._uploads.get(upload_id)
            if upload is None:
                raise StorageError(404, "NoSuchUpload", "The specified upload does not exist")
            part = StoredObject(upload.key, stored.size, stored.etag, stored.file)
            upload.parts[number] = part
            return part


class _Dropped(Exception):
    """Close the connection without an answer."""


class _ObjectHandler(StrictHandler):
    server: StrictServer

    def do_GET(self) -> None:
        self._handle()

    do_PUT = do_HEAD = do_POST = do_DELETE = do_GET

    @property
    def store(self) -> ObjectStore:
        owner: ObjectStore = self.server.owner
        return owner

    def _handle(self) -> None:
        if not self.origin_form():
            self.close_connection = True
            self._error(StorageError(400, "InvalidRequest", "request target must be a path"))
            return
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        headers = self.header_map()
        bucket, _, key = unquote(parts.path[1:]).partition("/")
        fault = self.store._take_fault(self.command, key)
        self.store._log(ObjectRequest(self.command, parts.path, key, query, headers, fault))
        try:
            if self.command == "PUT":
                self._put(bucket, key, query, headers, fault)
            elif self.command in ("GET", "HEAD"):
                self._get(bucket, key, query, headers, fault)
            else:
                self._drain(key)
                raise StorageError(405, "MethodNotAllowed", f"{self.command} is not allowed")
        except StorageError as error:
            self._error(error)
        except _Dropped:
            self.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # --- requests --------------------------------------------------------------------------

    def _check(self, bucket: str, key: str, query: dict[str, list[str]]) -> None:
        if bucket != self.store.bucket:
            raise StorageError(404, "NoSuchBucket", "The specified bucket does not exist")
        self.store.verify(self.command, key, query)

    def _before(self, fault: StorageFault | None) -> None:
        """Faults that answer instead of the store (after the body was read)."""
        if fault is None:
            return
        if fault.kind == "expired":
            raise StorageError(403, "AccessDenied", "Request has expired")
        if fault.kind == "status":
            error = StorageError(fault.status_code, "ServiceUnavailable", "Please reduce your rate")
            self._error(error, {"Retry-After": fault.retry_after} if fault.retry_after else {})
            raise _Answered
        if fault.kind == "delay":
            time.sleep(fault.seconds)

    def _put(
        self,
        bucket: str,
        key: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        fault: StorageFault | None,
    ) -> None:
        store = self.store
        try:
            self._check(bucket, key, query)
        except StorageError:
            self._drain(key)
            raise
        stored = store._write(self._body(), lambda n: store._count(key, n))
        try:
            self._before(fault)
        except _Answered:
            return
        if fault is not None and fault.kind == "drop_before":
            raise _Dropped
        upload_id, number = query.get("uploadId", [None])[0], query.get("partNumber", [None])[0]
        if upload_id is not None and number is not None:
            if not number.isdigit() or not 1 <= int(number) <= 10000:
                raise StorageError(400, "InvalidArgument", "partNumber must be 1-10000")
            kept = store._store_part(upload_id, int(number), stored)
        elif headers.get("if-none-match", "").strip() == "*" and store.info(key) is not None:
            raise StorageError(412, "PreconditionFailed", "At least one precondition failed")
        else:
            kept = store._keep(key, stored)
        if fault is not None and fault.kind == "drop_after":
            raise _Dropped
        self._send(200, {"ETag": kept.etag, "Content-Length": "0"})

    def _get(
        self,
        bucket: str,
        key: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        fault: StorageFault | None,
    ) -> None:
        self._drain(key)
        self._check(bucket, key, query)
        try:
            self._before(fault)
        except _Answered:
            return
        found = self.store.info(key)
        if found is None:
            raise StorageError(404, "NoSuchKey", "The specified key does not exist")
        start, end, status = 0, found.size - 1, 200
        out = {"ETag": found.etag, "Accept-Ranges": "bytes"}
        wanted = headers.get("range")
        if fault is not None and fault.kind == "ignore_range":
            wanted = None
        if wanted is not None:
            span = _byte_range(wanted, found.size)
            if span is None:
                self._error(
                    StorageError(416, "InvalidRange", "The requested range is not satisfiable"),
                    {"Content-Range": f"bytes */{found.size}"},
                )
                return
            start, end, status = *span, 206
            out["Content-Range"] = f"bytes {start}-{end}/{found.size}"
        length = end - start + 1
        out["Content-Type"] = "application/octet-stream"
        out["Content-Length"] = str(length)
        self._send(status, out, flush=False)
        if self.command == "HEAD":
            self.wfile.flush()
            return
        limit = fault.after_bytes if fault is not None and fault.kind == "cut" else length
        stall = fault if fault is not None and fault.kind == "stall" else None
        first = min(stall.after_bytes, length) if stall is not None else 0

        def served(count: int) -> None:
            self.store._serve(key, count)

        with found.file.open("rb") as source:
            source.seek(start)
            if stall is not None:  # the first bytes, a pause, then the rest
                _copy(source, self.wfile, first, served)
                self.wfile.flush()
                time.sleep(stall.seconds)
            _copy(source, self.wfile, min(limit, length) - first, served)
        self.wfile.flush()
        if limit < length:
            raise _Dropped

    # --- wire --------------------------------------------------------------------------------

    def _body(self) -> object:
        """The request body in chunks of at most 1 MiB: Content-Length or chunked framing."""
        length = self.headers.get("Content-Length")
        if length is not None:
            remaining = int(length)
            while remaining > 0:
                chunk = self.rfile.read(min(CHUNK, remaining))
                if not chunk:
                    raise _Dropped  # the client went away mid-body
                remaining -= len(chunk)
                yield chunk
            return
        if "chunked" not in self.headers.get("Transfer-Encoding", "").lower():
            return
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return
            while size > 0:
                chunk = self.rfile.read(min(CHUNK, size))
                if not chunk:
                    raise _Dropped
                size -= len(chunk)
                yield chunk
            self.rfile.readline()

    def _drain(self, key: str) -> None:
        for chunk in self._body():  # type: ignore[attr-defined]
            self.store._count(key, len(chunk))

    def _send(self, status: int, headers: dict[str, str], *, flush: bool = True) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if flush:
            self.wfile.flush()

    def _error(self, error: StorageError, extra: dict[str, str] | None = None) -> None:
        body = b"" if self.command == "HEAD" else error.xml()
        headers = {"Content-Type": "application/xml", "Content-Length": str(len(error.xml()))}
        self._send(error.status, {**headers, **(extra or {})}, flush=False)
        self.wfile.write(body)
        self.wfile.flush()


class _Answered(Exception):
    """A fault already answered the request."""


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """``(first, last)`` of a ``bytes=a-b``, ``a-`` or ``-n`` range, None if unsatisfiable."""
    found = _RANGE.fullmatch(header.strip())
    if found is None or found.groups() == ("", ""):
        return None
    first, last = found.groups()
    if first == "":
        count = int(last)
        return (max(0, size - count), size - 1) if count > 0 and size > 0 else None
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    return (start, end) if start < size and start <= end else None


def _copy(
    source: IO[bytes], sink: io.BufferedIOBase, count: int, sent: Callable[[int], None]
) -> None:
    while count > 0:
        chunk = source.read(min(CHUNK, count))
        if not chunk:
            return
        sink.write(chunk)
        sent(len(chunk))
        count -= len(chunk)


def _append(source: BinaryIO, out: BinaryIO) -> None:
    """Copy ``source`` to the end of ``out``: ``os.sendfile`` where the platform has it."""
    out.flush()
    size, offset = os.fstat(source.fileno()).st_size, 0
    try:
        while offset < size:
            sent = os.sendfile(out.fileno(), source.fileno(), offset, size - offset)
            if sent == 0:
                break
            offset += sent
    except (AttributeError, OSError):
        source.seek(offset)
        out.seek(0, os.SEEK_END)
        shutil.copyfileobj(source, out, CHUNK)
