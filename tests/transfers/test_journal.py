from __future__ import annotations

import dataclasses
import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from avala.transfers._journal import (
    BatchBound,
    DatasetCreated,
    FileIntent,
    FileInvalidated,
    FileStored,
    JournalFormatError,
    PartStored,
    Record,
    UploadState,
    apply,
    complete_prefix_length,
    decode_journal,
    decode_line,
    encode,
    fold,
)
from avala.transfers._parts import PartRange
from avala.transfers._stamp import Stamp

BATCH_A = "3b0c2f7e-5d1a-4c56-9a0e-0f3f6d7b9e21"
BATCH_B = "c1f0e1b2-7a55-4d8e-b0c9-5e1d2a3f4b60"
S1 = Stamp(10, 1_000)
S2 = Stamp(10, 2_000)

# A few paths so records collide on them; any text so encoding meets odd characters.
paths = st.sampled_from(["a.jpg", "cam0/1.jpg", "é/ü", "x y"]) | st.text(min_size=1, max_size=8)
stamps = st.builds(Stamp, st.integers(0, 3), st.integers(-2, 2))
part_ranges = st.builds(PartRange, st.integers(1, 4), st.integers(0, 3), st.integers(1, 3))
batch_uids = st.sampled_from([BATCH_A, BATCH_B]) | st.uuids().map(str)
records: st.SearchStrategy[Record] = st.one_of(
    st.builds(FileIntent, paths, stamps),
    st.builds(PartStored, paths, part_ranges),
    st.builds(
        FileStored, paths, stamps, st.none() | st.binary(min_size=32, max_size=32).map(bytes.hex)
    ),
    st.builds(FileInvalidated, paths),
    st.builds(BatchBound, batch_uids),
    st.builds(DatasetCreated, batch_uids, st.uuids().map(str)),
)
record_lists = st.lists(records, max_size=30)


def journal(rs: list[Record]) -> bytes:
    return b"".join(encode(r) for r in rs)


@given(records)
def test_encode_decode_round_trip(record: Record) -> None:
    line = encode(record)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert decode_line(line[:-1]) == record


@given(record_lists)
def test_fold_is_deterministic_and_incremental(rs: list[Record]) -> None:
    assert fold(rs) == fold(list(rs))
    assert fold(decode_journal(journal(rs))) == fold(rs)
    half = len(rs) // 2
    state = fold(rs[:half])
    for r in rs[half:]:
        state = apply(state, r)
    assert state == fold(rs)


@given(record_lists, st.data())
def test_a_cut_journal_folds_to_its_complete_lines(rs: list[Record], data: st.DataObject) -> None:
    whole = journal(rs)
    cut = data.draw(st.integers(0, len(whole)))
    complete = whole[:cut].count(b"\n")
    assert complete_prefix_length(whole[:cut]) == len(journal(rs[:complete]))
    decoded = decode_journal(whole[:cut])
    assert decoded == tuple(rs[:complete])
    assert fold(decoded) == fold(rs[:complete])


@given(record_lists, st.data())
def test_stored_iff_the_last_word_on_the_path_stored_that_stamp(
    rs: list[Record], data: st.DataObject
) -> None:
    # Ask about paths and stamps the records mention, so the interesting cases come up.
    mentioned = [r for r in rs if isinstance(r, FileIntent | FileStored)]
    path, stamp = data.draw(
        st.sampled_from([(r.path, r.stamp) for r in mentioned])
        if mentioned
        else st.tuples(paths, stamps)
    )
    # Independent statement of the rule: walk back to the last record that speaks about
    # this path's completion (or a change of batch); it decides.
    batch: str | None = None
    last: Record | None = None
    for r in rs:
        if isinstance(r, BatchBound):
            if r.batch_uid != batch:
                batch, last = r.batch_uid, None
        elif isinstance(r, FileIntent | FileStored | FileInvalidated) and r.path == path:
            last = r
    expected = isinstance(last, FileStored) and last.stamp == stamp
    assert fold(rs).is_stored(path, stamp) == expected


