"""Fleet recording uploads (UPLOADS.md §2, the legacy protocol) composed from request values.

``upload_recording`` builds one request; nothing here touches the network or a file while
building. When it runs, the request:

1. scans the source tree (a ``Local`` step: a bad tree is a ``LocalFileError`` before any
   call is sent) and opens the recording's journal (base URL and recording uid, never the
   API key);
2. reads the upload status: no session → ``init`` with the manifest, journaling the
   session uid; an open session the journal names → resume it; an open session the
   journal does not name but whose totals match the manifest → the answer to an ``init``
   that was lost, adopted (the reference stays "initializing" for ever, §8);
3. sends every file not yet confirmed in one ``gather(limit=max_workers)``: each file asks
   for its URL just in time (a window of about 64 MiB of files, ``2 × max_workers`` to 50
   paths, per ``urls`` call, 15 minutes' lifetime), checks the grant (§2.4: exact key
   and object path, host rules, header allow-list) before any byte moves, PUTs with
   ``PutObject`` (retries, a fresh URL after a 403), then queues its ETag: confirm
   calls take every file queued while the previous one was under way, and journal them
   (``FileStored``) once confirmed;
4. finalizes and reads the status back (``completing`` or ``completed``).

Which files are pending comes from the journal, narrowed by the server's
``pending_paths`` when that list is complete (under 1000 entries): a resume with any
number of pending files works. Content identity is the stamp (size, mtime), checked by
the transport before and after reading; each file is hashed (SHA-256) by its PUT, in the
read that sends it, so it is read from disk once. The digest of what was stored is
journaled with the file and reported.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from pyrsistent import pmap
from returns.result import Failure, Result, Success

from avala._request import Request, fail, gather, pure
from avala._steps import Contextual, announce, local
from avala.errors import AvalaError, DecodeError, NotFoundError, TerminalStatusError
from avala.events import FileSkipped, FileStarted
from avala.events import FileStored as FileStoredEvent
from avala.transfers import _local
from avala.transfers._hosts import check_upload_url
from avala.transfers._journal import BatchBound, FileStored, UploadState, fold
from avala.transfers._lookahead import LookAhead
from avala.transfers._scan import ScannedFile, ScanResult
from avala.transfers._state import journal_path, recording_key
from avala.transfers._values import Presigned, Stored, presigned, put_object
from avala.types import UploadSession, UploadStatusResponse, UploadUrlEntry, UploadUrlsResponse
from avala.types._common import to_plain

if TYPE_CHECKING:
    from avala.resources.fleet import Uploads

__all__ = ["RecordingUploadReport", "upload_recording"]

NO_SESSION = "No upload session found for this recording."
"""The 404 detail meaning "no session yet" (any other 404 is an error, §2.2)."""
PENDING_CAP = 1000
"""The server lists at most this many pending paths: a list this long may be cut short."""
URL_TTL_SECONDS = 900
MAX_PATHS_PER_CALL = 100
"""The most paths one ``confirm`` call carries (the endpoint's limit)."""
MAX_URLS_PER_CALL = 50
"""The most URLs asked for at once: half the reference's 100, which it asked for up front
with an hour's lifetime (§8); with ``URL_TTL_SECONDS`` a window is used long before."""
WINDOW_BYTES = 64 * 1024 * 1024
"""About how many bytes of files one ``urls`` call covers: small files share a call (500
files of 256 KiB were 63 calls of 8 paths), large ones still ask a few at a time."""
ALLOWED_HEADERS = {
    "content-type": {"application/octet-stream"},
    "content-encoding": {"gzip"},
    "cache-control": {"no-cache", "private, immutable, max-age=31536000"},
}
OPEN = ("initiated", "uploading")
DONE = ("completing", "completed")
SKIPPED_CONFIRMED = "already confirmed in this upload session"


@dataclass(frozen=True, slots=True)
class RecordingUploadReport:
    """What an upload run did: the recording's ``session_uid``, the paths it ``stored``
    (sent and confirmed), those it ``skipped`` (confirmed before), the body
    ``bytes_sent`` that were stored, the session ``status`` it ended in, and the
    ``sha256`` (hex) of the bytes this run stored, by path (an immutable mapping)."""

    recording_uid: str
    session_uid: str
    stored: tuple[str, ...]
    skipped: tuple[str, ...]
    bytes_sent: int
    status: str
    sha256: Mapping[str, str] = field(default_factory=pmap)


# --- local steps --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Opened:
    """The scanned source and the recording's journal, folded."""

    recording_uid: str
    journal: Path
    state: UploadState
    scan: ScanResult


def _open(base_url: str, recording_uid: str, source: str) -> _Opened:
    directory = _local.usable_state_dir()
    scan = _local.scan(source, state_dir=directory)
    path = journal_path(directory, recording_key(base_url, recording_uid), "recordings")
    return _Opened(recording_uid, path, fold(_local.recover_journal(path)), scan)


_SESSION_UID = re.compile(r"[A-Za-z0-9_-]{1,128}")


def check_protocol_uid(name: str, value: object) -> str:
    """``value`` if it is a uid the recording upload protocol takes (§2.1:
    ``[A-Za-z0-9_-]{1,128}``), checked when the request is built."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not _SESSION_UID.fullmatch(value):
        raise ValueError(f"{name} must be 1 to 128 of A-Z a-z 0-9 _ -, not {value!r:.80}")
    return value


def bound_uid(session_uid: str) -> str:
    """The journal's batch uid for a session uid: the UUID itself, or a UUID derived from
    a non-UUID uid (the server's are ``[A-Za-z0-9_-]{1,128}``)."""
    try:
        return str(uuid.UUID(session_uid))
    except ValueError:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "avala-fleet-session:" + session_uid))


