"""``Client(anonymous=True)``: a client with no API key, for the anonymous calls (signup,
the resolver, downloads). It sends no key even when one is configured, and a call that
needs a key fails typed with nothing sent."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from returns.result import Failure

import avala
from avala import AsyncClient, Client
from avala.errors import AuthenticationError
from avala.testing import FakeAvala
from tests.drivers import KINDS, run

KEY_HEADER = "x-avala-api-key"


@pytest.fixture
def no_key(fake: FakeAvala, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AVALA_API_KEY", raising=False)  # a new user has none


@pytest.mark.parametrize("kind", KINDS)
def test_signup_runs_on_an_anonymous_client_without_any_key(
    kind: str, fake: FakeAvala, no_key: None
) -> None:
    created = run(
        kind, avala.signup(email="new@example.com", password="S3cret-pass"), anonymous=True
    )

    assert created.unwrap().api_key  # what signup is for
    (sent,) = fake.requests
    assert sent.path == "/signup/" and KEY_HEADER not in sent.headers


def test_the_resolver_and_a_download_run_on_an_anonymous_client(
    fake: FakeAvala, no_key: None, tmp_path: Path
) -> None:
    fake.publish_revision("acme", "lanes", {"a.bin": b"lane bytes"})
    with Client(anonymous=True) as client, pytest.warns(avala.UnpinnedReferenceWarning):
        dataset = client.run(client.resolver.load("acme/lanes@main")).unwrap()
        (obj,) = client.items(dataset.objects())
        done = client.run(dataset.download(obj, tmp_path / "a.bin")).unwrap()
    assert (tmp_path / "a.bin").read_bytes() == b"lane bytes"
    assert done.sha256 == hashlib.sha256(b"lane bytes").hexdigest()
    assert fake.requests and all(KEY_HEADER not in r.headers for r in fake.requests)


@pytest.mark.parametrize("kind", KINDS)
def test_a_call_that_needs_a_key_fails_typed_with_nothing_sent(
    kind: str, fake: FakeAvala, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AVALA_API_KEY", "k" * 40)  # configured, and still not used

    result = run(kind, Client(api_key="x" * 40).projects.list(), anonymous=True)

    assert isinstance(result, Failure)
    error = result.failure()
    assert isinstance(error, AuthenticationError) and "anonymous=True" in str(error)
    assert "projects.list" in str(error)
    assert fake.requests == []


@pytest.mark.parametrize("client_class", [Client, AsyncClient])
def test_an_anonymous_client_takes_no_key_and_only_a_bool(
    client_class: type[Client] | type[AsyncClient],
) -> None:
    with pytest.raises(ValueError, match="no api_key"):
        client_class("k" * 40, anonymous=True)
    with pytest.raises(TypeError, match="anonymous must be a bool"):
        client_class("k" * 40, anonymous="yes")  # type: ignore[arg-type]
