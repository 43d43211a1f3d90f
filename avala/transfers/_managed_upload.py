"""Managed fleet MCAP uploads (UPLOADS.md §3, protocol ``fleet-managed-mcap-v1``) composed
from request values.

``upload_managed_recording`` builds one request; building checks the arguments and does
nothing else. When it runs, the request:

1. scans the source (a ``Local`` step: §3.1's limits and the scan rules, a
   ``LocalFileError`` before any call), opens the recording's journal (base URL and
   recording uid, never the API key) and hashes each file once, in 1 MiB pieces, unless
   the journal holds its digest for the same stamp; a new session uid (uuid4) is
   journaled before the first admit, so a retried or lost admit is the same session;
2. admits the manifest (or reads the status when the journal knows the files), checking
   every status document (§3.4, ``_managed_checks``);
3. for each file in path order: opens generation 1 (the init intent is journaled before
   the init, which is never sent twice: a lost answer is adopted from the status), then
   lists the stored parts (at most 2 pages);
4. sends the missing parts of every file through one ``gather(limit=max_workers)``:
   grants are asked just in time, ``max_workers`` numbers per call, and each is checked
   with ``check_part_grant`` against the file's pin before a byte goes to it; each part
   is a ``PutObject`` streamed from disk (retried like any PUT);
5. finalizes (the intent journaled first) when the status shows no finalization or a
   failed one that is not terminal, and, with ``wait_timeout > 0``, polls the status
   every <= 2 s until the finalization ends; when the time runs out the last snapshot is
   returned.

A fresh run reads each file twice (the hash, the parts); a resumed run once.
"""

from __future__ import annotations

import math
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from returns.result import Failure, Result, Success

from avala._options import check_positive_int
from avala._request import Request, fail, gather, poll, pure, sequence
from avala._steps import Contextual, announce, local
from avala.errors import (
    AvalaError,
    DecodeError,
    PartGrantRefusedError,
    PartTransferError,
    TerminalStatusError,
    WaitTimeoutError,
)
from avala.events import Event, FileSkipped, FileStarted, PartStored
from avala.events import FileStored as FileStoredEvent
from avala.transfers import _local
from avala.transfers._lookahead import LookAhead
from avala.transfers._managed_checks import (
    PROTOCOL,
    Expected,
    check_init,
    check_progress_page,
    check_status,
    part_count,
)
from avala.transfers._managed_grants import MANAGED_PART_SIZE, check_part_grant
from avala.transfers._managed_journal import (
    Admitted,
    Digested,
    FinalizationSeen,
    FinalizeIntent,
    GenerationBound,
    InitIntent,
    ManagedRecord,
    ManagedState,
    Pinned,
    SessionMinted,
    apply,
    decode_managed,
    encode_managed,
    fold,
)
from avala.transfers._parts import PartRange, part_ranges
from avala.transfers._scan import ScannedFile, ScanResult
from avala.transfers._state import journal_path, recording_key
from avala.transfers._values import Presigned, Stored, put_object
from avala.types import (
    ManagedFinalizeResponse,
    ManagedOriginal,
    ManagedPartGrants,
    ManagedPartInventory,
    ManagedUploadStatus,
)
from avala.types._common import to_plain

if TYPE_CHECKING:
    from avala.resources.fleet import Uploads

__all__ = [
    "ManagedRecordingUploadReport",
    "check_managed_source",
    "check_max_workers",
    "check_recording_uid",
    "check_wait_timeout",
    "upload_managed_recording",
]

MAX_FILES = 64
MAX_FILE_BYTES = 8 * 1024**3
MAX_TOTAL_BYTES = 64 * 1024**3
MAX_WORKERS = 4
MAX_WAIT = 3600.0
POLL_INTERVAL = 2.0
PROGRESS_PAGES = 2
TERMINAL_CODES = frozenset({"content_mismatch", "invalid_mcap"})
ADOPTABLE = ("active", "completing")
DERIVED = "__derived__/"
SKIPPED_VERIFIED = "already stored and verified in this session"
SKIPPED_FINALIZING = "the session is being finalized"