# --- the session --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Session:
    """The server session this run works in. ``prefix`` is known when this run opened it;
    ``pending`` is the server's pending list when it is complete (None: it may be cut)."""

    opened: _Opened
    session_uid: str
    status: str
    prefix: str | None
    pending: frozenset[str] | None

    def append(self, *records: FileStored | BatchBound) -> Request[None]:
        return local(partial(_local.append_journal, self.opened.journal, records))

    def to_send(self) -> tuple[list[ScannedFile], list[ScannedFile]]:
        """(files to send, files already confirmed)."""
        state = self.opened.state
        send: list[ScannedFile] = []
        skip: list[ScannedFile] = []
        for file in self.opened.scan.files:
            path, stamp = file.path_in_dataset, file.stamp
            changed = path in state.stored and not state.is_stored(path, stamp)
            if self.pending is not None:
                pending = path in self.pending or changed
            else:
                pending = not state.is_stored(path, stamp)
            (send if pending else skip).append(file)
        return send, skip


def _manifest(scan: ScanResult) -> list[dict[str, object]]:
    return [{"path": f.path_in_dataset, "size_bytes": f.stamp.size} for f in scan.files]


def _matches(scan: ScanResult, total_files: int, total_bytes: int) -> bool:
    return total_files == len(scan.files) and total_bytes == scan.total_bytes


def _initialized(opened: _Opened, answer: UploadSession) -> Result[_Session, AvalaError]:
    """Check the init answer (§2.2): totals echo the manifest, status initiated, a prefix."""
    prefix = answer.s3_prefix or ""
    if not _matches(opened.scan, answer.total_files, answer.total_bytes):
        return Failure(DecodeError("the init answer's totals do not match the manifest"))
    if answer.status != "initiated" or not prefix.endswith("/") or ".." in prefix.split("/"):
        return Failure(DecodeError(f"unexpected init answer: status {answer.status!r}"))
    return Success(_Session(opened, answer.uid, "initiated", prefix, None))


def _init(uploads: Uploads, opened: _Opened, storage_config_uid: str | None) -> Request[_Session]:
    call = uploads.init_upload(
        opened.recording_uid, _manifest(opened.scan), storage_config_uid=storage_config_uid
    )
    session = call.bind_result(partial(_initialized, opened))
    return session.bind(lambda s: s.append(BatchBound(bound_uid(s.session_uid))).map(lambda _: s))


def _resumed(opened: _Opened, status: UploadStatusResponse) -> Result[_Session, AvalaError]:
    """The session a status names, when this run may work in it (§2.3)."""
    ours = opened.state.batch_uid == bound_uid(status.session_uid)
    if status.status == "abandoned":
        return Failure(TerminalStatusError("the upload session was abandoned", value=status))
    if not _matches(opened.scan, status.total_files, status.total_bytes):
        return Failure(
            TerminalStatusError(
                "the recording has an upload session whose manifest differs from the source"
                f" ({status.total_files} files, {status.total_bytes} bytes)",
                value=status,
            )
        )
    if not ours and (opened.state.batch_uid is not None or status.status not in OPEN):
        # Lost-init adoption is for an open session this journal never bound another over.
        return Failure(
            TerminalStatusError(
                f"the recording already has an upload session ({status.status}) this"
                " machine did not start",
                value=status,
            )
        )
    listed = status.pending_paths
    pending = frozenset(listed) if len(listed) < PENDING_CAP else None
    return Success(_Session(opened, status.session_uid, status.status, None, pending))