@given(record_lists)
def test_parts_are_only_kept_for_the_latest_intents_content(rs: list[Record]) -> None:
    state = fold(rs)
    for path, held in state.parts.items():
        intent = state.intents[path]
        assert state.stored_parts(path, intent) == frozenset(held.values())
        assert state.stored_parts(path, Stamp(intent.size + 1, intent.mtime_ns)) == frozenset()


def test_resume_story() -> None:
    rs: list[Record] = [
        BatchBound(BATCH_A),
        FileIntent("a", S1),
        FileStored("a", S1),
        FileIntent("big", S1),
        PartStored("big", PartRange(1, 0, 5)),
        PartStored("big", PartRange(2, 5, 5)),
    ]
    state = fold(rs)
    assert state.batch_uid == BATCH_A
    assert state.is_stored("a", S1) and not state.is_stored("a", S2)
    assert state.stored_parts("big", S1) == {PartRange(1, 0, 5), PartRange(2, 5, 5)}
    assert state.maybe_remote("big") and not state.maybe_remote("c")

    # The big file changed: a new intent forgets the old content's parts.
    changed = apply(state, FileIntent("big", S2))
    assert changed.stored_parts("big", S2) == frozenset()
    assert changed.stored_parts("big", S1) == frozenset()
    # The same content again keeps them (a retry after a crash).
    assert apply(state, FileIntent("big", S1)).stored_parts("big", S1) == {
        PartRange(1, 0, 5),
        PartRange(2, 5, 5),
    }
    # Storing the file makes the parts moot.
    done = apply(state, FileStored("big", S1))
    assert done.is_stored("big", S1) and "big" not in done.parts

    # Invalidation forgets content but not that an object may exist remotely.
    gone = apply(state, FileInvalidated("a"))
    assert not gone.is_stored("a", S1) and gone.maybe_remote("a")

    # Binding the same batch again changes nothing; another batch starts over.
    assert apply(state, BatchBound(BATCH_A)) == state
    fresh = apply(state, BatchBound(BATCH_B))
    assert fresh.batch_uid == BATCH_B
    assert not fresh.is_stored("a", S1) and fresh.stored_parts("big", S1) == frozenset()
    assert fresh.maybe_remote("a") and fresh.maybe_remote("big")


def test_a_part_without_an_intent_is_ignored() -> None:
    assert fold([PartStored("x", PartRange(1, 0, 5))]) == UploadState()


def test_encoding_is_compact_named_json() -> None:
    assert encode(FileStored("cam/1.jpg", Stamp(5, 7))) == (
        b'{"t":"stored","path":"cam/1.jpg","size":5,"mtime_ns":7}\n'
    )
    digest = "ab" * 32
    assert encode(FileStored("a", Stamp(5, 7), digest)) == (
        b'{"t":"stored","path":"a","size":5,"mtime_ns":7,"sha256":"' + digest.encode() + b'"}\n'
    )
    assert encode(PartStored("p", PartRange(2, 8, 3))) == (
        b'{"t":"part","path":"p","number":2,"offset":8,"length":3}\n'
    )
    assert encode(FileIntent("\n", Stamp(0, 0))) == (
        b'{"t":"intent","path":"\\n","size":0,"mtime_ns":0}\n'
    )


