"""Secrets stay secret; logging says enough and no more; bounded responses; TLS defaults."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from avala import Client, ResponseTooLargeError
from avala._transport import RequestsTransport
from avala.testing import FakeAvala, Fault
from tests.conftest import FAST_RETRY


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