def _session(
    uploads: Uploads, opened: _Opened, storage_config_uid: str | None
) -> Request[_Session]:
    """Resume the server's session, or open one when there is none."""
    status: Request[UploadStatusResponse | None] = uploads.get_upload_status(
        opened.recording_uid
    ).map(lambda s: s)

    def none_yet(error: AvalaError) -> Request[UploadStatusResponse | None]:
        detail = error.body.get("detail") if isinstance(error.body, dict) else None
        return (
            pure(None) if isinstance(error, NotFoundError) and detail == NO_SESSION else fail(error)
        )

    def chosen(found: UploadStatusResponse | None) -> Request[_Session]:
        if found is None:
            return _init(uploads, opened, storage_config_uid)
        session = pure(found).bind_result(partial(_resumed, opened))
        bound = BatchBound(bound_uid(found.session_uid))
        if opened.state.batch_uid == bound.batch_uid:
            return session
        return session.bind(lambda s: s.append(bound).map(lambda _: s))  # adopted

    return status.recover(none_yet).bind(chosen)


# --- grants -------------------------------------------------------------------------------


def check_grant(
    entry: UploadUrlEntry, path: str, prefix: str | None
) -> Result[Presigned, AvalaError]:
    """A URL entry checked as §2.4 asks, before any byte goes to it: the path asked for,
    the object key (``prefix + path``; without a known prefix, a key ending in ``/path``),
    the URL's host rules and object path, and the header allow-list."""
    where = f"{path}: upload grant"
    key = entry.s3_key
    if entry.path != path:
        return Failure(DecodeError(f"{where} names {entry.path!r}"))
    if prefix is not None and key != prefix + path:
        return Failure(DecodeError(f"{where} key {key!r} is not {prefix + path!r}"))
    if prefix is None and (not key.endswith("/" + path) or ".." in key.split("/")):
        return Failure(DecodeError(f"{where} key {key!r} does not end in /{path}"))
    refused = check_upload_url(entry.put_url)
    if refused is not None:
        return Failure(refused)
    url_path, encoded = urlsplit(entry.put_url).path, "/" + quote(key, safe="/~")
    bucket = url_path[: len(url_path) - len(encoded)]
    if not url_path.endswith(encoded) or bucket.count("/") > 1 or (bucket and bucket[0] != "/"):
        return Failure(DecodeError(f"{where} URL does not address the object {key!r}"))
    headers = to_plain(entry.headers)
    if not isinstance(headers, dict):
        return Failure(DecodeError(f"{where} headers are not an object"))
    seen: set[str] = set()
    for name, value in headers.items():
        lowered = str(name).lower()
        if lowered in seen or value not in ALLOWED_HEADERS.get(lowered, ()):
            return Failure(DecodeError(f"{where} header {name!r} is not allowed"))
        seen.add(lowered)
    try:
        return Success(presigned(entry.put_url, headers))
    except (TypeError, ValueError) as error:
        return Failure(DecodeError(f"{where} headers: {error}"))


class UrlGrants:
    """PUT URLs of the session's files, asked for just in time in calls of ``window``
    paths: the file that finds fewer than ``window`` paths asked for ahead of it asks for
    the next ``window`` first; a file whose URL is not there asks for its own."""

    def __init__(self, uploads: Uploads, session: _Session, paths: Sequence[str], window: int):
        self._uploads = uploads
        self._session = session
        self._ahead = LookAhead(paths, min(window, MAX_URLS_PER_CALL))
        self._lock = threading.Lock()
        self._granted: dict[str, UploadUrlEntry] = {}

    def target(self, path: str) -> Request[Presigned]:
        ask = self._ahead.due(path)
        asked = self._ask(ask) if ask else pure(None)
        return asked.bind(lambda _: self._take(path))

    def single(self, path: str) -> Request[Presigned]:
        """A fresh URL for ``path`` alone (after a 403: the old one expired)."""
        return self._call([path]).bind_result(partial(self._check, path))

    def _take(self, path: str) -> Request[Presigned]:
        with self._lock:
            entry = self._granted.pop(path, None)
        if entry is None:
            return self.single(path)
        return pure(entry).bind_result(partial(self._check_entry, path))

    def _call(self, paths: Sequence[str]) -> Request[UploadUrlsResponse]:
        s = self._session
        return self._uploads.get_upload_urls(
            s.opened.recording_uid, s.session_uid, list(paths), ttl_seconds=URL_TTL_SECONDS
        )

    def _ask(self, paths: Sequence[str]) -> Request[None]:
        return self._call(paths).map(self._keep)

    def _keep(self, answer: UploadUrlsResponse) -> None:
        with self._lock:
            for entry in answer.urls:
                self._granted.setdefault(entry.path, entry)

    def _check(self, path: str, answer: UploadUrlsResponse) -> Result[Presigned, AvalaError]:
        entries = [e for e in answer.urls if e.path == path]
        if len(entries) != 1:
            return Failure(DecodeError(f"{path}: the server sent {len(entries)} URLs for it"))
        return self._check_entry(path, entries[0])

    def _check_entry(self, path: str, entry: UploadUrlEntry) -> Result[Presigned, AvalaError]:
        return check_grant(entry, path, self._session.prefix)