@pytest.mark.parametrize(
    "line",
    [
        b"",
        b"not json",
        b"[]",
        b'{"t":"stored","path":"a","size":1}',  # missing key
        b'{"t":"stored","path":"a","size":1,"mtime_ns":2,"url":"https://x"}',  # extra key
        b'{"t":"stored","path":"a","size":true,"mtime_ns":2}',  # bool is not an int
        b'{"t":"stored","path":"a","size":1.0,"mtime_ns":2}',
        b'{"t":"stored","path":"a","size":-1,"mtime_ns":2}',
        b'{"t":"stored","path":"","size":1,"mtime_ns":2}',
        b'{"t":"stored","path":"a","path":"b","size":1,"mtime_ns":2}',  # duplicate key
        b'{"t":"stored","path":"a","size":NaN,"mtime_ns":2}',
        b'{"t":"stored","path":"a","size":1,"mtime_ns":2,"sha256":null}',
        b'{"t":"stored","path":"a","size":1,"mtime_ns":2,"sha256":"AB"}',  # not a digest
        b'{"t":"intent","path":"a","size":1,"mtime_ns":2,"sha256":"' + b"0" * 64 + b'"}',
        b'{"t":"future","path":"a"}',  # a newer SDK's record
        b'{"t":"part","path":"a","number":0,"offset":0,"length":1}',
        b'{"t":"part","path":"a","number":1,"offset":0,"length":0}',
        b'{"t":"batch","batch_uid":"3B0C2F7E-5D1A-4C56-9A0E-0F3F6D7B9E21"}',
        b'{"t":"batch","batch_uid":"https://evil"}',
        b"\xff\xfe",
    ],
)
def test_strict_decoding_refuses(line: bytes) -> None:
    with pytest.raises(JournalFormatError):
        decode_line(line)


def test_a_garbled_complete_line_is_an_error_with_its_number() -> None:
    data = encode(BatchBound(BATCH_A)) + b"garbage\n" + encode(FileInvalidated("a"))
    with pytest.raises(JournalFormatError, match="line 2") as info:
        decode_journal(data)
    assert info.value.line_number == 2


def test_a_torn_last_line_is_ignored_even_if_it_parses() -> None:
    data = encode(BatchBound(BATCH_A)) + encode(FileInvalidated("a"))[:-1]
    assert decode_journal(data) == (BatchBound(BATCH_A),)
    assert decode_journal(b"{garb") == ()
    assert decode_journal(b"") == ()


def test_records_have_no_room_for_keys_or_urls() -> None:
    # The journal never holds the API key or a signed URL because no record has a field
    # that could: paths inside the dataset, stamps, part ranges, a UUID batch uid and a
    # content digest (64 hex digits, checked).
    allowed = {
        "path": str,
        "stamp": Stamp,
        "part": PartRange,
        "batch_uid": str,
        "dataset_uid": str,
        "sha256": str,
    }
    for cls in (FileIntent, PartStored, FileStored, FileInvalidated, BatchBound, DatasetCreated):
        for f in dataclasses.fields(cls):
            assert f.name in allowed, (cls, f.name)
    state_fields = {f.name for f in dataclasses.fields(UploadState)}
    assert state_fields == {"batch_uid", "stored", "intents", "parts", "touched", "created"}
    with pytest.raises(ValueError):
        BatchBound("sk-live-secret-api-key")
    with pytest.raises(ValueError):
        FileStored("a", S1, "sk-live-secret-api-key")
    assert str(uuid.UUID(BATCH_A)) == BATCH_A


@given(record_lists)
def test_every_line_is_one_json_object_of_known_keys(rs: list[Record]) -> None:
    for line in journal(rs).splitlines():
        obj = json.loads(line)
        assert set(obj) <= {
            "t",
            "path",
            "size",
            "mtime_ns",
            "number",
            "offset",
            "length",
            "batch_uid",
            "dataset_uid",
            "sha256",
        }


def test_a_created_dataset_belongs_to_its_batch() -> None:
    state = fold([BatchBound(BATCH_A), FileStored("a", S1), DatasetCreated(BATCH_A, "ds-1")])
    assert state.created == "ds-1" and state.is_stored("a", S1)
    assert apply(state, FileIntent("b", S2)).created == "ds-1"
    assert apply(state, BatchBound(BATCH_B)).created is None  # a fresh batch: not created
    assert fold([BatchBound(BATCH_B), DatasetCreated(BATCH_A, "ds-1")]).created is None
    line = encode(DatasetCreated(BATCH_A, "ds-1"))
    assert decode_journal(line) == (DatasetCreated(BATCH_A, "ds-1"),)