@dataclass(frozen=True, slots=True)
class ManagedRecordingUploadReport:
    """What a managed upload run did: the client-minted ``session_uid``, the parts it
    sent (``parts_sent``, ``bytes_sent`` body bytes) and those the server held before
    (``parts_skipped``), and the last ``status`` snapshot (its ``finalization`` says
    whether the recording was published; still pending when ``wait_timeout`` ran out)."""

    recording_uid: str
    session_uid: str
    parts_sent: int
    parts_skipped: int
    bytes_sent: int
    status: ManagedUploadStatus


# --- build-time checks --------------------------------------------------------------------


def check_recording_uid(value: object) -> str:
    """``value`` if it is a canonical (lowercase, hyphenated) UUID string."""
    if not isinstance(value, str):
        raise TypeError(f"recording_uid must be a str, not {type(value).__name__}")
    try:
        canonical = str(uuid.UUID(value))
    except ValueError:
        canonical = ""
    if canonical != value:
        raise ValueError(f"recording_uid must be a lowercase hyphenated UUID, not {value!r:.80}")
    return value


def check_max_workers(value: object) -> int:
    """``value`` if it is an int from 1 to 4 (a bool is refused)."""
    workers = check_positive_int("max_workers", value)
    if workers > MAX_WORKERS:
        raise ValueError(f"max_workers must be 1 to {MAX_WORKERS}, not {workers}")
    return workers


