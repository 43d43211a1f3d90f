"""The only module of the SDK that touches local files (the object transport aside, which
streams file slices). Drivers call these functions to answer ``LocalIO`` instructions.

Every failure is an ``OSError``: the OS's own (missing file, permission denied) or a
``LocalRefusal`` subclass for what an upload refuses (an empty tree, a symlink leaving the
source, a file too large). The instruction layer turns them into one typed Failure.

Symlinks in a scanned tree: a link to a regular file inside the source tree is followed
and uploaded under the link's own path. Every other link (to a directory, outside the
tree, into the state directory, dangling) is refused with ``SymlinkRefusedError`` naming
it, rather than skipped: a silently missing file is worse than a clear stop. Entries of
an explicit ``files`` list are followed wherever they point (the caller named each one),
except into the state directory.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from avala.transfers._journal import (
    JournalFormatError,
    Record,
    complete_prefix_length,
    decode_journal,
    encode,
)
from avala.transfers._parts import MAX_UPLOAD_SIZE
from avala.transfers._scan import (
    FileEntry,
    ScannedFile,
    ScanResult,
    check_path_in_dataset,
    duplicates,
)
from avala.transfers._stamp import Stamp
from avala.transfers._state import DIR_MODE, FILE_MODE, state_dir

__all__ = [
    "DuplicatePathError",
    "EmptySourceError",
    "FileChangedError",
    "FileTooLargeError",
    "InvalidFileNameError",
    "JournalCorruptError",
    "LimitExceededError",
    "LocalRefusal",
    "NotRegularFileError",
    "StateDirError",
    "SymlinkRefusedError",
    "append_journal",
    "append_records",
    "ensure_dir",
    "open_temp_beside",
    "read_journal",
    "recover_journal",
    "recover_records",
    "remove_file",
    "rename_atomic",
    "scan",
    "sha256_file",
    "stat_files",
    "stat_stamp",
]

StrPath = str | os.PathLike[str]
R = TypeVar("R")


class LocalRefusal(OSError):
    """A local file or tree the upload refuses (not an OS failure). ``filename`` names
    the path; ``str()`` is the message alone."""

    def __init__(self, message: str, path: StrPath) -> None:
        super().__init__(message)
        self.message = message
        self.filename = os.fspath(path)

    def __str__(self) -> str:
        return f"{self.message}: {self.filename}"

    def __reduce__(self) -> tuple[type[LocalRefusal], tuple[str, str]]:
        return (type(self), (self.message, self.filename))


class EmptySourceError(LocalRefusal):
    """The source holds no file to upload."""


class DuplicatePathError(LocalRefusal):
    """Two files would land on one dataset path (names equal after NFC normalization)."""


class SymlinkRefusedError(LocalRefusal):
    """A symlink in the tree that the scan does not follow (see the module docstring)."""


class NotRegularFileError(LocalRefusal):
    """A FIFO, socket or device where a regular file was expected."""


class FileTooLargeError(LocalRefusal):
    """Larger than 10000 parts of 128 MiB: the protocol cannot store it."""


class InvalidFileNameError(LocalRefusal):
    """A file name that cannot be a dataset path (not UTF-8, a backslash, a control
    character, too long)."""


class StateDirError(LocalRefusal):
    """The source is inside the SDK's state directory, or a file points into it."""


def usable_state_dir() -> Path:
    """The state directory, or ``StateDirError`` for a relative ``AVALA_STATE_DIR`` (its
    meaning would change with the working directory): an OSError, like every refusal here."""
    try:
        return state_dir()
    except ValueError as error:
        raise StateDirError(str(error), os.environ.get("AVALA_STATE_DIR", "")) from None


class LimitExceededError(LocalRefusal):
    """A source outside a protocol's limits other than one file's size (the managed fleet
    upload's file count, total size, file type: UPLOADS.md §3.1)."""


class FileChangedError(LocalRefusal):
    """A file changed (size or modification time) while it was being read."""


class JournalCorruptError(LocalRefusal):
    """A complete journal line that does not decode (edited, damaged, or written by a
    newer SDK). Deleting the journal starts the upload over; nothing else is lost."""


# --- stamps -----------------------------------------------------------------------------


def _stamp_of(st: os.stat_result) -> Stamp:
    return Stamp(st.st_size, st.st_mtime_ns)


def _regular(path: str, st: os.stat_result) -> os.stat_result:
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, "a directory where a file is expected", path)
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFileError("not a regular file", path)
    return st


def stat_stamp(path: StrPath) -> Stamp:
    """The stamp (size, mtime_ns) of the regular file at ``path``, symlinks followed."""
    text = os.fspath(path)
    return _stamp_of(_regular(text, os.stat(text)))


