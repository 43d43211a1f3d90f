"""The checks of managed status documents and progress pages (UPLOADS.md §3.4, §3.6),
pure: a consistent document passes, and each violation is a typed Failure naming what
differs."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from returns.result import Failure, Success

from avala.errors import DecodeError, TerminalStatusError
from avala.transfers._managed_checks import Expected, check_progress_page, check_status
from avala.transfers._managed_journal import Admitted, FinalizationSeen, GenerationBound, fold
from avala.transfers._parts import PartRange
from avala.types import (
    ManagedFinalization,
    ManagedGeneration,
    ManagedOriginal,
    ManagedPartInventory,
    ManagedStoredPart,
    ManagedUploadStatus,
)

PART = 64 * 1024 * 1024
REC = "4d6f0c1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f"
SESSION = "0f6c3e0a-9a1b-4b7e-8c2d-4e5f6a7b8c9d"
FILE = "11111111-2222-4333-8444-555555555555"
GEN = "22222222-3333-4444-8555-666666666666"
FIN = "33333333-4444-4555-8666-777777777777"
SIZE = PART + 5
SHA = "ab" * 32
EXPECTED = Expected(REC, SESSION, {"a.mcap": (SIZE, SHA)})


def original(**change: Any) -> ManagedOriginal:
    base: dict[str, Any] = {
        "file_uid": FILE,
        "path": "a.mcap",
        "size_bytes": SIZE,
        "content_sha256": SHA,
        "content_type": "application/octet-stream",
        "content_encoding": "",
        "part_size": PART,
        "part_count": 2,
        "verified": False,
        "generation": ManagedGeneration(generation_uid=GEN, number=1, state="active"),
    }
    return ManagedOriginal(**{**base, **change})


def finalization(**change: Any) -> ManagedFinalization:
    base: dict[str, Any] = {
        "uid": FIN,
        "state": "pending",
        "stage": "complete",
        "attempts": 0,
        "failures": 0,
        "code": "pending",
        "available_at": "2026-11-28T09:00:00Z",
        "publication_uid": None,
        "dataset_uid": None,
    }
    return ManagedFinalization(**{**base, **change})


def status(*files: ManagedOriginal, **change: Any) -> ManagedUploadStatus:
    files = files or (original(),)
    done = [f for f in files if f.verified]
    base: dict[str, Any] = {
        "protocol": "fleet-managed-mcap-v1",
        "session_uid": SESSION,
        "recording_uid": REC,
        "status": "uploading",
        "total_files": len(files),
        "total_bytes": sum(f.size_bytes for f in files),
        "confirmed_files": len(done),
        "confirmed_bytes": sum(f.size_bytes for f in done),
        "files": files,
        "finalization": None,
    }
    return ManagedUploadStatus(**{**base, **change})


KNOWN = fold([Admitted("a.mcap", FILE), GenerationBound("a.mcap", GEN)])
COMPLETED = ManagedGeneration(generation_uid=GEN, number=1, state="completed")


def test_a_consistent_document_passes() -> None:
    assert isinstance(check_status(status(), EXPECTED, KNOWN), Success)
    published = finalization(
        state="succeeded",
        stage="publish",
        code="published",
        publication_uid=FIN.replace("3", "4"),
        dataset_uid=FIN.replace("3", "5"),
    )
    done = status(
        original(verified=True, generation=COMPLETED), status="completed", finalization=published
    )
    assert isinstance(check_status(done, EXPECTED, KNOWN, previous=status()), Success)


BAD: list[tuple[str, ManagedUploadStatus, ManagedUploadStatus | None, type[Exception], str]] = [
    ("echo", status(session_uid=FIN), None, DecodeError, "session"),
    ("sha", status(original(content_sha256="cd" * 32)), None, TerminalStatusError, "sha256"),
    ("size", status(original(size_bytes=SIZE + 1)), None, TerminalStatusError, "bytes"),
    ("path", status(original(path="b.mcap")), None, TerminalStatusError, "missing"),
    ("file uid", status(original(file_uid=GEN)), None, DecodeError, "file_uid changed"),
    (
        "generation uid",
        status(
            original(generation=ManagedGeneration(generation_uid=FIN, number=1, state="active"))
        ),
        None,
        DecodeError,
        "generation changed",
    ),
    (
        "generation 2",
        status(
            original(generation=ManagedGeneration(generation_uid=GEN, number=2, state="active"))
        ),
        None,
        DecodeError,
        "number 2",
    ),
    ("generation gone", status(original(generation=None)), None, DecodeError, "disappeared"),
    ("geometry", status(original(part_count=3)), None, DecodeError, "geometry"),
    ("counters", status(total_bytes=1), None, DecodeError, "counters"),
    (
        "verified back",
        status(),
        status(original(verified=True, generation=COMPLETED)),
        DecodeError,
        "went back",
    ),
    ("verified early", status(original(verified=True)), None, DecodeError, "completed gen"),
    (
        "finalization gone",
        status(),
        status(finalization=finalization()),
        DecodeError,
        "disappeared",
    ),
    (
        "finalization uid",
        status(finalization=finalization(uid=GEN)),
        status(finalization=finalization()),
        DecodeError,
        "changed",
    ),
    (
        "succeeded without publication",
        status(finalization=finalization(state="succeeded", stage="publish", code="published")),
        None,
        DecodeError,
        "succeeded",
    ),
    (
        "pending with publication",
        status(finalization=finalization(publication_uid=FIN, dataset_uid=FIN)),
        None,
        DecodeError,
        "names a publication",
    ),
]


@pytest.mark.parametrize(
    ("document", "previous", "kind", "says"),
    [case[1:] for case in BAD],
    ids=[case[0] for case in BAD],
)
def test_a_violation_is_a_typed_failure_saying_what_differs(
    document: ManagedUploadStatus,
    previous: ManagedUploadStatus | None,
    kind: type[Exception],
    says: str,
) -> None:
    result = check_status(document, EXPECTED, KNOWN, previous)
    assert isinstance(result, Failure)
    assert type(result.failure()) is kind and says in str(result.failure())


def test_the_journal_alone_pins_uids_across_runs() -> None:
    journal = fold([Admitted("a.mcap", FILE), FinalizationSeen(FIN)])
    assert isinstance(check_status(status(), EXPECTED, journal), Failure)  # finalization gone
    fresh = status(original(generation=None))
    assert isinstance(check_status(fresh, EXPECTED, fold([])), Success)
    # a file never admitted before must not have a generation yet
    assert isinstance(check_status(status(), EXPECTED, fold([])), Failure)


RANGES = (PartRange(1, 0, PART), PartRange(2, PART, 5))


def page(*parts: tuple[int, int], cursor: int | None = None) -> ManagedPartInventory:
    return ManagedPartInventory(
        protocol="fleet-managed-mcap-v1",
        session_uid=SESSION,
        file_uid=FILE,
        generation_uid=GEN,
        parts=tuple(ManagedStoredPart(part_number=n, size=s) for n, s in parts),
        next_cursor=cursor,
    )


@pytest.mark.parametrize(
    ("listing", "after", "ok"),
    [
        (page((1, PART), (2, 5)), 0, True),
        (page((1, PART), cursor=1), 0, True),
        (page((2, 5)), 1, True),
        (page((2, 5), (1, PART)), 0, False),  # not rising
        (page((1, PART)), 1, False),  # not after the cursor
        (page((3, 5)), 0, False),  # past the part count
        (page((2, PART)), 0, False),  # not the part's size
        (page((1, PART), cursor=2), 0, False),  # cursor not the last number
        (page(cursor=1), 0, False),  # cursor on an empty page
    ],
)
def test_progress_pages(listing: ManagedPartInventory, after: int, ok: bool) -> None:
    result = check_progress_page(
        listing,
        expected=EXPECTED,
        file_uid=FILE,
        generation_uid=GEN,
        after=after,
        ranges=RANGES,
        path="a.mcap",
    )
    assert isinstance(result, Success) is ok, result
    other = replace(listing, generation_uid=FIN)
    kwargs: dict[str, Any] = {"file_uid": FILE, "generation_uid": GEN, "path": "a.mcap"}
    assert isinstance(
        check_progress_page(other, expected=EXPECTED, after=after, ranges=RANGES, **kwargs),
        Failure,
    )
