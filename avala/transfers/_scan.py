"""Checks on what a caller asks to upload, and the value a scan of local files gives.

Pure: the checks here run when a request is built (a bad ``files`` list fails before
anything runs); ``_local.scan`` and ``_local.stat_files`` use them on what they find.
"""

from __future__ import annotations

import os
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from avala._options import check_positive_int
from avala.transfers._stamp import Stamp

__all__ = [
    "FileEntry",
    "ScanResult",
    "ScannedFile",
    "check_files",
    "check_path_in_dataset",
    "check_source",
    "check_workers",
    "duplicates",
]

MAX_PATH_BYTES = 1024


def check_path_in_dataset(path: object) -> str:
    """``path`` as a dataset path in its NFC form, or ValueError saying what is wrong.

    A dataset path is POSIX and relative: 1..1024 UTF-8 bytes, no leading or trailing
    ``/``, no ``\\``, no empty, ``.`` or ``..`` segment, no control character. NFC because
    macOS spells file names decomposed: the same name typed on two machines must name
    one object.
    """
    if not isinstance(path, str):
        raise TypeError(f"a path in the dataset must be a str, not {type(path).__name__}")
    try:
        encoded = path.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(
            f"{path!r} is not valid UTF-8 (a file name in another encoding?)"
        ) from None
    normal = unicodedata.normalize("NFC", path)
    if not normal:
        raise ValueError("a path in the dataset must not be empty")
    if len(encoded) > MAX_PATH_BYTES or len(normal.encode("utf-8")) > MAX_PATH_BYTES:
        raise ValueError(f"{path!r} is longer than {MAX_PATH_BYTES} UTF-8 bytes")
    if "\\" in normal:
        raise ValueError(f"{path!r} contains '\\': dataset paths use '/'")
    if any(unicodedata.category(c) == "Cc" for c in normal):
        raise ValueError(f"{path!r} contains a control character")
    if normal.startswith("/"):
        raise ValueError(f"{path!r} must be relative (no leading '/')")
    if any(segment in ("", ".", "..") for segment in normal.split("/")):
        raise ValueError(f"{path!r} has an empty, '.' or '..' segment")
    return normal


def check_source(source: object) -> str:
    """``source`` as a path string; whether it exists is known only when the request
    runs. A relative path is resolved then, against the working directory, like
    ``open``."""
    if not isinstance(source, str | os.PathLike):
        raise TypeError(f"source must be a str or path, not {type(source).__name__}")
    text = os.fspath(source)
    if not isinstance(text, str):
        raise TypeError("source must be a str path, not bytes")
    if not text:
        raise ValueError("source must not be empty")
    if "\x00" in text:
        raise ValueError("source must not contain NUL")
    return text


def check_workers(workers: object) -> int:
    """``workers`` if it is an int >= 1 (a bool is refused)."""
    return check_positive_int("workers", workers)


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One ``(local_path, path_in_dataset)`` pair of ``upload_files``, checked."""

    local_path: str
    path_in_dataset: str


def duplicates(paths: Iterable[str]) -> tuple[str, ...]:
    """The paths that occur more than once, sorted."""
    return tuple(sorted(p for p, n in Counter(paths).items() if n > 1))


def check_files(files: Iterable[Any]) -> tuple[FileEntry, ...]:
    """``upload_files(files=...)`` as checked entries, or TypeError/ValueError: each item
    a ``(local_path, path_in_dataset)`` pair, valid dataset paths, none twice (after NFC
    normalization), at least one. Whether the local files exist is known only at run
    time."""
    if isinstance(files, str | bytes | os.PathLike):
        raise TypeError("files must be a list of (local_path, path_in_dataset) pairs")
    entries: list[FileEntry] = []
    for index, item in enumerate(files):
        if not isinstance(item, tuple | list) or len(item) != 2:
            raise TypeError(f"files[{index}] must be a (local_path, path_in_dataset) pair")
        local, remote = item
        try:
            entries.append(FileEntry(check_source(local), check_path_in_dataset(remote)))
        except (TypeError, ValueError) as error:
            raise type(error)(f"files[{index}]: {error}") from None
    if not entries:
        raise ValueError("files must not be empty")
    repeated = duplicates(e.path_in_dataset for e in entries)
    if repeated:
        raise ValueError(f"files has duplicate paths in the dataset: {', '.join(repeated)}")
    return tuple(entries)


@dataclass(frozen=True, slots=True)
class ScannedFile:
    """A local file found to upload: its absolute path, where it goes in the dataset,
    and its stamp when it was scanned."""

    local_path: str
    path_in_dataset: str
    stamp: Stamp


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The files of one upload, sorted by dataset path (code point order, the same on
    every machine), each dataset path once."""

    files: tuple[ScannedFile, ...]

    def __post_init__(self) -> None:
        paths = [f.path_in_dataset for f in self.files]
        if paths != sorted(paths) or len(set(paths)) != len(paths):
            raise ValueError("ScanResult files must be sorted by dataset path, each once")

    @property
    def total_bytes(self) -> int:
        return sum(f.stamp.size for f in self.files)
