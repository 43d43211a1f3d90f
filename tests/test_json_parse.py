"""Response bodies parse exactly as ``json.loads`` parses them, with orjson or without.

Each check runs under both parsers: the orjson fast path (``with_fast_parser(orjson.loads)``)
and the standard-library fallback (``with_fast_parser(None)``). ``make test`` also runs the
whole suite once with ``AVALA_NO_ORJSON=1``.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from returns.result import Success

from avala import Client
from avala._json import Parse, loads, parser_name, with_fast_parser
from avala.types._common import freeze_json
from tests.hostile import HostileServer, Reply, json_response

PARSERS = {"orjson": with_fast_parser(orjson.loads), "json": with_fast_parser(None)}


@pytest.fixture(params=sorted(PARSERS))
def parse(request: pytest.FixtureRequest) -> Parse:
    return PARSERS[request.param]


def outcome(parse: Callable[[bytes], Any], body: bytes) -> tuple[str, str]:
    """("ok", repr of the value) or ("error", the exception's type): repr tells 1 from 1.0,
    -0.0 from 0.0 and compares NaN, so equal outcomes mean the same value."""
    try:
        return "ok", repr(parse(body))
    except (ValueError, RecursionError) as exc:
        return "error", type(exc).__name__


# Documents where orjson alone would differ from the standard library.
EDGE_CASES = {
    "duplicate keys: the last wins": b'{"a": 1, "b": 2, "a": 3}',
    "NaN": b'{"x": NaN}',
    "Infinity": b"[Infinity, -Infinity]",
    "an overflowing exponent": b"[1e400, -1e400]",
    "2**64, beyond 64 bits": b'{"n": 18446744073709551616}',
    "-(2**63) - 1": b"[-9223372036854775809]",
    "a 40-digit integer": b"[1234567890123456789012345678901234567890]",
    "2**64 - 1, the largest orjson keeps whole": b"[18446744073709551615]",
    "19 digits inside a string": b'{"id": "1234567890123456789012"}',
    "a long float mantissa": b"[0.12345678901234567890123]",
    "an escaped lone surrogate": b'["\\ud800"]',
    "a raw lone surrogate": b'["\xed\xa0\x80"]',
    "invalid UTF-8": b'["\xff"]',
    "a UTF-8 byte-order mark": b"\xef\xbb\xbf{}",
    "UTF-16": '{"a": 1}'.encode("utf-16"),
    "a control character in a string": b'["\x01"]',
    "a trailing comma": b"[1,]",
    "a leading zero": b"[01]",
    "nesting 1,100 deep": b"[" * 1100 + b"]" * 1100,
    "negative zero": b"[-0, -0.0]",
    "empty": b"",
    "trailing data": b"{} {}",
}


@pytest.mark.parametrize("body", EDGE_CASES.values(), ids=EDGE_CASES.keys())
def test_edge_cases_parse_as_the_standard_library_does(parse: Parse, body: bytes) -> None:
    assert outcome(parse, body) == outcome(json.loads, body)


def test_big_integers_stay_exact_and_nan_stays_a_float(parse: Parse) -> None:
    value = parse(b'{"big": 18446744073709551616, "nan": NaN, "a": 1, "a": 2}')
    assert value["big"] == 2**64 and type(value["big"]) is int
    assert math.isnan(value["nan"])
    assert value["a"] == 2 and list(value) == ["big", "nan", "a"]


def test_nesting_between_1000_and_1024_is_the_one_documented_difference() -> None:
    body = b"[" * 1010 + b"]" * 1010
    value = PARSERS["orjson"](body)  # valid JSON: orjson reads it
    depth = 1
    while value:
        value, depth = value[0], depth + 1
    assert depth == 1010
    # where the standard library's recursion limit may refuse it (not on a larger stack);
    # without orjson, the SDK does what the standard library does
    assert outcome(PARSERS["json"], body) == outcome(json.loads, body)


_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text()
)
_documents = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
).map(lambda v: json.dumps(v).encode())
_splices = st.sampled_from(
    [b"NaN", b"-Infinity", b"\xff", b'"\\udc00"', b"\xed\xb0\x80", b",", b"]", b"0" * 20, b" "]
)


@given(_documents, st.data())
def test_any_document_parses_as_the_standard_library_does(doc: bytes, data: st.DataObject) -> None:
    """Valid documents, and the same with a splice (NaN, bad UTF-8, a lone surrogate, a
    stray comma, a 20-digit run...) at some position: the outcome never differs."""
    at = data.draw(st.integers(0, len(doc)))
    spliced = doc[:at] + data.draw(_splices) + doc[at:]
    for body in (doc, spliced):
        for parse in PARSERS.values():
            assert outcome(parse, body) == outcome(json.loads, body)


def test_a_response_with_big_integers_and_nan_decodes_as_it_always_did(
    hostile: Callable[..., HostileServer],
) -> None:
    """End to end through the client, with whichever parser this run uses."""
    body = b'{"big": 18446744073709551616, "neg": -9223372036854775809, "x": NaN, "k": 1, "k": 2}'
    server = hostile([Reply([json_response(body)])])
    with Client("test-key", base_url=server.base_url, max_retries=0) as client:
        result = client.run(client.organizations.industry_choices())
    assert isinstance(result, Success)
    value = result.unwrap()
    assert value["big"] == 2**64 and value["neg"] == -(2**63) - 1 and value["k"] == 2
    assert math.isnan(value["x"])
    assert repr(value) == repr(freeze_json(json.loads(body)))


def test_loads_uses_orjson_unless_told_not_to() -> None:
    expected = "json" if os.environ.get("AVALA_NO_ORJSON") else "orjson"
    assert parser_name() == expected
    assert loads(b'{"a": [1, 2.5, null]}') == {"a": [1, 2.5, None]}


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("import os; os.environ['AVALA_NO_ORJSON'] = '1'", "json"),
        ("import sys; sys.modules['orjson'] = None", "json"),  # as if not installed
        ("import os; os.environ.pop('AVALA_NO_ORJSON', None)", "orjson"),
    ],
    ids=["AVALA_NO_ORJSON=1", "orjson not installed", "orjson installed"],
)
def test_the_parser_falls_back_to_the_standard_library(setup: str, expected: str) -> None:
    code = (
        f"{setup}\nfrom avala._json import loads, parser_name\n"
        "assert loads(b'[18446744073709551616, NaN]')[0] == 2**64\nprint(parser_name())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == expected
