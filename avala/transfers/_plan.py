"""What an upload still has to do, from what is on disk and what the journal says.

Pure. ``plan_upload`` splits the scanned files into those to skip (stored with the same
stamp) and those to send (new, changed since stored, or an interrupted transfer of the
same content, with the parts already stored). Once the server's descriptor gives the
part geometry, ``FileToSend.missing_parts`` says which parts still go out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, TypeAlias

from avala.transfers._journal import UploadState
from avala.transfers._parts import (
    MAX_PART_SIZE,
    MAX_PARTS,
    MAX_UPLOAD_SIZE,
    MIN_PART_SIZE,
    GeometryError,
    PartRange,
    check_geometry,
    part_ranges,
)
from avala.transfers._scan import ScannedFile, ScanResult

__all__ = [
    "MAX_PARTS",
    "MAX_PART_SIZE",
    "MAX_UPLOAD_SIZE",
    "MIN_PART_SIZE",
    "FileToSend",
    "GeometryError",
    "PartRange",
    "SendReason",
    "UploadPlan",
    "check_geometry",
    "part_ranges",
    "plan_upload",
]

SendReason: TypeAlias = Literal["new", "changed", "resume"]
"""Why a file is sent: never recorded; its content differs from what the journal
recorded; or a transfer of this same content was interrupted (parts may be stored)."""


@dataclass(frozen=True, slots=True)
class FileToSend:
    """A file to send, why, and the parts the journal says the server already holds for
    exactly this content (none unless ``reason == "resume"``)."""

    file: ScannedFile
    reason: SendReason
    stored_parts: frozenset[PartRange] = frozenset()

    def missing_parts(
        self, ranges: Iterable[PartRange], server_parts: Iterable[tuple[int, int]] = ()
    ) -> tuple[PartRange, ...]:
        """The parts of ``ranges`` (the descriptor's geometry, from ``check_geometry``)
        still to send, in order. A part is done when the journal recorded exactly that
        range, or the server lists ``(part_number, size)`` with the expected size
        (UPLOADS.md §1.6). The server's list is ignored for a changed file: parts it
        holds may be of the old content, and must never be combined with the new."""
        trusted = () if self.reason == "changed" else server_parts
        on_server = set(trusted)
        return tuple(
            r
            for r in ranges
            if r not in self.stored_parts and (r.number, r.length) not in on_server
        )


@dataclass(frozen=True, slots=True)
class UploadPlan:
    """The scanned files split into ``skip`` and ``send`` (each in scan order), and the
    ``strays``: dataset paths the journal says may already be under the dataset prefix
    but that this upload does not include (finalizing would index them)."""

    skip: tuple[ScannedFile, ...]
    send: tuple[FileToSend, ...]
    strays: tuple[str, ...] = ()

    @property
    def bytes_to_send(self) -> int:
        """Bytes still to move: every file to send, less the parts already stored."""
        return sum(
            f.file.stamp.size - _covered(f.stored_parts, f.file.stamp.size) for f in self.send
        )


def _covered(parts: Iterable[PartRange], size: int) -> int:
    """Bytes of ``[0, size)`` covered by ``parts``, overlaps counted once (parts of two
    geometries)."""
    total, reach = 0, 0
    for part in sorted(parts, key=lambda p: p.offset):
        start, end = max(part.offset, reach), min(part.end, size)
        if end > start:
            total += end - start
            reach = end
    return total


def _reason(state: UploadState, path: str, file: ScannedFile) -> SendReason:
    intent = state.intents.get(path)
    if intent == file.stamp:
        return "resume"
    recorded = state.stored.get(path, intent)
    return "new" if recorded is None else "changed"


def plan_upload(scan: ScanResult, state: UploadState) -> UploadPlan:
    """Split ``scan`` by what ``state`` says is stored: a file stored with its current
    stamp is skipped; every other file is sent, a changed one from scratch."""
    skip: list[ScannedFile] = []
    send: list[FileToSend] = []
    for file in scan.files:
        path = file.path_in_dataset
        if state.is_stored(path, file.stamp):
            skip.append(file)
            continue
        reason = _reason(state, path, file)
        parts = state.stored_parts(path, file.stamp) if reason == "resume" else frozenset()
        send.append(FileToSend(file, reason, parts))
    included = {f.path_in_dataset for f in scan.files}
    strays = tuple(sorted(p for p in state.touched if p not in included))
    return UploadPlan(tuple(skip), tuple(send), strays)