def sha256_file(path: StrPath, stamp: Stamp, chunk: int = 1024 * 1024) -> str:
    """The hex sha256 of the file at ``path``, read in ``chunk``-byte pieces; its stamp
    must be ``stamp`` before and after (``FileChangedError`` otherwise), so the digest is
    of the content the stamp names."""
    text = os.fspath(path)
    digest = hashlib.sha256()
    with open(text, "rb") as handle:
        if _stamp_of(os.fstat(handle.fileno())) != stamp:
            raise FileChangedError("changed since it was scanned", text)
        while block := handle.read(chunk):
            digest.update(block)
        if _stamp_of(os.fstat(handle.fileno())) != stamp:
            raise FileChangedError("changed while it was read", text)
    return digest.hexdigest()


# --- scanning ---------------------------------------------------------------------------


def _inside(path: str, root: str) -> bool:
    """True when the real path ``path`` is ``root`` or below it (both real paths)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _dataset_path(rel: str, where: str) -> str:
    try:
        return check_path_in_dataset(rel)
    except (TypeError, ValueError) as error:
        raise InvalidFileNameError(f"cannot be a dataset path ({error})", where) from None


def _checked_file(path: str, rel: str, st: os.stat_result) -> ScannedFile:
    """A regular file ready to upload: readable (opened once, nothing read) and within
    the protocol's size limit."""
    _regular(path, st)
    if st.st_size > MAX_UPLOAD_SIZE:
        raise FileTooLargeError(
            f"{st.st_size} bytes is more than the {MAX_UPLOAD_SIZE} the protocol can store", path
        )
    os.close(os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0)))  # PermissionError
    return ScannedFile(path, _dataset_path(rel, path), _stamp_of(st))


def _result(found: Iterable[ScannedFile], source: str) -> ScanResult:
    files = sorted(found, key=lambda f: f.path_in_dataset)
    if not files:
        raise EmptySourceError("no file to upload", source)
    repeated = duplicates(f.path_in_dataset for f in files)
    if repeated:
        raise DuplicatePathError(
            f"more than one file maps to the dataset path {repeated[0]!r}", source
        )
    return ScanResult(tuple(files))


def scan(source: StrPath, *, state_dir: StrPath | None = None) -> ScanResult:
    """The files under ``source`` for ``create_from_local``.

    A regular file gives itself under its base name. A directory gives every regular
    file below it under its POSIX path relative to ``source``. A source ending in a path
    separator must be a directory. ``state_dir``, when below the source, is pruned; a
    source inside it is refused. Raises OSError (see the module docstring).
    """
    text = os.fspath(source)
    wants_dir = text.endswith(("/", os.sep))
    root = os.path.abspath(text)
    st = os.stat(root)  # FileNotFoundError for a missing source
    real_root = os.path.realpath(root)
    state_real = os.path.realpath(os.fspath(state_dir)) if state_dir is not None else None
    if state_real is not None and _inside(real_root, state_real):
        raise StateDirError("the source is inside the SDK's state directory", root)
    if not stat.S_ISDIR(st.st_mode):
        if wants_dir:
            raise NotADirectoryError(errno.ENOTDIR, "a file where a directory is expected", root)
        name = unicodedata.normalize("NFC", os.path.basename(root))
        return _result([_checked_file(root, name, st)], root)
    return _result(_walk(root, real_root, state_real), root)


def _walk(root: str, real_root: str, state_real: str | None) -> list[ScannedFile]:
    found: list[ScannedFile] = []
    pending: list[tuple[str, str]] = [(root, "")]
    while pending:
        directory, prefix = pending.pop()
        with os.scandir(directory) as entries:  # PermissionError for an unreadable dir
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_symlink():
                    found.append(_followed_link(entry.path, rel, real_root, state_real))
                elif entry.is_dir(follow_symlinks=False):
                    if state_real is None or not _inside(os.path.realpath(entry.path), state_real):
                        pending.append((entry.path, rel + "/"))
                else:
                    found.append(_checked_file(entry.path, rel, entry.stat(follow_symlinks=False)))
    return found


def _followed_link(path: str, rel: str, real_root: str, state_real: str | None) -> ScannedFile:
    if not os.path.exists(path):  # also a symlink loop
        raise SymlinkRefusedError("a dangling symlink", path)
    target = os.path.realpath(path)
    if state_real is not None and _inside(target, state_real):
        raise SymlinkRefusedError("a symlink into the SDK's state directory", path)
    if not _inside(target, real_root):
        raise SymlinkRefusedError(
            "a symlink leaving the source tree (pass such files in upload_files(files=...))",
            path,
        )
    st = os.stat(path)
    if stat.S_ISDIR(st.st_mode):
        raise SymlinkRefusedError("a symlink to a directory (not followed)", path)
    return _checked_file(path, rel, st)


