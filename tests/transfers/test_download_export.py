"""``client.exports.download`` end to end on both clients: the fake exports, its archive
lands at dest through the object store; not-ready exports and bad URLs are typed."""

from __future__ import annotations

import asyncio
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from returns.result import Failure, Result, Success

from avala import AsyncClient, AvalaError, Client, Downloaded, Request
from avala.errors import ExportNotReadyError, UnsafeUrlError
from avala.events import BytesReceived, Event, FileDownloaded
from avala.testing import FakeAvala
from avala.testing._object_faults import StorageFault
from tests.conftest import FAST_RETRY

KINDS = ["sync", "async"]


def run(kind: str, build: Any, events: list[Event] | None = None) -> Result[Any, AvalaError]:
    """Run the request ``build(client)`` makes, on a fresh client of ``kind``."""
    on_event = None if events is None else events.append
    if kind == "sync":
        with Client(retry_policy=FAST_RETRY, timeout=10.0) as client:
            return client.run(build(client), on_event=on_event)

    async def main() -> Result[Any, AvalaError]:
        async with AsyncClient(retry_policy=FAST_RETRY, timeout=10.0) as client:
            request: Request[Any] = build(client)
            return await client.run(request, on_event=on_event)

    return asyncio.run(main())


@pytest.mark.parametrize("kind", KINDS)
def test_wait_then_download_puts_the_archive_at_dest(
    kind: str, fake: FakeAvala, tmp_path: Path
) -> None:
    project = fake.add_project(name="p")
    dest = tmp_path / "export.zip"
    events: list[Event] = []

    def build(client: Any) -> Request[Downloaded]:
        created = client.exports.create(project=project["uid"])
        waited = created.bind(lambda e: client.exports.wait(e.uid, interval=0.5))
        return waited.bind(lambda e: client.exports.download(e.uid, dest))

    result = run(kind, build, events)

    assert isinstance(result, Success)
    done = result.unwrap()
    assert done.path == str(dest) and done.size == dest.stat().st_size > 0
    with zipfile.ZipFile(io.BytesIO(dest.read_bytes())) as archive:
        assert archive.namelist() == ["annotations.json"]
    assert sum(e.count for e in events if isinstance(e, BytesReceived)) == done.size
    assert FileDownloaded(str(dest), done.size) in events
    (get,) = fake.objects.requests
    assert "x-avala-api-key" not in get.headers


@pytest.mark.parametrize("kind", KINDS)
def test_an_export_not_yet_exported_is_a_typed_failure(
    kind: str, fake: FakeAvala, tmp_path: Path
) -> None:
    export = fake.add_export(status="processing", download_url=None)
    fake.store.update("exports", export["uid"], {"status": "failed"})
    result = run(kind, lambda c: c.exports.download(export["uid"], tmp_path / "e.zip"))
    assert isinstance(result, Failure)
    error = result.failure()
    assert isinstance(error, ExportNotReadyError) and "not exported" in str(error)
    assert error.export.status == "failed"
    assert fake.objects.requests == [] and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", KINDS)
def test_an_exported_export_without_url_is_a_typed_failure(
    kind: str, fake: FakeAvala, tmp_path: Path
) -> None:
    export = fake.add_export(status="exported", download_url=None)
    result = run(kind, lambda c: c.exports.download(export["uid"], tmp_path / "e.zip"))
    assert isinstance(result, Failure) and isinstance(result.failure(), ExportNotReadyError)
    assert "no download URL" in str(result.failure())


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "url",
    [
        "https://downloads.example.invalid/exports/e.zip",
        "http://bucket.s3.amazonaws.com/e.zip",
        "https://user:pw@bucket.s3.amazonaws.com/e.zip",
    ],
)
def test_an_export_url_off_the_host_rules_is_refused(
    kind: str, fake: FakeAvala, tmp_path: Path, url: str
) -> None:
    export = fake.add_export(status="exported", download_url=url)
    result = run(kind, lambda c: c.exports.download(export["uid"], tmp_path / "e.zip"))
    assert isinstance(result, Failure) and isinstance(result.failure(), UnsafeUrlError)
    assert "pw" not in str(result.failure())


@pytest.mark.parametrize("kind", KINDS)
def test_an_interrupted_export_download_resumes(kind: str, fake: FakeAvala, tmp_path: Path) -> None:
    project = fake.add_project(name="p")
    export = fake.add_export(status="processing", project=project["uid"])
    fake.objects.inject(StorageFault.cut(40), method="GET")
    dest = tmp_path / "e.zip"
    result = run(kind, lambda c: c.exports.download(export["uid"], dest))
    assert isinstance(result, Success) and zipfile.is_zipfile(dest)
    assert fake.objects.requests[1].headers["range"] == "bytes=40-"


def test_the_builder_refuses_a_directory_dest() -> None:
    with pytest.raises(ValueError, match="dest"):
        Client(api_key="k" * 40, base_url="https://api.avala.ai/api/v1").exports.download(
            "e", "out/"
        )
