"""Whatever bytes a server answers with, ``run()`` returns a Result, on time.

A raw-socket server plays one drawn response per example: any status line (garbage
included), framing headers that lie or conflict, bodies of JSON, binary or nested
brackets, chunked or not, cut anywhere. Both clients must come back with Success or
Failure, never raise, and never overrun the timeout by more than a generous margin.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns.result import Failure, Success

from avala import AsyncClient, Client
from tests.hostile import HostileServer, Reply

TIMEOUT = 1.0
MARGIN = 4.0  # generous: a loaded 2-core machine; a hang would be the 30 s default or more
# Nesting as deep as a hostile server likes, closed or not: json.loads and redaction
# recurse, and neither may raise out of run().
MAX_DEPTH = 100_000

_latin1_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=40
)
_token = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz-ABCXYZ0123456789"), min_size=1)

status_lines = st.one_of(
    st.builds(
        "{} {} {}".format,
        st.sampled_from(["HTTP/1.1", "HTTP/1.0", "HTTP/2", "http/1.1"]),
        st.one_of(
            st.sampled_from([100, 101, 200, 201, 204, 301, 304, 400, 404, 413, 422, 429, 503]),
            st.integers(0, 1200),
        ),
        _latin1_text,
    ).map(lambda line: line.encode("latin-1")),
    st.binary(max_size=40).map(lambda raw: raw.replace(b"\n", b"")),
)

headers = st.lists(
    st.one_of(
        st.tuples(
            st.just("Content-Length"),
            st.one_of(
                st.integers(-5, 10 * 1024**3).map(str), st.sampled_from(["1, 2", "", "0x10"])
            ),
        ),
        st.tuples(
            st.just("Transfer-Encoding"),
            st.sampled_from(["chunked", "gzip", "chunked, chunked", "identity", "x"]),
        ),
        st.tuples(st.just("Content-Encoding"), st.sampled_from(["gzip", "deflate", "br", "x"])),
        st.tuples(
            st.just("Content-Type"),
            st.sampled_from(["application/json", "text/plain", "text/html; charset=utf-8", ""]),
        ),
        st.tuples(
            st.just("Retry-After"),
            st.one_of(
                st.integers(-10, 10**9).map(str),
                st.sampled_from(["nan", "inf", "Wed, 21 Oct 2015 07:28:00 GMT", ""]),
            ),
        ),
        st.tuples(
            st.sampled_from(["Location", "X-RateLimit-Remaining", "Connection"]), _latin1_text
        ),
        st.tuples(_token, _latin1_text),
    ),
    max_size=6,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=15,
)

bodies = st.one_of(
    json_values.map(lambda value: json.dumps(value).encode()),
    st.builds(
        lambda uid, name: json.dumps({"uid": uid, "name": name}).encode(),
        st.text(max_size=6),
        st.text(max_size=6),
    ),
    st.binary(max_size=200),
    st.integers(1, MAX_DEPTH).map(lambda depth: b"[" * depth + b"]" * depth),
    st.integers(1, MAX_DEPTH).map(lambda depth: b'{"detail":' * depth + b"1" + b"}" * depth),
    st.integers(1, MAX_DEPTH).map(lambda depth: b"[" * depth),  # never closed
)


@st.composite
def responses(draw: st.DrawFn) -> bytes:
    """One response on the wire, framed honestly, wrongly or not at all, perhaps cut short."""
    body = draw(bodies)
    framing = draw(st.sampled_from(["length", "chunked", "none"]))
    lines = [draw(status_lines)]
    lines += [f"{name}: {value}".encode("latin-1") for name, value in draw(headers)]
    if framing == "length":
        lines.append(b"Content-Length: %d" % len(body))
    elif framing == "chunked":
        lines.append(b"Transfer-Encoding: chunked")
        size = draw(st.integers(1, 64))
        pieces = [body[i : i + size] for i in range(0, len(body), size)]
        body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
    raw = b"\r\n".join(lines) + b"\r\n\r\n" + body
    cut = draw(st.one_of(st.none(), st.integers(0, len(raw))))
    return raw if cut is None else raw[:cut]


REQUESTS: dict[str, Callable[[Any], Any]] = {
    "get": lambda c: c.projects.get("p1"),
    "list": lambda c: c.projects.list(limit=2),
    "delete": lambda c: c.agents.delete("a1"),
    "create": lambda c: c.webhooks.create(target_url="https://example.com/hook", events=["x"]),
}


def run_once(kind: str, base_url: str, build: Callable[[Any], Any]) -> Any:
    options: dict[str, Any] = {"timeout": TIMEOUT, "max_retries": 0}
    if kind == "sync":
        with Client("test-key", base_url=base_url, **options) as client:
            return client.run(build(client))

    async def main() -> Any:
        async with AsyncClient("test-key", base_url=base_url, **options) as client:
            return await client.run(build(client))

    return asyncio.run(main())


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    raw=responses(),
    hang_up=st.booleans(),
    kind=st.sampled_from(["sync", "async"]),
    request=st.sampled_from(sorted(REQUESTS)),
)
def test_any_response_gives_a_result_in_time(
    monkeypatch: Any, raw: bytes, hang_up: bool, kind: str, request: str
) -> None:
    monkeypatch.setenv("AVALA_ALLOW_INSECURE_BASE_URL", "1")
    with HostileServer([Reply([raw], close=hang_up)]) as server:
        started = time.monotonic()
        result = run_once(kind, server.base_url, REQUESTS[request])
        seconds = time.monotonic() - started
        lines = server.request_lines
    assert isinstance(result, Success | Failure)
    assert seconds < TIMEOUT + MARGIN
    assert all(line.split(" ")[1].startswith("/api/v1/") for line in lines)  # origin-form
