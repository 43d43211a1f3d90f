"""Path rendering: every argument stays inside its own segment, or is refused."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from avala._url import check_segment, fill_template, render_path


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("abc", "abc"),
        ("a/b", "a%2Fb"),
        ("a?x=1", "a%3Fx%3D1"),
        ("a#frag", "a%23frag"),
        ("%2e%2e", "%252e%252e"),
        ("../admin", "..%2Fadmin"),
        ("naïve ünïcode", "na%C3%AFve%20%C3%BCn%C3%AFcode"),
    ],
)
def test_hostile_values_are_encoded_into_one_segment(value: str, encoded: str) -> None:
    assert render_path(("users", value)) == f"/users/{encoded}/"


@pytest.mark.parametrize("value", ["", ".", ".."])
def test_values_that_would_change_the_route_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="uid"):
        fill_template("/things/{uid}/", {"uid": value})


@pytest.mark.parametrize(
    "value", [" ", "   ", "\t", " \n ", "\u00a0", "\u3000", "\u2028"], ids=repr
)
def test_a_whitespace_only_value_is_refused_as_blank(value: str) -> None:
    with pytest.raises(ValueError, match=r"^uid\b.*whitespace"):
        check_segment("uid", value)


@pytest.mark.parametrize("value", ["a b", " a", "a\u00a0b", "naïve ünïcode"])
def test_text_with_something_besides_whitespace_still_passes(value: str) -> None:
    assert check_segment("uid", value) == value


@pytest.mark.parametrize("value", ["a\r\nb", "tab\there", "\x00"])
def test_control_characters_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="control"):
        check_segment("uid", value)


@pytest.mark.parametrize("value", [None, 5, b"bytes"])
def test_non_strings_are_a_type_error(value: object) -> None:
    with pytest.raises(TypeError, match="uid must be a str"):
        check_segment("uid", value)


def test_missing_placeholder_argument_is_named() -> None:
    with pytest.raises(TypeError, match="'slug'"):
        fill_template("/datasets/{owner}/{slug}/", {"owner": "me"})


@given(st.text(min_size=1))
def test_any_accepted_text_round_trips_inside_its_segment(value: str) -> None:
    try:
        segments = fill_template("/datasets/{uid}/items/", {"uid": value})
    except ValueError:
        return  # refused at build time: allowed
    path = urlsplit("https://h" + render_path(segments)).path
    parts = path.split("/")
    assert parts[0] == "" and parts[-1] == ""
    assert parts[1] == "datasets" and parts[3] == "items" and len(parts) == 5
    assert unquote(parts[2]) == value
    assert "?" not in render_path(segments) and "#" not in render_path(segments)
