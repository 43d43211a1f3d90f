"""Request/response values and a tiny path router for the fake Avala API.

Kept free of any SDK import so the fake stays an independent oracle of the wire format.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import unquote

__all__ = ["FakeRequest", "FakeResponse", "Handler", "Route", "Router"]


@dataclass(frozen=True)
class FakeRequest:
    """One decoded request as a handler sees it; `path` is relative to `/api/v1`, still encoded."""

    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    raw_body: bytes = b""

    def q(self, key: str) -> str | None:
        """First value of query parameter `key`, or None when absent."""
        values = self.query.get(key)
        return values[0] if values else None


@dataclass(frozen=True)
class FakeResponse:
    """What a handler answers: `body` is JSON-serialised unless `raw` gives the exact bytes."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None


# Handlers are called as handler(state, request, **decoded_path_params).
Handler = Callable[..., FakeResponse]
H = TypeVar("H", bound=Handler)


def _split(path: str) -> list[str]:
    return path.split("/")


def _is_placeholder(segment: str) -> bool:
    """A segment that matches values: ``{uid}``, or text mixed with placeholders such as
    ``{dataset}@{selector}``."""
    return "{" in segment and "}" in segment


_NAME = re.compile(r"\{(\w+)\}")


@functools.lru_cache(maxsize=64)
def _composite(segment: str) -> re.Pattern[str] | None:
    """The regex of a segment mixing text and placeholders, or None for a plain ``{name}``."""
    if _NAME.fullmatch(segment):
        return None
    pieces = _NAME.split(segment)  # text, name, text, name, ..., text
    regex = "".join(
        re.escape(piece) if i % 2 == 0 else f"(?P<{piece}>.+?)" for i, piece in enumerate(pieces)
    )
    return re.compile(regex)


@dataclass(frozen=True)
class Route:
    """One (method, pattern) -> handler binding; placeholders match one non-empty segment."""

    method: str
    pattern: str
    handler: Handler

    @property
    def segments(self) -> list[str]:
        return _split(self.pattern)

    def specificity(self) -> tuple[int, ...]:
        """Sort key: at each position a literal (0) beats a placeholder (1)."""
        return tuple(1 if _is_placeholder(s) else 0 for s in self.segments)

    def match(self, path: str) -> dict[str, str] | None:
        """Decoded placeholder values if `path` (percent-encoded) fits the pattern, else None."""
        got = _split(path)
        want = self.segments
        if len(got) != len(want):
            return None
        params: dict[str, str] = {}
        for pat, seg in zip(want, got, strict=True):
            if _is_placeholder(pat):
                if not seg:
                    return None
                composite = _composite(pat)
                if composite is None:
                    params[pat[1:-1]] = unquote(seg)
                    continue
                # The text between placeholders must come as sent literally (a "%40"
                # is not the "@" of /resolve/{owner}/{dataset}@{selector}/).
                found = composite.fullmatch(seg)
                if found is None:
                    return None
                params.update({k: unquote(v) for k, v in found.groupdict().items()})
            elif pat != seg:
                return None
        return params


class Router:
    """A list of routes; literal routes always win over placeholder routes of the same shape."""

    def __init__(self) -> None:
        self._routes: list[Route] = []

    @property
    def routes(self) -> tuple[Route, ...]:
        return tuple(self._routes)

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append(Route(method.upper(), pattern, handler))
        # Stable sort keeps registration order among equally specific routes.
        self._routes.sort(key=Route.specificity)

    def route(self, method: str, pattern: str) -> Callable[[H], H]:
        """Decorator registering `handler(state, req, **params)` for `method` + `pattern`."""

        def register(handler: H) -> H:
            self.add(method, pattern, handler)
            return handler

        return register

    @classmethod
    def merged(cls, *routers: Router) -> Router:
        """One router holding every route of `routers` (first registered wins on ties)."""
        combined = cls()
        for router in routers:
            for r in router.routes:
                combined.add(r.method, r.pattern, r.handler)
        return combined

    def dispatch(self, state: Any, req: FakeRequest) -> FakeResponse:
        """Call the handler for the most specific matching pattern.

        Like Django, the pattern is chosen first and the method checked second, so a literal
        route answered with the wrong method is a 405 rather than falling through to `{uid}`.
        """
        method = req.method.upper()
        for r in self._routes:
            params = r.match(req.path)
            if params is None:
                continue
            same = [x for x in self._routes if x.pattern == r.pattern]
            for candidate in same:
                if candidate.method == method:
                    return candidate.handler(state, req, **params)
            allowed = ", ".join(dict.fromkeys(x.method for x in same))
            return FakeResponse(
                405, {"detail": f'Method "{method}" not allowed.'}, headers={"Allow": allowed}
            )
        return FakeResponse(404, {"detail": "Not found."})
