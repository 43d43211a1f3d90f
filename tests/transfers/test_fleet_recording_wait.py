"""Upload a recording and wait until it is processed, as one request (both clients)."""

from __future__ import annotations

from pathlib import Path

import pytest

from avala import Client
from avala.errors import TerminalStatusError, WaitTimeoutError
from avala.events import PollTick
from avala.testing import FakeAvala
from tests.transfers.fleet_helpers import REC, seed_recording, stored_files
from tests.transfers.upload_helpers import KINDS, Events, run, write_tree

TREE = {"a.mcap": b"a" * 100, "b/c.json": b"{}"}


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVALA_STATE_DIR", str(tmp_path / "state"))


@pytest.mark.parametrize("kind", KINDS)
def test_upload_then_wait_is_one_request_ending_ready(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    seed_recording(fake)
    source = write_tree(tmp_path / "src", TREE)
    fleet = client.fleet
    request = fleet.uploads.upload_recording(REC, source).bind(
        lambda report: fleet.recordings.wait(report.recording_uid, interval=0.5)
    )
    events = Events()

    recording = run(kind, request, events).unwrap()

    assert recording.uid == REC and recording.status == "ready"
    assert stored_files(fake) == TREE
    # the wait began after finalize (the recording was processing), and polled
    gets = [r for r in fake.requests if r.method == "GET" and r.path.endswith(f"/{REC}/")]
    finalize = next(i for i, r in enumerate(fake.requests) if r.path.endswith("/upload/finalize/"))
    assert gets and all(fake.requests.index(g) > finalize for g in gets)
    assert events.of(PollTick)


@pytest.mark.parametrize("kind", KINDS)
def test_a_recording_whose_processing_fails_ends_the_wait(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    seed_recording(fake)
    fake.recording_failures = {REC}
    source = write_tree(tmp_path / "src", TREE)
    fleet = client.fleet
    request = fleet.uploads.upload_recording(REC, source).bind(
        lambda _: fleet.recordings.wait(REC, interval=0.5)
    )

    error = run(kind, request).failure()

    assert isinstance(error, TerminalStatusError)
    assert error.value.status == "error"


@pytest.mark.parametrize("kind", KINDS)
def test_a_recording_never_processed_times_out(kind: str, fake: FakeAvala, client: Client) -> None:
    seed_recording(fake)  # "pending": no upload finalized, so it never becomes ready

    error = run(kind, client.fleet.recordings.wait(REC, interval=0.5, timeout=1.0)).failure()

    assert isinstance(error, WaitTimeoutError)
    assert error.last.status == "pending"
