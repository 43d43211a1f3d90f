"""Arbitrary text in any path parameter of any endpoint stays inside its own segment.

For each endpoint id and each placeholder of its path template, text from ``path_text()``
(``/``, ``?``, ``#``, ``%2e%2e``, ``..``, unicode, control characters ...) goes into that
parameter while the other arguments are valid. The builder refuses it when the request is
built (ValueError or TypeError) exactly when it is not ordinary text (``is_ordinary``);
otherwise the rendered path has the template's segments, the literal ones unchanged, and
the parameter's segment decodes back to the text.
"""

from __future__ import annotations

import inspect
import re
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from avala._request import Request
from avala.resources._endpoints import ENDPOINTS
from avala.testing.strategies import arguments_for, builder_for, path_text

# What ``quote(segment, safe="")`` may leave in a segment: unreserved characters and escapes.
ENCODED_SEGMENT = re.compile(r"(?:[A-Za-z0-9._~@-]|%[0-9A-F]{2})+")  # "@" is a pchar

CASES = [
    (endpoint_id, name)
    for endpoint_id, row in sorted(ENDPOINTS.items())
    for name in re.findall(r"\{(\w+)\}", row.path)
]


def build_with(endpoint_id: str, name: str, value: Any, arguments: Any) -> Request[Any]:
    """The request for ``arguments`` with the path parameter ``name`` set to ``value``."""
    args, kwargs = arguments
    builder = builder_for(endpoint_id)
    bound = inspect.signature(builder).bind(*args, **kwargs)
    bound.arguments[name] = value
    return builder(*bound.args, **bound.kwargs)


def assert_inside_its_segment(
    endpoint_id: str, name: str, text: str, request: Request[Any]
) -> None:
    first = request.first_call()
    assert first is not None
    url_path = first.url_path
    parts = urlsplit("https://api.example" + url_path)
    assert (parts.path, parts.query, parts.fragment) == (url_path, "", ""), url_path
    template = ENDPOINTS[endpoint_id].path.strip("/").split("/")
    rendered = url_path.split("/")
    assert rendered[0] == "" and rendered[-1] == "", url_path
    segments = rendered[1:-1]
    assert len(segments) == len(template), url_path
    for segment, part in zip(segments, template, strict=True):
        if part == "{" + name + "}":
            assert ENCODED_SEGMENT.fullmatch(segment), segment
            assert unquote(segment, errors="strict") == text
            assert segment not in (".", ".."), "a dot segment would name another route"
        elif part.startswith("{"):
            assert ENCODED_SEGMENT.fullmatch(segment), segment  # another (valid) argument
        else:
            assert segment == part


def test_every_placeholder_is_a_parameter_of_its_builder() -> None:
    for endpoint_id, name in CASES:
        assert name in inspect.signature(builder_for(endpoint_id)).parameters, endpoint_id


@pytest.mark.parametrize(("endpoint_id", "name"), CASES)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_arbitrary_text_stays_inside_its_segment(
    endpoint_id: str, name: str, data: st.DataObject
) -> None:
    arguments = data.draw(arguments_for(endpoint_id), label="valid arguments")
    text = data.draw(path_text(), label=name)
    try:
        request = build_with(endpoint_id, name, text, arguments)
    except (ValueError, TypeError):
        assert not accepted_in(endpoint_id, name, text), f"{text!r} was refused"
        return  # refused while building: nothing can be sent
    assert accepted_in(endpoint_id, name, text), f"{text!r} was accepted"
    assert_inside_its_segment(endpoint_id, name, text, request)


def is_ordinary(text: str) -> bool:
    """What a path parameter must accept: non-empty UTF-8 text, no C0 control or DEL, and
    not a dot segment, not only whitespace. Everything else (``/``, ``?``, ``%``, spaces
    among other characters, any script) is encoded."""
    if text in ("", ".", "..") or text.isspace():
        return False
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def separators(endpoint_id: str, name: str) -> list[str]:
    """The text beside ``{name}`` in a segment that holds more (``@`` in
    ``{dataset}@{selector}``): a value holding it would make the segment ambiguous."""
    for part in ENDPOINTS[endpoint_id].path.split("/"):
        if "{" + name + "}" in part and part != "{" + name + "}":
            return [t for t in re.split(r"\{\w+\}", part) if t]
    return []


