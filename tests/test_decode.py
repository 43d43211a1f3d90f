"""Decoding: strict types, ignored extras, null lists, datetimes, named failure paths."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any, cast, get_args, get_origin, get_type_hints

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.result import Success

from avala import CursorPage, DecodeError
from avala import types as avala_types
from avala._decode import (
    _DETAILED,
    CONVERTER,
    array,
    cursor_from_url,
    field,
    model,
    nothing,
    page,
    raw,
)
from avala.testing import strategies
from avala.types import Agent, Dataset, Project


def body(value: Any) -> bytes:
    return json.dumps(value).encode()


def test_object_with_datetimes_and_unknown_fields() -> None:
    result = model(Project).read(
        body({"uid": "p1", "name": "P", "created_at": "2024-05-01T12:00:00Z", "new": 1})
    )
    assert result == Success(
        Project(uid="p1", name="P", created_at=datetime(2024, 5, 1, 12, tzinfo=UTC))
    )


def test_models_are_frozen_and_hashable() -> None:
    project = model(Project).read(body({"uid": "p1", "name": "P"})).unwrap()
    with pytest.raises(AttributeError):
        project.name = "Q"  # type: ignore[misc]
    assert hash(project) == hash(Project(uid="p1", name="P"))


def test_list_fields_become_tuples_and_accept_null() -> None:
    agent = model(Agent).read(body({"uid": "a", "name": "n", "events": ["x", "y"]})).unwrap()
    assert agent.events == ("x", "y")
    assert model(Agent).read(body({"uid": "a", "name": "n", "events": None})).unwrap().events == ()


def test_loose_json_is_frozen() -> None:
    labels = [{"name": "car", "attrs": {"color": ["red"]}}]
    ds = model(Dataset).read(
        body({"uid": "d", "name": "n", "slug": "s", "predefined_labels": labels})
    )
    value = ds.unwrap().predefined_labels
    assert value is not None and value[0]["attrs"]["color"][0] == "red"
    hash(value)
    with pytest.raises(TypeError):
        value[0]["name"] = "bus"  # type: ignore[index]


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({"name": "P"}, "$.uid"),
        ({"uid": 5, "name": "P"}, "$.uid"),
        ({"uid": "p", "name": None}, "$.name"),
        ({"uid": "p", "name": "P", "created_at": "yesterday"}, "$.created_at"),
        ({"uid": "p", "name": "P", "created_at": 17}, "$.created_at"),
    ],
)
def test_failures_name_the_field_path(payload: dict[str, Any], path: str) -> None:
    err = model(Project).read(body(payload)).failure()
    assert isinstance(err, DecodeError)
    assert err.path == path and path in err.message and "Project" in err.message


def test_bool_is_not_an_int_and_int_is_not_a_str() -> None:
    assert (
        model(Dataset)
        .read(body({"uid": "d", "name": "n", "slug": "s", "item_count": True}))
        .failure()
    )
    assert model(Project).read(body({"uid": 1, "name": "n"})).failure()


def test_page_failure_path_points_into_results() -> None:
    err = page(Project).read(body({"results": [{"uid": "a", "name": "A"}, {"uid": "b"}]})).failure()
    assert err.path == "$.results[1].name"


def test_page_cursors_from_links() -> None:
    result = (
        page(Project)
        .read(
            body(
                {
                    "results": [{"uid": "a", "name": "A"}],
                    "next": "https://api/x/?cursor=cD0y&limit=1",
                    "previous": "https://api/x/?limit=1&cursor=cD0w",
                }
            )
        )
        .unwrap()
    )
    assert isinstance(result, CursorPage)
    assert (result.next_cursor, result.previous_cursor, result.has_more) == ("cD0y", "cD0w", True)
    assert len(result) == 1 and [p.uid for p in result] == ["a"] and result[0].name == "A"


def test_page_number_links_and_missing_results() -> None:
    result = (
        page(Project, "page")
        .read(body({"next": "https://api/o/?page=3", "previous": "https://api/o/"}))
        .unwrap()
    )
    assert (result.items, result.next_cursor, result.previous_cursor) == ((), "3", "1")
    assert not page(Project).read(body({"results": [], "next": None})).unwrap().has_more


@given(st.text(alphabet=st.characters(codec="ascii", categories=["L", "N"]), min_size=1))
def test_cursor_round_trips_through_a_link(cursor: str) -> None:
    from urllib.parse import urlencode

    assert cursor_from_url("https://h/x/?" + urlencode({"cursor": cursor}), "cursor") == cursor


@pytest.mark.parametrize(
    ("raw_body", "expected_path"),
    [(b"{not json", "$"), (b"[]", "$"), (b"null", "$"), (b"", "$")],
)
def test_wrong_shapes_are_decode_errors(raw_body: bytes, expected_path: str) -> None:
    err = model(Project).read(raw_body).failure()
    assert isinstance(err, DecodeError) and err.path == expected_path


def test_other_readers() -> None:
    assert nothing().read(b"") == Success(None)
    assert nothing().read(b'{"detail": "ignored"}') == Success(None)
    assert isinstance(nothing().read(b"<html>proxy</html>").failure(), DecodeError)
    assert raw().read(body({"a": [1]})).unwrap()["a"][0] == 1
    assert array(Project).read(body([{"uid": "a", "name": "A"}])).unwrap() == (
        Project(uid="a", name="A"),
    )
    assert field("created", int).read(body({"created": 3})) == Success(3)
    assert field("created", int).read(body({})).failure().path == "$.created"


ALL_MODELS = [
    getattr(avala_types, name)
    for name in avala_types.__all__
    if dataclasses.is_dataclass(getattr(avala_types, name)) and name != "CursorPage"
]
MUTATIONS = st.sampled_from(["keep", "drop", "null", "number", "text", "list", "bool"])


@pytest.mark.parametrize("model_cls", ALL_MODELS, ids=lambda m: m.__name__)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_compiled_hooks_agree_with_the_detailed_converter(model_cls: type, data: Any) -> None:
    """The fast hooks must accept and refuse exactly what the detailed converter does."""
    value = data.draw(strategies.json_for(model_cls))
    fields = [f.name for f in dataclasses.fields(model_cls)]
    name = data.draw(st.sampled_from(fields))
    mutation = data.draw(MUTATIONS)
    replacement = {"null": None, "number": 7, "text": "x", "list": ["x"], "bool": True}
    if mutation == "drop":
        value.pop(name, None)
    elif mutation != "keep":
        value[name] = replacement[mutation]
    try:
        fast: Any = CONVERTER.structure(value, model_cls)
    except Exception:
        fast = "failed"
    try:
        slow: Any = _DETAILED.structure(value, model_cls)
    except Exception:
        slow = "failed"
    assert fast == slow
    assert type(fast) is type(slow)  # the hook's instance is of the model's own class


# --- No coercion: a value of the wrong JSON type is refused, never converted -------------

WRONG_TYPES: list[tuple[type, Any]] = [
    (int, "5"),
    (int, "-1"),
    (int, True),
    (int, 5.0),
    (int, None),
    (str, 5),
    (str, 1.5),
    (str, False),
    (str, ["x"]),
    (bool, 1),
    (bool, 0),
    (bool, "true"),
    (float, "1.5"),
    (float, True),
    (datetime, 1_700_000_000),
]


@pytest.mark.parametrize("converter", [CONVERTER, _DETAILED], ids=["fast", "detailed"])
@pytest.mark.parametrize(("kind", "value"), WRONG_TYPES, ids=repr)
def test_primitive_hooks_refuse_other_json_types(converter: Any, kind: type, value: Any) -> None:
    with pytest.raises(Exception):  # noqa: B017 - any refusal; `structure` turns it into a Failure
        converter.structure(value, kind)


@pytest.mark.parametrize("converter", [CONVERTER, _DETAILED], ids=["fast", "detailed"])
def test_primitive_hooks_keep_values_of_their_own_type(converter: Any) -> None:
    assert converter.structure(5, int) == 5 and type(converter.structure(5, int)) is int
    assert converter.structure("5", str) == "5"
    assert converter.structure(False, bool) is False
    assert converter.structure(2, float) == 2.0 and type(converter.structure(2, float)) is float


def _scalar_kind(tp: Any) -> type | None:
    """The JSON scalar a field holds (str, int, bool or float), seen through Optional."""
    args = [a for a in get_args(tp) if a is not type(None)] if get_origin(tp) else [tp]
    if len(args) == 1 and args[0] in (str, int, bool, float):
        return cast(type, args[0])
    return None


SCALAR_FIELDS = [
    (model_cls, f.name, kind)
    for model_cls in ALL_MODELS
    for f in dataclasses.fields(model_cls)
    if (kind := _scalar_kind(get_type_hints(model_cls)[f.name])) is not None
]
STRING_TUPLE_FIELDS = [
    (model_cls, f.name)
    for model_cls in ALL_MODELS
    for f in dataclasses.fields(model_cls)
    if get_type_hints(model_cls)[f.name] in (tuple[str, ...], tuple[str, ...] | None)
]

_small_json = st.one_of(
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers())
)
# For each scalar kind: JSON values of another type, the look-alikes first ("5" for 5).
WRONG_FOR: dict[type, st.SearchStrategy[Any]] = {
    int: st.one_of(
        st.integers().map(str),
        st.booleans(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=4),
        _small_json,
    ),
    str: st.one_of(
        st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.booleans(), _small_json
    ),
    bool: st.one_of(
        st.integers(), st.sampled_from(["true", "false", "1", "0", ""]), st.floats(), _small_json
    ),
    float: st.one_of(
        st.floats(allow_nan=False, allow_infinity=False).map(str),
        st.booleans(),
        st.text(max_size=4),
        _small_json,
    ),
}


def assert_refused_at(model_cls: type, value: dict[str, Any], path: str) -> None:
    """Both converters refuse the value, and the Failure names where."""
    with pytest.raises(Exception):  # noqa: B017
        CONVERTER.structure(value, model_cls)  # the compiled hook
    with pytest.raises(Exception):  # noqa: B017
        _DETAILED.structure(value, model_cls)
    err = model(model_cls).read(body(value)).failure()
    assert isinstance(err, DecodeError) and err.path == path, err


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_scalar_field_of_the_wrong_json_type_is_refused(data: st.DataObject) -> None:
    model_cls, name, kind = data.draw(st.sampled_from(SCALAR_FIELDS), label="field")
    value = data.draw(strategies.json_for(model_cls))
    value[name] = data.draw(WRONG_FOR[kind], label=f"not a {kind.__name__}")
    assert_refused_at(model_cls, value, f"$.{name}")


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_an_array_item_of_the_wrong_json_type_is_refused(data: st.DataObject) -> None:
    model_cls, name = data.draw(st.sampled_from(STRING_TUPLE_FIELDS), label="field")
    value = data.draw(strategies.json_for(model_cls))
    items = data.draw(st.lists(st.text(max_size=4), max_size=3))
    index = data.draw(st.integers(0, len(items)))
    items.insert(index, data.draw(WRONG_FOR[str], label="item"))
    value[name] = items
    assert_refused_at(model_cls, value, f"$.{name}[{index}]")


def test_a_digit_string_is_not_an_int_in_any_model() -> None:
    """The simplest coercion, checked on every int field of every model by name."""
    int_fields = [(m, n) for m, n, kind in SCALAR_FIELDS if kind is int]
    assert int_fields
    for model_cls, name in int_fields:
        value = _minimal_json(model_cls)
        value[name] = "5"
        assert_refused_at(model_cls, value, f"$.{name}")


def _minimal_json(model_cls: type) -> dict[str, Any]:
    found: list[dict[str, Any]] = []

    @settings(max_examples=1, deadline=None, database=None)
    @given(strategies.json_for(model_cls))
    def first(value: dict[str, Any]) -> None:
        found.append(value)

    first()
    return found[0]