def check_wait_timeout(value: object) -> float:
    """``value`` as seconds if it is a finite number from 0 to 3600 (a bool is refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"wait_timeout must be a number, not {type(value).__name__}")
    if not (math.isfinite(value) and 0 <= value <= MAX_WAIT):
        raise ValueError(f"wait_timeout must be finite, 0 to {MAX_WAIT:g} s, not {value}")
    return float(value)


def check_managed_source(scan: ScanResult, source: str) -> None:
    """Refuse a scanned source outside §3.1's limits (raises a ``LocalRefusal``): 1-64
    ``*.mcap`` files of 1 byte to 8 GiB, 64 GiB in all, NFC paths (the scan's), none
    under ``__derived__/``, no control character or DEL."""
    files = scan.files
    if len(files) > MAX_FILES:
        raise _local.LimitExceededError(
            f"{len(files)} files, more than {MAX_FILES}", files[0].local_path
        )
    for f in files:
        path = f.path_in_dataset
        if not path.lower().endswith(".mcap"):
            raise _local.LimitExceededError("not an .mcap file", f.local_path)
        if path.startswith(DERIVED):
            raise _local.InvalidFileNameError(f"a path under {DERIVED}", f.local_path)
        if any(ord(c) < 32 or ord(c) == 127 for c in path):
            raise _local.InvalidFileNameError("a control character in the path", f.local_path)
        if f.stamp.size == 0:
            raise _local.LimitExceededError("an empty file", f.local_path)
        if f.stamp.size > MAX_FILE_BYTES:
            message = f"{f.stamp.size} bytes is more than {MAX_FILE_BYTES}"
            raise _local.FileTooLargeError(message, f.local_path)
    total = sum(f.stamp.size for f in files)
    if total > MAX_TOTAL_BYTES:
        message = f"{total} bytes in all, more than {MAX_TOTAL_BYTES}"
        raise _local.LimitExceededError(message, source)


# --- the local step -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Opened:
    """The checked source, its digests (by path), and the journal as it was at start."""

    recording_uid: str
    journal: Path
    state: ManagedState
    scan: ScanResult
    digests: dict[str, str]


def _open(base_url: str, recording_uid: str, source: str) -> _Opened:
    directory = _local.usable_state_dir()
    scan = _local.scan(source, state_dir=directory)
    check_managed_source(scan, source)
    path = journal_path(directory, recording_key(base_url, recording_uid), "managed")
    state = fold(_local.recover_records(path, decode_managed))
    new: list[ManagedRecord] = []
    if state.session_uid is None:
        new.append(SessionMinted(str(uuid.uuid4())))
    digests = {}
    for f in scan.files:
        known = state.digest(f.path_in_dataset, f.stamp)
        if known is None:
            known = _local.sha256_file(f.local_path, f.stamp)
            new.append(Digested(f.path_in_dataset, f.stamp.size, f.stamp.mtime_ns, known))
        digests[f.path_in_dataset] = known
    _local.append_records(path, new, encode_managed)  # the session uid before any admit
    for record in new:
        state = apply(state, record)
    return _Opened(recording_uid, path, state, scan, digests)


# --- the run ------------------------------------------------------------------------------


class _Run:
    """One run's mutable context, made when the request runs (never at build time): the
    journal as it grows, and the last status document seen, each behind a lock since
    parts run on worker threads."""

    def __init__(self, uploads: Uploads, opened: _Opened, workers: int, wait: float) -> None:
        self.uploads = uploads
        self.opened = opened
        self.workers = workers
        self.wait = wait
        session_uid = opened.state.session_uid
        assert session_uid is not None
        self.session_uid = session_uid
        self.expected = Expected(
            opened.recording_uid,
            session_uid,
            {
                f.path_in_dataset: (f.stamp.size, opened.digests[f.path_in_dataset])
                for f in opened.scan.files
            },
        )
        self._lock = threading.Lock()
        self._state = opened.state
        self._last: ManagedUploadStatus | None = None

    @property
    def state(self) -> ManagedState:
        with self._lock:
            return self._state

    def append(self, *records: ManagedRecord) -> Request[None]:
        return local(partial(self._append, records))

    def _append(self, records: Sequence[ManagedRecord]) -> None:
        _local.append_records(self.opened.journal, records, encode_managed)
        with self._lock:
            for record in records:
                self._state = apply(self._state, record)

    def checked(self, status: ManagedUploadStatus) -> Result[ManagedUploadStatus, AvalaError]:
        with self._lock:
            result = check_status(status, self.expected, self._state, self._last)
            if isinstance(result, Success):
                self._last = status
        return result

    def status(self) -> Request[ManagedUploadStatus]:
        call = self.uploads.managed_status(self.opened.recording_uid, self.session_uid)
        return call.bind_result(self.checked)

    def first_status(self) -> Request[ManagedUploadStatus]:
        """Admit the manifest (again: the session uid makes it idempotent) until the
        journal knows the files; then read the status."""
        if self.opened.state.file_uids:
            first = self.status()
        else:
            manifest = [
                {"path": p, "size_bytes": size, "content_sha256": sha}
                for p, (size, sha) in sorted(self.expected.manifest.items())
            ]
            admit = self.uploads.managed_admit(
                self.opened.recording_uid, self.session_uid, manifest
            )
            first = admit.with_idempotency_key(f"managed-admit-{self.session_uid}").bind_result(
                self.checked
            )

        def journal_uids(status: ManagedUploadStatus) -> Request[ManagedUploadStatus]:
            known = self.state.file_uids
            new = [Admitted(f.path, f.file_uid) for f in status.files if f.path not in known]
            return self.append(*new).map(lambda _: status) if new else pure(status)

        return first.bind(journal_uids)


# --- generations and stored parts ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Plan:
    """One file to send: its generation, its parts, and those the store holds."""

    file: ScannedFile
    original: ManagedOriginal
    generation_uid: str
    ranges: tuple[PartRange, ...]
    stored: frozenset[int]

    @property
    def pending(self) -> tuple[PartRange, ...]:
        return tuple(r for r in self.ranges if r.number not in self.stored)


def _generation(run: _Run, original: ManagedOriginal) -> Request[str]:
    """The file's generation uid: the one the status shows (adopted after a lost init
    answer), or a new one from an init sent once, its intent journaled first."""
    path, generation = original.path, original.generation
    if generation is not None:
        if generation.state not in ADOPTABLE:
            message = f"{path}: generation {generation.generation_uid} is {generation.state!r}"
            return fail(TerminalStatusError(message, value=original))
        uid = generation.generation_uid
        bound = run.state.generations.get(path) == uid
        return pure(uid) if bound else run.append(GenerationBound(path, uid)).map(lambda _: uid)
    if path in run.state.init_sent:
        message = f"{path}: multipart/init was sent, but the status shows no generation"
        return fail(TerminalStatusError(message, value=original))
    init = run.uploads.managed_multipart_init(
        run.opened.recording_uid, run.session_uid, original.file_uid
    )
    opened = init.bind_result(partial(check_init, expected=run.expected, file=original))
    return (
        run.append(InitIntent(path))
        .bind(lambda _: opened)
        .bind(lambda uid: run.append(GenerationBound(path, uid)).map(lambda _: uid))
    )


def _stored_parts(run: _Run, plan: _Plan, after: int = 0, page: int = 1) -> Request[frozenset[int]]:
    """The part numbers the store holds for the file's generation (at most 2 pages)."""
    call = run.uploads.managed_multipart_progress(
        run.opened.recording_uid,
        run.session_uid,
        plan.original.file_uid,
        plan.generation_uid,
        after,
    )
    path = plan.original.path

    def checked(answer: ManagedPartInventory) -> Request[frozenset[int]]:
        result = check_progress_page(
            answer,
            expected=run.expected,
            file_uid=plan.original.file_uid,
            generation_uid=plan.generation_uid,
            after=after,
            ranges=plan.ranges,
            path=path,
        )
        if isinstance(result, Failure):
            return fail(result.failure())
        numbers = frozenset(result.unwrap())
        cursor = answer.next_cursor
        if cursor is None:
            return pure(numbers)
        if page >= PROGRESS_PAGES:
            return fail(DecodeError(f"{path}: the progress listing has more than 2 pages"))
        return _stored_parts(run, plan, cursor, page + 1).map(lambda more: numbers | more)

    return call.bind(checked)