def accepted_in(endpoint_id: str, name: str, text: str) -> bool:
    """Ordinary text, without the separators of a shared segment."""
    return is_ordinary(text) and not any(t in text for t in separators(endpoint_id, name))


# Ordinary text from every script, with the characters a route cares about mixed in.
ordinary_text = st.text(
    st.one_of(
        st.characters(codec="utf-8", min_codepoint=0x20, exclude_characters="\x7f"),
        st.sampled_from("-_.~/?#%&=+ :@!$'()*,;[]"),
    ),
    min_size=1,
    max_size=16,
).filter(is_ordinary)


@pytest.mark.parametrize(("endpoint_id", "name"), CASES)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_ordinary_text_is_always_accepted_and_round_trips(
    endpoint_id: str, name: str, data: st.DataObject
) -> None:
    arguments = data.draw(arguments_for(endpoint_id), label="valid arguments")
    text = data.draw(ordinary_text.filter(lambda t: accepted_in(endpoint_id, name, t)), label=name)
    request = build_with(endpoint_id, name, text, arguments)  # a refusal fails the test
    assert_inside_its_segment(endpoint_id, name, text, request)


ORDINARY_EXAMPLES = ["a-b", "my_project-2", "Ünïcödé", "名前", "a b", "a/b", "%2e%2e", "...", "~"]


@pytest.mark.parametrize("value", ORDINARY_EXAMPLES)
def test_ordinary_examples_are_accepted_everywhere(value: str) -> None:
    refused = []
    for endpoint_id, name in CASES:
        try:
            request = build_with(endpoint_id, name, value, _plain_arguments(endpoint_id))
        except (ValueError, TypeError) as exc:
            refused.append(f"{endpoint_id}({name}): {exc}")
            continue
        assert_inside_its_segment(endpoint_id, name, value, request)
    assert not refused, f"{len(refused)} refused, e.g. {refused[:3]}"


INVALID_SEGMENTS = ["", ".", "..", "a\x00b", "a\r\nb", "\t", "a\x7fb"]


@pytest.mark.parametrize("value", INVALID_SEGMENTS, ids=repr)
def test_text_that_would_change_the_route_is_refused_everywhere(value: str) -> None:
    accepted = []
    for endpoint_id, name in CASES:
        arguments = _plain_arguments(endpoint_id)
        try:
            build_with(endpoint_id, name, value, arguments)
        except (ValueError, TypeError):
            continue
        accepted.append(f"{endpoint_id}({name})")
    assert not accepted


@pytest.mark.parametrize("value", [" ", "  \t ", "\u3000"], ids=repr)
def test_a_whitespace_only_value_is_refused_everywhere(value: str) -> None:
    accepted = []
    for endpoint_id, name in CASES:
        try:
            build_with(endpoint_id, name, value, _plain_arguments(endpoint_id))
        except ValueError as error:
            assert str(error).startswith(name), error  # the message names the argument
            continue
        accepted.append(f"{endpoint_id}({name})")
    assert not accepted


@pytest.mark.parametrize("value", [5, None, b"uid"], ids=repr)
def test_a_path_parameter_that_is_not_text_is_a_type_error(value: object) -> None:
    for endpoint_id, name in CASES:
        with pytest.raises(TypeError):
            build_with(endpoint_id, name, value, _plain_arguments(endpoint_id))


def test_lone_surrogates_are_refused_at_build_time() -> None:
    unsendable = []
    for endpoint_id, name in CASES:
        try:
            request = build_with(endpoint_id, name, "a\ud800b", _plain_arguments(endpoint_id))
        except (ValueError, TypeError):
            continue
        first = request.first_call()
        assert first is not None
        try:
            first.url_path  # noqa: B018 - rendering is the check
        except UnicodeEncodeError:
            unsendable.append(f"{endpoint_id}({name})")
    assert not unsendable, f"{len(unsendable)} path parameters, e.g. {unsendable[:3]}"


_PLAIN: dict[str, Any] = {}


def _plain_arguments(endpoint_id: str) -> Any:
    """One valid set of arguments per endpoint (the simplest example Hypothesis finds)."""
    if endpoint_id not in _PLAIN:
        found: list[Any] = []

        @settings(max_examples=1, deadline=None, database=None)
        @given(arguments_for(endpoint_id))
        def first(arguments: Any) -> None:
            found.append(arguments)

        first()
        _PLAIN[endpoint_id] = found[0]
    return _PLAIN[endpoint_id]
