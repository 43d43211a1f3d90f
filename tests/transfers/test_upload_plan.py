from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from avala.transfers._journal import (
    FileIntent,
    FileInvalidated,
    FileStored,
    PartStored,
    Record,
    UploadState,
    fold,
)
from avala.transfers._parts import MIN_PART_SIZE, PartRange, part_ranges
from avala.transfers._plan import FileToSend, UploadPlan, plan_upload
from avala.transfers._scan import ScannedFile, ScanResult
from avala.transfers._stamp import Stamp

MiB = 1024 * 1024
PATHS = ["a", "b/c", "d", "e/f/g"]
stamps = st.builds(Stamp, st.integers(0, 2), st.integers(0, 2))


@st.composite
def scans(draw: st.DrawFn) -> ScanResult:
    chosen = draw(st.lists(st.sampled_from(PATHS), unique=True, min_size=1))
    return ScanResult(tuple(ScannedFile(f"/src/{p}", p, draw(stamps)) for p in sorted(chosen)))


records = st.lists(
    st.one_of(
        st.builds(FileIntent, st.sampled_from(PATHS), stamps),
        st.builds(FileStored, st.sampled_from(PATHS), stamps),
        st.builds(FileInvalidated, st.sampled_from(PATHS)),
        st.builds(
            PartStored,
            st.sampled_from(PATHS),
            st.builds(PartRange, st.integers(1, 3), st.integers(0, 2), st.integers(1, 2)),
        ),
    ),
    max_size=20,
)


@given(scans(), records)
def test_skip_and_send_partition_the_scan_in_order(scan: ScanResult, rs: list[Record]) -> None:
    plan = plan_upload(scan, fold(rs))
    skipped = [f.path_in_dataset for f in plan.skip]
    sent = [f.file.path_in_dataset for f in plan.send]
    assert not set(skipped) & set(sent)
    assert sorted(skipped + sent) == [f.path_in_dataset for f in scan.files]
    assert skipped == sorted(skipped) and sent == sorted(sent)
    assert 0 <= plan.bytes_to_send <= scan.total_bytes


@given(scans(), records)
def test_only_files_stored_with_the_same_stamp_are_skipped(
    scan: ScanResult, rs: list[Record]
) -> None:
    state = fold(rs)
    plan = plan_upload(scan, state)
    for file in plan.skip:
        assert state.stored[file.path_in_dataset] == file.stamp
    for item in plan.send:
        path, stamp = item.file.path_in_dataset, item.file.stamp
        recorded = state.stored.get(path) or state.intents.get(path)
        if recorded is not None and recorded != stamp:
            assert item.reason == "changed" and item.stored_parts == frozenset()
        if item.reason == "resume":
            assert state.intents[path] == stamp
        if item.reason == "new":
            assert path not in state.stored and path not in state.intents


@given(scans(), stamps)
def test_a_changed_stamp_is_never_skipped(scan: ScanResult, other: Stamp) -> None:
    file = scan.files[0]
    if other == file.stamp:
        return
    state = fold([FileIntent(file.path_in_dataset, other), FileStored(file.path_in_dataset, other)])
    plan = plan_upload(scan, state)
    assert file not in plan.skip
    assert any(s.file == file and s.reason == "changed" for s in plan.send)


def test_a_resumed_file_keeps_its_stored_parts_and_strays_are_reported() -> None:
    size = 3 * MIN_PART_SIZE - 1
    stamp = Stamp(size, 7)
    ranges = part_ranges(size, MIN_PART_SIZE)
    state = fold(
        [
            FileIntent("big", stamp),
            PartStored("big", ranges[0]),
            FileIntent("old", Stamp(1, 1)),
            FileStored("old", Stamp(1, 1)),
            FileStored("done", Stamp(2, 2)),
        ]
    )
    scan = ScanResult(
        (ScannedFile("/s/big", "big", stamp), ScannedFile("/s/done", "done", Stamp(2, 2)))
    )
    plan = plan_upload(scan, state)
    assert [f.path_in_dataset for f in plan.skip] == ["done"]
    (big,) = plan.send
    assert big.reason == "resume" and big.stored_parts == {ranges[0]}
    assert plan.strays == ("old",)
    assert plan.bytes_to_send == size - MIN_PART_SIZE
    assert big.missing_parts(ranges) == ranges[1:]


def test_missing_parts_trusts_exact_journal_ranges_and_sized_server_parts() -> None:
    ranges = part_ranges(3 * MIN_PART_SIZE - 1, MIN_PART_SIZE)
    file = ScannedFile("/s/x", "x", Stamp(3 * MIN_PART_SIZE - 1, 0))
    resume = FileToSend(file, "resume", frozenset({ranges[1]}))
    assert resume.missing_parts(ranges) == (ranges[0], ranges[2])
    # The server holds part 1 in full and a wrong-sized part 3: only part 1 counts.
    server = [(1, MIN_PART_SIZE), (3, MIN_PART_SIZE)]
    assert resume.missing_parts(ranges, server) == (ranges[2],)
    # A journal range from another geometry (same number, other offset) does not count.
    other = FileToSend(file, "resume", frozenset({PartRange(2, 0, MIN_PART_SIZE)}))
    assert other.missing_parts(ranges) == ranges
    # A changed file never trusts what the server holds: it may be the old content.
    changed = FileToSend(file, "changed")
    assert changed.missing_parts(ranges, server) == ranges


def test_bytes_to_send_counts_overlapping_parts_once() -> None:
    file = ScannedFile("/s/x", "x", Stamp(12 * MiB, 0))
    parts = frozenset({PartRange(1, 0, 6 * MiB), PartRange(2, 5 * MiB, 5 * MiB)})
    plan = UploadPlan((), (FileToSend(file, "resume", parts),))
    assert plan.bytes_to_send == 2 * MiB


def test_an_empty_state_sends_everything_as_new() -> None:
    scan = ScanResult((ScannedFile("/s/a", "a", Stamp(1, 1)),))
    plan = plan_upload(scan, UploadState())
    assert plan.skip == () and [s.reason for s in plan.send] == ["new"]
    assert plan.bytes_to_send == 1


def test_scan_result_must_be_sorted_and_unique() -> None:
    a = ScannedFile("/s/a", "a", Stamp(1, 1))
    b = ScannedFile("/s/b", "b", Stamp(1, 1))
    with pytest.raises(ValueError):
        ScanResult((b, a))
    with pytest.raises(ValueError):
        ScanResult((a, a))