def _plan(run: _Run, file: ScannedFile, original: ManagedOriginal) -> Request[_Plan]:
    ranges = part_ranges(file.stamp.size, MANAGED_PART_SIZE)

    def with_generation(generation_uid: str) -> Request[_Plan]:
        bare = _Plan(file, original, generation_uid, ranges, frozenset())
        return _stored_parts(run, bare).map(lambda held: replace(bare, stored=held))

    return _generation(run, original).bind(with_generation)


# --- grants and parts ---------------------------------------------------------------------


class _Grants:
    """One file's part grants, asked for just in time ``window`` numbers a call, each
    checked when it is used (so its expiry is checked then) against the file's pin."""

    def __init__(self, run: _Run, plan: _Plan, window: int) -> None:
        self._run = run
        self._plan = plan
        self._ahead = LookAhead([r.number for r in plan.pending], window)
        self._lock = threading.Lock()
        self._granted: dict[int, dict[str, object]] = {}
        self._pin = run.state.pins.get(plan.original.path)

    def target(self, part: PartRange) -> Request[Presigned]:
        ask = self._ahead.due(part.number)
        asked = self._call(ask).map(self._keep) if ask else pure(None)
        return asked.bind(lambda _: self._take(part))

    def fresh(self, part: PartRange) -> Request[Presigned]:
        """A new grant for ``part`` alone (after a 403: the old one expired)."""
        return (
            self._call([part.number]).map(self._keep).bind(lambda _: self._take(part, again=False))
        )

    def _call(self, numbers: Sequence[int]) -> Request[ManagedPartGrants]:
        run, plan = self._run, self._plan
        call = run.uploads.managed_multipart_parts(
            run.opened.recording_uid,
            run.session_uid,
            plan.original.file_uid,
            plan.generation_uid,
            list(numbers),
        )
        return call.bind_result(partial(self._echoed, tuple(numbers)))

    def _echoed(
        self, numbers: tuple[int, ...], answer: ManagedPartGrants
    ) -> Result[ManagedPartGrants, AvalaError]:
        plan = self._plan
        echoes = (answer.protocol, answer.session_uid, answer.file_uid, answer.generation_uid)
        wanted = (PROTOCOL, self._run.session_uid, plan.original.file_uid, plan.generation_uid)
        where = f"{plan.original.path}: the parts answer"
        if echoes != wanted:
            return Failure(DecodeError(f"{where} is for {echoes}"))
        given = sorted(g.part_number for g in answer.parts)
        if given != sorted(numbers):
            return Failure(DecodeError(f"{where} grants parts {given}, not {sorted(numbers)}"))
        return Success(answer)

    def _keep(self, answer: ManagedPartGrants) -> None:
        with self._lock:
            for grant in answer.parts:
                raw = {name: getattr(grant, name) for name in GRANT_FIELDS}
                raw["headers"] = to_plain(grant.headers)
                self._granted[grant.part_number] = raw

    def _take(self, part: PartRange, again: bool = True) -> Request[Presigned]:
        with self._lock:
            raw = self._granted.pop(part.number, None)
        if raw is None:
            if again:
                return self.fresh(part)
            return fail(DecodeError(f"{self._plan.original.path}: no grant for part {part.number}"))
        return pure(raw).bind(partial(self._checked, part))

    def _checked(self, part: PartRange, raw: dict[str, object]) -> Request[Presigned]:
        path = self._plan.original.path
        with self._lock:
            pin = self._pin
        result = check_part_grant(
            raw,
            path=path,
            part=part,
            session_uid=self._run.session_uid,
            now=datetime.now(UTC),
            pin=pin,
        )
        if isinstance(result, Failure):
            return fail(result.failure())
        checked = result.unwrap()
        with self._lock:
            first = self._pin is None
            if first:
                self._pin = checked.pin
            elif self._pin != checked.pin:
                message = "grant addresses another multipart upload than the first"
                return fail(
                    PartGrantRefusedError(message, reason="pin", path=path, part_number=part.number)
                )
        if first:
            return self._run.append(Pinned(path, checked.pin)).map(lambda _: checked.target)
        return pure(checked.target)


