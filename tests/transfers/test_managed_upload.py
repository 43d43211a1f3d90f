"""client.fleet.uploads.upload_managed_recording (UPLOADS.md §3) end to end against
FakeAvala, whose part grants presign into its object store, on both clients: what the
server and the store received, and what the caller got."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from returns.result import Failure

from avala import Client, Request
from avala.errors import (
    DecodeError,
    LocalFileError,
    PartGrantRefusedError,
    PartTransferError,
    TerminalStatusError,
)
from avala.events import FileStarted, FileStored, PartStored, PollTick
from avala.testing import FakeAvala, Fault, StorageFault
from avala.testing._routes import fleet_managed
from avala.transfers import _local
from avala.transfers._managed_upload import ManagedRecordingUploadReport
from tests.transfers.managed_helpers import (
    PART,
    REC,
    SESSIONS,
    held_parts,
    managed_calls,
    object_sha256,
    part_puts,
    seed_recording,
    sessions,
    sha256_of,
    write_mcap,
)
from tests.transfers.upload_helpers import KINDS, Events, run, touch

BIG = 2 * PART + 2 * 1024 * 1024  # 130 MiB: 3 parts


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "state"
    monkeypatch.setenv("AVALA_STATE_DIR", str(directory))
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")  # the fake store is http
    return directory


def small_source(root: Path, count: int = 1) -> Path:
    for i in range(count):
        write_mcap(root / f"run{i}.mcap", 1000 + i, seed=i)
    return root


@pytest.mark.parametrize("kind", KINDS)
def test_two_files_one_of_three_parts_are_stored_verified_and_published(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    seed_recording(fake)
    source = tmp_path / "src"
    big = write_mcap(source / "cam/front.mcap", BIG, seed=1)
    small = write_mcap(source / "imu.MCAP", 5000, seed=2)
    events = Events()

    request = client.fleet.uploads.upload_managed_recording(
        REC, source, max_workers=2, wait_timeout=30
    )
    report = run(kind, request, events).unwrap()

    # the caller: a published recording, every part sent once
    assert isinstance(report, ManagedRecordingUploadReport)
    assert (report.parts_sent, report.parts_skipped) == (4, 0)
    assert report.bytes_sent == BIG + 5000
    fin = report.status.finalization
    assert fin is not None and (fin.state, fin.stage, fin.code) == (
        "succeeded",
        "publish",
        "published",
    )
    assert report.status.status == "completed" and all(f.verified for f in report.status.files)
    # the server: one session, the client's uid, the manifest with real digests
    (session,) = sessions(fake)
    assert session["uid"] == report.session_uid
    (admit,) = managed_calls(fake, "admit/")
    assert admit.body["files"] == [
        {"path": "cam/front.mcap", "size_bytes": BIG, "content_sha256": sha256_of(big)},
        {"path": "imu.MCAP", "size_bytes": 5000, "content_sha256": sha256_of(small)},
    ]
    assert len(managed_calls(fake, "multipart/init/")) == 2
    # grants asked in windows of at most max_workers numbers
    asks = managed_calls(fake, "multipart/parts/")
    assert all(1 <= len(a.body["numbers"]) <= 2 for a in asks)
    # the store: each part once, of its size, with Content-Length only as signed header
    puts = part_puts(fake)
    assert sorted((r.key, r.query["partNumber"][0]) for r in puts) == [
        (session["files"][0]["key"], "1"),
        (session["files"][0]["key"], "2"),
        (session["files"][0]["key"], "3"),
        (session["files"][1]["key"], "1"),
    ]
    assert object_sha256(fake, "cam/front.mcap") == sha256_of(big)
    assert object_sha256(fake, "imu.MCAP") == sha256_of(small)
    # finalize: every file with its generation, sorted by file_uid
    (finalize,) = managed_calls(fake, "finalize/")
    assert [f["file_uid"] for f in finalize.body["files"]] == sorted(
        f["file_uid"] for f in session["files"]
    )
    # events: parts, files, and the poll ticks of the wait
    assert sorted(e.part_number for e in events.of(PartStored)) == [1, 1, 2, 3]
    assert sorted(e.size for e in events.of(FileStored)) == [5000, BIG]
    assert len(events.of(FileStarted)) == 2
    assert events.of(PollTick)


@pytest.mark.parametrize("kind", KINDS)
def test_wait_timeout_zero_finalizes_without_polling_and_a_rerun_waits(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    seed_recording(fake)
    source = small_source(tmp_path / "src", 2)
    uploads = client.fleet.uploads

    first = run(kind, uploads.upload_managed_recording(REC, source)).unwrap()

    fin = first.status.finalization
    assert fin is not None and fin.state == "pending"
    last = fake.requests[-1]
    assert last.path.endswith("/managed-upload/finalize/")  # nothing after the finalize
    before = len(fake.requests)

    again = run(kind, uploads.upload_managed_recording(REC, source, wait_timeout=30)).unwrap()

    assert again.parts_sent == 0 and again.parts_skipped == 2
    assert again.status.finalization is not None
    assert again.status.finalization.state == "succeeded"
    assert again.status.finalization.uid == fin.uid
    later = fake.requests[before:]
    assert not [r for r in later if r.method == "POST"]  # no admit, init or second finalize


@pytest.mark.parametrize("kind", KINDS)
def test_a_failed_part_names_file_and_part_and_the_rerun_sends_only_missing_parts(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    seed_recording(fake)
    source = tmp_path / "src"
    big = write_mcap(source / "long.mcap", PART + 1024 * 1024, seed=3)
    fake.objects.inject(StorageFault.status(400), method="PUT", skip=1)
    request = client.fleet.uploads.upload_managed_recording(REC, source, max_workers=1)

    error = run(kind, request).failure()

    assert isinstance(error, PartTransferError)
    assert (error.path, error.part_number) == ("long.mcap", 2)
    assert "long.mcap part 2" in str(error) and error.status_code == 400
    assert held_parts(fake, "long.mcap") == {1}
    fake.objects.clear_requests()

    rerun = client.fleet.uploads.upload_managed_recording(REC, source, wait_timeout=30)
    report = run(kind, rerun).unwrap()

    assert [r.query["partNumber"] for r in part_puts(fake)] == [["2"]]
    assert (report.parts_sent, report.parts_skipped) == (1, 1)
    assert object_sha256(fake, "long.mcap") == sha256_of(big)
    assert len(sessions(fake)) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_lost_admit_answer_is_the_same_session_on_the_rerun(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    seed_recording(fake)
    source = small_source(tmp_path / "src")
    fake.inject(
        *[Fault.drop_after()] * 5,
        method="POST",
        path=f"/fleet/recordings/{REC}/managed-upload/admit/",
    )
    request = client.fleet.uploads.upload_managed_recording(REC, source)

    assert run(kind, request).failure() is not None
    fake.clear_faults()
    report = run(kind, request).unwrap()

    admits = managed_calls(fake, "admit/")
    assert len(admits) >= 2 and {a.body["session_uid"] for a in admits} == {report.session_uid}
    assert len(sessions(fake)) == 1
    assert report.status.finalization is not None
    assert report.status.finalization.state == "pending"  # finalized


def upload_with_init_fault(
    fake: FakeAvala, client: Client, tmp_path: Path, fault: Fault
) -> Request[ManagedRecordingUploadReport]:
    """A one-file managed upload whose first multipart/init meets ``fault``."""
    seed_recording(fake)
    source = small_source(tmp_path / "src")
    path = f"/fleet/recordings/{REC}/managed-upload/multipart/init/"
    fake.inject(fault, method="POST", path=path)
    return client.fleet.uploads.upload_managed_recording(REC, source)


@pytest.mark.parametrize("kind", KINDS)
def test_a_lost_init_answer_is_adopted_and_init_is_sent_once(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    request = upload_with_init_fault(fake, client, tmp_path, Fault.drop_after())

    assert run(kind, request).failure() is not None
    assert part_puts(fake) == []
    report = run(kind, request).unwrap()

    assert len(managed_calls(fake, "multipart/init/")) == 1
    (session,) = sessions(fake)
    generation = session["files"][0]["generation"]["generation_uid"]
    (finalize,) = managed_calls(fake, "finalize/")
    assert finalize.body["files"][0]["generation_uid"] == generation
    assert report.status.finalization is not None
    assert report.status.finalization.state == "pending"  # finalized


@pytest.mark.parametrize("kind", KINDS)
def test_a_lost_init_whose_status_shows_no_generation_fails_typed(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    # the init never reached the server
    request = upload_with_init_fault(fake, client, tmp_path, Fault.drop_before())
    assert run(kind, request).failure() is not None

    error = run(kind, request).failure()

    assert isinstance(error, TerminalStatusError) and "no generation" in str(error)
    assert len(managed_calls(fake, "multipart/init/")) == 1 and part_puts(fake) == []


def _expiry(monkeypatch: pytest.MonkeyPatch, fake: FakeAvala) -> None:
    monkeypatch.setattr(fleet_managed, "GRANT_TTL", 900)  # longer than 300 s


def _bucket(monkeypatch: pytest.MonkeyPatch, fake: FakeAvala) -> None:
    monkeypatch.setattr(fake.objects, "bucket", "Not_A_Bucket")


def _signed_headers(monkeypatch: pytest.MonkeyPatch, fake: FakeAvala) -> None:
    presign = fake.objects.presign

    def host_only(*args: object, **kwargs: object) -> str:
        return presign(*args, **{**kwargs, "signed_headers": "host"})  # type: ignore[arg-type]

    monkeypatch.setattr(fake.objects, "presign", host_only)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("spoil", "reason"),
    [(_expiry, "expiry"), (_bucket, "url_path"), (_signed_headers, "signature")],
)
def test_a_bad_grant_is_refused_with_nothing_sent_to_the_store(
    kind: str,
    spoil: object,
    reason: str,
    fake: FakeAvala,
    client: Client,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed_recording(fake)
    source = small_source(tmp_path / "src")
    spoil(monkeypatch, fake)  # type: ignore[operator]

    error = run(kind, client.fleet.uploads.upload_managed_recording(REC, source)).failure()

    assert isinstance(error, PartGrantRefusedError), error
    assert (error.reason, error.path, error.part_number) == (reason, "run0.mcap", 1)
    assert fake.objects.requests == [] and not fake.objects.bytes_received


@pytest.mark.parametrize("kind", KINDS)
def test_a_grant_for_another_multipart_upload_breaks_the_pin(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_recording(fake)
    source = tmp_path / "src"
    write_mcap(source / "two.mcap", PART + 100, seed=4)
    presign = fake.objects.presign

    def other_upload_for_part_2(*args: object, **kwargs: object) -> str:
        if kwargs.get("part_number") == 2:
            kwargs["upload_id"] = "another-upload"
        return presign(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fake.objects, "presign", other_upload_for_part_2)
    request = client.fleet.uploads.upload_managed_recording(REC, source, max_workers=1)

    error = run(kind, request).failure()

    assert isinstance(error, PartGrantRefusedError)
    assert (error.reason, error.part_number) == ("pin", 2)
    assert [r.query["partNumber"] for r in part_puts(fake)] == [["1"]]  # part 2: nothing


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("field", ["content_sha256", "file_uid"])
def test_a_status_that_changed_a_digest_or_a_file_uid_fails_typed(
    kind: str, field: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    seed_recording(fake)
    source = small_source(tmp_path / "src")
    fake.objects.inject(StorageFault.status(400), method="PUT")  # stop after admit and init
    request = client.fleet.uploads.upload_managed_recording(REC, source)
    assert isinstance(run(kind, request).failure(), PartTransferError)
    (session,) = sessions(fake)
    changed = "0" * 64 if field == "content_sha256" else "11111111-2222-4333-8444-555555555555"
    session["files"][0][field] = changed
    fake.store.update(SESSIONS, session["uid"], {"files": session["files"]})
    fake.objects.clear_requests()

    error = run(kind, request).failure()

    assert isinstance(error, TerminalStatusError | DecodeError)
    assert "run0.mcap" in str(error) and field.split("_")[-1] in str(error)
    assert fake.objects.requests == []
    assert managed_calls(fake, "finalize/") == []


@pytest.mark.parametrize("kind", KINDS)
def test_content_that_does_not_match_its_digest_ends_in_content_mismatch(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    seed_recording(fake)
    source = small_source(tmp_path / "src")
    uploads = client.fleet.uploads
    run(kind, uploads.upload_managed_recording(REC, source)).unwrap()  # finalize pending
    (session,) = sessions(fake)
    (part,) = fake.objects.parts(session["files"][0]["upload_id"]).values()
    part.file.write_bytes(b"x" * part.size)  # the store holds other bytes than admitted

    error = run(kind, uploads.upload_managed_recording(REC, source, wait_timeout=30)).failure()

    assert isinstance(error, TerminalStatusError)
    fin = error.value.finalization
    assert (fin.state, fin.stage, fin.code) == ("failed", "verify", "content_mismatch")
    before = len(fake.requests)
    # terminal: a rerun sends nothing but the status read
    again = run(kind, uploads.upload_managed_recording(REC, source)).failure()
    assert isinstance(again, TerminalStatusError)
    assert [r.method for r in fake.requests[before:]] == ["GET"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_short_wait_returns_the_pending_snapshot(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_recording(fake)
    source = small_source(tmp_path / "src")
    monkeypatch.setattr(fleet_managed, "_advance", lambda state, session: session)  # never ends

    request = client.fleet.uploads.upload_managed_recording(REC, source, wait_timeout=0.6)
    report = run(kind, request).unwrap()

    assert report.status.finalization is not None
    assert report.status.finalization.state == "pending"
    assert len(managed_calls(fake, "status/")) >= 2  # it polled


@pytest.mark.parametrize("kind", KINDS)
def test_the_recording_wait_composes_after_the_upload(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    seed_recording(fake)
    fake.store.update("fleet_recordings", REC, {"status": "ready"})
    source = small_source(tmp_path / "src")
    fleet = client.fleet

    request = fleet.uploads.upload_managed_recording(REC, source).bind(
        lambda _: fleet.recordings.wait(REC, interval=0.5, timeout=10)
    )
    recording = run(kind, request).unwrap()

    assert recording.uid == REC and recording.status == "ready"


BUILD_ERRORS = [
    ({"recording_uid": "4D6F0C1E-2B3A-4C5D-8E9F-0A1B2C3D4E5F"}, ValueError, "recording_uid"),
    ({"recording_uid": "rec-1"}, ValueError, "recording_uid"),
    ({"recording_uid": 7}, TypeError, "recording_uid"),
    ({"max_workers": 0}, ValueError, "max_workers"),
    ({"max_workers": 5}, ValueError, "max_workers"),
    ({"max_workers": True}, TypeError, "max_workers"),
    ({"max_workers": 2.0}, TypeError, "max_workers"),
    ({"wait_timeout": -1}, ValueError, "wait_timeout"),
    ({"wait_timeout": 3601}, ValueError, "wait_timeout"),
    ({"wait_timeout": float("nan")}, ValueError, "wait_timeout"),
    ({"wait_timeout": float("inf")}, ValueError, "wait_timeout"),
    ({"wait_timeout": False}, TypeError, "wait_timeout"),
]


@pytest.mark.parametrize(("change", "kind", "name"), BUILD_ERRORS)
def test_bad_arguments_fail_at_build_time(
    change: dict[str, object],
    kind: type[Exception],
    name: str,
    fake: FakeAvala,
    client: Client,
    tmp_path: Path,
) -> None:
    args: dict[str, object] = {"recording_uid": REC, "max_workers": 2, "wait_timeout": 0}
    args.update(change)
    uid = args.pop("recording_uid")
    with pytest.raises(kind, match=name):
        client.fleet.uploads.upload_managed_recording(uid, tmp_path, **args)  # type: ignore[arg-type]
    assert fake.requests == []


def _tree(root: Path, files: dict[str, int]) -> Path:
    """Files of the given sizes, sparse (a limit check reads none of them)."""
    for name, size in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        with (root / name).open("wb") as out:
            out.truncate(size)
    return root


GiB = 1024**3
LOCAL_ERRORS = [
    ({"notes.txt": 10}, "limit_exceeded", "notes.txt"),
    ({"empty.mcap": 0}, "limit_exceeded", "empty.mcap"),
    ({"__derived__/x.mcap": 10}, "invalid_name", "x.mcap"),
    ({"bad\x7fname.mcap": 10}, "invalid_name", "name.mcap"),
    ({"huge.mcap": 8 * GiB + 1}, "too_large", "huge.mcap"),
    ({f"big{i}.mcap": 8 * GiB for i in range(8)}, "limit_exceeded", "src"),  # > 64 GiB
    ({f"f{i:02d}.mcap": 1 for i in range(64)}, "limit_exceeded", "src"),  # 65 in all
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("files", "reason", "named"), LOCAL_ERRORS)
def test_a_source_outside_the_limits_is_refused_with_nothing_sent(
    kind: str,
    files: dict[str, int],
    reason: str,
    named: str,
    fake: FakeAvala,
    client: Client,
    tmp_path: Path,
) -> None:
    seed_recording(fake)
    source = _tree(tmp_path / "src", {"ok.mcap": 10, **files})

    result = run(kind, client.fleet.uploads.upload_managed_recording(REC, source))

    assert isinstance(result, Failure)
    error = result.failure()
    assert isinstance(error, LocalFileError) and error.reason == reason, error
    assert named in error.path
    assert fake.requests == []


@pytest.mark.parametrize("kind", KINDS)
def test_a_resume_reuses_the_journaled_digests_and_a_changed_file_stops_the_run(
    kind: str,
    fake: FakeAvala,
    client: Client,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed_recording(fake)
    source = small_source(tmp_path / "src", 2)
    hashed: list[str] = []
    real = _local.sha256_file

    def counting(path: Any, stamp: Any, chunk: int = 1 << 20) -> str:
        hashed.append(str(path))
        return real(path, stamp, chunk)

    monkeypatch.setattr(_local, "sha256_file", counting)
    fake.objects.inject(StorageFault.status(400), method="PUT")  # stop after admit and init
    request = client.fleet.uploads.upload_managed_recording(REC, source)
    assert isinstance(run(kind, request).failure(), PartTransferError)
    assert len(hashed) == 2

    run(kind, request).unwrap()  # the resume
    assert len(hashed) == 2  # nothing hashed again

    touch(source / "run1.mcap", b"other content")
    error = run(kind, request).failure()

    assert hashed[2:] == [str(source / "run1.mcap")]
    assert isinstance(error, TerminalStatusError) and "run1.mcap" in str(error)


@pytest.mark.parametrize("kind", KINDS)
def test_a_part_put_is_retried_like_any_put(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    """The reference never retries a part: one 503 stops its run."""
    seed_recording(fake)
    source = small_source(tmp_path / "src")
    fake.objects.inject(StorageFault.status(503), StorageFault.expired(), method="PUT")

    report = run(kind, client.fleet.uploads.upload_managed_recording(REC, source)).unwrap()

    assert report.parts_sent == 1
    assert len(part_puts(fake)) == 3  # the 503, the expired grant, the stored part
    assert len(managed_calls(fake, "multipart/parts/")) == 2  # a fresh grant after the 403


def test_a_progress_listing_of_more_than_two_pages_fails_typed(
    fake: FakeAvala, client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One client suffices: the page rule is the request's logic, the same on both."""
    seed_recording(fake)
    source = tmp_path / "src"
    write_mcap(source / "long.mcap", BIG, seed=6)
    finalize = f"/fleet/recordings/{REC}/managed-upload/finalize/"
    fake.inject(*[Fault.status(400)] * 3, method="POST", path=finalize)
    request = client.fleet.uploads.upload_managed_recording(REC, source)
    assert run("sync", request).failure() is not None
    assert held_parts(fake, "long.mcap") == {1, 2, 3}
    monkeypatch.setattr(fleet_managed, "PAGE", 1)  # three pages of one part
    fake.clear_faults()
    before = len(fake.requests)

    error = run("sync", request).failure()

    assert isinstance(error, DecodeError) and "more than 2 pages" in str(error)
    later = [r.path.split("/managed-upload/")[1] for r in fake.requests[before:]]
    assert later == ["status/", "multipart/progress/", "multipart/progress/"]
