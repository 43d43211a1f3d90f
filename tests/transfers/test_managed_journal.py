"""The managed fleet upload's journal records (pure): a line per record that decodes to
itself, a torn last line ignored, strict decoding, and the fold (a new session keeps the
digests of local files and nothing else)."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from avala.transfers._journal import JournalFormatError
from avala.transfers._managed_journal import (
    Admitted,
    Digested,
    FinalizationSeen,
    FinalizeIntent,
    GenerationBound,
    InitIntent,
    ManagedRecord,
    Pinned,
    SessionMinted,
    decode_managed,
    encode_managed,
    fold,
)
from avala.transfers._stamp import Stamp

uids = st.uuids().map(str)
paths = st.text(min_size=1, max_size=40).filter(lambda p: p.strip() == p and p)
hexes = st.text("0123456789abcdef", min_size=64, max_size=64)
records: st.SearchStrategy[ManagedRecord] = st.one_of(
    uids.map(SessionMinted),
    st.builds(Digested, paths, st.integers(0, 2**40), st.integers(-(2**62), 2**62), hexes),
    st.builds(Admitted, paths, uids),
    paths.map(InitIntent),
    st.builds(GenerationBound, paths, uids),
    st.builds(Pinned, paths, hexes),
    st.just(FinalizeIntent()),
    uids.map(FinalizationSeen),
)


@given(st.lists(records, max_size=12))
def test_records_decode_to_themselves_and_a_torn_tail_is_ignored(
    written: list[ManagedRecord],
) -> None:
    data = b"".join(encode_managed(r) for r in written)
    assert list(decode_managed(data)) == written
    torn = data + encode_managed(FinalizeIntent())[:-3]
    assert list(decode_managed(torn)) == written


@pytest.mark.parametrize(
    "line",
    [
        b'{"t":"m_session"}',
        b'{"t":"m_session","session_uid":"not-a-uuid"}',
        b'{"t":"m_digest","path":"a","size":"1","mtime_ns":0,"sha256":"' + b"a" * 64 + b'"}',
        b'{"t":"m_init","path":"a","extra":1}',
        b'{"t":"m_init","path":"a","path":"b"}',
        b'{"t":"intent","path":"a","size":1,"mtime_ns":0}',  # the dataset journal's
        b"[1]",
    ],
)
def test_a_damaged_complete_line_is_a_format_error_naming_it(line: bytes) -> None:
    ok = encode_managed(InitIntent("a"))
    with pytest.raises(JournalFormatError, match="line 2"):
        decode_managed(ok + line + b"\n")


def test_a_new_session_keeps_only_the_digests() -> None:
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    digest = Digested("a.mcap", 10, 5, "b" * 64)
    state = fold(
        [
            SessionMinted(first),
            digest,
            Admitted("a.mcap", str(uuid.uuid4())),
            InitIntent("a.mcap"),
            Pinned("a.mcap", "p"),
            FinalizeIntent(),
            SessionMinted(second),
        ]
    )
    assert state.session_uid == second
    assert state.digest("a.mcap", Stamp(10, 5)) == "b" * 64
    assert state.digest("a.mcap", Stamp(10, 6)) is None  # another content
    assert not state.file_uids and not state.init_sent and not state.pins
    assert not state.finalizing
    assert fold([SessionMinted(first), InitIntent("x"), SessionMinted(first)]).init_sent
