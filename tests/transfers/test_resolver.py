"""The dataset resolver on both clients against FakeAvala: references in both forms,
the lazy object walk, checked access grants (every bad-grant case), verified downloads,
the unpinned warning and withdrawn revisions."""

from __future__ import annotations

import asyncio
import hashlib
import warnings
from pathlib import Path
from typing import Any

import pytest
from returns.result import Failure, Result, Success

from avala import AsyncClient, AvalaError, Client, Request
from avala.errors import GoneError, GrantRefusedError, UnpinnedReferenceWarning, UnsafeUrlError
from avala.resources.resolver import ResolvedDataset
from avala.testing import FakeAvala
from avala.testing._object_faults import StorageFault
from avala.testing._routes.resolver import REVISIONS
from avala.types import ManifestObject
from tests.conftest import FAST_RETRY

KINDS = ["sync", "async"]
FILES = {f"frames/{n:03d}.bin": bytes([n]) * (1000 + n) for n in range(5)}


def run(kind: str, build: Any) -> Result[Any, AvalaError]:
    if kind == "sync":
        with Client(retry_policy=FAST_RETRY, timeout=10.0) as client:
            return client.run(build(client))

    async def main() -> Result[Any, AvalaError]:
        async with AsyncClient(retry_policy=FAST_RETRY, timeout=10.0) as client:
            request: Request[Any] = build(client)
            return await client.run(request)

    return asyncio.run(main())


def walk(kind: str, dataset: ResolvedDataset, limit: int) -> list[Result[Any, AvalaError]]:
    if kind == "sync":
        with Client(retry_policy=FAST_RETRY) as client:
            return list(client.iterate(dataset.objects(limit=limit)))

    async def main() -> list[Result[Any, AvalaError]]:
        async with AsyncClient(retry_policy=FAST_RETRY) as client:
            return [r async for r in client.iterate(dataset.objects(limit=limit))]

    return asyncio.run(main())


def load(kind: str, reference: str) -> ResolvedDataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnpinnedReferenceWarning)
        result = run(kind, lambda c: c.resolver.load(reference))
    assert isinstance(result, Success), result
    value: ResolvedDataset = result.unwrap()
    return value


@pytest.fixture
def published(fake: FakeAvala) -> dict[str, Any]:
    return fake.publish_revision("acme", "warehouse-nav", FILES)


def first_object(dataset: ResolvedDataset, record: dict[str, Any]) -> ManifestObject:
    entry = record["objects"][0]
    return ManifestObject(**entry)


@pytest.mark.parametrize("kind", KINDS)
def test_both_reference_forms_resolve_to_the_same_revision_anonymously(
    kind: str, fake: FakeAvala, published: dict[str, Any]
) -> None:
    friendly = load(kind, "acme/warehouse-nav@main")
    canonical = load(kind, friendly.canonical_reference)
    pinned = load(kind, f"acme/warehouse-nav@{published['revision_sha256']}")
    assert friendly.revision.revision_sha256 == published["revision_sha256"]
    same = {
        (d.revision.canonical_reference, d.revision.manifest) for d in (friendly, canonical, pinned)
    }
    assert len(same) == 1
    assert canonical.revision.requested_reference == friendly.canonical_reference
    assert canonical.reference.is_canonical and canonical.reference.pinned
    assert not friendly.reference.pinned
    assert all("x-avala-api-key" not in r.headers for r in fake.requests)
    # UPLOADS.md §4.1: the friendly form goes as /resolve/<owner>/<dataset>@<selector>/,
    # the "@" literal (the fake matches it only so).
    assert "/resolve/acme/warehouse-nav@main/" in [r.path for r in fake.requests]


def test_an_unpinned_reference_warns_and_a_pinned_one_does_not(fake: FakeAvala) -> None:
    client = Client()
    with pytest.warns(UnpinnedReferenceWarning, match="not pinned"):
        client.resolver.load("acme/warehouse-nav")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client.resolver.load("acme/warehouse-nav@" + "a" * 64)
        client.resolver.load(f"avala://datasets/{'0' * 8}-0000-0000-0000-{'0' * 12}@{'b' * 64}")


