"""The transfer commands (``datasets upload-files``, ``datasets create-from-local``,
``fleet uploads upload-recording`` and ``upload-managed-recording``, ``exports download``,
``download``) in-process against
FakeAvala, and the progress tally that feeds their bars."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from avala import Client
from avala.cli import cli
from avala.cli._progress import TransferTally
from avala.events import (
    BytesReceived,
    BytesSent,
    FileDownloaded,
    FileSkipped,
    FileStarted,
    FileStored,
    RetryScheduled,
)
from avala.testing import FakeAvala, StorageFault
from tests.transfers import managed_helpers as managed
from tests.transfers.fleet_helpers import REC, fleet_calls, seed_recording, sessions, stored_files

MiB = 1024 * 1024


@pytest.fixture(autouse=True)
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path / "state"
    monkeypatch.setenv("AVALA_STATE_DIR", str(state))
    return state


def invoke(fake: FakeAvala, words: list[str], tmp: Path) -> Result:
    env = {**fake.env(), "AVALA_CONFIG_DIR": str(tmp / "config")}
    return CliRunner().invoke(cli, words, env=env)


def stored(fake: FakeAvala, dataset: str, path: str) -> bytes | None:
    return fake.objects.get(f"__u__=/{fake.user_uid}/{dataset}/{path}")


def files(root: Path, sizes: dict[str, int]) -> list[Path]:
    root.mkdir(parents=True, exist_ok=True)
    made = []
    for name, size in sizes.items():
        path = root / name
        path.write_bytes(os.urandom(size))
        made.append(path)
    return made


def test_upload_files_stores_each_file_by_name_and_prints_the_report(
    fake: FakeAvala, tmp_path: Path
) -> None:
    fake.multipart_threshold = 0  # every file multipart: 5 MiB parts
    big, small = files(tmp_path / "src", {"big.bin": 5 * MiB + 7, "small.txt": 10})
    words = ["datasets", "upload-files", "cams", str(big), str(small), "-o", "json"]

    result = invoke(fake, words, tmp_path)

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert sorted(report["stored"]) == ["big.bin", "small.txt"] and report["skipped"] == []
    assert report["bytes_sent"] == 5 * MiB + 17
    assert stored(fake, "cams", "big.bin") == big.read_bytes()
    assert stored(fake, "cams", "small.txt") == small.read_bytes()
    assert result.stderr == ""  # not a terminal: no progress display

    again = invoke(fake, [*words[:-2], "-o", "jsonl"], tmp_path)
    assert again.exit_code == 0, again.output
    rerun = json.loads(again.stdout)
    assert sorted(rerun["skipped"]) == ["big.bin", "small.txt"] and rerun["bytes_sent"] == 0


def test_upload_files_of_a_missing_file_is_a_local_file_error_exit_1(
    fake: FakeAvala, tmp_path: Path
) -> None:
    (present,) = files(tmp_path, {"a.bin": 10})
    words = ["datasets", "upload-files", "cams", str(present), str(tmp_path / "gone.bin")]

    result = invoke(fake, words, tmp_path)

    assert result.exit_code == 1
    assert result.stderr.startswith("error: LocalFileError: ") and "gone.bin" in result.stderr
    assert result.stderr.count("\n") == 1
    assert fake.objects.requests == []  # nothing sent


def test_upload_files_refuses_a_directory_with_a_hint(fake: FakeAvala, tmp_path: Path) -> None:
    result = invoke(fake, ["datasets", "upload-files", "cams", str(tmp_path)], tmp_path)

    assert result.exit_code == 2
    assert "create-from-local" in result.stderr
    assert fake.requests == []


def test_upload_files_refuses_two_files_of_one_name(fake: FakeAvala, tmp_path: Path) -> None:
    (one,) = files(tmp_path / "a", {"x.bin": 1})
    (two,) = files(tmp_path / "b", {"x.bin": 1})

    result = invoke(fake, ["datasets", "upload-files", "cams", str(one), str(two)], tmp_path)

    assert result.exit_code == 2 and "duplicate" in result.stderr
    assert fake.requests == []


def test_create_from_local_uploads_the_tree_and_prints_the_dataset(
    fake: FakeAvala, tmp_path: Path
) -> None:
    fake.multipart_threshold = 0
    source = tmp_path / "tree"
    files(source / "left", {"0001.jpg": 5 * MiB + 1})
    files(source, {"notes.txt": 3})
    words = ["datasets", "create-from-local", str(source), "--name", "drive-7", "--slug"]
    words += ["drive-7", "--data-type", "image", "--visibility", "private", "--quiet"]

    result = invoke(fake, [*words, "-o", "json"], tmp_path)

    assert result.exit_code == 0, result.output
    dataset = json.loads(result.stdout)
    assert dataset["name"] == "drive-7" and dataset["slug"] == "drive-7"
    assert fake.store.get("datasets", dataset["uid"])["name"] == "drive-7"
    assert stored(fake, "drive-7", "left/0001.jpg") == (source / "left/0001.jpg").read_bytes()
    assert stored(fake, "drive-7", "notes.txt") == (source / "notes.txt").read_bytes()
    assert result.stderr == ""

    again = invoke(fake, [*words, "-o", "json"], tmp_path)  # a rerun: the same dataset
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["uid"] == dataset["uid"]


def test_create_from_local_of_a_missing_source_exits_1(fake: FakeAvala, tmp_path: Path) -> None:
    words = ["datasets", "create-from-local", str(tmp_path / "nope"), "--name", "n", "--slug"]
    result = invoke(fake, [*words, "n", "--data-type", "image"], tmp_path)

    assert result.exit_code == 1 and result.stderr.startswith("error: LocalFileError: ")


def test_create_from_local_requires_its_options(fake: FakeAvala, tmp_path: Path) -> None:
    result = invoke(fake, ["datasets", "create-from-local", str(tmp_path)], tmp_path)

    assert result.exit_code == 2 and "--name" in result.stderr
    assert fake.requests == []


RECORDING_TREE = {"cam/front.mcap": 300_000, "cam/rear.mcap": 200_001, "meta.json": 12}


def recording_tree(root: Path, sizes: dict[str, int]) -> dict[str, bytes]:
    for name, size in sizes.items():
        files(root / os.path.dirname(name), {os.path.basename(name): size})
    return {name: (root / name).read_bytes() for name in sizes}


def test_upload_recording_stores_the_tree_finalizes_and_prints_the_report(
    fake: FakeAvala, tmp_path: Path
) -> None:
    seed_recording(fake)
    config = fake.seed.storage_config()
    tree = recording_tree(tmp_path / "src", RECORDING_TREE)
    words = ["fleet", "uploads", "upload-recording", REC, str(tmp_path / "src"), "--workers"]
    words += ["2", "--storage-config-uid", config.uid, "-o", "json"]

    result = invoke(fake, words, tmp_path)

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    (session,) = sessions(fake)
    assert report["recording_uid"] == REC and report["session_uid"] == session["uid"]
    assert report["stored"] == sorted(tree) and report["skipped"] == []
    assert report["bytes_sent"] == sum(RECORDING_TREE.values())
    assert report["status"] == session["status"] == "completed"
    assert stored_files(fake) == tree
    (init,) = fleet_calls(fake, "init/")
    assert init.body["storage_config_uid"] == config.uid
    assert result.stderr == ""  # not a terminal: no progress display

    again = invoke(fake, words, tmp_path)  # a rerun: nothing is sent again
    assert again.exit_code == 0, again.output
    rerun = json.loads(again.stdout)
    assert rerun["stored"] == [] and rerun["skipped"] == sorted(tree)
    assert len(fleet_calls(fake, "init/")) == 1


def test_upload_recording_of_a_missing_directory_is_a_local_file_error_exit_1(
    fake: FakeAvala, tmp_path: Path
) -> None:
    seed_recording(fake)
    words = ["fleet", "uploads", "upload-recording", REC, str(tmp_path / "nope")]

    result = invoke(fake, words, tmp_path)

    assert result.exit_code == 1 and result.stderr.startswith("error: LocalFileError: ")
    assert fake.requests == [] and fake.objects.requests == []


def test_upload_recording_refuses_a_bad_uid_or_workers_before_sending(
    fake: FakeAvala, tmp_path: Path
) -> None:
    (tmp_path / "src").mkdir()
    for extra, said in (
        ([" "], "recording_uid must be 1 to 128 of"),
        ([REC, "--workers", "0"], "--workers"),
    ):
        words = ["fleet", "uploads", "upload-recording", *extra[:1], str(tmp_path / "src")]
        result = invoke(fake, [*words, *extra[1:]], tmp_path)
        assert result.exit_code == 2, result.output
        assert said in result.stderr and "No such command" not in result.stderr
    assert fake.requests == []


def test_upload_managed_recording_sends_the_parts_waits_and_prints_the_published_report(
    fake: FakeAvala, tmp_path: Path
) -> None:
    managed.seed_recording(fake)
    big = managed.write_mcap(tmp_path / "src" / "run1.mcap", managed.PART + 5000)
    small = tmp_path / "src" / "cam" / "front.mcap"
    small.parent.mkdir()
    small.write_bytes(os.urandom(3000))
    words = ["fleet", "uploads", "upload-managed-recording", managed.REC, str(tmp_path / "src")]
    words += ["--workers", "3", "--wait-timeout", "30", "-o", "json"]

    result = invoke(fake, words, tmp_path)

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    (session,) = managed.sessions(fake)
    assert report["recording_uid"] == managed.REC and report["session_uid"] == session["uid"]
    assert report["parts_sent"] == 3 and report["parts_skipped"] == 0  # 2 parts + 1 part
    assert report["bytes_sent"] == big.stat().st_size + 3000
    finalization = report["status"]["finalization"]
    assert finalization["state"] == "succeeded" and finalization["code"] == "published"
    assert finalization["dataset_uid"] == session["finalization"]["dataset_uid"]
    admitted = {
        f["path"]: f["content_sha256"]
        for f in managed.managed_calls(fake, "admit/")[0].body["files"]
    }
    assert admitted == {
        "run1.mcap": managed.sha256_of(big),
        "cam/front.mcap": managed.sha256_of(small),
    }

    again = invoke(fake, words, tmp_path)  # a rerun of a published upload sends no part
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["parts_sent"] == 0
    assert len(managed.managed_calls(fake, "admit/")) == 1
    assert len(managed.managed_calls(fake, "finalize/")) == 1


def test_upload_managed_recording_refuses_bad_arguments_before_sending(
    fake: FakeAvala, tmp_path: Path
) -> None:
    (tmp_path / "src").mkdir()
    for uid, extra, said in (
        ("rec-0001", [], "recording_uid must be a lowercase hyphenated UUID"),
        (managed.REC.upper(), [], "recording_uid must be a lowercase hyphenated UUID"),
        (managed.REC, ["--workers", "5"], "--workers"),
        (managed.REC, ["--wait-timeout", "3601"], "--wait-timeout"),
    ):
        words = ["fleet", "uploads", "upload-managed-recording", uid, str(tmp_path / "src")]
        result = invoke(fake, [*words, *extra], tmp_path)
        assert result.exit_code == 2, result.output
        assert said in result.stderr and "No such command" not in result.stderr
    assert fake.requests == []


def interrupt_when(condition: Callable[[], bool], timeout: float = 30) -> threading.Thread:
    """Ctrl-C for an in-process command: SIGINT to the main thread once ``condition``
    holds (checked every 50 ms), as a terminal sends it."""
    main = threading.main_thread().ident
    assert main is not None

    def watch() -> None:
        deadline = time.monotonic() + timeout
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.05)
        if condition():
            signal.pthread_kill(main, signal.SIGINT)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_upload_recording_interrupted_exits_130_and_a_rerun_sends_only_the_rest(
    fake: FakeAvala, tmp_path: Path
) -> None:
    seed_recording(fake)
    tree = recording_tree(tmp_path / "src", RECORDING_TREE)
    # two files are stored and confirmed, then the next PUT is held far longer than the
    # test waits: Ctrl-C must not wait for it
    fake.objects.inject(*[StorageFault.delay(60)] * 3, method="PUT", skip=2)
    words = ["fleet", "uploads", "upload-recording", REC, str(tmp_path / "src"), "--workers"]
    words += ["1", "-o", "json"]
    watcher = interrupt_when(lambda: len(fleet_calls(fake, "confirm/")) == 2)

    started = time.monotonic()
    result = invoke(fake, words, tmp_path)
    watcher.join(timeout=5)

    assert result.exit_code == 130, result.output
    assert result.stderr == "error: interrupted; run the same command again to resume\n"
    assert result.stdout == ""
    assert time.monotonic() - started < 30  # not held by the 60 s PUT
    confirmed = {f["path"] for call in fleet_calls(fake, "confirm/") for f in call.body["files"]}
    assert len(confirmed) == 2

    fake.objects.clear_faults()
    again = invoke(fake, words, tmp_path)

    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert sorted(report["skipped"]) == sorted(confirmed)
    assert sorted(report["stored"]) == sorted(set(tree) - confirmed)
    assert report["bytes_sent"] == sum(len(tree[p]) for p in set(tree) - confirmed)
    assert report["status"] == "completed" and stored_files(fake) == tree
    assert len(fleet_calls(fake, "init/")) == 1  # the same session, resumed


def test_exports_download_writes_the_archive_and_prints_where(
    fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    project = fake.add_project(name="p")
    export = fake.add_export(status="processing", project=project["uid"])
    client.run_or_raise(client.exports.wait(export["uid"], interval=0.5))
    dest = tmp_path / "out" / "export.zip"
    dest.parent.mkdir()

    result = invoke(fake, ["exports", "download", export["uid"], str(dest), "-o", "json"], tmp_path)

    assert result.exit_code == 0, result.output
    done = json.loads(result.stdout)
    assert done["path"] == str(dest) and done["size"] == dest.stat().st_size > 0
    assert done["bytes_fetched"] == done["size"]


def test_exports_download_of_a_failed_export_exits_1(fake: FakeAvala, tmp_path: Path) -> None:
    export = fake.add_export(status="processing", download_url=None)
    fake.store.update("exports", export["uid"], {"status": "failed"})

    result = invoke(fake, ["exports", "download", export["uid"], str(tmp_path / "x")], tmp_path)

    assert result.exit_code == 1
    assert result.stderr.startswith("error: ExportNotReadyError: ")
    assert not (tmp_path / "x").exists()


def test_download_checks_size_and_digest_and_needs_no_key(fake: FakeAvala, tmp_path: Path) -> None:
    data = os.urandom(70_000)
    fake.objects.put("objects/a.bin", data)
    url = fake.objects.presign("GET", "objects/a.bin")
    dest = tmp_path / "a.bin"
    env = {"AVALA_CONFIG_DIR": str(tmp_path / "config"), "AVALA_API_KEY": ""}
    digest = hashlib.sha256(data).hexdigest()

    words = ["download", url, str(dest), "--size", str(len(data)), "--sha256", digest]
    result = CliRunner().invoke(cli, [*words, "-o", "json"], env=env)

    assert result.exit_code == 0, result.output
    assert dest.read_bytes() == data
    assert json.loads(result.stdout)["sha256"] == digest

    wrong = CliRunner().invoke(cli, [*words[:-1], "0" * 64], env=env)
    assert wrong.exit_code == 1 and wrong.stderr.startswith("error: IntegrityError: ")


@pytest.mark.parametrize("quiet", [False, True])
def test_on_a_terminal_the_bar_is_drawn_unless_quiet(
    fake: FakeAvala, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quiet: bool
) -> None:
    monkeypatch.setattr("avala.cli._progress.stderr_is_terminal", lambda: True)
    (path,) = files(tmp_path / "src", {"a.bin": 3000})
    words = ["datasets", "upload-files", "cams", str(path), "-o", "json"]

    result = invoke(fake, [*words, "--quiet"] if quiet else words, tmp_path)

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["stored"] == ["a.bin"]  # stdout is the value alone
    if quiet:
        assert result.stderr == ""
    else:
        assert "uploading to cams" in result.stderr and "1/1 files" in result.stderr
        assert "100%" in result.stderr


def test_a_download_bar_counts_its_planned_size_once(
    fake: FakeAvala, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("avala.cli._progress.stderr_is_terminal", lambda: True)
    fake.objects.put("objects/b.bin", os.urandom(5000))
    url = fake.objects.presign("GET", "objects/b.bin")
    words = ["download", url, str(tmp_path / "b.bin"), "--size", "5000", "-o", "json"]

    result = CliRunner().invoke(cli, words, env={"AVALA_CONFIG_DIR": str(tmp_path / "c")})

    assert result.exit_code == 0, result.output
    assert "100%" in result.stderr and "5.0/5.0 kB" in result.stderr
    assert "1/1 files" in result.stderr


def test_a_retried_put_is_shown_as_a_status_line(
    fake: FakeAvala, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("avala.cli._progress.stderr_is_terminal", lambda: True)
    fake.objects.inject(StorageFault.status(503, retry_after=0), method="PUT")
    (path,) = files(tmp_path / "src", {"a.bin": 3000})

    result = invoke(fake, ["datasets", "upload-files", "cams", str(path), "-o", "json"], tmp_path)

    assert result.exit_code == 0, result.output
    assert "retrying " in result.stderr and "(try 2): HTTP 503" in result.stderr
    assert "X-Amz-Signature" not in result.stderr  # the status line shows no signed URL
    assert stored(fake, "cams", "a.bin") == path.read_bytes()


def test_the_help_lists_the_transfer_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    assert "download" in runner.invoke(cli, ["--help"]).output
    datasets = runner.invoke(cli, ["datasets", "--help"]).output
    assert "upload-files" in datasets and "create-from-local" in datasets
    fleet_uploads = runner.invoke(cli, ["fleet", "uploads", "--help"]).output
    assert "upload-recording" in fleet_uploads and "upload-managed-recording" in fleet_uploads
    assert "download" in runner.invoke(cli, ["exports", "--help"]).output
    for words in (
        ["download"],
        ["datasets", "upload-files"],
        ["fleet", "uploads", "upload-recording"],
        ["fleet", "uploads", "upload-managed-recording"],
        ["exports", "download"],
    ):
        assert "--quiet" in runner.invoke(cli, [*words, "--help"]).output


# --- the progress tally --------------------------------------------------------------------


def test_a_resumed_file_ends_full_though_only_its_missing_bytes_were_sent() -> None:
    tally = TransferTally({"/a": 100, "/b": 50})
    tally.feed(FileStarted("/a", 100))
    tally.feed(BytesSent("/a", 30))
    tally.feed(BytesSent("/a", -30))  # a failed try takes its bytes back
    tally.feed(BytesSent("/a", 40))  # the missing part; an earlier run stored 60
    tally.feed(FileStored("/a", 100))
    tally.feed(FileSkipped("/b", "unchanged since it was stored"))

    assert tally.snapshot() == (150, 150, "2/2 files (1 skipped)")


def test_without_a_plan_the_total_grows_with_each_file_started_or_downloaded() -> None:
    tally = TransferTally()
    assert tally.snapshot() == (0, None, "0 files")
    tally.feed(FileStarted("/x", 10))
    tally.feed(BytesReceived("/d", 5))
    tally.feed(FileDownloaded("/d", 8))  # a resumed download: 3 bytes were already there

    assert tally.snapshot() == (8, 18, "1 files")


def test_a_retry_becomes_the_status_line() -> None:
    tally = TransferTally()
    tally.feed(RetryScheduled("PUT part 2 of a.bin", 1, 0.5, "HTTP 503"))

    assert tally.last_retry == "retrying PUT part 2 of a.bin in 0.5s (try 2): HTTP 503"


def test_the_tally_counts_every_event_fed_from_many_threads() -> None:
    tally = TransferTally()
    paths = [f"/f{i}" for i in range(8)]

    def feed(path: str) -> None:
        tally.feed(FileStarted(path, 1000))
        for _ in range(1000):
            tally.feed(BytesSent(path, 1))
        tally.feed(FileStored(path, 1000))

    threads = [threading.Thread(target=feed, args=(p,)) for p in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert tally.snapshot() == (8000, 8000, "8 files")
