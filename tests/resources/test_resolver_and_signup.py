"""The anonymous calls: the resolver and signup send no API key (the others do), run on
any client, and keep the password out of reprs and errors."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import pytest
import requests

import avala
from avala import AsyncClient, Client
from avala.errors import NotFoundError, ValidationError
from avala.testing import FakeAvala, Fault
from avala.types import AccessGrant, ManifestObject, ResolvedRevision, SignupResponse

FILES = {f"frames/{i:03d}.bin": bytes([i]) * (i + 1) for i in range(5)}


@pytest.fixture
def revision(fake: FakeAvala) -> dict[str, Any]:
    return fake.publish_revision("acme", "warehouse-nav", FILES)


def test_resolve_reference_is_anonymous(
    client: Client, fake: FakeAvala, revision: dict[str, Any]
) -> None:
    resolved = client.run(client.resolver.resolve_reference("acme", "warehouse-nav")).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("GET", "/resolve/acme/warehouse-nav@main/")
    assert "x-avala-api-key" not in sent.headers
    assert sent.headers["accept"] == "application/json"
    assert isinstance(resolved, ResolvedRevision)
    assert resolved.requested_reference == "acme/warehouse-nav@main"
    assert resolved.canonical_reference == revision["document"]["canonical_reference"]
    assert resolved.manifest.object_count == 5


def test_resolve_uid_and_a_missing_reference(
    client: Client, fake: FakeAvala, revision: dict[str, Any]
) -> None:
    uid, sha = revision["dataset_uid"], revision["revision_sha256"]
    resolved = client.run(client.resolver.resolve_uid(uid, sha)).unwrap()
    assert fake.requests[-1].path == f"/resolve/uid/{uid}/{sha}/"
    assert resolved.requested_reference == f"avala://datasets/{uid}@{sha}"
    missing = client.run(client.resolver.resolve_reference("acme", "nope", sha))
    assert isinstance(missing.failure(), NotFoundError)


def test_list_objects_walks_with_iterate(
    client: Client, fake: FakeAvala, revision: dict[str, Any]
) -> None:
    uid, sha = revision["dataset_uid"], revision["revision_sha256"]
    fake.clear_requests()
    walked = list(client.iterate(client.resolver.list_objects(uid, sha, limit=2)))
    objects = [r.unwrap() for r in walked]
    assert all(isinstance(o, ManifestObject) for o in objects)
    assert [o.logical_path for o in objects] == sorted(FILES)
    assert [r.query.get("cursor") is None for r in fake.requests] == [True, False, False]
    assert all("x-avala-api-key" not in r.headers for r in fake.requests)


def test_issue_access_grant_posts_and_downloads(
    client: Client, fake: FakeAvala, revision: dict[str, Any]
) -> None:
    uid, sha = revision["dataset_uid"], revision["revision_sha256"]
    target = revision["objects"][3]
    grant = client.run(client.resolver.issue_access_grant(uid, sha, target["object_uid"])).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.query) == ("POST", {"transport": ["avala-edge-v1"]})
    assert "x-avala-api-key" not in sent.headers
    assert isinstance(grant, AccessGrant)
    assert grant.url not in repr(grant)
    body = requests.get(grant.url, timeout=5).content
    assert hashlib.sha256(body).hexdigest() == grant.sha256 == target["sha256"]


def test_a_405_on_the_grant_post_is_asked_again_as_get(
    client: Client, fake: FakeAvala, revision: dict[str, Any]
) -> None:
    uid, sha = revision["dataset_uid"], revision["revision_sha256"]
    object_uid = revision["objects"][0]["object_uid"]
    fake.inject(Fault.status(405), method="POST", path="/resolve/*")
    fake.clear_requests()
    grant = client.run(client.resolver.issue_access_grant(uid, sha, object_uid)).unwrap()
    assert [r.method for r in fake.requests] == ["POST", "GET"]
    assert grant.object_uid == object_uid


def test_another_grant_error_is_not_retried_as_get(
    client: Client, fake: FakeAvala, revision: dict[str, Any]
) -> None:
    uid, sha = revision["dataset_uid"], revision["revision_sha256"]
    fake.inject(Fault.status(404), method="POST", path="/resolve/*")
    fake.clear_requests()
    result = client.run(client.resolver.issue_access_grant(uid, sha, "x"))
    assert isinstance(result.failure(), NotFoundError)
    assert [r.method for r in fake.requests] == ["POST"]


def test_a_withdrawn_revision_is_410(
    client: Client, fake: FakeAvala, revision: dict[str, Any]
) -> None:
    fake.store.update("resolver_revisions", revision["uid"], {"withdrawn": True})
    result = client.run(
        client.resolver.resolve_uid(revision["dataset_uid"], revision["revision_sha256"])
    )
    error = result.failure()
    assert error.status_code == 410
    assert error.body["code"] == "dataset_revision_withdrawn"


def test_the_header_is_sent_to_the_other_calls(client: Client, fake: FakeAvala) -> None:
    client.run(client.users.me()).unwrap()
    assert fake.requests[-1].headers["x-avala-api-key"] == fake.api_key


# --- signup -------------------------------------------------------------------------------


def test_signup_is_anonymous_and_returns_the_key(client: Client, fake: FakeAvala) -> None:
    created = client.run(
        avala.signup(email="ada@example.com", password="correct horse", first_name="Ada")
    ).unwrap()
    sent = fake.requests[-1]
    assert (sent.method, sent.path) == ("POST", "/signup/")
    assert "x-avala-api-key" not in sent.headers
    assert sent.body == {
        "email": "ada@example.com",
        "password": "correct horse",
        "first_name": "Ada",
    }
    assert isinstance(created, SignupResponse)
    assert created.user.email == "ada@example.com"
    assert created.api_key not in repr(created)


def test_signup_runs_on_a_client_with_a_wrong_key(fake: FakeAvala) -> None:
    with Client("not-the-fake-key-at-all") as other:
        created = other.run(avala.signup(email="b@example.com", password="long enough"))
    assert created.unwrap().user.email == "b@example.com"


def test_signup_on_the_async_client(fake: FakeAvala) -> None:
    async def main() -> SignupResponse:
        async with AsyncClient() as client:
            created = await client.run(avala.signup(email="c@example.com", password="long enough"))
        return created.unwrap()

    assert asyncio.run(main()).user.username == "c"
    assert "x-avala-api-key" not in fake.requests[-1].headers


def test_the_password_stays_out_of_reprs_and_errors(client: Client, fake: FakeAvala) -> None:
    secret = "hunter2-xyz"
    request = avala.signup(email="d@example.com", password=secret)
    assert secret not in repr(request)
    fake.inject(
        Fault.status(
            400, {"password": [f"'{secret}' is too similar"], "detail": f"password={secret}"}
        ),
        path="/signup/",
    )
    error = client.run(request).failure()
    assert isinstance(error, ValidationError)
    assert secret not in str(error)
    assert secret not in repr(error.body)


def test_a_short_password_is_a_validation_error(client: Client, fake: FakeAvala) -> None:
    result = client.run(avala.signup(email="e@example.com", password="short"))
    assert isinstance(result.failure(), ValidationError)
