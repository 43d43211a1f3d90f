"""Injectable misbehaviours for the fake server, so tests can exercise every failure path."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from ._routing import FakeResponse

__all__ = ["Fault", "FaultKind", "Outcome", "apply_fault"]

FaultKind = Literal[
    "status",
    "drop_before",
    "drop_after",
    "delay",
    "malformed_json",
    "truncated_body",
    "wrong_content_type",
    "missing_fields",
]

MALFORMED_JSON = b'{"uid": '
WRONG_CONTENT = b"<html>oops</html>"


@dataclass(frozen=True)
class Fault:
    """One injected misbehaviour; build it with the classmethods, e.g. `Fault.status(503)`."""

    kind: FaultKind
    status_code: int | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    keys: tuple[str, ...] = ()

    @classmethod
    def status(cls, code: int, body: Any = None, headers: dict[str, str] | None = None) -> Fault:
        """Answer `code` without touching state (default body `{"detail": "Injected <code>"}`)."""
        if body is None:
            body = {"detail": f"Injected {code}"}
        return cls("status", status_code=code, body=body, headers=dict(headers or {}))

    @classmethod
    def retry_after(cls, value: float | str, status: int = 429) -> Fault:
        """Throttle with a `Retry-After` header: seconds, or an HTTP-date string."""
        if isinstance(value, str):
            text = value
        else:
            text = str(int(value)) if float(value).is_integer() else repr(float(value))
        body = {"detail": f"Request was throttled. Expected available in {text} seconds."}
        return cls("status", status_code=status, body=body, headers={"Retry-After": text})

    @classmethod
    def drop_before(cls) -> Fault:
        """Close the socket without answering and without processing the request."""
        return cls("drop_before")

    @classmethod
    def drop_after(cls) -> Fault:
        """Process the request (state changes), then close the socket without answering."""
        return cls("drop_after")

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        """Sleep `seconds`, then answer normally (for client timeout tests)."""
        return cls("delay", seconds=seconds)

    @classmethod
    def malformed_json(cls) -> Fault:
        """Answer 200 `application/json` whose body is not valid JSON; state unchanged."""
        return cls("malformed_json")

    @classmethod
    def truncated_body(cls) -> Fault:
        """Process normally, announce the full Content-Length, send half the body, close."""
        return cls("truncated_body")

    @classmethod
    def wrong_content_type(cls) -> Fault:
        """Answer 200 `text/html` (what a misconfigured proxy would send); state unchanged."""
        return cls("wrong_content_type")

    @classmethod
    def missing_fields(cls, *names: str) -> Fault:
        """Process normally, then drop these top-level keys (also from each page result)."""
        return cls("missing_fields", keys=tuple(names))


@dataclass(frozen=True)
class Outcome:
    """What the server must do on the wire: send `response` (None = drop the connection)."""

    response: FakeResponse | None
    truncate: bool = False


def _strip(body: Any, keys: tuple[str, ...]) -> Any:
    if not isinstance(body, dict):
        return body
    out = {k: v for k, v in body.items() if k not in keys}
    results = out.get("results")
    if isinstance(results, list):
        out["results"] = [
            {k: v for k, v in item.items() if k not in keys} if isinstance(item, dict) else item
            for item in results
        ]
    return out


def apply_fault(fault: Fault | None, process: Callable[[], FakeResponse]) -> Outcome:
    """Run `process` (the normal request handling) only when the fault says the server would."""
    if fault is None:
        return Outcome(process())
    kind = fault.kind
    if kind == "status":
        return Outcome(FakeResponse(fault.status_code or 500, fault.body, dict(fault.headers)))
    if kind == "drop_before":
        return Outcome(None)
    if kind == "malformed_json":
        return Outcome(
            FakeResponse(200, headers={"Content-Type": "application/json"}, raw=MALFORMED_JSON)
        )
    if kind == "wrong_content_type":
        return Outcome(FakeResponse(200, headers={"Content-Type": "text/html"}, raw=WRONG_CONTENT))
    if kind == "delay":
        time.sleep(fault.seconds)
        return Outcome(process())
    response = process()
    if kind == "drop_after":
        return Outcome(None)
    if kind == "truncated_body":
        return Outcome(response, truncate=True)
    # missing_fields
    return Outcome(
        FakeResponse(
            response.status, _strip(response.body, fault.keys), response.headers, response.raw
        )
    )
