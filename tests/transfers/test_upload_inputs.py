from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from avala.transfers._scan import (
    FileEntry,
    check_files,
    check_path_in_dataset,
    check_source,
    check_workers,
)


@pytest.mark.parametrize(
    "path",
    ["", "/abs", "a/", "a//b", "./a", "a/./b", "a/../b", "..", "a\\b", "a\x00b", "a\nb",
     "a\x7fb", "x" * 1025, "\udcff"],
)  # fmt: skip
def test_invalid_dataset_paths(path: str) -> None:
    with pytest.raises(ValueError):
        check_path_in_dataset(path)


def test_valid_dataset_paths_come_back_nfc() -> None:
    assert check_path_in_dataset("cam0/000001.jpg") == "cam0/000001.jpg"
    assert check_path_in_dataset("e\u0301/x y") == "\u00e9/x y"
    assert check_path_in_dataset("é" * 512) == "é" * 512  # 1024 UTF-8 bytes
    with pytest.raises(ValueError):
        check_path_in_dataset("é" * 512 + "x")
    with pytest.raises(TypeError):
        check_path_in_dataset(Path("a"))


@given(st.text(min_size=1, max_size=30))
def test_an_accepted_path_is_a_clean_relative_posix_path(path: str) -> None:
    try:
        checked = check_path_in_dataset(path)
    except ValueError:
        return
    assert checked == unicodedata.normalize("NFC", checked)
    assert not checked.startswith("/") and not checked.endswith("/")
    assert all(s not in ("", ".", "..") for s in checked.split("/"))
    assert check_path_in_dataset(checked) == checked


def test_check_files() -> None:
    entries = check_files([("/data/a.jpg", "a.jpg"), (Path("/data/b.jpg"), "x/b.jpg")])
    assert entries == (FileEntry("/data/a.jpg", "a.jpg"), FileEntry("/data/b.jpg", "x/b.jpg"))


@pytest.mark.parametrize(
    ("files", "error", "match"),
    [
        ([], ValueError, "empty"),
        ("a.jpg", TypeError, "pairs"),
        ([("/a", "x"), ("/b", "x")], ValueError, "duplicate.*x"),
        ([("/a", "\u00e9"), ("/b", "e\u0301")], ValueError, "duplicate"),
        ([("/a", "../x")], ValueError, r"files\[0\]"),
        ([("/a",)], TypeError, r"files\[0\]"),
        ([("", "x")], ValueError, "empty"),
        ([(b"/a", "x")], TypeError, r"files\[0\]"),
        ([("/a", 3)], TypeError, r"files\[0\]"),
    ],
)
def test_bad_files_fail_at_build_time(files: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        check_files(files)  # type: ignore[arg-type]


def test_check_source_and_workers() -> None:
    assert check_source(Path("/data")) == "/data"
    for bad in ("", "a\x00"):
        with pytest.raises(ValueError):
            check_source(bad)
    with pytest.raises(TypeError):
        check_source(3)
    assert check_workers(1) == 1
    for bad_workers in (0, -1):
        with pytest.raises(ValueError, match=">= 1"):
            check_workers(bad_workers)
    for wrong in (True, 2.0, "8"):
        with pytest.raises(TypeError):
            check_workers(wrong)