GRANT_FIELDS = ("grant_uid", "part_number", "offset", "size_bytes", "url", "headers", "expires_at")


class _FileProgress:
    """Counts a file's parts down, so the part that completes it announces it."""

    def __init__(self, left: int) -> None:
        self._left = left
        self._lock = threading.Lock()

    def one_done(self) -> bool:
        with self._lock:
            self._left -= 1
            return self._left == 0


def _part(plan: _Plan, grants: _Grants, progress: _FileProgress, part: PartRange) -> Request[int]:
    """One part: grant, PUT (streamed from disk, retried as any PUT), events."""
    f = plan.file

    def put(target: Presigned) -> Request[Stored]:
        sent = put_object(
            target.url,
            f.local_path,
            stamp=f.stamp,
            offset=part.offset,
            length=part.length,
            headers={"Content-Length": str(part.length)},
            refresh=grants.fresh(part),
        )
        return sent.recover(
            lambda error: fail(
                PartTransferError(error, path=plan.original.path, part_number=part.number)
            )
        )

    def stored(result: Stored) -> Request[int]:
        events: list[Event] = [PartStored(f.local_path, part.number, part.length)]
        if progress.one_done():
            events.append(FileStoredEvent(f.local_path, f.stamp.size))
        return announce(*events).map(lambda _: result.bytes_sent)

    return grants.target(part).bind(put).bind(stored)


# --- finalize and wait --------------------------------------------------------------------


def _finalize(run: _Run, status: ManagedUploadStatus) -> Request[ManagedUploadStatus]:
    """Finalize when the status shows no finalization or a failed one that may be tried
    again (§3.9); a terminal failure is a TerminalStatusError with nothing sent."""
    fin = status.finalization
    if fin is not None and fin.state == "failed" and fin.code in TERMINAL_CODES:
        message = f"the finalization failed: {fin.code} at {fin.stage}"
        return fail(TerminalStatusError(message, value=status))
    if fin is not None and fin.state != "failed":
        return pure(status)
    files = []
    for original in status.files:
        if original.generation is None:
            message = f"{original.path} has no generation to finalize"
            return fail(TerminalStatusError(message, value=status))
        files.append(
            {"file_uid": original.file_uid, "generation_uid": original.generation.generation_uid}
        )
    files.sort(key=lambda entry: entry["file_uid"])
    retained = fin.uid if fin is not None else run.state.finalization_uid
    call = run.uploads.managed_finalize(run.opened.recording_uid, run.session_uid, files)

    def checked(answer: ManagedFinalizeResponse) -> Request[ManagedUploadStatus]:
        got = answer.finalization
        echoes = (answer.protocol, answer.session_uid)
        if echoes != (PROTOCOL, run.session_uid):
            return fail(DecodeError(f"the finalize answer is for {echoes}"))
        if retained is not None and got.uid != retained:
            return fail(DecodeError(f"the finalization changed from {retained} to {got.uid}"))
        return run.append(FinalizationSeen(got.uid)).map(
            lambda _: replace(status, finalization=got)
        )

    return run.append(FinalizeIntent()).bind(lambda _: call).bind(checked)


