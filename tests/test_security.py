"""Secrets stay secret; logging says enough and no more; bounded responses; TLS defaults."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
from typing import Any

import pytest

from avala import AsyncClient, AvalaError, Client, NotFoundError, ResponseTooLargeError
from avala._redact import REDACTED
from avala._transport import RequestsTransport
from avala.errors import ValidationError
from avala.testing import FakeAvala, Fault
from tests.conftest import FAST_RETRY

EMPTY_PAGE = {"results": [], "next": None, "previous": None}


def test_key_never_logged_nor_in_errors(
    fake: FakeAvala, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG, logger="avala")
    echo = {"detail": f"bad key {fake.api_key}", "api_key": fake.api_key}
    fake.inject(Fault.status(503), path="/users/me/projects/")
    fake.inject(Fault.status(401, body=echo), path="/tasks/")
    with Client(retry_policy=FAST_RETRY) as client:
        client.run(client.projects.list(limit=2))
        err = client.run(client.tasks.list()).failure()
        print(repr(client), client, repr(err), err, err.body)
        print(repr(client.projects.list()), client.exports.create(project="p"))
    captured = capsys.readouterr()
    text = caplog.text + captured.out + captured.err
    assert fake.api_key not in text
    assert "[REDACTED]" in str(err.body)
    lines = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("GET /users/me/projects/?limit=2 -> 503 in ") for m in lines)
    assert any(
        m.startswith("GET /users/me/projects/?limit=2 -> 200 in ") and "(retry 1)" in m
        for m in lines
    )
    retries = [r for r in caplog.records if r.levelno == logging.INFO]
    assert [r.getMessage().split(" in ")[0] for r in retries] == [
        "retrying GET /users/me/projects/"
    ]


def test_avala_log_env_turns_on_debug_logging(fake: FakeAvala) -> None:
    script = "from avala import Client\nwith Client() as c:\n    c.run(c.projects.list())\n"
    env = {**fake.env(), "AVALA_LOG": "debug", "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "avala DEBUG GET /users/me/projects/ -> 200 in" in done.stderr
    assert fake.api_key not in done.stderr + done.stdout


def test_no_logging_without_the_env(fake: FakeAvala) -> None:
    script = "from avala import Client\nwith Client() as c:\n    c.run(c.projects.list())\n"
    done = subprocess.run(
        [sys.executable, "-c", script], env=fake.env(), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stderr == ""


def test_oversized_responses_are_refused(fake: FakeAvala) -> None:
    for _ in range(50):
        fake.add_project(name="n" * 100)
    with Client(max_response_bytes=2_000, retry_policy=FAST_RETRY) as client:
        err = client.run(client.projects.list(limit=50)).failure()
        assert isinstance(err, ResponseTooLargeError) and "2000 bytes" in err.message
        assert client.run(client.projects.list(limit=1)).unwrap().items  # small ones still pass
    assert sum(r.query == {"limit": ["50"]} for r in fake.requests) == 1  # not retried


def test_tls_verification_is_on_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    transport = RequestsTransport(base_url="https://api.example.com")
    assert transport._session.verify is True
    assert transport._session.trust_env is False  # the environment is not rescanned per call


def test_custom_ca_bundle(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    assert RequestsTransport(base_url="https://x", verify="/etc/ca.pem")._session.verify == (
        "/etc/ca.pem"
    )
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/env/ca.pem")
    assert RequestsTransport(base_url="https://x")._session.verify == "/env/ca.pem"


def test_proxies_are_read_once_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    transport = RequestsTransport(base_url="https://api.example.com/api/v1")
    assert transport._session.proxies.get("https") == "http://proxy.internal:3128"
    monkeypatch.setenv("NO_PROXY", "api.example.com")
    assert RequestsTransport(base_url="https://api.example.com")._session.proxies == {}


def shown(*values: Any) -> str:
    """Everything a caller could print of these values."""
    return "".join(
        repr(v) + str(v) + (repr(vars(v)) if hasattr(v, "__dict__") else "") for v in values
    )


def echo_headers(key: str) -> dict[str, str]:
    return {
        "X-Echo": f"you sent {key}",
        "X-RateLimit-Remaining": key,
        "Authorization": "Basic dXNlcjpwYXNz",
        f"X-{key}": "1",
    }


def test_the_key_echoed_in_headers_is_hidden_from_run_raw_and_rate_limit_info(
    fake: FakeAvala, client: Client
) -> None:
    fake.inject(Fault.status(200, body=EMPTY_PAGE, headers=echo_headers(fake.api_key)))
    raw = client.run_raw(client.projects.list()).unwrap()
    assert fake.api_key not in shown(raw.headers, client.rate_limit_info)
    assert raw.headers["x-echo"] == f"you sent {REDACTED}"
    assert raw.headers["authorization"] == REDACTED
    assert client.rate_limit_info["x-ratelimit-remaining"] == REDACTED
    assert raw.headers["x-ratelimit-limit"] == "1000"  # ordinary headers are untouched


def test_the_async_client_hides_the_key_echoed_in_headers(fake: FakeAvala) -> None:
    fake.inject(Fault.status(200, body=EMPTY_PAGE, headers=echo_headers(fake.api_key)))

    async def main() -> tuple[dict[str, str], dict[str, str]]:
        async with AsyncClient(retry_policy=FAST_RETRY) as client:
            raw = (await client.run_raw(client.projects.list())).unwrap()
            return dict(raw.headers), client.rate_limit_info

    headers, info = asyncio.run(main())
    assert fake.api_key not in shown(headers, info)
    assert headers["x-echo"] == f"you sent {REDACTED}"


def key_as_object_key(fake: FakeAvala) -> None:
    body = {fake.api_key: ["Unknown field."], "detail": "Invalid input."}
    fake.inject(Fault.status(400, body=body), path="/users/me/projects/")


def test_the_key_echoed_as_an_object_key_is_hidden(fake: FakeAvala, client: Client) -> None:
    key_as_object_key(fake)
    err = client.run(client.projects.list()).failure()
    assert isinstance(err, ValidationError)
    assert fake.api_key not in shown(err) + json.dumps(err.body)
    assert err.body == {REDACTED: ["Unknown field."], "detail": "Invalid input."}


def test_the_async_client_hides_the_key_echoed_as_an_object_key(fake: FakeAvala) -> None:
    key_as_object_key(fake)

    async def main() -> AvalaError:
        async with AsyncClient(retry_policy=FAST_RETRY) as client:
            return (await client.run(client.projects.list())).failure()

    err = asyncio.run(main())
    assert isinstance(err, ValidationError) and fake.api_key not in shown(err)


def test_a_short_test_key_does_not_garble_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeAvala(api_key="k") as fake:
        for name, value in fake.env().items():
            monkeypatch.setenv(name, value)
        detail = "Task not found; check the task id."
        fake.inject(Fault.status(404, body={"detail": detail}))
        with Client(retry_policy=FAST_RETRY) as client:
            err = client.run(client.tasks.get("t1")).failure()
    assert isinstance(err, NotFoundError)
    assert err.message == detail and err.body == {"detail": detail}


def test_a_redirect_shows_where_it_points_without_the_key(fake: FakeAvala, client: Client) -> None:
    location = f"https://elsewhere.example.com/api/v1/users/me/projects/?api_key={fake.api_key}"
    fake.inject(Fault.status(301, body={}, headers={"Location": location}))
    err = client.run(client.projects.list()).failure()
    assert type(err) is AvalaError and err.status_code == 301
    assert str(err) == (
        "redirect to https://elsewhere.example.com/api/v1/users/me/projects/"
        f"?api_key={REDACTED} not followed (HTTP 301)"
    )
    assert len(fake.requests) == 1  # not followed, not retried


def test_secrets_passed_to_builders_stay_out_of_repr(fake: FakeAvala, client: Client) -> None:
    webhook_secret, s3_secret = "whsec_" + "w" * 24, "s3/" + "S" * 37
    hook = client.webhooks.create(
        target_url="https://hooks.example.com/h", events=["task.completed"], secret=webhook_secret
    )
    bucket = client.storage_configs.create(
        name="B", provider="aws_s3", s3_bucket_name="b", s3_secret_access_key=s3_secret
    )
    composed = bucket.map(lambda c: c.uid)
    text = repr(hook) + str(hook) + repr(bucket) + repr(composed) + repr([hook, bucket])
    assert webhook_secret not in text and s3_secret not in text
    assert "'secret': '[REDACTED]'" in repr(hook)
    assert "'s3_bucket_name': 'b'" in repr(bucket)  # the rest is shown
    # The value still holds the secret: equality tells them apart, and it is sent as given.
    other = client.webhooks.create(
        target_url="https://hooks.example.com/h", events=["task.completed"], secret="other-one"
    )
    assert hook != other and hash(hook) != hash(other)
    client.run(hook).unwrap()
    client.run(bucket).unwrap()
    assert fake.requests[0].body["secret"] == webhook_secret
    assert fake.requests[1].body["s3_secret_access_key"] == s3_secret


def deep_error(depth: int, key: str) -> dict[str, Any]:
    body: dict[str, Any] = {"leaf": key}
    for _ in range(depth):
        body = {"a": body}
    return body


@pytest.mark.parametrize("depth", [600, 900])
def test_a_deeply_nested_error_body_is_a_failure_on_both_clients(
    fake: FakeAvala, depth: int
) -> None:
    fake.inject(
        Fault.status(400, body=deep_error(depth, fake.api_key)),
        Fault.status(400, body=deep_error(depth, fake.api_key)),
    )
    with Client(retry_policy=FAST_RETRY) as client:
        err = client.run(client.projects.list()).failure()

    async def main() -> AvalaError:
        async with AsyncClient(retry_policy=FAST_RETRY) as client:
            return (await client.run(client.projects.list())).failure()

    async_err = asyncio.run(main())
    for e in (err, async_err):
        assert isinstance(e, ValidationError) and e.status_code == 400
        assert fake.api_key not in shown(e) + json.dumps(e.body)