@pytest.mark.parametrize(
    "bad",
    [
        "Acme/x",
        "acme",
        "acme/x@",
        "acme/x@Main",
        "acme/x@" + "1" * 63,
        "avala://datasets/not-a-uuid@" + "a" * 64,
        "avala://datasets/00000000-0000-0000-0000-000000000000@main",
        "acme/x/y",
        "",
    ],
)
def test_malformed_references_are_refused_at_build_time(bad: str) -> None:
    with pytest.raises(ValueError, match="not a dataset reference"):
        Client(api_key="k" * 40, base_url="https://api.avala.ai/api/v1").resolver.load(bad)


@pytest.mark.parametrize("kind", KINDS)
def test_iterate_walks_every_object_page_by_page(
    kind: str, fake: FakeAvala, published: dict[str, Any]
) -> None:
    dataset = load(kind, "acme/warehouse-nav@main")
    fake.clear_requests()
    results = walk(kind, dataset, limit=2)
    assert [r.unwrap().logical_path for r in results] == sorted(FILES)
    pages = [r for r in fake.requests if r.path.endswith("/objects/")]
    assert len(pages) == 3


@pytest.mark.parametrize("kind", KINDS)
def test_download_fetches_a_verified_object_with_a_checked_grant(
    kind: str, fake: FakeAvala, published: dict[str, Any], tmp_path: Path
) -> None:
    dataset = load(kind, "acme/warehouse-nav@main")
    obj = first_object(dataset, published)
    dest = tmp_path / "000.bin"
    result = run(kind, lambda c: c.resolver.download(dataset, obj, dest))
    assert isinstance(result, Success)
    assert dest.read_bytes() == FILES[obj.logical_path]
    assert result.unwrap().sha256 == hashlib.sha256(FILES[obj.logical_path]).hexdigest()
    (get,) = fake.objects.requests
    assert "x-avala-api-key" not in get.headers


@pytest.mark.parametrize("kind", KINDS)
def test_an_interrupted_object_download_resumes_with_range(
    kind: str, fake: FakeAvala, published: dict[str, Any], tmp_path: Path
) -> None:
    dataset = load(kind, "acme/warehouse-nav@main")
    obj = first_object(dataset, published)
    fake.objects.inject(StorageFault.cut(300), method="GET")
    result = run(kind, lambda c: dataset.download(obj, tmp_path / "r.bin"))
    assert isinstance(result, Success)
    assert fake.objects.requests[1].headers["range"] == "bytes=300-"


@pytest.mark.parametrize("kind", KINDS)
def test_an_expired_url_mid_download_asks_for_a_fresh_grant_and_resumes(
    kind: str, fake: FakeAvala, published: dict[str, Any], tmp_path: Path
) -> None:
    dataset = load(kind, "acme/warehouse-nav@main")
    obj = first_object(dataset, published)
    fake.objects.inject(StorageFault.cut(200), StorageFault.expired(), method="GET")
    fake.clear_requests()
    result = run(kind, lambda c: dataset.download(obj, tmp_path / "x.bin"))
    assert isinstance(result, Success)
    assert len([r for r in fake.requests if r.path.endswith("/access/")]) == 2
    assert fake.objects.requests[2].headers["range"] == "bytes=200-"


BAD_GRANTS = [
    ({"object_uid": "00000000-0000-0000-0000-000000000000"}, "identity_mismatch"),
    ({"dataset_uid": "00000000-0000-0000-0000-000000000000"}, "identity_mismatch"),
    ({"manifest_sha256": "f" * 64}, "identity_mismatch"),
    ({"size_bytes": 1}, "manifest_mismatch"),
    ({"sha256": "e" * 64}, "manifest_mismatch"),
    ({"method": "PUT"}, "method"),
    ({"provider": "ftp_mirror"}, "unknown_provider"),
    ({"lifetime": 301}, "lifetime"),
    ({"lifetime": -10}, "lifetime"),
    ({"expires_at": "2030-01-01T12:00:00+02:00"}, "expires_at"),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("override", "reason"), BAD_GRANTS)