def _ended(status: ManagedUploadStatus) -> bool:
    return status.finalization is not None and status.finalization.state == "succeeded"


def _failed(status: ManagedUploadStatus) -> bool:
    return status.finalization is not None and status.finalization.state == "failed"


def _wait(run: _Run, status: ManagedUploadStatus) -> Request[ManagedUploadStatus]:
    """With ``wait_timeout > 0``, poll the status every <= 2 s until the finalization
    succeeded (its snapshot) or failed (a TerminalStatusError holding it); when time
    runs out, the last snapshot. With 0, ``status`` itself: nothing more is sent."""
    if run.wait == 0 or _ended(status):
        return pure(status)
    if _failed(status):
        return fail(TerminalStatusError("the finalization failed", value=status))

    def timed_out(error: AvalaError) -> Request[ManagedUploadStatus]:
        if isinstance(error, WaitTimeoutError) and isinstance(error.last, ManagedUploadStatus):
            return pure(error.last)
        return fail(error)

    polled = poll(
        run.status(),
        _ended,
        interval=min(POLL_INTERVAL, run.wait),
        timeout=run.wait,
        fails_when=_failed,
    )
    return polled.recover(timed_out)


# --- composition --------------------------------------------------------------------------


def _transfer(run: _Run, status: ManagedUploadStatus) -> Request[ManagedRecordingUploadReport]:
    fin = status.finalization
    if fin is not None and fin.state == "failed" and fin.code in TERMINAL_CODES:
        message = f"the finalization failed: {fin.code} at {fin.stage}"
        return fail(TerminalStatusError(message, value=status))
    originals = {f.path: f for f in status.files}
    finalizing = fin is not None and fin.state != "failed"
    skipped: list[FileSkipped] = []
    todo: list[tuple[ScannedFile, ManagedOriginal]] = []
    for file in run.opened.scan.files:
        original = originals[file.path_in_dataset]
        generation = original.generation
        if finalizing:
            skipped.append(FileSkipped(file.local_path, SKIPPED_FINALIZING))
        elif original.verified or (generation is not None and generation.state == "completed"):
            skipped.append(FileSkipped(file.local_path, SKIPPED_VERIFIED))
        else:
            todo.append((file, original))
    total_parts = sum(part_count(f.stamp.size) for f in run.opened.scan.files)
    # in path order, one after another: a file's init precedes its parts
    plans = sequence(*(_plan(run, file, original) for file, original in todo))

    def send(found: tuple[_Plan, ...]) -> Request[tuple[int, ...]]:
        units: list[Request[int]] = []
        started = []
        for plan in found:
            pending = plan.pending
            if not pending:
                continue
            started.append(FileStarted(plan.file.local_path, plan.file.stamp.size))
            grants = _Grants(run, plan, run.workers)
            progress = _FileProgress(len(pending))
            units.extend(_part(plan, grants, progress, part) for part in pending)
        sent: Request[tuple[int, ...]] = gather(*units, limit=run.workers) if units else pure(())
        return announce(*started).bind(lambda _: sent)

    def finish(counts: tuple[int, ...]) -> Request[ManagedRecordingUploadReport]:
        after = run.status().bind(partial(_finalize, run)).bind(partial(_wait, run))
        return after.map(
            lambda last: ManagedRecordingUploadReport(
                run.opened.recording_uid,
                run.session_uid,
                len(counts),
                total_parts - len(counts),
                sum(counts),
                last,
            )
        )

    return announce(*skipped).bind(lambda _: plans).bind(send).bind(finish)


def upload_managed_recording(
    uploads: Uploads, *, recording_uid: str, source: str, workers: int, wait_timeout: float
) -> Request[ManagedRecordingUploadReport]:
    """``client.fleet.uploads.upload_managed_recording``: checked arguments in, one
    request out."""

    def with_base_url(base_url: str) -> Request[_Opened]:
        return local(partial(_open, base_url, recording_uid, source))

    def start(opened: _Opened) -> Request[ManagedRecordingUploadReport]:
        run = _Run(uploads, opened, workers, wait_timeout)
        return run.first_status().bind(partial(_transfer, run))

    opened: Request[_Opened] = Contextual(with_base_url)
    return opened.bind(start)
