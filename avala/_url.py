"""Path segments: checked when a request is built, percent-encoded when it is sent.

Every argument lands inside exactly one segment, so no value (``a/b``, ``../x``,
``a?x=1``) can change which route a request reaches.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from urllib.parse import quote

_DOT_SEGMENTS = frozenset({".", ".."})
# Characters that need no percent-encoding in a segment (RFC 3986 unreserved).
_PLAIN = re.compile(r"[A-Za-z0-9_.~-]+")


def check_segment(name: str, value: object) -> str:
    """Return ``value`` if it can stand as one path segment; raise a clear error if not."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if _PLAIN.fullmatch(value) and value not in _DOT_SEGMENTS:
        return value  # the common case: a uid or slug, nothing to check further
    if value == "":
        raise ValueError(f"{name} must not be empty")
    if value.isspace():  # never in the fast path: no whitespace matches _PLAIN
        raise ValueError(f"{name} must not be only whitespace, got {value!r}")
    if value in _DOT_SEGMENTS:
        raise ValueError(f"{name} must not be {value!r}: it would name another route")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise ValueError(f"{name} must not contain control characters")
    check_utf8(name, value)
    return value


def check_utf8(name: str, value: str) -> str:
    """Text must be encodable as UTF-8 to be sent at all (lone surrogates are not)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{name} is not valid Unicode text (it has a lone surrogate)") from None
    return value


def _encode(segment: str) -> str:
    # "@" is a path character (RFC 3986 pchar) and routes such as
    # /resolve/{owner}/{dataset}@{selector}/ expect it as is, not as %40.
    return segment if _PLAIN.fullmatch(segment) else quote(segment, safe="@")


def render_path(segments: tuple[str, ...]) -> str:
    """Join segments into ``/a/b/``, each one percent-encoded on its own (``/`` included;
    ``@`` is left as it is, a character a segment may hold)."""
    return "/" + "/".join([_encode(s) for s in segments]) + "/"


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@functools.lru_cache(maxsize=256)
def _parse_template(template: str) -> tuple[tuple[str, bool], ...]:
    """``/x/{uid}/`` as ``(("x", False), ("uid", True))``: parsed once per template. A
    segment mixing text and placeholders (``{dataset}@{selector}``) is kept whole, marked
    True: ``fill_template`` fills each of its placeholders."""
    return tuple(
        (part[1:-1], True)
        if _PLACEHOLDER.fullmatch(part)
        else (part, bool(_PLACEHOLDER.search(part)))
        for part in template.strip("/").split("/")
    )


def _fill_composite(segment: str, params: Mapping[str, str]) -> str:
    """One segment such as ``{dataset}@{selector}``: each value checked, and refused if it
    holds the text that separates it from its neighbours (it would be ambiguous)."""
    literals = [text for text in _PLACEHOLDER.split(segment)[::2] if text]

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            raise TypeError(f"missing path argument {name!r}")
        value = check_segment(name, params[name])
        for literal in literals:
            if literal in value:
                raise ValueError(f"{name} must not contain {literal!r}, got {value!r}")
        return value

    return _PLACEHOLDER.sub(fill, segment)


def fill_template(template: str, params: Mapping[str, str]) -> tuple[str, ...]:
    """Split ``/x/{uid}/y/`` into segments, checking and substituting each ``{name}``."""
    parts: list[str] = []
    for text, is_param in _parse_template(template):
        if not is_param:
            parts.append(text)
        elif "{" in text:
            parts.append(_fill_composite(text, params))
        elif text not in params:
            raise TypeError(f"missing path argument {text!r}")
        else:
            parts.append(check_segment(text, params[text]))
    return tuple(parts)