def test_a_bad_grant_is_refused_with_nothing_fetched(
    kind: str,
    fake: FakeAvala,
    published: dict[str, Any],
    tmp_path: Path,
    override: dict[str, Any],
    reason: str,
) -> None:
    dataset = load(kind, "acme/warehouse-nav@main")
    obj = first_object(dataset, published)
    fake.tamper_grants(override)
    result = run(kind, lambda c: dataset.download(obj, tmp_path / "g.bin"))
    assert isinstance(result, Failure)
    error = result.failure()
    assert isinstance(error, GrantRefusedError) and error.reason == reason
    assert "X-Amz-Signature" not in str(error)
    assert fake.objects.requests == [] and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("provider", "url"),
    [
        ("gcs", "https://evil.example.com/o?X-Amz-Signature=s"),
        ("aws_s3", "https://storage.googleapis.com/o"),
        ("avala_edge", "https://data.avala.ai/v1/x?grant=t"),  # no edge pairs with loopback
    ],
)
def test_a_grant_url_off_its_providers_hosts_is_refused(
    kind: str,
    fake: FakeAvala,
    published: dict[str, Any],
    tmp_path: Path,
    provider: str,
    url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dataset = load(kind, "acme/warehouse-nav@main")
    obj = first_object(dataset, published)
    if provider == "avala_edge":  # its URL must name the object: a well-formed one
        r = dataset.revision
        url = (
            f"https://data.avala.ai/v1/datasets/{r.dataset_uid}/{r.revision_sha256}/"
            f"{r.manifest.sha256}/objects/{obj.object_uid}/{obj.sha256}?grant=tok"
        )
    fake.tamper_grants({"provider": provider, "url": url})
    result = run(kind, lambda c: dataset.download(obj, tmp_path / "h.bin"))
    assert isinstance(result, Failure) and isinstance(result.failure(), UnsafeUrlError)
    assert fake.objects.requests == []


@pytest.mark.parametrize("kind", KINDS)
def test_a_grant_about_to_expire_is_asked_for_again_once(
    kind: str, fake: FakeAvala, published: dict[str, Any], tmp_path: Path
) -> None:
    dataset = load(kind, "acme/warehouse-nav@main")
    obj = first_object(dataset, published)
    fake.tamper_grants({"lifetime": 2})
    fake.clear_requests()
    result = run(kind, lambda c: dataset.download(obj, tmp_path / "s.bin"))
    assert isinstance(result, Success)
    assert len([r for r in fake.requests if r.path.endswith("/access/")]) == 2

    fake.tamper_grants({"lifetime": 2}, {"lifetime": 3})
    again = run(kind, lambda c: dataset.download(obj, tmp_path / "t.bin"))
    assert isinstance(again, Failure)
    assert again.failure().reason == "grant_expiry_too_short"  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", KINDS)
def test_a_withdrawn_revision_is_a_gone_error(
    kind: str, fake: FakeAvala, published: dict[str, Any], tmp_path: Path
) -> None:
    dataset = load(kind, "acme/warehouse-nav@main")
    obj = first_object(dataset, published)
    fake.store.update(REVISIONS, published["uid"], {"withdrawn": True})
    for build in (
        lambda c: c.resolver.load(dataset.canonical_reference),
        lambda c: dataset.download(obj, tmp_path / "w.bin"),
    ):
        result = run(kind, build)
        assert isinstance(result, Failure)
        error = result.failure()
        assert isinstance(error, GoneError) and error.status_code == 410
        assert "dataset_revision_withdrawn" in str(error)


@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_reference_is_not_found(kind: str, fake: FakeAvala) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnpinnedReferenceWarning)
        result = run(kind, lambda c: c.resolver.load("acme/nothing@main"))
    assert isinstance(result, Failure) and result.failure().status_code == 404
