"""Checks of the managed fleet upload's control-plane answers (UPLOADS.md §3.4-§3.6), as
pure functions of the answer and what the run knows: each names what differs.

A status document is checked against the request (echoes), the local manifest (paths,
sizes, digests), the journal and the previous document of the run (uids never change,
``verified`` never goes back, a finalization never disappears), and against itself
(geometry, counters, the finalization's states).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from returns.result import Failure, Result, Success

from avala.errors import AvalaError, DecodeError, TerminalStatusError
from avala.transfers._managed_grants import MANAGED_PART_SIZE
from avala.transfers._managed_journal import ManagedState
from avala.transfers._parts import PartRange, count_parts
from avala.types import (
    ManagedFinalization,
    ManagedMultipartInit,
    ManagedOriginal,
    ManagedPartInventory,
    ManagedUploadStatus,
)

__all__ = [
    "PROTOCOL",
    "Expected",
    "check_init",
    "check_progress_page",
    "check_status",
    "part_count",
]

PROTOCOL = "fleet-managed-mcap-v1"
"""The envelope ``protocol`` every managed-upload call carries and every answer echoes."""
FINALIZATION_STATES = frozenset({"pending", "running", "retry_wait", "succeeded", "failed"})


@dataclass(frozen=True, slots=True)
class Expected:
    """What every status document of a run must echo and hold: the recording, the
    session, and the manifest (path -> (size, sha256))."""

    recording_uid: str
    session_uid: str
    manifest: Mapping[str, tuple[int, str]]


class _Bad(Exception):
    """A violation; ``terminal`` ones are a TerminalStatusError, the rest a DecodeError."""

    def __init__(self, message: str, *, terminal: bool = False) -> None:
        super().__init__(message)
        self.terminal = terminal


def part_count(size: int) -> int:
    """How many 64 MiB parts a ``size``-byte file has."""
    return count_parts(size, MANAGED_PART_SIZE)


def _canonical(value: object) -> bool:
    try:
        return str(uuid.UUID(str(value))) == value
    except ValueError:
        return False


def check_status(
    status: ManagedUploadStatus,
    expected: Expected,
    journal: ManagedState,
    previous: ManagedUploadStatus | None = None,
) -> Result[ManagedUploadStatus, AvalaError]:
    """``status`` if it passes §3.4's checks; a DecodeError (a broken answer) or a
    TerminalStatusError (a session admitted with other content) naming what differs."""
    try:
        _echoes(status, expected)
        _manifest(status, expected)
        before = {f.path: f for f in previous.files} if previous is not None else {}
        for file in status.files:
            _file(file, journal, before.get(file.path))
        _counters(status)
        _finalization(status, journal, previous)
    except _Bad as bad:
        error: AvalaError = (
            TerminalStatusError(str(bad), value=status) if bad.terminal else DecodeError(str(bad))
        )
        return Failure(error)
    return Success(status)


def _echoes(status: ManagedUploadStatus, expected: Expected) -> None:
    got = (status.protocol, status.recording_uid, status.session_uid)
    wanted = (PROTOCOL, expected.recording_uid, expected.session_uid)
    if got != wanted:
        raise _Bad(f"the status document is for (protocol, recording, session) {got}")


def _manifest(status: ManagedUploadStatus, expected: Expected) -> None:
    held = {f.path: (f.size_bytes, f.content_sha256) for f in status.files}
    if len(held) != len(status.files):
        raise _Bad("the status document lists a path twice")
    missing = sorted(set(expected.manifest) - set(held))
    extra = sorted(set(held) - set(expected.manifest))
    if missing or extra:
        raise _Bad(
            f"the session's files differ from the source: missing {missing}, extra {extra}",
            terminal=True,
        )
    for path, (size, sha256) in sorted(held.items()):
        local_size, local_sha = expected.manifest[path]
        if size != local_size:
            message = f"{path}: the session holds {size} bytes, the source has {local_size}"
            raise _Bad(message, terminal=True)
        if sha256 != local_sha:
            message = f"{path}: the session's sha256 {sha256} is not the source's {local_sha}"
            raise _Bad(message, terminal=True)


def _file(file: ManagedOriginal, journal: ManagedState, before: ManagedOriginal | None) -> None:
    path = file.path
    if file.part_size != MANAGED_PART_SIZE or file.part_count != part_count(file.size_bytes):
        raise _Bad(f"{path}: geometry ({file.part_size}, {file.part_count}) is not 64 MiB parts")
    if not _canonical(file.file_uid):
        raise _Bad(f"{path}: file_uid {file.file_uid!r} is not a canonical UUID")
    known = journal.file_uids.get(path) or (before.file_uid if before else None)
    if known is not None and file.file_uid != known:
        raise _Bad(f"{path}: file_uid changed from {known} to {file.file_uid}")
    generation = file.generation
    if known is None and (generation is not None or file.verified):
        raise _Bad(f"{path}: a file not admitted before already has a generation")
    before_generation = before.generation if before else None
    known_generation = journal.generations.get(path) or (
        before_generation.generation_uid if before_generation else None
    )
    if generation is None and known_generation is not None:
        raise _Bad(f"{path}: generation {known_generation} disappeared")
    if generation is not None:
        if not _canonical(generation.generation_uid):
            raise _Bad(f"{path}: generation_uid {generation.generation_uid!r} is not a UUID")
        if known_generation is not None and generation.generation_uid != known_generation:
            message = f"{path}: generation changed from {known_generation} to"
            raise _Bad(f"{message} {generation.generation_uid}")
        if generation.number != 1:
            raise _Bad(f"{path}: generation number {generation.number} (only 1 is accepted)")
    if before is not None and before.verified and not file.verified:
        raise _Bad(f"{path}: verified went back to false")
    if file.verified and (generation is None or generation.state != "completed"):
        raise _Bad(f"{path}: verified without a completed generation")


def _counters(status: ManagedUploadStatus) -> None:
    done = [f for f in status.files if f.verified]
    derived = (
        len(status.files),
        sum(f.size_bytes for f in status.files),
        len(done),
        sum(f.size_bytes for f in done),
    )
    got = (status.total_files, status.total_bytes, status.confirmed_files, status.confirmed_bytes)
    if got != derived:
        raise _Bad(f"the status counters {got} are not those of its files {derived}")
    if status.status == "completed" and len(done) != len(status.files):
        raise _Bad("the session is completed with files not verified")


def _finalization(
    status: ManagedUploadStatus, journal: ManagedState, previous: ManagedUploadStatus | None
) -> None:
    now = status.finalization
    before = previous.finalization if previous is not None else None
    known = journal.finalization_uid or (before.uid if before else None)
    if now is None:
        if known is not None:
            raise _Bad(f"the finalization {known} disappeared")
        return
    if known is not None and now.uid != known:
        raise _Bad(f"the finalization changed from {known} to {now.uid}")
    _finalization_itself(now, status.status)
    published = (now.publication_uid, now.dataset_uid)
    if (
        before is not None
        and before.publication_uid is not None
        and published
        != (
            before.publication_uid,
            before.dataset_uid,
        )
    ):
        raise _Bad("a published finalization changed its publication or dataset")


def _finalization_itself(fin: ManagedFinalization, session_status: str) -> None:
    if not _canonical(fin.uid) or fin.state not in FINALIZATION_STATES:
        raise _Bad(f"the finalization ({fin.uid!r}, {fin.state!r}) is not a known one")
    if not 0 <= fin.failures <= 5:
        raise _Bad(f"the finalization has {fin.failures} failures (0-5)")
    published = (fin.publication_uid, fin.dataset_uid)
    if fin.state == "succeeded":
        if (fin.stage, fin.code, fin.failures) != ("publish", "published", 0):
            raise _Bad(f"a succeeded finalization at ({fin.stage}, {fin.code})")
        if not all(_canonical(uid) for uid in published) or session_status != "completed":
            raise _Bad("a succeeded finalization without its publication or a completed session")
    elif published != (None, None):
        raise _Bad(f"a {fin.state} finalization names a publication")
    try:
        moment = datetime.fromisoformat(fin.available_at.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _Bad(f"finalization available_at {fin.available_at!r} is not ISO-8601 with an offset")


def check_init(
    answer: ManagedMultipartInit, expected: Expected, file: ManagedOriginal
) -> Result[str, AvalaError]:
    """The generation uid an init answer opened, if it is generation 1 of ``file``,
    active, with 64 MiB parts (§3.5)."""
    where = f"{file.path}: the multipart/init answer"
    echoes = (answer.protocol, answer.session_uid, answer.file_uid)
    if echoes != (PROTOCOL, expected.session_uid, file.file_uid):
        return Failure(DecodeError(f"{where} is for (protocol, session, file) {echoes}"))
    shape = (answer.number, answer.state, answer.part_size, answer.part_count)
    if shape != (1, "active", MANAGED_PART_SIZE, part_count(file.size_bytes)):
        return Failure(DecodeError(f"{where} has (number, state, part_size, part_count) {shape}"))
    if not _canonical(answer.generation_uid):
        return Failure(DecodeError(f"{where} generation_uid is not a canonical UUID"))
    try:
        deadline = datetime.fromisoformat(answer.initialization_deadline.replace("Z", "+00:00"))
    except ValueError:
        deadline = None
    if deadline is None or deadline.tzinfo is None:
        return Failure(DecodeError(f"{where} deadline is not ISO-8601 with an offset"))
    return Success(answer.generation_uid)


def check_progress_page(
    page: ManagedPartInventory,
    *,
    expected: Expected,
    file_uid: str,
    generation_uid: str,
    after: int,
    ranges: tuple[PartRange, ...],
    path: str,
) -> Result[tuple[int, ...], AvalaError]:
    """The part numbers one progress page lists, if it is well-formed (§3.6): echoes,
    numbers rising above ``after`` up to the part count, each of its part's size, and a
    cursor that is null or the page's last number below the count."""
    where = f"{path}: the progress listing"
    echoes = (page.protocol, page.session_uid, page.file_uid, page.generation_uid)
    if echoes != (PROTOCOL, expected.session_uid, file_uid, generation_uid):
        return Failure(DecodeError(f"{where} is for {echoes}"))
    numbers = tuple(p.part_number for p in page.parts)
    last = after
    for stored in page.parts:
        n = stored.part_number
        if type(n) is not int or not last < n <= len(ranges):
            return Failure(DecodeError(f"{where} lists part {n!r} after {last}"))
        if stored.size != ranges[n - 1].length:
            return Failure(DecodeError(f"{where} part {n} is {stored.size} bytes"))
        last = n
    cursor = page.next_cursor
    if cursor is not None and (not numbers or cursor != numbers[-1] or cursor >= len(ranges)):
        return Failure(DecodeError(f"{where} has next_cursor {cursor!r}"))
    if len(numbers) > 100:
        return Failure(DecodeError(f"{where} lists {len(numbers)} parts on one page"))
    return Success(numbers)
