from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator, Sequence

import pytest
from hypothesis import settings

from avala import Client, RetryPolicy
from avala._json import parser_name
from avala.testing import FakeAvala
from tests.hostile import HostileServer, Reply

pytest_plugins = ["avala.testing.pytest_plugin"]

# No per-example deadline: on a loaded machine a fast example can stall for 200 ms, and
# Hypothesis would report the stall as a flaky test. Tests that could hang bound themselves.
settings.register_profile("avala", deadline=None)
settings.load_profile("avala")

# Retries in tests wait milliseconds, not seconds; the decisions are the same.
FAST_RETRY = RetryPolicy(backoff_initial=0.001, backoff_max=0.01, retry_after_max=0.05)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Name the parser in the last lines: make unit runs the suite once with orjson and once
    without, and a failure must say which run it was."""
    terminalreporter.write_line(f"JSON parser: {parser_name()}")


@pytest.fixture
def fake(avala_fake: FakeAvala) -> FakeAvala:
    return avala_fake


@pytest.fixture
def client(fake: FakeAvala) -> Iterator[Client]:
    with Client(retry_policy=FAST_RETRY, timeout=5.0) as c:
        yield c


@pytest.fixture
def hostile(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., HostileServer]]:
    """Start raw-socket servers playing scripts (one per connection); all stop at teardown."""
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")
    servers: list[HostileServer] = []

    def start(*scripts: Sequence[Reply], tls: ssl.SSLContext | None = None) -> HostileServer:
        server = HostileServer(*scripts, tls=tls)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
