"""The upload journal: what happened to each file, one JSON line per record, folded into
an immutable ``UploadState``.

Appending a line is the only write a run makes to its state, so a crash (``kill -9``, power
loss) leaves at worst a torn last line, which reading ignores. Records hold paths inside
the dataset, stamps, part ranges and the batch uid: never the API key or a signed URL.
Pure: ``_local`` reads and appends the bytes.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import reduce
from typing import Any, TypeAlias

from pyrsistent import pmap, pset
from pyrsistent.typing import PMap, PSet

from avala.transfers._parts import MAX_PARTS, PartRange
from avala.transfers._stamp import Stamp

__all__ = [
    "BatchBound",
    "DatasetCreated",
    "FileIntent",
    "FileInvalidated",
    "FileStored",
    "JournalFormatError",
    "PartStored",
    "Record",
    "UploadState",
    "apply",
    "complete_prefix_length",
    "decode_journal",
    "decode_line",
    "encode",
    "fold",
    "parse_line_json",
]


def _is_sha256(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(c in _HEX for c in value)


_HEX = frozenset("0123456789abcdef")


def _check_path(path: object) -> None:
    if not isinstance(path, str) or not path:
        raise ValueError(f"path must be a non-empty str, not {path!r}")


@dataclass(frozen=True, slots=True)
class FileIntent:
    """A transfer of ``path`` with content ``stamp`` is about to start and may reach the
    server ("maybe stored"). Parts recorded after it belong to this content; an intent
    with another stamp discards them, so server-held parts are never combined with
    changed bytes."""

    path: str
    stamp: Stamp

    def __post_init__(self) -> None:
        _check_path(self.path)


@dataclass(frozen=True, slots=True)
class PartStored:
    """The server holds ``part`` of ``path`` (of the content of its latest intent). The
    range, not just the number, is kept: a part is reused only for the same geometry."""

    path: str
    part: PartRange

    def __post_init__(self) -> None:
        _check_path(self.path)
        p = self.part
        if not (1 <= p.number <= MAX_PARTS and p.offset >= 0 and p.length >= 1):
            raise ValueError(f"not a valid part: {p!r}")


@dataclass(frozen=True, slots=True)
class FileStored:
    """``path`` is stored on the server with content ``stamp`` (its size is
    ``stamp.size``); ``sha256`` is the hex digest of the bytes sent, when the upload
    computed one (journals written before it existed have none)."""

    path: str
    stamp: Stamp
    sha256: str | None = None

    def __post_init__(self) -> None:
        _check_path(self.path)
        if self.sha256 is not None and not _is_sha256(self.sha256):
            raise ValueError(f"sha256 must be 64 lowercase hex digits, not {self.sha256!r:.80}")


@dataclass(frozen=True, slots=True)
class FileInvalidated:
    """Forget what is stored for ``path`` (it changed after it was stored, or the caller
    asked for a fresh start): it is sent again."""

    path: str

    def __post_init__(self) -> None:
        _check_path(self.path)


@dataclass(frozen=True, slots=True)
class BatchBound:
    """Every later file belongs to server batch ``batch_uid`` (UPLOADS.md §1.8). Binding
    another batch starts over: what was stored in the old batch does not count in it."""

    batch_uid: str

    def __post_init__(self) -> None:
        try:
            canonical = str(uuid.UUID(self.batch_uid))
        except (ValueError, TypeError, AttributeError):
            canonical = None
        if canonical != self.batch_uid:
            raise ValueError(f"batch_uid must be a lowercase hyphenated UUID: {self.batch_uid!r}")


@dataclass(frozen=True, slots=True)
class DatasetCreated:
    """The dataset ``dataset_uid`` was created from batch ``batch_uid``: a rerun returns it
    instead of creating another (UPLOADS.md §1.11 has no way to find it again)."""

    batch_uid: str
    dataset_uid: str

    def __post_init__(self) -> None:
        BatchBound(self.batch_uid)  # the same check
        _check_path(self.dataset_uid)


Record: TypeAlias = (
    FileIntent | PartStored | FileStored | FileInvalidated | BatchBound | DatasetCreated
)


@dataclass(frozen=True, slots=True)
class UploadState:
    """What the journal says, as one immutable value.

    ``stored`` maps paths to the stamp they were stored with; ``intents`` the stamp of
    a transfer started but not finished; ``parts`` the parts stored for that intent;
    ``touched`` every path that may exist under the dataset prefix (a later run must not
    leave it out, since finalizing indexes the whole prefix); ``batch_uid`` the batch;
    ``created`` the uid of the dataset created from this batch, if it was.
    """

    batch_uid: str | None = None
    stored: PMap[str, Stamp] = field(default_factory=pmap)
    intents: PMap[str, Stamp] = field(default_factory=pmap)
    parts: PMap[str, PMap[int, PartRange]] = field(default_factory=pmap)
    touched: PSet[str] = field(default_factory=pset)
    created: str | None = None

    def is_stored(self, path: str, stamp: Stamp) -> bool:
        """True when ``path`` is stored with exactly this content stamp."""
        return self.stored.get(path) == stamp

    def stored_parts(self, path: str, stamp: Stamp) -> frozenset[PartRange]:
        """The parts of ``path`` the server holds for this content; none when the last
        intent was for other content."""
        if self.intents.get(path) != stamp:
            return frozenset()
        return frozenset(self.parts.get(path, pmap()).values())

    def maybe_remote(self, path: str) -> bool:
        """True when an object for ``path`` may exist under the dataset prefix."""
        return path in self.touched


def apply(state: UploadState, record: Record) -> UploadState:
    """The state after one more record. Total: a part without an intent for its path is
    ignored (it cannot be tied to a content stamp)."""
    match record:
        case FileIntent(path, stamp):
            parts = state.parts if state.intents.get(path) == stamp else state.parts.discard(path)
            return UploadState(
                state.batch_uid,
                state.stored.discard(path),  # not known complete until FileStored again
                state.intents.set(path, stamp),
                parts,
                state.touched.add(path),
                state.created,
            )
        case PartStored(path, part):
            if path not in state.intents:
                return state
            held = state.parts.get(path, pmap()).set(part.number, part)
            return UploadState(
                state.batch_uid, state.stored, state.intents, state.parts.set(path, held),
                state.touched, state.created,
            )  # fmt: skip
        case FileStored(path, stamp):
            return UploadState(
                state.batch_uid,
                state.stored.set(path, stamp),
                state.intents.discard(path),
                state.parts.discard(path),
                state.touched.add(path),
                state.created,
            )
        case FileInvalidated(path):
            return UploadState(
                state.batch_uid,
                state.stored.discard(path),
                state.intents.discard(path),
                state.parts.discard(path),
                state.touched,
                state.created,
            )
        case BatchBound(batch_uid):
            if batch_uid == state.batch_uid:
                return state
            return UploadState(batch_uid, touched=state.touched)
        case DatasetCreated(batch_uid, dataset_uid):
            if batch_uid != state.batch_uid:
                return state  # created from another batch: not this one's dataset
            return replace(state, created=dataset_uid)
    raise TypeError(f"not a journal record: {record!r}")  # pragma: no cover


def fold(records: Iterable[Record]) -> UploadState:
    """The state a sequence of records describes, from an empty state."""
    return reduce(apply, records, UploadState())


# --- encoding -----------------------------------------------------------------------------


class JournalFormatError(ValueError):
    """A complete journal line that is not a record this version writes: garbled, edited,
    or from a newer SDK. ``line_number`` counts from 1."""

    def __init__(self, message: str, line_number: int = 0) -> None:
        super().__init__(f"line {line_number}: {message}" if line_number else message)
        self.line_number = line_number


def _fields(record: Record) -> dict[str, Any]:
    match record:
        case FileIntent(path, stamp):
            return {"t": "intent", "path": path, "size": stamp.size, "mtime_ns": stamp.mtime_ns}
        case PartStored(path, part):
            return {
                "t": "part", "path": path,
                "number": part.number, "offset": part.offset, "length": part.length,
            }  # fmt: skip
        case FileStored(path, stamp, sha256):
            fields = {"t": "stored", "path": path, "size": stamp.size, "mtime_ns": stamp.mtime_ns}
            return fields if sha256 is None else {**fields, "sha256": sha256}
        case FileInvalidated(path):
            return {"t": "invalid", "path": path}
        case BatchBound(batch_uid):
            return {"t": "batch", "batch_uid": batch_uid}
        case DatasetCreated(batch_uid, dataset_uid):
            return {"t": "created", "batch_uid": batch_uid, "dataset_uid": dataset_uid}
    raise TypeError(f"not a journal record: {record!r}")  # pragma: no cover


def encode(record: Record) -> bytes:
    """One journal line: compact ASCII JSON ending in ``\\n`` (so a line never contains a
    newline and a torn write is always a missing newline)."""
    text = json.dumps(_fields(record), ensure_ascii=True, separators=(",", ":"))
    return text.encode("ascii") + b"\n"


_KEYS = {
    "intent": {"t", "path", "size", "mtime_ns"},
    "part": {"t", "path", "number", "offset", "length"},
    "stored": {"t", "path", "size", "mtime_ns"},
    "invalid": {"t", "path"},
    "batch": {"t", "batch_uid"},
    "created": {"t", "batch_uid", "dataset_uid"},
}


_OPTIONAL_KEYS = {"stored": {"sha256"}}
"""Keys a record may lack: journals written before they existed are still read."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key")
    return result


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_line_json(line: bytes) -> Any:
    """A journal line's JSON, strictly: UTF-8, no duplicate keys, no NaN or Infinity
    (raises ValueError); shared by the dataset and the managed fleet journals."""
    return json.loads(
        line.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant
    )


