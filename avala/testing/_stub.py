"""``StubTransport``: answers requests from a table, with no sockets, for unit tests.

Plug it in with ``Client(api_key="k", transport=stub)``. Any request the table does not
expect raises ``UnexpectedRequest`` (an AssertionError), which the client lets through
so the test fails loudly.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from avala._wire import TransportError, TransportFailure, WireRequest, WireResponse

Answer = WireResponse | TransportFailure


class UnexpectedRequest(AssertionError):
    """The code under test sent a request the stub was not told about."""


def json_response(
    status: int, body: Any = None, headers: Mapping[str, str] | None = None
) -> Answer:
    """A response with a JSON body (no body when ``body`` is None)."""
    raw = b"" if body is None else json.dumps(body).encode()
    extra = {k.lower(): v for k, v in (headers or {}).items()}  # as a transport delivers them
    return WireResponse(status, {"content-type": "application/json", **extra}, raw)


class StubTransport:
    """Answers ``(method, path)`` from a table; a list of answers is used in order."""

    def __init__(self, routes: Mapping[tuple[str, str], Answer | Iterable[Answer]]) -> None:
        self._routes: dict[tuple[str, str], deque[Answer]] = {}
        for key, answers in routes.items():
            queue = [answers] if isinstance(answers, Answer) else list(answers)
            self._routes[(key[0].upper(), key[1])] = deque(queue)
        self.sent: list[WireRequest] = []

    def send(self, request: WireRequest) -> WireResponse:
        self.sent.append(request)
        path = urlsplit(request.url).path
        for (method, route), answers in self._routes.items():
            if method == request.method and path.endswith(route) and answers:
                answer = answers.popleft() if len(answers) > 1 else answers[0]
                if isinstance(answer, TransportFailure):
                    raise TransportError(answer)
                return answer
        raise UnexpectedRequest(f"unexpected request: {request.method} {path}")

    def close(self) -> None:
        pass
