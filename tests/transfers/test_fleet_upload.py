"""client.fleet.uploads.upload_recording (the legacy protocol, UPLOADS.md §2) end to end
against FakeAvala, whose URLs presign into its object store, on both clients."""

from __future__ import annotations

from pathlib import Path

import pytest
from returns.result import Failure, Success

from avala import Client
from avala.errors import DecodeError, TerminalStatusError, UnsafeUrlError, ValidationError
from avala.events import FileSkipped, FileStored
from avala.testing import FakeAvala, Fault, StorageFault
from avala.transfers._fleet_upload import (
    MAX_URLS_PER_CALL,
    PENDING_CAP,
    URL_TTL_SECONDS,
    check_grant,
    url_window,
)
from avala.types import JsonObject, UploadUrlEntry
from tests.transfers.fleet_helpers import (
    REC,
    fleet_calls,
    seed_recording,
    sessions,
    stored_files,
)
from tests.transfers.upload_helpers import KINDS, Events, pattern, run, touch, write_tree

TREE = {
    "cam/front.mcap": pattern(300_000, 1),
    "cam/rear.mcap": pattern(200_001, 2),
    "meta.json": b'{"robot": 7}',
    "logs/a.txt": b"a" * 10,
    "logs/b.txt": b"b" * 20,
    "logs/c.txt": b"",
    "cal/camera.yaml": pattern(4096, 3),
}


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "state"
    monkeypatch.setenv("AVALA_STATE_DIR", str(directory))
    return directory


