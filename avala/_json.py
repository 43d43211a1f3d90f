"""Parsing response bodies: orjson when it is installed, the standard library otherwise,
with the standard library's results either way (docs/design.md, "Parsing with orjson").

orjson is about twice as fast, but it refuses some documents the standard library reads
(NaN and Infinity, a byte-order mark, lone surrogates, UTF-16) and it reads integers
beyond 64 bits as floats, losing digits. So a body with a run of 19 or more digits
(2**63 has 19) skips orjson, and a body orjson refuses is parsed again by the standard
library, which then accepts or refuses it exactly as it always did. The one difference
left: orjson reads nesting up to 1,024 deep, where the standard library may already
raise RecursionError (from about 1,000 levels).

``AVALA_NO_ORJSON=1`` makes the SDK ignore orjson, so the suite can run without it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

Parse = Callable[[bytes], Any]

# Every digit becomes "0", everything else a space: a long integer is then a run of "0"s.
_DIGITS_ONLY = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_TOO_LONG_FOR_INT64 = b"0" * 19


def with_fast_parser(fast: Parse | None) -> Parse:
    """A parser that tries ``fast`` (orjson's ``loads``) first and falls back to
    ``json.loads`` wherever the two could differ; plain ``json.loads`` without it."""
    if fast is None:
        return json.loads

    def parse(body: bytes) -> Any:
        if body.__class__ is bytes and _TOO_LONG_FOR_INT64 not in body.translate(_DIGITS_ONLY):
            try:
                return fast(body)
            except ValueError:  # orjson.JSONDecodeError; the stdlib decides what it means
                pass
        return json.loads(body)

    return parse


def _orjson_loads() -> Parse | None:
    if os.environ.get("AVALA_NO_ORJSON", "") not in ("", "0"):
        return None
    try:
        import orjson
    except ImportError:
        return None
    loads: Parse = orjson.loads
    return loads


_parse: Parse | None = None


def loads(body: bytes) -> Any:
    """Parse a response body; raises what ``json.loads`` raises (ValueError, RecursionError)."""
    global _parse
    if _parse is None:  # first use: importing orjson costs more than most programs' first call
        _parse = with_fast_parser(_orjson_loads())
    return _parse(body)


def parser_name() -> str:
    """ "orjson" or "json": which parser ``loads`` uses in this process."""
    return "json" if _orjson_loads() is None else "orjson"
