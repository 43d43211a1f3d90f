from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from avala.transfers._journal import (
    BatchBound,
    FileIntent,
    FileStored,
    PartStored,
    encode,
    fold,
)
from avala.transfers._local import (
    DuplicatePathError,
    EmptySourceError,
    FileTooLargeError,
    InvalidFileNameError,
    JournalCorruptError,
    LocalRefusal,
    NotRegularFileError,
    StateDirError,
    SymlinkRefusedError,
    append_journal,
    ensure_dir,
    open_temp_beside,
    read_journal,
    recover_journal,
    remove_file,
    rename_atomic,
    scan,
    stat_files,
    stat_stamp,
)
from avala.transfers._parts import MAX_UPLOAD_SIZE, PartRange
from avala.transfers._scan import FileEntry, check_files
from avala.transfers._stamp import Stamp

BATCH = "3b0c2f7e-5d1a-4c56-9a0e-0f3f6d7b9e21"
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions and links")
as_root = hasattr(os, "geteuid") and os.geteuid() == 0


def write(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def rel_paths(result: object) -> list[str]:
    return [f.path_in_dataset for f in result.files]  # type: ignore[attr-defined]


# --- stamps -------------------------------------------------------------------------------


def test_stat_stamp_is_size_and_mtime_ns(tmp_path: Path) -> None:
    f = write(tmp_path / "a", b"hello")
    os.utime(f, ns=(1_000_000_123, 2_000_000_456))
    assert stat_stamp(f) == Stamp(5, 2_000_000_456)


def test_a_copy_with_times_preserved_has_the_same_stamp(tmp_path: Path) -> None:
    # Resume across machines: a copy keeps size and mtime (cp -p, rsync -t) but not the
    # inode or ctime; the stamp must not notice the difference.
    import shutil

    a = write(tmp_path / "a", b"content")
    b = tmp_path / "b"
    shutil.copy2(a, b)
    assert os.stat(a).st_ino != os.stat(b).st_ino
    assert stat_stamp(a) == stat_stamp(b)


def test_stat_stamp_refuses_directories_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        stat_stamp(tmp_path)
    with pytest.raises(FileNotFoundError):
        stat_stamp(tmp_path / "nope")


# --- scanning a tree ----------------------------------------------------------------------


def test_scan_a_tree_sorted_by_posix_path(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for rel in ["b.jpg", "a/2.jpg", "a/10.jpg", "A.jpg", "a/sub/z.bin", "é.txt"]:
        write(src / rel, rel.encode())
    result = scan(src)
    assert rel_paths(result) == ["A.jpg", "a/10.jpg", "a/2.jpg", "a/sub/z.bin", "b.jpg", "é.txt"]
    assert all(os.path.isabs(f.local_path) for f in result.files)
    assert result.total_bytes == sum(len(p.encode()) for p in rel_paths(result))
    first = result.files[0]
    assert Path(first.local_path) == src / "A.jpg"
    assert first.stamp == stat_stamp(src / "A.jpg")


def test_a_file_source_gives_its_basename(tmp_path: Path) -> None:
    f = write(tmp_path / "one.mcap", b"abc")
    result = scan(f)
    assert rel_paths(result) == ["one.mcap"]
    assert result.files[0].stamp.size == 3


def test_missing_source(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        scan(tmp_path / "missing")


def test_a_file_where_a_directory_is_expected(tmp_path: Path) -> None:
    f = write(tmp_path / "file")
    with pytest.raises(NotADirectoryError):
        scan(str(f) + "/")


def test_a_directory_where_a_file_is_expected(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    with pytest.raises(IsADirectoryError):
        stat_files(check_files([(str(tmp_path / "d"), "d")]))


def test_an_empty_tree(tmp_path: Path) -> None:
    (tmp_path / "src" / "empty" / "deeper").mkdir(parents=True)
    with pytest.raises(EmptySourceError) as info:
        scan(tmp_path / "src")
    assert isinstance(info.value, OSError)
    assert "no file to upload" in str(info.value)


def test_nfc_duplicates_in_a_tree(tmp_path: Path) -> None:
    if sys.platform == "darwin":
        pytest.skip("the filesystem normalizes names itself")
    write(tmp_path / "src" / "\u00e9.jpg")  # composed é
    write(tmp_path / "src" / "e\u0301.jpg")  # decomposed é
    with pytest.raises(DuplicatePathError, match=r"é\.jpg"):
        scan(tmp_path / "src")


def test_decomposed_names_become_nfc(tmp_path: Path) -> None:
    write(tmp_path / "src" / "e\u0301.jpg")
    assert rel_paths(scan(tmp_path / "src")) == ["\u00e9.jpg"]


@posix_only
def test_a_name_that_cannot_be_a_dataset_path(tmp_path: Path) -> None:
    write(tmp_path / "src" / "back\\slash")
    with pytest.raises(InvalidFileNameError, match="back"):
        scan(tmp_path / "src")


@posix_only
def test_a_non_utf8_name(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    with open(os.path.join(os.fsencode(tmp_path / "src"), b"bad\xff"), "wb"):
        pass
    with pytest.raises(InvalidFileNameError, match="UTF-8"):
        scan(tmp_path / "src")


@posix_only
def test_a_fifo_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "src" / "ok")
    os.mkfifo(tmp_path / "src" / "pipe")
    with pytest.raises(NotRegularFileError):
        scan(tmp_path / "src")


@posix_only
@pytest.mark.skipif(as_root, reason="root reads anything")
def test_an_unreadable_file(tmp_path: Path) -> None:
    f = write(tmp_path / "src" / "secret")
    f.chmod(0)
    try:
        with pytest.raises(PermissionError):
            scan(tmp_path / "src")
    finally:
        f.chmod(0o600)


@posix_only
@pytest.mark.skipif(as_root, reason="root reads anything")
def test_an_unreadable_directory(tmp_path: Path) -> None:
    write(tmp_path / "src" / "ok")
    locked = tmp_path / "src" / "locked"
    write(locked / "f")
    locked.chmod(0)
    try:
        with pytest.raises(PermissionError):
            scan(tmp_path / "src")
    finally:
        locked.chmod(0o700)


def test_a_file_too_large_for_the_protocol(tmp_path: Path) -> None:
    big = tmp_path / "src" / "huge.bin"
    big.parent.mkdir()
    with open(big, "wb") as handle:  # sparse: no disk space used
        handle.truncate(MAX_UPLOAD_SIZE + 1)
    with pytest.raises(FileTooLargeError):
        scan(tmp_path / "src")
    with open(big, "r+b") as handle:
        handle.truncate(MAX_UPLOAD_SIZE)
    assert scan(tmp_path / "src").files[0].stamp.size == MAX_UPLOAD_SIZE


# --- symlinks -----------------------------------------------------------------------------


@posix_only
def test_a_file_link_inside_the_tree_is_followed_under_its_own_path(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src / "real" / "a.jpg", b"abc")
    (src / "alias.jpg").symlink_to(src / "real" / "a.jpg")
    result = scan(src)
    assert rel_paths(result) == ["alias.jpg", "real/a.jpg"]
    assert result.files[0].stamp.size == 3


@posix_only
@pytest.mark.parametrize("kind", ["outside", "directory", "dangling", "state", "loop"])
def test_other_links_are_refused_by_name(tmp_path: Path, kind: str) -> None:
    src, state = tmp_path / "src", tmp_path / "state"
    write(src / "ok.jpg")
    outside = write(tmp_path / "elsewhere" / "secret.txt")
    link = src / "link"
    if kind == "outside":
        link.symlink_to(outside)
    elif kind == "directory":
        (src / "sub").mkdir()
        link.symlink_to(src / "sub")
    elif kind == "dangling":
        link.symlink_to(src / "gone")
    elif kind == "loop":
        link.symlink_to(link)
    else:
        link.symlink_to(write(state / "x.journal"))
    with pytest.raises(SymlinkRefusedError) as info:
        scan(src, state_dir=state)
    assert info.value.filename == str(link)


@posix_only
def test_explicit_files_follow_links_anywhere_but_the_state_dir(tmp_path: Path) -> None:
    outside = write(tmp_path / "elsewhere" / "a.bin", b"1234")
    (tmp_path / "link").symlink_to(outside)
    result = stat_files(check_files([(str(tmp_path / "link"), "a.bin")]))
    assert result.files[0].stamp.size == 4
    state = tmp_path / "state"
    journal = write(state / "j")
    with pytest.raises(StateDirError):
        stat_files(check_files([(str(journal), "j")]), state_dir=state)


def test_the_state_dir_inside_the_source_is_pruned(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src / "a.jpg")
    write(src / ".state" / "uploads" / "x.journal")
    assert rel_paths(scan(src, state_dir=src / ".state")) == ["a.jpg"]
    with pytest.raises(StateDirError):
        scan(src / ".state", state_dir=src / ".state")


def test_stat_files_sorts_and_keeps_dataset_paths(tmp_path: Path) -> None:
    a = write(tmp_path / "a", b"aa")
    b = write(tmp_path / "b", b"b")
    entries = (FileEntry(str(a), "z/a"), FileEntry(str(b), "m/b"))
    result = stat_files(entries)
    assert [(f.path_in_dataset, f.stamp.size) for f in result.files] == [("m/b", 1), ("z/a", 2)]


def test_refusals_are_oserrors_with_the_path_named(tmp_path: Path) -> None:
    error = EmptySourceError("no file to upload", tmp_path)
    assert isinstance(error, LocalRefusal) and isinstance(error, OSError)
    assert str(error) == f"no file to upload: {tmp_path}"
    import pickle

    assert str(pickle.loads(pickle.dumps(error))) == str(error)


# --- journal files ------------------------------------------------------------------------


def test_append_then_read_folds_the_records(tmp_path: Path) -> None:
    path = tmp_path / "state" / "uploads" / "datasets" / "k.journal"
    records = [BatchBound(BATCH), FileIntent("a", Stamp(1, 2)), FileStored("a", Stamp(1, 2))]
    append_journal(path, records[:1])
    append_journal(path, records[1:])
    append_journal(path, [])
    assert read_journal(path) == tuple(records)
    assert fold(read_journal(path)).is_stored("a", Stamp(1, 2))
    assert path.read_bytes() == b"".join(encode(r) for r in records)


def test_a_missing_journal_reads_as_empty(tmp_path: Path) -> None:
    assert read_journal(tmp_path / "none") == ()
    assert recover_journal(tmp_path / "none") == ()


@posix_only
def test_journal_and_its_directories_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = tmp_path / "state" / "uploads" / "k.journal"
        append_journal(path, [BatchBound(BATCH)])
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "state" / "uploads").stat().st_mode) == 0o700


def test_a_torn_last_line_is_ignored_then_cut_before_appending(tmp_path: Path) -> None:
    path = tmp_path / "k.journal"
    first = FileIntent("big", Stamp(20, 1))
    part = PartStored("big", PartRange(1, 0, 10))
    path.write_bytes(encode(first) + encode(part)[:-7])
    assert read_journal(path) == (first,)
    assert recover_journal(path) == (first,)
    assert path.read_bytes() == encode(first)
    append_journal(path, [part])
    assert read_journal(path) == (first, part)


def test_a_damaged_line_is_a_typed_oserror(tmp_path: Path) -> None:
    path = tmp_path / "k.journal"
    path.write_bytes(encode(BatchBound(BATCH)) + b'{"t":"nope"}\n' + encode(BatchBound(BATCH)))
    with pytest.raises(JournalCorruptError, match="line 2") as info:
        read_journal(path)
    assert isinstance(info.value, OSError) and info.value.filename == str(path)
    with pytest.raises(JournalCorruptError):
        recover_journal(path)


# --- files for downloads and cleanup ------------------------------------------------------


@posix_only
def test_temp_beside_then_rename_atomic(tmp_path: Path) -> None:
    dest = tmp_path / "out" / "video.mp4"
    dest.parent.mkdir()
    dest.write_bytes(b"old")
    temp = open_temp_beside(dest)
    assert temp.parent == dest.parent and temp.name.startswith(".video.mp4.")
    assert temp.read_bytes() == b"" and stat.S_IMODE(temp.stat().st_mode) == 0o600
    temp.write_bytes(b"new")
    rename_atomic(temp, dest)
    assert dest.read_bytes() == b"new" and not temp.exists()


def test_remove_file_tolerates_a_missing_file(tmp_path: Path) -> None:
    f = write(tmp_path / "j")
    remove_file(f)
    remove_file(f)
    assert not f.exists()


def test_ensure_dir_is_idempotent(tmp_path: Path) -> None:
    ensure_dir(tmp_path / "a" / "b")
    ensure_dir(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b").is_dir()
    write(tmp_path / "file")
    with pytest.raises(OSError):
        ensure_dir(tmp_path / "file" / "sub")


def test_sha256_file_hashes_the_content_its_stamp_names(tmp_path: Path) -> None:
    import hashlib

    from avala.transfers._local import FileChangedError, sha256_file, stat_stamp

    path = tmp_path / "a.mcap"
    data = bytes(range(256)) * 5000  # more than one chunk of 1000 bytes
    path.write_bytes(data)
    stamp = stat_stamp(path)
    assert sha256_file(path, stamp, chunk=1000) == hashlib.sha256(data).hexdigest()
    path.write_bytes(data + b"!")  # another content: another stamp
    with pytest.raises(FileChangedError, match=r"a\.mcap"):
        sha256_file(path, stamp)