def _etag(path: str, stored: Stored) -> Result[str, AvalaError]:
    """The ETag a confirm reports: quotes stripped, non-empty, short, no control text."""
    etag = (stored.etag or "").strip('"')
    if not etag or len(etag) > 128 or etag != etag.strip() or not etag.isprintable():
        return Failure(DecodeError(f"{path}: the store answered without a usable ETag"))
    return Success(etag)


@dataclass(frozen=True, slots=True)
class _Sent:
    """One file this run stored: its path, the body bytes sent, their SHA-256."""

    path: str
    bytes_sent: int
    sha256: str | None


@dataclass(frozen=True, slots=True)
class _File:
    """One file's transfer: URL, PUT, then queued for confirmation (``Confirms``); a
    request of what it sent."""

    grants: UrlGrants
    confirms: Confirms
    file: ScannedFile

    def request(self) -> Request[_Sent]:
        f = self.file
        started = announce(FileStarted(f.local_path, f.stamp.size))
        return started.bind(lambda _: self.grants.target(f.path_in_dataset)).bind(self._put)

    def _put(self, target: Presigned) -> Request[_Sent]:
        f = self.file
        put = put_object(
            target.url,
            f.local_path,
            stamp=f.stamp,
            headers=target.headers,
            refresh=self.grants.single(f.path_in_dataset),
            digest=True,
        )
        return put.bind(self._confirm)

    def _confirm(self, stored: Stored) -> Request[_Sent]:
        f = self.file
        path = f.path_in_dataset
        sent = _Sent(path, stored.bytes_sent, stored.sha256)
        return (
            pure(stored)
            .bind_result(partial(_etag, path))
            .bind(lambda etag: self.confirms.add(_ToConfirm(f, etag, stored.sha256)))
            .map(lambda _: sent)
        )


@dataclass(frozen=True, slots=True)
class _ToConfirm:
    """A file the store holds (its ETag and digest), waiting to be confirmed."""

    file: ScannedFile
    etag: str
    sha256: str | None


class Confirms:
    """Confirm calls batched as files finish (the endpoint takes a list): a file whose
    PUT is done queues itself; if no confirm is under way it sends one for everything
    queued, and goes on until the queue is empty; otherwise the confirm under way picks
    it up when it returns. Each batch is journaled (``FileStored``) in one append only
    once the server has confirmed it, so a crash or a failed confirm leaves those files
    to be sent again, never recorded as stored when they are not."""

    def __init__(self, uploads: Uploads, session: _Session) -> None:
        self._uploads = uploads
        self._session = session
        self._lock = threading.Lock()
        self._queued: list[_ToConfirm] = []
        self._confirming = False

    def add(self, stored: _ToConfirm) -> Request[None]:
        """Queue ``stored``; confirm the queue now unless a confirm under way will."""
        return local(partial(self._queue, stored)).bind(
            lambda lead: self.drain() if lead else pure(None)
        )

    def drain(self) -> Request[None]:
        """Confirm what is queued, batch after batch, until nothing is."""
        return local(self._take).bind(
            lambda batch: self._send(batch).bind(lambda _: self.drain()) if batch else pure(None)
        )

    def _queue(self, stored: _ToConfirm) -> bool:
        with self._lock:
            self._queued.append(stored)
            lead = not self._confirming
            self._confirming = True
            return lead

    def _take(self) -> list[_ToConfirm]:
        """The next batch, or none (and the confirming turn is over), atomically: a
        file queued after this finds no confirm under way and sends its own."""
        with self._lock:
            batch = self._queued[:MAX_PATHS_PER_CALL]
            del self._queued[:MAX_PATHS_PER_CALL]
            self._confirming = bool(batch)
            return batch

    def _release(self, error: AvalaError) -> Request[None]:
        with self._lock:
            self._confirming = False
        return fail(error)

    def _send(self, batch: list[_ToConfirm]) -> Request[None]:
        s = self._session
        entries = [
            {"path": b.file.path_in_dataset, "size_bytes": b.file.stamp.size, "etag": b.etag}
            for b in batch
        ]
        confirm = self._uploads.confirm_upload(s.opened.recording_uid, s.session_uid, entries)
        records = [FileStored(b.file.path_in_dataset, b.file.stamp, b.sha256) for b in batch]
        events = [FileStoredEvent(b.file.local_path, b.file.stamp.size) for b in batch]
        done = confirm.bind(lambda _: s.append(*records)).bind(lambda _: announce(*events))
        return done.recover(self._release)