def _int(obj: dict[str, Any], key: str) -> int:
    value = obj[key]
    if type(value) is not int:
        raise ValueError(f"{key} must be an integer")
    return value


def decode_line(line: bytes) -> Record:
    """The record one complete line (without its newline) holds. Strict: exactly the
    keys of a known type (optional ones aside), integers as integers. Raises
    JournalFormatError."""
    try:
        obj = parse_line_json(line)
        if not isinstance(obj, dict):
            raise ValueError("not a JSON object")
        kind = obj.get("t")
        if not isinstance(kind, str) or kind not in _KEYS:
            raise ValueError(f"unknown record type {kind!r}")
        if not _KEYS[kind] <= set(obj) <= _KEYS[kind] | _OPTIONAL_KEYS.get(kind, set()):
            raise ValueError(f"keys {sorted(obj)} do not match a {kind!r} record")
        return _build(kind, obj)
    except (ValueError, TypeError) as error:  # UnicodeDecodeError is a ValueError
        raise JournalFormatError(str(error)) from None


def _build(kind: str, obj: dict[str, Any]) -> Record:
    if kind == "batch":
        return BatchBound(obj["batch_uid"])
    if kind == "created":
        return DatasetCreated(obj["batch_uid"], obj["dataset_uid"])
    path = obj["path"]
    if kind == "invalid":
        return FileInvalidated(path)
    if kind == "part":
        return PartStored(
            path, PartRange(_int(obj, "number"), _int(obj, "offset"), _int(obj, "length"))
        )
    stamp = Stamp(_int(obj, "size"), _int(obj, "mtime_ns"))
    if kind == "intent":
        return FileIntent(path, stamp)
    if "sha256" in obj and not isinstance(obj["sha256"], str):
        raise ValueError("sha256 must be a string")
    return FileStored(path, stamp, obj.get("sha256"))


def complete_prefix_length(data: bytes) -> int:
    """How many leading bytes of a journal are complete lines (up to its last newline)."""
    return data.rfind(b"\n") + 1


def decode_journal(data: bytes) -> tuple[Record, ...]:
    """The records of a journal's bytes. A torn last line (bytes after the last newline)
    is ignored: it is what a crash mid-append leaves. Any complete line that does not
    decode raises JournalFormatError with its line number: such a line was not written
    by a crash, and guessing past it could resume from a wrong state."""
    complete = data[: complete_prefix_length(data)]
    records: list[Record] = []
    for number, line in enumerate(complete.split(b"\n")[:-1], start=1):
        try:
            records.append(decode_line(line))
        except JournalFormatError as error:
            raise JournalFormatError(str(error), number) from None
    return tuple(records)