def stat_files(entries: Sequence[FileEntry], *, state_dir: StrPath | None = None) -> ScanResult:
    """The files of an explicit ``upload_files`` list, stat'ed and checked like a scan
    (symlinks followed, except into ``state_dir``). Raises OSError."""
    state_real = os.path.realpath(os.fspath(state_dir)) if state_dir is not None else None
    found = []
    for entry in entries:
        path = os.path.abspath(entry.local_path)
        st = os.stat(path)
        if state_real is not None and _inside(os.path.realpath(path), state_real):
            raise StateDirError("a file inside the SDK's state directory", path)
        found.append(_checked_file(path, entry.path_in_dataset, st))
    return _result(found, entries[0].local_path if entries else "")


# --- directories, journal ---------------------------------------------------------------


def ensure_dir(path: StrPath) -> None:
    """Create ``path`` and its missing parents, each 0700 (whatever the umask)."""
    missing: list[str] = []
    current = os.path.abspath(os.fspath(path))
    while not os.path.isdir(current):
        missing.append(current)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory, DIR_MODE)
        except FileExistsError:
            if not os.path.isdir(directory):
                raise
            continue
        os.chmod(directory, DIR_MODE)


def _fsync_dir(path: str) -> None:
    """Make a created, renamed or removed directory entry durable (POSIX only)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_bytes(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _decode(data: bytes, path: str, decode: Callable[[bytes], tuple[R, ...]]) -> tuple[R, ...]:
    try:
        return decode(data)
    except JournalFormatError as error:
        raise JournalCorruptError(
            f"the upload journal is damaged ({error}); delete it to start this upload over",
            path,
        ) from None


def read_journal(path: StrPath) -> tuple[Record, ...]:
    """The records of the journal at ``path``: none when it does not exist; a torn last
    line (a crash mid-append) ignored; ``JournalCorruptError`` for a damaged complete
    line."""
    text = os.fspath(path)
    data = _read_bytes(text)
    return () if data is None else _decode(data, text, decode_journal)


def recover_journal(path: StrPath) -> tuple[Record, ...]:
    """``read_journal``, then cut a torn last line off the file, so the next append
    starts on a line of its own. Call once when a run starts, before any append."""
    return recover_records(path, decode_journal)


def recover_records(path: StrPath, decode: Callable[[bytes], tuple[R, ...]]) -> tuple[R, ...]:
    """``recover_journal`` of a journal whose lines ``decode`` reads (the managed fleet
    upload's records, say): the same file rules, other records."""
    text = os.fspath(path)
    data = _read_bytes(text)
    if data is None:
        return ()
    records = _decode(data, text, decode)
    keep = complete_prefix_length(data)
    if keep != len(data):
        fd = os.open(text, os.O_WRONLY)
        try:
            os.ftruncate(fd, keep)
            os.fsync(fd)
        finally:
            os.close(fd)
    return records


def append_journal(path: StrPath, records: Iterable[Record]) -> None:
    """Append ``records`` to the journal at ``path`` in one write, then fsync: when this
    returns they survive a crash. Creates the file 0600 (and its directories 0700).

    One ``write`` on an ``O_APPEND`` descriptor: concurrent appends from the threads of
    one run never interleave within a line.
    """
    append_records(path, records, encode)


def append_records(path: StrPath, records: Iterable[R], encode: Callable[[R], bytes]) -> None:
    """``append_journal`` of records that ``encode`` writes as lines (another journal's)."""
    data = b"".join(encode(r) for r in records)
    if not data:
        return
    text = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(text))
    ensure_dir(directory)
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(text, flags | os.O_CREAT | os.O_EXCL, FILE_MODE)
        created = True
    except FileExistsError:
        fd = os.open(text, flags)
        created = False
    try:
        if created:
            os.chmod(text, FILE_MODE)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        _fsync_dir(directory)


def remove_file(path: StrPath) -> None:
    """Delete ``path`` if it exists (a finished upload's journal, a failed download's
    temporary file)."""
    text = os.fspath(path)
    try:
        os.unlink(text)
    except FileNotFoundError:
        return
    _fsync_dir(os.path.dirname(os.path.abspath(text)))


def rename_atomic(src: StrPath, dst: StrPath) -> None:
    """Move ``src`` over ``dst`` in one step (readers see the old file or the new one,
    never a mix), durable when this returns. Both must be on one filesystem."""
    os.replace(src, dst)
    _fsync_dir(os.path.dirname(os.path.abspath(os.fspath(dst))))


def open_temp_beside(dest: StrPath) -> Path:
    """A new empty file (0600) in ``dest``'s directory for a download to fill and then
    ``rename_atomic`` over ``dest``: the same filesystem, so the rename is atomic, and a
    hidden name, so a half-written file is never mistaken for the real one."""
    target = Path(os.path.abspath(os.fspath(dest)))
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    return Path(name)