# --- the run ------------------------------------------------------------------------------


def _finalize(uploads: Uploads, session: _Session) -> Request[str]:
    """Finalize unless the server is already done; the status must then be done (§2.5)."""
    rid, sid = session.opened.recording_uid, session.session_uid

    def after(status: UploadStatusResponse) -> Result[str, AvalaError]:
        if status.session_uid != sid or status.status not in DONE:
            message = f"the upload session is {status.status!r} after finalize"
            return Failure(TerminalStatusError(message, value=status))
        return Success(status.status)

    def decide(status: UploadStatusResponse) -> Request[str]:
        if status.status in DONE:
            return pure(status).bind_result(after)
        if status.pending_paths:
            left = len(status.pending_paths)
            message = f"{left} files are still pending after this run"
            return fail(TerminalStatusError(message, value=status))
        finalize = uploads.finalize_upload(rid, sid).with_idempotency_key()
        return finalize.bind(lambda _: uploads.get_upload_status(rid)).bind_result(after)

    return uploads.get_upload_status(rid).bind(decide)


def url_window(sizes: Sequence[int], workers: int) -> int:
    """Paths per ``urls`` call: enough files of the mean size to fill ``WINDOW_BYTES``, at
    least ``2 × workers`` (one call feeds every worker) and at most 50 per call. 64 MiB
    is sent long before a URL's 15 minutes run out, even on a slow uplink."""
    mean = sum(sizes) // max(1, len(sizes))
    return min(MAX_URLS_PER_CALL, max(2 * workers, WINDOW_BYTES // max(1, mean)))


def _transfer(uploads: Uploads, session: _Session, workers: int) -> Request[RecordingUploadReport]:
    send, skip = session.to_send()
    if session.status in DONE and send:
        changed = ", ".join(f.path_in_dataset for f in send[:5])
        message = f"the recording's upload is {session.status}; files changed since: {changed}"
        return fail(TerminalStatusError(message))
    if session.status in DONE:
        skipped_paths = tuple(f.path_in_dataset for f in skip)
        report = RecordingUploadReport(
            session.opened.recording_uid, session.session_uid, (), skipped_paths, 0, session.status
        )
        return pure(report)
    window = url_window([f.stamp.size for f in send], workers)
    grants = UrlGrants(uploads, session, [f.path_in_dataset for f in send], window)
    confirms = Confirms(uploads, session)
    units = [_File(grants, confirms, f).request() for f in send]
    skipped = announce(*(FileSkipped(f.local_path, SKIPPED_CONFIRMED) for f in skip))
    sent: Request[tuple[_Sent, ...]] = gather(*units, limit=workers) if units else pure(())

    def finished(files: tuple[_Sent, ...]) -> Request[RecordingUploadReport]:
        digests = pmap({f.path: f.sha256 for f in files if f.sha256 is not None})
        return _finalize(uploads, session).map(
            lambda status: RecordingUploadReport(
                session.opened.recording_uid,
                session.session_uid,
                tuple(sorted(f.path_in_dataset for f in send)),
                tuple(sorted(f.path_in_dataset for f in skip)),
                sum(f.bytes_sent for f in files),
                status,
                digests,
            )
        )

    # the last file's confirm turn drains the queue; drain() again makes that explicit
    return (
        skipped.bind(lambda _: sent)
        .bind(lambda files: confirms.drain().map(lambda _: files))
        .bind(finished)
    )


def upload_recording(
    uploads: Uploads,
    *,
    recording_uid: str,
    source: str,
    storage_config_uid: str | None,
    workers: int,
) -> Request[RecordingUploadReport]:
    """``client.fleet.uploads.upload_recording``: checked arguments in, one request out."""

    def with_base_url(base_url: str) -> Request[_Opened]:
        return local(partial(_open, base_url, recording_uid, source))

    opened: Request[_Opened] = Contextual(with_base_url)
    session = opened.bind(lambda o: _session(uploads, o, storage_config_uid))
    return session.bind(lambda s: _transfer(uploads, s, workers))
