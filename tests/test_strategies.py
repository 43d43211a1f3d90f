"""Properties of every model and every builder, drawn from ``avala.testing.strategies``."""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import json
import pkgutil
import re
import uuid
from datetime import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.result import Failure, Success

import avala.types
from avala._decode import model, structure
from avala._request import Request
from avala.errors import DecodeError
from avala.resources._endpoints import ENDPOINTS
from avala.testing.strategies import (
    arguments_for,
    builder_for,
    cursors,
    endpoint_ids,
    iso_datetimes,
    json_for,
    json_values,
    limits,
    models,
    path_text,
    requests_for,
    uids,
)
from avala.types import CursorPage, Dataset

FEW = settings(max_examples=15, deadline=None)


def _is_plain_model(value: object) -> bool:
    return (
        isinstance(value, type)
        and dataclasses.is_dataclass(value)
        and not getattr(value, "__parameters__", ())
    )


def _all_models() -> list[Any]:
    """Every non-generic dataclass defined in a module of avala.types, exported or not."""
    found: dict[str, Any] = {}
    for info in pkgutil.iter_modules(avala.types.__path__):
        module = importlib.import_module(f"avala.types.{info.name}")
        for name, value in vars(module).items():
            if _is_plain_model(value) and value.__module__ == module.__name__:
                found[name] = value
    return [found[name] for name in sorted(found)]


# Every model of avala.types; the generic page, parametrised with one model.
MODELS: list[Any] = [*_all_models(), CursorPage[Dataset]]


def _origin(model_cls: Any) -> type[Any]:
    return getattr(model_cls, "__origin__", model_cls)  # type: ignore[no-any-return]


def _name(model_cls: Any) -> str:
    return getattr(model_cls, "__name__", None) or repr(model_cls)


def _required_fields(model_cls: Any) -> list[str]:
    return [
        f.name
        for f in dataclasses.fields(_origin(model_cls))
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]


def test_every_exported_model_is_covered() -> None:
    exported = {
        name for name in avala.types.__all__ if dataclasses.is_dataclass(getattr(avala.types, name))
    }
    assert exported <= {_origin(m).__name__ for m in MODELS}


@functools.cache
def _unknown_keys(model_cls: Any) -> st.SearchStrategy[dict[str, Any]]:
    known = {f.name for f in dataclasses.fields(_origin(model_cls))}
    keys = st.text(min_size=1, max_size=8).filter(lambda k: k not in known)
    return st.dictionaries(keys, json_values(), min_size=1, max_size=2)


# --- models -------------------------------------------------------------------------------


@pytest.mark.parametrize("model_cls", MODELS, ids=_name)
@FEW
@given(data=st.data())
def test_drawn_json_decodes_into_a_frozen_hashable_value(
    model_cls: Any, data: st.DataObject
) -> None:
    value = data.draw(json_for(model_cls), label="json")
    decoded = structure(value, model_cls)
    assert isinstance(decoded, Success), decoded
    first = decoded.unwrap()
    assert isinstance(first, _origin(model_cls))
    again = structure(value, model_cls).unwrap()
    assert first == again
    assert hash(first) == hash(again)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(first, dataclasses.fields(first)[0].name, None)
    # As bytes on the wire, read by a response reader: the same value.
    assert model(model_cls).read(json.dumps(value).encode()) == decoded

    # Keys the model does not know are ignored.
    extra = data.draw(_unknown_keys(model_cls), label="extra keys")
    assert structure({**value, **extra}, model_cls) == decoded

    # A required field left out is a DecodeError naming it.
    required = _required_fields(model_cls)
    if required:
        missing = data.draw(st.sampled_from(required), label="removed")
        del value[missing]
        result = structure(value, model_cls)
        assert isinstance(result, Failure), result
        error = result.failure()
        assert isinstance(error, DecodeError)
        assert error.path == f"$.{missing}"


def test_some_models_have_required_fields_to_leave_out() -> None:
    assert sum(bool(_required_fields(m)) for m in MODELS) > len(MODELS) // 2


@FEW
@given(data=st.data())
def test_models_draws_decoded_instances(data: st.DataObject) -> None:
    model_cls = data.draw(st.sampled_from(MODELS), label="model")
    assert isinstance(data.draw(models(model_cls), label="instance"), _origin(model_cls))


# --- requests -----------------------------------------------------------------------------


def _placeholders(template: str) -> list[str | None]:
    """Each segment of a template: the placeholder's name, or None for a literal."""
    return [
        m.group(1) if (m := re.fullmatch(r"\{(\w+)\}", part)) else None
        for part in template.strip("/").split("/")
    ]


@pytest.mark.parametrize("endpoint_id", sorted(ENDPOINTS))
@FEW
@given(data=st.data())
def test_equal_arguments_build_equal_requests_on_the_right_route(
    endpoint_id: str, data: st.DataObject
) -> None:
    args, kwargs = data.draw(arguments_for(endpoint_id), label="arguments")
    builder = builder_for(endpoint_id)
    request, twin = builder(*args, **kwargs), builder(*args, **kwargs)
    assert isinstance(request, Request)
    assert request == twin
    assert hash(request) == hash(twin)

    first = request.first_call()
    assert first is not None
    assert all(isinstance(v, str) for v in first.query.values()), first.query
    row = ENDPOINTS[endpoint_id]
    assert first.method == row.method
    binding = inspect.signature(builder).bind(*args, **kwargs)
    binding.apply_defaults()
    bound = binding.arguments
    literals = row.path.strip("/").split("/")
    assert len(first.path) == len(literals)
    for segment, literal in zip(first.path, literals, strict=True):
        # each {name} filled in, also inside a segment such as {dataset}@{selector}
        assert segment == re.sub(r"\{(\w+)\}", lambda m: bound[m.group(1)], literal)


@FEW
@given(data=st.data())
def test_requests_for_any_endpoint_are_requests(data: st.DataObject) -> None:
    endpoint_id = data.draw(endpoint_ids(), label="endpoint")
    assert isinstance(data.draw(requests_for(endpoint_id)), Request)


def test_an_unknown_endpoint_id_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        builder_for("nope.list")


# --- pieces -------------------------------------------------------------------------------


@FEW
@given(iso_datetimes())
def test_iso_datetimes_are_utc_and_parse(text: str) -> None:
    assert text.endswith(("Z", "+00:00"))
    assert datetime.fromisoformat(text).utcoffset() is not None


@FEW
@given(uids(), cursors(), limits())
def test_uids_cursors_and_limits(uid: str, cursor: str, limit: int) -> None:
    assert str(uuid.UUID(uid)) == uid
    assert cursor
    assert limit >= 1


def test_path_text_reaches_every_kind_of_hostile_text() -> None:
    kinds = {
        "slash": lambda s: "/" in s,
        "query": lambda s: "?" in s,
        "fragment": lambda s: "#" in s,
        "encoded dots": lambda s: "%2e%2e" in s,
        "dot dot": lambda s: ".." in s,
        "control": lambda s: any(ord(c) < 0x20 for c in s),
        "non-ascii": lambda s: any(ord(c) > 0x7F for c in s),
    }
    found: set[str] = set()

    @settings(max_examples=200, deadline=None, database=None)
    @given(path_text())
    def collect(text: str) -> None:
        found.update(name for name, test in kinds.items() if test(text))

    collect()
    assert found == set(kinds)