@pytest.mark.parametrize("kind", KINDS)
def test_a_tree_is_uploaded_confirmed_and_finalized(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    seed_recording(fake)
    source = write_tree(tmp_path / "src", TREE)
    events = Events()

    request = client.fleet.uploads.upload_recording(REC, source, max_workers=2)
    report = run(kind, request, events).unwrap()

    assert stored_files(fake) == TREE
    (session,) = sessions(fake)
    assert session["status"] == "completed"
    assert (report.session_uid, report.status) == (session["uid"], "completed")
    assert report.stored == tuple(sorted(TREE)) and report.skipped == ()
    assert report.bytes_sent == sum(len(d) for d in TREE.values())
    # the manifest named every file with its size
    (init,) = fleet_calls(fake, "init/")
    assert sorted((f["path"], f["size_bytes"]) for f in init.body["files"]) == sorted(
        (p, len(d)) for p, d in TREE.items()
    )
    # URLs just in time: a window of about 64 MiB (here the whole small tree in one call),
    # short lifetimes; a path is asked for again, alone, only when its window's
    # call was still under way (at most once more)
    asks = fleet_calls(fake, "urls/")
    (window,) = [a.body["file_paths"] for a in asks if len(a.body["file_paths"]) > 1]
    assert sorted(window) == sorted(TREE)
    assert all(a.body["ttl_seconds"] <= 900 for a in asks)
    asked = [p for a in asks for p in a.body["file_paths"]]
    assert set(asked) == set(TREE) and all(asked.count(p) <= 2 for p in TREE)
    # every file sent once, confirmed with the ETag the store gave it
    prefix = session["s3_prefix"]
    assert all(fake.objects.bytes_received[prefix + p] == len(d) for p, d in TREE.items())
    confirmed = {f["path"]: f for c in fleet_calls(fake, "confirm/") for f in c.body["files"]}
    for path in TREE:
        info = fake.objects.info(prefix + path)
        assert info is not None and confirmed[path]["etag"] == info.etag.strip('"')
    assert len(fleet_calls(fake, "finalize/")) == 1
    assert sorted(e.size for e in events.of(FileStored)) == sorted(len(d) for d in TREE.values())


@pytest.mark.parametrize("kind", KINDS)
def test_a_rerun_after_completion_sends_nothing(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    seed_recording(fake)
    source = write_tree(tmp_path / "src", TREE)
    request = client.fleet.uploads.upload_recording(REC, source)
    run(kind, request).unwrap()
    fake.objects.clear_requests()
    before = len(fake.requests)

    report = run(kind, request).unwrap()

    assert fake.objects.requests == []
    assert [r.method for r in fake.requests[before:]] == ["GET"]  # the status only
    assert report.stored == () and report.skipped == tuple(sorted(TREE))
    assert report.status == "completed"


@pytest.mark.parametrize("kind", KINDS)
def test_a_lost_init_answer_is_adopted_and_thousands_of_pending_files_resume(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    """The reference stays "initializing" for ever after a lost init, and refuses a resume
    with 1000 or more pending files; here the rerun finds the session by its status."""
    seed_recording(fake)
    many = {f"f/{i:05d}.bin": i.to_bytes(3, "big") for i in range(PENDING_CAP + 200)}
    source = write_tree(tmp_path / "src", many)
    fake.inject(Fault.drop_after(), method="POST", path=f"/fleet/recordings/{REC}/upload/init/")
    request = client.fleet.uploads.upload_recording(REC, source, max_workers=8)

    lost = run(kind, request).failure()
    assert len(sessions(fake)) == 1  # the server opened it; the answer never came
    assert fake.objects.requests == []
    assert lost is not None

    report = run(kind, request).unwrap()

    assert len(sessions(fake)) == 1 and len(fleet_calls(fake, "init/")) == 1
    assert stored_files(fake) == many
    assert report.status == "completed" and len(report.stored) == len(many)


@pytest.mark.parametrize("kind", KINDS)
def test_an_interrupted_run_resumes_without_resending_confirmed_files(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    seed_recording(fake)
    source = write_tree(tmp_path / "src", TREE)
    # three confirmations go through, the fourth fails: the run stops there
    confirm = f"/fleet/recordings/{REC}/upload/confirm/"
    fake.inject(*[Fault.delay(0)] * 3, Fault.status(400), method="POST", path=confirm)
    request = client.fleet.uploads.upload_recording(REC, source, max_workers=1)
    assert isinstance(run(kind, request).failure(), ValidationError)
    prefix = sessions(fake)[0]["s3_prefix"]
    confirmed = {f["path"] for c in fleet_calls(fake, "confirm/")[:3] for f in c.body["files"]}
    assert len(confirmed) == 3
    sent_before = dict(fake.objects.bytes_received)

    events = Events()
    report = run(kind, request, events).unwrap()

    assert stored_files(fake) == TREE
    assert set(report.skipped) == confirmed
    assert set(report.stored) == set(TREE) - confirmed
    for path in confirmed:  # not sent again
        assert fake.objects.bytes_received[prefix + path] == sent_before[prefix + path]
    assert {e.path for e in events.of(FileSkipped)} == {str(source / p) for p in confirmed}
    assert report.bytes_sent == sum(len(TREE[p]) for p in report.stored)
    assert report.status == "completed"


@pytest.mark.parametrize("kind", KINDS)
def test_a_session_this_machine_did_not_start_is_refused(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    seed_recording(fake)
    source = write_tree(tmp_path / "src", {"a.bin": b"a"})
    other = [{"path": "x.bin", "size_bytes": 5}]
    client.run(client.fleet.uploads.init_upload(REC, other)).unwrap()

    error = run(kind, client.fleet.uploads.upload_recording(REC, source)).failure()

    assert isinstance(error, TerminalStatusError) and "manifest differs" in error.message
    assert fake.objects.requests == []


def _bad_grant(fake: FakeAvala, **change: object) -> dict[str, object]:
    (session,) = sessions(fake)
    key = session["s3_prefix"] + "a.bin"
    entry: dict[str, object] = {
        "path": "a.bin",
        "put_url": fake.objects.presign("PUT", key),
        "s3_key": key,
        "headers": {"Content-Type": "application/octet-stream"},
    }
    return {**entry, **change}


BAD_GRANTS = {
    "another key": (lambda f: {"s3_key": "fleet/other/a.bin"}, DecodeError),
    "another object": (
        lambda f: {"put_url": f.objects.presign("PUT", "fleet/other/a.bin")},
        DecodeError,
    ),
    "a foreign host": (
        lambda f: {"put_url": "https://evil.example.com/fleet/a.bin?X-Amz-Signature=x"},
        UnsafeUrlError,
    ),
    "an extra header": (lambda f: {"headers": {"X-Amz-Acl": "public-read"}}, DecodeError),
    "a wrong content type": (lambda f: {"headers": {"Content-Type": "text/html"}}, DecodeError),
    "another path": (lambda f: {"path": "b.bin"}, DecodeError),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("case", sorted(BAD_GRANTS))
def test_a_bad_grant_is_a_typed_failure_with_nothing_sent(
    kind: str, case: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    seed_recording(fake)
    source = write_tree(tmp_path / "src", {"a.bin": b"data"})
    change, error_type = BAD_GRANTS[case]
    client.run(client.fleet.uploads.init_upload(REC, [{"path": "a.bin", "size_bytes": 4}])).unwrap()
    # this machine's journal does not know the session: adopt it like a lost init
    body = {"urls": [_bad_grant(fake, **change(fake))]}
    urls = f"/fleet/recordings/{REC}/upload/urls/"
    fake.inject(Fault.status(200, body), Fault.status(200, body), method="POST", path=urls)

    error = run(kind, client.fleet.uploads.upload_recording(REC, source)).failure()

    assert isinstance(error, error_type), error
    assert "a.bin" in error.message or isinstance(error, UnsafeUrlError)
    assert fake.objects.requests == []
    assert fleet_calls(fake, "confirm/") == []


def test_url_lifetime_is_short() -> None:
    assert URL_TTL_SECONDS <= 900


KEY = "fleet/rec-1/s/cam/front view.mcap"
HEADERS = {"Content-Type": "application/octet-stream"}


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://b.s3.us-east-1.amazonaws.com/fleet/rec-1/s/cam/front%20view.mcap?X=1", True),
        ("https://s3.us-east-1.amazonaws.com/b/fleet/rec-1/s/cam/front%20view.mcap?X=1", True),
        ("https://s3.amazonaws.com/b/c/fleet/rec-1/s/cam/front%20view.mcap", False),
        ("https://b.s3.amazonaws.com/fleet/rec-1/s/cam/other.mcap", False),
        ("https://b.s3.amazonaws.com/x/fleet/rec-1/s/cam/front%20view.mcapx", False),
        ("https://b.s3.amazonaws.com:443/fleet/rec-1/s/cam/front%20view.mcap", False),
    ],
)
def test_a_grant_url_must_address_exactly_its_object(url: str, ok: bool) -> None:
    entry = UploadUrlEntry(
        path="cam/front view.mcap", put_url=url, s3_key=KEY, headers=JsonObject(HEADERS)
    )
    result = check_grant(entry, "cam/front view.mcap", "fleet/rec-1/s/")
    assert isinstance(result, Success) == ok, result


def test_a_grant_key_must_be_the_prefix_and_path() -> None:
    url = "https://b.s3.amazonaws.com/fleet/rec-2/s/cam/front%20view.mcap"
    entry = UploadUrlEntry(
        path="cam/front view.mcap",
        put_url=url,
        s3_key="fleet/rec-2/s/cam/front view.mcap",
        headers=JsonObject(HEADERS),
    )
    assert isinstance(check_grant(entry, "cam/front view.mcap", "fleet/rec-1/s/"), Failure)
    # without a known prefix (an adopted session), the key must still end in the path
    assert isinstance(check_grant(entry, "cam/front view.mcap", None), Success)
    partial_name = UploadUrlEntry(
        path="view.mcap", put_url=url, s3_key=entry.s3_key, headers=JsonObject(HEADERS)
    )
    assert isinstance(check_grant(partial_name, "view.mcap", None), Failure)


@pytest.mark.parametrize("kind", KINDS)
def test_an_expired_url_is_asked_for_again_for_that_file_alone(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    seed_recording(fake)
    source = write_tree(tmp_path / "src", {"a.bin": b"a" * 1000, "b.bin": b"b" * 10})
    fake.objects.inject(StorageFault.expired(), method="PUT", key="*a.bin")

    report = run(kind, client.fleet.uploads.upload_recording(REC, source, max_workers=1)).unwrap()

    assert stored_files(fake) == {"a.bin": b"a" * 1000, "b.bin": b"b" * 10}
    asks = [a.body["file_paths"] for a in fleet_calls(fake, "urls/")]
    assert asks == [["a.bin", "b.bin"], ["a.bin"]]
    assert report.bytes_sent == 1010


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_changed_after_completion_is_a_typed_failure_with_nothing_sent(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    seed_recording(fake)
    source = write_tree(tmp_path / "src", {"a.bin": b"a" * 10, "b.bin": b"b" * 10})
    request = client.fleet.uploads.upload_recording(REC, source)
    run(kind, request).unwrap()
    touch(source / "a.bin", b"A" * 10)  # same size: the manifest totals still match
    fake.objects.clear_requests()
    before = len(fake.requests)

    error = run(kind, request).failure()

    assert isinstance(error, TerminalStatusError) and "a.bin" in error.message
    assert fake.objects.requests == []
    assert [r.method for r in fake.requests[before:]] == ["GET"]
    assert stored_files(fake)["a.bin"] == b"a" * 10


@pytest.mark.parametrize(
    ("argument", "value", "error"),
    [
        ("recording_uid", "rec/1", ValueError),  # §2.1: [A-Za-z0-9_-]{1,128}
        ("recording_uid", "r" * 129, ValueError),
        ("recording_uid", "", ValueError),
        ("recording_uid", 7, TypeError),
        ("storage_config_uid", "cfg 1", ValueError),
        ("storage_config_uid", "", ValueError),  # None leaves it out; "" is not a uid
    ],
)
def test_uids_outside_the_protocol_are_refused_when_building(
    fake: FakeAvala, tmp_path: Path, argument: str, value: object, error: type
) -> None:
    arguments: dict[str, object] = {"recording_uid": REC, "storage_config_uid": None}
    arguments[argument] = value
    uploads = Client().fleet.uploads
    with pytest.raises(error, match=argument):
        uploads.upload_recording(
            arguments.pop("recording_uid"),
            tmp_path,
            **arguments,  # type: ignore[arg-type]
        )
    assert fake.requests == []


def test_a_uid_of_the_whole_protocol_alphabet_is_accepted(fake: FakeAvala, tmp_path: Path) -> None:
    uid = "Rec_0-9" + "x" * 121  # 128 characters
    Client().fleet.uploads.upload_recording(uid, tmp_path, storage_config_uid="cfg_1-A")


@pytest.mark.parametrize("kind", KINDS)
def test_confirms_are_batched_while_one_is_under_way(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path, state: Path
) -> None:
    """The confirm endpoint takes a list: files that finish while a confirm is under way
    go in the next call, not one call each (500 small files were 500 calls)."""
    seed_recording(fake)
    files = {f"f/{i:02d}.bin": pattern(1000 + i, i) for i in range(24)}
    source = write_tree(tmp_path / "src", files)
    confirm = f"/fleet/recordings/{REC}/upload/confirm/"
    fake.inject(Fault.delay(0.6), method="POST", path=confirm)  # the others finish meanwhile
    events = Events()

    report = run(kind, client.fleet.uploads.upload_recording(REC, source, max_workers=4), events)

    assert report.unwrap().status == "completed"
    calls = fleet_calls(fake, "confirm/")
    confirmed = [f["path"] for c in calls for f in c.body["files"]]
    assert sorted(confirmed) == sorted(files)  # each file confirmed exactly once
    assert len(calls) < len(files) / 2 and max(len(c.body["files"]) for c in calls) > 1
    assert stored_files(fake) == files
    assert len(events.of(FileStored)) == len(files)
    # and journaled: a rerun sends nothing
    fake.objects.clear_requests()
    rerun = run(kind, client.fleet.uploads.upload_recording(REC, source)).unwrap()
    assert fake.objects.requests == [] and rerun.skipped == tuple(sorted(files))


@pytest.mark.parametrize("kind", KINDS)
def test_a_failed_batched_confirm_leaves_its_files_to_be_sent_again(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    seed_recording(fake)
    files = {f"f/{i:02d}.bin": pattern(500 + i, i) for i in range(12)}
    source = write_tree(tmp_path / "src", files)
    confirm = f"/fleet/recordings/{REC}/upload/confirm/"
    fake.inject(Fault.delay(0.6), Fault.status(400), method="POST", path=confirm)
    request = client.fleet.uploads.upload_recording(REC, source, max_workers=4)

    assert isinstance(run(kind, request).failure(), ValidationError)
    first = fleet_calls(fake, "confirm/")[0].body["files"]

    report = run(kind, request).unwrap()

    # only the files of the confirm that succeeded are skipped; the rest went again
    assert set(report.skipped) == {f["path"] for f in first}
    assert set(report.stored) == set(files) - set(report.skipped)
    assert stored_files(fake) == files and report.status == "completed"


def test_url_windows_cover_about_64_mib_of_files() -> None:
    KiB, MiB = 1024, 1024 * 1024
    assert url_window([256 * KiB] * 500, 4) == MAX_URLS_PER_CALL  # small files share calls
    assert url_window([5 * MiB] * 200, 4) == 12
    assert url_window([64 * MiB] * 4, 4) == 8  # large files: still one per worker and more
    assert url_window([2 * 1024 * MiB] * 3, 1) == 2
    assert url_window([0] * 3, 4) == MAX_URLS_PER_CALL  # empty files
    assert url_window([], 4) == MAX_URLS_PER_CALL
    assert url_window([1] * 10, 80) == MAX_URLS_PER_CALL  # never past the call's limit


@pytest.mark.parametrize("kind", KINDS)
def test_many_small_files_share_few_url_calls(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    seed_recording(fake)
    files = {f"f/{i:03d}.bin": pattern(2000 + i, i) for i in range(120)}
    source = write_tree(tmp_path / "src", files)

    report = run(kind, client.fleet.uploads.upload_recording(REC, source, max_workers=2))

    assert report.unwrap().status == "completed" and stored_files(fake) == files
    asks = [a.body["file_paths"] for a in fleet_calls(fake, "urls/")]
    windows = [paths for paths in asks if len(paths) > 1]
    assert sorted(len(w) for w in windows) == [20, 50, 50]  # was 30 calls of 4 paths
    assert len(asks) - len(windows) <= 2  # a file whose window was still being asked for
    # never the reference's 100 URLs at once with an hour's lifetime (UPLOADS.md §8)
    assert all(a.body["ttl_seconds"] == URL_TTL_SECONDS for a in fleet_calls(fake, "urls/"))
