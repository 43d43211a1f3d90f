"""The journal of a managed fleet upload (UPLOADS.md §3): what a rerun must know to be the
same session, one JSON line per record, folded into an immutable ``ManagedState``.

Each record is written (and fsynced) before the step it guards: the client-minted session
uid before the admit that carries it, the init intent before the init (never sent twice:
a lost answer is adopted from the status), the finalize intent before the finalize. The
file's first grant pin, its uids and the content digests are kept so that later answers
can be checked against them and an unchanged file is not hashed again. Pure: the file
machinery is ``_local``'s (``append_records``, ``recover_records``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from functools import reduce
from typing import Any, TypeAlias

from pyrsistent import pmap, pset
from pyrsistent.typing import PMap, PSet

from avala.transfers._journal import (
    JournalFormatError,
    complete_prefix_length,
    parse_line_json,
)
from avala.transfers._stamp import Stamp

__all__ = [
    "Admitted",
    "Digested",
    "FinalizationSeen",
    "FinalizeIntent",
    "GenerationBound",
    "InitIntent",
    "ManagedRecord",
    "ManagedState",
    "Pinned",
    "SessionMinted",
    "apply",
    "decode_managed",
    "encode_managed",
    "fold",
]


def _uid(name: str, value: object) -> None:
    try:
        canonical = str(uuid.UUID(str(value)))
    except ValueError:
        canonical = None
    if canonical != value:
        raise ValueError(f"{name} must be a lowercase hyphenated UUID, not {value!r}")


def _text(name: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty str, not {value!r}")


@dataclass(frozen=True, slots=True)
class SessionMinted:
    """This recording's session uid, minted by the client before its first admit."""

    session_uid: str

    def __post_init__(self) -> None:
        _uid("session_uid", self.session_uid)


@dataclass(frozen=True, slots=True)
class Digested:
    """``path`` with content stamp (``size``, ``mtime_ns``) hashes to ``sha256``."""

    path: str
    size: int
    mtime_ns: int
    sha256: str

    def __post_init__(self) -> None:
        _text("path", self.path)
        Stamp(self.size, self.mtime_ns)
        if len(self.sha256) != 64 or any(c not in "0123456789abcdef" for c in self.sha256):
            raise ValueError(f"sha256 must be 64 lowercase hex digits, not {self.sha256!r}")

    @property
    def stamp(self) -> Stamp:
        return Stamp(self.size, self.mtime_ns)


@dataclass(frozen=True, slots=True)
class Admitted:
    """The server admitted ``path`` as ``file_uid`` (it never changes afterwards)."""

    path: str
    file_uid: str

    def __post_init__(self) -> None:
        _text("path", self.path)
        _uid("file_uid", self.file_uid)


@dataclass(frozen=True, slots=True)
class InitIntent:
    """``multipart/init`` of ``path`` is about to be sent: it is never sent again."""

    path: str

    def __post_init__(self) -> None:
        _text("path", self.path)


@dataclass(frozen=True, slots=True)
class GenerationBound:
    """``path``'s parts go to generation ``generation_uid`` (number 1)."""

    path: str
    generation_uid: str

    def __post_init__(self) -> None:
        _uid("generation_uid", self.generation_uid)
        _text("path", self.path)


@dataclass(frozen=True, slots=True)
class Pinned:
    """``path``'s first grant addressed the multipart upload ``pin`` (``pin_of``)."""

    path: str
    pin: str

    def __post_init__(self) -> None:
        _text("path", self.path)
        _text("pin", self.pin)


@dataclass(frozen=True, slots=True)
class FinalizeIntent:
    """A finalize of the session is about to be sent."""


@dataclass(frozen=True, slots=True)
class FinalizationSeen:
    """The server's finalization of the session is ``uid`` (it never changes)."""

    uid: str

    def __post_init__(self) -> None:
        _uid("uid", self.uid)


ManagedRecord: TypeAlias = (
    SessionMinted
    | Digested
    | Admitted
    | InitIntent
    | GenerationBound
    | Pinned
    | FinalizeIntent
    | FinalizationSeen
)

