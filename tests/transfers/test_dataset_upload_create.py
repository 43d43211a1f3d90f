"""``datasets.create_from_local`` on both clients: a tree uploaded then one dataset made
from it, quota checked before any byte, created exactly once, bad input refused with
nothing sent, a file changing while it is sent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from returns.result import Failure

from avala import Client, LocalFileError, QuotaExceededError, SourceChangedError
from avala.events import Event, PartStored, PollTick
from avala.testing import FakeAvala, Fault
from avala.testing._routes.datasets_more import ME, quota_of
from avala.types import Dataset
from tests.transfers.upload_helpers import KINDS, Events, MiB, pattern, run, stored, write_tree

ORG = "9d7e0a52-1c2b-4f0e-8a3d-2b6c4e8f1a90"


@pytest.fixture(autouse=True)
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path / "state"
    monkeypatch.setenv("AVALA_STATE_DIR", str(state))
    return state


def tree(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path / "src", {"a.jpg": b"a" * 100, "sub/b.jpg": b"b" * 200, "sub/c/d.jpg": b"d"}
    )


def creates(fake: FakeAvala) -> list[object]:
    return [r for r in fake.requests if r.method == "POST" and r.path == "/datasets/manual-upload/"]


def set_quota(fake: FakeAvala, limit: int, used: int | None = None) -> None:
    with fake.store.lock:
        quota = quota_of(fake.store, ME)
        used = quota["used"] if used is None else used
        fake.store.update("datasets_quotas", ME, {"limit": limit, "used": used})


def nothing_sent(fake: FakeAvala) -> None:
    assert [r.path for r in fake.requests if r.method == "POST"] == []
    assert fake.objects.requests == []


@pytest.mark.parametrize("kind", KINDS)
def test_a_tree_becomes_one_dataset(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    request = client.datasets.create_from_local(
        source=tree(tmp_path), name="run-7", slug="run-7", data_type="image"
    )
    dataset = run(kind, request).unwrap()
    assert isinstance(dataset, Dataset) and dataset.item_count == 3
    assert stored(fake, "run-7", "sub/c/d.jpg") == b"d"
    (create,) = creates(fake)
    batch = create.body["dataset_upload_uid"]
    assert create.headers["idempotency-key"] == f"avala-dataset-upload-{batch}"
    assert create.body["name"] == "run-7" and create.body["visibility"] == "private"
    # the create came after every completion
    paths = [r.path for r in fake.requests if r.method == "POST"]
    assert paths[-1] == "/datasets/manual-upload/"
    assert sum(p.endswith("/complete/") for p in paths) == 3


@pytest.mark.parametrize("kind", KINDS)
def test_wait_true_polls_until_created(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    events = Events()
    request = client.datasets.create_from_local(
        source=tree(tmp_path),
        name="r",
        slug="r",
        data_type="image",
        wait=True,
        wait_interval=1.0,
    )
    dataset = run(kind, request, events).unwrap()
    assert dataset.status == "created"
    assert events.of(PollTick)


@pytest.mark.parametrize("kind", KINDS)
def test_organization_uploads_use_the_organization_root(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    fake.store.insert("organizations", {"uid": ORG, "slug": "acme"})
    request = client.datasets.create_from_local(
        source=tree(tmp_path), name="r", slug="r", data_type="image", organization_uid=ORG
    )
    assert run(kind, request).unwrap().item_count == 3
    assert stored(fake, "r", "a.jpg", org=ORG) == b"a" * 100
    assert [r for r in fake.requests if r.path == "/users/me/"] == []


@pytest.mark.parametrize("kind", KINDS)
def test_created_exactly_once_when_every_answer_to_create_is_lost(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    fake.inject(*[Fault.drop_after()] * 3, method="POST", path="/datasets/manual-upload/")
    request = client.datasets.create_from_local(
        source=tree(tmp_path), name="r", slug="r", data_type="image"
    )
    lost = run(kind, request)
    assert isinstance(lost, Failure)  # three tries, every answer lost
    assert fake.store.count("datasets") == 1  # the first try created it
    fake.objects.clear_requests()
    again = run(kind, request).unwrap()  # a rerun: same batch, same key
    assert fake.store.count("datasets") == 1
    assert again.uid == fake.store.all("datasets")[0]["uid"]
    assert fake.objects.requests == []  # nothing uploaded twice
    keys = {r.headers["idempotency-key"] for r in creates(fake)}
    assert len(keys) == 1 and len(creates(fake)) == 4
    # and once it is journaled as created, a rerun only reads it
    fake.clear_requests()
    assert run(kind, request).unwrap().uid == again.uid
    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", "/users/me/"),
        ("GET", f"/datasets/{again.uid}/"),
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_quota_refused_before_any_byte_moves(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    set_quota(fake, limit=1000, used=800)  # 301 bytes fit the limit, not what remains
    request = client.datasets.create_from_local(
        source=tree(tmp_path), name="r", slug="r", data_type="image"
    )
    error = run(kind, request).failure()
    assert isinstance(error, QuotaExceededError)
    assert (error.limit, error.used) == (1000, 800)
    assert "needs 301 bytes" in str(error) and "200 of 1000 remain" in str(error)
    nothing_sent(fake)


@pytest.mark.parametrize("kind", KINDS)
def test_quota_counts_only_what_this_run_still_sends(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    source = tree(tmp_path)
    done = client.datasets.upload_files(
        dataset_name="r", files=[(str(source / "sub/b.jpg"), "sub/b.jpg")]
    )
    run(kind, done).unwrap()
    # 200 bytes stored (and counted in used); the other 101 fit exactly in what remains
    set_quota(fake, limit=301)
    request = client.datasets.create_from_local(
        source=source, name="r", slug="r", data_type="image"
    )
    assert run(kind, request).unwrap().item_count == 3


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p / "missing", "not_found"),
        (lambda p: (p / "empty").mkdir() or p / "empty", "empty_source"),
        (lambda p: f"{write_tree(p / 'f', {'x': b'1'}) / 'x'}/", "not_a_directory"),
        (
            lambda p: (
                write_tree(p / "t", {"x": b"1"}),
                os.symlink("/etc/hostname", p / "t" / "link"),
            )[0],
            "symlink_refused",
        ),
    ],
    ids=["missing", "empty", "file-not-dir", "symlink-out"],
)
def test_bad_sources_are_typed_failures_with_nothing_sent(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path, make: object, reason: str
) -> None:
    source = make(tmp_path)  # type: ignore[operator]
    request = client.datasets.create_from_local(
        source=str(source), name="r", slug="r", data_type="image"
    )
    error = run(kind, request).failure()
    assert isinstance(error, LocalFileError), error
    assert error.reason == reason
    assert error.path and error.path in str(error)
    assert fake.requests == [] and fake.objects.requests == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
@pytest.mark.parametrize("kind", KINDS)
def test_an_unreadable_file_is_refused(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    source = tree(tmp_path)
    (source / "a.jpg").chmod(0)
    request = client.datasets.create_from_local(
        source=source, name="r", slug="r", data_type="image"
    )
    error = run(kind, request).failure()
    assert isinstance(error, LocalFileError) and error.reason == "permission_denied"
    nothing_sent(fake)


@pytest.mark.parametrize("kind", KINDS)
def test_upload_files_refuses_a_missing_file_or_a_directory(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    source = tree(tmp_path)
    for local, reason in ((source / "nope", "not_found"), (source / "sub", "is_a_directory")):
        request = client.datasets.upload_files(
            dataset_name="r", files=[(str(source / "a.jpg"), "a.jpg"), (str(local), "x")]
        )
        error = run(kind, request).failure()
        assert isinstance(error, LocalFileError) and error.reason == reason, error
    nothing_sent(fake)


def test_build_time_errors(client: Client, tmp_path: Path) -> None:
    ds = client.datasets
    with pytest.raises(ValueError, match="must not be empty"):
        ds.upload_files(dataset_name="d", files=[])
    with pytest.raises(ValueError, match="duplicate"):
        ds.upload_files(dataset_name="d", files=[("a", "x.jpg"), ("b", "x.jpg")])
    with pytest.raises(ValueError, match=r"'\.\.'"):
        ds.upload_files(dataset_name="d", files=[("a", "../x.jpg")])
    with pytest.raises(ValueError, match="workers"):
        ds.upload_files(dataset_name="d", files=[("a", "x")], workers=0)
    with pytest.raises(ValueError, match="dataset_name"):
        ds.upload_files(dataset_name=" ", files=[("a", "x")])
    with pytest.raises(ValueError, match="source"):
        ds.create_from_local(source="", name="n", slug="s", data_type="image")
    with pytest.raises(TypeError, match="visibility"):
        ds.create_from_local(source="x", name="n", slug="s", data_type="image", visibility=3)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_changing_while_sent_is_a_failure_and_never_stored(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    fake.multipart_threshold = 0
    fake.part_size = 5 * MiB
    path = tmp_path / "src" / "v.bin"
    write_tree(tmp_path / "src", {"v.bin": pattern(10 * MiB + 5)})
    seen = Events()

    def edit_after_the_first_part(event: Event) -> None:
        seen(event)
        if isinstance(event, PartStored) and len(seen.of(PartStored)) == 1:
            with path.open("r+b") as f:
                f.write(b"X")
            os.utime(path, ns=(1, 1))

    request = client.datasets.create_from_local(
        source=tmp_path / "src", name="v", slug="v", data_type="image", workers=1
    )
    error = run(kind, request, edit_after_the_first_part).failure()
    assert isinstance(error, SourceChangedError) and error.path == str(path)
    assert stored(fake, "v", "v.bin") is None
    assert creates(fake) == []
    assert len(seen.of(PartStored)) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_file_an_earlier_run_stored_but_the_source_dropped_is_refused_before_the_create(
    kind: str, fake: FakeAvala, client: Client, tmp_path: Path
) -> None:
    # the first run stores every file, then every answer to its create fails
    fake.inject(*[Fault.status(500, {"detail": "down"})] * 3, path="/datasets/manual-upload/")
    source = tree(tmp_path)
    request = client.datasets.create_from_local(
        source=source, name="r", slug="r", data_type="image"
    )
    assert isinstance(run(kind, request), Failure)
    assert stored(fake, "r", "sub/b.jpg") == b"b" * 200
    (source / "sub" / "b.jpg").unlink()  # the source no longer holds it
    fake.clear_requests()
    fake.objects.clear_requests()

    error = run(kind, request).failure()

    # the create would index the whole prefix, b.jpg included: refused, nothing sent
    assert isinstance(error, LocalFileError) and error.reason == "stray_objects"
    assert error.path == "sub/b.jpg" and "sub/b.jpg" in str(error)
    nothing_sent(fake)
    assert fake.store.count("datasets") == 0