_KINDS: dict[str, type[Any]] = {
    "m_session": SessionMinted,
    "m_digest": Digested,
    "m_admitted": Admitted,
    "m_init": InitIntent,
    "m_generation": GenerationBound,
    "m_pin": Pinned,
    "m_finalize": FinalizeIntent,
    "m_finalization": FinalizationSeen,
}
_NAMES = {kind: name for name, kind in _KINDS.items()}


@dataclass(frozen=True, slots=True)
class ManagedState:
    """What the journal says about the current session. ``digests`` survive a new
    session (they describe local files); everything else belongs to ``session_uid``."""

    session_uid: str | None = None
    digests: PMap[str, Digested] = field(default_factory=pmap)
    file_uids: PMap[str, str] = field(default_factory=pmap)
    init_sent: PSet[str] = field(default_factory=pset)
    generations: PMap[str, str] = field(default_factory=pmap)
    pins: PMap[str, str] = field(default_factory=pmap)
    finalizing: bool = False
    finalization_uid: str | None = None

    def digest(self, path: str, stamp: Stamp) -> str | None:
        """The recorded sha256 of ``path`` when its content stamp is still ``stamp``."""
        found = self.digests.get(path)
        return found.sha256 if found is not None and found.stamp == stamp else None


def apply(state: ManagedState, record: ManagedRecord) -> ManagedState:
    """The state after one more record. A new session uid starts the session over."""
    match record:
        case SessionMinted(session_uid):
            if session_uid == state.session_uid:
                return state
            return ManagedState(session_uid, state.digests)
        case Digested(path):
            return replace(state, digests=state.digests.set(path, record))
        case Admitted(path, file_uid):
            return replace(state, file_uids=state.file_uids.set(path, file_uid))
        case InitIntent(path):
            return replace(state, init_sent=state.init_sent.add(path))
        case GenerationBound(path, generation_uid):
            return replace(state, generations=state.generations.set(path, generation_uid))
        case Pinned(path, pin):
            return replace(state, pins=state.pins.set(path, pin))
        case FinalizeIntent():
            return replace(state, finalizing=True)
        case FinalizationSeen(uid):
            return replace(state, finalization_uid=uid)
    raise TypeError(f"not a managed journal record: {record!r}")  # pragma: no cover


def fold(records: Iterable[ManagedRecord]) -> ManagedState:
    """The state a sequence of records describes, from an empty state."""
    return reduce(apply, records, ManagedState())


def encode_managed(record: ManagedRecord) -> bytes:
    """One journal line: compact ASCII JSON ending in a newline."""
    body = {"t": _NAMES[type(record)], **{f.name: getattr(record, f.name) for f in fields(record)}}
    return json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode("ascii") + b"\n"


def _decode_line(line: bytes) -> ManagedRecord:
    obj = parse_line_json(line)
    if not isinstance(obj, dict) or obj.get("t") not in _KINDS:
        raise ValueError(f"unknown record {str(obj)[:80]}")
    kind = _KINDS[obj.pop("t")]
    names = [f.name for f in fields(kind)]
    if set(obj) != set(names):
        raise ValueError(f"keys {sorted(obj)} do not match a {kind.__name__} record")
    for f in fields(kind):
        wanted = int if f.name in ("size", "mtime_ns") else str
        if type(obj[f.name]) is not wanted:
            raise ValueError(f"{f.name} must be a JSON {wanted.__name__}")
    record: ManagedRecord = kind(**obj)
    return record


def decode_managed(data: bytes) -> tuple[ManagedRecord, ...]:
    """The records of a journal's bytes; a torn last line is ignored, any other line that
    does not decode is a ``JournalFormatError`` naming its line."""
    complete = data[: complete_prefix_length(data)]
    records = []
    for number, line in enumerate(complete.split(b"\n")[:-1], start=1):
        try:
            records.append(_decode_line(line))
        except (ValueError, TypeError) as error:
            raise JournalFormatError(str(error), number) from None
    return tuple(records)
